/** Query-string and header schemas shared by the case routes. */
import * as z from 'zod/mini';
import { caseStatuses } from '../../shared/cases/status.ts';
import { ValidationError } from '../../shared/errors.ts';
import { isoDate } from '../../shared/validation.ts';

const limit = z.optional(
  z
    .pipe(
      z.string().check(z.regex(/^\d{1,3}$/, 'expected a whole number 1–100')),
      z.transform((s) => Number(s)),
    )
    .check(z.refine((n) => n >= 1 && n <= 100, 'expected a whole number 1–100')),
);

export const listQuerySchema = z.strictObject({
  status: z.optional(z.enum(caseStatuses)),
  customerId: z.optional(z.string().check(z.maxLength(128))),
  technicianId: z.optional(z.string().check(z.maxLength(128))),
  day: z.optional(isoDate()),
  limit,
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});

export const registerQuerySchema = z.strictObject({
  limit,
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});

export const monthSchema = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM'));

/** `If-Match: "7"` (or W/"7", or 7) → 7. */
export function ifMatchVersion(headers: Record<string, string>): number | undefined {
  const raw = headers['if-match'];
  if (raw === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,12})"?$/.exec(raw.trim());
  if (!m)
    throw new ValidationError([
      { field: 'If-Match', message: 'expected the case version as an ETag, e.g. "3"' },
    ]);
  return Number(m[1]);
}

const idempotencyKey = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'expected 8–128 letters, digits or _.:-'));

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
