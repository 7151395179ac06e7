import { Duration } from 'aws-cdk-lib';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { Construct } from 'constructs';
import { asyncInvokeDelivery } from '../delivery.ts';
import type { AftercareFunction } from './aftercare-function.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/** Properties of {@link FailedInvocations}. */
export interface FailedInvocationsProps {
  /** The function invoked asynchronously (by Scheduler, S3, …). */
  readonly target: AftercareFunction;
  /** Who invokes it, for the alarm description (e.g. "S3 notifications"). */
  readonly invoker: string;
}

/**
 * The on-failure destination of an asynchronously invoked function: once Lambda has accepted an event,
 * the invoker's own retries and DLQ no longer apply, so an event the function still fails after Lambda's
 * retries is parked in an alarmed DLQ instead of being dropped.
 */
export class FailedInvocations extends Construct {
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: FailedInvocationsProps) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `${props.target.functionId} failed events from ${props.invoker} after Lambda's retries`,
    });
    props.target.function.configureAsyncInvoke({
      retryAttempts: asyncInvokeDelivery.retryAttempts,
      maxEventAge: Duration.seconds(asyncInvokeDelivery.maxEventAgeSeconds),
      onFailure: new destinations.SqsDestination(this.deadLetters.queue),
    });
  }
}
