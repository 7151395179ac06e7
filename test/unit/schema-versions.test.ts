/**
 * Stored item schemas carry a version. If a schema changes, its fingerprint changes: bump the version
 * (and write the migration/compat note) and record the new fingerprint here. Never edit an old one.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { CASE_SCHEMA_VERSION, caseItemSchema } from '../../shared/cases/model.ts';

const fingerprint = (schema: z.ZodMiniType) =>
  createHash('sha256')
    .update(JSON.stringify(z.toJSONSchema(schema, { unrepresentable: 'any' })))
    .digest('hex')
    .slice(0, 16);

const known: Record<string, Record<number, string>> = {
  Case: { 1: 'a322e964857c578e', 2: '32d0c5813d7feb6a' },
};

describe('stored schema versions', () => {
  it('bumps the Case schema version whenever the stored Case schema changes', () => {
    expect({ version: CASE_SCHEMA_VERSION, fingerprint: fingerprint(caseItemSchema) }).toEqual({
      version: CASE_SCHEMA_VERSION,
      fingerprint: known.Case?.[CASE_SCHEMA_VERSION],
    });
  });
});
