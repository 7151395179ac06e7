/**
 * Publishes domain events to the bus with PutEvents. `AWS_ENDPOINT_URL_EVENTBRIDGE` points the same
 * client at the local bus when running on one machine.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import * as z from 'zod/mini';
import { SDK_RETRY } from '../shared/store/client.ts';
import { type DomainEvent, EVENT_SOURCE, eventSchemas } from './registry.ts';

export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<void>;
}

/** PutEvents accepts at most 10 entries per call. */
const BATCH = 10;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: DomainEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += BATCH) {
      const entries = events.slice(i, i + BATCH).map((e) => ({
        EventBusName: this.busName,
        Source: EVENT_SOURCE,
        DetailType: e.detailType,
        // A malformed event is a bug: fail loudly rather than publish what no consumer can read.
        Detail: JSON.stringify(z.parse(eventSchemas[e.detailType], e.detail)),
      }));
      const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
      if (out.FailedEntryCount) {
        const failed = (out.Entries ?? [])
          .filter((x) => x.ErrorCode)
          .map((x) => `${x.ErrorCode}: ${x.ErrorMessage}`);
        throw new Error(`PutEvents rejected ${out.FailedEntryCount} event(s): ${failed.join('; ')}`);
      }
    }
  }
}

let client: EventBridgeClient | undefined;
export function eventBridgeClient(): EventBridgeClient {
  client ??= new EventBridgeClient({ ...SDK_RETRY });
  return client;
}
