/**
 * Parts operations (SPEC §5, §2): the catalogue and locations (parts clerk), stock levels, movements on
 * the ledger (receipts, transfers, scrap: parts clerk; reservation, consumption on one's own case and
 * returns: technicians too), requisitions (technician files, supervisor — above the limit a manager —
 * decides, parts clerk issues), reversals, and the reads by part, location, case and month. The HTTP
 * bundle has already checked the route's roles; the rules here are about records (a technician's own
 * case and van).
 */
import { domainEvent } from '../../events/registry.ts';
import { type Actor, hasRole, primaryRole } from '../auth/actor.ts';
import type { Case } from '../cases/model.ts';
import { isOpen } from '../cases/status.ts';
import type { CaseStore } from '../cases/store.ts';
import type { DirectoryStore } from '../directory/store.ts';
import { ForbiddenError, NotFoundError, StateConflictError, ValidationError } from '../errors.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { insertOutbox, put, putVersioned, UnitOfWork, update } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import {
  type AbcClass,
  abcOverrideSchema,
  consumptionSchema,
  decisionSchema,
  type LedgerEntry,
  type Location,
  locationInputSchema,
  type Movement,
  type MovementLine,
  type Part,
  partInputSchema,
  partsItems,
  partsKeys,
  REQUISITION_SUPERVISOR_LIMIT,
  type Requisition,
  receiptSchema,
  requisitionInputSchema,
  reservationSchema,
  returnSchema,
  reversalSchema,
  type StockItem,
  scrapSchema,
  stockSettingsSchema,
  transferSchema,
} from './model.ts';
import { type ActorRef, applyMovement, emptyStock, levelOf, requestHash } from './movements.ts';
import type { LedgerQuery, PartsStore } from './store.ts';

export interface PartsDeps {
  store: PartsStore;
  cases: CaseStore;
  directory: DirectoryStore;
  now: () => Date;
}

export const refOf = (actor: Actor): ActorRef => ({ sub: actor.sub, role: primaryRole(actor) });

/** A technician acting as such: no supervising, clerical or managing role besides. */
export const actsAsTechnician = (actor: Actor) =>
  hasRole(actor, ['technician']) && !hasRole(actor, ['dispatcher', 'manager', 'parts_clerk', 'agent', 'ops']);

const strip = <T extends { entity: string; schemaVersion: number }>({
  entity: _e,
  schemaVersion: _v,
  ...rest
}: T) => rest;

function requireVersion(what: string, current: { version: number } | undefined, ifMatch?: number) {
  if (ifMatch !== undefined && current && current.version !== ifMatch)
    throw new StateConflictError(`${what} is at version ${current.version}, not ${ifMatch}`, {
      currentVersion: current.version,
    });
}

/* ---- catalogue ---- */

/** Creates or replaces a catalogue part (parts clerk, manager); its ABC class and override are kept. */
export async function putPart(
  deps: PartsDeps,
  actor: Actor,
  partNumber: string,
  raw: unknown,
  ifMatch?: number,
): Promise<Part> {
  const input = parseInput(partInputSchema, raw);
  const current = await deps.store.getPart(partNumber);
  requireVersion(`part ${partNumber}`, current, ifMatch);
  const at = deps.now().toISOString();
  const part: Part = {
    ...(current ?? {}),
    entity: 'Part',
    schemaVersion: 1,
    partNumber,
    ...input,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
    updatedBy: actor.sub,
    version: (current?.version ?? 0) + 1,
  };
  await deps.store.commit(
    new UnitOfWork(
      () => new StateConflictError(`part ${partNumber} was changed meanwhile; reload and retry`),
    ).add(putVersioned(partsItems.part(strip(part)), current?.version)),
  );
  return part;
}

/** A part with what its ABC class is: the override when there is one, flagged when the computed class disagrees. */
export function partView(p: Part) {
  const effective: AbcClass | undefined = p.abcOverride?.abcClass ?? p.abcComputed;
  return {
    ...strip(p),
    ...(effective ? { abcClass: effective } : {}),
    abcOverrideDisagrees: Boolean(p.abcOverride && p.abcComputed && p.abcOverride.abcClass !== p.abcComputed),
  };
}

