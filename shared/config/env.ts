/**
 * Every environment variable a function may read, each validated once here. A function's environment
 * schema picks the variables it needs ({@link envSchema}); the CDK stacks and the local runtime each
 * provide one value per variable ({@link EnvBindings}) and give every function exactly its own subset.
 */
import * as z from 'zod/mini';

const nonEmpty = () => z.string().check(z.minLength(1));

export const envVariables = {
  /** The single table. */
  TABLE_NAME: nonEmpty(),
  /** Default timezone for case numbers and day indexes where no branch setting applies. */
  TIME_ZONE: nonEmpty(),
  POWERTOOLS_SERVICE_NAME: nonEmpty(),
  /** The domain event bus (only the outbox relay publishes). */
  EVENT_BUS_NAME: nonEmpty(),
  /** EventBridge Scheduler group holding every SLA timer. */
  SLA_SCHEDULE_GROUP: nonEmpty(),
  /** The function the SLA schedules invoke. */
  SLA_TIMER_ARN: nonEmpty(),
  /** The role EventBridge Scheduler assumes to invoke it. */
  SLA_SCHEDULER_ROLE_ARN: nonEmpty(),
  /** Dead-letter queue of SLA firings that failed after the retries. */
  SLA_TIMER_DLQ_ARN: nonEmpty(),
  /** The complaint investigation state machine (Step Functions), started on `Complaint Raised`. */
  COMPLAINT_WORKFLOW_ARN: nonEmpty(),
  /** Verified SES sender, e.g. `Aftercare <service@aftercare.example>`. */
  MAIL_FROM: nonEmpty(),
  /** SES configuration set every message is sent with. */
  SES_CONFIGURATION_SET: nonEmpty(),
  /**
   * ARN of the Secrets Manager secret holding the HMAC key of survey links and reply addresses, read at
   * cold start (`shared/config/secrets.ts`); the key itself is never in the environment. A deploy-time
   * token in CDK, so not checked as an ARN here.
   */
  SURVEY_TOKEN_SECRET_ARN: nonEmpty(),
  /**
   * Base URL of the public survey page, e.g. `https://api.aftercare.example` (a deploy-time token in
   * CDK, so not checked as a URL here; the card renderer refuses anything but http(s) links).
   */
  PUBLIC_BASE_URL: nonEmpty(),
  /** Receiving domain of the reply address `survey+<token>@<domain>`. */
  SURVEY_REPLY_DOMAIN: nonEmpty(),
} as const;

export type EnvName = keyof typeof envVariables;

/** One value for every variable: what a deployment (CDK) or the local runtime provides. */
export type EnvBindings = Record<EnvName, string>;

/** What a function needs to schedule on the SLA timer target (`slaTimers` in `shared/sla/timers.ts`). */
export const SLA_TIMER_ENV = [
  'SLA_SCHEDULE_GROUP',
  'SLA_TIMER_ARN',
  'SLA_SCHEDULER_ROLE_ARN',
  'SLA_TIMER_DLQ_ARN',
] as const satisfies readonly EnvName[];

/** Every function logs with Powertools under the service name and knows the default timezone. */
const always = ['POWERTOOLS_SERVICE_NAME', 'TIME_ZONE'] as const satisfies readonly EnvName[];
type Always = (typeof always)[number];

/** A function's environment schema: some of {@link envVariables}, built by {@link envSchema}. */
export type EnvSchema = z.ZodMiniObject<Record<string, z.ZodMiniType<string, string>>>;

type EnvSchemaOf<K extends EnvName> = z.ZodMiniObject<{ [P in K]: (typeof envVariables)[P] }>;

/** The environment schema of a function reading `names` (plus the variables every function has). */
export function envSchema<K extends EnvName = never>(...names: K[]): EnvSchemaOf<K | Always> {
  const keys = [...new Set<EnvName>([...always, ...names])];
  return z.object(Object.fromEntries(keys.map((k) => [k, envVariables[k]]))) as unknown as EnvSchemaOf<
    K | Always
  >;
}

/** The variable names a schema reads. */
export const envNames = (schema: EnvSchema): EnvName[] => Object.keys(schema.shape) as EnvName[];

/** Exactly the variables of `schema`, taken from `bindings`. */
export function environmentFor(schema: EnvSchema, bindings: Partial<EnvBindings>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of envNames(schema)) {
    const value = bindings[name];
    if (value === undefined) throw new Error(`no value bound for ${name}`);
    env[name] = value;
  }
  return env;
}

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
