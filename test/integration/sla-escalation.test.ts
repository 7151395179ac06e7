/**
 * SLA clocks through the real local system: HTTP API, bus, the SLA consumer, the Scheduler emulation
 * (schedules kept in the table) and the timer function. The clock is frozen and advanced; schedules
 * fire on `sys.timers.runDue()`. Escalation e-mails go through the unchanged SES client to the local
 * SES, and are read back from its outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { clockControl } from '../../shared/runtime/clock.ts';
import { asTechnician, staffMember } from '../support/directory.ts';
import { type OutboxItem, readOutbox } from '../support/surveys.ts';
import { type Caller, intake, startTestSystem, type TestSystem } from '../support/system.ts';

/** Asia/Shanghai wall-clock time → Date (UTC+8). 2026-11-23 is a Monday. */
const sh = (local: string) => new Date(`${local}:00+08:00`);
const iso = (local: string) => sh(local).toISOString();

const contacts = {
  dispatcher: ['dispatch@branch.example'],
  supervisor: ['supervisor@branch.example'],
  manager: ['manager@branch.example'],
};

let sys: TestSystem;
let manager: Caller;
let agent: Caller;
let dispatcher: Caller;

beforeAll(async () => {
  clockControl.freeze(sh('2026-11-23T08:30'));
  sys = await startTestSystem();
  manager = await sys.as('manager');
  agent = await sys.as('agent');
  dispatcher = await sys.as('dispatcher');
});
afterAll(async () => {
  await sys.stop();
  clockControl.reset();
});

/** Every e-mail the local SES has taken so far, oldest first. */
async function sentMail(): Promise<OutboxItem[]> {
  return (await readOutbox(sys)).reverse();
}

/** The e-mails sent after `mark` (a count from `sentMail()`), oldest first. */
async function mailSince(mark: number): Promise<OutboxItem[]> {
  return (await sentMail()).slice(mark);
}

/** Moves the frozen clock to a local time and fires what is due, letting the events settle. */
async function at(local: string): Promise<string[]> {
  clockControl.freeze(sh(local));
  const fired = await sys.timers.runDue();
  await sys.bus.idle();
  return fired;
}

async function open(branchId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await agent.post('/cases', intake({ branchId, ...overrides }));
  expect(res.status).toBe(201);
  await sys.bus.idle();
  return res.body.id;
}

async function setPolicy(branchId: string, policy: Record<string, unknown> = {}) {
  const res = await manager.post(`/sla/branches/${branchId}/policy`, {
    escalationContacts: contacts,
    ...policy,
  });
  expect(res.status).toBe(200);
}

const pendingFor = async (caseId: string) =>
  (await sys.timers.pending()).filter((t) => t.name.startsWith(`${caseId}.`)).map((t) => t.name);

type Escalation = {
  action: string;
  details: { milestone: string; step: string; notify: string; level: string };
};
async function escalationsOf(caseId: string): Promise<string[]> {
  const timeline = await dispatcher.get(`/cases/${caseId}/timeline`);
  return (timeline.body.items as Escalation[])
    .filter((e) => e.action === 'sla-escalation')
    .map((e) => `${e.details.milestone}:${e.details.step}→${e.details.notify}`);
}

