/**
 * EventBridge pattern matching for the local bus: exact values, `prefix`, `anything-but`, `exists`,
 * and nested `detail` fields — the subset our rules use. The rules themselves are `events/rules.ts`.
 */
import type { EventPattern } from '../../events/rules.ts';

type Matcher = unknown;

function matchValue(matchers: Matcher[], value: unknown, present: boolean): boolean {
  return matchers.some((m) => {
    if (m !== null && typeof m === 'object') {
      const rule = m as Record<string, unknown>;
      if ('exists' in rule) return rule.exists === present;
      if (!present) return false;
      if ('prefix' in rule) return typeof value === 'string' && value.startsWith(String(rule.prefix));
      if ('anything-but' in rule) {
        const but = rule['anything-but'];
        return Array.isArray(but) ? !but.includes(value) : value !== but;
      }
      return false;
    }
    return present && (Array.isArray(value) ? value.includes(m) : value === m);
  });
}

function matchObject(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, p]) => {
    const present = key in event && event[key] !== undefined;
    if (Array.isArray(p)) return matchValue(p, event[key], present);
    if (p && typeof p === 'object') {
      const inner = event[key];
      return (
        present &&
        typeof inner === 'object' &&
        inner !== null &&
        matchObject(p as Record<string, unknown>, inner as Record<string, unknown>)
      );
    }
    return false;
  });
}

export function matchesPattern(
  pattern: EventPattern | Readonly<Record<string, unknown>>,
  event: Record<string, unknown>,
): boolean {
  return matchObject(pattern as Record<string, unknown>, event);
}
