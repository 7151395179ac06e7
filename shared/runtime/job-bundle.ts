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

/** Wraps one invoked function's logic; `input` is the schema of what its invoker sends. */
export function jobHandler<
  M extends DomainModule,
  F extends keyof M['functions'] & string,
  S extends z.ZodMiniType,
  R,
>(module: M, fn: F, input: S, run: (input: z.infer<S>, env: EnvOf<M, F>) => Promise<R>) {
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
      log().info('invocation done', { result: result as unknown as Record<string, unknown> });
      endInvocation();
      return result;
    });
}
