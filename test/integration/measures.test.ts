/**
 * The daily aggregates over the real system: cases worked through the API feed them through the bus;
 * redelivered and replayed events change nothing; the nightly recompute finds an injected drift and
 * repairs it; `/reports` answers from the aggregates (JSON and CSV) and validates what it is given.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEventRules } from '../../functions/catalog.ts';
import { ruleMessage } from '../../infra/local/bus.ts';
import { localClientConfig } from '../../infra/local/dynamo.ts';
import { type Case, caseIndexKeys, caseKeys } from '../../shared/cases/model.ts';
import { localDay } from '../../shared/cases/numbering.ts';
import { measuredDetailTypes } from '../../shared/measures/contributions.ts';
import { recomputeDay } from '../../shared/measures/service.ts';
import { DynamoMeasureStore } from '../../shared/measures/store.ts';
import { asTechnician } from '../support/directory.ts';
import { countApiReads } from '../support/reads.ts';
import { type Caller, intake, useTestSystem } from '../support/system.ts';

/** The deployed rule that feeds the daily aggregates (its queue gets each redelivery). */
const measuresRule = allEventRules.find(
  (r) => r.target === 'measures-consumer',
) as (typeof allEventRules)[number];
const sys = useTestSystem();
const TZ = 'Asia/Shanghai';
const today = localDay(new Date(), TZ);
let db: DynamoDBDocumentClient;
let dispatcher: Caller;
let agent: Caller;
let tech: Caller;
let manager: Caller;
/** The cases worked in `beforeAll`: two completed on site, one left open. */
const caseIds: string[] = [];

/** Every aggregate item of today, as stored (keys and counters), in key order. */
async function aggregates(): Promise<string> {
  const out = [];
  for (const pk of ['MEASURE#COMPANY', 'MEASURE#B#main', `MEASURE#T#${tech.sub}`]) {
    const res = await db.send(
      new QueryCommand({
        TableName: sys().tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      }),
    );
    out.push(...(res.Items ?? []));
  }
  return JSON.stringify(out);
}

async function completeOnSite(overrides: Record<string, unknown>, minutes: number, findings: string) {
  const id: string = (await agent.post('/cases', intake(overrides))).body.id;
  expect((await dispatcher.post(`/cases/${id}/assign`, { technicianId: tech.sub })).status).toBe(200);
  // The first response is an SLA milestone kept by the SLA clock: let it record it.
  await sys().bus.idle();
  expect((await tech.post(`/cases/${id}/arrive`, { idShown: true, faultConfirmed: true })).status).toBe(200);
  expect((await tech.post(`/cases/${id}/diagnose`, { plan: 'on_site', findings })).status).toBe(200);
  expect((await tech.post(`/cases/${id}/record-work`, { description: 'Repaired', minutes })).status).toBe(
    200,
  );
  expect((await tech.post(`/cases/${id}/sign-off`, { customerName: 'Wang Fang' })).status).toBe(200);
  return id;
}

beforeAll(async () => {
  db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(sys().dynamoEndpoint)));
  agent = await sys().as('agent');
  dispatcher = await sys().as('dispatcher');
  manager = await sys().as('manager');
  tech = await asTechnician(sys());
  // Prepare: two on-site repairs of one visit each (urban E4, suburban E4), and one case still open.
  caseIds.push(await completeOnSite({}, 40, 'Compressor relay, code E4'));
  caseIds.push(
    await completeOnSite(
      {
        zone: 'suburban',
        customer: { ...(intake().customer as object), phone: '+86 138 0000 2222' },
        product: { ...(intake().product as object), serialNumber: 'SN-0002' },
      },
      20,
      'Fan motor, E4 again',
    ),
  );
  const open = await agent.post(
    '/cases',
    intake({
      emergency: true,
      customer: { ...(intake().customer as object), phone: '+86 138 0000 3333' },
      product: { ...(intake().product as object), serialNumber: 'SN-0003' },
    }),
  );
  caseIds.push(open.body.id);
  await sys().bus.idle();
}, 120_000);

