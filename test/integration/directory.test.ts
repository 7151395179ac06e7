/**
 * The directory and the rules built on it, over HTTP against the real engine: finding callers while
 * taking a call, registering new ones with their case exactly once, who may be assigned, the working-day
 * lists, and what customers see of their own records and cases.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StaffInput } from '../../shared/directory/model.ts';
import { clockControl } from '../../shared/runtime/clock.ts';
import { asTechnician, customer, phoneFor, staffMember, unit } from '../support/directory.ts';
import { shanghai } from '../support/surveys.ts';
import { intake, useTestSystem } from '../support/system.ts';

const sys = useTestSystem();

/** Every stored item, as the domain reads it. */
const items = async () =>
  (await sys().allItems()).map((i) => unmarshall(i as Record<string, AttributeValue>));

/** A hotline intake for a caller who gives their phone number (and no id). */
const call = (phone: string, overrides: Record<string, unknown> = {}) =>
  intake({
    customer: { name: 'Huang Lei', address: '7 Nanshan Road, Hangzhou', phone },
    ...overrides,
  });

describe('taking a call', () => {
  it('finds the caller by exact phone number and files the case under their record and unit', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const known = await customer(sys(), 'cust-phone', { name: 'Huang Lei' });
    await unit(sys(), 'SN-PHONE-1', 'cust-phone');
    const phone = phoneFor('cust-phone');

    // Act
    const found = await agent.get(
      `/directory/customers?phone=${encodeURIComponent(phone.replaceAll(' ', ''))}`,
    );
    const byName = await agent.get('/directory/customers?name=huang');
    const opened = await agent.post(
      '/cases',
      call(phone, { product: { model: 'AC-3200', serialNumber: 'sn-phone-1', purchaseDate: '2026-06-01' } }),
    );

    // Assess
    expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([known.id]);
    expect(byName.body.items.map((c: { id: string }) => c.id)).toContain(known.id);
    expect(opened.status).toBe(201);
    expect(opened.body.customer.id).toBe('cust-phone');
    expect(opened.body.unitId).toBe('SN-PHONE-1');
    expect(opened.body.product.productLine).toBe('air-conditioner');
  });

  it('registers a new caller and their unit with the case, exactly once under 20 parallel retries of one key', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const phone = '+86 131 5555 0101';
    const body = call(phone, {
      product: {
        model: 'WH-60',
        serialNumber: 'SN-NEW-CALLER',
        purchaseDate: '2026-02-01',
        productLine: 'water-heater',
      },
    });

    // Act
    const results = await Promise.all(
      Array.from({ length: 20 }, () => agent.post('/cases', body, { 'idempotency-key': 'new-caller-0001' })),
    );

    // Assess
    const stored = await items();
    const customers = stored.filter((i) => i.entity === 'Customer' && (i.phones as string[]).includes(phone));
    const cases = stored.filter(
      (i) => i.entity === 'Case' && (i.customer as { phone: string }).phone === phone,
    );
    const units = stored.filter((i) => i.entity === 'ProductUnit' && i.serialNumber === 'SN-NEW-CALLER');
    expect(results.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(customers).toHaveLength(1);
    expect(cases).toHaveLength(1);
    expect(units).toHaveLength(1);
    expect(units[0]).toMatchObject({ ownerId: customers[0]?.id, productLine: 'water-heater' });
    const lookup = await agent.get(`/directory/customers?phone=${encodeURIComponent(phone)}`);
    expect(lookup.body.items[0]).toMatchObject({ id: customers[0]?.id, name: 'Huang Lei' });
  });

  it('refuses a customer id the directory does not know, writing nothing', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const before = (await sys().allItems()).length;

    // Act
    const res = await agent.post(
      '/cases',
      intake({ customer: { ...(intake().customer as object), id: 'c-1' } }),
    );

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ field: 'customer.id' })]);
    expect((await sys().allItems()).length).toBe(before);
  });
});

