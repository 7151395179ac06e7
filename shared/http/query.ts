/** Query-string and header schemas every domain's routes share: pages, months, versions, idempotency. */
import * as z from 'zod/mini';
import { ValidationError } from '../errors.ts';
import { lazySchema } from '../validation.ts';

export const DEFAULT_LIMIT = 25;

/** `?limit=` as a whole number 1–100. */
export const limitParam = lazySchema(() =>
  z.optional(
    z
      .pipe(
        z.string().check(z.maxLength(3), z.regex(/^\d{1,3}$/, 'expected a whole number 1–100')),
        z.transform((s) => Number(s)),
      )
      .check(z.refine((n) => n >= 1 && n <= 100, 'expected a whole number 1–100')),
  ),
);

export const cursorParam = lazySchema(() => z.optional(z.string().check(z.maxLength(2048))));

/** A page of a list: `?limit=&cursor=`. */
export const pageQuerySchema = lazySchema(() => z.strictObject({ limit: limitParam, cursor: cursorParam }));

/** The page a list operation takes, defaults applied. */
export function pageOf(query: { limit?: number | undefined; cursor?: string | undefined }): {
  limit: number;
  cursor?: string;
} {
  return { limit: query.limit ?? DEFAULT_LIMIT, ...(query.cursor ? { cursor: query.cursor } : {}) };
}

export const monthSchema = lazySchema(() =>
  z.string().check(z.maxLength(7), z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM')),
);

/** `If-Match: "7"` (or W/"7", or 7) → 7. */
export function ifMatchVersion(headers: Record<string, string>): number | undefined {
  const raw = headers['if-match'];
  if (raw === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,12})"?$/.exec(raw.trim());
  if (!m)
    throw new ValidationError([
      { field: 'If-Match', message: 'expected the record version as an ETag, e.g. "3"' },
    ]);
  return Number(m[1]);
}

const idempotencyKey = lazySchema(() =>
  z.string().check(z.regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'expected 8–128 letters, digits or _.:-')),
);

export function idempotencyKeyOf(headers: Record<string, string>): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const r = z.safeParse(idempotencyKey, raw);
  if (!r.success)
    throw new ValidationError([
      { field: 'Idempotency-Key', message: r.error.issues[0]?.message ?? 'invalid' },
    ]);
  return r.data;
}

export const etag = (version: number) => ({ etag: `"${version}"` });
