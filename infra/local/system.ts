/**
 * The whole system on one machine: DynamoDB Local with the deployed table definition, the local API
 * gateway in front of the same handlers, the local bus with the deployed rules and durable queues
 * between the bus (and every other asynchronous trigger) and the consumers. Used by `npm start` and by
 * the integration tests (which share one engine per run and give each file its own table).
 *
 * Delivery guarantees, as on AWS: a change's events reach the bus at least once (the stream relay
 * checkpoints only after the bus stored them), and every event reaches each consumer at least once (the
 * queues keep it until the consumer succeeded, then retry with backoff and finally dead-letter it).
 */

import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { allEventRules, allFunctions, allRoutes, THROTTLE } from '../../functions/catalog.ts';
import { DEFAULT_TIME_ZONE } from '../../shared/branches/defaults.ts';
import { type EnvBindings, loadEnv } from '../../shared/config/env.ts';
import { repoRoot } from '../bundle.ts';
import { asyncInvokeDelivery, backoffSeconds, queueDelivery } from '../delivery.ts';
import { namedSchedules, scheduleGroupName } from '../naming.ts';
import { type LocalAuth, localAuth } from './auth.ts';
import { AWS_EDGE_PREFIX, eventBridgeEdge } from './aws-edge.ts';
import { LocalBus } from './bus.ts';
import { dashboardPages } from './dashboard.ts';
import { docsPages } from './docs.ts';
import { type DynamoLocal, ensureTable, startDynamoLocal } from './dynamo.ts';
import { LocalFunctions } from './functions.ts';
import { localHealth } from './health.ts';
import { jobRuns } from './job-runs.ts';
import { acquireDataLock, type DataLock } from './lock.ts';
import { DeliveryQueues, ensureRuntimeTable, runtimeTableName } from './queues.ts';
import { LocalTimers, ScheduleError, schedulerEdge } from './scheduler.ts';
import { createLocalServer, type SideRoute } from './server.ts';
import { LocalStepFunctions, stepFunctionsEdge } from './step-functions.ts';
import { StreamRelay } from './stream-relay.ts';
import { localSurveys } from './surveys.ts';

export { repoRoot };

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
  /** Multiplies the delivery backoff waits (tests: milliseconds instead of seconds); 1 by default. */
  deliveryTimeScale?: number;
  /** Multiplies every function's timeout (see `LocalFunctions`); 1 by default, as deployed. */
  timeoutScale?: number;
  /** Restart DynamoDB Local when it dies (`npm start`); `onEngineLost` is told when it would not come back. */
  superviseEngine?: { onEngineLost(err: Error): void };
  log?: Pick<Console, 'log' | 'error' | 'warn'>;
}

export interface LocalSystem {
  url: string;
  auth: LocalAuth;
  bus: LocalBus;
  /** The durable queues between triggers and consumers, with the dead-letter store. */
  queues: DeliveryQueues;
  /** The EventBridge Scheduler emulation (SLA timers, morning runs). */
  timers: LocalTimers;
  /** The Step Functions emulation running the catalogue's workflows (durable, replayed on start). */
  workflows: LocalStepFunctions;
  /** The catalogue's functions as this system invokes them (`observe` reports each invocation's duration). */
  functions: Pick<LocalFunctions, 'observe'>;
  /** The engine this system started (absent on a shared engine). */
  engine?: DynamoLocal;
  tableName: string;
  dynamoEndpoint: string;
  stop(): Promise<void>;
}

/** Names of local resources, as the CDK stacks would name them in a stage called `local`. */
const LOCAL_PREFIX = 'aftercare';
const functionArn = (id: string) => `arn:aws:lambda:local:000000000000:function:${id}`;
const SCHEDULER_ROLE_ARN = 'arn:aws:iam::000000000000:role/aftercare-scheduler';
const TIMER_DLQ_ARN = 'arn:aws:sqs:local:000000000000:aftercare-sla-timer-dlq';
const stateMachineArn = (name: string) =>
  `arn:aws:states:local:000000000000:stateMachine:${LOCAL_PREFIX}-${name}`;

/** Creates the catalogue's named recurring schedules that do not exist yet (as the deployment does). */
async function createNamedSchedules(timers: LocalTimers, timeZone: string): Promise<void> {
  for (const [id, spec] of Object.entries(allFunctions)) {
    for (const s of namedSchedules(LOCAL_PREFIX, spec)) {
      try {
        await timers.create(s.group, s.name, {
          ScheduleExpression: s.expression,
          ScheduleExpressionTimezone: timeZone,
          ActionAfterCompletion: 'NONE',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: functionArn(id), RoleArn: SCHEDULER_ROLE_ARN, Input: JSON.stringify(s.input) },
        });
      } catch (err) {
        if (!(err instanceof ScheduleError && err.type === 'ConflictException')) throw err;
      }
    }
  }
}

