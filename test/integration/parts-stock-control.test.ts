/**
 * Stock control over HTTP against the real engine: the monthly count (untouched items adjusted, moved
 * ones flagged, book = physical after), reorder and overstock alerts once per crossing (to the parts
 * clerk's mailbox, with a purchase suggestion that needs approval), ABC classes on a year of consumption
 * with a flagged override, and loaners: a case does not close with its loaner out; overdue tools listed.
 */
import { describe, expect, it } from 'vitest';
import { alertBackstop, runAbc, runSafetyStock } from '../../shared/parts/alerts.ts';
import { consume } from '../../shared/parts/service.ts';
import { clockControl } from '../../shared/runtime/clock.ts';
import {
  assignedCase,
  catalogPart,
  ledgerOf,
  ok,
  partsDesk,
  partsJobDeps,
  receive,
  stockOf,
  technicianWithVan,
  uid,
} from '../support/parts.ts';
import { readOutbox } from '../support/surveys.ts';
import { useTestSystem } from '../support/system.ts';

const sys = useTestSystem({ throttle: { rateLimit: 100_000, burstLimit: 100_000 } });

describe('the monthly count', () => {
  it('adjusts an untouched item, flags a moved one for recount, and leaves book = physical', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const still = await catalogPart(desk);
    const moved = await catalogPart(desk);
    await receive(desk, desk.warehouse, still, 10);
    await receive(desk, desk.warehouse, moved, 10);
    const countId = `CNT-${uid()}`;
    const opened = await desk.clerk.post('/parts/counts', { countId, locationId: desk.warehouse });
    await ok(
      desk.clerk.post(`/parts/counts/${countId}/lines`, {
        lines: [
          { partNumber: still, counted: 8 },
          { partNumber: moved, counted: 9 },
        ],
      }),
    );
    // The moved item moves after its snapshot (a delivery arrives during the count).
    await receive(desk, desk.warehouse, moved, 5);

    // Act
    const first = await desk.dispatcher.post(`/parts/counts/${countId}/approve`, {});
    const recounted = await desk.clerk.post(`/parts/counts/${countId}/lines`, {
      lines: [{ partNumber: moved, counted: 14 }],
    });
    const second = await desk.dispatcher.post(`/parts/counts/${countId}/approve`, {});

    // Assess
    expect(opened.status).toBe(201);
    const line = (body: any, no: string) =>
      body.lines.find((l: { partNumber: string }) => l.partNumber === no);
    expect(line(first.body, still)).toMatchObject({ status: 'adjusted', bookOnHand: 10, counted: 8 });
    expect(line(first.body, moved)).toMatchObject({ status: 'recount' });
    expect(first.body.status).toBe('open');
    expect(line(recounted.body, moved)).toMatchObject({ status: 'counted', bookOnHand: 15, counted: 14 });
    expect(second.body.status).toBe('approved');
    expect(await stockOf(desk.clerk, still, desk.warehouse)).toMatchObject({ onHand: 8 });
    expect(await stockOf(desk.clerk, moved, desk.warehouse)).toMatchObject({ onHand: 14 });
    const adjustments = [
      ...(await ledgerOf(desk.clerk, still)),
      ...(await ledgerOf(desk.clerk, moved)),
    ].filter((e) => e.kind === 'count_adjustment');
    expect(adjustments.map((e) => [e.partNumber, e.onHandDelta]).sort()).toEqual(
      [
        [still, -2],
        [moved, -1],
      ].sort(),
    );
  });
});