describe('escalation ladder of a case nobody touches', () => {
  it('warns the dispatcher at 50 % and 75 %, tells the supervisor at the breach and the manager 2 working hours later', async () => {
    // Prepare: Monday 09:00, urban: first response due 09:30, arrival due 15:00
    await setPolicy('ladder');
    await at('2026-11-23T09:00');
    const id = await open('ladder');
    const scheduled = await pendingFor(id);
    const mark = (await sentMail()).length;

    // Act: walk the day
    await at('2026-11-23T12:00');
    const afterHalf = await escalationsOf(id);
    await at('2026-11-23T13:30');
    await at('2026-11-23T15:00');
    const afterBreach = await escalationsOf(id);
    await at('2026-11-23T17:00');

    // Assess: one schedule per pending step, in the SLA group
    expect(scheduled.sort()).toEqual(
      [
        `${id}.fr.p50.20261123T011500Z`,
        `${id}.fr.p75.20261123T012230Z`,
        `${id}.fr.breach.20261123T013000Z`,
        `${id}.fr.mgr.20261123T033000Z`,
        `${id}.arr.p50.20261123T040000Z`,
        `${id}.arr.p75.20261123T053000Z`,
        `${id}.arr.breach.20261123T070000Z`,
        `${id}.arr.mgr.20261123T090000Z`,
      ].sort(),
    );
    // the timeline, in order
    expect(afterHalf).toEqual([
      'first_response:p50→dispatcher',
      'first_response:p75→dispatcher',
      'first_response:breach→supervisor',
      'first_response:mgr→manager',
      'arrival:p50→dispatcher',
    ]);
    expect(afterBreach.slice(5)).toEqual(['arrival:p75→dispatcher', 'arrival:breach→supervisor']);
    expect((await escalationsOf(id)).slice(7)).toEqual(['arrival:mgr→manager']);
    // e-mails to the people of each step
    const arrivalMails = (await mailSince(mark)).filter((m) => m.subject.includes('arrival'));
    expect(arrivalMails.map((m) => [m.to, m.subject.split(']')[0]])).toEqual([
      [['dispatch@branch.example'], '[SLA warning'],
      [['dispatch@branch.example'], '[SLA urgent!'],
      [['supervisor@branch.example'], '[SLA breach'],
      [['manager@branch.example'], '[SLA escalation'],
    ]);
    expect(arrivalMails.every((m) => m.from.includes('<service@aftercare.local>'))).toBe(true);
    expect(arrivalMails[2]?.text).toContain(`Case ${id} (urban) has missed its arrival on site deadline.`);
    // domain events
    const types = sys.bus.history
      .filter((e) => e.detail.caseId === id && e.detail.milestone === 'arrival')
      .map((e) => e['detail-type']);
    expect(types).toEqual(['SLA Warning', 'SLA Warning', 'SLA Breached', 'Case Escalated']);
    // the milestone as stored, and no schedule left
    const sla = await dispatcher.get(`/cases/${id}/sla`);
    expect(sla.body.milestones.find((m: { kind: string }) => m.kind === 'arrival')).toMatchObject({
      status: 'running',
      dueAt: iso('2026-11-23T15:00'),
      breached: true,
      pendingTimers: 0,
    });
    expect(sla.body.escalations).toHaveLength(8);
    expect(await pendingFor(id)).toEqual([]);
  });
});

describe('a case handled in time', () => {
  it('gets no breach when the technician arrives in time, and its schedules are gone', async () => {
    // Prepare
    await setPolicy('ontime');
    await at('2026-11-24T09:00');
    const id = await open('ontime', { zone: 'suburban' });
    const tech = await asTechnician(sys, undefined, 'ontime');
    const before = await pendingFor(id);

    // Act
    clockControl.freeze(sh('2026-11-24T09:10'));
    expect((await dispatcher.post(`/cases/${id}/assign`, { technicianId: tech.sub })).status).toBe(200);
    await sys.bus.idle();
    clockControl.freeze(sh('2026-11-24T11:00'));
    expect((await tech.post(`/cases/${id}/arrive`, { idShown: true, faultConfirmed: true })).status).toBe(
      200,
    );
    await sys.bus.idle();
    const after = await pendingFor(id);
    await at('2026-11-24T18:00');

    // Assess
    expect(before).toHaveLength(8);
    expect(after).toEqual([]);
    expect(await escalationsOf(id)).toEqual([]);
    const sla = await dispatcher.get(`/cases/${id}/sla`);
    const byKind = Object.fromEntries(sla.body.milestones.map((m: { kind: string }) => [m.kind, m]));
    expect(byKind.first_response).toMatchObject({
      status: 'met',
      metAt: iso('2026-11-24T09:10'),
      breached: false,
      activeMinutes: 10,
    });
    expect(byKind.arrival).toMatchObject({
      status: 'met',
      metAt: iso('2026-11-24T11:00'),
      dueAt: iso('2026-11-24T16:00'),
      breached: false,
    });
    const measures = await manager.get('/sla/measures?branchId=ontime&month=2026-11');
    expect(
      measures.body.milestones.find((m: { milestone: string }) => m.milestone === 'first_response'),
    ).toEqual({
      milestone: 'first_response',
      met: 1,
      onTime: 1,
      onTimeRate: 1,
      averageMinutes: 10,
    });
  });

  it('moves the due time when the zone changes, keeping the elapsed time', async () => {
    // Prepare: urban, arrival due 15:00
    await setPolicy('rezone');
    await at('2026-11-25T09:00');
    const id = await open('rezone');

    // Act
    clockControl.freeze(sh('2026-11-25T10:00'));
    const res = await agent.post(`/cases/${id}/update-details`, {
      zone: 'suburban',
      reason: 'Customer moved the unit to the plant',
    });
    await sys.bus.idle();

    // Assess
    expect(res.status).toBe(200);
    const sla = await dispatcher.get(`/cases/${id}/sla`);
    expect(sla.body.milestones.find((m: { kind: string }) => m.kind === 'arrival')).toMatchObject({
      dueAt: iso('2026-11-25T16:00'),
    });
    const pending = await pendingFor(id);
    expect(pending).toContain(`${id}.arr.breach.20261125T080000Z`);
    expect(pending).not.toContain(`${id}.arr.breach.20261125T070000Z`);
  });
});

