/**
 * The complaint investigation through the real local system: complaints registered over HTTP, the
 * workflow executed by the local Step Functions emulation from the very ASL file CDK deploys, human
 * steps completed through the API (which answers their task tokens), deadlines on the Scheduler
 * emulation with the clock frozen and advanced, mail read back from the local SES outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockControl } from '../../shared/runtime/clock.ts';
import { SDK_RETRY } from '../../shared/store/client.ts';
import { type OutboxItem, readOutbox } from '../support/surveys.ts';
import { type Caller, startTestSystem, type TestSystem } from '../support/system.ts';

/** Asia/Shanghai wall-clock time → Date (UTC+8). 2026-11-23 is a Monday. */
const sh = (local: string) => new Date(`${local}:00+08:00`);

let sys: TestSystem;
let agent: Caller;
let supervisor: Caller;
let manager: Caller;

beforeAll(async () => {
  clockControl.freeze(sh('2026-11-23T09:00'));
  sys = await startTestSystem();
  agent = await sys.as('agent', 'a-complaints');
  supervisor = await sys.as('dispatcher', 'd-complaints');
  manager = await sys.as('manager', 'm-complaints');
  const settings = await manager.post('/complaint-settings', {
    vicePresident: ['vp@aftercare.example'],
    leadership: ['leaders@aftercare.example'],
  });
  expect(settings.status).toBe(200);
  const policy = await manager.post('/sla/branches/main/policy', {
    escalationContacts: {
      dispatcher: ['dispatch@branch.example'],
      supervisor: ['supervisor@branch.example'],
      manager: ['manager@branch.example'],
    },
  });
  expect(policy.status).toBe(200);
});
afterAll(async () => {
  await sys.stop();
  clockControl.reset();
});

/** Lets the outbox, the consumers and the workflow settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await sys.bus.idle();
    await sys.workflows.idle();
  }
}

async function mailTo(address: string): Promise<OutboxItem[]> {
  return (await readOutbox(sys)).filter((m) => m.to.includes(address));
}

let serial = 0;
async function register(overrides: Record<string, unknown> = {}): Promise<string> {
  serial++;
  const res = await agent.post('/complaints', {
    channel: 'hotline',
    customerId: `cust-cp-${serial}`,
    customer: { name: 'Liu Yang', phone: '+86 138 0571 1001', email: `liu${serial}@example.com` },
    subject: 'quality',
    text: 'The water heater leaks again after the repair.',
    refs: { unitSerial: `WH60-${serial}`, productLine: 'water-heater', orderNumber: 'PO-1', quantity: 1 },
    ...overrides,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await settle();
  return res.body.id;
}

const waitingStep = async (id: string) =>
  (
    (await supervisor.get(`/complaints/${id}/steps`)).body.items as {
      kind: string;
      status: string;
      level: number;
      ownerRole: string;
      round: number;
    }[]
  ).filter((s) => s.status === 'waiting');

async function complete(caller: Caller, id: string, path: string, body: unknown) {
  const res = await caller.post(`/complaints/${id}/${path}`, body);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  await settle();
  return res.body;
}

const report = {
  summary: 'Leak at the inlet fitting',
  investigate: { sales: true, quality: true, production: false },
};
const analysis = {
  report: 'Fitting cracked under pressure',
  cause: 'quality',
  responsibility: 'Supplier batch 7',
};
const actions = {
  corrective: [{ action: 'Replace the fitting', owner: 'Li Wei', deadline: '2026-11-30' }],
  preventive: [{ action: 'Inspect batch 7 stock', owner: 'QA', deadline: '2026-12-15' }],
};

/** From the supervisor's report to the answer to the customer. */
async function handleRound(id: string, satisfied: boolean, first: boolean) {
  if (first) {
    await complete(supervisor, id, 'report', report);
    await complete(agent, id, 'investigations/sales', {
      findings: 'Order matches',
      orderNumber: 'PO-1',
      quantity: 1,
    });
    await complete(supervisor, id, 'investigations/quality', {
      findings: 'Cracked fitting',
      cause: 'quality',
    });
  }
  await complete(supervisor, id, 'analysis', analysis);
  await complete(supervisor, id, 'actions', actions);
  await complete(supervisor, id, 'decision', { remedy: 'Free replacement', amount: 300 });
  await complete(supervisor, id, 'customer-answer', {
    method: 'written',
    message: 'We replace the part.',
    satisfied,
  });
}

