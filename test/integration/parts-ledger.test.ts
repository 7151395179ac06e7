/**
 * The stock ledger over HTTP against the real engine: stock never goes negative under concurrency, the
 * ledger is gap-free with balances that agree with the stock item, a movement applies once however often
 * it is sent, transfers are all-or-nothing, and the walk from requisition to the repair card.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { consume } from '../../shared/parts/service.ts';
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
import { countApiReads } from '../support/reads.ts';
import { useTestSystem } from '../support/system.ts';

const sys = useTestSystem({ throttle: { rateLimit: 100_000, burstLimit: 100_000 } });

describe('consumption under concurrency', () => {
  it('100 parallel consumptions of 1 against stock 10: exactly 10 succeed, 90 get 409, the ledger has 10 gap-free entries down to 0', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const { tech, van } = await technicianWithVan(sys(), desk);
    const caseId = await assignedCase(desk, tech);
    const part = await catalogPart(desk);
    await receive(desk, van, part, 10);
    const before = await ledgerOf(desk.clerk, part);

    // Act
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        tech.post('/parts/consumptions', {
          movementId: `race-${part}-${i}`,
          caseId,
          locationId: van,
          lines: [{ partNumber: part, quantity: 1 }],
          reason: 'Replaced a burnt element',
        }),
      ),
    );

    // Assess
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(90);
    const refused = results.find((r) => r.status === 409);
    expect(refused?.headers.get('content-type')).toContain('application/problem+json');
    const ledger = await ledgerOf(desk.clerk, part);
    const added = ledger.filter((e) => !before.some((b) => b.seq === e.seq)).sort((a, b) => a.seq - b.seq);
    expect(added).toHaveLength(10);
    expect(added.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(added.map((e) => e.onHandAfter)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(added.every((e) => e.kind === 'consumption' && e.caseId === caseId && e.onHandDelta === -1)).toBe(
      true,
    );
    const stock = await stockOf(desk.clerk, part, van);
    expect(stock).toMatchObject({ onHand: 0, available: 0, reserved: 0, seq: 11 });
    const winners = results
      .filter((r) => r.status === 201)
      .map((r) => r.body.id)
      .sort();
    expect(added.map((e) => e.movementId).sort()).toEqual(winners);
  }, 120_000);
});

describe('a movement applies once', () => {
  it('a retried movement (same id, same content) answers the first result and writes nothing more', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const part = await catalogPart(desk);
    const body = {
      movementId: `rcv-retry-${uid()}`,
      locationId: desk.warehouse,
      lines: [{ partNumber: part, quantity: 5 }],
      purchaseReference: 'PO-77',
    };

    // Act
    const first = await desk.clerk.post('/parts/receipts', body);
    const retries = await Promise.all(
      Array.from({ length: 5 }, () => desk.clerk.post('/parts/receipts', body)),
    );
    const other = await desk.clerk.post('/parts/receipts', {
      ...body,
      lines: [{ partNumber: part, quantity: 6 }],
    });

    // Assess
    expect(first.status).toBe(201);
    expect(retries.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(retries.every((r) => JSON.stringify(r.body) === JSON.stringify(first.body))).toBe(true);
    expect(other.status).toBe(422);
    expect(await ledgerOf(desk.clerk, part)).toHaveLength(1);
    expect(await stockOf(desk.clerk, part, desk.warehouse)).toMatchObject({ onHand: 5, seq: 1 });
  });

  it('a crash after the commit loses nothing: the retry after a timeout finds the movement applied', async () => {
    // Prepare: the first attempt commits, but its caller never hears back (it runs outside the API here)
    const desk = await partsDesk(sys());
    const { tech, van } = await technicianWithVan(sys(), desk);
    const caseId = await assignedCase(desk, tech);
    const part = await catalogPart(desk);
    await receive(desk, van, part, 3);
    const body = {
      movementId: `lost-answer-${uid()}`,
      caseId,
      locationId: van,
      lines: [{ partNumber: part, quantity: 2 }],
      reason: 'Two fuses',
    };
    await consume(partsJobDeps(sys()), { sub: tech.sub, roles: ['technician'] }, body);

    // Act: the client times out and sends it again
    const retry = await tech.post('/parts/consumptions', body);

    // Assess
    expect(retry.status).toBe(200);
    expect(retry.body.lines[0]).toMatchObject({ onHandDelta: -2, onHandAfter: 1 });
    expect(await stockOf(desk.clerk, part, van)).toMatchObject({ onHand: 1, seq: 2 });
    expect((await ledgerOf(desk.clerk, part)).filter((e) => e.kind === 'consumption')).toHaveLength(1);
  });
});

describe('transfers', () => {
  it('are all-or-nothing: a line short of stock refuses the whole transfer, and nothing moves', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const { van } = await technicianWithVan(sys(), desk);
    const a = await catalogPart(desk);
    const b = await catalogPart(desk);
    await receive(desk, desk.warehouse, a, 5);
    await receive(desk, desk.warehouse, b, 1);

    // Act
    const refused = await desk.clerk.post('/parts/transfers', {
      movementId: `tr-${uid()}`,
      fromLocationId: desk.warehouse,
      toLocationId: van,
      lines: [
        { partNumber: a, quantity: 3 },
        { partNumber: b, quantity: 2 },
      ],
    });

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(b);
    expect(await stockOf(desk.clerk, a, desk.warehouse)).toMatchObject({ onHand: 5, seq: 1 });
    expect(await stockOf(desk.clerk, a, van)).toBeUndefined();
    expect(await ledgerOf(desk.clerk, a)).toHaveLength(1);
  });

  it('conserve the sum over all locations, also when many run at once in both directions', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const second = `wh2-${uid()}`;
    await ok(
      desk.clerk.post(`/parts/locations/${second}`, {
        name: 'Ningbo store',
        kind: 'warehouse',
        branchId: 'main',
      }),
    );
    const part = await catalogPart(desk);
    await receive(desk, desk.warehouse, part, 20);
    await receive(desk, second, part, 20);

    // Act
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        desk.clerk.post('/parts/transfers', {
          movementId: `tr-many-${part}-${i}`,
          fromLocationId: i % 2 ? desk.warehouse : second,
          toLocationId: i % 2 ? second : desk.warehouse,
          lines: [{ partNumber: part, quantity: 1 + (i % 4) }],
        }),
      ),
    );

    // Assess
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const all = await ok(desk.clerk.get(`/parts/stock?partNumber=${part}`));
    expect(all.items.reduce((s: number, i: { onHand: number }) => s + i.onHand, 0)).toBe(40);
    for (const item of all.items) {
      const entries = (await ledgerOf(desk.clerk, part))
        .filter((e) => e.locationId === item.locationId)
        .sort((x, y) => x.seq - y.seq);
      expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
      expect(entries.at(-1)?.onHandAfter).toBe(item.onHand);
      expect(entries.reduce((s, e) => s + e.onHandDelta, 0)).toBe(item.onHand);
    }
  }, 60_000);
});

describe('from requisition to the repair card', () => {
  it('a technician requisitions, a supervisor approves, the clerk issues, the part is consumed on the case and shows on it; stock and ledger agree', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const { tech, van } = await technicianWithVan(sys(), desk);
    const caseId = await assignedCase(desk, tech);
    const part = await catalogPart(desk, { name: 'Fan motor', unitCost: 180 });
    await receive(desk, desk.warehouse, part, 4);
    const requisitionId = `REQ-${uid()}`;

    // Act
    const filed = await tech.post('/parts/requisitions', {
      requisitionId,
      fromLocationId: desk.warehouse,
      caseId,
      lines: [{ partNumber: part, quantity: 2 }],
    });
    const approved = await desk.dispatcher.post(`/parts/requisitions/${requisitionId}/decide`, {
      approve: true,
    });
    const issued = await desk.clerk.post(`/parts/requisitions/${requisitionId}/issue`, {});
    const consumed = await tech.post('/parts/consumptions', {
      movementId: `use-${uid()}`,
      caseId,
      locationId: van,
      lines: [{ partNumber: part, quantity: 1 }],
      reason: 'Fan motor seized',
    });
    const returned = await tech.post('/parts/returns', {
      movementId: `back-${uid()}`,
      caseId,
      locationId: van,
      lines: [{ partNumber: part, quantity: 2 }],
      reason: 'Not needed',
    });
    await sys().bus.idle();
    const reads = countApiReads();
    const repairCard = await tech.get(`/cases/${caseId}`);
    const seen = reads.stop();

    // Assess
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({
      status: 'pending',
      approvalLevel: 'supervisor',
      value: 360,
      toLocationId: van,
    });
    expect(approved.body.status).toBe('approved');
    expect(issued.body.requisition.status).toBe('issued');
    expect(consumed.status).toBe(201);
    expect(returned.status).toBe(409); // only 1 was consumed on the case
    expect(repairCard.body.partsConsumed).toEqual([
      expect.objectContaining({
        partNumber: part,
        name: 'Fan motor',
        model: 'AC-3200',
        quantity: 1,
        unitCost: 180,
        value: 180,
        entries: [expect.objectContaining({ kind: 'consumption', quantity: 1, reason: 'Fan motor seized' })],
      }),
    ]);
    // The case and its parts lines come back in one round trip.
    expect(seen.calls).toEqual({ QueryCommand: 1 });
    const warehouse = await stockOf(desk.clerk, part, desk.warehouse);
    const vanStock = await stockOf(desk.clerk, part, van);
    expect([warehouse.onHand, vanStock.onHand]).toEqual([2, 1]);
    const ledger = await ledgerOf(desk.clerk, part);
    for (const s of [warehouse, vanStock]) {
      const mine = ledger.filter((e) => e.locationId === s.locationId).sort((x, y) => x.seq - y.seq);
      expect(mine.at(-1).onHandAfter).toBe(s.onHand);
      expect(mine.at(-1).seq).toBe(s.seq);
    }
    const byCase = await ok(tech.get(`/parts/ledger?caseId=${caseId}`));
    expect(byCase.items.map((e: { kind: string }) => e.kind)).toEqual(['consumption']);
  });

  it('the repair card nets what came back and what was reversed, and never goes below zero', async () => {
    // Prepare: 3 on the technician's van, 2 consumed on the case.
    const desk = await partsDesk(sys());
    const { tech, van } = await technicianWithVan(sys(), desk);
    const caseId = await assignedCase(desk, tech);
    const part = await catalogPart(desk, { name: 'Drain pump', unitCost: 42.5 });
    await receive(desk, desk.warehouse, part, 3);
    await ok(
      desk.clerk.post('/parts/transfers', {
        movementId: `tr-${uid()}`,
        fromLocationId: desk.warehouse,
        toLocationId: van,
        lines: [{ partNumber: part, quantity: 3 }],
      }),
    );
    const consumption = await ok(
      tech.post('/parts/consumptions', {
        movementId: `use-${uid()}`,
        caseId,
        locationId: van,
        lines: [{ partNumber: part, quantity: 2 }],
        reason: 'Pump and spare',
      }),
    );

    // Act
    const back = await tech.post('/parts/returns', {
      movementId: `back-${uid()}`,
      caseId,
      locationId: van,
      lines: [{ partNumber: part, quantity: 1 }],
      reason: 'Spare not needed',
    });
    const reversal = await desk.clerk.post(`/parts/movements/${consumption.id}/reverse`, {
      movementId: `rev-${uid()}`,
      reason: 'Booked on the wrong case',
    });
    const card = await tech.get(`/cases/${caseId}`);

    // Assess: the reversal would take back 2 where 1 is left on the case, so nothing of it is stored.
    expect(back.status).toBe(201);
    expect(reversal.status).toBe(409);
    expect(card.body.partsConsumed).toEqual([
      {
        partNumber: part,
        name: 'Drain pump',
        model: 'AC-3200',
        quantity: 1,
        unitCost: 42.5,
        value: 42.5,
        entries: [
          expect.objectContaining({
            kind: 'consumption',
            quantity: 2,
            by: tech.sub,
            reason: 'Pump and spare',
          }),
          expect.objectContaining({ kind: 'return', quantity: -1, reason: 'Spare not needed' }),
        ],
      },
    ]);
    expect(await stockOf(desk.clerk, part, van)).toMatchObject({ onHand: 2 });
  });

  it('a requisition above the supervisor’s limit needs a manager', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const { tech } = await technicianWithVan(sys(), desk);
    const part = await catalogPart(desk, { unitCost: 1500 });
    const requisitionId = `REQ-${uid()}`;
    await ok(
      tech.post('/parts/requisitions', {
        requisitionId,
        fromLocationId: desk.warehouse,
        lines: [{ partNumber: part, quantity: 2 }],
      }),
    );

    // Act
    const bySupervisor = await desk.dispatcher.post(`/parts/requisitions/${requisitionId}/decide`, {
      approve: true,
    });
    const byManager = await desk.manager.post(`/parts/requisitions/${requisitionId}/decide`, {
      approve: true,
    });

    // Assess
    expect(bySupervisor.status).toBe(403);
    expect(byManager.status).toBe(200);
    expect(byManager.body).toMatchObject({ approvalLevel: 'manager', status: 'approved' });
  });

  it('a cancelled movement is reversed by a new entry, never by editing one', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const part = await catalogPart(desk);
    const receipt = await receive(desk, desk.warehouse, part, 7);

    // Act
    const reversal = await desk.clerk.post(`/parts/movements/${receipt.id}/reverse`, {
      movementId: `rev-${uid()}`,
      reason: 'Wrong delivery note',
    });
    const again = await desk.clerk.post(`/parts/movements/${receipt.id}/reverse`, {
      movementId: `rev-${uid()}`,
      reason: 'Twice',
    });

    // Assess
    expect(reversal.status).toBe(201);
    expect(again.status).toBe(409);
    const ledger = (await ledgerOf(desk.clerk, part)).sort((a, b) => a.seq - b.seq);
    expect(ledger.map((e) => [e.kind, e.onHandDelta, e.onHandAfter])).toEqual([
      ['receipt', 7, 7],
      ['reversal', -7, 0],
    ]);
    expect(ledger[1].reverses).toBe(receipt.id);
  });
});

describe('bad input', () => {
  it('is a 4xx problem naming the field, and writes nothing', async () => {
    // Prepare
    const desk = await partsDesk(sys());
    const { tech, van } = await technicianWithVan(sys(), desk);
    const caseId = await assignedCase(desk, tech);
    const part = await catalogPart(desk);
    await receive(desk, van, part, 2);
    const valid = {
      movementId: `bad-${uid()}`,
      caseId,
      locationId: van,
      lines: [{ partNumber: part, quantity: 1 }],
      reason: 'x',
    };
    const before = (await sys().allItems()).map((i) => unmarshall(i as Record<string, AttributeValue>));
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, lines: [{ partNumber: part, quantity: 0 }] }, 'lines.0.quantity'],
      [{ ...valid, lines: [{ partNumber: part, quantity: -3 }] }, 'lines.0.quantity'],
      [{ ...valid, lines: [] }, 'lines'],
      [{ ...valid, caseId: 'nope' }, 'caseId'],
      [{ ...valid, movementId: 'a b' }, 'movementId'],
      [{ ...valid, reason: '' }, 'reason'],
      [{ ...valid, extra: 1 }, 'extra'],
    ];

    // Act
    const answers = await Promise.all(cases.map(([body]) => tech.post('/parts/consumptions', body)));
    const otherVan = await desk.clerk.post('/parts/stock/NO-SUCH/whatever', {
      reorderLevel: 5,
      overstockLevel: 2,
    });

    // Assess
    answers.forEach((res, i) => {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.issues.map((x: { field: string }) => x.field)).toContain(cases[i]?.[1]);
    });
    expect(otherVan.status).toBe(400);
    expect(otherVan.body.issues[0].field).toBe('overstockLevel');
    const after = (await sys().allItems()).map((i) => unmarshall(i as Record<string, AttributeValue>));
    expect(after).toEqual(before);
  });
});
