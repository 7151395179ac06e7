/**
 * Test harness: the real local system (same handlers, same gateway, same bus) on the run's DynamoDB
 * Local engine, with a fresh table, and small helpers to call the API as any role.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { localClientConfig } from '../../infra/local/dynamo.ts';
import { type LocalSystem, type SystemOptions, startSystem } from '../../infra/local/system.ts';
import type { Role } from '../../shared/auth/actor.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface Caller {
  sub: string;
  roles: Role[];
  get<T = any>(path: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  raw(path: string, init: RequestInit): Promise<ApiResponse>;
}

export interface TestSystem extends LocalSystem {
  as(role: Role | Role[], sub?: string): Promise<Caller>;
  /** Every item in the table (tests only: checking that a refused request wrote nothing). */
  allItems(): Promise<Record<string, unknown>[]>;
}

export async function startTestSystem(opts: Partial<SystemOptions> = {}): Promise<TestSystem> {
  const system = await startSystem({
    port: 0,
    inMemory: true,
    ephemeralKeys: true,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `t_${randomUUID().slice(0, 8)}`,
    // Errors only: a 5xx or a failed consumer shows its cause in the test output.
    logLevel: process.env.AFTERCARE_TEST_LOG_LEVEL ?? 'ERROR',
    // Schedules fire only when a test says so (`clockControl.advance`, then `sys.timers.runDue()`).
    timers: 'manual',
    // Retries back off in milliseconds instead of seconds; the attempt counts stay as configured.
    deliveryTimeScale: 0.01,
    // Every function shares one process and two cores with the other test files: a request may wait
    // longer than its Lambda timeout for CPU, which a deployed function (with a CPU of its own) would not.
    timeoutScale: 6,
    ...opts,
  });
  const ddb = new DynamoDBClient(localClientConfig(system.dynamoEndpoint));

  async function call(token: string, path: string, init: RequestInit): Promise<ApiResponse> {
    const send = () =>
      fetch(`${system.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
      });
    // The server and this client share one lagging event loop: a keep-alive socket the server closes
    // (5 s idle) may be reused by the client at that very moment and reset before the request is read.
    // That request never reached a handler, so it is sent once more on a fresh socket.
    const res = await send().catch((err: Error & { cause?: { code?: string } }) => {
      if (err.cause?.code !== 'ECONNRESET') throw err;
      return send();
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body };
  }

  return {
    ...system,
    async as(role, sub) {
      const roles = Array.isArray(role) ? role : [role];
      const id = sub ?? `${roles[0]}-${randomUUID().slice(0, 6)}`;
      const token = await system.auth.sign({ sub: id, roles });
      return {
        sub: id,
        roles,
        get: (path, headers = {}) => call(token, path, { method: 'GET', headers }),
        post: (path, body, headers = {}) =>
          call(token, path, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
          }),
        raw: (path, init) => call(token, path, init),
      };
    },
    async allItems() {
      // Settle asynchronous consumers first, so a snapshot shows only what requests wrote.
      await system.bus.idle();
      const items: Record<string, unknown>[] = [];
      let start: Record<string, any> | undefined;
      do {
        const out = await ddb.send(
          new ScanCommand({ TableName: system.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
        );
        items.push(...((out.Items ?? []) as Record<string, unknown>[]));
        start = out.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async stop() {
      ddb.destroy();
      await system.stop();
    },
  };
}

/**
 * One system for the whole test file: started before its first test, stopped after its last. Returns
 * the running system (call it inside tests and hooks, not at module level).
 */
export function useTestSystem(opts: Partial<SystemOptions> = {}): () => TestSystem {
  let running: TestSystem | undefined;
  beforeAll(async () => {
    running = await startTestSystem(opts);
  });
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (!running) throw new Error('the test system starts in beforeAll');
    return running;
  };
}

/**
 * A valid intake body; override any part. The caller is found (or registered) by phone, and the unit
 * by serial number (registered on first use, under the product line technicians are skilled in).
 */
export function intake(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    channel: 'hotline',
    customer: {
      name: 'Wang Fang',
      address: '18 Jiefang Road, Hangzhou',
      phone: '+86 138 0000 1234',
      email: 'wang.fang@example.com',
    },
    product: {
      model: 'AC-3200',
      serialNumber: 'SN-0001',
      purchaseDate: '2026-06-01',
      productLine: 'air-conditioner',
    },
    symptoms: 'Unit does not start; error E4 on the display.',
    zone: 'urban',
    emergency: false,
    ...overrides,
  };
}
