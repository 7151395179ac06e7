import { describe, expect, it } from 'vitest';
import { asTechnician, customer as registered, technicians } from '../support/directory.ts';
import { intake, useTestSystem } from '../support/system.ts';

const sys = useTestSystem();

describe('on-site repair lifecycle over HTTP', () => {
  it('goes from intake to closure, with the customer seeing received → diagnosing → repairing → completed', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    const tech = await asTechnician(sys());
    const customer = await sys().as('customer');
    await registered(sys(), customer.sub);
    const opened = await agent.post(
      '/cases',
      intake({ customer: { ...(intake().customer as object), id: customer.sub } }),
    );
    expect(opened.status).toBe(201);
    const id: string = opened.body.id;
    expect(id).toMatch(/^SR-\d{8}-\d{4}$/);
    const seen: string[] = [];
    const look = async () => seen.push((await customer.get(`/cases/${id}`)).body.status);

    // Act
    await look();
    expect((await dispatcher.post(`/cases/${id}/assign`, { technicianId: tech.sub })).status).toBe(200);
    await look();
    expect((await tech.post(`/cases/${id}/depart`, {})).status).toBe(200);
    expect((await tech.post(`/cases/${id}/arrive`, { idShown: true, faultConfirmed: true })).status).toBe(
      200,
    );
    const diagnosed = await tech.post(`/cases/${id}/diagnose`, {
      plan: 'on_site',
      findings: 'Blown fuse on the control board',
      promisedWorkingMinutes: 120,
    });
    await look();
    expect(
      (await tech.post(`/cases/${id}/record-work`, { description: 'Replaced fuse F2', minutes: 40 })).status,
    ).toBe(200);
    const signed = await tech.post(`/cases/${id}/sign-off`, { customerName: 'Wang Fang' });
    await look();
    const closed = await dispatcher.post(`/cases/${id}/close`, {});
    const timeline = await dispatcher.get(`/cases/${id}/timeline`);

    // Assess
    expect(seen).toEqual(['received', 'diagnosing', 'repairing', 'completed']);
    expect(diagnosed.body.diagnosis).toMatchObject({ plan: 'on_site', promisedWorkingMinutes: 120 });
    expect(signed.body.status).toBe('completed');
    expect(signed.body.visits[0]).toMatchObject({
      idShown: true,
      minutes: 40,
      signOff: { name: 'Wang Fang' },
    });
    expect(closed.body.status).toBe('closed');
    expect(timeline.body.items.map((e: { action: string }) => e.action)).toEqual([
      'opened',
      'assign',
      'depart',
      'arrive',
      'diagnose',
      'record-work',
      'sign-off',
      'close',
    ]);
    expect(timeline.body.items[1]).toMatchObject({
      actor: { sub: dispatcher.sub, role: 'dispatcher' },
      from: 'received',
      to: 'assigned',
    });
    await sys().bus.idle();
    const types = sys()
      .bus.history.filter((e) => e.detail.caseId === id)
      .map((e) => e['detail-type']);
    expect(types).toContain('Case Opened');
    expect(types.filter((t) => t === 'Case Status Changed')).toHaveLength(5);
  });

  it('keeps the history when a case is reassigned', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    await technicians(sys(), ['tech-a', 'tech-b']);
    const id = (await agent.post('/cases', intake())).body.id;
    await dispatcher.post(`/cases/${id}/assign`, { technicianId: 'tech-a' });

    // Act
    const res = await dispatcher.post(`/cases/${id}/assign`, {
      technicianId: 'tech-b',
      note: 'tech-a is sick',
    });

    // Assess
    expect(res.body.technicianId).toBe('tech-b');
    expect(res.body.assignments.map((a: { technicianId: string }) => a.technicianId)).toEqual([
      'tech-a',
      'tech-b',
    ]);
    const techA = await sys().as('technician', 'tech-a');
    expect((await techA.get(`/cases/${id}`)).status).toBe(404);
  });

  it('refuses to complete a case that was never assigned, naming the allowed transitions', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const id = (await agent.post('/cases', intake())).body.id;

    // Act
    const res = await agent.post(`/cases/${id}/resolve-remotely`, { guidance: 'Restart it' });

    // Assess
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.allowedFrom).toEqual(['assigned']);
  });

  it('resolves simple problems remotely once assigned', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    await technicians(sys(), ['tech-r']);
    const id = (await agent.post('/cases', intake())).body.id;
    await dispatcher.post(`/cases/${id}/assign`, { technicianId: 'tech-r' });

    // Act
    const res = await agent.post(`/cases/${id}/resolve-remotely`, {
      guidance: 'Hold the reset button for 10 s',
    });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'completed',
      remoteGuidance: { guidance: 'Hold the reset button for 10 s' },
    });
  });

  it('requires an accepted fee quote before paid work, caps charges at it, and invoices large charges', async () => {
    // Prepare: bought long ago, so out of warranty → category A (paid)
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    const tech = await asTechnician(sys());
    const opened = await agent.post(
      '/cases',
      intake({
        product: {
          model: 'AC-1',
          serialNumber: 'SN-OLD',
          purchaseDate: '2019-01-01',
          productLine: 'air-conditioner',
        },
      }),
    );
    const id = opened.body.id;
    await dispatcher.post(`/cases/${id}/assign`, { technicianId: tech.sub });
    await tech.post(`/cases/${id}/arrive`, { idShown: true, faultConfirmed: true });

    // Act
    const before = await tech.post(`/cases/${id}/record-work`, { description: 'Compressor', minutes: 90 });
    const quote = await tech.post(`/cases/${id}/quote`, {
      lines: [
        { description: 'Compressor', amount: 1200 },
        { description: 'Labour', amount: 150 },
      ],
    });
    const unaccepted = await tech.post(`/cases/${id}/record-work`, {
      description: 'Compressor',
      minutes: 90,
    });
    const accepted = await agent.post(`/cases/${id}/accept-quote`, {
      total: 1350,
      note: 'Agreed on the phone',
    });
    const after = await tech.post(`/cases/${id}/record-work`, { description: 'Compressor', minutes: 90 });
    const small = await tech.post(`/cases/${id}/charge`, {
      lines: [{ description: 'Call-out', amount: 80 }],
    });
    const large = await tech.post(`/cases/${id}/charge`, {
      lines: [{ description: 'Compressor', amount: 1200 }],
    });
    const overQuote = await tech.post(`/cases/${id}/charge`, {
      lines: [{ description: 'Extra refrigerant', amount: 100 }],
    });

    // Assess
    expect(opened.body.category).toBe('A');
    expect(before.status).toBe(409);
    expect(quote.body.quote).toMatchObject({ total: 1350, currency: 'CNY' });
    expect(unaccepted.status).toBe(409);
    expect(unaccepted.body.detail).toContain('must accept the fee quote');
    expect(accepted.body.quote.acceptance).toMatchObject({
      by: { sub: agent.sub, role: 'agent' },
      onBehalfOfCustomer: true,
    });
    expect(after.status).toBe(200);
    expect(overQuote.status).toBe(409);
    expect(overQuote.body.detail).toContain('beyond the accepted quote of 1350');
    expect(small.body.charges[0]).toMatchObject({ collection: 'on_site', total: 80 });
    expect(large.body.charges[1]).toMatchObject({ collection: 'invoice', total: 1200 });
    expect(large.body.charges[1].invoiceNumber).toMatch(/^INV-/);
  });

  it('pauses for parts on site and resumes on site, in the same visit', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    const tech = await asTechnician(sys());
    const id = (await agent.post('/cases', intake())).body.id;
    await dispatcher.post(`/cases/${id}/assign`, { technicianId: tech.sub });
    await tech.post(`/cases/${id}/arrive`, { idShown: true, faultConfirmed: true });

    // Act
    const held = await tech.post(`/cases/${id}/hold`, { reason: 'parts', note: 'Needs board PCB-7' });
    const resumed = await dispatcher.post(`/cases/${id}/resume`, { note: 'Board arrived' });
    await tech.post(`/cases/${id}/record-work`, { description: 'Fitted PCB-7', minutes: 30 });
    const done = await tech.post(`/cases/${id}/sign-off`, { customerName: 'Wang Fang' });

    // Assess
    expect(held.body.status).toBe('awaiting_parts');
    expect(resumed.body.status).toBe('on_site');
    expect(done.body.status).toBe('completed');
    expect(done.body.visits).toHaveLength(1);
  });
});