describe('reorder and overstock alerts', () => {
  it('fire once when crossing, not again while beyond, and again on the next crossing', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const part = await catalogPart(desk, { name: 'Door gasket' });
    await ok(
      desk.clerk.post(`/parts/stock/${part}/${desk.warehouse}`, { reorderLevel: 3, overstockLevel: 20 }),
    );
    await receive(desk, desk.warehouse, part, 10);
    const scrap = (quantity: number) =>
      ok(
        desk.clerk.post('/parts/scrap', {
          movementId: `scrap-${uid()}`,
          locationId: desk.warehouse,
          lines: [{ partNumber: part, quantity }],
          reason: 'Damaged in storage',
        }),
      );
    const alertsFor = async () => {
      await sys().bus.idle();
      return (await readOutbox(sys())).filter(
        (m) => m.subject.includes(part) && String(m.to).includes(desk.clerk.sub),
      );
    };

    // Act
    await scrap(6); // 4: still above
    const beforeCrossing = await alertsFor();
    await scrap(1); // 3: crosses
    await scrap(1); // 2: still below
    await scrap(1); // 1: still below
    const whileBelow = await alertsFor();
    await receive(desk, desk.warehouse, part, 9); // 10: back in range
    await scrap(8); // 2: crosses again
    const again = await alertsFor();
    await receive(desk, desk.warehouse, part, 25); // 27: above overstock
    await receive(desk, desk.warehouse, part, 1); // 28: still above
    const over = await alertsFor();
    const backstop = await alertBackstop(partsJobDeps(sys()));

    // Assess
    expect(beforeCrossing).toHaveLength(0);
    expect(whileBelow.map((m) => m.subject)).toEqual([expect.stringContaining('reorder alert')]);
    expect(again.filter((m) => m.subject.includes('reorder alert'))).toHaveLength(2);
    expect(over.filter((m) => m.subject.includes('overstock alert'))).toHaveLength(1);
    expect(backstop.notified).not.toContain(`${part}@${desk.warehouse}`);
    const suggestions = await ok(desk.manager.get('/parts/purchase-suggestions'));
    const mine = suggestions.items.filter((s: { partNumber: string }) => s.partNumber === part);
    expect(mine).toHaveLength(2);
    const decided = await desk.manager.post(`/parts/purchase-suggestions/${mine[0].id}/decide`, {
      approve: true,
    });
    expect(decided.body).toMatchObject({
      status: 'approved',
      purchaseRequestId: expect.stringMatching(/^PR-/),
    });
  });

  it('the daily backstop tells a crossing the consumer never told', async () => {
    // Prepare: the stock item crosses while its notice is lost (written straight to the table, no event)
    const desk = await partsDesk(sys());
    const part = await catalogPart(desk);
    await receive(desk, desk.warehouse, part, 2);
    await ok(
      desk.clerk.post(`/parts/stock/${part}/${desk.warehouse}`, { reorderLevel: 5, overstockLevel: 0 }),
    );
    await sys().bus.idle();
    const mine = async () =>
      (await readOutbox(sys())).filter(
        (m) => m.subject.includes(part) && String(m.to).includes(desk.clerk.sub),
      );
    const before = await mine();

    // Act
    const first = await alertBackstop(partsJobDeps(sys()));
    const second = await alertBackstop(partsJobDeps(sys()));

    // Assess
    expect(before).toHaveLength(0);
    expect(first.notified).toContain(`${part}@${desk.warehouse}`);
    expect(second.notified).not.toContain(`${part}@${desk.warehouse}`);
    expect(await mine()).toHaveLength(1);
  });
});

describe('ABC classes', () => {
  it('are computed from a seeded year of consumption; a disagreeing override is kept and flagged', async () => {
    // Prepare: three parts consumed over the past year, on cases, worth 8000, 1500 and 500
    const desk = await partsDesk(sys());
    const { tech, van } = await technicianWithVan(sys(), desk);
    const caseId = await assignedCase(desk, tech);
    const deps = partsJobDeps(sys());
    const [a, b, c] = [
      await catalogPart(desk, { unitCost: 100 }),
      await catalogPart(desk, { unitCost: 50 }),
      await catalogPart(desk, { unitCost: 10 }),
    ];
    for (const p of [a, b, c]) await receive(desk, van, p, 100);
    const year = [
      [a, 80],
      [b, 30],
      [c, 50],
    ] as const;
    const start = Date.now();
    try {
      for (let month = 11; month >= 0; month--) {
        clockControl.freeze(new Date(start - month * 30 * 24 * 3600 * 1000));
        for (const [p, total] of year) {
          const quantity = Math.floor(total / 12) + (month < total % 12 ? 1 : 0);
          if (quantity === 0) continue;
          await consume(
            deps,
            { sub: tech.sub, roles: ['technician'] },
            {
              movementId: `abc-${p}-${month}`,
              caseId,
              locationId: van,
              lines: [{ partNumber: p, quantity }],
              reason: 'Monthly use',
            },
          );
        }
      }
    } finally {
      clockControl.reset();
    }
    await ok(
      desk.manager.post(`/parts/catalogue/${c}/abc-override`, {
        abcClass: 'A',
        reason: 'Critical for emergency repairs',
      }),
    );

    // Act
    const run = await runAbc(deps);
    const safety = await runSafetyStock(deps);

    // Assess
    expect([run.classes[a], run.classes[b], run.classes[c]]).toEqual(['A', 'B', 'C']);
    expect(run.flagged).toContain(c);
    const read = await ok(desk.clerk.get(`/parts/catalogue/${c}`));
    expect(read).toMatchObject({
      abcComputed: 'C',
      abcClass: 'A',
      abcOverrideDisagrees: true,
      annualConsumptionValue: 500,
    });
    expect((await ok(desk.clerk.get(`/parts/catalogue/${a}`))).abcOverrideDisagrees).toBe(false);
    expect(safety.updated).toEqual({});
  });
});

