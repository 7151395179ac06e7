/**
 * A returned unit enters the parts ledger (SPEC §6a: warehouse, transport and finance each do their part):
 * it comes back into stock at a location as a `return` movement of the catalogue part of its model, and a
 * unit that is scrapped then leaves that stock as a `scrap` movement with the reason. Movement ids derive
 * from the return's id, so a retried receipt replays what the ledger stored instead of moving twice.
 */
import { primaryRole } from '../auth/actor.ts';
import { StateConflictError, ValidationError } from '../errors.ts';
import { applyMovement } from '../parts/movements.ts';
import type { PartsStore } from '../parts/store.ts';
import type { ReturnedUnitLedger } from './returns.ts';

/** The catalogue part of a model: its code, the first word (`AC-3200 split air conditioner` → `AC-3200`). */
export const modelPartNumber = (model: string) => model.trim().split(/\s+/)[0] ?? model;

export function partsLedgerForReturns(store: PartsStore, now: () => Date): ReturnedUnitLedger {
  return {
    async takeIn(e) {
      if (!e.locationId)
        throw new ValidationError([
          { field: 'locationId', message: 'name the location the unit comes back to' },
        ]);
      const partNumber = modelPartNumber(e.model);
      const [location, part] = await Promise.all([
        store.getLocation(e.locationId),
        store.getPart(partNumber),
      ]);
      if (!location)
        throw new ValidationError([{ field: 'locationId', message: `no stock location ${e.locationId}` }]);
      if (!part)
        throw new StateConflictError(
          `the parts catalogue has no part ${e.model}: register the model to take units in`,
        );
      const actor = { sub: e.actor.sub, role: primaryRole(e.actor) };
      const line = { partNumber, locationId: e.locationId, reservedDelta: 0 };
      const back = await applyMovement(store, actor, now, {
        id: `ret-${e.returnId}`,
        kind: 'return',
        request: { returnId: e.returnId, serialNumber: e.serialNumber, locationId: e.locationId },
        lines: [{ ...line, onHandDelta: 1 }],
        reason: e.reason,
        reference: e.returnId,
        model: e.model,
        createsStock: true,
      });
      if (e.disposition === 'stock') return { movementId: back.movement.id };
      const scrapped = await applyMovement(store, actor, now, {
        id: `ret-scrap-${e.returnId}`,
        kind: 'scrap',
        request: {
          returnId: e.returnId,
          serialNumber: e.serialNumber,
          locationId: e.locationId,
          scrap: true,
        },
        lines: [{ ...line, onHandDelta: -1 }],
        reason: `${e.reason} (serial ${e.serialNumber}, scrapped)`,
        reference: e.returnId,
      });
      return { movementId: scrapped.movement.id };
    },
  };
}
