/**
 * Each KPI of SPEC §10 on seeded histories: cases (and their SLA milestones, survey answers, complaints)
 * turned into increments by the same rules the consumer and the nightly recompute use, summed as the
 * month's day items are, and compared with values worked out by hand in each row.
 */
import { describe, expect, it } from 'vitest';
import type { Case } from '../../shared/cases/model.ts';
import {
  caseMeasureRules,
  completionIncrement,
  openedIncrement,
  repeatedCase,
  repeatIncrement,
  surveyMeasureRules,
} from '../../shared/measures/contributions.ts';
import { type Counters, faultOf, kpisOf, sumCounters, topFaults } from '../../shared/measures/definitions.ts';
import type { StoredMilestone } from '../../shared/sla/model.ts';

const TZ = 'Asia/Shanghai';

/** A completed case: `visits` visits of `minutes` each, on `day`, for unit `serial`. */
function done(
  id: string,
  o: {
    visits?: number;
    minutes?: number;
    day?: string;
    serial?: string;
    category?: Case['category'];
    zone?: 'urban' | 'suburban';
    emergency?: boolean;
    inspections?: Array<'pass' | 'fail'>;
    symptoms?: string;
  } = {},
): Case {
  const day = o.day ?? '2026-11-10';
  const at = `${day}T03:00:00.000Z`;
  return {
    entity: 'Case',
    schemaVersion: 3,
    id,
    number: id,
    branchId: 'main',
    channel: 'hotline',
    customer: { id: 'C-1', name: 'Wang', address: 'A', phone: '1' },
    product: {
      model: 'AC-3200',
      serialNumber: o.serial ?? `SN-${id}`,
      purchaseDate: '2026-01-01',
      productLine: 'ac',
    },
    symptoms: o.symptoms ?? 'Error E4',
    zone: o.zone ?? 'urban',
    emergency: o.emergency ?? false,
    internal: false,
    category: o.category ?? 'C',
    categorySource: 'decided',
    status: 'completed',
    technicianId: 't-1',
    assignments: [],
    visits: Array.from({ length: o.visits ?? 1 }, (_, i) => ({
      n: i + 1,
      technicianId: 't-1',
      work: [],
      minutes: o.minutes ?? 30,
    })),
    ...(o.inspections
      ? {
          workshop: {
            receipt: { number: 'R1', issuedAt: at },
            item: { description: 'unit', condition: 'ok' },
            repairCard: [],
            inspections: o.inspections.map((result) => ({ result, by: 'd-1', at })),
          },
        }
      : {}),
    charges: [],
    completedAt: at,
    createdAt: `${day}T01:00:00.000Z`,
    createdBy: { sub: 'a-1', role: 'agent' },
    updatedAt: at,
    version: 5,
  };
}

function milestone(kind: StoredMilestone['kind'], o: Partial<StoredMilestone>): StoredMilestone {
  return {
    kind,
    clock: 'working',
    budgetMinutes: 30,
    startedAt: '2026-11-10T01:00:00.000Z',
    status: 'met',
    breached: false,
    pausedMinutes: 0,
    activeMinutes: 10,
    steps: [],
    caseId: 'x',
    branchId: 'main',
    caseVersion: 1,
    timers: [],
    ...o,
  };
}

const counters = (cases: Array<[Case, StoredMilestone[]]>): Counters =>
  sumCounters(cases.map(([c, m]) => completionIncrement(c, m, TZ).counters));
const kpi = (c: Counters, id: string) => kpisOf(c).find((k) => k.id === id);

