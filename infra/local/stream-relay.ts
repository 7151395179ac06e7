/**
 * Local stand-in for Lambda's DynamoDB stream event source mapping: reads the table's stream on
 * DynamoDB Local, applies the same filter as the deployed mapping (`events/outbox.ts`), and invokes the
 * same relay handler with a `DynamoDBStreamEvent`. Failed records are retried from where they failed,
 * as Lambda does, with the backoff of `infra/delivery.ts` and the mapping's retry attempts; a record that
 * still fails goes to the dead-letter store (whole, so `npm run dlq -- redrive` can relay it again) and
 * the shard moves on.
 *
 * The position in each shard is checkpointed only after the relay function succeeded — that is, after
 * the bus stored the events in its durable queues — so a crash re-relays at most what was in flight
 * (consumers are idempotent). With a data folder the checkpoints survive restarts; a checkpoint file that
 * cannot be read is reported and the relay starts from the oldest record the stream keeps.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxStreamFilter } from '../../events/outbox.ts';
import { backoffSeconds, queueDelivery, streamDelivery } from '../delivery.ts';
import { parseJsonObject, readDurableFile, writeFileAtomic } from './durable-file.ts';
import { localClientConfig } from './dynamo.ts';
import { matchesPattern } from './pattern.ts';
import type { DeliveryQueues } from './queues.ts';

/** Poll fast while events flow, back off while the stream is quiet (`drain()` polls on demand anyway). */
const POLL_MS = 50;
const IDLE_POLL_MS = 500;
/** Failed stream reads `drain` retries before it gives up (the engine may be restarting). */
const DRAIN_READ_ATTEMPTS = 100;
/**
 * Like the deployed mapping: a failing record is retried until it is too old (or, with a count limit,
 * until its attempts are spent), then it is parked.
 */
function exhausted(tries: number, record: StreamRecord | undefined): boolean {
  if (streamDelivery.retryAttempts >= 0 && tries > streamDelivery.retryAttempts) return true;
  const created = record?.dynamodb?.ApproximateCreationDateTime;
  return (
    created !== undefined && (Date.now() - created.getTime()) / 1000 >= streamDelivery.maxRecordAgeSeconds
  );
}

/**
 * DynamoDB Local writes an empty map into stream images as `{}` where DynamoDB Streams (and so Lambda)
 * sends `{"M":{}}`; put the tag back so the relay sees what it sees on AWS.
 */
function restoreEmptyMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(restoreEmptyMaps);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return Object.fromEntries(
      entries.map(([k, v]) => [
        k,
        v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0
          ? { M: {} }
          : restoreEmptyMaps(v),
      ]),
    );
  }
  return value;
}

export class StreamRelay {
  private readonly ddb: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  private streamArn?: string;
  private readonly iterators = new Map<string, string | undefined>();
  private checkpoints: Record<string, string> = {};
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = false;
  private readonly attempts = new Map<string, number>();
  /** Shards waiting out the backoff after a failed record: shard id → epoch ms. */
  private readonly retryAt = new Map<string, number>();
  private outage = false;

  constructor(
    endpoint: string,
    private readonly tableName: string,
    /** Invokes the relay function with a stream batch. */
    private readonly invoke: (event: DynamoDBStreamEvent) => Promise<unknown>,
    private readonly opts: {
      checkpointFile?: string;
      /** Where records that keep failing are parked. */
      deadLetters?: Pick<DeliveryQueues, 'deadLetter'>;
      /** Multiplies the backoff waits (tests). */
      timeScale?: number;
    } = {},
  ) {
    this.ddb = new DynamoDBClient(localClientConfig(endpoint));
    this.streams = new DynamoDBStreamsClient(localClientConfig(endpoint));
    const file = opts.checkpointFile;
    if (file) {
      const saved = readDurableFile(
        file,
        parseJsonObject,
        'stream checkpoint file',
        'Relaying from the oldest record the stream keeps; consumers are idempotent, so repeats change nothing.',
      );
      for (const [shard, seq] of Object.entries(saved ?? {}))
        if (typeof seq === 'string') this.checkpoints[shard] = seq;
    }
  }

