/**
 * A short hash of a stored item schema's JSON Schema: it changes whenever the schema does, so the
 * schema-version tests notice a change that came without a version bump.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';

export function schemaFingerprint(schema: z.ZodMiniType): string {
  return createHash('sha256')
    .update(JSON.stringify(z.toJSONSchema(schema, { unrepresentable: 'any' })))
    .digest('hex')
    .slice(0, 16);
}
