/**
 * Durable delivery on one machine: the stand-in for the SQS queues (with their dead-letter queues) that
 * sit between every asynchronous trigger and its function on AWS. Messages live as items of a runtime
 * table on the same DynamoDB Local engine as the data (`<table>-local-runtime`, created alongside), so a
 * message exists from the moment its sender was told "accepted" until its consumer succeeded — across
 * crashes and restarts of `npm start` and of the engine.
 *
 * A worker receives visible messages (bounded concurrency, oldest first), counts the receive, invokes the
 * target function and deletes the message when it succeeded (no throw, no `batchItemFailures`). A failed
 * message becomes visible again after an exponential backoff; after its maximum receive count, or once it
 * is older than its maximum age, it moves to the dead-letter store (same table), where
 * `npm run dlq -- list|redrive` finds it. The numbers come from `infra/delivery.ts`, as on AWS.
 *
 * | item | pk | sk | index `byVisibleAt` |
 * |---|---|---|---|
 * | queued message | `QUEUE` | `<id>` | `QUEUE` / `<visible at ISO>#<id>` |
 * | dead letter | `DLQ` | `<id>` | |
 *
 * One process owns a runtime table (the data-folder lock of `npm start`), so a receive needs no visibility
 * timeout: a message in flight when the process died is simply visible again on the next start.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Backoff, backoffSeconds, queueDelivery } from '../delivery.ts';
import { localClientConfig } from './dynamo.ts';

/** The runtime table next to an application table. */
export const runtimeTableName = (tableName: string) => `${tableName}-local-runtime`;

const QUEUE = 'QUEUE';
const DLQ = 'DLQ';
/** The runtime table's one index: items by the time they become due (`vpk` = kind, `vsk` = time-ordered). */
export const VISIBLE_INDEX = 'byVisibleAt';
/** How often an idle worker looks for messages written by someone else (the `dlq redrive` command). */
const IDLE_POLL_MS = 1000;

/** What the worker hands the target: an SQS batch of one record, or the body itself (direct invocation). */
export type MessageShape = 'sqs' | 'direct';

export interface NewMessage {
  /** What AWS resource the queue stands for, e.g. `rule/sla-clock`, `schedule/<group>/<name>`. */
  source: string;
  /** Catalogue id of the function to invoke. */
  target: string;
  shape: MessageShape;
  /** JSON text: the EventBridge event (sqs) or the function's input (direct). */
  body: string;
  maxReceiveCount: number;
  maxAgeSeconds: number;
  /** Receives already spent (a first attempt made by the sender itself). */
  receiveCount?: number;
  /** First visible after this many seconds (the sender's own backoff). */
  delaySeconds?: number;
  lastError?: string;
}

export interface Message extends Required<Omit<NewMessage, 'delaySeconds' | 'lastError'>> {
  id: string;
  sentAt: string;
  visibleAt: string;
  lastError?: string;
}

export interface DeadLetter extends Message {
  deadAt: string;
  reason: string;
}

/** Invokes a catalogue function with an event; throws when the invocation failed. */
export type Invoke = (functionId: string, event: unknown) => Promise<unknown>;

export interface DeliveryQueueOptions {
  endpoint: string;
  /** The runtime table ({@link runtimeTableName}). */
  tableName: string;
  invoke: Invoke;
  /** Backoff between attempts; `infra/delivery.ts` by default. */
  backoff?: Backoff;
  /** Multiplies every backoff wait: tests shrink seconds to milliseconds, the counts stay as configured. */
  timeScale?: number;
  /** Deliveries in flight at once: background work must leave room for the API. */
  concurrency?: number;
  log?: Pick<Console, 'log' | 'error'>;
}

