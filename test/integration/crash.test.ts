/**
 * An operator's bad day, against the real `npm start` in a child process (its own data folder, port and
 * process group): DynamoDB Local killed with SIGKILL, node killed with SIGKILL, the whole group killed
 * with SIGKILL — each in the middle of a burst of creates — then a torn checkpoint file, then a clean
 * SIGTERM. After each crash, every create the API acknowledged has its SLA milestones and schedules and is
 * in the dispatch queue exactly once, whatever was redelivered. Bounded: ~150 creates in all.
 *
 * One thing is outside the runtime's reach: DynamoDB Local itself can answer a `TransactWriteItems`
 * before the write is on disk, so the transaction in flight when java is SIGKILLed may be gone after the
 * restart although it was acknowledged (seen about once in ten kills). That case does not exist at all —
 * no case item, no events — and is tolerated, at most one per crash (java dies in each); every case that
 * exists must be complete.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAuth } from '../../infra/local/auth.ts';
import { localClientConfig } from '../../infra/local/dynamo.ts';
import { isAlive, lockFile, readLock } from '../../infra/local/lock.ts';
import { runtimeTableName, VISIBLE_INDEX } from '../../infra/local/queues.ts';
import { repoRoot } from '../../infra/local/system.ts';
import { intake } from '../support/system.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'aftercare-crash-'));
const BURST = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Runtime {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

function launch(): {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/local/start.ts', '--port', '0', '--data-dir', dataDir],
    {
      cwd: repoRoot,
      // Its own process group, as a terminal would give it: "the whole group" is then exactly npm start.
      detached: true,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, output: () => out, exited };
}

async function start(): Promise<Runtime> {
  const r = launch();
  const deadline = Date.now() + 60_000;
  while (!/API\s+(http:\/\/\S+)/.test(r.output())) {
    if (r.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`npm start did not come up:\n${r.output()}`);
    await sleep(100);
  }
  return { ...r, url: /API\s+(http:\/\/\S+)/.exec(r.output())?.[1] ?? '' };
}

function engineRunning(endpoint: string): boolean {
  const port = new URL(endpoint).port;
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.split('\n').some((l) => l.includes('DynamoDBLocal.jar') && l.includes(`-port ${port}`));
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

let agentToken = '';
let dispatcherToken = '';
async function tokens(): Promise<void> {
  const auth = await localAuth(join(dataDir, 'keys', 'jwt.json'));
  agentToken = await auth.sign({ sub: 'a-crash', roles: ['agent'] });
  dispatcherToken = await auth.sign({ sub: 'd-crash', roles: ['dispatcher'] });
}

/** Creates `BURST` cases, 6 at a time; calls `crash` once `after` were acknowledged. Returns the acknowledged ids. */
async function burst(url: string, after: number, crash: () => void): Promise<string[]> {
  const acked: string[] = [];
  let next = 0;
  let crashed = false;
  const worker = async () => {
    while (next < BURST) {
      next++;
      try {
        const res = await fetch(`${url}/cases`, {
          method: 'POST',
          headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(intake({ symptoms: `crash test ${next}` })),
          signal: AbortSignal.timeout(15_000),
        });
        if (res.status === 201) acked.push(((await res.json()) as { id: string }).id);
      } catch {
        // not acknowledged: the client would retry; nothing is promised for it
      }
      if (!crashed && acked.length >= after) {
        crashed = true;
        crash();
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return acked;
}

async function get(url: string, path: string): Promise<{ status: number; body: any }> {
  for (;;) {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${dispatcherToken}` } });
    if (res.status === 429) {
      await sleep(200);
      continue;
    }
    return { status: res.status, body: res.status === 200 ? await res.json() : await res.text() };
  }
}

async function scheduleNames(endpoint: string): Promise<string[]> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(endpoint)));
  const names: string[] = [];
  let start: Record<string, unknown> | undefined;
  try {
    do {
      const out = await db.send(
        new QueryCommand({
          TableName: runtimeTableName('aftercare'),
          IndexName: VISIBLE_INDEX,
          KeyConditionExpression: 'vpk = :p',
          ExpressionAttributeValues: { ':p': 'TIMERS' },
          ExclusiveStartKey: start,
        }),
      );
      names.push(...(out.Items ?? []).map((i) => String(i.name)));
      start = out.LastEvaluatedKey;
    } while (start);
  } finally {
    db.destroy();
  }
  return names;
}

/** Acknowledged creates DynamoDB Local itself lost when it was killed (see the header). */
const lostByEngine = new Set<string>();

/** What is wrong with the acknowledged cases (empty when every one is complete and none is doubled). */
async function problems(url: string, ids: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const endpoint = readLock(dataDir)?.dynamoEndpoint ?? '';
  const names = await scheduleNames(endpoint);
  const queued: Array<{ caseId: string; number: string }> = [];
  let cursor: string | undefined;
  do {
    const page = await get(
      url,
      `/dispatch/queue?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (page.status !== 200) return [`dispatch queue answered ${page.status}`];
    queued.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  const numbers = queued.map((e) => e.number);
  if (new Set(numbers).size !== numbers.length) found.push('a case number is in the dispatch queue twice');
  for (const id of ids) {
    if (lostByEngine.has(id)) continue;
    const sla = await get(url, `/cases/${id}/sla`);
    const kinds = sla.status === 200 ? sla.body.milestones.map((m: { kind: string }) => m.kind) : [];
    const pending =
      sla.status === 200
        ? sla.body.milestones.reduce((n: number, m: { pendingTimers: number }) => n + m.pendingTimers, 0)
        : 0;
    const schedules = names.filter((n) => n.startsWith(`${id}.`)).length;
    const inQueue = queued.filter((e) => e.caseId === id).length;
    if (!kinds.includes('first_response') || !kinds.includes('arrival')) found.push(`${id}: no milestones`);
    else if (pending === 0 || schedules < pending) found.push(`${id}: ${schedules} of ${pending} schedules`);
    if (inQueue !== 1) found.push(`${id}: ${inQueue} times in the dispatch queue`);
  }
  return found;
}

/** Waits (bounded) until every acknowledged case is complete; fails with what is still missing. */
async function expectComplete(r: Runtime, ids: readonly string[], engineKilled = false): Promise<void> {
  if (engineKilled) {
    const missing: string[] = [];
    for (const id of ids) if ((await get(r.url, `/cases/${id}`)).status === 404) missing.push(id);
    // Only the transaction in flight at the kill can be gone.
    expect(missing.length, `cases the engine lost: ${missing.join(', ')}`).toBeLessThanOrEqual(1);
    for (const id of missing) lostByEngine.add(id);
  }
  const deadline = Date.now() + 60_000;
  let last: string[] = [];
  for (;;) {
    last = await problems(r.url, ids).catch((err: Error) => [err.message]);
    if (last.length === 0 || Date.now() > deadline) break;
    await sleep(1000);
  }
  expect(last, `${last.slice(0, 5).join('\n')}\n--- npm start said:\n${r.output().slice(-3000)}`).toEqual([]);
}

let running: Runtime | undefined;
const everyAcked: string[] = [];

beforeAll(async () => {
  running = await start();
  await tokens();
}, 90_000);
afterAll(async () => {
  if (running && running.child.exitCode === null) {
    try {
      process.kill(-(running.child.pid ?? 0), 'SIGKILL');
    } catch {
      // gone
    }
  }
  await sleep(500);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start under crashes', () => {
  it('refuses a second start on the same data folder while the first runs', async () => {
    // Act
    const second = launch();
    const code = await second.exited;

    // Assess
    expect(code).toBe(1);
    expect(second.output()).toContain(`The data folder ${dataDir} is in use by another Aftercare runtime`);
    expect(second.output()).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('survives DynamoDB Local killed mid-burst: health says so, the engine comes back, nothing is lost', async () => {
    // Prepare
    const r = running as Runtime;
    const enginePid = readLock(dataDir)?.enginePid ?? 0;
    let killedAt = 0;
    let unhealthyAfter: number | undefined;
    const watchHealth = (async () => {
      await until('the engine is killed', () => killedAt > 0, 60_000);
      while (unhealthyAfter === undefined && Date.now() - killedAt < 10_000) {
        const res = await fetch(`${r.url}/health`).catch(() => undefined);
        if (res?.status === 503) {
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          unhealthyAfter = Date.now() - killedAt;
        }
        await sleep(100);
      }
    })();

    // Act
    const acked = await burst(r.url, 15, () => {
      process.kill(enginePid, 'SIGKILL');
      killedAt = Date.now();
    });
    await watchHealth;
    await until('the engine is back', () => /DynamoDB Local is back/.test(r.output()), 60_000);
    everyAcked.push(...acked);

    // Assess
    expect(enginePid).toBeGreaterThan(0);
    expect(unhealthyAfter).toBeLessThan(5000);
    expect(r.output()).toContain('DynamoDB Local stopped unexpectedly');
    expect(acked.length).toBeGreaterThanOrEqual(15);
    await expectComplete(r, acked, true);
    expect((await fetch(`${r.url}/health`)).status).toBe(200);
  }, 150_000);

  it('survives node killed mid-burst: java goes with it, the next start takes over the stale lock', async () => {
    // Prepare
    const r = running as Runtime;
    const endpoint = readLock(dataDir)?.dynamoEndpoint ?? '';

    // Act
    const acked = await burst(r.url, 15, () => r.child.kill('SIGKILL'));
    await r.exited;
    await until('java is gone', () => !engineRunning(endpoint), 10_000);
    running = await start();
    everyAcked.push(...acked);

    // Assess
    expect(running.output()).toContain('removing a stale lock');
    await expectComplete(running, acked, true);
  }, 150_000);

  it('survives the whole group killed mid-burst, and a torn checkpoint file does not stop the next start', async () => {
    // Prepare
    const r = running as Runtime;
    const endpoint = readLock(dataDir)?.dynamoEndpoint ?? '';

    // Act
    const acked = await burst(r.url, 15, () => process.kill(-(r.child.pid ?? 0), 'SIGKILL'));
    await r.exited;
    await until('java is gone', () => !engineRunning(endpoint), 10_000);
    // A write torn by the crash (the runtime itself renames complete files into place).
    writeFileSync(join(dataDir, 'stream-checkpoints.json'), '{"shardId-00000001-abc":"0000000');
    running = await start();
    everyAcked.push(...acked);

    // Assess
    expect(running.output()).toMatch(/stream checkpoint file .* is unreadable/);
    // Relayed again from the oldest record: every case ever acknowledged is complete and none doubled.
    await expectComplete(running, acked, true);
    await expectComplete(running, everyAcked);
  }, 150_000);

  it('stops on SIGTERM to its group in order, exits 0 without a stack trace, and leaves no java', async () => {
    // Prepare
    const r = running as Runtime;
    const endpoint = readLock(dataDir)?.dynamoEndpoint ?? '';
    const before = r.output().length;

    // Act
    process.kill(-(r.child.pid ?? 0), 'SIGTERM');
    const code = await r.exited;

    // Assess
    const said = r.output().slice(before);
    expect(code).toBe(0);
    expect(said).toContain('stopped.');
    expect(said).not.toMatch(/\n\s+at |ECONNREFUSED|Error/);
    expect(engineRunning(endpoint)).toBe(false);
    expect(existsSync(lockFile(dataDir))).toBe(false);
    expect(isAlive(r.child.pid ?? 0)).toBe(false);
  }, 60_000);
});
