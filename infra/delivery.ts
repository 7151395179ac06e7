/**
 * How hard the platform tries to deliver asynchronous work before it parks it in an alarmed dead-letter
 * queue: the one place for these numbers. The CDK constructs configure the deployed resources with them
 * (`infra/constructs/`) and the local runtime (`infra/local/queues.ts`, the relay, the scheduler) retries
 * with the same ones, so a consumer that fails locally gives up after exactly the attempts it would get on
 * AWS. Pure constants: no CDK import, safe in Lambda bundles.
 */

/** Exponential backoff between attempts: `initialSeconds`, doubling, capped at `maxSeconds`. */
export interface Backoff {
  initialSeconds: number;
  maxSeconds: number;
}

/** The wait before attempt `receiveCount + 1`, after `receiveCount` failed attempts (≥ 1). */
export function backoffSeconds(backoff: Backoff, receiveCount: number): number {
  return Math.min(backoff.maxSeconds, backoff.initialSeconds * 2 ** Math.max(0, receiveCount - 1));
}

/**
 * Event consumers: rule → SQS queue (with a DLQ) → Lambda reporting partial batch failures.
 * - `maxReceiveCount`: deliveries of one message before the queue's redrive policy moves it to the DLQ;
 * - `maxAgeSeconds`: how long an event may wait for a successful delivery — the rule target's
 *   `maxEventAge`, and locally the message's age limit;
 * - `retentionSeconds`: how long the queue keeps a message;
 * - `backoff`: the wait before a failed message is received again. On AWS the queue's visibility timeout
 *   is that wait (fixed: `visibilityTimeoutFactor` × the consumer's timeout, as Lambda advises for SQS
 *   sources); locally it doubles from `initialSeconds`, so a blip is retried quickly and a lasting failure
 *   is not hammered;
 * - `targetRetryAttempts`: EventBridge's retries of the rule → queue delivery itself (then the rule
 *   target's own DLQ).
 */
export const queueDelivery = {
  maxReceiveCount: 5,
  maxAgeSeconds: 6 * 3600,
  retentionSeconds: 4 * 24 * 3600,
  backoff: { initialSeconds: 2, maxSeconds: 120 } satisfies Backoff,
  targetRetryAttempts: 185,
  visibilityTimeoutFactor: 6,
} as const;

/**
 * EventBridge Scheduler's retries of a firing (named schedules and SLA timers), then the job's DLQ. An
 * SLA escalation that could not be delivered stays worth delivering for a day.
 */
export const scheduleDelivery = {
  maximumRetryAttempts: 10,
  maximumEventAgeSeconds: 24 * 3600,
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
