/**
 * EventBridge Scheduler on one machine. The unchanged SDK client (`AWS_ENDPOINT_URL_SCHEDULER`) calls
 * `CreateSchedule`, `DeleteSchedule` and `GetSchedule` here (REST-JSON under `/_aws/schedules/{Name}`);
 * schedules are kept as items in the local runtime table (`SCHEDULE#<group>#<name>`, indexed by due time under
 * `TIMERS`), so they survive restarts of `npm start`. The runner fires due schedules earliest first —
 * one Query for the earliest, never a scan — invoking the target consumer in-process with the
 * schedule's `Input`. A failed firing goes, in the same transaction that deletes the schedule (or moves a
 * daily one to its next occurrence), to the durable delivery queues (`infra/local/queues.ts`), which retry
 * it within the schedule's retry policy and then park it in the dead-letter store, redrivable like the
 * timer DLQ on AWS. A firing interrupted by a crash leaves its schedule in place: it fires again on the
 * next start (at least once, as Scheduler promises; the targets are idempotent).
 *
 * `auto` mode (`npm start`) arms one `setTimeout` for the earliest schedule, re-armed on every change;
 * `manual` mode (tests) fires only when told: `clockControl.advance(...)`, then `timers.runDue()`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { DateTime, IANAZone } from 'luxon';
import { now } from '../../shared/runtime/clock.ts';
import { backoffSeconds, queueDelivery, scheduleDelivery } from '../delivery.ts';
import { AWS_EDGE_PREFIX } from './aws-edge.ts';
import { localClientConfig } from './dynamo.ts';
import { type DeliveryQueues, VISIBLE_INDEX } from './queues.ts';
import type { SideRoute } from './server.ts';

const TIMERS_INDEX = VISIBLE_INDEX;
const TIMERS_PARTITION = 'TIMERS';
/** setTimeout's limit; a later schedule simply re-arms when this one wakes. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** The part of a `CreateSchedule` request the emulation keeps. */
export interface ScheduleRequest {
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  ActionAfterCompletion?: 'DELETE' | 'NONE';
  FlexibleTimeWindow?: { Mode: string; MaximumWindowInMinutes?: number };
  Target: {
    Arn: string;
    RoleArn: string;
    Input?: string;
    RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
    DeadLetterConfig?: { Arn?: string };
  };
}

export interface StoredSchedule extends ScheduleRequest {
  name: string;
  group: string;
  dueAt: string;
  createdAt: string;
}

