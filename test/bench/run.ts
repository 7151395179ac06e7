/**
 * `npm run bench`: speed as ratios against baselines measured in the same run, on this machine.
 *
 * 1. Cold start — each deployed bundle (`.build/lambda/<id>/index.mjs`, exactly what CDK ships) is
 *    imported in a fresh Node process, against a bundle holding only the DynamoDB client; the CPU time
 *    of the import is compared (see `importOnce`). Target ≤ 1.3×.
 * 2. API latency (the knowledge search included) — real HTTP requests through the local API gateway,
 *    against the raw DynamoDB calls the same request must make, on the same DynamoDB Local engine,
 *    interleaved so both see the same machine load. Background work set off by writes (the outbox
 *    relay, event consumers) is settled between measurements, as it runs elsewhere on AWS. Rows: the
 *    month's KPIs, a case read, the knowledge search, a case command, intake, and a stock movement (a
 *    receipt on the ledger). Two numbers per request:
 *    - `function` (target ≤ 1.3×): the duration of the Lambda invocation the gateway made for it
 *      (Lambda's `Duration`: middleware, validation, the operation and its DynamoDB calls) — what we
 *      deploy and what Lambda bills.
 *    - `HTTP` (shown, not judged): the round trip the client saw. It adds the local gateway and one
 *      loopback HTTP exchange, which on AWS is API Gateway's and not our code; on a small machine that
 *      hop alone is a quarter of a DynamoDB Local Query (see `404 floor`: a request no route matches).
 *
 * Prints a table and exits 1 when a ratio is over its target.
 *
 * `npm run bench -- cold` measures only the cold starts, `npm run bench -- api` only the API; after `cold`,
 * function ids limit it to those bundles (`npm run bench -- cold case-read sla-timer`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import type { FunctionId } from '../../functions/catalog.ts';
import {
  bundleFunctions,
  LAMBDA_BUILD_DIR,
  LAMBDA_BUILD_OPTIONS,
  lambdaFunctions,
  repoRoot,
} from '../../infra/bundle.ts';
import { demoEntries } from '../../infra/local/demo-knowledge.ts';
import { localClientConfig, startDynamoLocal } from '../../infra/local/dynamo.ts';
import type { InvocationReport } from '../../infra/local/functions.ts';
import { startSystem } from '../../infra/local/system.ts';

const TARGET = 1.3;
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 25);
const API_RUNS = Number(process.env.BENCH_API_RUNS ?? 150);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

interface Row {
  what: string;
  measured: number;
  baseline: number;
  ratio: number;
  /** Judged against the target; otherwise shown for information. */
  judged: boolean;
}
const rows: Row[] = [];
const record = (what: string, measured: number, baseline: number, judged = true) =>
  rows.push({ what, measured, baseline, ratio: measured / baseline, judged });

/**
 * Milliseconds of CPU (user + system, every thread of the process) spent importing `file` once in a
 * fresh process, module evaluation included. CPU time, not wall time: on Lambda the import has a CPU of
 * its own, while on a shared machine wall time mostly measures the neighbours.
 */
function importOnce(file: string): number {
  const script = `const c=process.cpuUsage();await import(${JSON.stringify(pathToFileURL(file).href)});const d=process.cpuUsage(c);process.stdout.write(String((d.user+d.system)/1000))`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, AWS_REGION: 'eu-west-1' },
    encoding: 'utf8',
  });
  return Number(out);
}

/** Medians of alternating runs of two bundles, so machine load drifts hit both alike. */
function pairedImportTimes(file: string, baseline: string): [number, number] {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    b.push(importOnce(baseline));
    a.push(importOnce(file));
  }
  return [median(a), median(b)];
}

async function coldStart(only: readonly string[]): Promise<void> {
  const unknown = only.filter((id) => !(id in lambdaFunctions));
  if (unknown.length) throw new Error(`no function ${unknown.join(', ')} in the catalogue`);
  await bundleFunctions();
  const baselineDir = join(repoRoot, '.build', 'bench-baseline');
  mkdirSync(baselineDir, { recursive: true });
  rmSync(baselineDir, { recursive: true, force: true });
  await build({
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: { index: 'test/bench/baseline-entry.ts' },
    outdir: baselineDir,
  });
  // Interleave baseline and bundles so drift in machine load hits both.
  for (const id of Object.keys(lambdaFunctions).filter((id) => !only.length || only.includes(id))) {
    const [measured, baseline] = pairedImportTimes(
      join(LAMBDA_BUILD_DIR, id, 'index.mjs'),
      join(baselineDir, 'index.mjs'),
    );
    record(`cold start (CPU ms): ${id}`, measured, baseline);
  }
}

