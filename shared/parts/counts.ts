/**
 * The monthly stock count (SPEC §5, 003 五.2–3): a session snapshots the book quantity and ledger position
 * of every stock item at a location; counters enter physical quantities; a supervisor approves. Approval
 * posts a count-adjustment movement only for items that did not move since their snapshot (the movement
 * itself checks the ledger position in its transaction); a moved item is flagged for recount, and its
 * next entered count is taken against a fresh snapshot. After approval, book = physical.
 */
import type { Actor } from '../auth/actor.ts';
import { NotFoundError, StateConflictError, ValidationError } from '../errors.ts';
import { insert, put, UnitOfWork } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import {
  type CountLine,
  type CountSession,
  countInputSchema,
  countLinesSchema,
  partsItems,
} from './model.ts';
import { applyMovement, StockMovedError } from './movements.ts';
import { type PartsDeps, refOf } from './service.ts';

const strip = <T extends { entity: string; schemaVersion: number }>({
  entity: _e,
  schemaVersion: _v,
  ...rest
}: T) => rest;

/** One transaction holds at most 100 writes. */
const CHUNK = 99;

export async function getCount(deps: PartsDeps, id: string) {
  const { session, lines } = await deps.store.getCount(id);
  if (!session) throw new NotFoundError(`no count ${id}`);
  return { ...strip(session), lines: lines.map(strip) };
}

/** Opens a count of a location: the book quantity and ledger position of each of its stock items. */
export async function openCount(deps: PartsDeps, actor: Actor, raw: unknown) {
  const input = parseInput(countInputSchema, raw);
  const existing = await deps.store.getCount(input.countId);
  if (existing.session) {
    if (existing.session.locationId === input.locationId)
      return { count: await getCount(deps, input.countId), created: false };
    throw new StateConflictError(`count ${input.countId} is of another location`, { field: 'countId' });
  }
  if (!(await deps.store.getLocation(input.locationId)))
    throw new ValidationError([{ field: 'locationId', message: `no stock location ${input.locationId}` }]);
  const at = deps.now().toISOString();
  const stock = await deps.store.allStockAt(input.locationId);
  const session: CountSession = {
    entity: 'CountSession',
    schemaVersion: 1,
    id: input.countId,
    locationId: input.locationId,
    status: 'open',
    snapshotAt: at,
    lineCount: stock.length,
    approvals: [],
    createdAt: at,
    updatedAt: at,
    updatedBy: actor.sub,
    version: 1,
  };
  const lines = stock.map(
    (s): Omit<CountLine, 'entity' | 'schemaVersion'> => ({
      countId: input.countId,
      partNumber: s.partNumber,
      locationId: s.locationId,
      bookOnHand: s.onHand,
      snapshotSeq: s.seq,
      status: 'open',
      updatedAt: at,
    }),
  );
  // The session goes in with the first lines; later chunks only add lines to it.
  for (let i = 0; i === 0 || i < lines.length; i += CHUNK) {
    const unit = new UnitOfWork(() => new StateConflictError(`count ${input.countId} was opened meanwhile`));
    if (i === 0) unit.add(insert(partsItems.count(strip(session))));
    unit.add(...lines.slice(i, i + CHUNK).map((l) => insert<never>(partsItems.countLine(l))));
    await deps.store.commit(unit);
  }
  return { count: await getCount(deps, input.countId), created: true };
}

/** Physical quantities as counted. A line flagged for recount is snapshotted again before it is taken. */
export async function enterCounts(deps: PartsDeps, actor: Actor, id: string, raw: unknown) {
  const input = parseInput(countLinesSchema, raw);
  const { session, lines } = await deps.store.getCount(id);
  if (!session) throw new NotFoundError(`no count ${id}`);
  if (session.status !== 'open') throw new StateConflictError(`count ${id} is ${session.status}`);
  const at = deps.now().toISOString();
  const byPart = new Map(lines.map((l) => [l.partNumber, l]));
  const unit = new UnitOfWork(
    () => new StateConflictError(`count ${id} changed meanwhile; reload and retry`),
  );
  for (const [i, entered] of input.lines.entries()) {
    const line = byPart.get(entered.partNumber);
    if (line?.status === 'adjusted' || line?.status === 'matched')
      throw new ValidationError([
        { field: `lines.${i}.partNumber`, message: `${entered.partNumber} is settled already` },
      ]);
    if (!(await deps.store.getPart(entered.partNumber)))
      throw new ValidationError([
        { field: `lines.${i}.partNumber`, message: `no part ${entered.partNumber}` },
      ]);
    let next: Omit<CountLine, 'entity' | 'schemaVersion'>;
    if (!line || line.status === 'recount') {
      // Found on the shelf without a book entry, or moved since the snapshot: snapshot now.
      const s = await deps.store.getStock(entered.partNumber, session.locationId);
      next = {
        countId: id,
        partNumber: entered.partNumber,
        locationId: session.locationId,
        bookOnHand: s?.onHand ?? 0,
        snapshotSeq: s?.seq ?? 0,
        counted: entered.counted,
        countedBy: actor.sub,
        status: 'counted',
        updatedAt: at,
      };
    } else
      next = {
        ...strip(line),
        counted: entered.counted,
        countedBy: actor.sub,
        status: 'counted',
        updatedAt: at,
      };
    unit.add(put<never>(partsItems.countLine(next)));
  }
  if (unit.writes.length > 100)
    throw new ValidationError([{ field: 'lines', message: 'at most 100 lines at once' }]);
  await deps.store.commit(unit);
  return getCount(deps, id);
}

