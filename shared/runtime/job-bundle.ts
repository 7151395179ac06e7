/**
 * The middleware bundle of functions invoked directly with an input: scheduled jobs, Scheduler timer
 * targets, S3 notifications, Step Functions tasks. It validates the function's environment and its input,
 * logs the outcome, and lets every failure through (logged, then rethrown) so the invoker retries and
 * finally parks the input in its dead-letter queue or failure destination. Nothing is swallowed.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type { DomainModule } from '../../functions/spec.ts';
import { type EnvOf, functionEnv } from './function-env.ts';
import { beginInvocation, endInvocation, log } from './observability.ts';

/** How a job's outcome is logged. */
export interface JobOptions<R> {
  /**
   * What of the result goes into the log line; by default all of it. Give one when the result echoes
   * personal data the invoker sent (a Cognito trigger returns the whole event, user attributes included).
   */
  logged?: (result: R) => Record<string, unknown>;
}

/** Wraps one invoked function's logic; `input` is the schema of what its invoker sends. */
export function jobHandler<
  M extends DomainModule,
  F extends keyof M['functions'] & string,
  S extends z.ZodMiniType,
  R,
>(
  module: M,
  fn: F,
  input: S,
  run: (input: z.infer<S>, env: EnvOf<M, F>) => Promise<R>,
  options: JobOptions<R> = {},
) {
  const env = functionEnv(module, fn);
  return middy<unknown, R, Error, Context>()
    .use({
      onError: (request) => {
        log().error('invocation failed', { error: request.error as Error });
        endInvocation();
      },
    })
    .handler(async (event) => {
      beginInvocation({ function: fn });
      const result = await run(z.parse(input, event ?? {}), env());
      const logged = options.logged ? options.logged(result) : (result as unknown as Record<string, unknown>);
      log().info('invocation done', { result: logged });
      endInvocation();
      return result;
    });
}
