/**
 * The whole system on one machine: DynamoDB Local with the deployed table definition, the local API
 * gateway in front of the same handlers, the local bus with the deployed rules. Used by `npm start`
 * and by the integration tests (which share one engine per run and give each file its own table).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { eventRules } from '../../events/rules.ts';
import { consumerFunctions, httpFunctions, routes, THROTTLE } from '../../functions/catalog.ts';
import { localAuth, type LocalAuth } from './auth.ts';
import { eventBridgeEdge, AWS_EDGE_PREFIX } from './aws-edge.ts';
import { type ConsumerHandler, LocalBus } from './bus.ts';
import { type DynamoLocal, ensureTable, startDynamoLocal } from './dynamo.ts';
import { createLocalServer, type HttpHandlerFn, type SideRoute } from './server.ts';

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
}

export interface LocalSystem {
  url: string;
  auth: LocalAuth;
  bus: LocalBus;
  tableName: string;
  dynamoEndpoint: string;
  stop(): Promise<void>;
}

async function loadExport<T>(entry: string): Promise<T> {
  const mod = (await import(pathToFileURL(join(repoRoot, entry)).href)) as { handler: T };
  return mod.handler;
}

export async function startSystem(opts: SystemOptions = {}): Promise<LocalSystem> {
  const dataDir = resolve(opts.dataDir ?? join(repoRoot, '.data'));
  let engine: DynamoLocal | undefined;
  const dynamoEndpoint =
    opts.dynamoEndpoint ?? (engine = await startDynamoLocal(opts.inMemory ? {} : { dataDir: join(dataDir, 'dynamodb') })).endpoint;
  const tableName = opts.tableName ?? 'aftercare';
  await ensureTable(dynamoEndpoint, tableName);
  const auth = await localAuth(opts.ephemeralKeys ? undefined : join(dataDir, 'keys', 'jwt.json'));

  const consumers = new Map<string, Promise<ConsumerHandler>>();
  const bus = new LocalBus(
    eventRules,
    (id) => {
      const spec = consumerFunctions[id as keyof typeof consumerFunctions];
      if (!spec) return Promise.reject(new Error(`no consumer function ${id}`));
      if (!consumers.has(id)) consumers.set(id, loadExport<ConsumerHandler>(spec.entry));
      return consumers.get(id) as Promise<ConsumerHandler>;
    },
    opts.inMemory ? {} : { deadLetterFile: join(dataDir, 'dead-letters.jsonl') },
  );

  const handlers = new Map<string, Promise<HttpHandlerFn>>();
  const server = createLocalServer({
    routes,
    auth,
    throttle: opts.throttle ?? THROTTLE,
    sideRoutes: [eventBridgeEdge(bus), ...(opts.sideRoutes ?? [])],
    loadHandler: (fn) => {
      if (!handlers.has(fn)) handlers.set(fn, loadExport<HttpHandlerFn>(httpFunctions[fn as keyof typeof httpFunctions].entry));
      return handlers.get(fn) as Promise<HttpHandlerFn>;
    },
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok) => server.listen(opts.port ?? 3000, host, ok));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;

  // The functions' environment, as the CDK stacks set it on AWS, plus the SDK's endpoint overrides.
  Object.assign(process.env, {
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
  });

  return {
    url,
    auth,
    bus,
    tableName,
    dynamoEndpoint,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await bus.idle();
      await engine?.stop();
    },
  };
}