describe('a hotline complaint', () => {
  it('is numbered, acknowledged with the process and expected time, and waits for the supervisor report', async () => {
    // Act
    const id = await register();

    // Assess
    expect(id).toMatch(/^CP-20261123-\d{4}$/);
    const ack = await mailTo(`liu${serial}@example.com`);
    expect(ack.map((m) => m.subject)).toEqual([`Your complaint ${id} is registered`]);
    expect(ack[0]?.text).toContain('responsible supervisor by');
    expect(ack[0]?.text).toContain('You can expect our answer by');
    const waiting = await waitingStep(id);
    expect(waiting.map((s) => [s.kind, s.ownerRole])).toEqual([['supervisor_report', 'dispatcher']]);
    const staffView = await supervisor.get(`/complaints/${id}`);
    expect(staffView.body).toMatchObject({
      status: 'investigating',
      department: 'rnd_production',
      customerStatus: 'in_progress',
    });
  });

  it('goes the ordinary path to closure, the steps recorded on the timeline with who and when', async () => {
    // Prepare
    const manager = await sys.as('manager');
    const onTimeKpi = async () => {
      await sys.bus.idle();
      const res = await manager.get('/reports/kpis?period=2026-11-23');
      return res.body.kpis.find((k: { id: string }) => k.id === 'complaintOnTime');
    };
    const before = await onTimeKpi();
    const id = await register();

    // Act
    await handleRound(id, true, true);

    // Assess
    const c = (await supervisor.get(`/complaints/${id}`)).body;
    expect(c).toMatchObject({ status: 'closed', round: 1, cause: 'quality' });
    // The measures count it once, handled within its deadline, on the day it closed.
    const after = await onTimeKpi();
    expect(after.denominator).toBe(before.denominator + 1);
    expect(after.numerator).toBe(before.numerator + 1);
    const timeline = (await supervisor.get(`/complaints/${id}/timeline`)).body.items as {
      action: string;
      actor: { sub: string };
    }[];
    expect(
      timeline
        .filter((e) => e.action.startsWith('step-') && e.action !== 'step-opened')
        .map((e) => `${e.action}:${e.actor.sub}`),
    ).toEqual([
      'step-supervisor_report:d-complaints',
      'step-sales_verification:a-complaints',
      'step-quality_investigation:d-complaints',
      'step-analysis:d-complaints',
      'step-actions:d-complaints',
      'step-decision:d-complaints',
      'step-customer_answer:d-complaints',
    ]);
    expect(timeline.at(-1)?.action).toBe('closed');
    expect(sys.workflows.running()).not.toContain(id);
  });

  it('is handled again when the customer is not satisfied, then closes when they are', async () => {
    // Prepare
    const id = await register();

    // Act
    await handleRound(id, false, true);
    const between = await waitingStep(id);
    await handleRound(id, true, false);

    // Assess
    expect(between.map((s) => [s.kind, s.round])).toEqual([['analysis', 2]]);
    const c = (await supervisor.get(`/complaints/${id}`)).body;
    expect(c).toMatchObject({ status: 'closed', round: 2, individualCase: false });
  });

  it('becomes an individual case for leadership after the configured rounds', async () => {
    // Prepare
    const id = await register();

    // Act: two rounds, the customer unsatisfied after each
    await handleRound(id, false, true);
    await handleRound(id, false, false);

    // Assess
    const c = (await supervisor.get(`/complaints/${id}`)).body;
    expect(c).toMatchObject({ individualCase: true, round: 3, priority: 0 });
    expect((await waitingStep(id)).map((s) => [s.kind, s.ownerRole])).toEqual([['analysis', 'manager']]);
    expect((await mailTo('leaders@aftercare.example')).map((m) => m.subject)).toContain(
      `[Individual case] complaint ${id} unresolved after 2 rounds`,
    );
    // The supervisor no longer owns it
    expect((await supervisor.post(`/complaints/${id}/analysis`, analysis)).status).toBe(403);
  });

  it('escalates a decision above the approver authority to the next level', async () => {
    // Prepare
    const id = await register();
    await complete(supervisor, id, 'report', {
      ...report,
      investigate: { sales: false, quality: false, production: false },
    });
    await complete(supervisor, id, 'analysis', analysis);
    await complete(supervisor, id, 'actions', actions);

    // Act: beyond the supervisor's 5000
    const above = await complete(supervisor, id, 'decision', {
      remedy: 'Replace the whole unit and refund',
      amount: 8000,
    });
    const next = await waitingStep(id);

    // Assess
    expect(above.output).toEqual({ outcome: 'escalate' });
    expect(next.map((s) => [s.kind, s.level, s.ownerRole])).toEqual([['decision', 2, 'manager']]);
    expect((await supervisor.post(`/complaints/${id}/decision`, { remedy: 'x', amount: 1 })).status).toBe(
      403,
    );
    const approved = await complete(manager, id, 'decision', {
      remedy: 'Replace the whole unit and refund',
      amount: 8000,
    });
    expect(approved.output).toEqual({ outcome: 'approved' });
    expect((await waitingStep(id)).map((s) => s.kind)).toEqual(['customer_answer']);
  });
});