export async function getPart(deps: PartsDeps, partNumber: string) {
  const p = await deps.store.getPart(partNumber);
  if (!p) throw new NotFoundError(`no part ${partNumber}`);
  return partView(p);
}

export async function listParts(deps: PartsDeps, page: PageQuery) {
  const p = await deps.store.listParts(page);
  return { ...p, items: p.items.map(partView) };
}

/** A manager's ABC class for a part, kept across the monthly runs (flagged while the computed class differs). */
export async function overrideAbc(deps: PartsDeps, actor: Actor, partNumber: string, raw: unknown) {
  const input = parseInput(abcOverrideSchema, raw);
  const part = await deps.store.getPart(partNumber);
  if (!part) throw new NotFoundError(`no part ${partNumber}`);
  const at = deps.now().toISOString();
  const next: Part = {
    ...part,
    abcOverride: { abcClass: input.abcClass, reason: input.reason, by: actor.sub, at },
    updatedAt: at,
    updatedBy: actor.sub,
    version: part.version + 1,
  };
  await deps.store.commit(
    new UnitOfWork(
      () => new StateConflictError(`part ${partNumber} was changed meanwhile; reload and retry`),
    ).add(put(partsItems.part(strip(next)), { condition: 'version = :v', values: { ':v': part.version } })),
  );
  return partView(next);
}

/* ---- locations ---- */

/** Creates or replaces a stock location: a branch warehouse or a technician's van. */
export async function putLocation(deps: PartsDeps, actor: Actor, id: string, raw: unknown, ifMatch?: number) {
  const input = parseInput(locationInputSchema, raw);
  if (input.kind === 'van' && !input.technicianId)
    throw new ValidationError([{ field: 'technicianId', message: 'a van belongs to a technician' }]);
  if (input.kind === 'warehouse' && input.technicianId)
    throw new ValidationError([{ field: 'technicianId', message: 'only vans belong to a technician' }]);
  if (!(await deps.directory.getBranch(input.branchId)))
    throw new ValidationError([{ field: 'branchId', message: `no branch ${input.branchId}` }]);
  if (input.technicianId) {
    const van = await deps.store.vanOf(input.technicianId);
    if (van && van.id !== id)
      throw new StateConflictError(`technician ${input.technicianId} already has van ${van.id}`, {
        field: 'technicianId',
      });
  }
  const current = await deps.store.getLocation(id);
  requireVersion(`location ${id}`, current, ifMatch);
  const at = deps.now().toISOString();
  const location: Location = {
    entity: 'StockLocation',
    schemaVersion: 1,
    id,
    ...input,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
    updatedBy: actor.sub,
    version: (current?.version ?? 0) + 1,
  };
  await deps.store.commit(
    new UnitOfWork(
      () => new StateConflictError(`location ${id} was changed meanwhile; reload and retry`),
    ).add(putVersioned(partsItems.location(strip(location)), current?.version)),
  );
  return location;
}

export function listLocations(deps: PartsDeps, page: PageQuery) {
  return deps.store.listLocations(page);
}

async function locationOf(deps: PartsDeps, id: string, field: string): Promise<Location> {
  const l = await deps.store.getLocation(id);
  if (!l) throw new ValidationError([{ field, message: `no stock location ${id}` }]);
  return l;
}

/** Technicians work from their own van: consumption, reservations and returns there only. */
async function requireOwnVan(deps: PartsDeps, actor: Actor, locationId: string): Promise<Location> {
  const l = await locationOf(deps, locationId, 'locationId');
  if (actsAsTechnician(actor) && !(l.kind === 'van' && l.technicianId === actor.sub))
    throw new ForbiddenError(`technicians move stock on their own van only, not ${locationId}`, {
      field: 'locationId',
    });
  return l;
}

/* ---- stock ---- */