describe('carry-in (workshop) repair lifecycle over HTTP', () => {
  it('issues a receipt, logs goods in and out, inspects, returns with signature and voids the receipt', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    const tech = await asTechnician(sys());
    const id = (await agent.post('/cases', intake({ channel: 'walk_in' }))).body.id;

    // Act
    const checkedIn = await agent.post(`/cases/${id}/workshop-check-in`, {
      itemDescription: 'AC-3200 indoor unit',
      condition: 'Scratched casing',
      accessories: 'Remote',
    });
    await dispatcher.post(`/cases/${id}/assign`, { technicianId: tech.sub });
    const partial = await tech.post(`/cases/${id}/repair-card`, {
      description: 'Diagnosed fan motor',
      minutes: 30,
      finished: false,
    });
    const finished = await tech.post(`/cases/${id}/repair-card`, {
      description: 'Replaced fan motor',
      minutes: 60,
      partsNote: 'FM-12 x1',
      finished: true,
    });
    const failed = await dispatcher.post(`/cases/${id}/inspect`, {
      result: 'fail',
      note: 'Noise at high speed',
    });
    await tech.post(`/cases/${id}/repair-card`, {
      description: 'Balanced the fan',
      minutes: 20,
      finished: true,
    });
    const passed = await dispatcher.post(`/cases/${id}/inspect`, { result: 'pass' });
    const returned = await agent.post(`/cases/${id}/workshop-return`, { customerSignature: 'Wang Fang' });
    const month = checkedIn.body.updatedAt.slice(0, 7);
    const register = await agent.get(`/register/${month}`);

    // Assess
    expect(checkedIn.body.status).toBe('in_workshop');
    expect(checkedIn.body.workshop.receipt.number).toBe(`RC-${id.slice(3)}`);
    expect(partial.body.status).toBe('in_workshop');
    expect(finished.body.status).toBe('repaired');
    expect(failed.body.status).toBe('in_workshop');
    expect(passed.body.status).toBe('inspected');
    expect(returned.body.status).toBe('completed');
    expect(returned.body.workshop.receipt.voidedAt).toBeTruthy();
    expect(returned.body.workshop.repairCard.map((e: { minutes: number }) => e.minutes)).toEqual([
      30, 60, 20,
    ]);
    expect(returned.body.workshop.inspections.map((i: { result: string }) => i.result)).toEqual([
      'fail',
      'pass',
    ]);
    const mine = register.body.items.filter((e: { caseId: string }) => e.caseId === id);
    expect(mine.map((e: { direction: string }) => e.direction)).toEqual(['in', 'out']);
    expect(mine[1]).toMatchObject({ signature: 'Wang Fang', receiptNumber: `RC-${id.slice(3)}` });
  });
});

