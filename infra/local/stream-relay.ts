/**
 * Local stand-in for Lambda's DynamoDB stream event source mapping: reads the table's stream on
 * DynamoDB Local, applies the same filter as the deployed mapping (`events/outbox.ts`), and invokes the
 * same relay handler with a `DynamoDBStreamEvent`. Failed records are retried from where they failed,
 * as Lambda does. With a data folder, the position in each shard survives restarts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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
import { localClientConfig } from './dynamo.ts';
import { matchesPattern } from './pattern.ts';

/** Poll fast while events flow, back off while the stream is quiet (`drain()` polls on demand anyway). */
const POLL_MS = 50;
const IDLE_POLL_MS = 500;
/** Like the deployed mapping's retry attempts: then the record is parked and the shard moves on. */
const MAX_ATTEMPTS = 3;

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

  constructor(
    endpoint: string,
    private readonly tableName: string,
    /** Invokes the relay function with a stream batch. */
    private readonly invoke: (event: DynamoDBStreamEvent) => Promise<unknown>,
    private readonly checkpointFile?: string,
  ) {
    this.ddb = new DynamoDBClient(localClientConfig(endpoint));
    this.streams = new DynamoDBStreamsClient(localClientConfig(endpoint));
    if (checkpointFile && existsSync(checkpointFile))
      this.checkpoints = JSON.parse(readFileSync(checkpointFile, 'utf8'));
  }

  start(): void {
    let wait = POLL_MS;
    const tick = async () => {
      if (this.stopped) return;
      try {
        wait = (await this.poll()) > 0 ? POLL_MS : Math.min(IDLE_POLL_MS, wait * 2);
      } catch (err) {
        console.error('[stream relay] poll failed', err);
      }
      if (!this.stopped) this.timer = setTimeout(tick, wait);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Delivers everything written so far; resolves when a full pass finds nothing new. */
  async drain(): Promise<void> {
    while ((await this.poll()) > 0) {
      // keep going until the stream is quiet
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
        if (tries >= MAX_ATTEMPTS) {
          console.error(`[stream relay] record ${failedAt} failed ${tries} times; parked, moving on`);
          this.checkpoint(shardId, failedAt);
          continue;
        }
        // Re-read from the failed record next time, as the event source mapping retries a batch.
        const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
        this.checkpoint(
          shardId,
          index > 0 ? records[index - 1]?.dynamodb?.SequenceNumber : this.checkpoints[shardId],
        );
        continue;
      }
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
    const event = {
      Records: matching.map((r) => ({
        ...r,
        eventSourceARN: this.streamArn,
        dynamodb: { ...r.dynamodb, NewImage: restoreEmptyMaps(r.dynamodb?.NewImage) },
      })),
    } as unknown as DynamoDBStreamEvent;
    const result = (await this.invoke(event)) as DynamoDBBatchResponse | undefined;
    return result?.batchItemFailures?.[0]?.itemIdentifier;
  }

  private checkpoint(shardId: string, sequenceNumber: string | undefined): void {
    if (sequenceNumber) this.checkpoints[shardId] = sequenceNumber;
    else delete this.checkpoints[shardId];
    if (this.checkpointFile) {
      mkdirSync(dirname(this.checkpointFile), { recursive: true });
      writeFileSync(this.checkpointFile, JSON.stringify(this.checkpoints));
    }
  }
}