afterAll(() => db.destroy());

describe('daily aggregates from the domain events', () => {
  it("count today's cases as the hand-computed KPIs say", async () => {
    // Act
    const res = await manager.get(`/reports/kpis?period=${today}&branchId=main`);

    // Assess: 3 opened (urban, suburban, emergency), 2 completed (C, warranty), 2 visits, 60 minutes,
    // both in one visit, both first responses met on time.
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ opened: 3, completed: 2, visits: 2, minutes: 60 });
    expect(res.body.jobsByCategory).toEqual({ A: 0, B: 0, C: 2, D: 0 });
    const kpi = Object.fromEntries(res.body.kpis.map((k: { id: string }) => [k.id, k]));
    expect(kpi.firstTimeFix).toMatchObject({ numerator: 2, denominator: 2, value: 1, meetsTarget: true });
    expect(kpi.responseOnTime).toMatchObject({ numerator: 2, denominator: 2, value: 1 });
    expect(res.body.responseByRequestType.urban).toEqual({ responded: 1, onTime: 1, rate: 1 });
    expect(res.body.responseByRequestType.suburban).toEqual({ responded: 1, onTime: 1, rate: 1 });
    expect(kpi.satisfaction).toMatchObject({ value: null, meetsTarget: null });
    // The company is the sum of its branches (one here); the month holds the day.
    const month = await manager.get(`/reports/kpis?period=${today.slice(0, 7)}`);
    expect(month.body.counts).toEqual(res.body.counts);
    const faults = await manager.get(`/reports/faults/${today.slice(0, 7)}`);
    expect(faults.body.faults).toEqual([{ fault: 'air-conditioner/E4', cases: 2 }]);
  });

  it('do not change when events are redelivered or replayed', async () => {
    // Prepare
    const before = await aggregates();
    const measured = sys().bus.history.filter((e) =>
      (measuredDetailTypes as readonly string[]).includes(e['detail-type']),
    );

    // Act: the same envelopes again (SQS redelivery), then every event republished (a stream replay).
    await sys().queues.send(measured.map((e) => ruleMessage(measuresRule, e)));
    await sys().bus.put(
      measured.map((e) => ({
        Source: e.source,
        DetailType: e['detail-type'],
        Detail: JSON.stringify(e.detail),
      })),
    );
    await sys().bus.idle();

    // Assess
    expect(await aggregates()).toBe(before);
    expect(await sys().queues.deadLetters()).toEqual([]);
  });

  it('are checked each night against the cases: an injected drift is found and repaired', async () => {
    // Prepare: someone's stray write adds 5 completions and 3 arrivals met, and removes 40 minutes.
    const before = await aggregates();
    await db.send(
      new UpdateCommand({
        TableName: sys().tableName,
        Key: { pk: 'MEASURE#B#main', sk: `DAY#${today}` },
        UpdateExpression: 'ADD #c :five, #m :minus, #a :three',
        ExpressionAttributeNames: { '#c': 'n.completed', '#m': 'n.minutes', '#a': 'n.slaMet:arrival' },
        ExpressionAttributeValues: { ':five': 5, ':minus': -40, ':three': 3 },
      }),
    );
    const deps = { store: new DynamoMeasureStore(db, sys().tableName), now: () => new Date(), timeZone: TZ };

    // Act
    const found = await recomputeDay(deps, { day: today, repair: true });
    const again = await recomputeDay(deps, { day: today, repair: false });

    // Assess
    // (the arrivals met are rebuilt from the milestones' met records of the day)
    expect(found.drift).toEqual([
      { scope: 'B#main', counter: 'completed', stored: 7, expected: 2 },
      { scope: 'B#main', counter: 'minutes', stored: 20, expected: 60 },
      { scope: 'B#main', counter: 'slaMet:arrival', stored: 5, expected: 2 },
    ]);
    expect(found.repaired).toBe(true);
    expect(again.drift).toEqual([]);
    expect(await aggregates()).toBe(before);
  });
});

