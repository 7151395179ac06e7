import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../events/registry.ts';
import { eventRules } from '../../events/rules.ts';
import { consumerFunctions, streamFunctions } from '../../functions/catalog.ts';
import { consumerEnvSchema } from '../../shared/config/env.ts';
import { AftercareFunction } from '../constructs/aftercare-function.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { OutboxRelay } from '../constructs/outbox-relay.ts';
import { RuleToFunction } from '../constructs/rule-to-function.ts';
import { grantTableReadWrite } from '../constructs/table-access.ts';

export type ConsumerFunctionId = keyof typeof consumerFunctions;

/** Properties of {@link EventsStack}. */
export interface EventsStackProps extends StackProps {
  /** Its stream feeds the outbox relay; granted to the consumers the catalogue marks `writesTable`. */
  readonly table: dynamodb.ITableV2;
  /** `POWERTOOLS_SERVICE_NAME` of the consumers. */
  readonly serviceName: string;
}

/**
 * The domain event bus (with an archive for replay), the outbox relay that puts the events the writes
 * committed onto it, one consumer function per `consumerFunctions` entry, and one rule per
 * `events/rules.ts` entry, each delivering to its consumer through a dead-letter queue.
 */
export class EventsStack extends Stack {
  readonly bus: events.EventBus;
  readonly consumers: Record<ConsumerFunctionId, AftercareFunction>;
  readonly subscriptions: RuleToFunction[];
  /** Invocations a consumer failed after Lambda's own retries, per consumer. */
  readonly failedInvocations: Record<ConsumerFunctionId, DeadLetterQueue>;
  /** One relay per `streamFunctions` entry: the table's outbox onto the bus. */
  readonly relays: OutboxRelay[];

  constructor(scope: Construct, id: string, props: EventsStackProps) {
    super(scope, id, props);
    this.bus = new events.EventBus(this, 'Bus', { description: 'Aftercare domain events' });
    this.bus.archive('Archive', {
      description: 'Every Aftercare domain event, for replay after a consumer fix',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(365),
    });

    // Every stream function is an outbox relay today (`events/outbox.ts`).
    this.relays = Object.keys(streamFunctions).map(
      (functionId) =>
        new OutboxRelay(this, `Outbox-${functionId}`, {
          functionId: functionId as keyof typeof streamFunctions,
          table: props.table,
          bus: this.bus,
          serviceName: props.serviceName,
        }),
    );

    const consumers = {} as Record<ConsumerFunctionId, AftercareFunction>;
    const failed = {} as Record<ConsumerFunctionId, DeadLetterQueue>;
    for (const functionId of Object.keys(consumerFunctions) as ConsumerFunctionId[]) {
      const fn = new AftercareFunction(this, `Consumer-${functionId}`, {
        functionId,
        envSchema: consumerEnvSchema,
        environment: { POWERTOOLS_SERVICE_NAME: props.serviceName },
        timeout: Duration.seconds(30),
      });
      // EventBridge invokes asynchronously: once Lambda accepted the event, the rule's DLQ no longer
      // applies. Errors the consumer throws are retried by Lambda, then parked here instead of dropped.
      const dlq = new DeadLetterQueue(this, `Failed-${functionId}`, {
        purpose: `consumer ${functionId} failed after retries`,
      });
      fn.function.configureAsyncInvoke({
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        onFailure: new destinations.SqsDestination(dlq.queue),
      });
      const spec = consumerFunctions[functionId];
      if (spec.writesTable) grantTableReadWrite(props.table, fn.function);
      if (spec.publishesEvents) this.bus.grantPutEventsTo(fn.function);
      consumers[functionId] = fn;
      failed[functionId] = dlq;
    }
    this.consumers = consumers;
    this.failedInvocations = failed;

    this.subscriptions = eventRules.map((rule) => {
      const consumer = consumers[rule.target as ConsumerFunctionId];
      if (!consumer)
        throw new Error(`events rule ${rule.name} targets ${rule.target}, which is not in consumerFunctions`);
      return new RuleToFunction(this, `Rule-${rule.name}`, {
        eventBus: this.bus,
        rule,
        target: consumer.function,
      });
    });
  }
}