describe('who may be assigned', () => {
  it.each([
    ['a customer’s id', 'cust-assign', undefined, 'a staff record (no such person in the directory)'],
    ['an inactive technician', 'tech-inactive', { active: false }, 'an active staff record (deactivated)'],
    [
      'a technician of another branch',
      'tech-north',
      { branchId: 'north' },
      'membership of branch main (works for north)',
    ],
    [
      'a technician whose certificate expired',
      'tech-expired',
      { certificates: [{ name: 'Service licence', expiresOn: '2020-12-31' }] },
      'a valid certificate (the last expired on 2020-12-31)',
    ],
    [
      'a technician without the skill for the unit’s product line',
      'tech-washers',
      { skills: ['washing-machine'] },
      'the skill for product line air-conditioner',
    ],
  ] as Array<[string, string, Partial<StaffInput> | undefined, string]>)(
    'refuses %s with a 409 naming what is missing',
    async (_name, technicianId, record, missing) => {
      // Prepare
      const agent = await sys().as('agent');
      const dispatcher = await sys().as('dispatcher');
      if (record) await staffMember(sys(), technicianId, record);
      else await customer(sys(), technicianId);
      const id = (await agent.post('/cases', intake())).body.id;

      // Act
      const res = await dispatcher.post(`/cases/${id}/assign`, { technicianId });

      // Assess
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.missing).toEqual([missing]);
      expect(res.body.detail).toContain(missing);
      expect((await agent.get(`/cases/${id}`)).body.status).toBe('received');
    },
  );

  it('names the technician on the case, its timeline and the customer’s timeline, with the arrival window', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    const tech = await asTechnician(sys(), 'tech-named');
    await staffMember(sys(), 'tech-named', { name: 'Zhou Ning' });
    const owner = await sys().as('customer');
    await customer(sys(), owner.sub, { name: 'Qian Yu' });
    const id = (
      await agent.post('/cases', intake({ customer: { ...(intake().customer as object), id: owner.sub } }))
    ).body.id;

    // Act
    await dispatcher.post(`/cases/${id}/assign`, {
      technicianId: tech.sub,
      arrivalWindow: { from: '14:00', to: '16:00' },
    });
    await tech.post(`/cases/${id}/hold`, { reason: 'customer', note: 'internal: customer is difficult' });
    const mine = await owner.get(`/cases/${id}/timeline`);
    const staffView = await dispatcher.get(`/cases/${id}/timeline`);

    // Assess
    expect(staffView.body.items[1]).toMatchObject({
      action: 'assign',
      details: { technicianId: 'tech-named', technicianName: 'Zhou Ning' },
    });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([
      { at: expect.any(String), status: 'received' },
      {
        at: expect.any(String),
        technicianName: 'Zhou Ning',
        arrivalWindow: { day: expect.any(String), from: '14:00', to: '16:00' },
      },
      { at: expect.any(String), status: 'diagnosing' },
    ]);
    expect(JSON.stringify(mine.body)).not.toContain('difficult');
  });
});

describe('branch time', () => {
  it('numbers and lists a case on its branch’s local day, not the deployment’s', async () => {
    // Prepare: a branch on the US west coast; 02:00 UTC is still yesterday there, already today in Shanghai
    const manager = await sys().as('manager');
    const agent = await sys().as('agent');
    const saved = await manager.post('/directory/branches/west', {
      name: 'West coast',
      timezone: 'America/Los_Angeles',
      zones: [{ name: 'Bay', kind: 'urban' }],
    });
    expect(saved.status).toBe(200);
    clockControl.freeze(new Date('2026-12-03T02:00:00Z'));
    try {
      // Act
      const opened = await agent.post('/cases', intake({ branchId: 'west', symptoms: 'Night call' }));
      const onBranchDay = await agent.get('/cases?day=2026-12-02&limit=100');
      const onShanghaiDay = await agent.get('/cases?day=2026-12-03&limit=100');

      // Assess
      expect(opened.status).toBe(201);
      expect(opened.body.number).toMatch(/^SR-20261202-/);
      expect(opened.body.timeZone).toBe('America/Los_Angeles');
      const ids = (page: { body: { items: { id: string }[] } }) => page.body.items.map((c) => c.id);
      expect(ids(onBranchDay)).toContain(opened.body.id);
      expect(ids(onShanghaiDay)).not.toContain(opened.body.id);
    } finally {
      clockControl.reset();
    }
  });
});

