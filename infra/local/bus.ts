/**
 * The local event bus: accepts PutEvents from the unchanged SDK client, matches every event against the
 * rules the catalogue declares (the same objects the CDK stacks deploy) and delivers each match to its
 * consumer the way the deployed rule → SQS queue → Lambda path does: an SQS batch of one record whose body
 * is the EventBridge event. A record the consumer reports as failed is retried and then parked in a
 * dead-letter file; nothing is dropped silently.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventPattern } from '../../events/rules.ts';
import { matchesPattern } from './pattern.ts';

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

/** Invokes a consumer function with an event (the local runtime's `LocalFunctions.invoke`). */
export type Invoke = (functionId: string, event: unknown) => Promise<unknown>;

/** The SQS event a queue subscribed to a rule hands its consumer: one record carrying the bus event. */
export function sqsEventOf(event: BusEvent, rule: string) {
  return {
    Records: [
      {
        messageId: event.id,
        receiptHandle: event.id,
        body: JSON.stringify(event),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.parse(event.time)),
          SenderId: 'events.amazonaws.com',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:local:000000000000:${rule}`,
        awsRegion: 'local',
      },
    ],
  };
}

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: string | number;
  Resources?: string[];
}

export class LocalBus {
  /** Every event accepted, in order (the local archive; tests read it). */
  readonly history: BusEvent[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly drainers: Array<() => Promise<void>> = [];

  constructor(
    private readonly rules: readonly BusRule[],
    private readonly invoke: Invoke,
    private readonly opts: { deadLetterFile?: string; retries?: number; now?: () => Date } = {},
  ) {}

  /** PutEvents semantics: validates entries, returns ids, delivers asynchronously. */
  put(entries: PutEventsEntry[]): {
    FailedEntryCount: number;
    Entries: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
  } {
    let failed = 0;
    const results = entries.map((e) => {
      let detail: unknown;
      try {
        detail = JSON.parse(e.Detail ?? '');
      } catch {
        detail = undefined;
      }
      if (!e.Source || !e.DetailType || !detail || typeof detail !== 'object') {
        failed++;
        return {
          ErrorCode: 'MalformedDetail',
          ErrorMessage: 'Source, DetailType and a JSON object Detail are required',
        };
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
      this.history.push(event);
      this.dispatch(event);
      return { EventId: event.id };
    });
    return { FailedEntryCount: failed, Entries: results };
  }

  /** Resolves when every delivery started so far (and those they caused) has finished. */
  async idle(): Promise<void> {
    for (;;) {
      // Events may still be on their way in (the outbox relay), and deliveries may write new ones.
      for (const drain of this.drainers) await drain();
      if (this.inFlight.size === 0) return;
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    }
  }

  /** Registers a source of events that `idle()` must wait for (e.g. the outbox stream relay). */
  addDrainer(drain: () => Promise<void>): void {
    this.drainers.push(drain);
  }

  private dispatch(event: BusEvent): void {
    for (const rule of this.rules) {
      if (!matchesPattern(rule.pattern, event as unknown as Record<string, unknown>)) continue;
      const delivery = this.deliver(rule, event).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  private async deliver(rule: BusRule, event: BusEvent): Promise<void> {
    const attempts = (this.opts.retries ?? 2) + 1;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        const result = (await this.invoke(rule.target, sqsEventOf(event, rule.name))) as
          | { batchItemFailures?: unknown[] }
          | undefined;
        if (result?.batchItemFailures?.length)
          throw new Error(`${rule.target} reported the record as failed`);
        return;
      } catch (err) {
        lastError = err;
      }
    }
    const line = {
      rule: rule.name,
      event,
      error: String((lastError as Error)?.stack ?? lastError),
      at: new Date().toISOString(),
    };
    if (this.opts.deadLetterFile) {
      mkdirSync(dirname(this.opts.deadLetterFile), { recursive: true });
      appendFileSync(this.opts.deadLetterFile, `${JSON.stringify(line)}\n`);
    }
    console.error(
      `[bus] ${rule.name} failed ${attempts} times; event parked in the dead-letter file`,
      line.error,
    );
  }
}
