import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { EventPattern, EventRule } from '../../events/rules.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/** Properties of {@link RuleToFunction}. */
export interface RuleToFunctionProps {
  readonly eventBus: events.IEventBus;
  /** The rule as declared in `events/rules.ts`; its pattern is used unchanged. */
  readonly rule: EventRule;
  /** The consumer function the rule delivers to. */
  readonly target: lambda.IFunction;
  /** How long EventBridge keeps retrying a delivery. @default 6 hours */
  readonly maxEventAge?: Duration;
  /** @default 10 */
  readonly retryAttempts?: number;
}

/** The declarative pattern of `events/rules.ts` in the shape the CDK expects (`detail-type` → `detailType`). */
export function toCdkPattern(pattern: EventPattern): events.EventPattern {
  return {
    ...(pattern.source ? { source: pattern.source } : {}),
    ...(pattern['detail-type'] ? { detailType: pattern['detail-type'] } : {}),
    ...(pattern.detail ? { detail: pattern.detail } : {}),
  };
}

/**
 * Rule → Lambda with a dead-letter queue: events the rule cannot deliver (throttling, missing permission)
 * are retried, then parked in an alarmed DLQ instead of being dropped.
 */
export class RuleToFunction extends Construct {
  readonly rule: events.Rule;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: RuleToFunctionProps) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `events rule ${props.rule.name} could not deliver to its target`,
    });
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      description: props.rule.description,
      eventPattern: toCdkPattern(props.rule.pattern),
    });
    this.rule.addTarget(
      new targets.LambdaFunction(props.target, {
        deadLetterQueue: this.deadLetters.queue,
        retryAttempts: props.retryAttempts ?? 10,
        maxEventAge: props.maxEventAge ?? Duration.hours(6),
      }),
    );
  }
}
