/**
 * Environment of each kind of function, one zod schema each. The CDK construct takes the same schema's
 * input type for its `environment`, so a missing variable fails the type check, not production.
 */
import * as z from 'zod/mini';

const nonEmpty = () => z.string().check(z.minLength(1));

export const apiEnvSchema = z.object({
  TABLE_NAME: nonEmpty(),
  EVENT_BUS_NAME: nonEmpty(),
  /** Branch timezone used for case numbers and day indexes. */
  TIME_ZONE: nonEmpty(),
  POWERTOOLS_SERVICE_NAME: nonEmpty(),
});
export type ApiEnv = z.infer<typeof apiEnvSchema>;

export const consumerEnvSchema = z.object({
  POWERTOOLS_SERVICE_NAME: nonEmpty(),
});
export type ConsumerEnv = z.infer<typeof consumerEnvSchema>;

/** Reads and validates the environment once; a bad environment fails the first invocation loudly. */
export function loadEnv<S extends z.ZodMiniType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = z.safeParse(schema, env);
  if (!result.success) {
    const missing = result.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`invalid function environment: ${missing}`);
  }
  return result.data as z.infer<S>;
}
