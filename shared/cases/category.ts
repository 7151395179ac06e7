/**
 * Service category of a job (SPEC §3, from 000 (六)): A paid, B under contract, C free warranty,
 * D internal administrative work. Decided from warranty and contracts; staff may override with a reason.
 */
export const serviceCategories = ['A', 'B', 'C', 'D'] as const;
export type ServiceCategory = (typeof serviceCategories)[number];

export const categoryNames: Record<ServiceCategory, string> = {
  A: 'paid',
  B: 'contract',
  C: 'warranty',
  D: 'internal',
};

/** What the category is decided from at intake and at diagnosis (answered by the warranty domain). */
export interface CoverageQuery {
  /** The unit, with what intake knows of it (a unit registered with the case is not stored yet). */
  unit: { id: string; productLine: string; purchaseDate?: string; warrantyMonths?: number };
  /** The service day (branch time). */
  day: string;
  internal: boolean;
  /** Part numbers of the components the diagnosis traced the fault to. */
  components?: readonly string[] | undefined;
}

/** The category decided from data, with its inputs. */
export interface CoverageDecision {
  category: ServiceCategory;
  basis: 'internal' | 'contract' | 'warranty' | 'none';
  reason: string;
  /** The day the coverage was looked at (branch time). */
  on: string;
  contractId?: string;
  /** The contract's response time, which replaces the branch policy's on-site limit for the unit. */
  contractResponseHours?: number;
  unitCoveredUntil?: string;
  /** The components the decision looked at, with their coverage that day. */
  components: Array<{
    partNumber: string;
    name: string;
    partsUntil?: string;
    labourUntil?: string;
    covered: boolean;
  }>;
}

/** The port the case service asks: contracts and warranty live in their own domain. */
export type CoveragePort = (q: CoverageQuery) => Promise<CoverageDecision>;

/** Free warranty when nothing else is known about the product type (SPEC §6: 3–12 months by type). */
export const DEFAULT_WARRANTY_MONTHS = 12;

export interface CategoryFacts {
  /** Internal administrative work (e.g. a demo unit, the company's own equipment). */
  internal: boolean;
  /** An active maintenance contract covers this product on the service day. */
  underContract: boolean;
  purchaseDate: string;
  serviceDate: string;
  warrantyMonths?: number;
}

/** The warranty end date (exclusive) of a purchase: same day-of-month `months` later, clamped to month end. */
export function warrantyEnd(purchaseDate: string, months: number): string {
  const [y, m, d] = purchaseDate.split('-').map(Number) as [number, number, number];
  const total = m - 1 + months;
  const year = y + Math.floor(total / 12);
  const month = (total % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/** Internal work first, then a contract, then warranty; everything else is paid. */
export function decideCategory(facts: CategoryFacts): ServiceCategory {
  if (facts.internal) return 'D';
  if (facts.underContract) return 'B';
  const end = warrantyEnd(facts.purchaseDate, facts.warrantyMonths ?? DEFAULT_WARRANTY_MONTHS);
  if (facts.serviceDate < end) return 'C';
  return 'A';
}