/** Creates the runtime table (idempotent). */
export async function ensureRuntimeTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: ['pk', 'sk', 'vpk', 'vsk'].map((a) => ({
          AttributeName: a,
          AttributeType: 'S' as const,
        })),
        GlobalSecondaryIndexes: [
          {
            IndexName: VISIBLE_INDEX,
            KeySchema: [
              { AttributeName: 'vpk', KeyType: 'HASH' },
              { AttributeName: 'vsk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await client.send(new DescribeTableCommand({ TableName: tableName }));
  client.destroy();
}

/** A stored item as its record: without the table's key attributes. */
function recordOf<T>(item: Record<string, unknown>): T {
  const { pk: _p, sk: _s, vpk: _vp, vsk: _vs, ...record } = item;
  return record as T;
}

const errorText = (err: unknown) => String((err as Error)?.stack ?? err).slice(0, 4000);

/** The SQS event a queue hands its consumer: one record carrying the message body. */
export function sqsEventOf(m: Message, receiveCount: number) {
  return {
    Records: [
      {
        messageId: m.id,
        receiptHandle: `${m.id}#${receiveCount}`,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: String(Date.parse(m.sentAt)),
          SenderId: 'events.amazonaws.com',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:local:000000000000:${m.source.replaceAll('/', '-')}`,
        awsRegion: 'local',
      },
    ],
  };
}

export class DeliveryQueues {
  private readonly db: DynamoDBDocumentClient;
  private readonly inFlight = new Map<string, Promise<void>>();
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;
  private outage = false;
  private readonly log: Pick<Console, 'log' | 'error'>;

  constructor(private readonly opts: DeliveryQueueOptions) {
    this.db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(opts.endpoint)), {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.log = opts.log ?? console;
  }

  get tableName(): string {
    return this.opts.tableName;
  }

  /** The item of a new message, for a sender that writes it in its own transaction. */
  messageItem(m: NewMessage): Record<string, unknown> {
    const now = Date.now();
    const id = randomUUID();
    const visibleAt = new Date(now + (m.delaySeconds ?? 0) * 1000 * (this.opts.timeScale ?? 1)).toISOString();
    const { delaySeconds: _d, ...rest } = m;
    const message: Message = {
      ...rest,
      receiveCount: m.receiveCount ?? 0,
      id,
      sentAt: new Date(now).toISOString(),
      visibleAt,
    };
    return { ...message, pk: QUEUE, sk: id, vpk: QUEUE, vsk: `${visibleAt}#${id}` };
  }

  /** Durably enqueues messages (all of them, or throws); resolves once they are stored. */
  async send(messages: NewMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 100) {
      const items = messages.slice(i, i + 100).map((m) => this.messageItem(m));
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: items.map((Item) => ({ Put: { TableName: this.opts.tableName, Item } })),
        }),
      );
    }
    this.wake();
  }

  /** Stores a message straight in the dead-letter store (a sender that gave up itself, e.g. the stream relay). */
  async deadLetter(m: NewMessage, reason: string): Promise<string> {
    const item = this.messageItem(m) as unknown as Message;
    await this.bury(item, reason, false);
    return item.id;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops receiving, then waits for the deliveries in flight (messages not delivered stay queued). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.inFlight.values()]);
    this.db.destroy();
  }

  /** Resolves when no message is queued or in flight (tests: every consequence delivered or dead). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.inFlight.size > 0) {
        await Promise.allSettled([...this.inFlight.values()]);
        continue;
      }
      if (!this.running || (await this.depth()) === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Messages waiting (visible or backing off) or in flight. */
  async depth(): Promise<number> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.opts.tableName,
        KeyConditionExpression: 'pk = :q',
        ExpressionAttributeValues: { ':q': QUEUE },
        Select: 'COUNT',
        ConsistentRead: true,
      }),
    );
    return out.Count ?? 0;
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const items: DeadLetter[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.opts.tableName,
          KeyConditionExpression: 'pk = :d',
          ExpressionAttributeValues: { ':d': DLQ },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      items.push(...(out.Items ?? []).map((i) => recordOf<DeadLetter>(i)));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => a.deadAt.localeCompare(b.deadAt));
  }

  /**
   * Moves dead letters (all, or those with the given ids) back to their queue with a fresh receive count
   * and age, like an SQS DLQ redrive; resolves with the ids moved.
   */
  async redrive(ids?: readonly string[]): Promise<string[]> {
    const letters = (await this.deadLetters()).filter((d) => !ids || ids.includes(d.id));
    const moved: string[] = [];
    for (const d of letters) {
      const { deadAt: _a, reason: _r, lastError: _e, ...m } = d;
      const now = new Date().toISOString();
      const message: Message = { ...m, receiveCount: 0, sentAt: now, visibleAt: now };
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.opts.tableName,
                Key: { pk: DLQ, sk: d.id },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.opts.tableName,
                Item: { ...message, pk: QUEUE, sk: d.id, vpk: QUEUE, vsk: `${now}#${d.id}` },
              },
            },
          ],
        }),
      );
      moved.push(d.id);
    }
    this.wake();
    return moved;
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Sleeps `ms`, or less when woken (a wake-up while awake is kept for the next sleep). */
  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((ok) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        ok();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private get concurrency(): number {
    return this.opts.concurrency ?? 4;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let wait = IDLE_POLL_MS;
      try {
        // In-flight messages stay visible (no visibility timeout here), so ask for enough to get past them.
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.opts.tableName,
            IndexName: VISIBLE_INDEX,
            KeyConditionExpression: 'vpk = :q',
            ExpressionAttributeValues: { ':q': QUEUE },
            Limit: this.concurrency * 2 + 1,
          }),
        );
        if (this.outage) {
          this.outage = false;
          this.log.log('[delivery] queues readable again');
        }
        const now = Date.now();
        for (const m of (out.Items ?? []).map((i) => recordOf<Message>(i))) {
          if (this.inFlight.has(m.id)) continue;
          const visibleIn = Date.parse(m.visibleAt) - now;
          if (visibleIn > 0) {
            wait = Math.min(wait, visibleIn);
            break;
          }
          if (this.inFlight.size >= this.concurrency) break;
          this.begin(m);
        }
      } catch (err) {
        if (!this.outage)
          this.log.error(`[delivery] cannot read the queues (${(err as Error).name}); retrying`);
        this.outage = true;
      }
      if (this.running) await this.sleep(wait);
    }
  }

  private begin(m: Message): void {
    const delivery = this.deliver(m)
      .catch((err: unknown) => {
        // Bookkeeping failed (the engine is away): the message stays queued and comes back.
        this.log.error(`[delivery] message ${m.id} for ${m.target}: ${(err as Error).message}`);
      })
      .finally(() => {
        this.inFlight.delete(m.id);
        this.wake();
      });
    this.inFlight.set(m.id, delivery);
  }

  private async deliver(m: Message): Promise<void> {
    if (Date.now() - Date.parse(m.sentAt) > m.maxAgeSeconds * 1000) {
      await this.bury(m, `older than its maximum age of ${m.maxAgeSeconds} s`);
      return;
    }
    // Its receives were used up by attempts that never reported back (the process died meanwhile).
    if (m.receiveCount >= m.maxReceiveCount) {
      await this.bury(m, `received ${m.receiveCount} times (maximum receive count ${m.maxReceiveCount})`);
      return;
    }
    // Count the receive before invoking: a message that takes the process down still uses up attempts.
    const receiveCount = m.receiveCount + 1;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.opts.tableName,
          Key: { pk: QUEUE, sk: m.id },
          UpdateExpression: 'SET receiveCount = :n',
          ConditionExpression: 'receiveCount = :old',
          ExpressionAttributeValues: { ':n': receiveCount, ':old': m.receiveCount },
        }),
      );
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return; // gone or changed meanwhile
      throw err;
    }
    let failure: string | undefined;
    try {
      const event = m.shape === 'sqs' ? sqsEventOf(m, receiveCount) : JSON.parse(m.body);
      const result = (await this.opts.invoke(m.target, event)) as
        | { batchItemFailures?: unknown[] }
        | undefined;
      if (result?.batchItemFailures?.length) failure = `${m.target} reported the message as failed`;
    } catch (err) {
      failure = errorText(err);
    }
    if (failure === undefined) {
      await this.db.send(new DeleteCommand({ TableName: this.opts.tableName, Key: { pk: QUEUE, sk: m.id } }));
      return;
    }
    const message = { ...m, receiveCount, lastError: failure };
    if (receiveCount >= m.maxReceiveCount) {
      await this.bury(message, `failed ${receiveCount} times (maximum receive count ${m.maxReceiveCount})`);
      return;
    }
    const delayMs =
      backoffSeconds(this.opts.backoff ?? queueDelivery.backoff, receiveCount) *
      1000 *
      (this.opts.timeScale ?? 1);
    const visibleAt = new Date(Date.now() + delayMs).toISOString();
    await this.db.send(
      new UpdateCommand({
        TableName: this.opts.tableName,
        Key: { pk: QUEUE, sk: m.id },
        UpdateExpression: 'SET visibleAt = :v, vsk = :vsk, lastError = :e',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':v': visibleAt, ':vsk': `${visibleAt}#${m.id}`, ':e': failure },
      }),
    );
  }

  /** Moves a message to the dead-letter store (in one transaction with its removal from the queue). */
  private async bury(m: Message, reason: string, queued = true): Promise<void> {
    const letter: DeadLetter = { ...m, deadAt: new Date().toISOString(), reason };
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          ...(queued ? [{ Delete: { TableName: this.opts.tableName, Key: { pk: QUEUE, sk: m.id } } }] : []),
          { Put: { TableName: this.opts.tableName, Item: { ...letter, pk: DLQ, sk: m.id } } },
        ],
      }),
    );
    this.log.error(
      `[delivery] ${m.source} → ${m.target}: message ${m.id} ${reason}; moved to the dead-letter store ` +
        '(`npm run dlq -- list`, then `npm run dlq -- redrive`)',
    );
  }
}