  start(): void {
    let wait = POLL_MS;
    const tick = async () => {
      if (this.stopped) return;
      try {
        wait = (await this.poll()) > 0 ? POLL_MS : Math.min(IDLE_POLL_MS, wait * 2);
        if (this.outage) console.log('[stream relay] reading the stream again');
        this.outage = false;
      } catch (err) {
        if (!this.outage)
          console.error(`[stream relay] cannot read the stream (${(err as Error).name}); retrying`);
        this.outage = true;
        // The engine may have restarted: iterators are gone; resume from the checkpoints.
        this.iterators.clear();
        this.streamArn = undefined;
        wait = IDLE_POLL_MS;
      }
      if (!this.stopped) this.timer = setTimeout(tick, wait);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Delivers everything written so far; resolves when a full pass finds nothing new. */
  async drain(): Promise<void> {
    // Keep going until the stream is quiet and no failed record is waiting for its retry. A read that
    // fails (an expired or trimmed iterator, an engine restart) is not "quiet": read again from the
    // checkpoints, as the background loop does, until a pass succeeds.
    for (let failures = 0; ; ) {
      let delivered: number;
      try {
        delivered = await this.poll();
      } catch (err) {
        if (++failures > DRAIN_READ_ATTEMPTS) throw err;
        this.iterators.clear();
        this.streamArn = undefined;
        await new Promise((r) => setTimeout(r, POLL_MS));
        continue;
      }
      if (delivered === 0 && this.retryAt.size === 0) return;
      const next = Math.min(...this.retryAt.values());
      if (next > Date.now())
        await new Promise((r) => setTimeout(r, Math.min(next - Date.now(), IDLE_POLL_MS)));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => 0);
    this.ddb.destroy();
    this.streams.destroy();
  }

  /** One pass over every shard; serialised so the timer and `drain` never deliver the same record twice. */
  private poll(): Promise<number> {
    const previous = this.running ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(() => this.pass());
    this.running = next;
    return next;
  }

  private async pass(): Promise<number> {
    this.streamArn ??= (
      await this.ddb.send(new DescribeTableCommand({ TableName: this.tableName }))
    ).Table?.LatestStreamArn;
    if (!this.streamArn) return 0;
    const shards =
      (await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn }))).StreamDescription
        ?.Shards ?? [];
    let delivered = 0;
    for (const shard of shards) {
      const shardId = shard.ShardId ?? '';
      if ((this.retryAt.get(shardId) ?? 0) > Date.now()) continue;
      if (!this.iterators.has(shardId)) {
        const after = this.checkpoints[shardId];
        const out = await this.streams.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: shardId,
            ...(after
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
              : { ShardIteratorType: 'TRIM_HORIZON' }),
          }),
        );
        this.iterators.set(shardId, out.ShardIterator);
      }
      const iterator = this.iterators.get(shardId);
      if (!iterator) continue;
      const out = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const records = out.Records ?? [];
      const failedAt = await this.deliver(records);
      if (failedAt !== undefined) {
        const tries = (this.attempts.get(failedAt) ?? 0) + 1;
        this.attempts.set(failedAt, tries);
        this.iterators.delete(shardId);
        const record = records.find((r) => r.dynamodb?.SequenceNumber === failedAt);
        if (exhausted(tries, record) && record && this.opts.deadLetters) {
          await this.opts.deadLetters.deadLetter(
            {
              source: `stream/${this.tableName}`,
              target: 'event-relay',
              shape: 'direct',
              body: JSON.stringify(this.streamEvent([record])),
              maxReceiveCount: tries,
              maxAgeSeconds: streamDelivery.maxRecordAgeSeconds,
            },
            `failed ${tries} times until it aged out (the mapping's retry policy)`,
          );
          this.attempts.delete(failedAt);
          this.retryAt.delete(shardId);
          this.checkpoint(shardId, failedAt);
          continue;
        }
        const delay = backoffSeconds(queueDelivery.backoff, tries) * 1000 * (this.opts.timeScale ?? 1);
        this.retryAt.set(shardId, Date.now() + delay);
        // Re-read from the failed record next time, as the event source mapping retries a batch.
        const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
        this.checkpoint(
          shardId,
          index > 0 ? records[index - 1]?.dynamodb?.SequenceNumber : this.checkpoints[shardId],
        );
        continue;
      }
      this.retryAt.delete(shardId);
      this.iterators.set(shardId, out.NextShardIterator);
      const last = records.at(-1)?.dynamodb?.SequenceNumber;
      if (last) this.checkpoint(shardId, last);
      delivered += records.length;
    }
    return delivered;
  }

  /** Returns the sequence number of the first failed record, if any. */
  private async deliver(records: StreamRecord[]): Promise<string | undefined> {
    const matching = records.filter((r) =>
      matchesPattern(outboxStreamFilter, r as unknown as Record<string, unknown>),
    );
    if (matching.length === 0) return undefined;
    let result: DynamoDBBatchResponse | undefined;
    try {
      result = (await this.invoke(this.streamEvent(matching))) as DynamoDBBatchResponse | undefined;
    } catch {
      // The invocation itself failed (a timeout): the whole batch is retried, as Lambda does.
      return matching[0]?.dynamodb?.SequenceNumber;
    }
    return result?.batchItemFailures?.[0]?.itemIdentifier;
  }

  private streamEvent(records: StreamRecord[]): DynamoDBStreamEvent {
    return {
      Records: records.map((r) => ({
        ...r,
        eventSourceARN: this.streamArn,
        dynamodb: { ...r.dynamodb, NewImage: restoreEmptyMaps(r.dynamodb?.NewImage) },
      })),
    } as unknown as DynamoDBStreamEvent;
  }

  private checkpoint(shardId: string, sequenceNumber: string | undefined): void {
    if (sequenceNumber) this.checkpoints[shardId] = sequenceNumber;
    else delete this.checkpoints[shardId];
    if (this.opts.checkpointFile) writeFileAtomic(this.opts.checkpointFile, JSON.stringify(this.checkpoints));
  }
}
