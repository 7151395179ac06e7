/**
 * `GET /_local/health` (loopback callers only): the runtime's own view — the engine process (up, or
 * being restarted), a cheap read of the table, and the delivery queues (messages waiting, dead letters).
 * 200 when the table answers, 503 otherwise. The API's public `GET /health` route checks the table the
 * way a deployed health check would; this one adds what only the local runtime knows.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checkHealth } from '../../shared/health/probe.ts';
import type { DynamoLocal } from './dynamo.ts';
import type { DeliveryQueues } from './queues.ts';
import type { SideRoute } from './server.ts';

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function localHealth(opts: {
  endpoint: string;
  tableName: string;
  engine: DynamoLocal | undefined;
  queues: Pick<DeliveryQueues, 'depth' | 'deadLetters'>;
}): SideRoute {
  // One attempt, short timeouts: the probe reports the present, it does not wait for a recovery.
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: opts.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
    }),
  );
  return async (req: IncomingMessage, _body: Buffer, res: ServerResponse) => {
    if ((req.url ?? '').split('?')[0] !== '/_local/health' || req.method !== 'GET') return false;
    if (!loopback.has(req.socket.remoteAddress ?? '')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'only local callers may read /_local/health' }));
      return true;
    }
    let table: Record<string, unknown>;
    let ok = true;
    try {
      table = (await checkHealth(db, opts.tableName)).checks.table;
    } catch (err) {
      ok = false;
      table = { status: 'unavailable', detail: (err as Error).message };
    }
    let queues: Record<string, unknown> = { status: 'unknown' };
    if (ok) {
      try {
        queues = {
          waiting: await opts.queues.depth(),
          deadLetters: (await opts.queues.deadLetters()).length,
        };
      } catch {
        // the table answered a moment ago; the counts are a courtesy
      }
    }
    const body = {
      status: ok ? 'ok' : 'unavailable',
      engine: opts.engine
        ? { state: opts.engine.state, pid: opts.engine.pid, endpoint: opts.endpoint }
        : { state: 'shared', endpoint: opts.endpoint },
      table,
      queues,
    };
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
    return true;
  };
}
