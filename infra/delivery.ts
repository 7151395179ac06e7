/**
 * How hard the platform tries to deliver asynchronous work before it parks it in a dead-letter queue: the
 * one place for these numbers. The CDK constructs configure the deployed resources with them and the local
 * runtime (`infra/local/queues.ts`) retries with the same ones, so a consumer that fails locally gives up
 * after exactly the attempts it would get on AWS. Pure constants: no CDK import, safe in Lambda bundles.
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
 * - `maxReceiveCount`: the queue's redrive policy (`deadLetterQueue.maxReceiveCount`);
 * - `maxAgeSeconds`: how long a message may wait for a successful delivery — the rule target's
 *   `maxEventAge` and the queue's retention period;
 * - `backoff`: the wait before a failed message is received again. On AWS the queue's visibility timeout
 *   is that wait (fixed; at least 6× the function timeout, as Lambda recommends); locally it doubles from
 *   `initialSeconds`, so a blip is retried quickly and a lasting failure is not hammered.
 * - `targetRetryAttempts`: EventBridge's retries of the rule → queue delivery itself.
 */
export const queueDelivery = {
  maxReceiveCount: 5,
  maxAgeSeconds: 6 * 3600,
  backoff: { initialSeconds: 2, maxSeconds: 120 } satisfies Backoff,
  targetRetryAttempts: 185,
  /** Visibility timeout = this × the consumer's timeout. */
  visibilityTimeoutFactor: 6,
} as const;

/** EventBridge Scheduler target retry policy of the SLA timers and named schedules (then the timer DLQ). */
export const scheduleDelivery = {
  maximumRetryAttempts: 10,
  maximumEventAgeSeconds: 24 * 3600,
} as const;

/** The outbox relay's stream event source mapping (then its on-failure destination). */
export const streamDelivery = {
  retryAttempts: 10,
  maxRecordAgeSeconds: 24 * 3600,
} as const;

/** Asynchronous invocations (S3 notifications of inbound mail): Lambda's own retries, then the DLQ. */
export const asyncInvokeDelivery = {
  retryAttempts: 2,
  maxEventAgeSeconds: 6 * 3600,
} as const;
