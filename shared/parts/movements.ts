/**
 * The stock ledger's one way of changing stock. A movement is ONE `TransactWriteItems`:
 * - each stock item it touches, put under its version (so `available >= n` was true of exactly the
 *   state the new quantities were computed from: stock never goes negative, whatever runs alongside);
 * - one append-only ledger entry per stock item, at the item's next sequence number (gap-free: the
 *   sequence lives on the stock item, guarded by the same version) with the balances after;
 * - the movement marker, keyed by the client's movement id: a retry finds it and answers what the first
 *   attempt did, so a movement applies once; it carries the movement's events (the outbox);
 * - whatever the caller adds (a requisition's status, a case's parts use, a count line).
 * A lost race on a stock item is retried from a fresh read; running out of stock is final (409).
 */
import { createHash } from 'node:crypto';
import { type DomainEvent, domainEvent } from '../../events/registry.ts';
import {
  IdempotencyMismatchError,
  NotFoundError,
  StateConflictError,
  VersionConflictError,
} from '../errors.ts';
import { insert, insertOutbox, put, UnitOfWork, type Write } from '../store/unit-of-work.ts';
import { casePartLineWrites } from './case-parts.ts';
import {
  type LedgerEntry,
  type Movement,
  type MovementKind,
  type MovementLine,
  partsItems,
  type StockItem,
  type StockLevel,
} from './model.ts';
import type { PartsStore } from './store.ts';

export interface ActorRef {
  sub: string;
  role: string;
}

export interface MovementRequest {
  id: string;
  kind: MovementKind;
  /** What the client sent: a retry with the same id must send the same. */
  request: unknown;
  lines: MovementLine[];
  caseId?: string | undefined;
  reason?: string | undefined;
  reference?: string | undefined;
  reverses?: string | undefined;
  /** Shown on consumption entries (SPEC §5: name, model, quantity, reason). */
  model?: string | undefined;
  /** Stock items that must still be at this ledger position (count approval); else {@link StockMovedError}. */
  expectSeq?: Map<string, number>;
  /** Receipts and transfers may start stock at a location; other movements need it there. */
  createsStock?: boolean;
  /** Further writes of the same transaction, given the ledger entries it will write. */
  extra?: (entries: LedgerEntry[]) => Write[];
  events?: DomainEvent[];
}

/** A stock item moved since the caller looked (count approval flags the line for recount). */
export class StockMovedError extends StateConflictError {}

/** A lost race on a stock item: the movement is tried again from a fresh read. */
class Contended extends Error {}
/** The same movement id committed first: the retry answers what it stored. */
class Duplicate extends Error {}

/** A movement that keeps losing races gives up after this long (well within the function's timeout). */
const BUSY_AFTER_MS = 20_000;
const MAX_BACKOFF_MS = 500;
const stockKey = (no: string, loc: string) => `${no}@${loc}`;
export const requestHash = (request: unknown) =>
  createHash('sha256').update(JSON.stringify(request)).digest('hex');

/** Where a stock item stands: at or below its reorder point (reorder level + safety stock), above its overstock level, or fine. */
export function levelOf(
  s: Pick<StockItem, 'available' | 'onHand' | 'reorderLevel' | 'overstockLevel' | 'safetyStock'>,
): StockLevel {
  const reorderPoint = s.reorderLevel + s.safetyStock;
  if (reorderPoint > 0 && s.available <= reorderPoint) return 'low';
  if (s.overstockLevel > 0 && s.onHand > s.overstockLevel) return 'over';
  return 'ok';
}

/** A stock item not stored yet: nothing on hand, no levels. */
export function emptyStock(partNumber: string, locationId: string, at: string, by: string): StockItem {
  return {
    entity: 'StockItem',
    schemaVersion: 1,
    partNumber,
    locationId,
    onHand: 0,
    reserved: 0,
    available: 0,
    reorderLevel: 0,
    overstockLevel: 0,
    safetyStock: 0,
    seq: 0,
    level: 'ok',
    createdAt: at,
    updatedAt: at,
    updatedBy: by,
    version: 0,
  };
}

const strip = <T extends { entity: string; schemaVersion: number }>({
  entity: _e,
  schemaVersion: _v,
  ...rest
}: T) => rest;