/** What one request through the local gateway cost: the client's round trip and its function's invocation. */
interface Timed {
  status: number;
  text: string;
  httpMs: number;
  functionMs: number;
}

/** HTTP and function times of a row's requests, with the raw calls they are compared with. */
class Samples {
  readonly http: number[] = [];
  readonly fn: number[] = [];
  readonly raw: number[] = [];
  add(t: Timed): void {
    this.http.push(t.httpMs);
    this.fn.push(t.functionMs);
  }
  record(what: string, against: string): void {
    record(`function: ${what} vs ${against}`, median(this.fn), median(this.raw));
    record(`HTTP: ${what} vs ${against}`, median(this.http), median(this.raw), false);
  }
}

async function apiLatency(): Promise<void> {
  const engine = await startDynamoLocal();
  const system = await startSystem({
    port: 0,
    inMemory: true,
    ephemeralKeys: true,
    dynamoEndpoint: engine.endpoint,
    tableName: 'bench',
    logLevel: 'SILENT',
    throttle: { rateLimit: 1e6, burstLimit: 1e6 },
  });
  const db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(engine.endpoint)), {
    marshallOptions: { removeUndefinedValues: true },
  });
  // The invocation each request makes, as Lambda reports it (background consumers report too: the
  // request's own function is the one its route names).
  let lastInvocation: InvocationReport | undefined;
  let awaited: string | undefined;
  system.functions.observe((report) => {
    if (report.functionId === awaited) lastInvocation = report;
  });
  // The client side of both paths alike: keep-alive node:http, as the SDK's own request handler uses.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const tokens = {
    agent: await system.auth.sign({ sub: 'bench-agent', roles: ['agent'] }),
    manager: await system.auth.sign({ sub: 'bench-manager', roles: ['manager'] }),
    clerk: await system.auth.sign({ sub: 'bench-clerk', roles: ['parts_clerk'] }),
  };
  /** A request as `as`, answered by function `fn`; refused requests stop the bench (their time means nothing). */
  const send = (
    as: keyof typeof tokens,
    fn: FunctionId,
    method: string,
    path: string,
    payload?: unknown,
  ): Promise<Timed> =>
    new Promise<Timed>((ok, fail) => {
      awaited = fn;
      lastInvocation = undefined;
      const started = performance.now();
      const headers = {
        authorization: `Bearer ${tokens[as]}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      };
      const req = request(`${system.url}${path}`, { method, headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          const httpMs = performance.now() - started;
          const status = res.statusCode ?? 0;
          if (status >= 300) return fail(new Error(`${method} ${path} answered ${status}: ${text}`));
          if (!lastInvocation?.ok) return fail(new Error(`${method} ${path}: no invocation of ${fn} seen`));
          ok({ status, text, httpMs, functionMs: lastInvocation.durationMs });
        });
      });
      req.on('error', fail);
      req.end(payload === undefined ? undefined : JSON.stringify(payload));
    });
  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };

  const intake = {
    channel: 'hotline',
    customer: { name: 'Bench', address: 'A', phone: '+86 138 0000 0000' },
    product: { model: 'M', serialNumber: 'S1', purchaseDate: '2026-01-01', productLine: 'air-conditioner' },
    symptoms: 'bench',
    zone: 'urban',
    emergency: false,
  };
  // A stale body (the intake rules move on) stops the bench with the reason, not a TypeError later.
  const created = JSON.parse((await send('agent', 'case-intake', 'POST', '/cases', intake)).text) as {
    id: string;
  };
  const key = { pk: `CASE#${created.id}`, sk: 'CASE' };
  const item = (await db.send(new GetCommand({ TableName: 'bench', Key: key }))).Item as Record<
    string,
    unknown
  >;

  // The knowledge search: the demo entries, then a search must read the marker (GetItem) and count the
  // search (UpdateItem); the index itself is built once and kept in the function.
  for (const entry of demoEntries)
    await send('manager', 'knowledge-api', 'POST', '/knowledge/entries', entry);
  const searchPath = `/knowledge/search?${new URLSearchParams({ q: 'compresor overlaod' })}`;
  const searchRaw = async () => {
    await db.send(
      new GetCommand({ TableName: 'bench', Key: { pk: 'KB', sk: 'MARKER' }, ConsistentRead: true }),
    );
    await db.send(
      new UpdateCommand({
        TableName: 'bench',
        Key: { pk: 'KBDAY#RAW', sk: 'TOTALS' },
        UpdateExpression: 'ADD searches :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  };
  const search = () => send('agent', 'knowledge-search', 'GET', searchPath);

  // A case is read with its parts lines: one Query of the partition from the case item to its lines.
  const caseRead = new QueryCommand({
    TableName: 'bench',
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': key.pk, ':from': 'CASE', ':to': 'PARTUSE#\uffff' },
  });
  const readCase = () => send('agent', 'case-read', 'GET', `/cases/${created.id}`);

  // Warm both paths (JIT, connections, handler init) before measuring.
  for (let i = 0; i < 20; i++) {
    await search();
    await searchRaw();
    await readCase();
    await db.send(caseRead);
  }

  const read = new Samples();
  const write = new Samples();
  const create = new Samples();
  const find = new Samples();
  for (let i = 0; i < API_RUNS; i++) {
    find.raw.push(await time(searchRaw));
    find.add(await search());

    read.raw.push(await time(() => db.send(caseRead)));
    read.add(await readCase());

    // A command must read the case (and, beside it, the caller's profile for their name on the
    // timeline), then write case + timeline entry in one transaction.
    write.raw.push(
      await time(async () => {
        const [read] = await Promise.all([
          db.send(new GetCommand({ TableName: 'bench', Key: key })),
          db.send(new GetCommand({ TableName: 'bench', Key: { pk: 'STAFF#bench-agent', sk: 'PROFILE' } })),
        ]);
        const cur = read.Item as Record<string, unknown>;
        const v = Number(cur.version);
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: 'bench',
                  Item: { ...cur, version: v + 1 },
                  ConditionExpression: 'version = :v',
                  ExpressionAttributeValues: { ':v': v },
                },
              },
              {
                Put: {
                  TableName: 'bench',
                  Item: { pk: key.pk, sk: `RAW#${i}`, at: new Date().toISOString() },
                },
              },
            ],
          }),
        );
      }),
    );
    await system.bus.idle();
    write.add(
      await send('agent', 'case-command', 'POST', `/cases/${created.id}/categorize`, {
        category: i % 2 ? 'C' : 'D',
        reason: 'bench',
      }),
    );

    await system.bus.idle();
    // Intake, at best: the unit, the caller by phone and the branch; then the caller's record, the day
    // counter, the product line's warranty terms and the unit's contracts; then case + timeline in one
    // transaction.
    create.raw.push(
      await time(async () => {
        const get = (pk: string, sk: string) =>
          db.send(new GetCommand({ TableName: 'bench', Key: { pk, sk } }));
        const query = (pk: string, prefix?: string) =>
          db.send(
            new QueryCommand({
              TableName: 'bench',
              KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
              ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':prefix': prefix } : {}) },
              ConsistentRead: true,
            }),
          );
        await Promise.all([
          get('UNIT#S1', 'UNIT'),
          get('PHONE#+8613800000000', 'CUSTOMER'),
          get('BRANCH#main', 'PROFILE'),
        ]);
        await Promise.all([
          get(`CUSTOMER#${String((item.customer as { id: string }).id)}`, 'PROFILE'),
          db.send(
            new UpdateCommand({
              TableName: 'bench',
              Key: { pk: 'COUNTER#RAW', sk: 'COUNTER' },
              UpdateExpression: 'ADD seq :one',
              ExpressionAttributeValues: { ':one': 1 },
              ReturnValues: 'UPDATED_NEW',
            }),
          ),
          query('WARRANTY#air-conditioner'),
          query('UNIT#S1', 'CONTRACT#'),
        ]);
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: 'bench',
                  Item: { ...item, pk: `RAWCASE#${i}`, sk: 'CASE' },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: 'bench',
                  Item: { pk: `RAWCASE#${i}`, sk: 'TL#1', at: new Date().toISOString() },
                },
              },
            ],
          }),
        );
      }),
    );
    create.add(await send('agent', 'case-intake', 'POST', '/cases', intake));
  }

  // A month's KPIs: the route's one Query of day aggregates (the intakes above filled today's).
  await system.bus.idle();
  const month = new Date().toISOString().slice(0, 7);
  const monthQuery = () =>
    db.send(
      new QueryCommand({
        TableName: 'bench',
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': 'MEASURE#COMPANY', ':p': `DAY#${month}` },
      }),
    );
  const kpis = () => send('manager', 'measures-api', 'GET', `/reports/kpis?period=${month}`);
  const reports = new Samples();
  // The floor of any API request here: a path no route matches, answered by the gateway itself.
  const floor: number[] = [];
  const nothing = () =>
    new Promise<void>((ok, fail) => {
      const req = request(`${system.url}/no-such-route`, { agent }, (res) => {
        res.resume();
        res.on('end', () => ok());
      });
      req.on('error', fail);
      req.end();
    });
  for (let i = 0; i < 20; i++) {
    await kpis();
    await monthQuery();
    await nothing();
  }
  for (let i = 0; i < API_RUNS; i++) {
    reports.raw.push(await time(monthQuery));
    reports.add(await kpis());
    floor.push(await time(nothing));
  }

  // A stock movement (a receipt): the movement marker and the location, then the part and the stock
  // item, then one transaction of stock item (under its version), ledger entry and marker.
  await db.send(
    new PutCommand({
      TableName: 'bench',
      Item: {
        pk: 'BRANCH#main',
        sk: 'PROFILE',
        entity: 'Branch',
        schemaVersion: 1,
        id: 'main',
        name: 'Bench',
        timezone: 'Asia/Shanghai',
        zones: [{ name: 'City', kind: 'urban' }],
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
        updatedBy: 'bench',
        version: 1,
      },
    }),
  );
  await send('clerk', 'parts-api', 'POST', '/parts/locations/wh-bench', {
    name: 'Bench store',
    kind: 'warehouse',
    branchId: 'main',
  });
  await send('clerk', 'parts-api', 'POST', '/parts/catalogue/P-BENCH', {
    name: 'Bench part',
    productLines: ['bench-line'],
    unit: 'piece',
    unitCost: 1,
    suppliers: [],
  });
  const partKey = { pk: 'PART#P-BENCH', sk: 'PART' };
  const stock = new Samples();
  for (let i = 0; i < API_RUNS; i++) {
    await system.bus.idle();
    stock.raw.push(
      await time(async () => {
        await Promise.all([
          db.send(
            new GetCommand({
              TableName: 'bench',
              Key: { pk: `MOVE#raw-${i}`, sk: 'MOVE' },
              ConsistentRead: true,
            }),
          ),
          db.send(new GetCommand({ TableName: 'bench', Key: { pk: 'LOC#wh-bench', sk: 'LOC' } })),
        ]);
        const [, cur] = await Promise.all([
          db.send(new GetCommand({ TableName: 'bench', Key: partKey })),
          db.send(
            new GetCommand({
              TableName: 'bench',
              Key: { pk: 'PART#P-RAW', sk: 'STOCK#wh' },
              ConsistentRead: true,
            }),
          ),
        ]);
        const v = Number(cur.Item?.version ?? 0);
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: 'bench',
                  Item: { pk: 'PART#P-RAW', sk: 'STOCK#wh', onHand: v + 1, version: v + 1 },
                  ConditionExpression: 'attribute_not_exists(pk) OR version = :v',
                  ExpressionAttributeValues: { ':v': v },
                },
              },
              {
                Put: {
                  TableName: 'bench',
                  Item: { pk: 'PART#P-RAW', sk: `LEDGER#wh#${String(v + 1).padStart(10, '0')}`, delta: 1 },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: 'bench',
                  Item: { pk: `MOVE#raw-${i}`, sk: 'MOVE', at: new Date().toISOString() },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
      }),
    );
    await system.bus.idle();
    stock.add(
      await send('clerk', 'parts-api', 'POST', '/parts/receipts', {
        movementId: `bench-${i}`,
        locationId: 'wh-bench',
        lines: [{ partNumber: 'P-BENCH', quantity: 1 }],
        purchaseReference: 'PO',
      }),
    );
  }
  reports.record('GET /reports/kpis (month)', 'its Query');
  read.record('GET /cases/{id}', 'its partition Query');
  find.record('GET /knowledge/search', 'marker GetItem + counter Update');
  write.record('POST /cases/{id}/categorize', '2 GetItem + TransactWrite');
  create.record('POST /cases', '3 GetItem, GetItem + Update + 2 Query, TransactWrite');
  stock.record('POST /parts/receipts', '2 + 2 GetItem, TransactWrite');
  record('HTTP: 404 floor (no route) vs the month Query', median(floor), median(reports.raw), false);

  agent.destroy();
  db.destroy();
  await system.stop();
  await engine.stop();
}

const [part, ...functionIds] = process.argv.slice(2);
if (part !== undefined && part !== 'cold' && part !== 'api')
  throw new Error(`measure what? 'cold' or 'api', not '${part}'`);
if (functionIds.length && part !== 'cold') throw new Error('function ids go after `cold`');
if (!part || part === 'cold') await coldStart(functionIds);
if (!part || part === 'api') await apiLatency();

const width = Math.max(...rows.map((r) => r.what.length));
console.log(`\n${'measure'.padEnd(width)}  measured ms  baseline ms  ratio  (target ≤ ${TARGET})`);
for (const r of rows) {
  const flag = !r.judged ? '(shown)' : r.ratio <= TARGET ? 'ok' : 'OVER';
  console.log(
    `${r.what.padEnd(width)}  ${r.measured.toFixed(2).padStart(11)}  ${r.baseline.toFixed(2).padStart(11)}  ${r.ratio.toFixed(2).padStart(5)}  ${flag}`,
  );
}
const over = rows.filter((r) => r.judged && r.ratio > TARGET);
process.exitCode = over.length ? 1 : 0;
