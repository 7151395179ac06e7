/**
 * Warranty, contracts and returns through the real local system: the category of a case decided from
 * contracts and warranty at intake and at diagnosis (an override kept), the renewal run's notices and
 * tasks exactly once per term (run twice, end date edited), lapses, and return applications answered
 * within their working-day deadline or escalated by the Scheduler timers when overdue.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courtesyDeps, renewalRunDeps } from '../../functions/warranty/deps.ts';
import { localClientConfig } from '../../infra/local/dynamo.ts';
import { DynamoMeasureStore } from '../../shared/measures/store.ts';
import { clockControl } from '../../shared/runtime/clock.ts';
import { runRenewals } from '../../shared/warranty/contracts.ts';
import { buildCourtesyCalls } from '../../shared/warranty/courtesy.ts';
import { asTechnician, customer, phoneFor, staffMember, TEST_PRODUCT_LINE } from '../support/directory.ts';
import {
  catalogPart,
  ledgerOf,
  type PartsDesk,
  partsDesk,
  receive,
  stockOf,
  technicianWithVan,
} from '../support/parts.ts';
import { readOutbox } from '../support/surveys.ts';
import { type Caller, intake, startTestSystem, type TestSystem } from '../support/system.ts';

/** Asia/Shanghai wall-clock time → Date. 2026-12-01 is a Tuesday. */
const sh = (local: string) => new Date(`${local}+08:00`);

let sys: TestSystem;
let manager: Caller;
let agent: Caller;
let dispatcher: Caller;
let tech: Caller;
let emma: Caller;
let desk: PartsDesk;

const CUSTOMER = 'cust-emma';
const terms = {
  default: { parts: { months: 12, startBasis: 'purchase' }, labour: { months: 6, startBasis: 'purchase' } },
  classes: [
    {
      componentClass: 'compressor',
      parts: { months: 60, startBasis: 'installation' },
      labour: { months: 12, startBasis: 'installation' },
    },
    {
      componentClass: 'remote-control',
      parts: { months: 3, startBasis: 'purchase' },
      labour: { months: 3, startBasis: 'purchase' },
    },
  ],
  labourRatePerHour: 150,
};
const components = [
  { name: 'Compressor', partNumber: 'CMP-1', componentClass: 'compressor' },
  { name: 'Remote control', partNumber: 'RC-1', componentClass: 'remote-control' },
];

