/**
 * The whole system on one machine: DynamoDB Local with the deployed table definition, the local API
 * gateway in front of the same handlers, the local bus with the deployed rules. Used by `npm start`
 * and by the integration tests (which share one engine per run and give each file its own table).
 */

import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { eventRules } from '../../events/rules.ts';
import {
  consumerFunctions,
  httpFunctions,
  routes,
  streamFunctions,
  THROTTLE,
} from '../../functions/catalog.ts';
import { type LocalAuth, localAuth } from './auth.ts';
import { AWS_EDGE_PREFIX, eventBridgeEdge } from './aws-edge.ts';
import { type ConsumerHandler, LocalBus } from './bus.ts';
import { type DynamoLocal, ensureTable, startDynamoLocal } from './dynamo.ts';
import { LocalTimers, ScheduleError, schedulerEdge, type TimerTargetHandler } from './scheduler.ts';
import { createLocalServer, type HttpHandlerFn, type SideRoute } from './server.ts';
import { StreamRelay } from './stream-relay.ts';
import { localSurveys } from './surveys.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface SystemOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Where data lives between runs (DynamoDB files, keys, outbox); ignored with `inMemory`. */
  dataDir?: string;
  inMemory?: boolean;
  /** Sign tokens with a key kept only in memory (tests); otherwise the key under the data folder. */
  ephemeralKeys?: boolean;
  /** Use an engine that is already running (tests share one per run). */
  dynamoEndpoint?: string;
  tableName?: string;
  timeZone?: string;
  logLevel?: string;
  throttle?: { rateLimit: number; burstLimit: number };
  /** More local endpoints (later modules add their own). */
  sideRoutes?: SideRoute[];
  /** Scheduler emulation: `auto` fires schedules on time (`npm start`), `manual` only on `timers.runDue()` (tests). */
  timers?: 'auto' | 'manual';
}

export interface LocalSystem {
  url: string;
  auth: LocalAuth;
  bus: LocalBus;
  /** The EventBridge Scheduler emulation (SLA timers, morning runs). */
  timers: LocalTimers;
  tableName: string;
  dynamoEndpoint: string;
  stop(): Promise<void>;
}

/** The SLA schedules' group, target, role and DLQ as the CDK SLA construct names them, locally. */
const LOCAL_SLA = {
  group: 'aftercare-sla',
  timerArn: 'arn:aws:lambda:local:000000000000:function:sla-timer',
  roleArn: 'arn:aws:iam::000000000000:role/aftercare-sla-scheduler',
  deadLetterArn: 'arn:aws:sqs:local:000000000000:aftercare-sla-timer-dlq',
};

/** What the CDK SLA construct deploys for the default branch: its morning run at 08:00 Asia/Shanghai. */
async function scheduleDefaultMorning(timers: LocalTimers): Promise<void> {
  try {
    await timers.create(LOCAL_SLA.group, 'morning.main', {
      ScheduleExpression: 'cron(0 8 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: LOCAL_SLA.timerArn,
        RoleArn: LOCAL_SLA.roleArn,
        Input: JSON.stringify({ kind: 'morning', branchId: 'main' }),
      },
    });
  } catch (err) {
    if (!(err instanceof ScheduleError && err.type === 'ConflictException')) throw err;
  }
}

async function loadExport<T>(entry: string): Promise<T> {
  const mod = (await import(pathToFileURL(join(repoRoot, entry)).href)) as { handler: T };
  return mod.handler;
}