describe('redelivery', () => {
  it('does not escalate twice when the same timer fires again', async () => {
    // Prepare
    await setPolicy('redeliver');
    await at('2026-11-26T09:00');
    const id = await open('redeliver');
    const firstHalf = (await sys.timers.pending()).find((t) => t.name.startsWith(`${id}.fr.p50.`));
    if (!firstHalf?.Target.Input) throw new Error('no first-response 50 % schedule');
    const { handler } = await import('../../functions/sla/timer.ts');
    await at('2026-11-26T09:16');
    const mark = (await sentMail()).length;

    // Act: Scheduler delivers the same input again (at-least-once)
    const again = await handler(JSON.parse(firstHalf.Target.Input), lambdaContext('sla-timer'));
    await sys.bus.idle();

    // Assess
    expect(again).toEqual({ outcome: 'duplicate' });
    expect(await escalationsOf(id)).toEqual(['first_response:p50→dispatcher']);
    expect(await mailSince(mark)).toEqual([]);
    const warnings = sys.bus.history.filter(
      (e) => e.detail.caseId === id && e['detail-type'] === 'SLA Warning',
    );
    expect(warnings).toHaveLength(1);
  });

  it('ignores a stale timer whose step moved', async () => {
    // Prepare
    await setPolicy('stale');
    await at('2026-11-26T09:00');
    const id = await open('stale');
    const { handler } = await import('../../functions/sla/timer.ts');

    // Act
    const outcome = await handler(
      {
        kind: 'sla-step',
        caseId: id,
        milestone: 'arrival',
        step: 'p50',
        fireAt: iso('2026-11-26T11:00'),
      },
      lambdaContext('sla-timer'),
    );

    // Assess
    expect(outcome).toEqual({ outcome: 'stale' });
    expect(await escalationsOf(id)).toEqual([]);
  });
});

describe('next-morning priority', () => {
  it('puts a request left undispatched overnight first in the next morning queue', async () => {
    // Prepare: the branch's calendar and a 2-hour emergency limit, so a later emergency is due earlier
    expect(
      (
        await manager.post('/sla/branches/queue/calendar', {
          workingHours: [{ start: '08:00', end: '18:00' }],
        })
      ).status,
    ).toBe(200);
    await setPolicy('queue', { emergencyArrivalHours: 2 });
    await at('2026-11-30T17:30');
    await sys.bus.idle();
    const morning = (await sys.timers.pending()).find((t) => t.name === 'morning.queue');
    const evening = await open('queue');

    // Act
    await at('2026-12-01T08:00');
    await at('2026-12-01T08:05');
    const early = await open('queue', { emergency: true });
    const queue = await dispatcher.get('/dispatch/queue?branchId=queue');

    // Assess
    expect(morning).toMatchObject({
      ScheduleExpression: 'cron(0 8 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      dueAt: iso('2026-12-01T08:00'),
    });
    expect(queue.status).toBe(200);
    expect(
      queue.body.items.map((e: { caseId: string; priority: boolean; arrivalDueAt: string }) => [
        e.caseId,
        e.priority,
        e.arrivalDueAt,
      ]),
    ).toEqual([
      [evening, true, iso('2026-12-01T13:30')],
      [early, false, iso('2026-12-01T10:05')],
    ]);
  });

  it('takes a dispatched request off the queue', async () => {
    // Prepare
    await at('2026-12-01T09:00');
    const id = await open('queue2');
    await staffMember(sys, 'tech-q', { branchId: 'queue2' });
    const before = await dispatcher.get('/dispatch/queue?branchId=queue2');

    // Act
    await dispatcher.post(`/cases/${id}/assign`, { technicianId: 'tech-q' });
    await sys.bus.idle();
    const after = await dispatcher.get('/dispatch/queue?branchId=queue2');

    // Assess
    expect(before.body.items.map((e: { caseId: string }) => e.caseId)).toEqual([id]);
    expect(after.body.items).toEqual([]);
  });
});

