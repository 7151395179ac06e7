import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventPattern } from '../../events/rules.ts';
import type { EventRuleSpec } from '../../functions/spec.ts';
import { queueDelivery } from '../delivery.ts';
import type { AftercareFunction } from './aftercare-function.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/** Properties of {@link EventSubscription}. */
export interface EventSubscriptionProps {
  readonly eventBus: events.IEventBus;
  /** The consumer's rules as its domain declares them; each pattern is deployed unchanged. */
  readonly rules: readonly EventRuleSpec[];
  /** The consumer; its handler reports partial batch failures (`shared/runtime/consumer-bundle.ts`). */
  readonly consumer: AftercareFunction;
  /** @default 10 */
  readonly batchSize?: number;
}

/** The declarative pattern of a rule spec in the shape the CDK expects (`detail-type` → `detailType`). */
export function toCdkPattern(pattern: EventPattern): events.EventPattern {
  return {
    ...(pattern.source ? { source: [...pattern.source] } : {}),
    ...(pattern['detail-type'] ? { detailType: [...pattern['detail-type']] } : {}),
    ...(pattern.detail ? { detail: { ...pattern.detail } } : {}),
  };
}

/**
 * Rules → one SQS queue → the consumer. Every rule of the consumer delivers into its queue (a rule that
 * cannot deliver retries, then parks the event in its own DLQ); the function reads the queue in batches
 * and reports the records it failed, so only those are redelivered, and a record still failing after
 * `queueDelivery.maxReceiveCount` deliveries (`infra/delivery.ts`) moves to the queue's DLQ. Both kinds of DLQ are alarmed.
 */
export class EventSubscription extends Construct {
  readonly queue: sqs.Queue;
  /** Events the consumer kept failing. */
  readonly deadLetters: DeadLetterQueue;
  /** Per rule name: the rule and the DLQ of the deliveries it could not make. */
  readonly rules: Record<string, { rule: events.Rule; undeliverable: DeadLetterQueue }>;

  constructor(scope: Construct, id: string, props: EventSubscriptionProps) {
    super(scope, id);
    const { consumer } = props;
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `${consumer.functionId} kept failing events from its queue`,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(
        consumer.timeout.toSeconds() * queueDelivery.visibilityTimeoutFactor,
      ),
      retentionPeriod: Duration.seconds(queueDelivery.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: queueDelivery.maxReceiveCount },
    });

    this.rules = {};
    for (const spec of props.rules) {
      const undeliverable = new DeadLetterQueue(this, `Undeliverable-${spec.name}`, {
        purpose: `events rule ${spec.name} could not deliver to the queue of ${consumer.functionId}`,
      });
      const rule = new events.Rule(this, `Rule-${spec.name}`, {
        eventBus: props.eventBus,
        description: spec.description,
        eventPattern: toCdkPattern(spec.pattern),
      });
      rule.addTarget(
        new targets.SqsQueue(this.queue, {
          deadLetterQueue: undeliverable.queue,
          retryAttempts: queueDelivery.targetRetryAttempts,
          maxEventAge: Duration.seconds(queueDelivery.maxAgeSeconds),
        }),
      );
      this.rules[spec.name] = { rule, undeliverable };
    }

    consumer.function.addEventSource(
      new sources.SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 10,
        reportBatchItemFailures: true,
      }),
    );
  }
}
