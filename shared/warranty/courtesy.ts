/**
 * Monthly courtesy calls during the free warranty (001 四(三)): on the first of each month every unit
 * still in its free warranty gets a line on its branch's call list (the branch that last served the
 * customer, else the main one), once per month; staff record how the call went.
 */
import type { Actor } from '../auth/actor.ts';
import { DEFAULT_BRANCH_ID } from '../branches/defaults.ts';
import { localDay } from '../cases/numbering.ts';
import type { DirectoryStore } from '../directory/store.ts';
import { NotFoundError, StateConflictError } from '../errors.ts';
import type { PageQuery } from '../store/pagination.ts';
import { insert, put, UnitOfWork } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import { addMonths } from './contracts.ts';
import { warrantyOn } from './coverage.ts';
import { type CourtesyCall, callOutcomeSchema, warrantyItems } from './model.ts';
import { promotionsOf, termsOf, unitFacts } from './service.ts';
import type { LineSettings, WarrantyStore } from './store.ts';

export interface CourtesyDeps {
  store: WarrantyStore;
  directory: Pick<DirectoryStore, 'getCustomer'>;
  /** The branch that last served the customer (their newest case), if any. */
  branchOf: (customerId: string) => Promise<string | undefined>;
  now: () => Date;
  timeZone: string;
}

/** How far back purchases are looked at: the longest free warranty with promotions stays well inside. */
const LOOK_BACK_MONTHS = 36;

/** Builds the month's call lists (default: this month). Units already listed are kept as they are. */
export async function buildCourtesyCalls(
  deps: CourtesyDeps,
  month = localDay(deps.now(), deps.timeZone).slice(0, 7),
): Promise<{ month: string; listed: string[]; kept: number }> {
  const first = `${month}-01`;
  const lines = new Map<string, Promise<LineSettings>>();
  const out = { month, listed: [] as string[], kept: 0 };
  for (let back = 0; back <= LOOK_BACK_MONTHS; back++) {
    for (const unit of await deps.store.unitsBoughtIn(addMonths(first, -back).slice(0, 7))) {
      let settings = lines.get(unit.productLine);
      if (!settings) {
        settings = deps.store.lineSettings(unit.productLine);
        lines.set(unit.productLine, settings);
      }
      const s = await settings;
      const w = warrantyOn(unitFacts(unit), termsOf(s), promotionsOf(s), first);
      if (!w.unit.parts.covered || !w.unit.parts.until) continue;
      const customer = await deps.directory.getCustomer(unit.ownerId);
      if (!customer) continue;
      const branchId = (await deps.branchOf(customer.id)) ?? DEFAULT_BRANCH_ID;
      const call: CourtesyCall = {
        branchId,
        month,
        serialNumber: unit.serialNumber,
        model: unit.model,
        productLine: unit.productLine,
        customerId: customer.id,
        customerName: customer.name,
        phone: customer.phones[0] ?? '',
        language: customer.language,
        coveredUntil: w.unit.parts.until,
        status: 'open',
        createdAt: deps.now().toISOString(),
      };
      const done = await deps.store.commit(
        new UnitOfWork<'listed'>().add(insert(warrantyItems.courtesyCall(call), 'listed')),
      );
      if (done === 'listed') out.kept += 1;
      else out.listed.push(`${branchId}/${unit.serialNumber}`);
    }
  }
  return out;
}

export function courtesyCalls(
  deps: Pick<CourtesyDeps, 'store'>,
  branchId: string,
  month: string,
  page: PageQuery,
) {
  return deps.store.courtesyCalls(branchId, month, page);
}

/** Records how a courtesy call went (once; the list shows it done). */
export async function recordCall(
  deps: Pick<CourtesyDeps, 'store' | 'now'>,
  actor: Actor,
  where: { branchId: string; month: string; serial: string },
  raw: unknown,
): Promise<CourtesyCall> {
  const input = parseInput(callOutcomeSchema, raw);
  const call = await deps.store.getCourtesyCall(where.branchId, where.month, where.serial);
  if (!call)
    throw new NotFoundError(
      `no courtesy call for ${where.serial} on ${where.branchId}'s list of ${where.month}`,
    );
  if (call.status === 'done') throw new StateConflictError(`the call was recorded at ${call.calledAt}`);
  const next: CourtesyCall = {
    ...call,
    status: 'done',
    outcome: input.outcome,
    ...(input.note ? { note: input.note } : {}),
    calledBy: actor.sub,
    calledAt: deps.now().toISOString(),
  };
  await deps.store.commit(
    new UnitOfWork().add(
      put<never>(warrantyItems.courtesyCall(next), {
        condition: '#status = :open',
        names: { '#status': 'status' },
        values: { ':open': 'open' },
        onConflict: () => new StateConflictError('the call was recorded meanwhile'),
      }),
    ),
  );
  return next;
}