/** Sets a stock item's reorder and overstock levels (creating the item when the part is new there). */
export async function putStockLevels(
  deps: PartsDeps,
  actor: Actor,
  partNumber: string,
  locationId: string,
  raw: unknown,
) {
  const input = parseInput(stockSettingsSchema, raw);
  if (input.overstockLevel > 0 && input.overstockLevel <= input.reorderLevel)
    throw new ValidationError([
      { field: 'overstockLevel', message: 'must be above the reorder level (or 0: none)' },
    ]);
  if (!(await deps.store.getPart(partNumber))) throw new NotFoundError(`no part ${partNumber}`);
  await locationOf(deps, locationId, 'path.locationId');
  for (let attempt = 1; attempt <= 5; attempt++) {
    const at = deps.now().toISOString();
    const current = await deps.store.getStock(partNumber, locationId);
    const base = current ?? emptyStock(partNumber, locationId, at, actor.sub);
    const next: StockItem = {
      ...base,
      ...input,
      updatedAt: at,
      updatedBy: actor.sub,
      version: base.version + 1,
    };
    // A new level is not a movement: the state follows silently; the next movement or the backstop alerts.
    const level = levelOf(next);
    if (level !== base.level) {
      next.level = level;
      next.levelSinceSeq = base.seq;
    }
    const item = partsItems.stock(strip(next));
    const outcome = await deps.store.commit(
      new UnitOfWork<'retry'>().add(putVersioned(item, current?.version, 'retry')),
    );
    if (outcome === 'committed') return strip(next);
  }
  throw new StateConflictError('the stock item kept changing; try again');
}

/** Stock by part (every location) or by location (every part); technicians see no other technician's van. */
export async function listStock(
  deps: PartsDeps,
  actor: Actor,
  q: { partNumber?: string | undefined; locationId?: string | undefined },
  page: PageQuery,
): Promise<Page<ReturnType<typeof stockView>>> {
  if (q.partNumber && q.locationId) {
    const s = await deps.store.getStock(q.partNumber, q.locationId);
    if (s && actsAsTechnician(actor)) await visibleLocation(deps, actor, q.locationId);
    return { items: s ? [stockView(s)] : [] };
  }
  if (q.partNumber) {
    const items = await deps.store.stockOfPart(q.partNumber);
    const own = actsAsTechnician(actor) ? await deps.store.vanOf(actor.sub) : undefined;
    const visible = [];
    for (const s of items) {
      if (actsAsTechnician(actor) && s.locationId !== own?.id) {
        const l = await deps.store.getLocation(s.locationId);
        if (l?.kind === 'van') continue;
      }
      visible.push(stockView(s));
    }
    return { items: visible };
  }
  if (q.locationId) {
    await visibleLocation(deps, actor, q.locationId);
    const p = await deps.store.stockAt(q.locationId, page);
    return { ...p, items: p.items.map(stockView) };
  }
  throw new ValidationError([{ field: 'query.partNumber', message: 'give a partNumber or a locationId' }]);
}

async function visibleLocation(deps: PartsDeps, actor: Actor, locationId: string) {
  if (!actsAsTechnician(actor)) return;
  const l = await deps.store.getLocation(locationId);
  if (l?.kind === 'van' && l.technicianId !== actor.sub)
    throw new NotFoundError(`no stock location ${locationId}`);
}

export const stockView = (s: StockItem) => strip(s);

/** Stock items at or below their reorder point, or above their overstock level. */
export async function listAlerts(deps: PartsDeps) {
  const [low, over] = await Promise.all([deps.store.stockBeyond('low'), deps.store.stockBeyond('over')]);
  return { low: low.map(stockView), over: over.map(stockView) };
}

/* ---- ledger ---- */

/**
 * The ledger by part, location, case or month (one Query each). Technicians read their own van's and
 * their own cases' entries.
 */
