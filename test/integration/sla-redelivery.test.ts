/**
 * At-least-once delivery means consumers see events more than once: the SLA clock must converge. Every
 * event of a case delivered again (twice, through the same queues, with the same event ids) leaves its
 * SLA state byte-identical — milestones, escalations, dispatch-queue entry, schedules and the
 * milestones' measures — and a delivery that failed half-way (schedules partly created) is completed by the retry.
 * The clock is frozen: what is compared is the same event applied at the same instant.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allEventRules } from '../../functions/catalog.ts';
import { ruleMessages } from '../../infra/local/bus.ts';
import { localClientConfig } from '../../infra/local/dynamo.ts';
import { clockControl } from '../../shared/runtime/clock.ts';
import { staffMember } from '../support/directory.ts';
import { type Caller, intake, startTestSystem, type TestSystem } from '../support/system.ts';

const sh = (local: string) => new Date(`${local}:00+08:00`);

let sys: TestSystem;
let db: DynamoDBDocumentClient;
let agent: Caller;
let dispatcher: Caller;

beforeAll(async () => {
  clockControl.freeze(sh('2026-11-23T09:00'));
  sys = await startTestSystem();
  db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(sys.dynamoEndpoint)));
  agent = await sys.as('agent');
  dispatcher = await sys.as('dispatcher');
});
afterAll(async () => {
  db.destroy();
  await sys.stop();
  clockControl.reset();
  vi.restoreAllMocks();
});

async function query(pk: string): Promise<Record<string, unknown>[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: sys.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

/** Everything the SLA machinery keeps for a case, as one string. */
async function slaState(caseId: string, branchId: string): Promise<string> {
  const items = (await query(`CASE#${caseId}`)).filter((i) => /(^|#)SLA#/.test(String(i.sk)));
  const schedules = (await sys.timers.pending()).filter((t) => t.name.startsWith(`${caseId}.`));
  // The milestones met, as the measures count them (the branch's day aggregates).
  const measures = await query(`MEASURE#B#${branchId}`);
  return JSON.stringify({ items, schedules, measures });
}

/** Puts every event of the case again into the queue of each rule it matches, as a redelivery would. */
async function redeliver(caseId: string): Promise<number> {
  const events = sys.bus.history.filter((e) => e.detail.caseId === caseId);
  const messages = events.flatMap((event) => ruleMessages(allEventRules, event));
  await sys.queues.send(messages);
  await sys.bus.idle();
  return messages.length;
}

describe('SLA state under redelivery', () => {
  it('is byte-identical after every event of a case is delivered twice more', async () => {
    // Prepare: opened, re-zoned, assigned (first response met and counted in the measures).
    await staffMember(sys, 'tech-r', { branchId: 'redeliver' });
    const open = await agent.post('/cases', intake({ branchId: 'redeliver' }));
    expect(open.status).toBe(201);
    const id: string = open.body.id;
    await sys.bus.idle();
    clockControl.freeze(sh('2026-11-23T09:05'));
    const rezone = await agent.post(`/cases/${id}/update-details`, {
      zone: 'suburban',
      reason: 'Unit moved to the plant',
    });
    expect(rezone.status).toBe(200);
    await sys.bus.idle();
    clockControl.freeze(sh('2026-11-23T09:10'));
    expect((await dispatcher.post(`/cases/${id}/assign`, { technicianId: 'tech-r' })).status).toBe(200);
    await sys.bus.idle();
    const before = await slaState(id, 'redeliver');

    // Act
    const first = await redeliver(id);
    const afterOnce = await slaState(id, 'redeliver');
    await redeliver(id);
    const afterTwice = await slaState(id, 'redeliver');

    // Assess
    expect(first).toBeGreaterThanOrEqual(4);
    expect(JSON.parse(before).items.length).toBeGreaterThan(0);
    expect(JSON.parse(before).measures.length).toBeGreaterThan(0);
    expect(afterOnce).toBe(before);
    expect(afterTwice).toBe(before);
    expect(await sys.queues.deadLetters()).toEqual([]);
  });

  it('completes a delivery that failed half-way through creating schedules, on its retry', async () => {
    // Prepare: the second schedule the clock creates fails once (a blip at Scheduler).
    clockControl.freeze(sh('2026-11-24T09:00'));
    const send = SchedulerClient.prototype.send;
    let creates = 0;
    let failures = 0;
    const spy = vi.spyOn(SchedulerClient.prototype, 'send').mockImplementation(function (
      this: SchedulerClient,
      command: unknown,
    ) {
      if (command instanceof CreateScheduleCommand && ++creates === 2) {
        failures++;
        return Promise.reject(new Error('Scheduler blip'));
      }
      return (send as (c: unknown) => Promise<unknown>).call(this, command);
    } as typeof send);

    // Act
    const open = await agent.post('/cases', intake({ branchId: 'halfway' }));
    const id: string = open.body.id;
    await sys.bus.idle();
    spy.mockRestore();
    const before = await slaState(id, 'halfway');
    await redeliver(id);

    // Assess
    expect(open.status).toBe(201);
    expect(failures).toBe(1);
    const milestones = (await query(`CASE#${id}`)).filter((i) => String(i.sk).startsWith('SLA#M#'));
    const wanted = milestones.flatMap((m) => m.timers as string[]);
    const pending = (await sys.timers.pending()).map((t) => t.name);
    expect(wanted.length).toBeGreaterThan(1);
    expect(pending).toEqual(expect.arrayContaining(wanted));
    const queue = await dispatcher.get('/dispatch/queue?branchId=halfway');
    expect(queue.body.items.map((e: { caseId: string }) => e.caseId)).toEqual([id]);
    expect(await slaState(id, 'halfway')).toBe(before);
    expect(await sys.queues.deadLetters()).toEqual([]);
  });
});