describe('KPIs on seeded histories', () => {
  it.each([
    {
      name: 'response on time: 19 of 20 responses met in time → 0.95, meets the 95 % target',
      history: Array.from({ length: 20 }, (_, i): [Case, StoredMilestone[]] => [
        done(`R${i}`),
        [milestone('first_response', { breached: i === 0, activeMinutes: i === 0 ? 45 : 10 })],
      ]),
      kpi: 'responseOnTime',
      expected: { numerator: 19, denominator: 20, value: 0.95, meetsTarget: true },
    },
    {
      name: 'response on time: 18 of 20 → 0.9, misses the target',
      history: Array.from({ length: 20 }, (_, i): [Case, StoredMilestone[]] => [
        done(`R${i}`),
        [milestone('first_response', { breached: i < 2 })],
      ]),
      kpi: 'responseOnTime',
      expected: { numerator: 18, denominator: 20, value: 0.9, meetsTarget: false },
    },
    {
      name: 'first response time: (45 + 19 × 10) / 20 = 11.75 working minutes, within 30',
      history: Array.from({ length: 20 }, (_, i): [Case, StoredMilestone[]] => [
        done(`R${i}`),
        [milestone('first_response', { activeMinutes: i === 0 ? 45 : 10 })],
      ]),
      kpi: 'firstResponseMinutes',
      expected: { numerator: 235, denominator: 20, value: 11.75, meetsTarget: true },
    },
    {
      name: 'first-time fix: 4 of 5 completed in one visit → 0.8 (no repeats)',
      history: [
        [done('F1'), []],
        [done('F2'), []],
        [done('F3', { visits: 0 }), []],
        [done('F4'), []],
        [done('F5', { visits: 2 }), []],
      ] as Array<[Case, StoredMilestone[]]>,
      kpi: 'firstTimeFix',
      expected: { numerator: 4, denominator: 5, value: 0.8, meetsTarget: true },
    },
    {
      name: 'repair on time: met in time, met late, due later than completion (clock behind) → 2 of 3',
      history: [
        [done('P1'), [milestone('repair_completion', { breached: false })]],
        [done('P2'), [milestone('repair_completion', { breached: true })]],
        [
          done('P3'),
          [milestone('repair_completion', { status: 'running', dueAt: '2026-11-10T05:00:00.000Z' })],
        ],
        [done('P4'), [milestone('repair_completion', { status: 'cancelled' })]],
      ] as Array<[Case, StoredMilestone[]]>,
      kpi: 'repairOnTime',
      expected: { numerator: 2, denominator: 3, value: 0.6667, meetsTarget: null },
    },
    {
      name: 'repair quality: first inspection passed in 2 of 3 workshop repairs (a later pass does not count)',
      history: [
        [done('W1', { inspections: ['pass'] }), []],
        [done('W2', { inspections: ['fail', 'pass'] }), []],
        [done('W3', { inspections: ['pass'] }), []],
        [done('W4'), []],
      ] as Array<[Case, StoredMilestone[]]>,
      kpi: 'repairQuality',
      expected: { numerator: 2, denominator: 3, value: 0.6667, meetsTarget: null },
    },
  ])('$name', ({ history, kpi: id, expected }) => {
    // Act
    const value = kpi(counters(history), id);

    // Assess
    expect(value).toMatchObject(expected);
  });

  it('first-time fix: a new case for the same unit within 30 days takes the earlier fix back', () => {
    // Prepare: A fixed in one visit on 11-10; B (same unit) opened 11-25, within 30 days; C (another
    // unit) fixed on 11-10 too; D, same unit as C, opened 12-20 — 40 days later, not a repeat.
    const a = done('A', { serial: 'SN-X' });
    const b = { ...done('B', { serial: 'SN-X', day: '2026-11-25' }), completedAt: undefined };
    const c = done('C', { serial: 'SN-Y' });
    const d = { ...done('D', { serial: 'SN-Y', day: '2026-12-20' }), completedAt: undefined };
    const all = [a, b, c, d];

    // Act
    const repeats = [b, d].flatMap((y) => {
      const earlier = repeatedCase(y, all);
      const inc = earlier && repeatIncrement(earlier, TZ);
      return inc ? [inc] : [];
    });
    const nov10 = sumCounters([
      ...[a, c].map((x) => completionIncrement(x, [], TZ).counters),
      ...repeats.filter((r) => r.day === '2026-11-10').map((r) => r.counters),
    ]);

    // Assess: 2 one-visit completions, 1 repeat → (2 − 1) / 2 = 0.5.
    expect(repeats.map((r) => r.claim)).toEqual(['repeat#A']);
    expect(kpi(nov10, 'firstTimeFix')).toMatchObject({
      numerator: 1,
      denominator: 2,
      value: 0.5,
      meetsTarget: false,
    });
  });

  it('satisfaction: scores 5, 5, 4, 4 → 4.5 meets the target exactly; adding a 3 → 4.2 does not', async () => {
    // Prepare
    const answer = (cardId: string, score: number) =>
      surveyMeasureRules['Survey Answered'].contribution(
        {
          cardId,
          caseId: 'SR-1',
          caseNumber: 'SR-1',
          branchId: 'main',
          technicianId: 't-1',
          via: 'link',
          score,
          complaint: false,
          at: '2026-11-10T03:00:00.000Z',
        },
        { timeZone: TZ, sources: undefined as never },
      );
    const four = await Promise.all([answer('a', 5), answer('b', 5), answer('c', 4), answer('d', 4)]);
    const five = [...four, await answer('e', 3)];
    const sum = (cs: Awaited<ReturnType<typeof answer>>[]) =>
      sumCounters(cs.flatMap((c) => c.increments.map((i) => i.counters)));

    // Act / Assess
    expect(kpi(sum(four), 'satisfaction')).toMatchObject({ value: 4.5, meetsTarget: true });
    expect(kpi(sum(five), 'satisfaction')).toMatchObject({ value: 4.2, meetsTarget: false });
  });

  it('response on time per request type, and most frequent faults of the month', () => {
    // Prepare
    const history: Array<[Case, StoredMilestone[]]> = [
      [done('U1', { symptoms: 'E4 shown' }), [milestone('first_response', {})]],
      [done('U2', { symptoms: 'E4 blinking' }), [milestone('first_response', { breached: true })]],
      [done('S1', { zone: 'suburban', symptoms: 'no code' }), [milestone('first_response', {})]],
      [done('E1', { emergency: true, symptoms: 'F12 fault' }), [milestone('first_response', {})]],
    ];
    const sum = counters(history);

    // Act
    const faults = topFaults(sum, 2);

    // Assess
    expect(sum['responded:urban']).toBe(2);
    expect(sum['respondedOnTime:urban']).toBe(1);
    expect(sum['respondedOnTime:emergency']).toBe(1);
    expect(faults).toEqual([
      { fault: 'ac/E4', cases: 2 },
      { fault: 'ac/F12', cases: 1 },
    ]);
    expect(
      faultOf({ symptoms: 'nothing', product: { model: 'M', serialNumber: 's', purchaseDate: 'x' } }),
    ).toBe('M/unclassified');
  });

  it('complaint handled on time has no denominator until the complaint workflow reports handling', () => {
    // Act / Assess
    expect(kpi({ complaints: 3 }, 'complaintOnTime')).toMatchObject({ value: null, meetsTarget: null });
    expect(kpi({ complaintsHandled: 4, complaintsHandledOnTime: 3 }, 'complaintOnTime')).toMatchObject({
      value: 0.75,
    });
  });

  it('counts an opened case per request type on its creation day (branch time)', () => {
    // Act
    const inc = openedIncrement(
      { ...done('O1', { emergency: true }), createdAt: '2026-11-10T17:00:00.000Z' },
      TZ,
    );

    // Assess: 17:00 UTC is 01:00 the next day in Shanghai.
    expect(inc).toMatchObject({ day: '2026-11-11', counters: { opened: 1, 'opened:emergency': 1 } });
  });
});