export async function readLedger(
  deps: PartsDeps,
  actor: Actor,
  q: {
    partNumber?: string | undefined;
    locationId?: string | undefined;
    caseId?: string | undefined;
    month?: string | undefined;
  },
  page: PageQuery,
): Promise<Page<LedgerEntry>> {
  const given = [q.partNumber, q.locationId, q.caseId].filter(Boolean).length;
  if (given > 1)
    throw new ValidationError([
      { field: 'query.partNumber', message: 'give one of partNumber, locationId, caseId' },
    ]);
  let query: LedgerQuery;
  if (q.partNumber) query = { by: 'part', partNumber: q.partNumber, ...(q.month ? { month: q.month } : {}) };
  else if (q.locationId)
    query = { by: 'location', locationId: q.locationId, ...(q.month ? { month: q.month } : {}) };
  else if (q.caseId) {
    if (q.month)
      throw new ValidationError([{ field: 'query.month', message: 'a case ledger is not read by month' }]);
    query = { by: 'case', caseId: q.caseId };
  } else if (q.month) query = { by: 'month', month: q.month };
  else
    throw new ValidationError([
      { field: 'query.partNumber', message: 'give partNumber, locationId, caseId or month' },
    ]);
  if (actsAsTechnician(actor)) {
    if (query.by === 'case') await caseFor(deps, actor, query.caseId, 'read the parts of');
    else if (query.by === 'location') {
      const l = await deps.store.getLocation(query.locationId);
      if (!(l?.kind === 'van' && l.technicianId === actor.sub))
        throw new ForbiddenError('technicians read the ledger of their own van and cases', {
          field: 'query.locationId',
        });
    } else throw new ForbiddenError('technicians read the ledger of their own van and cases');
  }
  const p = await deps.store.ledger(query, page);
  return { ...p, items: p.items.map((e) => strip(e) as LedgerEntry) };
}

/* ---- movements ---- */

/** The case a movement names: it must exist, be open, and (for technicians) be assigned to them. */
async function caseFor(deps: PartsDeps, actor: Actor, caseId: string, what: string): Promise<Case> {
  const c = await deps.cases.get(caseId);
  if (!c || (actsAsTechnician(actor) && c.technicianId !== actor.sub))
    throw new NotFoundError(`no case ${caseId}`, { field: 'caseId' });
  if (what !== 'read the parts of' && !isOpen(c.status))
    throw new StateConflictError(`cannot ${what} a case that is ${c.status}`, { field: 'caseId' });
  return c;
}

const lineOf = (
  locationId: string,
  l: { partNumber: string; quantity: number },
  sign: 1 | -1,
  reserved = 0,
): MovementLine => ({
  partNumber: l.partNumber,
  locationId,
  onHandDelta: sign * l.quantity,
  reservedDelta: reserved * l.quantity,
});

const movementView = ({
  entity: _e,
  schemaVersion: _v,
  requestHash: _h,
  outbox: _o,
  outboxSize: _s,
  ...m
}: Movement) => m;
export type MovementView = ReturnType<typeof movementView>;

async function move(
  deps: PartsDeps,
  actor: Actor,
  req: Parameters<typeof applyMovement>[3],
  checks: readonly Promise<unknown>[] = [],
) {
  const { movement, replayed } = await applyMovement(deps.store, refOf(actor), deps.now, req, checks);
  return { movement: movementView(movement), replayed };
}

/** Goods received from a supplier, with the purchase reference (parts clerk). */
export async function receive(deps: PartsDeps, actor: Actor, raw: unknown) {
  const input = parseInput(receiptSchema, raw);
  // The location is checked beside the movement's marker read, before anything is written.
  return move(
    deps,
    actor,
    {
      id: input.movementId,
      kind: 'receipt',
      request: { kind: 'receipt', ...input },
      lines: input.lines.map((l) => lineOf(input.locationId, l, 1)),
      reference: input.purchaseReference,
      ...(input.supplierId ? { reason: `supplier ${input.supplierId}` } : {}),
      createsStock: true,
    },
    [locationOf(deps, input.locationId, 'locationId')],
  );
}

/** Moves stock between two locations: both sides in one transaction, or neither. */
export async function transfer(deps: PartsDeps, actor: Actor, raw: unknown) {
  const input = parseInput(transferSchema, raw);
  if (input.fromLocationId === input.toLocationId)
    throw new ValidationError([{ field: 'toLocationId', message: 'a transfer goes to another location' }]);
  await locationOf(deps, input.fromLocationId, 'fromLocationId');
  await locationOf(deps, input.toLocationId, 'toLocationId');
  return move(deps, actor, {
    id: input.movementId,
    kind: 'transfer',
    request: { kind: 'transfer', ...input },
    lines: input.lines.flatMap((l) => [
      lineOf(input.fromLocationId, l, -1),
      lineOf(input.toLocationId, l, 1),
    ]),
    ...(input.note ? { reason: input.note } : {}),
    createsStock: true,
  });
}

