/**
 * Stock alerts, purchase suggestions and the monthly classes (SPEC §5, 003 五.1–2, 000 六.2, 001 七(二)):
 * - a movement that crosses the reorder point or the overstock level emits `Stock Level Crossed` once;
 *   the alert consumer e-mails the branch's parts clerks, and a low crossing gets a purchase suggestion.
 *   The notice is recorded on the stock item (`notifiedSeq`), so the daily backstop re-sends only what
 *   a failed delivery missed;
 * - a manager approves a suggestion into a purchase request (nothing is bought unapproved);
 * - monthly: ABC classes from the last 365 days of consumption value, and the safety stock of wear parts.
 */
import { domainEvent } from '../../events/registry.ts';
import type { Actor } from '../auth/actor.ts';
import { NotFoundError, StateConflictError } from '../errors.ts';
import type { Mailer } from '../notify/mailer.ts';
import type { PageQuery } from '../store/pagination.ts';
import { insert, insertOutbox, put, UnitOfWork } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import {
  ABC_SHARES,
  type AbcClass,
  decisionSchema,
  type LedgerEntry,
  type Part,
  type PurchaseRequest,
  type PurchaseSuggestion,
  partsItems,
  partsKeys,
  SAFETY_STOCK_RATE,
  type StockItem,
} from './model.ts';
import { type PartsDeps, refOf } from './service.ts';

export interface PartsJobDeps extends PartsDeps {
  mailer: Mailer;
}

const strip = <T extends { entity: string; schemaVersion: number }>({
  entity: _e,
  schemaVersion: _v,
  ...rest
}: T) => rest;

/** The parts clerks of the branch a location belongs to, with an e-mail address. */
async function partsClerksFor(deps: PartsJobDeps, locationId: string): Promise<string[]> {
  const location = await deps.store.getLocation(locationId);
  if (!location) return [];
  const staff = await deps.directory.listStaffOfBranch(location.branchId, { limit: 100 });
  return staff.items
    .filter((s) => s.active && s.roles.includes('parts_clerk') && s.email)
    .map((s) => s.email as string);
}

/** What a purchase for a low stock item should be: back up to the overstock level (or twice the reorder point), from the best supplier. */
export function suggestedPurchase(stock: StockItem, part: Part) {
  const reorderPoint = stock.reorderLevel + stock.safetyStock;
  const supplier = [...part.suppliers].sort(
    (a, b) => a.grade.localeCompare(b.grade) || a.leadTimeDays - b.leadTimeDays,
  )[0];
  // What is used while the order is on its way comes on top.
  const leadDemand = Math.ceil(((stock.monthlyConsumption ?? 0) / 30) * (supplier?.leadTimeDays ?? 0));
  const target = stock.overstockLevel > 0 ? stock.overstockLevel : 2 * reorderPoint;
  const quantity = Math.max(1, target + leadDemand - stock.available);
  return { quantity, supplier, value: Math.round(quantity * part.unitCost * 100) / 100 };
}

/**
 * Tells the parts clerks about the stock item's current crossing, once: nothing when the item is back
 * in range, at another crossing, or was told already. A low item also gets its purchase suggestion.
 * @returns whether a notice went out now
 */
