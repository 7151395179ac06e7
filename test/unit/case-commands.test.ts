/**
 * The rules of each case command (shared/cases/commands.ts), applied to cases in memory. `apply` is
 * pure: it proposes the next case and status; the runner (service.ts) adds role, ownership and the
 * transition table, which the integration tests cover over HTTP.
 */
import { describe, expect, it } from 'vitest';
import type { Role } from '../../shared/auth/actor.ts';
import {
  type CaseChange,
  type CaseCommandName,
  type CommandContext,
  caseCommands,
} from '../../shared/cases/commands.ts';
import { CASE_SCHEMA_VERSION, type Case } from '../../shared/cases/model.ts';
import { type CaseStatus, canTransition } from '../../shared/cases/status.ts';
import type { Staff } from '../../shared/directory/model.ts';
import { StateConflictError } from '../../shared/errors.ts';

/** The goods-register entry a command writes with its change, if any. */
function registerEntryOf(change: CaseChange): Record<string, unknown> | undefined {
  return change.writes?.flatMap((w) =>
    w.kind === 'put' && w.item.entity === 'RegisterEntry' ? [w.item as Record<string, unknown>] : [],
  )[0];
}

const NOW = '2026-11-23T02:00:00.000Z';

function aCase(overrides: Partial<Case> = {}): Case {
  return {
    entity: 'Case',
    schemaVersion: CASE_SCHEMA_VERSION,
    id: 'SR-20261123-0001',
    number: 'SR-20261123-0001',
    branchId: 'main',
    channel: 'hotline',
    customer: { id: 'cust-1', name: 'Wang Fang', address: '18 Jiefang Road', phone: '+86 138 0000 1234' },
    product: {
      model: 'AC-3200',
      serialNumber: 'SN-0001',
      purchaseDate: '2026-06-01',
      productLine: 'air-conditioner',
    },
    unitId: 'SN-0001',
    symptoms: 'Does not start',
    zone: 'urban',
    emergency: false,
    internal: false,
    category: 'C',
    categorySource: 'decided',
    status: 'received',
    assignments: [],
    visits: [],
    charges: [],
    createdAt: '2026-11-23T01:00:00.000Z',
    createdBy: { sub: 'agent-1', role: 'agent' },
    updatedAt: '2026-11-23T01:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

/** The visit of `tech-1`, on site since 01:30 with nothing recorded yet. */
const arrival: Case['visits'][number] = {
  n: 1,
  technicianId: 'tech-1',
  arrivedAt: '2026-11-23T01:30:00.000Z',
  idShown: true,
  faultConfirmed: true,
  work: [],
  minutes: 0,
};

/** A case assigned to `tech-1`, with the technician on site. */
function onSite(overrides: Partial<Case> = {}): Case {
  return aCase({
    status: 'on_site',
    technicianId: 'tech-1',
    assignments: [{ technicianId: 'tech-1', by: 'disp-1', at: '2026-11-23T01:10:00.000Z' }],
    visits: [arrival],
    ...overrides,
  });
}

/** The workshop record of an item checked in on receipt RC-20261123-0001. */
const bench: NonNullable<Case['workshop']> = {
  receipt: { number: 'RC-20261123-0001', issuedAt: '2026-11-23T01:20:00.000Z' },
  item: { description: 'Indoor unit', condition: 'Scratched' },
  repairCard: [],
  inspections: [],
};

/** A case checked into the workshop, assigned to `tech-1`. */
function inWorkshop(overrides: Partial<Case> = {}): Case {
  return aCase({
    status: 'in_workshop',
    technicianId: 'tech-1',
    workshop: bench,
    ...overrides,
  });
}

const TODAY = '2026-11-23';

/** A technician's directory record: active, of branch `main`, certified until next year, skilled on air conditioners. */
function technician(id: string, overrides: Partial<Staff> = {}): Staff {
  return {
    entity: 'Staff',
    schemaVersion: 1,
    id,
    name: `Name of ${id}`,
    branchId: 'main',
    roles: ['technician'],
    skills: ['air-conditioner'],
    certificates: [{ name: 'Refrigerant handling', expiresOn: '2027-06-30' }],
    active: true,
    createdAt: NOW,
    updatedAt: NOW,
    updatedBy: 'manager-1',
    version: 1,
    ...overrides,
  };
}

function ctx(role: Role, sub = `${role}-1`, staff?: Staff): CommandContext {
  return { actor: { sub, role }, now: NOW, today: TODAY, ...(staff ? { staff } : {}) };
}

/** A dispatcher assigning, with the directory record of the technician named in the input. */
const assigning = (technicianId: string, overrides: Partial<Staff> = {}) =>
  ctx('dispatcher', 'dispatcher-1', technician(technicianId, overrides));

/** Validates the input with the command's own schema, then applies the command. */
function run(
  name: CaseCommandName,
  c: Case,
  input: unknown,
  context: CommandContext = ctx('technician', 'tech-1'),
) {
  const cmd = caseCommands[name];
  const parsed = cmd.input.parse(input);
  return (cmd.apply as (c: Case, i: unknown, x: CommandContext) => ReturnType<typeof cmd.apply>)(
    c,
    parsed,
    context,
  );
}

function accepts(name: CaseCommandName, input: unknown): boolean {
  return caseCommands[name].input.safeParse(input).success;
}

describe('assigning a technician', () => {
  it('moves a received case to assigned and records who assigned whom, when', () => {
    // Act
    const change = run('assign', aCase(), { technicianId: 'tech-1', note: 'nearest' }, assigning('tech-1'));

    // Assess
    expect(change.to).toBe('assigned');
    expect(change.next.technicianId).toBe('tech-1');
    expect(change.next.technicianName).toBe('Name of tech-1');
    expect(change.next.assignments).toEqual([
      {
        technicianId: 'tech-1',
        technicianName: 'Name of tech-1',
        by: 'dispatcher-1',
        at: NOW,
        note: 'nearest',
      },
    ]);
    expect(change.details).toEqual({
      technicianId: 'tech-1',
      technicianName: 'Name of tech-1',
      previousTechnicianId: null,
      appointment: { day: TODAY },
    });
  });

  it('keeps the earlier assignment in the history on reassignment, without changing the status', () => {
    // Prepare
    const assigned = aCase({
      status: 'assigned',
      technicianId: 'tech-a',
      assignments: [{ technicianId: 'tech-a', by: 'disp-1', at: '2026-11-23T01:10:00.000Z' }],
    });

    // Act
    const change = run('assign', assigned, { technicianId: 'tech-b' }, assigning('tech-b'));

    // Assess
    expect(change.to).toBeUndefined();
    expect(change.next.assignments.map((a) => a.technicianId)).toEqual(['tech-a', 'tech-b']);
    expect(change.details).toMatchObject({ technicianId: 'tech-b', previousTechnicianId: 'tech-a' });
  });

  it('sends a case that was en route back to assigned when another technician takes it', () => {
    // Act
    const change = run(
      'assign',
      aCase({ status: 'en_route', technicianId: 'tech-a' }),
      { technicianId: 'tech-b' },
      assigning('tech-b'),
    );

    // Assess
    expect(change.to).toBe('assigned');
  });

  it('refuses to assign the technician who already has the case', () => {
    // Prepare
    const assigned = aCase({ status: 'assigned', technicianId: 'tech-a' });

    // Act
    const act = () => run('assign', assigned, { technicianId: 'tech-a' }, assigning('tech-a'));

    // Assess
    expect(act).toThrow(StateConflictError);
  });

  it('reschedules the same technician to another day and arrival window', () => {
    // Prepare
    const assigned = aCase({ status: 'assigned', technicianId: 'tech-a', appointment: { day: TODAY } });

    // Act
    const change = run(
      'assign',
      assigned,
      { technicianId: 'tech-a', visitDay: '2026-11-24', arrivalWindow: { from: '09:00', to: '11:00' } },
      assigning('tech-a'),
    );

    // Assess
    expect(change.next.appointment).toEqual({ day: '2026-11-24', from: '09:00', to: '11:00' });
  });

  it.each([
    [
      'someone who is not in the directory (a customer id)',
      undefined,
      'a staff record (no such person in the directory)',
    ],
    ['a customer-facing agent', { roles: ['agent'] }, 'the technician role'],
    ['an inactive technician', { active: false }, 'an active staff record (deactivated)'],
    ['a technician of another branch', { branchId: 'north' }, 'membership of branch main (works for north)'],
    [
      'a technician whose certificate expired',
      { certificates: [{ name: 'Refrigerant handling', expiresOn: '2026-11-22' }] },
      'a valid certificate (the last expired on 2026-11-22)',
    ],
    [
      'a technician without the skill',
      { skills: ['washing-machine'] },
      'the skill for product line air-conditioner',
    ],
  ] as Array<[string, Partial<Staff> | undefined, string]>)(
    'refuses %s, naming what is missing',
    (_name, overrides, missing) => {
      // Prepare
      const context = overrides === undefined ? ctx('dispatcher') : assigning('tech-x', overrides);

      // Act
      const act = () => run('assign', aCase(), { technicianId: 'tech-x' }, context);

      // Assess
      expect(act).toThrow(StateConflictError);
      expect(act).toThrow(missing);
    },
  );

  it('accepts a certificate on its last day', () => {
    // Act
    const change = run(
      'assign',
      aCase(),
      { technicianId: 'tech-x' },
      assigning('tech-x', { certificates: [{ name: 'Refrigerant handling', expiresOn: TODAY }] }),
    );

    // Assess
    expect(change.to).toBe('assigned');
  });

  it.each(['on_site', 'repaired', 'completed', 'closed', 'cancelled'] as const)(
    'refuses to assign a case that is %s',
    (status) => {
      // Act
      const act = () => run('assign', aCase({ status }), { technicianId: 'tech-1' }, assigning('tech-1'));

      // Assess
      expect(act).toThrow(`cannot assign a case that is ${status}`);
    },
  );
});

describe('visits on site', () => {
  it('opens a new visit when the technician departs', () => {
    // Act
    const change = run('depart', aCase({ status: 'assigned', technicianId: 'tech-1' }), {});

    // Assess
    expect(change.to).toBe('en_route');
    expect(change.next.visits).toEqual([
      { n: 1, technicianId: 'tech-1', departedAt: NOW, work: [], minutes: 0 },
    ]);
  });

  it('records the arrival on the visit that departed, with ID shown and the fault confirmation', () => {
    // Prepare
    const enRoute = aCase({
      status: 'en_route',
      technicianId: 'tech-1',
      visits: [
        { n: 1, technicianId: 'tech-1', departedAt: '2026-11-23T01:40:00.000Z', work: [], minutes: 0 },
      ],
    });

    // Act
    const change = run('arrive', enRoute, { idShown: true, faultConfirmed: false });

    // Assess
    expect(change.to).toBe('on_site');
    expect(change.next.visits).toHaveLength(1);
    expect(change.next.visits[0]).toMatchObject({ arrivedAt: NOW, idShown: true, faultConfirmed: false });
  });

  it('opens a second visit when the technician arrives again after a hold', () => {
    // Prepare
    const back = onSite({
      status: 'assigned',
      visits: [{ ...arrival, endedAt: '2026-11-23T01:50:00.000Z' }],
    });

    // Act
    const change = run('arrive', back, { idShown: true, faultConfirmed: true });

    // Assess
    expect(change.next.visits.map((v) => v.n)).toEqual([1, 2]);
    expect(change.next.visits[1]).toMatchObject({ arrivedAt: NOW, technicianId: 'tech-1' });
  });

  it('does not accept an arrival without showing ID', () => {
    // Act
    const accepted = accepts('arrive', { idShown: false, faultConfirmed: true });

    // Assess
    expect(accepted).toBe(false);
  });

  it('adds work to the visit in progress and sums its minutes', () => {
    // Prepare
    const once = run('record-work', onSite(), { description: 'Checked wiring', minutes: 15 });

    // Act
    const twice = run(
      'record-work',
      { ...once.next, status: 'on_site' },
      { description: 'Fuse', minutes: 25 },
    );

    // Assess
    expect(twice.next.visits[0]?.work.map((w) => w.minutes)).toEqual([15, 25]);
    expect(twice.next.visits[0]?.minutes).toBe(40);
  });

  it('refuses to record work when nobody is on site', () => {
    // Act
    const act = () =>
      run('record-work', aCase({ status: 'assigned', technicianId: 'tech-1' }), {
        description: 'x',
        minutes: 5,
      });

    // Assess
    expect(act).toThrow('cannot record work on a case that is assigned');
  });
});

describe('customer sign-off', () => {
  it('completes the job, closes the visit and keeps the signer and the time spent', () => {
    // Prepare
    const worked = run('record-work', onSite(), { description: 'Replaced fuse', minutes: 40 }).next;

    // Act
    const change = run('sign-off', { ...worked, status: 'on_site' }, { customerName: 'Wang Fang' });

    // Assess
    expect(change.to).toBe('completed');
    expect(change.next.completedAt).toBe(NOW);
    expect(change.next.visits[0]).toMatchObject({ signOff: { name: 'Wang Fang', at: NOW }, endedAt: NOW });
    expect(change.details).toEqual({ signedBy: 'Wang Fang', minutes: 40 });
  });

  it('requires an arrival first', () => {
    // Prepare: departed, never arrived
    const enRoute = aCase({
      status: 'en_route',
      technicianId: 'tech-1',
      visits: [
        { n: 1, technicianId: 'tech-1', departedAt: '2026-11-23T01:40:00.000Z', work: [], minutes: 0 },
      ],
    });

    // Act
    const act = () => run('sign-off', enRoute, { customerName: 'Wang Fang' });

    // Assess
    expect(act).toThrow('no visit in progress: record the arrival first');
  });

  it('requires a case with any visit at all', () => {
    // Act
    const act = () => run('sign-off', aCase({ status: 'assigned' }), { customerName: 'Wang Fang' });

    // Assess
    expect(act).toThrow(StateConflictError);
  });

  it('requires the work to be recorded before the customer signs', () => {
    // Act
    const act = () => run('sign-off', onSite(), { customerName: 'Wang Fang' });

    // Assess
    expect(act).toThrow('record the work done before the customer signs off');
  });
});

describe('remote guidance, holds and resuming', () => {
  it('completes an assigned case with the guidance given', () => {
    // Act
    const change = run('resolve-remotely', aCase({ status: 'assigned' }), { guidance: 'Hold reset 10 s' });

    // Assess
    expect(change.to).toBe('completed');
    expect(change.next.remoteGuidance).toEqual({ guidance: 'Hold reset 10 s', by: 'tech-1', at: NOW });
  });

  it('does not complete a case nobody was assigned to', () => {
    // Act
    const act = () => run('resolve-remotely', aCase(), { guidance: 'Restart it' }, ctx('agent'));

    // Assess
    expect(act).toThrow('cannot resolve remotely a case that is received');
  });

  it('keeps the visit open through a hold on site, and remembers where it was held from', () => {
    // Act
    const change = run('hold', onSite(), { reason: 'parts', note: 'PCB-7 on order' });

    // Assess
    expect(change.to).toBe('awaiting_parts');
    expect(change.next.heldFrom).toBe('on_site');
    expect(change.next.visits[0]?.endedAt).toBeUndefined();
  });

  it('ends a visit left open by a hold when the technician departs again', () => {
    // Act
    const change = run('depart', onSite({ status: 'awaiting_parts', heldFrom: 'on_site' }), {});

    // Assess
    expect(change.next.visits.map((v) => v.endedAt)).toEqual([NOW, undefined]);
  });

  it('waits for the customer without touching the visits when nobody is on site', () => {
    // Prepare
    const assigned = aCase({ status: 'assigned', technicianId: 'tech-1' });

    // Act
    const change = run('hold', assigned, { reason: 'customer', note: 'Away until Monday' });

    // Assess
    expect(change.to).toBe('awaiting_customer');
    expect(change.next.visits).toBe(assigned.visits);
  });

  it.each([
    [
      'a workshop item back to the workshop',
      { heldFrom: 'in_workshop', technicianId: 'tech-1' },
      'in_workshop',
    ],
    ['a job held on site back on site', { heldFrom: 'on_site', technicianId: 'tech-1' }, 'on_site'],
    ['an assigned job back to its technician', { heldFrom: 'assigned', technicianId: 'tech-1' }, 'assigned'],
    ['an older hold without its origin back to the technician', { technicianId: 'tech-1' }, 'assigned'],
  ] as const)('resumes %s, forgetting where it was held', (_name, held, to) => {
    // Act
    const change = run('resume', aCase({ status: 'awaiting_parts', ...held }), {}, ctx('dispatcher'));

    // Assess
    expect(change.to).toBe(to);
    expect(change.next.heldFrom).toBeUndefined();
  });

  it('refuses to resume a case that is not on hold', () => {
    // Act
    const act = () => run('resume', aCase({ status: 'assigned' }), {});

    // Assess
    expect(act).toThrow('cannot resume a case that is assigned');
  });
});

describe('workshop (carry-in) repairs', () => {
  it('issues a receipt named after the case and logs the item into the goods register', () => {
    // Act
    const change = run(
      'workshop-check-in',
      aCase({ channel: 'walk_in' }),
      { itemDescription: 'Indoor unit', condition: 'Scratched', accessories: 'Remote' },
      ctx('agent'),
    );

    // Assess
    expect(change.to).toBe('in_workshop');
    expect(change.next.workshop?.receipt).toEqual({ number: 'RC-20261123-0001', issuedAt: NOW });
    expect(registerEntryOf(change)).toMatchObject({
      direction: 'in',
      caseId: 'SR-20261123-0001',
      caseNumber: 'SR-20261123-0001',
      receiptNumber: 'RC-20261123-0001',
      item: 'Indoor unit',
      at: NOW,
      by: 'agent-1',
    });
  });

  it('ends the site visit when the technician takes the item away', () => {
    // Act
    const change = run('workshop-check-in', onSite(), { itemDescription: 'Unit', condition: 'ok' });

    // Assess
    expect(change.next.visits[0]?.endedAt).toBe(NOW);
  });

  it('refuses a second check-in while the receipt is still open', () => {
    // Act
    const act = () => run('workshop-check-in', inWorkshop(), { itemDescription: 'Unit', condition: 'ok' });

    // Assess
    expect(act).toThrow('item already checked in on receipt RC-20261123-0001');
  });

  it('gives a new receipt number, kept under the case number, when an item comes back after its receipt was voided', () => {
    // Prepare
    const returned = inWorkshop({
      status: 'assigned',
      workshop: { ...bench, receipt: { ...bench.receipt, voidedAt: NOW } },
    });

    // Act
    const change = run('workshop-check-in', returned, { itemDescription: 'Unit', condition: 'ok' });

    // Assess
    expect(change.next.workshop?.receipt.number).toMatch(/^RC-20261123-0001-\d+$/);
    expect(registerEntryOf(change)?.receiptNumber).toBe(change.next.workshop?.receipt.number);
  });

  it('records bench time on the repair card and hands a finished repair to inspection', () => {
    // Prepare
    const partial = run('repair-card', inWorkshop(), {
      description: 'Diagnosed',
      minutes: 30,
      finished: false,
    });

    // Act
    const finished = run(
      'repair-card',
      { ...partial.next, status: 'in_workshop' },
      {
        description: 'Replaced fan motor',
        minutes: 60,
        partsNote: 'FM-12 x1',
        finished: true,
      },
    );

    // Assess
    expect(partial.to).toBeUndefined();
    expect(finished.to).toBe('repaired');
    expect(finished.next.workshop?.repairCard).toEqual([
      { description: 'Diagnosed', minutes: 30, by: 'tech-1', at: NOW },
      { description: 'Replaced fan motor', minutes: 60, partsNote: 'FM-12 x1', by: 'tech-1', at: NOW },
    ]);
  });

  it('refuses repair-card entries for an item that is not on the bench', () => {
    // Act
    const act = () =>
      run('repair-card', inWorkshop({ status: 'repaired' }), {
        description: 'x',
        minutes: 5,
        finished: true,
      });

    // Assess
    expect(act).toThrow('cannot record repair work on a case that is repaired');
  });

  it.each([
    ['pass', 'inspected'],
    ['fail', 'in_workshop'],
  ] as const)('an inspection that is a %s sends the item to %s, keeping every inspection', (result, to) => {
    // Act
    const change = run('inspect', inWorkshop({ status: 'repaired' }), { result }, ctx('dispatcher'));

    // Assess
    expect(change.to).toBe(to);
    expect(change.next.workshop?.inspections).toEqual([{ result, by: 'dispatcher-1', at: NOW }]);
  });

  it('inspects only repairs the technician has finished', () => {
    // Act
    const act = () => run('inspect', inWorkshop(), { result: 'pass' }, ctx('dispatcher'));

    // Assess
    expect(act).toThrow('cannot inspect a case that is in_workshop');
  });

  it('returns an inspected item with the customer signature, voids the receipt and logs the goods out', () => {
    // Act
    const change = run('workshop-return', inWorkshop({ status: 'inspected' }), {
      customerSignature: 'Wang Fang',
    });

    // Assess
    expect(change.to).toBe('completed');
    expect(change.next.workshop).toMatchObject({
      receipt: { number: 'RC-20261123-0001', voidedAt: NOW },
      returnedAt: NOW,
      returnSignature: 'Wang Fang',
    });
    expect(registerEntryOf(change)).toMatchObject({
      direction: 'out',
      signature: 'Wang Fang',
      item: 'Indoor unit',
    });
  });

  it('does not return an item that was not inspected', () => {
    // Act
    const act = () => run('workshop-return', inWorkshop({ status: 'repaired' }), { customerSignature: 'W' });

    // Assess
    expect(act).toThrow('cannot return a case that is repaired');
  });
});

describe('paid work: quotes and charges', () => {
  const paid = (overrides: Partial<Case> = {}) => onSite({ category: 'A', ...overrides });
  const shown = (overrides: Partial<Case> = {}) =>
    paid({
      quote: {
        lines: [{ description: 'Labour', amount: 1500 }],
        total: 1500,
        currency: 'CNY',
        shownAt: NOW,
        by: 'tech-1',
      },
      ...overrides,
    });
  const acceptance = { at: NOW, by: { sub: 'cust-1', role: 'customer' as const }, onBehalfOfCustomer: false };
  const quoted = (overrides: Partial<Case> = {}) =>
    shown({ quote: { ...(shown().quote as NonNullable<Case['quote']>), acceptance }, ...overrides });

  it('refuses to start paid work before the fee quote was shown', () => {
    // Act
    const act = () => run('record-work', paid(), { description: 'Compressor', minutes: 90 });

    // Assess
    expect(act).toThrow('paid work: show the customer the fee quote before work starts');
  });

  it('refuses to start paid work on a quote the customer has not accepted', () => {
    // Act
    const act = () => run('record-work', shown(), { description: 'Compressor', minutes: 90 });

    // Assess
    expect(act).toThrow('the customer must accept the fee quote (1500 CNY) before work starts');
  });

  it('lets paid work start once the customer accepted the quote', () => {
    // Act
    const change = run('record-work', quoted(), { description: 'Compressor', minutes: 90 });

    // Assess
    expect(change.next.visits[0]?.minutes).toBe(90);
  });

  it('records an agent accepting on the customer’s behalf', () => {
    // Act
    const change = run('accept-quote', shown(), { total: 1500, note: 'By phone' }, ctx('agent', 'agent-7'));

    // Assess
    expect(change.next.quote?.acceptance).toEqual({
      at: NOW,
      by: { sub: 'agent-7', role: 'agent' },
      onBehalfOfCustomer: true,
      note: 'By phone',
    });
  });

  it('refuses to accept a total other than the one quoted', () => {
    // Act
    const act = () => run('accept-quote', shown(), { total: 1200 }, ctx('customer', 'cust-1'));

    // Assess
    expect(act).toThrow('the quote is 1500 CNY, not 1200');
  });

  it('refuses a charge beyond the accepted quote, counting earlier charges', () => {
    // Prepare
    const first = run('charge', quoted(), { lines: [{ description: 'Part', amount: 1000 }] }).next;

    // Act
    const act = () => run('charge', first, { lines: [{ description: 'More work', amount: 600 }] });

    // Assess
    expect(act).toThrow('charges would reach 1600 CNY, beyond the accepted quote of 1500');
  });

  it('drops the acceptance when a new quote is shown', () => {
    // Act
    const change = run('quote', quoted(), { lines: [{ description: 'Labour and part', amount: 2000 }] });

    // Assess
    expect(change.next.quote?.acceptance).toBeUndefined();
  });

  it('totals the quote lines to the cent, in CNY unless told otherwise', () => {
    // Act
    const change = run('quote', paid(), {
      lines: [
        { description: 'Part', amount: 0.1 },
        { description: 'Part', amount: 0.2 },
      ],
    });

    // Assess
    expect(change.next.quote).toMatchObject({ total: 0.3, currency: 'CNY', shownAt: NOW, by: 'tech-1' });
  });

  it.each(['B', 'C', 'D'] as const)('quotes only paid work, not category %s', (category) => {
    // Act
    const act = () => run('quote', onSite({ category }), { lines: [{ description: 'x', amount: 1 }] });

    // Assess
    expect(act).toThrow(`only paid (A) work is quoted; this case is ${category}`);
  });

  it('refuses a charge without a quote shown first', () => {
    // Act
    const act = () => run('charge', paid(), { lines: [{ description: 'x', amount: 1 }] });

    // Assess
    expect(act).toThrow('no fee quote was shown to the customer');
  });

  it('refuses to charge work that is not paid work', () => {
    // Act
    const act = () => run('charge', quoted({ category: 'C' }), { lines: [{ description: 'x', amount: 1 }] });

    // Assess
    expect(act).toThrow('only paid (A) work is charged; this case is C');
  });

  it.each([
    [500, 'on_site', undefined],
    [500.01, 'invoice', 'INV-20261123-0001-1'],
  ])('collects a total of %d %s', (amount, collection, invoiceNumber) => {
    // Act
    const change = run('charge', quoted(), { lines: [{ description: 'Work', amount }] });

    // Assess
    expect(change.next.charges[0]).toMatchObject({ total: amount, collection, currency: 'CNY' });
    expect(change.next.charges[0]?.invoiceNumber).toBe(invoiceNumber);
  });

  it('numbers invoices per charge of the case', () => {
    // Prepare
    const first = run('charge', quoted(), { lines: [{ description: 'Part', amount: 900 }] }).next;

    // Act
    const second = run('charge', first, { lines: [{ description: 'Part', amount: 600 }] });

    // Assess
    expect(second.next.charges.map((c) => c.invoiceNumber)).toEqual([
      'INV-20261123-0001-1',
      'INV-20261123-0001-2',
    ]);
  });
});

describe('category override', () => {
  it('keeps the reason and marks the category as overridden', () => {
    // Act
    const change = run('categorize', aCase(), { category: 'B', reason: 'Contract found' }, ctx('agent'));

    // Assess
    expect(change.next).toMatchObject({
      category: 'B',
      categorySource: 'override',
      categoryReason: 'Contract found',
    });
    expect(change.details).toEqual({ from: 'C', category: 'B', reason: 'Contract found' });
  });

  it.each([
    ['without a reason', { category: 'B' }],
    ['with a blank reason', { category: 'B', reason: '   ' }],
  ])('is refused %s', (_name, input) => {
    // Act
    const accepted = accepts('categorize', input);

    // Assess
    expect(accepted).toBe(false);
  });

  it('is refused once the case is completed', () => {
    // Act
    const act = () =>
      run('categorize', aCase({ status: 'completed' }), { category: 'A', reason: 'x' }, ctx('agent'));

    // Assess
    expect(act).toThrow('cannot change the category of a case that is completed');
  });
});

describe('cancelling', () => {
  it('lets a customer withdraw a request nobody is working on yet', () => {
    // Act
    const change = run('cancel', aCase(), { reason: 'Fixed itself' }, ctx('customer', 'cust-1'));

    // Assess
    expect(change.to).toBe('cancelled');
    expect(change.next.cancellation).toEqual({ reason: 'Fixed itself', by: 'cust-1', at: NOW });
  });

  it.each(['assigned', 'en_route', 'awaiting_customer'] as const)(
    'sends a customer to the hotline once the case is %s',
    (status) => {
      // Act
      const act = () => run('cancel', aCase({ status }), { reason: 'x' }, ctx('customer', 'cust-1'));

      // Assess
      expect(act).toThrow('please call the hotline');
    },
  );

  it('lets the hotline cancel for the customer once the case is assigned', () => {
    // Act
    const change = run('cancel', aCase({ status: 'assigned' }), { reason: 'Customer called' }, ctx('agent'));

    // Assess
    expect(change.to).toBe('cancelled');
    expect(canTransition('assigned', 'cancelled')).toBe(true);
  });

  it.each(['on_site', 'in_workshop', 'completed', 'closed'] as const)(
    'proposes a cancellation the status machine refuses once the case is %s',
    (status) => {
      // Act
      const change = run('cancel', aCase({ status }), { reason: 'x' }, ctx('manager'));

      // Assess
      expect(canTransition(status, change.to as CaseStatus)).toBe(false);
    },
  );
});

describe('illegal transitions proposed by commands', () => {
  it.each([
    ['depart', 'received', {}],
    ['arrive', 'received', { idShown: true, faultConfirmed: true }],
    ['close', 'assigned', {}],
    ['close', 'received', {}],
    ['hold', 'received', { reason: 'parts', note: 'x' }],
    ['hold', 'assigned', { reason: 'parts', note: 'x' }],
  ] as const)('%s from %s is not a transition of the status machine', (name, status, input) => {
    // Act
    const change = run(name, aCase({ status }), input, ctx('manager'));

    // Assess
    expect(change.to).toBeDefined();
    expect(canTransition(status, change.to as CaseStatus)).toBe(false);
  });

  it('lets a completed case be closed', () => {
    // Act
    const change = run('close', aCase({ status: 'completed' }), { note: 'Voucher filed' }, ctx('dispatcher'));

    // Assess
    expect(change.to).toBe('closed');
    expect(canTransition('completed', 'closed')).toBe(true);
  });
});

describe('diagnosis and corrections', () => {
  it('records the plan and the promised repair time', () => {
    // Act
    const change = run('diagnose', onSite(), {
      plan: 'workshop',
      findings: 'Fan motor worn',
      promisedWorkingMinutes: 240,
    });

    // Assess
    expect(change.to).toBeUndefined();
    expect(change.next.diagnosis).toEqual({
      plan: 'workshop',
      findings: 'Fan motor worn',
      by: 'tech-1',
      at: NOW,
      promisedWorkingMinutes: 240,
    });
  });

  it('is refused before anyone is assigned', () => {
    // Act
    const act = () => run('diagnose', aCase(), { plan: 'remote', findings: 'x' }, ctx('dispatcher'));

    // Assess
    expect(act).toThrow('cannot diagnose a case that is received');
  });

  it('corrects the zone and keeps what it was', () => {
    // Act
    const change = run(
      'update-details',
      aCase(),
      { zone: 'suburban', reason: 'Outside ring road' },
      ctx('agent'),
    );

    // Assess
    expect(change.next.zone).toBe('suburban');
    expect(change.details).toEqual({
      from: { zone: 'urban', emergency: false },
      to: { zone: 'suburban', emergency: false },
      reason: 'Outside ring road',
    });
  });

  it('refuses a correction that changes nothing', () => {
    // Act
    const act = () =>
      run('update-details', aCase(), { zone: 'urban', emergency: false, reason: 'x' }, ctx('agent'));

    // Assess
    expect(act).toThrow('nothing to change');
  });

  it('needs a new zone or emergency flag, and a reason', () => {
    // Act
    const onlyReason = accepts('update-details', { reason: 'x' });
    const noReason = accepts('update-details', { emergency: true });

    // Assess
    expect(onlyReason).toBe(false);
    expect(noReason).toBe(false);
  });
});
