import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { outboxStreamFilter } from '../../events/outbox.ts';
import { relayEnvSchema } from '../../shared/config/env.ts';
import type { FunctionId } from '../bundle.ts';
import { AftercareFunction } from './aftercare-function.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/** Properties of {@link OutboxRelay}. */
export interface OutboxRelayProps {
  /** Catalogue id of the relay (`streamFunctions` in `functions/catalog.ts`). */
  readonly functionId: FunctionId;
  /** The table whose stream carries the outbox (`events/outbox.ts`). */
  readonly table: dynamodb.ITableV2;
  readonly bus: events.IEventBus;
  /** `POWERTOOLS_SERVICE_NAME` of the relay. */
  readonly serviceName: string;
}

/**
 * Table stream → relay function → event bus: only new items carrying an outbox reach the function (the
 * same filter the local relay applies); a failing record is retried from where it failed, in order, and
 * after the retries the batch's position is parked in an alarmed DLQ instead of being skipped silently.
 */
export class OutboxRelay extends Construct {
  readonly relay: AftercareFunction;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    if (!props.table.tableStreamArn) throw new Error(`${this.node.path}: the table has no stream to relay`);
    this.relay = new AftercareFunction(this, 'Relay', {
      functionId: props.functionId,
      envSchema: relayEnvSchema,
      environment: { EVENT_BUS_NAME: props.bus.eventBusName, POWERTOOLS_SERVICE_NAME: props.serviceName },
      timeout: Duration.seconds(30),
    });
    props.bus.grantPutEventsTo(this.relay.function);

    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `outbox relay ${props.functionId} gave up on stream records (they stay on the stream for 24 h)`,
    });
    this.relay.function.addEventSource(
      new sources.DynamoEventSource(props.table, {
        // From the oldest record kept: events written before the mapping existed are relayed too.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        onFailure: new sources.SqsDlq(this.deadLetters.queue),
        filters: [lambda.FilterCriteria.filter(outboxStreamFilter as unknown as Record<string, unknown>)],
      }),
    );
  }
}