export async function notifyCrossing(
  deps: PartsJobDeps,
  partNumber: string,
  locationId: string,
): Promise<boolean> {
  const stock = await deps.store.getStock(partNumber, locationId);
  if (!stock || stock.level === 'ok' || stock.levelSinceSeq === undefined) return false;
  if (stock.notifiedSeq === stock.levelSinceSeq) return false;
  const part = await deps.store.getPart(partNumber);
  if (!part) return false;
  const at = deps.now().toISOString();
  let suggestion: PurchaseSuggestion | undefined;
  if (stock.level === 'low') {
    const { quantity, supplier, value } = suggestedPurchase(stock, part);
    suggestion = {
      entity: 'PurchaseSuggestion',
      schemaVersion: 1,
      id: `PS-${partNumber}-${locationId}-${stock.levelSinceSeq}`,
      partNumber,
      locationId,
      quantity,
      ...(supplier ? { supplierId: supplier.id, leadTimeDays: supplier.leadTimeDays } : {}),
      value,
      reason: `available ${stock.available} at or below the reorder point ${stock.reorderLevel + stock.safetyStock}`,
      status: 'pending',
      createdAt: at,
      updatedAt: at,
      updatedBy: 'parts-alerts',
      version: 1,
    };
    await deps.store.commit(
      new UnitOfWork<'exists'>().add(insert(partsItems.suggestion(strip(suggestion)), 'exists')),
    );
  }
  const recipients = await partsClerksFor(deps, locationId);
  const what =
    stock.level === 'low'
      ? `below its reorder point: ${stock.available} available, reorder point ${stock.reorderLevel + stock.safetyStock}`
      : `above its overstock level: ${stock.onHand} on hand, overstock level ${stock.overstockLevel}`;
  for (const to of recipients) {
    await deps.mailer.sendEmail({
      to,
      subject: `Stock ${stock.level === 'low' ? 'reorder' : 'overstock'} alert: ${partNumber} ${part.name} at ${locationId}`,
      text: [
        `${part.name} (${partNumber}) at ${locationId} is ${what}.`,
        ...(suggestion
          ? [`Purchase suggestion ${suggestion.id}: ${suggestion.quantity} ${part.unit}, awaiting approval.`]
          : []),
        '',
        'Aftercare parts desk',
      ].join('\n'),
    });
  }
  // Recorded only for the crossing told about: a newer crossing meanwhile gets its own notice.
  await deps.store.touch(
    partsKeys.stock(partNumber, locationId),
    { notifiedSeq: stock.levelSinceSeq },
    {
      expression: 'levelSinceSeq = :seq',
      values: { ':seq': stock.levelSinceSeq },
    },
  );
  return true;
}

/** The daily backstop: every item beyond a level whose crossing was not told yet. */
export async function alertBackstop(deps: PartsJobDeps) {
  const [low, over] = await Promise.all([deps.store.stockBeyond('low'), deps.store.stockBeyond('over')]);
  const notified: string[] = [];
  for (const s of [...low, ...over]) {
    if (s.notifiedSeq === s.levelSinceSeq) continue;
    if (await notifyCrossing(deps, s.partNumber, s.locationId))
      notified.push(`${s.partNumber}@${s.locationId}`);
  }
  return { notified };
}

export async function listSuggestions(deps: PartsDeps, status: string | undefined, page: PageQuery) {
  const p = await deps.store.suggestionsByStatus(status ?? 'pending', page);
  return { ...p, items: p.items.map(strip) };
}

/** A manager approves a suggestion (it becomes a purchase request, in the same transaction) or rejects it. */
export async function decideSuggestion(deps: PartsDeps, actor: Actor, id: string, raw: unknown) {
  const input = parseInput(decisionSchema, raw);
  const s = await deps.store.getSuggestion(id);
  if (!s) throw new NotFoundError(`no purchase suggestion ${id}`);
  if (s.status !== 'pending') throw new StateConflictError(`purchase suggestion ${id} is ${s.status}`);
  const at = deps.now().toISOString();
  const by = refOf(actor);
  const requestId = `PR-${id.slice(3)}`;
  const next: PurchaseSuggestion = {
    ...s,
    status: input.approve ? 'approved' : 'rejected',
    decision: { approved: input.approve, by, at, ...(input.note ? { note: input.note } : {}) },
    ...(input.approve ? { purchaseRequestId: requestId } : {}),
    updatedAt: at,
    updatedBy: actor.sub,
    version: s.version + 1,
  };
  const unit = new UnitOfWork(
    () => new StateConflictError(`purchase suggestion ${id} was decided meanwhile`),
  ).add(put(partsItems.suggestion(strip(next)), { condition: 'version = :v', values: { ':v': s.version } }));
  if (input.approve) {
    const request: Omit<PurchaseRequest, 'entity' | 'schemaVersion'> = {
      id: requestId,
      suggestionId: id,
      partNumber: s.partNumber,
      locationId: s.locationId,
      quantity: s.quantity,
      ...(s.supplierId ? { supplierId: s.supplierId } : {}),
      value: s.value,
      approvedBy: by,
      createdAt: at,
    };
    unit.add(insertOutbox(partsItems.purchaseRequest(request))).emit(
      domainEvent('Purchase Requested', {
        purchaseRequestId: requestId,
        suggestionId: id,
        partNumber: s.partNumber,
        locationId: s.locationId,
        quantity: s.quantity,
        value: s.value,
        at,
        actor: by,
      }),
    );
  }
  await deps.store.commit(unit);
  return strip(next);
}

