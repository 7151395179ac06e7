/**
 * Warranty coverage as pure functions (SPEC §6): what a unit's components are covered for on a given day,
 * the service category that follows, and how each billing line of a repair is paid. Nothing here reads or
 * stores anything: the status of a unit is computed from the unit, its product line's terms and the
 * promotions every time it is asked for, so it cannot go stale.
 */
import type { CoverageDecision } from '../cases/category.ts';
import { DEFAULT_WARRANTY_MONTHS, warrantyEnd } from '../cases/category.ts';

export const startBases = ['purchase', 'installation'] as const;
export type StartBasis = (typeof startBases)[number];
export const coverageKinds = ['parts', 'labour'] as const;
export type CoverageKind = (typeof coverageKinds)[number];
/** The class a component without one of its own falls into, and the unit's own term. */
export const DEFAULT_CLASS = 'default';
/** Labour rate used when a product line has no terms of its own (CNY per hour). */
export const DEFAULT_LABOUR_RATE = 120;

export interface CoverageTerm {
  months: number;
  startBasis: StartBasis;
}

/** Parts and labour terms of one class of component. */
export interface ClassTerm {
  parts: CoverageTerm;
  labour: CoverageTerm;
}

/** A product line's warranty terms: a default term and one per component class. */
export interface WarrantyTerms {
  productLine: string;
  /** The unit's own term, and that of any component whose class has no entry in `classes`. */
  default: ClassTerm;
  classes: Record<string, ClassTerm>;
  labourRatePerHour: number;
  currency: string;
}

/**
 * A promotion that extends or changes a term for units bought in a period: `months` replaces the term's
 * length, `extendMonths` adds to it, `startBasis` changes where it starts.
 */
export interface Promotion {
  id: string;
  name: string;
  productLine: string;
  /** Only components of this class (and the unit's own term for `default`); every class when absent. */
  componentClass?: string;
  coverage: CoverageKind | 'both';
  months?: number;
  extendMonths?: number;
  startBasis?: StartBasis;
  /** Units purchased from … to (inclusive). */
  purchasedFrom: string;
  purchasedTo: string;
  recordedAt: string;
}

/** What the pure functions need of a unit of the installed base. */
export interface UnitFacts {
  serialNumber: string;
  productLine: string;
  purchaseDate?: string;
  installedOn?: string;
  /** The unit's own recorded warranty length (e.g. a premium model): replaces the default term's. */
  warrantyMonths?: number;
  components: ReadonlyArray<{
    name: string;
    partNumber: string;
    componentClass?: string;
    /** The component's own warranty length (parts), if the installed base records one. */
    warrantyMonths?: number;
    /** Fitted as a replacement on this day: its warranty runs from here, on the current terms. */
    replacedOn?: string;
  }>;
}

export interface CoverageStatus {
  covered: boolean;
  /** First day covered (absent when no start date is known). */
  from?: string;
  /** First day no longer covered (exclusive end). */
  until?: string;
  months: number;
  basis: StartBasis | 'replacement' | 'unknown';
  /** Promotions that changed this term. */
  promotions: string[];
}

export interface ComponentWarranty {
  partNumber: string;
  name: string;
  componentClass: string;
  parts: CoverageStatus;
  labour: CoverageStatus;
}

export interface UnitWarranty {
  serialNumber: string;
  productLine: string;
  /** The day the status is for. */
  on: string;
  /** The unit's own term (default class): what covers a fault not yet traced to a component. */
  unit: { parts: CoverageStatus; labour: CoverageStatus };
  components: ComponentWarranty[];
}

/** Terms of a product line that has none recorded: the unit's own months, or the default, from purchase. */
export function fallbackTerms(productLine: string): WarrantyTerms {
  const term = { months: DEFAULT_WARRANTY_MONTHS, startBasis: 'purchase' as const };
  return {
    productLine,
    default: { parts: term, labour: term },
    classes: {},
    labourRatePerHour: DEFAULT_LABOUR_RATE,
    currency: 'CNY',
  };
}

function applies(p: Promotion, unit: UnitFacts, cls: string, kind: CoverageKind): boolean {
  if (p.productLine !== unit.productLine) return false;
  if (p.componentClass !== undefined && p.componentClass !== cls) return false;
  if (p.coverage !== 'both' && p.coverage !== kind) return false;
  const bought = unit.purchaseDate;
  return bought !== undefined && p.purchasedFrom <= bought && bought <= p.purchasedTo;
}

function status(
  on: string,
  term: CoverageTerm,
  start: { from?: string; basis: CoverageStatus['basis'] },
  promotions: string[],
): CoverageStatus {
  if (!start.from) return { covered: false, months: term.months, basis: 'unknown', promotions };
  const until = warrantyEnd(start.from, term.months);
  return {
    covered: start.from <= on && on < until,
    from: start.from,
    until,
    months: term.months,
    basis: start.basis,
    promotions,
  };
}