export async function startSystem(opts: SystemOptions = {}): Promise<LocalSystem> {
  const dataDir = resolve(opts.dataDir ?? join(repoRoot, '.data'));
  // Tests share one engine per run; `npm start` owns its own.
  const engine: DynamoLocal | undefined = opts.dynamoEndpoint
    ? undefined
    : await startDynamoLocal(opts.inMemory ? {} : { dataDir: join(dataDir, 'dynamodb') });
  const dynamoEndpoint = opts.dynamoEndpoint ?? (engine as DynamoLocal).endpoint;
  const tableName = opts.tableName ?? 'aftercare';
  await ensureTable(dynamoEndpoint, tableName);
  const auth = await localAuth(opts.ephemeralKeys ? undefined : join(dataDir, 'keys', 'jwt.json'));
  // Survey mail: SES outbox, S3 inbox, their pages and the morning-run trigger (infra/local/surveys.ts).
  const surveys = localSurveys({
    dataDir,
    inMemory: opts.inMemory ?? false,
    ephemeralKeys: opts.ephemeralKeys ?? false,
  });

  const consumers = new Map<string, Promise<ConsumerHandler>>();
  const loadConsumer = (id: string) => {
    const spec = consumerFunctions[id as keyof typeof consumerFunctions];
    if (!spec) return Promise.reject(new Error(`no consumer function ${id}`));
    if (!consumers.has(id)) consumers.set(id, loadExport<ConsumerHandler>(spec.entry));
    return consumers.get(id) as Promise<ConsumerHandler>;
  };
  const bus = new LocalBus(
    eventRules,
    loadConsumer,
    opts.inMemory ? {} : { deadLetterFile: join(dataDir, 'dead-letters.jsonl') },
  );
  const timers = new LocalTimers({
    endpoint: dynamoEndpoint,
    tableName,
    target: (id) => loadConsumer(id) as unknown as Promise<TimerTargetHandler>,
    mode: opts.timers ?? 'auto',
    ...(opts.inMemory ? {} : { deadLetterFile: join(dataDir, 'dead-letters.jsonl') }),
  });

  const handlers = new Map<string, Promise<HttpHandlerFn>>();
  const server = createLocalServer({
    routes,
    auth,
    throttle: opts.throttle ?? THROTTLE,
    sideRoutes: [
      eventBridgeEdge(bus),
      schedulerEdge(timers),
      ...surveys.sideRoutes,
      ...(opts.sideRoutes ?? []),
    ],
    loadHandler: (fn) => {
      if (!handlers.has(fn))
        handlers.set(fn, loadExport<HttpHandlerFn>(httpFunctions[fn as keyof typeof httpFunctions].entry));
      return handlers.get(fn) as Promise<HttpHandlerFn>;
    },
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok) => server.listen(opts.port ?? 3000, host, ok));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;

  // The functions' environment, as the CDK stacks set it on AWS, plus the SDK's endpoint overrides.
  Object.assign(process.env, {
    ...surveys.env(url),
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: `${url}${AWS_EDGE_PREFIX}`,
    TABLE_NAME: tableName,
    EVENT_BUS_NAME: 'aftercare-local',
    TIME_ZONE: opts.timeZone ?? 'Asia/Shanghai',
    POWERTOOLS_SERVICE_NAME: 'aftercare',
    POWERTOOLS_LOG_LEVEL: opts.logLevel ?? 'INFO',
    AWS_ENDPOINT_URL_SCHEDULER: `${url}${AWS_EDGE_PREFIX}`,
    SLA_SCHEDULE_GROUP: LOCAL_SLA.group,
    SLA_TIMER_ARN: LOCAL_SLA.timerArn,
    SLA_SCHEDULER_ROLE_ARN: LOCAL_SLA.roleArn,
    SLA_TIMER_DLQ_ARN: LOCAL_SLA.deadLetterArn,
    MAIL_FROM: process.env.MAIL_FROM ?? 'Aftercare <service@aftercare.local>',
  });
  await scheduleDefaultMorning(timers);
  if (!opts.inMemory) surveys.watch();

  // The outbox: domain events written with each change reach the bus through the table stream.
  const relay = new StreamRelay(
    dynamoEndpoint,
    tableName,
    () => loadExport(streamFunctions['event-relay'].entry),
    opts.inMemory ? undefined : join(dataDir, 'stream-checkpoints.json'),
  );
  relay.start();
  bus.addDrainer(() => relay.drain());

  return {
    url,
    auth,
    bus,
    timers,
    tableName,
    dynamoEndpoint,
    async stop() {
      // Let in-flight work finish while the gateway can still answer the SDK calls it makes.
      await bus.idle();
      await timers.stop();
      await surveys.stop();
      await relay.stop();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await engine?.stop();
    },
  };
}
