/**
 * Relays the outbox: for each new item on the table stream that carries domain events, publishes them
 * to the bus. Records are handled in order; on the first failure the rest of the batch is reported back
 * so Lambda retries from there (and finally parks it in the DLQ) — no event is skipped.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { OUTBOX_ATTRIBUTE } from '../../events/outbox.ts';
import { EventBridgePublisher, eventBridgeClient } from '../../events/publisher.ts';
import type { DomainEvent } from '../../events/registry.ts';
import { loadEnv, relayEnvSchema } from '../../shared/config/env.ts';
import { logger } from '../../shared/http/bundle.ts';

let publisher: EventBridgePublisher | undefined;

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  publisher ??= new EventBridgePublisher(eventBridgeClient(), loadEnv(relayEnvSchema).EVENT_BUS_NAME);
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image || !(OUTBOX_ATTRIBUTE in image)) continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    try {
      await publisher.publish(item[OUTBOX_ATTRIBUTE] as DomainEvent[]);
    } catch (err) {
      logger.error('outbox relay failed; retrying from this record', {
        error: err as Error,
        sequenceNumber: record.dynamodb?.SequenceNumber,
      });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}
