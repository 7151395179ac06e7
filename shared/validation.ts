import * as z from 'zod/mini';
import { ValidationError } from './errors.ts';

/** Parses `input` with `schema`; on failure throws a ValidationError naming every bad field. */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: unknown): z.infer<S> {
  const result = z.safeParse(schema, input);
  if (result.success) return result.data as z.infer<S>;
  throw new ValidationError(
    result.error.issues.flatMap((issue) => {
      // Unknown keys are reported on the parent; name the key itself so the client sees which field.
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      return keys.map((key) => ({
        field: [...issue.path, ...(key === undefined ? [] : [key])].map(String).join('.') || '(body)',
        message: issue.message,
      }));
    }),
  );
}

/** Tabs and line breaks are text; other C0 control characters are not. */
function noControlCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/** Trimmed text of bounded length: the default for every free-text field. */
export const text = (max: number, min = 1) =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(min),
      z.maxLength(max),
      z.refine(noControlCharacters, 'control characters are not allowed'),
    );

/** A local calendar date `YYYY-MM-DD` that exists. */
export const isoDate = () =>
  z.string().check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD'),
    z.refine(
      (s) =>
        !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
      'not a real date',
    ),
  );

/** An ISO-8601 instant with offset, e.g. `2026-11-22T09:30:00+08:00`. */
export const isoInstant = () => z.iso.datetime({ offset: true });