/** Scraps stock, with the reason (parts clerk). */
export async function scrap(deps: PartsDeps, actor: Actor, raw: unknown) {
  const input = parseInput(scrapSchema, raw);
  await locationOf(deps, input.locationId, 'locationId');
  return move(deps, actor, {
    id: input.movementId,
    kind: 'scrap',
    request: { kind: 'scrap', ...input },
    lines: input.lines.map((l) => lineOf(input.locationId, l, -1)),
    reason: input.reason,
  });
}

/** Reserves stock for a case: it stays on hand but is no longer available to others. */
export async function reserve(deps: PartsDeps, actor: Actor, raw: unknown) {
  const input = parseInput(reservationSchema, raw);
  await requireOwnVan(deps, actor, input.locationId);
  const c = await caseFor(deps, actor, input.caseId, 'reserve parts for');
  return move(deps, actor, {
    id: input.movementId,
    kind: 'reservation',
    request: { kind: 'reservation', ...input },
    lines: input.lines.map((l) => ({
      partNumber: l.partNumber,
      locationId: input.locationId,
      onHandDelta: 0,
      reservedDelta: l.quantity,
    })),
    caseId: c.id,
    model: c.product.model,
  });
}

/** Parts consumed on a case (name, model, quantity, reason): technicians on their own case, from their van. */
export async function consume(deps: PartsDeps, actor: Actor, raw: unknown) {
  const input = parseInput(consumptionSchema, raw);
  await requireOwnVan(deps, actor, input.locationId);
  const c = await caseFor(deps, actor, input.caseId, 'consume parts on');
  return move(deps, actor, {
    id: input.movementId,
    kind: 'consumption',
    request: { kind: 'consumption', ...input },
    lines: input.lines.map((l) => lineOf(input.locationId, l, -1, input.fromReservation ? -1 : 0)),
    caseId: c.id,
    model: c.product.model,
    reason: input.reason,
  });
}

/** Parts come back to stock; from a case, never more than was consumed on it. */
export async function returnToStock(deps: PartsDeps, actor: Actor, raw: unknown) {
  const input = parseInput(returnSchema, raw);
  await requireOwnVan(deps, actor, input.locationId);
  const c = input.caseId ? await caseFor(deps, actor, input.caseId, 'return parts from') : undefined;
  if (!c && actsAsTechnician(actor))
    throw new ValidationError([
      { field: 'caseId', message: 'technicians return parts from one of their cases' },
    ]);
  return move(deps, actor, {
    id: input.movementId,
    kind: 'return',
    request: { kind: 'return', ...input },
    lines: input.lines.map((l) => lineOf(input.locationId, l, 1)),
    ...(c ? { caseId: c.id, model: c.product.model } : {}),
    reason: input.reason,
    createsStock: true,
  });
}

/** Cancels a movement by a new one with the opposite quantities; the original stays, marked reversed. */
export async function reverse(deps: PartsDeps, actor: Actor, originalId: string, raw: unknown) {
  const input = parseInput(reversalSchema, raw);
  const original = await deps.store.getMovement(originalId);
  if (!original) throw new NotFoundError(`no movement ${originalId}`);
  if (original.kind === 'reversal')
    throw new StateConflictError('a reversal is not reversed; record a new movement');
  const replay = await deps.store.getMovement(input.movementId);
  if (!replay && original.reversedBy)
    throw new StateConflictError(`movement ${originalId} was reversed by ${original.reversedBy}`);
  return move(deps, actor, {
    id: input.movementId,
    kind: 'reversal',
    request: { kind: 'reversal', of: originalId, ...input },
    lines: original.lines.map((l) => ({
      partNumber: l.partNumber,
      locationId: l.locationId,
      onHandDelta: -l.onHandDelta,
      reservedDelta: -l.reservedDelta,
    })),
    ...(original.caseId ? { caseId: original.caseId } : {}),
    reason: input.reason,
    reverses: originalId,
    createsStock: true,
    extra: () => [
      update<never>(partsKeys.movement(originalId), 'SET reversedBy = :by', {
        condition: 'attribute_not_exists(reversedBy)',
        values: { ':by': input.movementId },
        onConflict: () => new StateConflictError(`movement ${originalId} was reversed meanwhile`),
      }),
    ],
  });
}

