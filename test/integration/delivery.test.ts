/**
 * The local delivery queues on the real engine: a consumer that fails for a while gets its message on a
 * later receive; one that keeps failing lands in the dead-letter store after exactly the configured
 * receives and comes back with `npm run dlq -- redrive`; the bus acknowledges an event only once it is
 * stored; a schedule whose target keeps failing is dead-lettered too.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { queueDelivery } from '../../infra/delivery.ts';
import { LocalBus } from '../../infra/local/bus.ts';
import { DeliveryQueues, ensureRuntimeTable, runtimeTableName } from '../../infra/local/queues.ts';
import { repoRoot } from '../../infra/local/system.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const run = promisify(execFile);
const quiet = { log: () => undefined, error: () => undefined };
const endpoint = inject('dynamoEndpoint');
const appTable = `q_${randomUUID().slice(0, 8)}`;

type Behaviour = (receive: number) => Promise<unknown>;
let behaviour: Behaviour = async () => undefined;
const receives: Array<{ target: string; receiveCount: number; body: string }> = [];
let queues: DeliveryQueues;

beforeAll(async () => {
  await ensureRuntimeTable(endpoint, runtimeTableName(appTable));
  queues = new DeliveryQueues({
    endpoint,
    tableName: runtimeTableName(appTable),
    // Seconds become milliseconds; the receive counts stay as configured.
    timeScale: 0.001,
    log: quiet,
    invoke: async (target, event) => {
      const record = (event as { Records: Array<{ body: string; attributes: Record<string, string> }> })
        .Records[0];
      const receiveCount = Number(record?.attributes.ApproximateReceiveCount);
      receives.push({ target, receiveCount, body: record?.body ?? '' });
      return behaviour(receiveCount);
    },
  });
  queues.start();
});
afterAll(async () => {
  await queues.stop();
});

const message = (body: string) => ({
  source: 'rule/test-rule',
  target: 'audit',
  shape: 'sqs' as const,
  body,
  maxReceiveCount: queueDelivery.maxReceiveCount,
  maxAgeSeconds: queueDelivery.maxAgeSeconds,
});

async function dlq(...args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'infra/local/dlq.ts', ...args, '--endpoint', endpoint, '--table', appTable, '--json'],
    { cwd: repoRoot, env: process.env },
  );
  return stdout;
}

describe('delivery queues', () => {
  it('delivers a message whose consumer fails twice on the third receive, and keeps no dead letter', async () => {
    // Prepare
    receives.length = 0;
    behaviour = async (receive) => {
      if (receive < 3) throw new Error('blip');
    };

    // Act
    await queues.send([message('{"n":"transient"}')]);
    await queues.idle();

    // Assess
    expect(receives.map((r) => r.receiveCount)).toEqual([1, 2, 3]);
    expect(await queues.depth()).toBe(0);
    expect(await queues.deadLetters()).toEqual([]);
  });

  it('dead-letters a message after the configured receives, and the dlq command redrives it', async () => {
    // Prepare
    receives.length = 0;
    behaviour = async () => ({ batchItemFailures: [{ itemIdentifier: 'x' }] });

    // Act
    await queues.send([message('{"n":"poison"}')]);
    await queues.idle();
    const listed = JSON.parse(await dlq('list')) as Array<{
      id: string;
      receiveCount: number;
      source: string;
    }>;
    behaviour = async () => ({ batchItemFailures: [] });
    const redriven = JSON.parse(await dlq('redrive', '--id', listed[0]?.id ?? '')) as { redriven: string[] };
    await queues.idle();

    // Assess
    expect(receives.slice(0, queueDelivery.maxReceiveCount).map((r) => r.receiveCount)).toEqual(
      Array.from({ length: queueDelivery.maxReceiveCount }, (_, i) => i + 1),
    );
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      receiveCount: queueDelivery.maxReceiveCount,
      source: 'rule/test-rule',
      target: 'audit',
    });
    expect(redriven.redriven).toEqual([listed[0]?.id]);
    expect(receives.at(-1)).toMatchObject({ receiveCount: 1, body: '{"n":"poison"}' });
    expect(receives).toHaveLength(queueDelivery.maxReceiveCount + 1);
    expect(await queues.deadLetters()).toEqual([]);
    expect(await queues.depth()).toBe(0);
  }, 30_000);
});

describe('the local bus', () => {
  it('reports every entry as failed, and archives nothing, when its queues cannot store the event', async () => {
    // Prepare
    const bus = new LocalBus([{ name: 'all', pattern: { source: ['test'] }, target: 'audit' }], {
      send: () => Promise.reject(new Error('engine gone')),
      idle: () => Promise.resolve(),
    });

    // Act
    const out = await bus.put([{ Source: 'test', DetailType: 'Thing', Detail: '{"a":1}' }]);

    // Assess
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries[0]?.ErrorCode).toBe('InternalFailure');
    expect(bus.history).toEqual([]);
  });
});

describe('scheduler firings', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem({ log: { ...quiet, warn: () => undefined } });
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('retries a failing target within the schedule retry policy, then dead-letters it, redrivable', async () => {
    // Prepare: an input the timer function refuses (it fails validation every time).
    await sys.timers.create('aftercare-test', 'bad-input', {
      ScheduleExpression: 'at(2020-01-01T00:00:00)',
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: 'arn:aws:lambda:local:000000000000:function:sla-timer',
        RoleArn: 'arn:aws:iam::000000000000:role/test',
        Input: JSON.stringify({ kind: 'nonsense' }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      },
    });

    // Act
    await sys.timers.runDue();
    await sys.bus.idle();
    const letters = await sys.queues.deadLetters();
    const moved = await sys.queues.redrive(letters.map((d) => d.id));
    await sys.bus.idle();

    // Assess
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      source: 'schedule/aftercare-test/bad-input',
      target: 'sla-timer',
      receiveCount: 3,
      body: JSON.stringify({ kind: 'nonsense' }),
    });
    expect(await sys.timers.pending()).not.toContainEqual(expect.objectContaining({ name: 'bad-input' }));
    // Redriven, it failed its three receives again and is back in the store.
    expect(moved).toHaveLength(1);
    expect(await sys.queues.deadLetters()).toHaveLength(1);
  });
});