async function ok<T = any>(res: Promise<{ status: number; body: T }>, status = 200): Promise<T> {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

async function registerUnit(serialNumber: string, purchaseDate: string, extra: Record<string, unknown> = {}) {
  await ok(
    agent.post('/directory/units', {
      serialNumber,
      model: 'AC-3200',
      productLine: TEST_PRODUCT_LINE,
      ownerId: CUSTOMER,
      purchaseDate,
      ...extra,
    }),
    201,
  );
}

async function openFor(serialNumber: string, purchaseDate: string): Promise<any> {
  return ok(
    agent.post(
      '/cases',
      intake({
        customer: {
          id: CUSTOMER,
          name: 'Emma Smith',
          address: '12 Liangzhu Road',
          phone: phoneFor(CUSTOMER),
        },
        product: { model: 'AC-3200', serialNumber, purchaseDate },
      }),
    ),
    201,
  );
}

beforeAll(async () => {
  clockControl.freeze(sh('2026-12-01T10:00:00'));
  sys = await startTestSystem();
  manager = await sys.as('manager');
  agent = await sys.as('agent');
  dispatcher = await sys.as('dispatcher');
  tech = await asTechnician(sys);
  emma = await sys.as('customer', CUSTOMER);
  await customer(sys, CUSTOMER, { name: 'Emma Smith', email: 'emma@example.com', language: 'en' });
  await staffMember(sys, 'agent-renewals', { name: 'Zhao Li', roles: ['agent'] });
  await ok(manager.post(`/warranty/lines/${TEST_PRODUCT_LINE}/terms`, terms));
  await registerUnit('W-NEW', '2026-09-01', { installedOn: '2026-09-05', components });
  await registerUnit('W-OLD', '2019-05-01');
  await registerUnit('W-MC', '2019-05-01');
  await registerUnit('W-RET', '2026-11-26');
  await registerUnit('W-RET2', '2026-11-27');
  desk = await partsDesk(sys);
});
afterAll(async () => {
  await sys.stop();
  clockControl.reset();
});

describe('the category decided from data', () => {
  it('a unit in warranty is C, one out of it A, one under contract B; the inputs are on the case', async () => {
    // Prepare
    await ok(
      agent.post('/contracts', {
        customerId: CUSTOMER,
        units: ['W-MC'],
        start: '2026-01-01',
        end: '2027-01-01',
        inclusions: { labour: true, parts: true, visitsPerYear: 2, responseHours: 4 },
        price: 800,
        servicePersonId: 'agent-renewals',
      }),
      201,
    );

    // Act
    const [inWarranty, outOfWarranty, underContract] = await Promise.all([
      openFor('W-NEW', '2026-09-01'),
      openFor('W-OLD', '2019-05-01'),
      openFor('W-MC', '2019-05-01'),
    ]);

    // Assess
    expect(inWarranty).toMatchObject({
      category: 'C',
      categoryDecision: {
        basis: 'warranty',
        stage: 'intake',
        on: '2026-12-01',
        unitCoveredUntil: '2027-09-01',
      },
    });
    expect(outOfWarranty).toMatchObject({ category: 'A', categoryDecision: { basis: 'none' } });
    expect(underContract).toMatchObject({
      category: 'B',
      categoryDecision: { basis: 'contract', contractResponseHours: 4 },
    });
    expect(underContract.categoryDecision.contractId).toMatch(/^MC-20261201-/);
    // The contract's 4-hour response time replaces the branch policy's arrival limit (6 working hours).
    await sys.bus.idle();
    const sla = await ok(agent.get(`/cases/${underContract.id}/sla`));
    const arrival = sla.milestones.find((m: any) => m.kind === 'arrival');
    expect(arrival.dueAt).toBe(sh('2026-12-01T14:00:00').toISOString());
  });

  it('at diagnosis the components at fault decide it: the remote is out of warranty, the compressor in', async () => {
    // Prepare
    const remote = await openFor('W-NEW', '2026-09-01');
    const compressor = await openFor('W-NEW', '2026-09-01');
    for (const c of [remote, compressor])
      await ok(dispatcher.post(`/cases/${c.id}/assign`, { technicianId: tech.sub }));

    // Act
    const a = await ok(
      tech.post(`/cases/${remote.id}/diagnose`, {
        plan: 'on_site',
        findings: 'Remote dead',
        components: ['RC-1'],
      }),
    );
    const c = await ok(
      tech.post(`/cases/${compressor.id}/diagnose`, {
        plan: 'workshop',
        findings: 'Compressor seized',
        components: ['CMP-1'],
      }),
    );

    // Assess
    expect(a).toMatchObject({
      category: 'A',
      categoryDecision: {
        stage: 'diagnosis',
        components: [{ partNumber: 'RC-1', covered: false, partsUntil: '2026-12-01' }],
      },
    });
    expect(c).toMatchObject({
      category: 'C',
      categoryDecision: {
        stage: 'diagnosis',
        components: [{ partNumber: 'CMP-1', covered: true, partsUntil: '2031-09-05' }],
      },
    });
  });

  it('an override keeps its category and reason through the diagnosis', async () => {
    // Prepare
    const c = await openFor('W-NEW', '2026-09-01');
    await ok(dispatcher.post(`/cases/${c.id}/assign`, { technicianId: tech.sub }));
    await ok(
      agent.post(`/cases/${c.id}/categorize`, {
        category: 'A',
        reason: 'Water damage: not a warranty fault',
      }),
    );

    // Act
    const diagnosed = await ok(
      tech.post(`/cases/${c.id}/diagnose`, { plan: 'on_site', findings: 'Flooded', components: ['CMP-1'] }),
    );

    // Assess
    expect(diagnosed).toMatchObject({
      category: 'A',
      categorySource: 'override',
      categoryReason: 'Water damage: not a warranty fault',
    });
  });

  it("shows a unit's warranty per component, and the covering contract", async () => {
    // Act
    const w = await ok(emma.get('/warranty/units/W-NEW?on=2026-12-01'));
    const other = await (await sys.as('customer', 'someone-else')).get('/warranty/units/W-NEW');

    // Assess
    expect(w.components.map((c: any) => [c.partNumber, c.parts.covered, c.parts.until])).toEqual([
      ['CMP-1', true, '2031-09-05'],
      ['RC-1', false, '2026-12-01'],
    ]);
    expect(other.status).toBe(404);
  });
});

describe('billing lines', () => {
  it('a repair with one part in warranty and one out: one free line, one paid line, and an invoice for the paid part', async () => {
    // Prepare: the compressor is in warranty until 2031, the remote's three months ended today
    const { tech: fitter, van } = await technicianWithVan(sys, desk);
    await catalogPart(desk, { name: 'Compressor', unitCost: 900 }, 'CMP-1');
    await catalogPart(desk, { name: 'Remote control', unitCost: 45 }, 'RC-1');
    await receive(desk, van, 'CMP-1', 2);
    await receive(desk, van, 'RC-1', 2);
    const c = await openFor('W-NEW', '2026-09-01');
    await ok(dispatcher.post(`/cases/${c.id}/assign`, { technicianId: fitter.sub }));
    await ok(fitter.post(`/cases/${c.id}/arrive`, { idShown: true, faultConfirmed: true }));
    await ok(
      fitter.post('/parts/consumptions', {
        movementId: `use-${c.id}`,
        caseId: c.id,
        locationId: van,
        lines: [
          { partNumber: 'CMP-1', quantity: 1 },
          { partNumber: 'RC-1', quantity: 1 },
        ],
        reason: 'Compressor seized; remote cracked',
      }),
      201,
    );
    await ok(fitter.post(`/cases/${c.id}/record-work`, { description: 'Replaced both', minutes: 60 }));

    // Act
    const bill = await ok(emma.get(`/cases/${c.id}/billing`));
    const invoice = await ok(agent.post(`/cases/${c.id}/invoice`, {}), 201);
    const again = await ok(agent.post(`/cases/${c.id}/invoice`, {}));

    // Assess
    expect(bill.lines.map((l: any) => [l.kind, l.partNumber ?? null, l.category, l.amount])).toEqual([
      // Labour is paid: one of the components worked on is out of its labour cover.
      ['labour', null, 'paid', 150],
      ['part', 'CMP-1', 'warranty', 900],
      ['part', 'RC-1', 'paid', 45],
    ]);
    expect(bill.totals).toEqual({ warranty: 900, contract: 0, paid: 195, all: 1095 });
    expect(invoice).toMatchObject({ number: `INV-${c.id.slice(3)}`, total: 195, currency: 'CNY' });
    expect(invoice.lines.map((l: any) => l.category)).toEqual(['paid', 'paid']);
    expect(again.number).toBe(invoice.number);
  });
});

describe('renewal notices', () => {
  const run = (today: string) => runRenewals(renewalRunDeps(process.env as never), { today });

  it('sends the notice and creates the task once per term and reminder, also after the end date is edited', async () => {
    // Prepare
    await registerUnit('W-RENEW', '2020-01-01');
    const contract = await ok(
      agent.post('/contracts', {
        customerId: CUSTOMER,
        units: ['W-RENEW'],
        start: '2026-01-10',
        end: '2027-01-10',
        inclusions: { labour: true, parts: false },
        price: 600,
        servicePersonId: 'agent-renewals',
        reminderDays: [90],
      }),
      201,
    );
    const mine = <T extends { subject: string }>(items: T[]) =>
      items.filter((m) => m.subject.includes(contract.id));
    const own = (labels: string[]) => labels.filter((l) => l.startsWith(contract.id));

    // Act
    const early = await run('2026-10-15');
    const month = await run('2026-12-10');
    const again = await run('2026-12-10');
    const edited = await ok(
      agent.post(`/contracts/${contract.id}`, { end: '2027-01-20', reason: 'Term moved by ten days' }),
    );
    const afterEdit = await run('2026-12-21');

    // Assess
    expect(own(early.noticesSent)).toEqual([`${contract.id}/1/d90`]);
    expect(own(month.noticesSent)).toEqual([`${contract.id}/1/month`]);
    expect(own(again.noticesSent)).toEqual([]);
    expect(own(again.tasksCreated)).toEqual([]);
    expect(edited.term.end).toBe('2027-01-20');
    expect(own(afterEdit.noticesSent)).toEqual([]);
    expect(own(afterEdit.tasksCreated)).toEqual([]);
    const mail = mine(await readOutbox(sys));
    expect(mail).toHaveLength(2);
    expect(mail.every((m) => m.to.includes('emma@example.com'))).toBe(true);
    expect(mail[0]?.subject).toBe(`Your maintenance contract ${contract.id} ends on 2027-01-10`);
    expect(mail[0]?.text).toContain('Dear Emma Smith');
    const tasks = await ok(agent.get('/tasks/renewals?assigneeId=agent-renewals'));
    expect(
      tasks.items
        .filter((t: any) => t.contractId === contract.id)
        .map((t: any) => t.reminder)
        .sort(),
    ).toEqual(['d90', 'month']);
    expect((await ok(agent.get(`/contracts/${contract.id}`))).status).toBe('expiring');
  });

  it('a customer writing in Chinese gets the notice in Chinese', async () => {
    // Prepare
    await customer(sys, 'cust-liu', { name: '刘洋', email: 'liu@example.com', language: 'zh-CN' });
    await ok(
      agent.post('/directory/units', {
        serialNumber: 'W-LIU',
        model: 'WH-60',
        productLine: 'water-heater',
        ownerId: 'cust-liu',
        purchaseDate: '2021-03-01',
      }),
      201,
    );
    const c = await ok(
      agent.post('/contracts', {
        customerId: 'cust-liu',
        units: ['W-LIU'],
        start: '2026-02-01',
        end: '2027-02-01',
        inclusions: { labour: true, parts: true },
        price: 500,
        servicePersonId: 'agent-renewals',
      }),
      201,
    );

    // Act
    const report = await run('2027-01-01');

    // Assess
    expect(report.noticesSent).toContain(`${c.id}/1/month`);
    const mail = (await readOutbox(sys)).find((m) => m.subject.includes(c.id));
    expect(mail?.subject).toBe(`您的维保合同 ${c.id} 将于 2027-02-01 到期`);
    expect(mail?.to).toEqual(['liu@example.com']);
  });

  it('maintenance visits open cases on their days, moved off weekends and holidays, once each', async () => {
    // Prepare: recorded in January; Thursday 10 September is a holiday of the branch
    await registerUnit('W-VISIT', '2020-01-01');
    await ok(manager.post('/sla/branches/main/calendar', { holidays: ['2026-09-10'] }));
    clockControl.freeze(sh('2026-01-05T10:00:00'));
    const c = await ok(
      agent.post('/contracts', {
        customerId: CUSTOMER,
        units: ['W-VISIT'],
        start: '2026-01-10',
        end: '2027-01-10',
        inclusions: { labour: true, parts: true, visitsPerYear: 2 },
        price: 900,
        servicePersonId: 'agent-renewals',
      }),
      201,
    );
    clockControl.freeze(sh('2026-12-01T10:00:00'));
    const own = (labels: string[]) => labels.filter((l) => l.startsWith(c.id));

    // Act
    const before = await run('2026-05-11');
    const first = await run('2026-09-11');
    const again = await run('2026-09-12');

    // Assess
    expect(own(before.visitsOpened)).toEqual([]);
    const opened = own(first.visitsOpened);
    expect(opened.map((l) => l.split(' → ')[0])).toEqual([`${c.id}/1/1`, `${c.id}/1/2`]);
    expect(own(again.visitsOpened)).toEqual([]);
    const visit = await ok(agent.get(`/cases/${opened[1]?.split(' → ')[1]}`));
    expect(visit).toMatchObject({
      channel: 'scheduled',
      category: 'B',
      product: { serialNumber: 'W-VISIT' },
    });
    expect(visit.symptoms).toContain('maintenance visit 2 of 2');
  });

  it('a contract whose end passed without renewal is lapsed; a renewed one goes on with its next term', async () => {
    // Prepare
    await registerUnit('W-LAPSE', '2020-01-01');
    await registerUnit('W-KEEP', '2020-01-01');
    const body = (unit: string) => ({
      customerId: CUSTOMER,
      units: [unit],
      start: '2025-12-20',
      end: '2026-12-20',
      inclusions: { labour: true, parts: true },
      price: 700,
      servicePersonId: 'agent-renewals',
    });
    const lapsing = await ok(agent.post('/contracts', body('W-LAPSE')), 201);
    const kept = await ok(agent.post('/contracts', body('W-KEEP')), 201);
    const renewed = await ok(agent.post(`/contracts/${kept.id}/renew`, { months: 12, price: 720 }));

    // Act
    const report = await run('2026-12-21');

    // Assess
    expect(renewed).toMatchObject({
      status: 'renewed',
      term: { n: 2, start: '2026-12-20', end: '2027-12-20', price: 720 },
    });
    expect(report.lapsed).toContain(lapsing.id);
    expect(report.lapsed).not.toContain(kept.id);
    expect((await ok(agent.get(`/contracts/${lapsing.id}`))).status).toBe('lapsed');
    expect((await ok(emma.get(`/contracts/${kept.id}`))).status).toBe('renewed');
  });
});

describe('courtesy calls during the free warranty', () => {
  it("lists each unit in its free warranty once a month on its branch's list, and records the call", async () => {
    // Act
    const built = await buildCourtesyCalls(courtesyDeps(process.env as never), '2026-12');
    const again = await buildCourtesyCalls(courtesyDeps(process.env as never), '2026-12');
    const list = await ok(agent.get('/warranty/courtesy-calls?branchId=main&month=2026-12&limit=100'));
    const called = await ok(
      agent.post('/warranty/courtesy-calls/main/2026-12/W-NEW', { outcome: 'all_well', note: 'Cools well' }),
    );
    const twice = await agent.post('/warranty/courtesy-calls/main/2026-12/W-NEW', { outcome: 'no_answer' });

    // Assess
    const serials = list.items.map((c: any) => c.serialNumber);
    expect(serials).toContain('W-NEW');
    expect(serials).not.toContain('W-OLD');
    expect(list.items.find((c: any) => c.serialNumber === 'W-NEW')).toMatchObject({
      customerName: 'Emma Smith',
      coveredUntil: '2027-09-01',
      status: 'open',
    });
    expect(again.listed).toEqual([]);
    expect(again.kept).toBe(built.listed.length + built.kept);
    expect(called).toMatchObject({ status: 'done', outcome: 'all_well', calledBy: agent.sub });
    expect(twice.status).toBe(409);
  });
});

describe('returns and exchanges', () => {
  const rules = {
    returnDays: 7,
    exchangeDays: 15,
    conditions: ['unopened', 'as_new', 'defective'],
    decisionWorkingDays: 2,
  };

  it('a customer applies, is checked against the rules, and staff answer within the deadline', async () => {
    // Prepare
    await ok(manager.post(`/warranty/lines/${TEST_PRODUCT_LINE}/return-rules`, rules));

    // Act
    const r = await ok(
      emma.post('/returns', {
        serialNumber: 'W-RET',
        kind: 'return',
        condition: 'defective',
        reason: 'Rattles from day one',
      }),
      201,
    );
    const timers = (await sys.timers.pending())
      .filter((t) => t.name.startsWith(`return.${r.id}.`))
      .map((t) => t.name);
    const decided = await ok(
      dispatcher.post(`/returns/${r.id}/decide`, {
        decision: 'approve',
        note: 'Fan blade cracked at the factory',
        cause: 'product_quality',
        department: 'rnd_production',
      }),
    );
    const left = (await sys.timers.pending()).filter((t) => t.name.startsWith(`return.${r.id}.`));

    // Assess
    expect(r).toMatchObject({
      status: 'applied',
      eligibility: { eligible: true, daysSincePurchase: 5, limitDays: 7 },
      // Two working days (08:00–18:00, Monday to Friday) after Tuesday 10:00.
      decisionDueAt: sh('2026-12-03T10:00:00').toISOString(),
    });
    expect(timers.sort()).toEqual([`return.${r.id}.due`, `return.${r.id}.escalate`]);
    expect(decided).toMatchObject({
      status: 'approved',
      decision: { onTime: true, cause: 'product_quality' },
    });
    expect(left).toEqual([]);
  });

  it('an approved return is shipped and taken in through the parts ledger: into stock, or scrapped', async () => {
    // Prepare
    await catalogPart(desk, { name: 'AC-3200 indoor unit', unitCost: 2000 }, 'AC-3200');
    await registerUnit('W-BACK', '2026-11-28');
    await registerUnit('W-SCRAP', '2026-11-28');
    const approved = async (serialNumber: string) => {
      const r = await ok(
        emma.post('/returns', { serialNumber, kind: 'return', condition: 'defective', reason: 'Leaks' }),
        201,
      );
      await ok(
        dispatcher.post(`/returns/${r.id}/decide`, {
          decision: 'approve',
          note: 'Cracked drain pan',
          cause: 'transport',
          department: 'warehouse_transport',
        }),
      );
      await ok(
        agent.post(`/returns/${r.id}/ship`, { carrier: 'SF Express', trackingNumber: `SF-${serialNumber}` }),
      );
      return r.id as string;
    };
    const [toStock, toScrap] = [await approved('W-BACK'), await approved('W-SCRAP')];

    // Act
    const stocked = await ok(
      desk.clerk.post(`/returns/${toStock}/receive`, { disposition: 'stock', locationId: desk.warehouse }),
    );
    const scrapped = await ok(
      desk.clerk.post(`/returns/${toScrap}/receive`, {
        disposition: 'scrap',
        locationId: desk.warehouse,
        note: 'Pan beyond repair',
      }),
    );

    // Assess
    expect(stocked).toMatchObject({
      status: 'received',
      receipt: { disposition: 'stock', movementId: `ret-${toStock}` },
    });
    expect(scrapped.receipt.movementId).toBe(`ret-scrap-${toScrap}`);
    expect((await stockOf(desk.clerk, 'AC-3200', desk.warehouse)).onHand).toBe(1);
    const ledger = await ledgerOf(desk.clerk, 'AC-3200');
    expect(ledger.map((e) => [e.kind, e.onHandDelta]).sort()).toEqual([
      ['return', 1],
      ['return', 1],
      ['scrap', -1],
    ]);
  });

  it('an application outside the rules is recorded with why, for staff to decide', async () => {
    // Act
    const r = await ok(
      agent.post('/returns', {
        serialNumber: 'W-NEW',
        kind: 'exchange',
        condition: 'used',
        reason: 'Too loud',
      }),
      201,
    );

    // Assess
    expect(r.eligibility.eligible).toBe(false);
    expect(r.eligibility.findings).toEqual([
      '91 days since purchase; exchanges are accepted within 15',
      'an item used is not accepted (unopened, as_new, defective)',
    ]);
  });

  it('a customer cannot apply for a unit that is not theirs: 400 naming the field, nothing written', async () => {
    // Prepare
    const stranger = await sys.as('customer', 'cust-stranger');
    const before = await sys.allItems();

    // Act
    const res = await stranger.post('/returns', {
      serialNumber: 'W-RET',
      kind: 'return',
      condition: 'unopened',
      reason: 'x',
    });

    // Assess
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('serialNumber');
    expect(await sys.allItems()).toEqual(before);
  });

  it('an application left unanswered is escalated at its deadline, then to the managers a working day later', async () => {
    // Prepare
    await ok(
      manager.post('/sla/branches/main/policy', {
        escalationContacts: {
          dispatcher: ['dispatch@branch.example'],
          supervisor: ['supervisor@branch.example'],
          manager: ['manager@branch.example'],
        },
      }),
    );
    const r = await ok(
      emma.post('/returns', {
        serialNumber: 'W-RET2',
        kind: 'exchange',
        condition: 'as_new',
        reason: 'Wrong colour',
      }),
      201,
    );

    // Act
    clockControl.freeze(sh('2026-12-03T09:59:00'));
    const early = await sys.timers.runDue();
    clockControl.freeze(sh('2026-12-03T10:00:01'));
    await sys.timers.runDue();
    const atDeadline = await ok(agent.get(`/returns/${r.id}`));
    clockControl.freeze(sh('2026-12-04T10:00:01'));
    await sys.timers.runDue();
    await sys.bus.idle();
    const later = await ok(agent.get(`/returns/${r.id}`));
    const late = await ok(
      dispatcher.post(`/returns/${r.id}/decide`, {
        decision: 'reject',
        note: 'Colour is as ordered',
        cause: 'customer_changed_mind',
        department: 'service_marketing',
      }),
    );

    // Assess
    expect(early.filter((n) => n.startsWith('return.'))).toEqual([]);
    expect(atDeadline.escalations.map((e: any) => [e.step, e.recipients])).toEqual([
      ['due', ['supervisor@branch.example']],
    ]);
    expect(later.escalations.map((e: any) => e.step)).toEqual(['due', 'escalate']);
    expect(late.decision).toMatchObject({ approved: false, onTime: false });
    const mail = (await readOutbox(sys)).filter((m) => m.subject.includes(r.id));
    expect(mail.map((m) => m.to[0]).sort()).toEqual(['manager@branch.example', 'supervisor@branch.example']);
  });
});

describe('measures', () => {
  it('count renewals, lapses (churn) and answered returns by cause and responsible department', async () => {
    // Prepare
    await sys.bus.idle();
    const db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(sys.dynamoEndpoint)));
    const measures = new DynamoMeasureStore(db, sys.tableName);

    // Act
    const days = await measures.period({ kind: 'company' }, '2026-12');

    // Assess
    const total = (name: string) => days.reduce((s, d) => s + (d.counters[name] ?? 0), 0);
    expect(total('contractsRenewed')).toBe(1);
    expect(total('contractsLapsed')).toBeGreaterThanOrEqual(1);
    expect(total('returnsDecided')).toBe(4);
    expect(total('returnsOnTime')).toBe(3);
    expect(total('returnCause:product_quality')).toBe(1);
    expect(total('returnCause:transport')).toBe(2);
    expect(total('returnDepartment:service_marketing')).toBe(1);
  });
});
