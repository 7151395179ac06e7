/**
 * Warranty operations: the terms and promotions of a product line, a unit's warranty on a day, the
 * category of a case decided from data (the port the case service calls at intake and diagnosis), the
 * billing lines of a case and the invoice for its paid part.
 */
import { type Actor, hasRole, primaryRole, staffRoles } from '../auth/actor.ts';
import type { CoverageDecision, CoverageQuery } from '../cases/category.ts';
import type { Case } from '../cases/model.ts';
import { localDay } from '../cases/numbering.ts';
import { normalizeSerial, type ProductUnit } from '../directory/model.ts';
import type { DirectoryStore } from '../directory/store.ts';
import { NotFoundError, StateConflictError, VersionConflictError } from '../errors.ts';
import { insert, putVersioned, UnitOfWork } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import {
  type Billing,
  billingLines,
  type ConsumedPart,
  type ContractCover,
  decideCategory,
  type Promotion,
  type UnitFacts,
  type UnitWarranty,
  type WarrantyTerms,
  warrantyOn,
} from './coverage.ts';
import {
  type Contract,
  coveringStatuses,
  type Invoice,
  promotionInputSchema,
  type StoredPromotion,
  termsInputSchema,
  warrantyItems,
} from './model.ts';
import type { LineSettings, WarrantyStore } from './store.ts';

/** The parts consumed on a case, from the parts ledger (a port: the ledger belongs to the parts domain). */
export interface CasePartsSource {
  partsConsumed(caseId: string): Promise<ConsumedPart[]>;
}

export interface WarrantyDeps {
  store: WarrantyStore;
  directory: Pick<DirectoryStore, 'getUnit' | 'getCustomer' | 'getStaff' | 'getBranch'>;
  now: () => Date;
  timeZone: string;
}

export interface BillingDeps extends WarrantyDeps {
  cases: { get(caseId: string): Promise<Case | undefined> };
  parts: CasePartsSource;
}

const today = (deps: WarrantyDeps) => localDay(deps.now(), deps.timeZone);

/* ------------------------------------------------------------------------------------------------
 * Terms and promotions
 * ---------------------------------------------------------------------------------------------- */

export function termsOf(settings: LineSettings): WarrantyTerms | undefined {
  const t = settings.terms;
  if (!t) return undefined;
  return {
    productLine: t.productLine,
    default: t.default,
    classes: Object.fromEntries(
      t.classes.map((c) => [c.componentClass, { parts: c.parts, labour: c.labour }]),
    ),
    labourRatePerHour: t.labourRatePerHour,
    currency: t.currency,
  };
}

export const promotionsOf = (settings: LineSettings): Promotion[] =>
  settings.promotions.map(({ recordedBy: _by, entity: _e, schemaVersion: _v, ...p }) => p);

/** A product line's published terms, promotions and return rules. */
export async function getLineTerms(deps: WarrantyDeps, productLine: string) {
  const s = await deps.store.lineSettings(productLine);
  const strip = <T extends object>(x: T | undefined) => {
    if (!x) return undefined;
    const { entity: _e, schemaVersion: _v, ...rest } = x as T & { entity: unknown; schemaVersion: unknown };
    return rest;
  };
  return {
    productLine,
    terms: strip(s.terms) ?? null,
    promotions: s.promotions.map((p) => strip(p)),
    returnRules: strip(s.returnRules) ?? null,
  };
}

/** Replaces a product line's warranty terms (managers). `If-Match` guards against a lost update. */
export async function putTerms(
  deps: WarrantyDeps,
  actor: Actor,
  productLine: string,
  raw: unknown,
  ifMatch?: number,
) {
  const input = parseInput(termsInputSchema, raw);
  const current = (await deps.store.lineSettings(productLine)).terms;
  if (ifMatch !== undefined && ifMatch !== (current?.version ?? 0))
    throw new VersionConflictError(`the terms are at version ${current?.version ?? 0}, not ${ifMatch}`);
  return replaceLineSetting(deps, actor, productLine, input, current, warrantyItems.terms);
}