/** Where an original term starts: installation falls back to purchase when the unit was never installed. */
function startOf(unit: UnitFacts, basis: StartBasis): { from?: string; basis: CoverageStatus['basis'] } {
  if (basis === 'installation' && unit.installedOn) return { from: unit.installedOn, basis };
  return unit.purchaseDate ? { from: unit.purchaseDate, basis: 'purchase' } : { basis: 'unknown' };
}

/** One coverage (parts or labour) of one class, with the promotions of the unit's sale applied in order. */
function originalCoverage(
  unit: UnitFacts,
  cls: string,
  kind: CoverageKind,
  base: CoverageTerm,
  promotions: readonly Promotion[],
  on: string,
): CoverageStatus {
  let term = base;
  const used: string[] = [];
  for (const p of [...promotions].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt))) {
    if (!applies(p, unit, cls, kind)) continue;
    term = {
      months: (p.months ?? term.months) + (p.extendMonths ?? 0),
      startBasis: p.startBasis ?? term.startBasis,
    };
    used.push(p.id);
  }
  return status(on, term, startOf(unit, term.startBasis), used);
}

/**
 * The warranty of a unit and each of its components on day `on` (`YYYY-MM-DD`), from the unit, its
 * product line's terms and the promotions. A replaced component is covered on the current terms of its
 * class from its replacement day; promotions belong to the unit's sale and do not follow replacements.
 */
export function warrantyOn(
  unit: UnitFacts,
  terms: WarrantyTerms | undefined,
  promotions: readonly Promotion[],
  on: string,
): UnitWarranty {
  const t = terms ?? fallbackTerms(unit.productLine);
  const own = (term: CoverageTerm): CoverageTerm =>
    unit.warrantyMonths !== undefined ? { ...term, months: unit.warrantyMonths } : term;
  const unitTerm = { parts: own(t.default.parts), labour: own(t.default.labour) };
  const components = unit.components.map((c): ComponentWarranty => {
    const cls = c.componentClass ?? DEFAULT_CLASS;
    const classTerm = t.classes[cls] ?? unitTerm;
    const parts: CoverageTerm =
      c.warrantyMonths !== undefined ? { ...classTerm.parts, months: c.warrantyMonths } : classTerm.parts;
    if (c.replacedOn) {
      const from = { from: c.replacedOn, basis: 'replacement' as const };
      return {
        partNumber: c.partNumber,
        name: c.name,
        componentClass: cls,
        parts: status(on, parts, from, []),
        labour: status(on, classTerm.labour, from, []),
      };
    }
    return {
      partNumber: c.partNumber,
      name: c.name,
      componentClass: cls,
      parts: originalCoverage(unit, cls, 'parts', parts, promotions, on),
      labour: originalCoverage(unit, cls, 'labour', classTerm.labour, promotions, on),
    };
  });
  return {
    serialNumber: unit.serialNumber,
    productLine: unit.productLine,
    on,
    unit: {
      parts: originalCoverage(unit, DEFAULT_CLASS, 'parts', unitTerm.parts, promotions, on),
      labour: originalCoverage(unit, DEFAULT_CLASS, 'labour', unitTerm.labour, promotions, on),
    },
    components,
  };
}

/* ------------------------------------------------------------------------------------------------
 * The service category
 * ---------------------------------------------------------------------------------------------- */

/** What a maintenance contract includes, as far as deciding and billing go. */
export interface ContractCover {
  id: string;
  labour: boolean;
  parts: boolean;
}

/**
 * The category decided from data, with the inputs it was decided from (shown on the case): the case's
 * coverage decision but for the contract's response time, which the coverage port adds.
 */
export type CategoryDecision = Omit<CoverageDecision, 'contractResponseHours'>;

/**
 * Internal work → D; a contract covering the unit that day → B; the fault's components (those named at
 * diagnosis, else the unit's own term) in warranty → C; otherwise A.
 */
export function decideCategory(input: {
  internal: boolean;
  contract?: ContractCover | undefined;
  warranty: UnitWarranty;
  /** Part numbers of the components the diagnosis traced the fault to. */
  components?: readonly string[] | undefined;
}): CategoryDecision {
  const w = input.warranty;
  const named = (input.components ?? [])
    .map((pn) => w.components.find((c) => c.partNumber === pn))
    .filter((c): c is ComponentWarranty => c !== undefined);
  const looked = named.map((c) => ({
    partNumber: c.partNumber,
    name: c.name,
    ...(c.parts.until ? { partsUntil: c.parts.until } : {}),
    ...(c.labour.until ? { labourUntil: c.labour.until } : {}),
    covered: c.parts.covered || c.labour.covered,
  }));
  const base = {
    on: w.on,
    components: looked,
    ...(w.unit.parts.until ? { unitCoveredUntil: w.unit.parts.until } : {}),
  };
  if (input.internal) return { ...base, category: 'D', basis: 'internal', reason: 'internal work' };
  if (input.contract)
    return {
      ...base,
      category: 'B',
      basis: 'contract',
      reason: `maintenance contract ${input.contract.id} covers the unit`,
      contractId: input.contract.id,
    };
  if (named.length) {
    const covered = looked.filter((c) => c.covered);
    return covered.length
      ? {
          ...base,
          category: 'C',
          basis: 'warranty',
          reason: `in warranty: ${covered.map((c) => c.name).join(', ')}`,
        }
      : { ...base, category: 'A', basis: 'none', reason: 'the components at fault are out of warranty' };
  }
  if (w.unit.parts.covered || w.unit.labour.covered)
    return {
      ...base,
      category: 'C',
      basis: 'warranty',
      reason: `the unit is in warranty until ${w.unit.parts.until ?? w.unit.labour.until}`,
    };
  return {
    ...base,
    category: 'A',
    basis: 'none',
    reason:
      w.unit.parts.basis === 'unknown'
        ? 'no purchase date known: paid work'
        : `the unit's warranty ended ${w.unit.parts.until}`,
  };
}

