/**
 * How hard the deployment tries to deliver asynchronous work before it parks it in an alarmed dead-letter
 * queue: the one place for these numbers. The CDK constructs read them (`infra/constructs/`), and so can
 * the local runtime, so a consumer gives up after the attempts it would get on AWS. Pure constants: no
 * CDK import.
 */

/**
 * Event consumers: rule → SQS queue (with a DLQ) → Lambda reporting partial batch failures.
 * - `maxReceiveCount`: deliveries of one message before the queue's redrive policy moves it to the DLQ;
 * - `retentionSeconds`: how long the queue keeps a message;
 * - `targetRetryAttempts`, `maxAgeSeconds`: EventBridge's retries of the rule → queue delivery itself
 *   (then the rule target's own DLQ);
 * - `visibilityTimeoutFactor`: the visibility timeout, as a multiple of the consumer's timeout (Lambda's
 *   advice for SQS sources, so a throttled or retried invocation does not see its message again).
 */
export const queueDelivery = {
  maxReceiveCount: 5,
  retentionSeconds: 4 * 24 * 3600,
  targetRetryAttempts: 10,
  maxAgeSeconds: 6 * 3600,
  visibilityTimeoutFactor: 6,
} as const;

/** EventBridge Scheduler's retries of a firing (named schedules and SLA timers), then the job's DLQ. */
export const scheduleDelivery = {
  maximumRetryAttempts: 10,
  maximumEventAgeSeconds: 2 * 3600,
} as const;

/**
 * The outbox relay's stream event source mapping. A failing record is retried, in order, until it is
 * `maxRecordAgeSeconds` old (`retryAttempts: -1` is "no count limit"); only then its position goes to the
 * on-failure queue. The age stays below the stream's 24-hour retention, so the records named in the
 * on-failure message can still be read back for the redrive (README, "On AWS"); the iterator-age alarm
 * pages long before that (`iteratorAgeAlarmSeconds`).
 */
export const streamDelivery = {
  retryAttempts: -1,
  maxRecordAgeSeconds: 20 * 3600,
  streamRetentionSeconds: 24 * 3600,
  iteratorAgeAlarmSeconds: 15 * 60,
} as const;

/** Asynchronous invocations (Scheduler targets, S3 notifications): Lambda's own retries, then the DLQ. */
export const asyncInvokeDelivery = {
  retryAttempts: 2,
  maxEventAgeSeconds: 6 * 3600,
} as const;