describe('/sla/measures', () => {
  it('gives the numbers of the milestones met this month, from the branch day aggregates alone', async () => {
    // Prepare: what the monthly SLA measures counted, from each case's stored milestones: a milestone
    // met (the first time) in the month, on time unless breached, its clock's minutes to met.
    const month = today.slice(0, 7);
    const expected = new Map<string, { met: number; onTime: number; minutes: number }>();
    for (const id of caseIds) {
      const sla = await dispatcher.get(`/cases/${id}/sla`);
      for (const m of sla.body.milestones as Array<Record<string, unknown>>) {
        if (m.status !== 'met' || localDay(new Date(String(m.metAt)), TZ).slice(0, 7) !== month) continue;
        const e = expected.get(String(m.kind)) ?? { met: 0, onTime: 0, minutes: 0 };
        e.met += 1;
        e.onTime += m.breached ? 0 : 1;
        e.minutes += Number(m.activeMinutes);
        expected.set(String(m.kind), e);
      }
    }
    await sys().bus.idle();
    const reads = countApiReads();

    // Act
    const res = await manager.get(`/sla/measures?branchId=main&month=${month}`);
    const seen = reads.stop();

    // Assess: both completed cases had their first response and arrival met, on time.
    expect(res.status).toBe(200);
    expect(expected.get('first_response')).toMatchObject({ met: 2, onTime: 2 });
    expect(expected.get('arrival')).toMatchObject({ met: 2, onTime: 2 });
    expect(res.body).toEqual({
      branchId: 'main',
      month,
      milestones: ['first_response', 'arrival', 'repair_completion', 'workshop_repair'].map((kind) => {
        const e = expected.get(kind) ?? { met: 0, onTime: 0, minutes: 0 };
        return {
          milestone: kind,
          met: e.met,
          onTime: e.onTime,
          onTimeRate: e.met ? Math.round((e.onTime / e.met) * 10_000) / 10_000 : null,
          averageMinutes: e.met ? Math.round((e.minutes / e.met) * 100) / 100 : null,
        };
      }),
    });
    // One Query of the branch's days of the month (this month: today only).
    expect(seen).toEqual({ calls: { QueryCommand: 1 }, itemsRead: 1 });
  });
});

describe('/reports', () => {
  it("gives the technician's daily report with their own note, and refuses another technician's", async () => {
    // Prepare
    const other = await asTechnician(sys());

    // Act
    const noted = await tech.post(`/reports/technicians/me/daily/${today}/note`, {
      note: 'Van tyre replaced',
    });
    const own = await tech.get(`/reports/technicians/me/daily/${today}`);
    const foreign = await other.get(`/reports/technicians/${tech.sub}/daily/${today}`);
    const rollUp = await dispatcher.get(`/reports/branches/main/daily/${today}`);

    // Assess
    expect(noted.status).toBe(200);
    expect(own.body).toMatchObject({
      technicianId: tech.sub,
      jobs: 2,
      jobsByCategory: { A: 0, B: 0, C: 2, D: 0 },
      minutes: 60,
      visits: 2,
      partsUsed: 0,
      note: 'Van tyre replaced',
    });
    expect(foreign.status).toBe(404);
    expect(rollUp.body.technicians).toEqual([
      expect.objectContaining({ technicianId: tech.sub, jobs: 2, minutes: 60, note: 'Van tyre replaced' }),
    ]);
  });

  it('answers CSV on ?format=csv and on Accept: text/csv', async () => {
    // Act
    const byQuery = await manager.get(`/reports/kpis?period=${today}&format=csv`);
    const byAccept = await manager.get(`/reports/headquarters/daily/${today}`, { accept: 'text/csv' });

    // Assess
    expect(byQuery.headers.get('content-type')).toContain('text/csv');
    const lines = String(byQuery.body).trim().split('\r\n');
    expect(lines[0]).toBe('period,kpi,title,numerator,denominator,value,target,meetsTarget');
    expect(lines).toContain(`${today},firstTimeFix,First-time fix,2,2,1,0.8,true`);
    expect(String(byAccept.body).split('\r\n')[0]).toMatch(/^day,branchId,opened,completed/);
  });

  it.each([
    ['/reports/kpis?period=2026-13', 'query.period'],
    ['/reports/kpis', 'query.period'],
    ['/reports/kpis?period=2026&format=xml', 'query.format'],
    ['/reports/trends?period=2026-11-01', 'query.period'],
    ['/reports/faults/2026-11?limit=0', 'query.limit'],
    ['/reports/branches/main/daily/2026-02-30', 'path.day'],
    ['/reports/kpis?period=2026&colour=red', 'query.colour'],
  ])('refuses %s naming %s', async (path, field) => {
    // Act
    const res = await manager.get(path);

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(res.body)).toContain(field);
  });

  it('refuses a bad note naming the field, and writes nothing', async () => {
    // Prepare
    const before = await sys().allItems();

    // Act
    const tooLong = await tech.post(`/reports/technicians/me/daily/${today}/note`, {
      note: 'x'.repeat(2001),
    });
    const unknown = await tech.post(`/reports/technicians/me/daily/${today}/note`, { note: 'ok', extra: 1 });

    // Assess
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toContain('note');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('extra');
    expect(await sys().allItems()).toEqual(before);
  });
});