describe('workshop repairs', () => {
  it('reports an overdue workshop repair to the supervisor, and only that', async () => {
    // Prepare: carried in at 09:05 on Wednesday; the workshop allows 5 working days
    await setPolicy('workshop');
    await at('2026-12-02T09:00');
    const id = await open('workshop');
    clockControl.freeze(sh('2026-12-02T09:05'));
    const checkIn = await agent.post(`/cases/${id}/workshop-check-in`, {
      itemDescription: 'AC-3200 indoor unit',
      condition: 'Scratched casing',
    });
    await sys.bus.idle();
    const mark = (await sentMail()).length;

    // Act
    const early = await at('2026-12-09T09:04');
    await at('2026-12-09T09:05');

    // Assess
    expect(checkIn.status).toBe(200);
    expect(early.filter((n) => n.startsWith(`${id}.ws.`))).toEqual([]);
    expect(await escalationsOf(id)).toEqual(['workshop_repair:breach→supervisor']);
    expect((await mailSince(mark)).map((m) => [m.to, m.subject])).toEqual([
      [['supervisor@branch.example'], `[SLA breach] ${id} missed its workshop repair deadline`],
    ]);
    const sla = await dispatcher.get(`/cases/${id}/sla`);
    const byKind = Object.fromEntries(sla.body.milestones.map((m: { kind: string }) => [m.kind, m]));
    expect(byKind.arrival).toMatchObject({ status: 'cancelled' });
    expect(byKind.workshop_repair).toMatchObject({
      status: 'running',
      dueAt: iso('2026-12-09T09:05'),
      breached: true,
    });
  });
});

describe('SLA settings', () => {
  it('lets managers set a calendar with a lunch break and make-up day, and refuses others', async () => {
    // Prepare
    const body = {
      workingHours: [
        { start: '08:30', end: '12:00' },
        { start: '13:00', end: '17:30' },
      ],
      holidays: ['2027-01-01'],
      makeUpWorkingDays: ['2027-01-02'],
    };

    // Act
    const byDispatcher = await dispatcher.post('/sla/branches/hz/calendar', body);
    const byManager = await manager.post('/sla/branches/hz/calendar', body);
    const bad = await manager.post('/sla/branches/hz/calendar', {
      workingHours: [{ start: '18:00', end: '08:00' }],
    });
    const read = await agent.get('/sla/branches/hz/calendar');
    await sys.bus.idle();

    // Assess
    expect(byDispatcher.status).toBe(403);
    expect(byManager.status).toBe(200);
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe('workingHours.0');
    expect(read.body.calendar).toMatchObject({ timezone: 'Asia/Shanghai', ...body });
    expect((await sys.timers.pending()).find((t) => t.name === 'morning.hz')).toMatchObject({
      ScheduleExpression: 'cron(30 8 * * ? *)',
    });
  });
});

describe('escalation contacts from the directory', () => {
  it('mails a contact named as a staff member at their directory address, naming the technician', async () => {
    // Prepare: the branch's dispatcher is a person of the directory; Li Wei has the case
    await staffMember(sys, 'disp-staffed', {
      name: 'Wang Jianguo',
      email: 'wang.jianguo@branch.example',
      branchId: 'staffed',
      roles: ['dispatcher'],
    });
    await staffMember(sys, 'tech-staffed', { name: 'Li Wei', branchId: 'staffed' });
    await setPolicy('staffed', {
      escalationContacts: { dispatcher: [{ staffId: 'disp-staffed' }], supervisor: [], manager: [] },
    });
    await at('2026-12-07T09:00');
    const id = await open('staffed');
    await at('2026-12-07T09:05');
    expect((await dispatcher.post(`/cases/${id}/assign`, { technicianId: 'tech-staffed' })).status).toBe(200);
    const mark = (await sentMail()).length;

    // Act: half the arrival time is gone by 12:00
    await at('2026-12-07T12:00');

    // Assess
    const mails = await mailSince(mark);
    expect(mails.map((m) => [m.to, m.subject.split(']')[0]])).toEqual([
      [['wang.jianguo@branch.example'], '[SLA warning'],
    ]);
    expect(mails[0]?.text).toContain('Technician: Li Wei.');
  });
});