describe('parallel investigations', () => {
  it('are completed at the same moment by different people, both recorded, and the analysis opens', async () => {
    // Prepare
    const id = await register();
    await complete(supervisor, id, 'report', report);

    // Act
    const [sales, quality] = await Promise.all([
      agent.post(`/complaints/${id}/investigations/sales`, { findings: 'Order matches', quantity: 1 }),
      supervisor.post(`/complaints/${id}/investigations/quality`, { findings: 'Cracked', cause: 'quality' }),
    ]);
    await settle();

    // Assess
    expect([sales.status, quality.status], JSON.stringify([sales.body, quality.body])).toEqual([200, 200]);
    expect((await waitingStep(id)).map((s) => s.kind)).toEqual(['analysis']);
    const c = (await supervisor.get(`/complaints/${id}`)).body;
    expect(c.cause).toBe('quality');
  });
});

describe('a step whose task answer fails after the step is written', () => {
  it('is answered again by a retry of the same request, and the workflow moves on', async () => {
    // Prepare: the Step Functions edge refuses every attempt the SDK makes for one SendTaskSuccess
    const id = await register();
    const succeed = sys.workflows.succeed.bind(sys.workflows);
    let failures = SDK_RETRY.maxAttempts;
    sys.workflows.succeed = (token, output) => {
      if (failures-- > 0) throw new Error('injected: Step Functions unreachable');
      succeed(token, output);
    };
    try {
      const failed = await supervisor.post(`/complaints/${id}/report`, report);
      await settle();
      const afterFailure = await supervisor.get(`/complaints/${id}/steps`);

      // Act
      const otherForm = await supervisor.post(`/complaints/${id}/report`, { ...report, summary: 'Other' });
      const retried = await supervisor.post(`/complaints/${id}/report`, report);
      await settle();

      // Assess
      expect(failed.status).toBe(500);
      expect(
        afterFailure.body.items.map((s: { kind: string; status: string }) => [s.kind, s.status]),
      ).toEqual([['supervisor_report', 'done']]);
      expect(otherForm.status).toBe(409);
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      expect(retried.body).toMatchObject({ kind: 'supervisor_report', status: 'done' });
      expect((await waitingStep(id)).map((s) => s.kind).sort()).toEqual([
        'quality_investigation',
        'sales_verification',
      ]);
      // Written once: one timeline entry for the report
      const timeline = (await supervisor.get(`/complaints/${id}/timeline`)).body.items as {
        action: string;
      }[];
      expect(timeline.filter((e) => e.action === 'step-supervisor_report')).toHaveLength(1);
    } finally {
      sys.workflows.succeed = succeed;
    }
  });
});