describe('a month with thousands of cases', () => {
  it('is reported from its day aggregates alone: one Query, one item per day', async () => {
    // Prepare: 3,000 cases over October 2026, every 10th completed, written as the case store writes
    // them; the nightly recompute then builds each day's aggregates from them.
    const month = '2026-10';
    const seeded: Record<string, unknown>[] = [];
    for (let i = 0; i < 3000; i++) {
      const day = `${month}-${String((i % 30) + 1).padStart(2, '0')}`;
      const at = `${day}T02:${String(i % 60).padStart(2, '0')}:00.000Z`;
      const id = `SR-${day.replaceAll('-', '')}-${String(i).padStart(4, '0')}`;
      const done = i % 10 === 0;
      const c = {
        entity: 'Case',
        schemaVersion: 3,
        id,
        number: id,
        branchId: 'main',
        channel: 'hotline',
        customer: { id: `C-${i}`, name: 'Bulk', address: 'A', phone: '1' },
        product: {
          model: 'AC-3200',
          serialNumber: `BULK-${i}`,
          purchaseDate: '2026-01-01',
          productLine: 'ac',
        },
        symptoms: 'E4',
        zone: 'urban',
        emergency: false,
        internal: false,
        category: 'C',
        categorySource: 'decided',
        status: done ? 'completed' : 'received',
        assignments: [],
        visits: done ? [{ n: 1, technicianId: 'bulk-tech', work: [], minutes: 30 }] : [],
        charges: [],
        ...(done ? { completedAt: at, technicianId: 'bulk-tech' } : {}),
        createdAt: at,
        createdBy: { sub: 'a', role: 'agent' },
        updatedAt: at,
        version: 1,
      };
      seeded.push({
        ...caseKeys.item(id),
        ...caseIndexKeys(c as Case, (t) => localDay(new Date(t), TZ), !done),
        ...c,
      });
    }
    for (let i = 0; i < seeded.length; i += 25)
      await db.send(
        new BatchWriteCommand({
          RequestItems: {
            [sys().tableName]: seeded.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    const deps = { store: new DynamoMeasureStore(db, sys().tableName), now: () => new Date(), timeZone: TZ };
    for (let d = 1; d <= 30; d++)
      await recomputeDay(deps, { day: `${month}-${String(d).padStart(2, '0')}`, repair: true });
    await sys().bus.idle();
    const reads = countApiReads();

    // Act
    const res = await manager.get(`/reports/kpis?period=${month}&branchId=main`);
    const seen = reads.stop();

    // Assess
    expect(res.body.counts).toMatchObject({ opened: 3000, completed: 300, minutes: 9000 });
    expect(res.body.daysRead).toBe(30);
    expect(seen).toEqual({ calls: { QueryCommand: 1 }, itemsRead: 30 });
  }, 180_000);
});