export class ScheduleError extends Error {
  constructor(
    readonly type: 'ConflictException' | 'ResourceNotFoundException' | 'ValidationException',
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Next instant of a schedule expression after `from`: `at(...)` once, a daily `cron(m h ...)`, or a monthly `cron(m h D * ? *)`. */
export function nextOccurrence(expression: string, timezone: string, from: Date): Date | undefined {
  const zone = timezone || 'UTC';
  if (!IANAZone.isValidZone(zone))
    throw new ScheduleError('ValidationException', 400, `unknown timezone ${zone}`);
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (at?.[1]) {
    const t = DateTime.fromISO(at[1], { zone });
    if (!t.isValid)
      throw new ScheduleError('ValidationException', 400, `invalid at() expression ${expression}`);
    return t.toJSDate();
  }
  // Only what the SLA module uses: every day at a local time.
  const cron = /^cron\((\d{1,2}) (\d{1,2}) (?:\* \* \?|\? \* \*) \*\)$/.exec(expression);
  if (cron?.[1] && cron[2]) {
    const base = DateTime.fromJSDate(from, { zone }).set({
      hour: Number(cron[2]),
      minute: Number(cron[1]),
      second: 0,
      millisecond: 0,
    });
    return (base.toMillis() > from.getTime() ? base : base.plus({ days: 1 })).toJSDate();
  }
  // And what the parts module uses: a day of every month at a local time.
  const monthly = /^cron\((\d{1,2}) (\d{1,2}) (\d{1,2}) \* \? \*\)$/.exec(expression);
  if (monthly?.[1] && monthly[2] && monthly[3]) {
    const local = DateTime.fromJSDate(from, { zone });
    const at = (month: DateTime) =>
      month.set({
        day: Number(monthly[3]),
        hour: Number(monthly[2]),
        minute: Number(monthly[1]),
        second: 0,
        millisecond: 0,
      });
    const base = at(local.startOf('month'));
    return (
      base.toMillis() > from.getTime() ? base : at(local.startOf('month').plus({ months: 1 }))
    ).toJSDate();
  }
  throw new ScheduleError('ValidationException', 400, `expression not emulated locally: ${expression}`);
}

const timerKey = (group: string, name: string) => ({ pk: `SCHEDULE#${group}#${name}`, sk: 'SCHEDULE' });

export interface LocalTimersOptions {
  endpoint: string;
  tableName: string;
  /** Invokes the function a target ARN's function name designates, with the schedule's input. */
  invoke: (functionId: string, input: unknown) => Promise<unknown>;
  mode: 'auto' | 'manual';
  /** Where failed firings are retried (and finally dead-lettered). */
  queues: Pick<DeliveryQueues, 'messageItem' | 'tableName'>;
}

export class LocalTimers {
  private readonly db: DynamoDBDocumentClient;
  private armed: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | undefined;
  private stopped = false;

  constructor(private readonly opts: LocalTimersOptions) {
    this.db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(opts.endpoint)), {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async create(group: string, name: string, request: ScheduleRequest): Promise<string> {
    const dueAt = nextOccurrence(
      request.ScheduleExpression,
      request.ScheduleExpressionTimezone ?? 'UTC',
      now(),
    );
    if (!dueAt) throw new ScheduleError('ValidationException', 400, 'schedule has no occurrence');
    const item: StoredSchedule = {
      ...request,
      name,
      group,
      dueAt: dueAt.toISOString(),
      createdAt: now().toISOString(),
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.opts.tableName,
          Item: {
            ...timerKey(group, name),
            vpk: TIMERS_PARTITION,
            vsk: `${item.dueAt}#${group}#${name}`,
            entity: 'LocalSchedule',
            ...item,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') {
        throw new ScheduleError('ConflictException', 409, `Schedule ${name} already exists.`);
      }
      throw err;
    }
    this.arm();
    return `arn:aws:scheduler:local:000000000000:schedule/${group}/${name}`;
  }

  async get(group: string, name: string): Promise<StoredSchedule> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.opts.tableName, Key: timerKey(group, name), ConsistentRead: true }),
    );
    if (!out.Item)
      throw new ScheduleError('ResourceNotFoundException', 404, `Schedule ${name} does not exist.`);
    return out.Item as StoredSchedule;
  }

  async delete(group: string, name: string): Promise<void> {
    const out = await this.db.send(
      new DeleteCommand({
        TableName: this.opts.tableName,
        Key: timerKey(group, name),
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (!out.Attributes)
      throw new ScheduleError('ResourceNotFoundException', 404, `Schedule ${name} does not exist.`);
    this.arm();
  }

  /** Pending schedules, earliest first (tests and the console read this). */
  async pending(): Promise<StoredSchedule[]> {
    const items: StoredSchedule[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.opts.tableName,
          IndexName: TIMERS_INDEX,
          KeyConditionExpression: 'vpk = :p',
          ExpressionAttributeValues: { ':p': TIMERS_PARTITION },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((out.Items ?? []) as StoredSchedule[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * Fires every schedule due at the (controllable) clock's now, earliest first, including those that
   * firings create; resolves with the names fired. Calls never overlap.
   */
  runDue(): Promise<string[]> {
    const previous = this.running ?? Promise.resolve([]);
    const run = previous.catch(() => []).then(() => this.fireDue());
    this.running = run;
    return run;
  }

  /** Disarms, then waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.armed) clearTimeout(this.armed);
    await this.running?.catch(() => []);
    this.db.destroy();
  }

  private async earliest(before?: string): Promise<StoredSchedule | undefined> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.opts.tableName,
        IndexName: TIMERS_INDEX,
        KeyConditionExpression: before ? 'vpk = :p AND vsk < :before' : 'vpk = :p',
        ExpressionAttributeValues: { ':p': TIMERS_PARTITION, ...(before ? { ':before': before } : {}) },
        Limit: 1,
      }),
    );
    return out.Items?.[0] as StoredSchedule | undefined;
  }

  private async fireDue(): Promise<string[]> {
    const fired: string[] = [];
    for (let guard = 0; guard < 10_000; guard++) {
      // `~` sorts after `#`, so every schedule due at or before now is below this bound.
      const due = await this.earliest(`${now().toISOString()}~`);
      if (!due) break;
      await this.fire(due);
      fired.push(due.name);
    }
    this.arm();
    return fired;
  }

  private async fire(s: StoredSchedule): Promise<void> {
    const functionId = s.Target.Arn.split(':').at(-1) ?? '';
    let failure: string | undefined;
    try {
      await this.opts.invoke(functionId, s.Target.Input ? JSON.parse(s.Target.Input) : {});
    } catch (err) {
      failure = String((err as Error)?.stack ?? err).slice(0, 4000);
    }
    const next = s.ScheduleExpression.startsWith('cron(')
      ? nextOccurrence(s.ScheduleExpression, s.ScheduleExpressionTimezone ?? 'UTC', now())
      : undefined;
    const key = timerKey(s.group, s.name);
    const dueAt = next?.toISOString();
    const advance = dueAt
      ? {
          Put: {
            TableName: this.opts.tableName,
            Item: { ...s, ...key, vpk: TIMERS_PARTITION, vsk: `${dueAt}#${s.group}#${s.name}`, dueAt },
          },
        }
      : { Delete: { TableName: this.opts.tableName, Key: key } };
    const retry = failure === undefined ? [] : [{ Put: this.retryOf(s, functionId, failure) }];
    await this.db.send(new TransactWriteCommand({ TransactItems: [advance, ...retry] }));
    if (failure !== undefined)
      console.error(`[scheduler] ${s.group}/${s.name} failed; retrying it through the delivery queue`);
  }

  /** The queued retry of a failed firing, within the schedule's retry policy (one attempt spent). */
  private retryOf(s: StoredSchedule, functionId: string, failure: string) {
    const policy = s.Target.RetryPolicy;
    return {
      TableName: this.opts.queues.tableName,
      Item: this.opts.queues.messageItem({
        source: `schedule/${s.group}/${s.name}`,
        target: functionId,
        shape: 'direct',
        body: s.Target.Input ?? '{}',
        maxReceiveCount: (policy?.MaximumRetryAttempts ?? scheduleDelivery.maximumRetryAttempts) + 1,
        maxAgeSeconds: policy?.MaximumEventAgeInSeconds ?? scheduleDelivery.maximumEventAgeSeconds,
        receiveCount: 1,
        delaySeconds: backoffSeconds(queueDelivery.backoff, 1),
        lastError: failure,
      }),
    };
  }

  /** In auto mode, (re)arms one timeout for the earliest schedule. */
  private arm(): void {
    if (this.opts.mode !== 'auto' || this.stopped) return;
    void this.earliest().then(
      (s) => {
        if (this.stopped) return;
        if (this.armed) clearTimeout(this.armed);
        if (!s) return;
        const delay = Math.min(MAX_DELAY_MS, Math.max(0, Date.parse(s.dueAt) - now().getTime()));
        this.armed = setTimeout(() => {
          this.runDue().catch((err: unknown) => console.error('[scheduler] run failed', err));
        }, delay);
        this.armed.unref();
      },
      (err: unknown) => console.error('[scheduler] cannot read schedules', err),
    );
  }
}

function restJson(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(body));
}

/** The Scheduler API routes the SDK calls: `POST|GET|DELETE /schedules/{Name}?groupName=`. */
export function schedulerEdge(timers: LocalTimers): SideRoute {
  const prefix = `${AWS_EDGE_PREFIX}/schedules/`;
  return async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    if (!req.url?.startsWith(prefix)) return false;
    const url = new URL(req.url, 'http://localhost');
    const name = decodeURIComponent(url.pathname.slice(prefix.length));
    try {
      switch (req.method) {
        case 'POST': {
          const input = JSON.parse(body.toString('utf8') || '{}') as ScheduleRequest & { GroupName?: string };
          const arn = await timers.create(input.GroupName ?? 'default', name, input);
          restJson(res, 200, { ScheduleArn: arn });
          return true;
        }
        case 'GET': {
          const s = await timers.get(url.searchParams.get('groupName') ?? 'default', name);
          restJson(res, 200, {
            Arn: `arn:aws:scheduler:local:000000000000:schedule/${s.group}/${s.name}`,
            Name: s.name,
            GroupName: s.group,
            ScheduleExpression: s.ScheduleExpression,
            ScheduleExpressionTimezone: s.ScheduleExpressionTimezone,
            ActionAfterCompletion: s.ActionAfterCompletion,
            FlexibleTimeWindow: s.FlexibleTimeWindow,
            State: 'ENABLED',
            Target: s.Target,
          });
          return true;
        }
        case 'DELETE':
          await timers.delete(url.searchParams.get('groupName') ?? 'default', name);
          restJson(res, 200, {});
          return true;
        default:
          restJson(res, 400, { Message: `${req.method} is not emulated locally` }, 'ValidationException');
          return true;
      }
    } catch (err) {
      if (err instanceof ScheduleError) restJson(res, err.status, { Message: err.message }, err.type);
      else restJson(res, 500, { Message: String(err) }, 'InternalServerException');
      return true;
    }
  };
}