export async function getMovement(deps: PartsDeps, id: string) {
  const m = await deps.store.getMovement(id);
  if (!m) throw new NotFoundError(`no movement ${id}`);
  return movementView(m);
}

/* ---- requisitions ---- */

const requisitionView = (r: Requisition) => strip(r);

function requisitionEvent(r: Requisition, actor: ActorRef, at: string) {
  return domainEvent('Requisition Changed', {
    requisitionId: r.id,
    status: r.status,
    technicianId: r.technicianId,
    value: r.value,
    at,
    actor,
  });
}

/**
 * A technician asks for parts from a warehouse to their van (for a case, optionally). Worth more than
 * {@link REQUISITION_SUPERVISOR_LIMIT}, a manager must approve it; otherwise a supervisor. Filing the
 * same id again with the same content answers the stored requisition.
 */
export async function fileRequisition(deps: PartsDeps, actor: Actor, raw: unknown) {
  const input = parseInput(requisitionInputSchema, raw);
  const existing = await deps.store.getRequisition(input.requisitionId);
  const from = await locationOf(deps, input.fromLocationId, 'fromLocationId');
  if (from.kind !== 'warehouse')
    throw new ValidationError([{ field: 'fromLocationId', message: 'requisitions draw on a warehouse' }]);
  const to = input.toLocationId
    ? await locationOf(deps, input.toLocationId, 'toLocationId')
    : await deps.store.vanOf(actor.sub);
  if (!to)
    throw new ValidationError([
      { field: 'toLocationId', message: 'you have no van: name where the parts go' },
    ]);
  if (actsAsTechnician(actor) && !(to.kind === 'van' && to.technicianId === actor.sub))
    throw new ForbiddenError('technicians requisition parts for their own van', { field: 'toLocationId' });
  if (input.caseId) await caseFor(deps, actor, input.caseId, 'requisition parts for');
  const lines = [];
  for (const [i, l] of input.lines.entries()) {
    const p = await deps.store.getPart(l.partNumber);
    if (!p)
      throw new ValidationError([{ field: `lines.${i}.partNumber`, message: `no part ${l.partNumber}` }]);
    lines.push({ ...l, unitCost: p.unitCost });
  }
  const value = Math.round(lines.reduce((s, l) => s + l.quantity * l.unitCost, 0) * 100) / 100;
  const at = deps.now().toISOString();
  const r: Requisition = {
    entity: 'Requisition',
    schemaVersion: 1,
    id: input.requisitionId,
    technicianId: to.technicianId ?? actor.sub,
    fromLocationId: from.id,
    toLocationId: to.id,
    ...(input.caseId ? { caseId: input.caseId } : {}),
    lines,
    value,
    approvalLevel: value > REQUISITION_SUPERVISOR_LIMIT ? 'manager' : 'supervisor',
    status: 'pending',
    ...(input.note ? { note: input.note } : {}),
    createdAt: at,
    updatedAt: at,
    updatedBy: actor.sub,
    version: 1,
  };
  const same = (e: Requisition) =>
    e.technicianId === r.technicianId &&
    requestHash(e.lines) === requestHash(r.lines) &&
    e.fromLocationId === r.fromLocationId;
  if (existing) {
    if (same(existing)) return { requisition: requisitionView(existing), created: false };
    throw new StateConflictError(`requisition ${r.id} exists with other content`, { field: 'requisitionId' });
  }
  const outcome = await deps.store.commit(
    new UnitOfWork<'duplicate'>()
      .add(insertOutbox(partsItems.requisition(strip(r)), 'duplicate'))
      .emit(requisitionEvent(r, refOf(actor), at)),
  );
  if (outcome === 'duplicate') {
    const stored = await deps.store.getRequisition(r.id);
    if (stored && same(stored)) return { requisition: requisitionView(stored), created: false };
    throw new StateConflictError(`requisition ${r.id} exists with other content`, { field: 'requisitionId' });
  }
  return { requisition: requisitionView(r), created: true };
}