describe('loaners and tools', () => {
  it('a case cannot close while its loaner is out; it closes once the loaner is back', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const { tech } = await technicianWithVan(sys(), desk);
    const caseId = await assignedCase(desk, tech);
    const serial = `LOAN-${uid()}`;
    await ok(
      desk.clerk.post(`/parts/tools/${serial}`, {
        kind: 'loaner',
        name: 'Loaner AC unit',
        homeLocationId: desk.warehouse,
        value: 2400,
      }),
    );
    await ok(desk.clerk.post(`/parts/tools/${serial}/issue`, { caseId, expectedReturn: '2099-01-31' }));
    await ok(tech.post(`/cases/${caseId}/resolve-remotely`, { guidance: 'Power cycle' }));

    // Act
    const refused = await desk.dispatcher.post(`/cases/${caseId}/close`, {});
    await ok(desk.clerk.post(`/parts/tools/${serial}/return`, { condition: 'Fine' }));
    const closed = await desk.dispatcher.post(`/cases/${caseId}/close`, {});
    const lateLoan = await desk.clerk.post(`/parts/tools/${serial}/issue`, {
      caseId,
      expectedReturn: '2099-01-31',
    });

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('loaner');
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect(lateLoan.status).toBe(409);
  });

  it('an overdue tool is listed and its holder reminded once a day; a lost one is written off', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const { tech } = await technicianWithVan(sys(), desk);
    const overdue = `TOOL-${uid()}`;
    const onTime = `TOOL-${uid()}`;
    for (const s of [overdue, onTime])
      await ok(
        desk.clerk.post(`/parts/tools/${s}`, {
          kind: 'tool',
          name: 'Refrigerant recovery unit',
          homeLocationId: desk.warehouse,
          value: 5200,
        }),
      );
    await ok(
      desk.clerk.post(`/parts/tools/${overdue}/issue`, {
        technicianId: tech.sub,
        expectedReturn: '2020-01-31',
      }),
    );
    await ok(
      desk.clerk.post(`/parts/tools/${onTime}/issue`, {
        technicianId: tech.sub,
        expectedReturn: '2099-01-31',
      }),
    );

    // Act
    const listed = await ok(desk.dispatcher.get('/parts/overdue-tools'));
    const { remindOverdue } = await import('../../shared/parts/tools.ts');
    const first = await remindOverdue(partsJobDeps(sys()), 'Asia/Shanghai');
    const second = await remindOverdue(partsJobDeps(sys()), 'Asia/Shanghai');
    const lost = await desk.clerk.post(`/parts/tools/${overdue}/lost`, { reason: 'Stolen from the van' });

    // Assess
    const serials = listed.items.map((t: { serial: string }) => t.serial);
    expect(serials).toContain(overdue);
    expect(serials).not.toContain(onTime);
    expect(first.reminded).toContain(overdue);
    expect(second.reminded).not.toContain(overdue);
    const mail = (await readOutbox(sys())).filter((m) => m.subject.includes(overdue));
    expect(mail).toHaveLength(1);
    expect(mail[0]?.to).toContain(`${tech.sub}@aftercare.example`);
    expect(lost.body).toMatchObject({ status: 'lost' });
    expect(lost.body.history.at(-1)).toMatchObject({ action: 'lost', writeOff: 5200 });
    const after = await ok(desk.dispatcher.get('/parts/overdue-tools'));
    expect(after.items.map((t: { serial: string }) => t.serial)).not.toContain(overdue);
  });
});