/** What every setting of a product line carries besides its own fields. */
interface LineSettingStamp {
  productLine: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

/**
 * Replaces one of a product line's settings (its terms, its return rules) as a whole, one version past
 * the `stored` one; a write made meanwhile is a conflict.
 */
export async function replaceLineSetting<I extends object>(
  deps: Pick<WarrantyDeps, 'store' | 'now'>,
  actor: Actor,
  productLine: string,
  input: I,
  stored: { version: number } | undefined,
  itemOf: (next: I & LineSettingStamp) => Record<string, unknown>,
): Promise<I & LineSettingStamp> {
  const next = {
    productLine,
    ...input,
    updatedAt: deps.now().toISOString(),
    updatedBy: actor.sub,
    version: (stored?.version ?? 0) + 1,
  };
  await deps.store.commit(new UnitOfWork().add(putVersioned(itemOf(next), stored?.version)));
  return next;
}

/** Records a promotion that extends or changes a line's term, with its dates (managers). Ids are unique. */
export async function addPromotion(deps: WarrantyDeps, actor: Actor, productLine: string, raw: unknown) {
  const input = parseInput(promotionInputSchema, raw);
  const p: Omit<StoredPromotion, 'entity' | 'schemaVersion'> = {
    ...input,
    productLine,
    recordedAt: deps.now().toISOString(),
    recordedBy: actor.sub,
  };
  await deps.store.commit(
    new UnitOfWork().add(
      insert<never>(
        warrantyItems.promotion(p),
        () => new StateConflictError(`promotion ${input.id} is already recorded`, { field: 'id' }),
      ),
    ),
  );
  return p;
}

/* ------------------------------------------------------------------------------------------------
 * A unit's warranty and the category of a case
 * ---------------------------------------------------------------------------------------------- */

export const unitFacts = (u: ProductUnit, purchaseDate?: string): UnitFacts => ({
  serialNumber: u.serialNumber,
  productLine: u.productLine,
  ...((u.purchaseDate ?? purchaseDate) ? { purchaseDate: u.purchaseDate ?? purchaseDate } : {}),
  ...(u.installedOn ? { installedOn: u.installedOn } : {}),
  ...(u.warrantyMonths !== undefined ? { warrantyMonths: u.warrantyMonths } : {}),
  components: u.components,
});

/** A customer sees their own units only; other people's are indistinguishable from missing ones. */
async function visibleUnit(deps: WarrantyDeps, actor: Actor, serial: string): Promise<ProductUnit> {
  const u = await deps.directory.getUnit(serial);
  const staff = actor.roles.some((r) => r !== 'customer');
  if (!u || (!staff && u.ownerId !== actor.sub)) throw new NotFoundError(`no unit ${serial}`);
  return u;
}

async function warrantyOfUnit(deps: WarrantyDeps, u: ProductUnit, day: string, purchaseDate?: string) {
  const settings = await deps.store.lineSettings(u.productLine);
  return {
    settings,
    warranty: warrantyOn(unitFacts(u, purchaseDate), termsOf(settings), promotionsOf(settings), day),
  };
}

/** The contract covering a unit on `day`, if any: a covering status and the day within its term. */
export async function coveringContract(
  deps: Pick<WarrantyDeps, 'store'>,
  serial: string,
  day: string,
): Promise<Contract | undefined> {
  const contracts = await deps.store.contractsOfUnit(serial);
  // Contracts keep their units' serials normalized (as the installed base keys them).
  const unit = normalizeSerial(serial);
  return contracts.find(
    (c) =>
      coveringStatuses.includes(c.status) &&
      c.units.includes(unit) &&
      // A renewed contract covers through its current term and the one it was renewed from.
      c.terms.some((t) => t.start <= day && day < t.end),
  );
}

const coverOf = (c: Contract | undefined): ContractCover | undefined =>
  c && { id: c.id, labour: c.inclusions.labour, parts: c.inclusions.parts };

/** A unit's warranty per component on a day (default today, branch time), and the contract covering it. */
export async function unitWarranty(
  deps: WarrantyDeps,
  actor: Actor,
  serial: string,
  on?: string,
): Promise<UnitWarranty & { contract: { id: string; status: string; end: string } | null }> {
  const u = await visibleUnit(deps, actor, serial);
  const day = on ?? today(deps);
  const [{ warranty }, contract] = await Promise.all([
    warrantyOfUnit(deps, u, day),
    coveringContract(deps, u.serialNumber, day),
  ]);
  return {
    ...warranty,
    contract: contract ? { id: contract.id, status: contract.status, end: contract.term.end } : null,
  };
}

export type { CoverageQuery };

/**
 * The category of a case decided from data (the port the case service calls at intake and at diagnosis):
 * internal → D, a contract covering the unit → B, the fault's components in warranty → C, else A.
 */
export async function decideCaseCategory(
  deps: Pick<WarrantyDeps, 'store' | 'directory'>,
  q: CoverageQuery,
): Promise<CoverageDecision> {
  // A unit registered with the case itself is not stored yet: the caller's facts stand for it.
  const stored = await deps.directory.getUnit(q.unit.id);
  const facts: UnitFacts = stored
    ? unitFacts(stored, q.unit.purchaseDate)
    : {
        serialNumber: q.unit.id,
        productLine: q.unit.productLine,
        ...(q.unit.purchaseDate ? { purchaseDate: q.unit.purchaseDate } : {}),
        ...(q.unit.warrantyMonths !== undefined ? { warrantyMonths: q.unit.warrantyMonths } : {}),
        components: [],
      };
  const [settings, contract] = await Promise.all([
    deps.store.lineSettings(facts.productLine),
    q.internal ? undefined : coveringContract(deps, facts.serialNumber, q.day),
  ]);
  const warranty = warrantyOn(facts, termsOf(settings), promotionsOf(settings), q.day);
  const decision = decideCategory({
    internal: q.internal,
    contract: coverOf(contract),
    warranty,
    components: q.components,
  });
  return {
    ...decision,
    ...(contract?.inclusions.responseHours
      ? { contractResponseHours: contract.inclusions.responseHours }
      : {}),
  };
}

/* ------------------------------------------------------------------------------------------------
 * Billing
 * ---------------------------------------------------------------------------------------------- */

const minutesOn = (c: Case) =>
  c.visits.reduce((s, v) => s + v.minutes, 0) +
  (c.workshop?.repairCard ?? []).reduce((s, r) => s + r.minutes, 0);

function canSeeCase(actor: Actor, c: Case): boolean {
  if (hasRole(actor, staffRoles)) return true;
  if (actor.roles.includes('technician') && c.technicianId === actor.sub) return true;
  return actor.roles.includes('customer') && c.customer.id === actor.sub;
}

/** The day coverage is judged on for a case: its completion day, else today (branch time). */
const serviceDay = (deps: WarrantyDeps, c: Case) =>
  localDay(c.completedAt ? new Date(c.completedAt) : deps.now(), c.timeZone ?? deps.timeZone);

/**
 * The billing lines of a case: its labour (minutes on site and on the bench) and each part the ledger
 * shows consumed on it, each categorized warranty / contract / paid by its own component's coverage on
 * the service day; with totals, and the invoice of the paid part when one was issued.
 */
export async function caseBilling(
  deps: BillingDeps,
  actor: Actor,
  caseId: string,
): Promise<Billing & { caseId: string; on: string; contractId?: string; invoice: Invoice | null }> {
  const c = await deps.cases.get(caseId);
  if (!c || !canSeeCase(actor, c)) throw new NotFoundError(`no case ${caseId}`);
  if (!c.unitId) throw new StateConflictError(`case ${caseId} names no unit of the installed base`);
  const u = await deps.directory.getUnit(c.unitId);
  if (!u) throw new StateConflictError(`the unit ${c.unitId} of case ${caseId} is not in the directory`);
  const on = serviceDay(deps, c);
  const [{ settings, warranty }, contract, parts, invoice] = await Promise.all([
    warrantyOfUnit(deps, u, on, c.product.purchaseDate),
    c.internal ? undefined : coveringContract(deps, u.serialNumber, on),
    deps.parts.partsConsumed(caseId),
    deps.store.getInvoice(caseId),
  ]);
  const terms = termsOf(settings) ?? { labourRatePerHour: 120, currency: 'CNY' };
  const bill = billingLines({
    warranty,
    terms,
    contract: coverOf(contract),
    labourMinutes: minutesOn(c),
    parts,
    diagnosedComponents: c.categoryDecision?.components.map((x) => x.partNumber),
  });
  // Internal work is nobody's bill: every line is the company's own.
  const lines = c.internal
    ? bill.lines.map((l) => ({ ...l, category: 'warranty' as const, reason: 'internal work' }))
    : bill.lines;
  const totals = c.internal
    ? { warranty: bill.totals.all, contract: 0, paid: 0, all: bill.totals.all }
    : bill.totals;
  return {
    caseId,
    on,
    ...(contract ? { contractId: contract.id } : {}),
    lines,
    totals,
    currency: bill.currency,
    invoice: invoice ?? null,
  };
}

/**
 * Issues the invoice of a case's paid lines (no payment is processed): once per case; asking again
 * answers the invoice already issued.
 */
export async function issueInvoice(
  deps: BillingDeps,
  actor: Actor,
  caseId: string,
): Promise<{ invoice: Invoice; created: boolean }> {
  const bill = await caseBilling(deps, actor, caseId);
  if (bill.invoice) return { invoice: bill.invoice, created: false };
  const paid = bill.lines.filter((l) => l.category === 'paid');
  if (!paid.length) throw new StateConflictError(`case ${caseId} has nothing to pay: no invoice is issued`);
  const c = (await deps.cases.get(caseId)) as Case;
  const invoice: Invoice = {
    number: `INV-${caseId.slice(3)}`,
    caseId,
    customerId: c.customer.id,
    lines: paid,
    total: bill.totals.paid,
    currency: bill.currency,
    issuedAt: deps.now().toISOString(),
    issuedBy: `${primaryRole(actor)}:${actor.sub}`,
  };
  const out = await deps.store.commit(
    new UnitOfWork<'issued'>().add(insert(warrantyItems.invoice(invoice), 'issued')),
  );
  if (out === 'issued') {
    const existing = await deps.store.getInvoice(caseId);
    if (existing) return { invoice: existing, created: false };
  }
  return { invoice, created: true };
}