describe('the working day', () => {
  it('lists a technician’s jobs of the day in order, completed visits included, with who, where and what', async () => {
    // Prepare
    clockControl.freeze(shanghai('2026-12-03T09:00:00'));
    try {
      const agent = await sys().as('agent');
      const dispatcher = await sys().as('dispatcher');
      const tech = await asTechnician(sys(), 'tech-day');
      const done = (await agent.post('/cases', intake({ symptoms: 'Leaks water' }))).body.id;
      const later = (
        await agent.post(
          '/cases',
          call('+86 131 5555 0202', {
            product: {
              model: 'AC-3200',
              serialNumber: 'SN-DAY-2',
              purchaseDate: '2026-01-01',
              productLine: 'air-conditioner',
            },
          }),
        )
      ).body.id;
      await dispatcher.post(`/cases/${done}/assign`, { technicianId: tech.sub });
      await dispatcher.post(`/cases/${later}/assign`, {
        technicianId: tech.sub,
        arrivalWindow: { from: '15:00', to: '17:00' },
      });
      clockControl.freeze(shanghai('2026-12-03T10:00:00'));
      await tech.post(`/cases/${done}/arrive`, { idShown: true, faultConfirmed: true });
      await tech.post(`/cases/${done}/record-work`, { description: 'Cleared the drain', minutes: 20 });
      await tech.post(`/cases/${done}/sign-off`, { customerName: 'Wang Fang' });
      await sys().bus.idle();

      // Act
      const day = await tech.get('/technicians/me/day');
      const asDispatcher = await dispatcher.get('/technicians/tech-day/day?day=2026-12-03');
      const otherTech = await (await sys().as('technician')).get('/technicians/tech-day/day');

      // Assess
      expect(day.status).toBe(200);
      expect(day.body).toMatchObject({
        technicianId: 'tech-day',
        technicianName: 'Technician tech-day',
        day: '2026-12-03',
      });
      expect(day.body.items.map((j: { caseId: string }) => j.caseId)).toEqual([done, later]);
      expect(day.body.items[0]).toMatchObject({
        status: 'completed',
        symptoms: 'Leaks water',
        customer: { name: 'Wang Fang', address: '18 Jiefang Road, Hangzhou', phone: '+86 138 0000 1234' },
        product: { model: 'AC-3200', serialNumber: 'SN-0001' },
      });
      expect(day.body.items[1]).toMatchObject({
        status: 'assigned',
        customer: { name: 'Huang Lei', address: '7 Nanshan Road, Hangzhou' },
        appointment: { day: '2026-12-03', from: '15:00', to: '17:00' },
        due: { arrival: expect.any(String) },
      });
      expect(asDispatcher.body.items).toEqual(day.body.items);
      expect(otherTech.status).toBe(404);
    } finally {
      clockControl.reset();
    }
  });

  it('shows the dispatch board with addresses: unassigned requests and each technician’s open load', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    await staffMember(sys(), 'tech-board', { branchId: 'board', name: 'Lin Tao' });
    await staffMember(sys(), 'tech-idle', { branchId: 'board', name: 'Xu Bo' });
    const waiting = (
      await agent.post('/cases', intake({ branchId: 'board', zone: 'suburban', symptoms: 'No heat' }))
    ).body.id;
    const taken = (await agent.post('/cases', intake({ branchId: 'board', symptoms: 'Noisy fan' }))).body.id;
    await dispatcher.post(`/cases/${taken}/assign`, { technicianId: 'tech-board' });
    await sys().bus.idle();

    // Act
    const board = await dispatcher.get('/dispatch/board?branchId=board');

    // Assess
    expect(board.status).toBe(200);
    expect(board.body.unassigned).toEqual([
      expect.objectContaining({
        caseId: waiting,
        zone: 'suburban',
        symptoms: 'No heat',
        customer: expect.objectContaining({ name: 'Wang Fang', address: '18 Jiefang Road, Hangzhou' }),
        product: expect.objectContaining({ model: 'AC-3200' }),
        due: expect.objectContaining({ first_response: expect.any(String), arrival: expect.any(String) }),
      }),
    ]);
    const lin = board.body.technicians.find((t: { technicianId: string }) => t.technicianId === 'tech-board');
    const xu = board.body.technicians.find((t: { technicianId: string }) => t.technicianId === 'tech-idle');
    expect(lin).toMatchObject({ name: 'Lin Tao', active: true });
    expect(lin.open).toEqual([
      expect.objectContaining({
        caseId: taken,
        symptoms: 'Noisy fan',
        zone: 'urban',
        customer: expect.objectContaining({ address: '18 Jiefang Road, Hangzhou' }),
      }),
    ]);
    expect(xu).toMatchObject({ name: 'Xu Bo', open: [] });
    expect(board.body.unassignedNextCursor).toBeUndefined();
  });

  it('pages the board’s unassigned requests on through the dispatch queue', async () => {
    // Prepare: three requests wait at a branch of their own
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    const waiting: string[] = [];
    for (const symptoms of ['No heat', 'Leaks', 'Rattles'])
      waiting.push((await agent.post('/cases', intake({ branchId: 'paged', symptoms }))).body.id);
    await sys().bus.idle();

    // Act
    const board = await dispatcher.get('/dispatch/board?branchId=paged&limit=2');
    const rest = await dispatcher.get(
      `/dispatch/queue?branchId=paged&cursor=${encodeURIComponent(board.body.unassignedNextCursor)}`,
    );

    // Assess
    expect(board.status).toBe(200);
    expect(board.body.unassigned).toHaveLength(2);
    expect(rest.status).toBe(200);
    expect(rest.body.nextCursor).toBeUndefined();
    const ids = [...board.body.unassigned, ...rest.body.items].map((e: { caseId: string }) => e.caseId);
    expect(ids.sort()).toEqual([...waiting].sort());
  });
});

