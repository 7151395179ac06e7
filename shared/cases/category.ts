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
