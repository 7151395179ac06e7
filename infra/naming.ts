/**
 * Names both the deployment and the local runtime give to what the catalogue declares, so a schedule,
 * group or function is called the same in the cloud and on one machine.
 */
import type { FunctionSpec } from '../functions/spec.ts';

/** The Scheduler group of a trigger kind: `<prefix>-sla` holds the SLA timers, `<prefix>-jobs` the recurring jobs. */
export function scheduleGroupName(prefix: string, kind: 'timers' | 'schedule'): string {
  return `${prefix}-${kind === 'timers' ? 'sla' : 'jobs'}`;
}

/** The named recurring schedules of a function, with the group they live in. */
export function namedSchedules(prefix: string, spec: FunctionSpec) {
  const t = spec.trigger;
  if (t.kind !== 'timers' && t.kind !== 'schedule') return [];
  return t.schedules.map((s) => ({ ...s, group: scheduleGroupName(prefix, t.kind) }));
}