/**
 * Applies a movement once. Returns the stored movement (also when a retry finds it applied already).
 * @throws StateConflictError (409) when stock would go negative, NotFoundError for unknown parts or stock,
 *   IdempotencyMismatchError (422) when the id was used for another movement.
 */
export async function applyMovement(
  store: PartsStore,
  actor: ActorRef,
  now: () => Date,
  req: MovementRequest,
  /** Checks the caller runs beside the first marker read (a location that must exist): nothing is written unless they pass. */
  checks: readonly Promise<unknown>[] = [],
): Promise<{ movement: Movement; replayed: boolean }> {
  const hash = requestHash(req.request);
  const parts = new Map<string, { unitCost: number; name: string }>();
  const deadline = Date.now() + BUSY_AFTER_MS;
  let checkMarker = true;
  for (let attempt = 1; ; attempt++) {
    if (checkMarker) {
      const [done] = await Promise.all([store.getMovement(req.id), ...(attempt === 1 ? checks : [])]);
      if (done) {
        if (done.requestHash !== hash)
          throw new IdempotencyMismatchError(`movement ${req.id} was already recorded with other content`, {
            field: 'movementId',
          });
        return { movement: done, replayed: true };
      }
    }
    try {
      return { movement: await attemptMovement(store, actor, now, req, hash, parts), replayed: false };
    } catch (err) {
      if (err instanceof Duplicate) {
        checkMarker = true;
        continue;
      }
      if (!(err instanceof Contended)) throw err;
      checkMarker = false;
      if (Date.now() > deadline)
        throw new VersionConflictError('the stock is too busy right now; send the movement again');
      // Exponential backoff with full jitter, so a crowd on one stock item spreads out instead of retrying in step.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(MAX_BACKOFF_MS, 10 * 2 ** attempt)));
    }
  }
}