/** Every function's environment must be satisfied by the local bindings: fail at start, not on first call. */
function checkEnvironments(env: Record<string, string>): void {
  for (const [id, spec] of Object.entries(allFunctions)) {
    try {
      loadEnv(spec.env, env);
    } catch (err) {
      throw new Error(`${id} cannot run locally: ${(err as Error).message}`);
    }
  }
}

export async function startSystem(opts: SystemOptions = {}): Promise<LocalSystem> {
  const log = opts.log ?? console;
  const dataDir = resolve(opts.dataDir ?? join(repoRoot, '.data'));
  // One runtime per data folder: taken before anything touches the files.
  const lock: DataLock | undefined = opts.inMemory ? undefined : await acquireDataLock(dataDir, log);
  try {
    return await startWithin(opts, dataDir, lock, log);
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function startWithin(
  opts: SystemOptions,
  dataDir: string,
  lock: DataLock | undefined,
  log: Pick<Console, 'log' | 'error' | 'warn'>,
): Promise<LocalSystem> {
  // Tests share one engine per run; `npm start` owns its own.
  const restarted: { engine?: DynamoLocal } = {};
  const engine: DynamoLocal | undefined = opts.dynamoEndpoint
    ? undefined
    : await startDynamoLocal({
        ...(opts.inMemory ? {} : { dataDir: join(dataDir, 'dynamodb') }),
        ...(opts.superviseEngine
          ? {
              supervise: {
                onGiveUp: opts.superviseEngine.onEngineLost,
                // The lock names the engine, so a start after a crash can make sure it is gone.
                onRestarted: () => lock?.update({ enginePid: restarted.engine?.pid }),
              },
            }
          : {}),
        log,
      });
  restarted.engine = engine;
  try {
    return await startOnEngine(opts, dataDir, lock, log, engine);
  } catch (err) {
    await engine?.stop();
    throw err;
  }
}

async function startOnEngine(
  opts: SystemOptions,
  dataDir: string,
  lock: DataLock | undefined,
  log: Pick<Console, 'log' | 'error' | 'warn'>,
  engine: DynamoLocal | undefined,
): Promise<LocalSystem> {
  const dynamoEndpoint = opts.dynamoEndpoint ?? (engine as DynamoLocal).endpoint;
  const tableName = opts.tableName ?? 'aftercare';
  await ensureTable(dynamoEndpoint, tableName);
  const runtimeTable = runtimeTableName(tableName);
  await ensureRuntimeTable(dynamoEndpoint, runtimeTable);
  lock?.update({ dynamoEndpoint, tableName, ...(engine?.pid ? { enginePid: engine.pid } : {}) });
  const auth = await localAuth(opts.ephemeralKeys ? undefined : join(dataDir, 'keys', 'jwt.json'));
  const functions = new LocalFunctions(opts.timeoutScale);
  const invoke = (id: string, event: unknown) => functions.invoke(id, event);
  const timeScale = opts.deliveryTimeScale ?? 1;
  const queues = new DeliveryQueues({
    endpoint: dynamoEndpoint,
    tableName: runtimeTable,
    invoke,
    timeScale,
    log,
  });

  /** An asynchronous trigger's invocation: tried now; when it fails, queued for Lambda's retries, then the DLQ. */
  const deliver = async (functionId: string, event: unknown, source: string): Promise<unknown> => {
    try {
      return await invoke(functionId, event);
    } catch (err) {
      await queues.send([
        {
          source,
          target: functionId,
          shape: 'direct',
          body: JSON.stringify(event),
          maxReceiveCount: asyncInvokeDelivery.retryAttempts + 1,
          maxAgeSeconds: asyncInvokeDelivery.maxEventAgeSeconds,
          receiveCount: 1,
          delaySeconds: backoffSeconds(queueDelivery.backoff, 1),
          lastError: String((err as Error)?.stack ?? err).slice(0, 4000),
        },
      ]);
      log.error(`[delivery] ${source} → ${functionId} failed; retrying it through the delivery queue`);
      return { queuedForRetry: true, error: (err as Error).message };
    }
  };

  // Survey mail: SES outbox, S3 inbox, their pages and the morning-run trigger (infra/local/surveys.ts).
  const surveys = localSurveys({
    dataDir,
    inMemory: opts.inMemory ?? false,
    ephemeralKeys: opts.ephemeralKeys ?? false,
    invoke,
    deliver,
  });

  const bus = new LocalBus(allEventRules, queues);
  const timers = new LocalTimers({
    endpoint: dynamoEndpoint,
    // Emulator state, like the queues: kept beside the data, never in the application's table.
    tableName: runtimeTable,
    invoke,
    mode: opts.timers ?? 'auto',
    queues,
  });

  const timeZone = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const workflows = new LocalStepFunctions({
    endpoint: dynamoEndpoint,
    tableName: runtimeTable,
    invoke,
    functionArn,
    stateMachineArn,
    log,
  });

  const lifecycle = { draining: false, active: 0 };
  const server = createLocalServer({
    routes: allRoutes,
    invoke,
    auth,
    throttle: opts.throttle ?? THROTTLE,
    lifecycle,
    sideRoutes: [
      localHealth({ endpoint: dynamoEndpoint, tableName, engine, queues }),
      eventBridgeEdge(bus),
      schedulerEdge(timers),
      stepFunctionsEdge(workflows),
      ...surveys.sideRoutes,
      jobRuns(invoke),
      docsPages(),
      dashboardPages({ auth, timeZone }),
      ...(opts.sideRoutes ?? []),
    ],
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 3000, host, ok);
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  lock?.update({ url });

  // One value per environment variable, as the CDK stacks bind them on AWS; every function gets the ones
  // its schema names (one process, so the union is set, and each schema is checked against it).
  const bindings: EnvBindings = {
    ...surveys.bindings(url),
    TABLE_NAME: tableName,
    TIME_ZONE: timeZone,
    POWERTOOLS_SERVICE_NAME: 'aftercare',
    EVENT_BUS_NAME: 'aftercare-local',
    SLA_SCHEDULE_GROUP: scheduleGroupName(LOCAL_PREFIX, 'timers'),
    SLA_TIMER_ARN: functionArn('sla-timer'),
    SLA_SCHEDULER_ROLE_ARN: SCHEDULER_ROLE_ARN,
    SLA_TIMER_DLQ_ARN: TIMER_DLQ_ARN,
    COMPLAINT_WORKFLOW_ARN: stateMachineArn('complaint-investigation'),
  };
  checkEnvironments(bindings);
  Object.assign(process.env, {
    ...bindings,
    ...surveys.endpoints(url),
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: `${url}${AWS_EDGE_PREFIX}`,
    AWS_ENDPOINT_URL_SCHEDULER: `${url}${AWS_EDGE_PREFIX}`,
    AWS_ENDPOINT_URL_SFN: `${url}${AWS_EDGE_PREFIX}`,
    POWERTOOLS_LOG_LEVEL: opts.logLevel ?? 'INFO',
    // EMF lines would only clutter the console: there is no CloudWatch here.
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  await createNamedSchedules(timers, timeZone);
  // Investigations in progress when the runtime last stopped continue where their stored state says.
  await workflows.resume();
  if (!opts.inMemory) surveys.watch();

  // The outbox: domain events written with each change reach the bus through the table stream.
  const relay = new StreamRelay(dynamoEndpoint, tableName, (event) => invoke('event-relay', event), {
    ...(opts.inMemory ? {} : { checkpointFile: join(dataDir, 'stream-checkpoints.json') }),
    deadLetters: queues,
    timeScale,
  });
  relay.start();
  queues.start();
  bus.addDrainer(() => relay.drain());

  let stopped: Promise<void> | undefined;
  return {
    url,
    auth,
    bus,
    queues,
    timers,
    workflows,
    functions,
    tableName,
    dynamoEndpoint,
    ...(engine ? { engine } : {}),
    stop() {
      stopped ??= (async () => {
        // 1. The API: new requests are refused (503), those in flight may finish.
        lifecycle.draining = true;
        for (let waited = 0; lifecycle.active > 0 && waited < 5000; waited += 50)
          await new Promise((r) => setTimeout(r, 50));
        // 2. Background work: nothing new starts; what runs finishes (the gateway still serves its SDK
        //    calls). Undelivered messages stay in their queues, the relay's position in its checkpoint.
        await surveys.stop();
        await workflows.stop();
        await timers.stop();
        await relay.stop();
        await queues.stop();
        // 3. The gateway, then the engine, last.
        server.closeAllConnections();
        await new Promise<void>((ok) => server.close(() => ok()));
        await engine?.stop();
        lock?.release();
      })();
      return stopped;
    },
  };
}