describe('lists and visibility', () => {
  it('shows customers only their own cases, newest first, with cursor pagination', async () => {
    // Prepare
    const customer = await sys().as('customer');
    const other = await sys().as('customer');
    for (let i = 0; i < 3; i++) {
      await customer.post(
        '/cases',
        intake({
          channel: 'app',
          customer: { name: 'Li', address: 'A', phone: '+86 139 0000 0000' },
          symptoms: `fault ${i}`,
        }),
      );
    }
    const foreign = (
      await other.post(
        '/cases',
        intake({ channel: 'portal', customer: { name: 'Zhao', address: 'B', phone: '+86 137 0000 0000' } }),
      )
    ).body.id;

    // Act
    const page1 = await customer.get('/cases?limit=2');
    const page2 = await customer.get(`/cases?limit=2&cursor=${page1.body.nextCursor}`);
    const peek = await customer.get(`/cases/${foreign}`);

    // Assess
    expect(page1.body.items.map((c: { symptoms: string }) => c.symptoms)).toEqual(['fault 2', 'fault 1']);
    expect(page2.body.items.map((c: { symptoms: string }) => c.symptoms)).toEqual(['fault 0']);
    expect(page1.body.items[0].assignments).toBeUndefined();
    expect(peek.status).toBe(404);
  });

  it('lets staff filter by status and technician, and technicians see only their open assignments', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    const tech = await asTechnician(sys());
    const a = (await agent.post('/cases', intake())).body.id;
    const b = (await agent.post('/cases', intake())).body.id;
    await dispatcher.post(`/cases/${a}/assign`, { technicianId: tech.sub });
    await dispatcher.post(`/cases/${b}/assign`, { technicianId: tech.sub });
    await dispatcher.post(`/cases/${b}/resolve-remotely`, { guidance: 'Power cycle' });

    // Act
    const mine = await tech.get('/cases');
    const byTech = await dispatcher.get(`/cases?technicianId=${tech.sub}`);
    const completed = await dispatcher.get('/cases?status=completed&limit=100');

    // Assess
    expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([a]);
    expect(byTech.body.items.map((c: { id: string }) => c.id)).toEqual([a]);
    expect(completed.body.items.map((c: { id: string }) => c.id)).toContain(b);
    expect(completed.body.items.every((c: { status: string }) => c.status === 'completed')).toBe(true);
  });
});
