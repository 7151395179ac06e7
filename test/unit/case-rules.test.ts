import { describe, expect, it } from 'vitest';
import { decideCategory, warrantyEnd } from '../../shared/cases/category.ts';
import { caseNumberPattern, formatCaseNumber, localDay } from '../../shared/cases/numbering.ts';
import { departmentFor, feedbackSubjects } from '../../shared/cases/routing.ts';

describe('case numbering', () => {
  it.each([
    ['2026-11-22', 7, 'SR-20261122-0007'],
    ['2026-01-01', 1, 'SR-20260101-0001'],
    ['2026-12-31', 9999, 'SR-20261231-9999'],
    ['2026-12-31', 12345, 'SR-20261231-12345'],
  ])('formats day %s sequence %i as %s, a number the case-number pattern accepts', (day, seq, expected) => {
    // Act
    const formatted = formatCaseNumber('SR', day, seq);

    // Assess
    expect(formatted).toBe(expected);
    expect(formatted).toMatch(caseNumberPattern);
  });

  it.each([0, -1, 1.5])('rejects sequence %s', (seq) => {
    expect(() => formatCaseNumber('SR', '2026-11-22', seq)).toThrow(RangeError);
  });

  it.each([
    ['2026-11-22T15:59:59Z', 'Asia/Shanghai', '2026-11-22'],
    ['2026-11-22T16:00:00Z', 'Asia/Shanghai', '2026-11-23'],
    ['2026-03-29T00:30:00Z', 'Europe/Berlin', '2026-03-29'],
  ])('numbers by the branch-local day: %s in %s is %s', (instant, tz, day) => {
    expect(localDay(new Date(instant), tz)).toBe(day);
  });
});

describe('service category decision', () => {
  const facts = {
    internal: false,
    underContract: false,
    purchaseDate: '2026-03-15',
    serviceDate: '2026-11-22',
  };

  it.each([
    ['internal work is D, whatever else holds', { ...facts, internal: true, underContract: true }, 'D'],
    ['a contract makes it B', { ...facts, underContract: true }, 'B'],
    ['within 12 months of purchase is C', facts, 'C'],
    ['the last warranty day is still C', { ...facts, serviceDate: '2027-03-14' }, 'C'],
    ['the day the warranty ends is A', { ...facts, serviceDate: '2027-03-15' }, 'A'],
    ['a 3-month product type expires sooner', { ...facts, warrantyMonths: 3 }, 'A'],
    ['out of warranty, no contract is A', { ...facts, purchaseDate: '2020-01-01' }, 'A'],
  ])('%s', (_name, f, expected) => {
    expect(decideCategory(f)).toBe(expected);
  });

  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2026-11-30', 3, '2027-02-28'],
    ['2026-05-10', 12, '2027-05-10'],
  ])('warranty from %s for %i months ends %s', (purchase, months, end) => {
    expect(warrantyEnd(purchase, months)).toBe(end);
  });
});

describe('feedback routing (SPEC §3, 000 三.5–8)', () => {
  const routing = [
    ['quality', 'rnd_production'],
    ['packaging', 'warehouse_transport'],
    ['staff_attitude', 'service_marketing'],
    ['dealer', 'channel_coordination'],
    // Not named in SPEC: the service department reads it and passes it on.
    ['other', 'service'],
  ] as const;

  it.each(routing)('routes %s feedback to %s', (subject, department) => {
    expect(departmentFor[subject]).toBe(department);
  });

  it('routes exactly the subjects listed above, so a new subject needs its expected department here', () => {
    expect([...feedbackSubjects].sort()).toEqual(routing.map(([subject]) => subject).sort());
  });
});
