/**
 * Step deadlines and restarts of the complaint investigation, through the real local system: the
 * supervisor's report is due 4 working hours after it opens on the branch calendar, an overdue step
 * climbs the branch's SLA ladder through the Scheduler emulation (clock frozen and advanced), and an
 * investigation in progress survives a restart of the runtime (same tables, new process state).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockControl } from '../../shared/runtime/clock.ts';
import { readOutbox } from '../support/surveys.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/** Asia/Shanghai wall-clock time → Date (UTC+8). 2026-11-23 is a Monday. */
const sh = (local: string) => new Date(`${local}:00+08:00`);
const tableName = `t_${randomUUID().slice(0, 8)}`;

let sys: TestSystem;
beforeAll(async () => {
  clockControl.freeze(sh('2026-11-23T09:00'));
  sys = await startTestSystem({ tableName });
  const manager = await sys.as('manager');
  await manager.post('/sla/branches/main/policy', {
    escalationContacts: {
      dispatcher: [],
      supervisor: ['supervisor@branch.example'],
      manager: ['manager@branch.example'],
    },
  });
});
afterAll(async () => {
  await sys.stop();
  clockControl.reset();
});

async function settle(s: TestSystem): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await s.bus.idle();
    await s.workflows.idle();
  }
}

async function register(s: TestSystem, n: number): Promise<string> {
  const agent = await s.as('agent');
  const res = await agent.post('/complaints', {
    channel: 'letter',
    customerId: `cust-dl-${n}`,
    customer: { name: 'Emma Smith', address: '1 Lake Road, Hangzhou' },
    subject: 'staff_attitude',
    text: 'The technician was rude.',
  });
  expect(res.status).toBe(201);
  await settle(s);
  return res.body.id;
}

const overdueMail = async (to: string, id: string) =>
  (await readOutbox(sys)).filter((m) => m.to.includes(to) && m.subject.includes(id));

describe('an overdue supervisor report', () => {
  it('is reported upward once at 4 working hours, and a redelivered firing sends nothing again', async () => {
    // Prepare: Monday 09:00, due 13:00
    const id = await register(sys, 1);
    const schedules = (await sys.timers.pending()).filter((t) => t.name.startsWith(`${id}.1.sr.`));

    // Act: just before, then at the due time, then the same firing again
    clockControl.freeze(sh('2026-11-23T12:59'));
    await sys.timers.runDue();
    await settle(sys);
    const before = await overdueMail('supervisor@branch.example', id);
    clockControl.freeze(sh('2026-11-23T13:00'));
    await sys.timers.runDue();
    await settle(sys);
    // Scheduler delivers at least once: the same firing again
    const breach = schedules.find((t) => t.name.includes('.breach.'));
    if (!breach) throw new Error('no breach schedule');
    await sys.timers.create(breach.group, breach.name, breach);
    const redelivered = await sys.timers.runDue();
    await settle(sys);

    // Assess
    expect(schedules.map((t) => t.name).sort()).toEqual([
      `${id}.1.sr.breach.20261123T050000Z`,
      `${id}.1.sr.mgr.20261123T070000Z`,
    ]);
    expect(before).toEqual([]);
    expect((await overdueMail('supervisor@branch.example', id)).map((m) => m.subject)).toEqual([
      `[Complaint step overdue] ${id}: supervisor report`,
    ]);
    expect(redelivered).toEqual([breach.name]);
    expect(await overdueMail('supervisor@branch.example', id)).toHaveLength(1);
    const dispatcher = await sys.as('dispatcher');
    const timeline = (await dispatcher.get(`/complaints/${id}/timeline`)).body.items as { action: string }[];
    expect(timeline.filter((e) => e.action === 'step-overdue')).toHaveLength(1);
  });
});

describe('a restart mid-investigation', () => {
  it('keeps the pending step waiting, and it can be completed after the restart', async () => {
    // Prepare: the report done, the analysis waiting
    clockControl.freeze(sh('2026-11-24T09:00'));
    const id = await register(sys, 2);
    const supervisor = await sys.as('dispatcher');
    const done = await supervisor.post(`/complaints/${id}/report`, {
      summary: 'Talked to the customer',
      investigate: { sales: false, quality: false, production: false },
    });
    expect(done.status).toBe(200);
    await settle(sys);

    // Act: stop the runtime, start a new one on the same tables (and port: the warm SDK clients of this
    // process keep their endpoint, as a new `npm start` on the same port would have it)
    const port = Number(new URL(sys.url).port);
    await sys.stop();
    sys = await startTestSystem({ tableName, port });
    await settle(sys);
    const again = await sys.as('dispatcher');
    const waiting = (await again.get(`/complaints/${id}/steps`)).body.items.filter(
      (s: { status: string }) => s.status === 'waiting',
    );
    const analysed = await again.post(`/complaints/${id}/analysis`, {
      report: 'Misunderstanding about the fee',
      cause: 'non_quality',
      responsibility: 'Service desk',
    });
    await settle(sys);

    // Assess
    expect(sys.workflows.running()).toContain(id);
    expect(waiting.map((s: { kind: string }) => s.kind)).toEqual(['analysis']);
    expect(analysed.status).toBe(200);
    const next = (await again.get(`/complaints/${id}/steps`)).body.items.filter(
      (s: { status: string }) => s.status === 'waiting',
    );
    expect(next.map((s: { kind: string }) => s.kind)).toEqual(['actions']);
    // Its deadline schedules were kept in the runtime table across the restart
    expect((await sys.timers.pending()).some((t) => t.name.startsWith(`${id}.1.ac.`))).toBe(true);
  });
});