async function attemptMovement(
  store: PartsStore,
  actor: ActorRef,
  now: () => Date,
  req: MovementRequest,
  hash: string,
  parts: Map<string, { unitCost: number; name: string }>,
): Promise<Movement> {
  const at = now().toISOString();
  // Lines on the same stock item are merged: one ledger entry per stock item and movement.
  const merged = new Map<string, MovementLine>();
  for (const l of req.lines) {
    const k = stockKey(l.partNumber, l.locationId);
    const m = merged.get(k);
    merged.set(
      k,
      m
        ? {
            ...m,
            onHandDelta: m.onHandDelta + l.onHandDelta,
            reservedDelta: m.reservedDelta + l.reservedDelta,
          }
        : { ...l },
    );
  }
  // The parts (their cost, read once per movement) and the stock items, all at once.
  const [, stocks] = await Promise.all([
    Promise.all(
      [...new Set([...merged.values()].map((l) => l.partNumber))]
        .filter((no) => !parts.has(no))
        .map(async (no) => {
          const p = await store.getPart(no);
          if (!p) throw new NotFoundError(`no part ${no} in the catalogue`, { field: 'partNumber' });
          parts.set(no, { unitCost: p.unitCost, name: p.name });
        }),
    ),
    Promise.all(
      [...merged.values()].map(async (l) => ({
        line: l,
        stock: await store.getStock(l.partNumber, l.locationId),
      })),
    ),
  ]);

  const unit = new UnitOfWork<'duplicate' | 'contended'>(() => new Contended());
  const entries: LedgerEntry[] = [];
  const events: DomainEvent[] = [];
  const movementLines: Movement['lines'] = [];
  for (const { line, stock: found } of stocks) {
    const where = `${line.partNumber} at ${line.locationId}`;
    if (!found && !(req.createsStock && line.onHandDelta >= 0 && line.reservedDelta >= 0))
      throw new StateConflictError(`no stock of ${where}`, {
        partNumber: line.partNumber,
        locationId: line.locationId,
        available: 0,
      });
    const before = found ?? emptyStock(line.partNumber, line.locationId, at, actor.sub);
    const expected = req.expectSeq?.get(stockKey(line.partNumber, line.locationId));
    if (expected !== undefined && expected !== before.seq)
      throw new StockMovedError(`${where} moved since the count's snapshot`);
    const onHand = before.onHand + line.onHandDelta;
    const reserved = before.reserved + line.reservedDelta;
    const available = onHand - reserved;
    if (onHand < 0 || reserved < 0 || available < 0) {
      const needed = -Math.min(line.onHandDelta - line.reservedDelta, line.onHandDelta, line.reservedDelta);
      throw new StateConflictError(
        reserved < 0
          ? `not enough reserved for ${where}: ${before.reserved} reserved, ${-line.reservedDelta} asked`
          : `not enough stock of ${where}: ${before.available} available, ${needed} asked`,
        { partNumber: line.partNumber, locationId: line.locationId, available: before.available },
      );
    }
    const seq = before.seq + 1;
    const next: StockItem = {
      ...before,
      onHand,
      reserved,
      available,
      seq,
      lastMovedAt: at,
      updatedAt: at,
      updatedBy: actor.sub,
      version: before.version + 1,
    };
    const level = levelOf(next);
    if (level !== before.level) {
      next.level = level;
      next.levelSinceSeq = seq;
      if (level !== 'ok')
        events.push(
          domainEvent('Stock Level Crossed', {
            partNumber: line.partNumber,
            locationId: line.locationId,
            level,
            from: before.level,
            seq,
            onHand,
            available,
            reorderLevel: next.reorderLevel + next.safetyStock,
            overstockLevel: next.overstockLevel,
            at,
          }),
        );
    }
    const stockItem = partsItems.stock(strip(next));
    unit.add(
      found
        ? put(stockItem, {
            condition: 'version = :v',
            values: { ':v': before.version },
            onConflict: 'contended',
          })
        : insert(stockItem, 'contended'),
    );
    const part = parts.get(line.partNumber) as { unitCost: number; name: string };
    const entry: LedgerEntry = {
      entity: 'LedgerEntry',
      schemaVersion: 1,
      partNumber: line.partNumber,
      partName: part.name,
      locationId: line.locationId,
      seq,
      movementId: req.id,
      kind: req.kind,
      onHandDelta: line.onHandDelta,
      reservedDelta: line.reservedDelta,
      onHandAfter: onHand,
      reservedAfter: reserved,
      availableAfter: available,
      unitCost: part.unitCost,
      ...(req.caseId ? { caseId: req.caseId } : {}),
      ...(req.model ? { model: req.model } : {}),
      ...(req.reason ? { reason: req.reason } : {}),
      ...(req.reference ? { reference: req.reference } : {}),
      ...(req.reverses ? { reverses: req.reverses } : {}),
      at,
      actor,
    };
    entries.push(entry);
    // The entry's key is the next sequence number: two writers of one number cannot both commit.
    unit.add(insert(partsItems.ledger(strip(entry)), 'contended'));
    movementLines.push({ ...line, seq, onHandAfter: onHand, availableAfter: available });
  }
  const movement: Movement = {
    entity: 'Movement',
    schemaVersion: 1,
    id: req.id,
    kind: req.kind,
    requestHash: hash,
    lines: movementLines,
    ...(req.caseId ? { caseId: req.caseId } : {}),
    ...(req.reason ? { reason: req.reason } : {}),
    ...(req.reference ? { reference: req.reference } : {}),
    ...(req.reverses ? { reverses: req.reverses } : {}),
    at,
    actor,
  };
  unit.add(
    insertOutbox(partsItems.movement(strip(movement)), 'duplicate'),
    ...(req.caseId ? casePartLineWrites(req.caseId, entries) : []),
    ...(req.extra?.(entries) ?? []),
  );
  unit.emit(
    domainEvent('Stock Moved', {
      movementId: req.id,
      kind: req.kind,
      lines: movementLines,
      ...(req.caseId ? { caseId: req.caseId } : {}),
      at,
      actor,
    }),
    ...events,
    ...(req.events ?? []),
  );
  const outcome = await store.commit(unit);
  // A concurrent attempt with the same id committed first: the caller's loop reads what it stored.
  if (outcome === 'duplicate') throw new Duplicate();
  if (outcome === 'contended') throw new Contended();
  return movement;
}