/**
 * The supervisor approves: each counted line whose stock item is still at its snapshot is adjusted to
 * the physical quantity (one movement each, retried safely: its id is derived from the line); a line whose
 * item moved is flagged for recount. The session closes when no line is left open or flagged.
 */
export async function approveCount(deps: PartsDeps, actor: Actor, id: string) {
  const { session, lines } = await deps.store.getCount(id);
  if (!session) throw new NotFoundError(`no count ${id}`);
  if (session.status !== 'open') throw new StateConflictError(`count ${id} is ${session.status}`);
  const at = deps.now().toISOString();
  let adjusted = 0;
  let recount = 0;
  for (const line of lines) {
    if (line.status !== 'counted' || line.counted === undefined) continue;
    const stock = await deps.store.getStock(line.partNumber, line.locationId);
    const seq = stock?.seq ?? 0;
    const onHand = stock?.onHand ?? 0;
    const settle = (status: CountLine['status'], movementId?: string) =>
      put<never>(
        partsItems.countLine({
          ...strip(line),
          status,
          ...(movementId ? { adjustmentMovementId: movementId } : {}),
          updatedAt: at,
        }),
      );
    if (seq !== line.snapshotSeq) {
      await deps.store.commit(new UnitOfWork().add(settle('recount')));
      recount++;
      continue;
    }
    if (onHand === line.counted) {
      await deps.store.commit(new UnitOfWork().add(settle('matched')));
      continue;
    }
    const delta = line.counted - onHand;
    // Reserved stock cannot exceed what is physically there.
    const reservedDelta = stock && stock.reserved > line.counted ? line.counted - stock.reserved : 0;
    const movementId = `count-${id}-${line.partNumber}-${line.snapshotSeq}`;
    try {
      await applyMovement(deps.store, refOf(actor), deps.now, {
        id: movementId,
        kind: 'count_adjustment',
        request: {
          kind: 'count_adjustment',
          count: id,
          partNumber: line.partNumber,
          counted: line.counted,
          snapshotSeq: line.snapshotSeq,
        },
        lines: [
          { partNumber: line.partNumber, locationId: line.locationId, onHandDelta: delta, reservedDelta },
        ],
        reason: `count ${id}: book ${onHand}, counted ${line.counted}`,
        reference: id,
        createsStock: true,
        expectSeq: new Map([[`${line.partNumber}@${line.locationId}`, line.snapshotSeq]]),
        extra: () => [settle('adjusted', movementId)],
      });
      adjusted++;
    } catch (err) {
      if (!(err instanceof StockMovedError)) throw err;
      await deps.store.commit(new UnitOfWork().add(settle('recount')));
      recount++;
    }
  }
  const after = await deps.store.getCount(id);
  const done = after.lines.every((l) => l.status === 'adjusted' || l.status === 'matched');
  const next: CountSession = {
    ...session,
    status: done ? 'approved' : 'open',
    approvals: [...session.approvals, { at, by: refOf(actor), adjusted, recount }],
    updatedAt: at,
    updatedBy: actor.sub,
    version: session.version + 1,
  };
  await deps.store.commit(
    new UnitOfWork(() => new StateConflictError(`count ${id} changed meanwhile; approve again`)).add(
      put(partsItems.count(strip(next)), { condition: 'version = :v', values: { ':v': session.version } }),
    ),
  );
  return getCount(deps, id);
}
