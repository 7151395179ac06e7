import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { outboxStreamFilter } from '../../events/outbox.ts';
import { streamDelivery } from '../delivery.ts';
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
 * the local relay applies). A failing record is retried from where it failed, in order, until it is nearly
 * as old as the stream keeps records (`streamDelivery` in `infra/delivery.ts`); only then its position is
 * parked in an alarmed queue, while the stream still holds it for the redrive. A failing publish does not
 * make the function fail (it reports the record through `batchItemFailures`), so the errors alarm stays
 * quiet: the iterator-age alarm is what pages when the relay falls behind.
 */
export class OutboxRelay extends Construct {
  readonly deadLetters: DeadLetterQueue;
  readonly iteratorAgeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    const { relay } = props;
    if (!props.table.tableStreamArn) throw new Error(`${this.node.path}: the table has no stream to relay`);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `outbox relay ${relay.functionId} gave up on stream records: redrive them within ${
        (streamDelivery.streamRetentionSeconds - streamDelivery.maxRecordAgeSeconds) / 3600
      } h (README, On AWS)`,
    });
    relay.function.addEventSource(
      new sources.DynamoEventSource(props.table, {
        // From the oldest record kept: events written before the mapping existed are relayed too.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        reportBatchItemFailures: true,
        retryAttempts: streamDelivery.retryAttempts,
        maxRecordAge: Duration.seconds(streamDelivery.maxRecordAgeSeconds),
        onFailure: new sources.SqsDlq(this.deadLetters.queue),
        filters: [lambda.FilterCriteria.filter(outboxStreamFilter as unknown as Record<string, unknown>)],
      }),
    );
    this.iteratorAgeAlarm = relay.function
      .metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' })
      .createAlarm(this, 'IteratorAgeAlarm', {
        alarmDescription: `Outbox relay ${relay.functionId} is behind the table stream: domain events are waiting (the stream keeps them ${
          streamDelivery.streamRetentionSeconds / 3600
        } h)`,
        threshold: streamDelivery.iteratorAgeAlarmSeconds * 1000,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }
}
