/**
 * Relays the outbox: for each new item on the table stream that carries domain events, publishes them
 * to the bus. Records are handled in order; the stream bundle reports the first failure back so Lambda
 * retries from there — no event is skipped.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { OUTBOX_ATTRIBUTE } from '../../events/outbox.ts';
import { EventBridgePublisher, eventBridgeClient } from '../../events/publisher.ts';
import type { DomainEvent } from '../../events/registry.ts';
import { streamHandler } from '../../shared/runtime/stream-bundle.ts';
import { platform } from './catalog.ts';

let publisher: EventBridgePublisher | undefined;

export const handler = streamHandler(platform, 'event-relay', async (record, env) => {
  const image = record.dynamodb?.NewImage;
  if (!image || !(OUTBOX_ATTRIBUTE in image)) return;
  const item = unmarshall(image as Record<string, AttributeValue>);
  publisher ??= new EventBridgePublisher(eventBridgeClient(), env.EVENT_BUS_NAME);
  await publisher.publish(item[OUTBOX_ATTRIBUTE] as DomainEvent[]);
});