/* ------------------------------------------------------------------------------------------------
 * Billing lines
 * ---------------------------------------------------------------------------------------------- */

export const billingCategories = ['warranty', 'contract', 'paid'] as const;
export type BillingCategory = (typeof billingCategories)[number];

/** A part consumed on the case (from the parts ledger): what it is, how many, at what unit cost. */
export interface ConsumedPart {
  partNumber: string;
  name: string;
  quantity: number;
  unitCost: number;
}

export interface BillingLine {
  kind: 'labour' | 'part';
  description: string;
  partNumber?: string;
  quantity: number;
  unitPrice: number;
  amount: number;
  category: BillingCategory;
  /** Why this category: the contract, the component's coverage, or its end. */
  reason: string;
}

export interface Billing {
  lines: BillingLine[];
  totals: Record<BillingCategory, number> & { all: number };
  currency: string;
}

const cents = (n: number) => Math.round(n * 100) / 100;

/**
 * The billing lines of a repair: labour and each part consumed, each categorized on its own — a
 * contract that includes it, else the warranty of the component it concerns (the unit's own term for
 * a part that is not a recorded component), else paid. Labour is covered by warranty when every
 * component worked on (those named at diagnosis, else the parts consumed) is still under labour cover.
 */
export function billingLines(input: {
  warranty: UnitWarranty;
  terms: Pick<WarrantyTerms, 'labourRatePerHour' | 'currency'>;
  contract?: ContractCover | undefined;
  labourMinutes: number;
  parts: readonly ConsumedPart[];
  diagnosedComponents?: readonly string[] | undefined;
}): Billing {
  const w = input.warranty;
  const componentOf = (pn: string) => w.components.find((c) => c.partNumber === pn);
  const cover = (kind: CoverageKind, pn?: string): { category: BillingCategory; reason: string } => {
    if (input.contract?.[kind])
      return { category: 'contract', reason: `included in contract ${input.contract.id}` };
    const c = pn ? componentOf(pn) : undefined;
    const s = c ? c[kind] : w.unit[kind];
    const what = c ? c.name : 'the unit';
    if (s.covered) return { category: 'warranty', reason: `${what}: ${kind} warranty until ${s.until}` };
    return {
      category: 'paid',
      reason: s.until ? `${what}: ${kind} warranty ended ${s.until}` : `${what}: no warranty start known`,
    };
  };
  const lines: BillingLine[] = [];
  if (input.labourMinutes > 0) {
    const involved = input.diagnosedComponents?.length
      ? input.diagnosedComponents
      : input.parts.map((p) => p.partNumber).filter((pn) => componentOf(pn));
    const covers = involved.length ? involved.map((pn) => cover('labour', pn)) : [cover('labour')];
    const paid = covers.find((c) => c.category === 'paid');
    const labour = paid ?? covers[0] ?? cover('labour');
    const hours = input.labourMinutes / 60;
    lines.push({
      kind: 'labour',
      description: `Labour, ${input.labourMinutes} min`,
      quantity: cents(hours),
      unitPrice: input.terms.labourRatePerHour,
      amount: cents(hours * input.terms.labourRatePerHour),
      ...labour,
    });
  }
  for (const p of input.parts) {
    if (p.quantity <= 0) continue;
    lines.push({
      kind: 'part',
      description: p.name,
      partNumber: p.partNumber,
      quantity: p.quantity,
      unitPrice: p.unitCost,
      amount: cents(p.quantity * p.unitCost),
      ...cover('parts', p.partNumber),
    });
  }
  const total = (cat: BillingCategory) =>
    cents(lines.filter((l) => l.category === cat).reduce((s, l) => s + l.amount, 0));
  const totals = { warranty: total('warranty'), contract: total('contract'), paid: total('paid'), all: 0 };
  totals.all = cents(totals.warranty + totals.contract + totals.paid);
  return { lines, totals, currency: input.terms.currency };
}