describe('a customer’s own records', () => {
  it('reads and edits only their own record and units', async () => {
    // Prepare
    const me = await sys().as('customer');
    const stranger = await sys().as('customer');
    const mine = await me.post('/directory/customers', {
      name: 'Guo Jing',
      addresses: [{ address: '1 Baidi Road' }],
      phones: ['+86 131 5555 0303'],
    });
    await me.post('/directory/units', {
      serialNumber: 'SN-GUO-1',
      model: 'AC-3200',
      productLine: 'air-conditioner',
      ownerId: me.sub,
    });

    // Act
    const own = await me.get(`/directory/customers/${me.sub}/units`);
    const peek = await stranger.get(`/directory/customers/${me.sub}`);
    const peekUnit = await stranger.get('/directory/units/SN-GUO-1');
    const foreignUnit = await stranger.post('/directory/units', {
      serialNumber: 'SN-GUO-2',
      model: 'AC-3200',
      productLine: 'air-conditioner',
      ownerId: me.sub,
    });

    // Assess
    expect(mine.status).toBe(201);
    expect(mine.body.id).toBe(me.sub);
    expect(own.body.items.map((u: { serialNumber: string }) => u.serialNumber)).toEqual(['SN-GUO-1']);
    expect(peek.status).toBe(404);
    expect(peekUnit.status).toBe(404);
    expect(foreignUnit.status).toBe(403);
    expect(foreignUnit.body.field).toBe('ownerId');
  });

  it('keeps every change of a staff record, and a deactivated person can no longer be assigned', async () => {
    // Prepare
    const manager = await sys().as('manager');
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    await staffMember(sys(), 'tech-leaving');
    const current = await manager.get('/directory/staff/tech-leaving');

    // Act
    const {
      entity: _e,
      schemaVersion: _s,
      id: _i,
      createdAt: _c,
      updatedAt: _u,
      updatedBy: _b,
      version: _v,
      ...fields
    } = current.body;
    const stale = await manager.post(
      '/directory/staff/tech-leaving',
      { ...fields, active: false },
      { 'if-match': '"99"' },
    );
    const deactivated = await manager.post(
      '/directory/staff/tech-leaving',
      { ...fields, active: false },
      { 'if-match': current.headers.get('etag') ?? '' },
    );
    const id = (await agent.post('/cases', intake())).body.id;
    const refused = await dispatcher.post(`/cases/${id}/assign`, { technicianId: 'tech-leaving' });

    // Assess
    expect(stale.status).toBe(409);
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ active: false, version: 2, updatedBy: manager.sub });
    expect(refused.status).toBe(409);
    const history = (await items()).filter(
      (i) => i.entity === 'DirectoryChange' && i.recordId === 'tech-leaving',
    );
    console.log(JSON.stringify((await items()).filter((i) => String(i.pk).includes('tech-leaving'))));
    expect(history.map((h) => [h.version, h.action])).toEqual([
      [1, 'created'],
      [2, 'updated'],
    ]);
  });
});
