/**
 * Environment of each kind of function, one zod schema each. The CDK construct takes the same schema's
 * input type for its `environment`, so a missing variable fails the type check, not production.
 */
import * as z from 'zod/mini';

const nonEmpty = () => z.string().check(z.minLength(1));

export const apiEnvSchema = z.object({
  TABLE_NAME: nonEmpty(),
  /** Branch timezone used for case numbers and day indexes. */
  TIME_ZONE: nonEmpty(),
  POWERTOOLS_SERVICE_NAME: nonEmpty(),
});
export type ApiEnv = z.infer<typeof apiEnvSchema>;

export const consumerEnvSchema = z.object({
  POWERTOOLS_SERVICE_NAME: nonEmpty(),
});
export type ConsumerEnv = z.infer<typeof consumerEnvSchema>;

/** The outbox relay (table stream → bus). */
export const relayEnvSchema = z.object({
  EVENT_BUS_NAME: nonEmpty(),
  POWERTOOLS_SERVICE_NAME: nonEmpty(),
});

/** At least 16 bytes, like `shared/surveys/token.ts` demands of the HMAC key. */
const surveySecret = () => z.string().check(z.minLength(16));

/** The public survey page: the API's variables plus the key that signs and verifies survey links. */
export const surveyPageEnvSchema = z.object({
  ...apiEnvSchema.shape,
  SURVEY_TOKEN_SECRET: surveySecret(),
});
export type SurveyPageEnv = z.infer<typeof surveyPageEnvSchema>;

/** The survey jobs (morning run, inbound replies): they sign links and send or read mail. */
export const surveyJobEnvSchema = z.object({
  ...surveyPageEnvSchema.shape,
  /**
   * Base URL of the public survey page, e.g. `https://api.aftercare.example` (a deploy-time token in
   * CDK, so not checked as a URL here; the card renderer refuses anything but http(s) links).
   */
  PUBLIC_BASE_URL: nonEmpty(),
  /** Verified SES sender, e.g. `Aftercare <service@aftercare.example>`. */
  MAIL_FROM: nonEmpty(),
  /** Receiving domain of the reply address `survey+<token>@<domain>`. */
  SURVEY_REPLY_DOMAIN: nonEmpty(),
  SES_CONFIGURATION_SET: nonEmpty(),
});
export type SurveyJobEnv = z.infer<typeof surveyJobEnvSchema>;

/** The SLA workers: the table (their events leave through its outbox) and the SLA timers' schedule group. */
const slaWorkerEnv = {
  TABLE_NAME: nonEmpty(),
  POWERTOOLS_SERVICE_NAME: nonEmpty(),
  /** EventBridge Scheduler group holding every SLA timer. */
  SLA_SCHEDULE_GROUP: nonEmpty(),
};

/** The SLA clock (case-event consumer): creates timers, so it names their target, role and DLQ. */
export const slaClockEnvSchema = z.object({
  ...slaWorkerEnv,
  /** The timer function the schedules invoke. */
  SLA_TIMER_ARN: nonEmpty(),
  /** The role EventBridge Scheduler assumes to invoke it. */
  SLA_SCHEDULER_ROLE_ARN: nonEmpty(),
  /** Dead-letter queue of firings that failed after the retries. */
  SLA_TIMER_DLQ_ARN: nonEmpty(),
});
export type SlaClockEnv = z.infer<typeof slaClockEnvSchema>;

/** The SLA timer target: escalates (mail) and removes timers; never creates any. */
export const slaTimerEnvSchema = z.object({
  ...slaWorkerEnv,
  /** Verified SES sender of escalation e-mails. */
  MAIL_FROM: nonEmpty(),
});
export type SlaTimerEnv = z.infer<typeof slaTimerEnvSchema>;

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
