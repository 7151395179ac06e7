import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { outboxStreamFilter } from '../../events/outbox.ts';
import type { AftercareFunction } from './aftercare-function.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/** Properties of {@link OutboxRelay}. */
export interface OutboxRelayProps {
  /** The relay function (a `stream` trigger in the catalogue); what it may publish follows its access. */
  readonly relay: AftercareFunction;
  /** The table whose stream carries the outbox (`events/outbox.ts`). */
  readonly table: dynamodb.ITableV2;
}

/**
 * Table stream → relay function: only new items carrying an outbox reach the function (the same filter
 * the local relay applies); a failing record is retried from where it failed, in order, and after the
 * retries the batch's position is parked in an alarmed DLQ instead of being skipped silently.
 */
export class OutboxRelay extends Construct {
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    if (!props.table.tableStreamArn) throw new Error(`${this.node.path}: the table has no stream to relay`);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `outbox relay ${props.relay.functionId} gave up on stream records (they stay on the stream for 24 h)`,
    });
    props.relay.function.addEventSource(
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