describe('a major complaint', () => {
  it('is a special case: the vice president is told at once and the answer must be written', async () => {
    // Act
    const id = await register({ severity: 'major', text: 'A journalist is writing about the leak.' });

    // Assess
    const vp = await mailTo('vp@aftercare.example');
    expect(vp.map((m) => m.subject)).toEqual([`[MAJOR complaint] ${id}: special case, top priority`]);
    const c = (await supervisor.get(`/complaints/${id}`)).body;
    expect(c).toMatchObject({ special: true, priority: 0, writtenAnswerRequired: true });
  });
});

describe('the customer', () => {
  it('complains through the portal and sees their own complaints with the status meant for them', async () => {
    // Prepare
    const customer = await sys.as('customer', 'cust-portal');

    // Act
    const created = await customer.post('/complaints', {
      channel: 'portal',
      customer: { name: 'Chen Xiao' },
      subject: 'packaging',
      text: 'Box was crushed.',
    });
    await settle();
    const mine = await customer.get('/customers/me/complaints');
    const other = await customer.get(`/complaints/${await register()}`);
    const timeline = await customer.get(`/complaints/${created.body.id}/timeline`);

    // Assess
    expect(created.status).toBe(201);
    expect(mine.body.items.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      [created.body.id, 'in_progress'],
    ]);
    expect(other.status).toBe(404);
    expect(timeline.body.items.map((e: { action: string }) => e.action)).toEqual([
      'registered',
      'acknowledged',
    ]);
  });
});

describe('the case library', () => {
  it('takes a closed complaint, searchable by product line and cause', async () => {
    // Prepare
    const id = await register();
    await handleRound(id, true, true);

    // Act
    const published = await supervisor.post(`/complaints/${id}/publish`, {
      problemType: 'Leak after repair',
      causeDetail: 'Cracked inlet fitting from supplier batch 7',
      handling: 'Fitting replaced, batch inspected',
      lessons: 'Pressure-test fittings after repair',
    });
    const byLine = await agent.get('/complaint-library?productLine=water-heater&cause=quality');
    const byCause = await agent.get('/complaint-library?cause=quality');
    const again = await supervisor.post(`/complaints/${id}/publish`, {
      problemType: 'x',
      causeDetail: 'x',
      handling: 'x',
      lessons: 'x',
    });

    // Assess
    expect(published.status).toBe(201);
    expect(byLine.body.items.map((e: { complaintId: string }) => e.complaintId)).toContain(id);
    expect(byCause.body.items.map((e: { complaintId: string }) => e.complaintId)).toContain(id);
    expect(again.status).toBe(409);
  });
});

describe('bad input', () => {
  it('is refused with problem+json naming the field, and writes nothing', async () => {
    // Prepare
    const before = (await sys.allItems()).length;

    // Act
    const noCustomer = await agent.post('/complaints', { channel: 'hotline', subject: 'quality', text: 'x' });
    const badChannel = await agent.post('/complaints', {
      channel: 'pigeon',
      customerId: 'c-1',
      subject: 'quality',
      text: 'x',
    });
    const badAmount = await supervisor.post('/complaints/CP-20261123-0001/decision', {
      remedy: 'x',
      amount: -1,
    });

    // Assess
    expect([noCustomer.status, badChannel.status, badAmount.status]).toEqual([400, 400, 400]);
    expect(noCustomer.headers.get('content-type')).toContain('application/problem+json');
    expect(noCustomer.body.errors?.[0]?.field ?? JSON.stringify(noCustomer.body)).toContain('customerId');
    expect(JSON.stringify(badChannel.body)).toContain('channel');
    expect(JSON.stringify(badAmount.body)).toContain('amount');
    expect((await sys.allItems()).length).toBe(before);
  });
});