async function visibleRequisition(deps: PartsDeps, actor: Actor, id: string) {
  const r = await deps.store.getRequisition(id);
  if (!r || (actsAsTechnician(actor) && r.technicianId !== actor.sub))
    throw new NotFoundError(`no requisition ${id}`);
  return r;
}

export async function getRequisition(deps: PartsDeps, actor: Actor, id: string) {
  return requisitionView(await visibleRequisition(deps, actor, id));
}

/** Requisitions by status (technicians: their own, any status). */
export async function listRequisitions(
  deps: PartsDeps,
  actor: Actor,
  status: string | undefined,
  page: PageQuery,
) {
  const p = actsAsTechnician(actor)
    ? await deps.store.requisitionsOf(actor.sub, page)
    : await deps.store.requisitionsByStatus(status ?? 'pending', page);
  return { ...p, items: p.items.map(requisitionView) };
}

/** A supervisor approves or rejects a pending requisition; above the supervisor's limit only a manager may. */
export async function decideRequisition(deps: PartsDeps, actor: Actor, id: string, raw: unknown) {
  const input = parseInput(decisionSchema, raw);
  const r = await visibleRequisition(deps, actor, id);
  if (r.approvalLevel === 'manager' && !hasRole(actor, ['manager']))
    throw new ForbiddenError(
      `requisition ${id} is worth ${r.value}, above a supervisor's limit of ${REQUISITION_SUPERVISOR_LIMIT}: a manager decides`,
    );
  if (r.status !== 'pending') throw new StateConflictError(`requisition ${id} is ${r.status}, not pending`);
  const at = deps.now().toISOString();
  const by = refOf(actor);
  const next: Requisition = {
    ...r,
    status: input.approve ? 'approved' : 'rejected',
    decision: { approved: input.approve, by, at, ...(input.note ? { note: input.note } : {}) },
    updatedAt: at,
    updatedBy: actor.sub,
    version: r.version + 1,
  };
  // The decision is on the requisition itself (who, when, note); the issue that follows is the movement.
  const unit = new UnitOfWork(
    () => new StateConflictError(`requisition ${id} changed meanwhile; reload and retry`),
  ).add(put(partsItems.requisition(strip(next)), { condition: 'version = :v', values: { ':v': r.version } }));
  await deps.store.commit(unit);
  return requisitionView(next);
}

/** The parts clerk issues an approved requisition: warehouse → van, one movement, the requisition issued with it. */
export async function issueRequisition(deps: PartsDeps, actor: Actor, id: string) {
  const r = await visibleRequisition(deps, actor, id);
  const movementId = `issue-${r.id}`;
  if (r.status === 'issued' && r.issueMovementId) {
    return { requisition: requisitionView(r), movement: await getMovement(deps, r.issueMovementId) };
  }
  if (r.status !== 'approved') throw new StateConflictError(`requisition ${id} is ${r.status}, not approved`);
  const at = deps.now().toISOString();
  const by = refOf(actor);
  const next: Requisition = {
    ...r,
    status: 'issued',
    issueMovementId: movementId,
    updatedAt: at,
    updatedBy: actor.sub,
    version: r.version + 1,
  };
  const { movement } = await move(deps, actor, {
    id: movementId,
    kind: 'issue',
    request: { kind: 'issue', requisition: r.id },
    lines: r.lines.flatMap((l) => [lineOf(r.fromLocationId, l, -1), lineOf(r.toLocationId, l, 1)]),
    ...(r.caseId
      ? { reference: `requisition ${r.id} for case ${r.caseId}` }
      : { reference: `requisition ${r.id}` }),
    createsStock: true,
    extra: () => [
      put<never>(partsItems.requisition(strip(next)), {
        condition: 'version = :v',
        values: { ':v': r.version },
        onConflict: () => new StateConflictError(`requisition ${id} changed meanwhile; reload and retry`),
      }),
    ],
    events: [requisitionEvent(next, by, at)],
  });
  return { requisition: requisitionView(next), movement };
}
