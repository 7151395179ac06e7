/**
 * The local event bus: accepts PutEvents from the unchanged SDK client, matches every event against the
 * rules the catalogue declares (the same objects the CDK stacks deploy) and, like the deployed rule → SQS
 * queue → Lambda path, puts one message per matching rule into that rule's durable queue
 * (`infra/local/queues.ts`) before it answers: an entry reported as accepted is stored, so the stream relay
 * may checkpoint past it. The queue worker delivers it to the consumer as an SQS batch of one record,
 * retries with backoff and finally parks it in the dead-letter store; nothing is dropped silently.
 */
import { randomUUID } from 'node:crypto';
import type { EventPattern } from '../../events/rules.ts';
import { queueDelivery } from '../delivery.ts';
import { matchesPattern } from './pattern.ts';
import type { DeliveryQueues, NewMessage } from './queues.ts';

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** A rule as the bus needs it: its name, pattern and target function. */
export interface BusRule {
  name: string;
  pattern: EventPattern;
  target: string;
}

/** What a rule's queue receives for an event: the event itself, under the deployed queue's redrive policy. */
export function ruleMessage(rule: Pick<BusRule, 'name' | 'target'>, event: BusEvent): NewMessage {
  return {
    source: `rule/${rule.name}`,
    target: rule.target,
    shape: 'sqs',
    body: JSON.stringify(event),
    maxReceiveCount: queueDelivery.maxReceiveCount,
    maxAgeSeconds: queueDelivery.maxAgeSeconds,
  };
}

/** The messages of every rule whose pattern matches the event (a redelivery sends them again). */
export function ruleMessages(rules: readonly BusRule[], event: BusEvent): NewMessage[] {
  return rules
    .filter((rule) => matchesPattern(rule.pattern, event as unknown as Record<string, unknown>))
    .map((rule) => ruleMessage(rule, event));
}

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: string | number;
  Resources?: string[];
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
}

export class LocalBus {
  /** Every event accepted, in order (the local archive; tests read it). */
  readonly history: BusEvent[] = [];
  private readonly drainers: Array<() => Promise<void>> = [];

  constructor(
    private readonly rules: readonly BusRule[],
    private readonly queues: Pick<DeliveryQueues, 'send' | 'idle'>,
    private readonly opts: { now?: () => Date } = {},
  ) {}

  /**
   * PutEvents semantics: validates entries and answers with their ids once every accepted entry is stored
   * in the queue of each rule it matches; when the queues cannot be written, the entries are reported as
   * failed (`InternalFailure`), so the sender retries.
   */
  async put(entries: PutEventsEntry[]): Promise<PutEventsResult> {
    const results: PutEventsResult['Entries'] = [];
    const accepted: BusEvent[] = [];
    for (const e of entries) {
      let detail: unknown;
      try {
        detail = JSON.parse(e.Detail ?? '');
      } catch {
        detail = undefined;
      }
      if (!e.Source || !e.DetailType || !detail || typeof detail !== 'object') {
        results.push({
          ErrorCode: 'MalformedDetail',
          ErrorMessage: 'Source, DetailType and a JSON object Detail are required',
        });
        continue;
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': e.DetailType,
        source: e.Source,
        account: '000000000000',
        time: (this.opts.now?.() ?? new Date()).toISOString(),
        region: 'local',
        resources: e.Resources ?? [],
        detail: detail as Record<string, unknown>,
      };
      accepted.push(event);
      results.push({ EventId: event.id });
    }
    const messages = accepted.flatMap((event) => ruleMessages(this.rules, event));
    try {
      await this.queues.send(messages);
    } catch (err) {
      const reason = `the local queues could not store the event: ${(err as Error).name}`;
      return {
        FailedEntryCount: entries.length,
        Entries: results.map((r) =>
          r.ErrorCode ? r : { ErrorCode: 'InternalFailure', ErrorMessage: reason },
        ),
      };
    }
    this.history.push(...accepted);
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /** Resolves when every event written so far (and those its deliveries caused) has been delivered or parked. */
  async idle(): Promise<void> {
    // Events may still be on their way in (the outbox relay), and deliveries may write new ones.
    for (;;) {
      for (const drain of this.drainers) await drain();
      const before = this.history.length;
      await this.queues.idle();
      for (const drain of this.drainers) await drain();
      if (this.history.length === before) return;
    }
  }

  /** Registers a source of events that `idle()` must wait for (e.g. the outbox stream relay). */
  addDrainer(drain: () => Promise<void>): void {
    this.drainers.push(drain);
  }
}