/* ---- monthly ---- */

/** The `yyyy-mm` months from `from` to `to` inclusive. */
function monthsBetween(from: Date, to: Date): string[] {
  const out: string[] = [];
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (d <= to) {
    out.push(d.toISOString().slice(0, 7));
    d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

/** Ledger entries at or after `since` (one Query per month of the window). */
async function ledgerSince(deps: PartsDeps, since: Date, until: Date): Promise<LedgerEntry[]> {
  const months = monthsBetween(since, until);
  const all = (await Promise.all(months.map((m) => deps.store.allLedgerOfMonth(m)))).flat();
  const from = since.toISOString();
  return all.filter((e) => e.at >= from);
}

/** Consumption on cases, net of returns and reversals: what each entry took out for a case. */
const consumedBy = (e: LedgerEntry) => (e.caseId ? -e.onHandDelta : 0);

const EPSILON = 1e-9;

/** ABC classes by share of total value, highest first: A while the value before the part is under `a`, B under `a + b`. */
export function classify(
  values: Map<string, number>,
  shares: { a: number; b: number } = ABC_SHARES,
): Map<string, AbcClass> {
  const total = [...values.values()].reduce((s, v) => s + Math.max(0, v), 0);
  const sorted = [...values.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
  const out = new Map<string, AbcClass>();
  let before = 0;
  for (const [part, value] of sorted) {
    const share = total > 0 ? before / total : 1;
    // Shares are compared with a little slack: 0.8 + 0.15 is not exactly 0.95 in floating point.
    const cls =
      value <= 0 ? 'C' : share < shares.a - EPSILON ? 'A' : share < shares.a + shares.b - EPSILON ? 'B' : 'C';
    out.set(part, cls);
    before += Math.max(0, value);
  }
  return out;
}

/** The monthly ABC run: classes from the last 365 days of consumption value; overrides kept and flagged. */
export async function runAbc(deps: PartsDeps, shares: { a: number; b: number } = ABC_SHARES) {
  const now = deps.now();
  const since = new Date(now.getTime() - 365 * 24 * 3600 * 1000);
  const entries = await ledgerSince(deps, since, now);
  const parts = await deps.store.allParts();
  const values = new Map(parts.map((p) => [p.partNumber, 0]));
  for (const e of entries)
    values.set(e.partNumber, (values.get(e.partNumber) ?? 0) + consumedBy(e) * e.unitCost);
  const classes = classify(values, shares);
  const at = now.toISOString();
  const flagged: string[] = [];
  for (const p of parts) {
    const abc = classes.get(p.partNumber) ?? 'C';
    await deps.store.touch(partsKeys.part(p.partNumber), {
      abcComputed: abc,
      abcComputedAt: at,
      annualConsumptionValue: Math.round((values.get(p.partNumber) ?? 0) * 100) / 100,
    });
    if (p.abcOverride && p.abcOverride.abcClass !== abc) flagged.push(p.partNumber);
  }
  return { classes: Object.fromEntries(classes), flagged };
}

/** The monthly safety stock of wear parts: {@link SAFETY_STOCK_RATE} of the last 30 days' consumption per stock item. */
export async function runSafetyStock(deps: PartsDeps, rate = SAFETY_STOCK_RATE) {
  const now = deps.now();
  const entries = await ledgerSince(deps, new Date(now.getTime() - 30 * 24 * 3600 * 1000), now);
  const used = new Map<string, number>();
  for (const e of entries) {
    const k = `${e.partNumber}@${e.locationId}`;
    used.set(k, (used.get(k) ?? 0) + consumedBy(e));
  }
  const updated: Record<string, number> = {};
  for (const p of await deps.store.allParts()) {
    if (!p.wearPart) continue;
    for (const s of await deps.store.stockOfPart(p.partNumber)) {
      const monthly = Math.max(0, used.get(`${s.partNumber}@${s.locationId}`) ?? 0);
      const safetyStock = Math.ceil(monthly * rate);
      await deps.store.touch(partsKeys.stock(s.partNumber, s.locationId), {
        monthlyConsumption: monthly,
        safetyStock,
      });
      updated[`${s.partNumber}@${s.locationId}`] = safetyStock;
    }
  }
  return { updated };
}
