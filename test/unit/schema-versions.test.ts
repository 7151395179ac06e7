/**
 * Stored item schemas carry a version. If a schema changes, its fingerprint changes: bump the version
 * (and write the migration/compat note) and record the new fingerprint here. Never edit an old one.
 */
import { describe, expect, it } from 'vitest';
import { CASE_SCHEMA_VERSION, caseItemSchema } from '../../shared/cases/model.ts';
import { schemaFingerprint } from '../support/schema-fingerprint.ts';

const known: Record<string, Record<number, string>> = {
  Case: { 1: 'a322e964857c578e', 2: '32d0c5813d7feb6a' },
};

describe('stored schema versions', () => {
  it('bumps the Case schema version whenever the stored Case schema changes', () => {
    expect({ version: CASE_SCHEMA_VERSION, fingerprint: schemaFingerprint(caseItemSchema) }).toEqual({
      version: CASE_SCHEMA_VERSION,
      fingerprint: known.Case?.[CASE_SCHEMA_VERSION],
    });
  });
});