describe('a completion and the SLA clock', () => {
  // The case (version 5) and its milestones as the SLA clock last stored them.
  const completion = (milestones: StoredMilestone[]) =>
    caseMeasureRules['Case Status Changed'].contribution(
      {
        caseId: 'SR-1',
        number: 'SR-1',
        branchId: 'main',
        at: '2026-11-10T03:00:00.000Z',
        actor: { sub: 't-1', role: 'technician' },
        from: 'in_progress',
        to: 'completed',
        visibleStatus: 'completed',
      },
      {
        timeZone: TZ,
        sources: {
          getCase: async () => done('SR-1'),
          milestones: async () => milestones,
          casesOfCustomer: async () => [],
        },
      },
    );

  it('waits (fails, to be delivered again) until the clock has seen the completed version', async () => {
    // Prepare: the clock last computed version 4, before the diagnosis made the repair promise.
    const behind = [milestone('first_response', { caseVersion: 4 })];

    // Act
    const counted = completion(behind);

    // Assess
    await expect(counted).rejects.toThrow('has not yet seen version 5');
  });

  it('counts the repair promise from the milestones of the completed version', async () => {
    // Prepare
    const caughtUp = [
      milestone('first_response', { caseVersion: 5 }),
      milestone('repair_completion', { caseVersion: 5, metAt: '2026-11-10T03:00:00.000Z' }),
    ];

    // Act
    const { increments } = await completion(caughtUp);

    // Assess
    expect(increments[0]?.counters).toMatchObject({ completed: 1, repairPromised: 1, repairOnTime: 1 });
  });
});
