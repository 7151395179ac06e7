/**
 * The middleware bundle of background jobs (a schedule, an S3 notification): structured logs with the
 * function's keys, the outcome logged, and failures logged then rethrown, so the invoker retries and
 * finally parks the event in its dead-letter queue. Nothing is swallowed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export const jobLogger = new Logger();

/** Wraps a job's logic; `name` tags every log line of the invocation. */
export function jobHandler<E, R>(name: string, fn: (event: E) => Promise<R>) {
  return middy<E, R, Error, Context>()
    .use({
      onError: (request) => {
        jobLogger.error('job failed', { job: name, error: request.error as Error });
      },
    })
    .handler(async (event) => {
      jobLogger.appendKeys({ job: name });
      const result = await fn(event);
      jobLogger.info('job done', { job: name, result: result as unknown as Record<string, unknown> });
      return result;
    });
}
