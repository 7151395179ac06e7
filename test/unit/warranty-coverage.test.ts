/**
 * Warranty decisions as pure functions: per component, purchase vs installation start, promotions,
 * replaced components; the category that follows; billing lines categorized one by one.
 */
import { describe, expect, it } from 'vitest';
import {
  billingLines,
  decideCategory,
  type Promotion,
  type UnitFacts,
  type WarrantyTerms,
  warrantyOn,
} from '../../shared/warranty/coverage.ts';

const terms: WarrantyTerms = {
  productLine: 'air-conditioner',
  default: {
    parts: { months: 12, startBasis: 'purchase' },
    labour: { months: 6, startBasis: 'purchase' },
  },
  classes: {
    compressor: {
      parts: { months: 60, startBasis: 'installation' },
      labour: { months: 12, startBasis: 'installation' },
    },
    'remote-control': {
      parts: { months: 3, startBasis: 'purchase' },
      labour: { months: 3, startBasis: 'purchase' },
    },
  },
  labourRatePerHour: 120,
  currency: 'CNY',
};

const unit: UnitFacts = {
  serialNumber: 'AC-1',
  productLine: 'air-conditioner',
  purchaseDate: '2025-01-10',
  installedOn: '2025-02-01',
  components: [
    { name: 'Compressor', partNumber: 'CMP-1', componentClass: 'compressor' },
    { name: 'Remote', partNumber: 'RC-1', componentClass: 'remote-control' },
    { name: 'Fan motor', partNumber: 'FAN-1' },
    { name: 'Control board', partNumber: 'PCB-1', warrantyMonths: 24 },
    { name: 'Drain pump', partNumber: 'PMP-2', replacedOn: '2026-03-05' },
  ],
};

const promotion: Promotion = {
  id: 'spring-2025',
  name: 'Spring sale: one more year on parts',
  productLine: 'air-conditioner',
  coverage: 'parts',
  extendMonths: 12,
  purchasedFrom: '2025-01-01',
  purchasedTo: '2025-03-31',
  recordedAt: '2024-12-20T00:00:00Z',
};

describe('a unit’s warranty per component, on a day', () => {
  it.each([
    // [component, day, promotions, parts covered, parts until, labour covered, basis]
    ['CMP-1', '2026-12-01', [], true, '2030-02-01', false, 'installation'],
    ['CMP-1', '2030-02-01', [], false, '2030-02-01', false, 'installation'],
    ['RC-1', '2025-04-09', [], true, '2025-04-10', true, 'purchase'],
    ['RC-1', '2025-04-10', [], false, '2025-04-10', false, 'purchase'],
    ['FAN-1', '2025-12-01', [], true, '2026-01-10', false, 'purchase'],
    ['FAN-1', '2026-06-01', [], false, '2026-01-10', false, 'purchase'],
    ['FAN-1', '2026-06-01', [promotion], true, '2027-01-10', false, 'purchase'],
    ['PCB-1', '2026-06-01', [], true, '2027-01-10', false, 'purchase'],
    ['PMP-2', '2026-06-01', [], true, '2027-03-05', true, 'replacement'],
    ['PMP-2', '2026-06-01', [promotion], true, '2027-03-05', true, 'replacement'],
    ['PMP-2', '2027-03-05', [], false, '2027-03-05', false, 'replacement'],
  ] as const)(
    '%s on %s (promotions %j): parts %s until %s, labour %s, from %s',
    (pn, day, promos, parts, until, labour, basis) => {
      // Act
      const w = warrantyOn(unit, terms, promos, day);

      // Assess
      const c = w.components.find((x) => x.partNumber === pn);
      expect(c?.parts).toMatchObject({ covered: parts, until, basis });
      expect(c?.labour.covered).toBe(labour);
    },
  );

  it('names the promotion that changed a term, and leaves units bought outside its dates alone', () => {
    // Act
    const inside = warrantyOn(unit, terms, [promotion], '2026-06-01');
    const outside = warrantyOn({ ...unit, purchaseDate: '2025-05-01' }, terms, [promotion], '2026-06-01');

    // Assess
    expect(inside.unit.parts.promotions).toEqual(['spring-2025']);
    expect(outside.unit.parts.promotions).toEqual([]);
  });

  it('a promotion that changes the start basis moves the term to the installation day', () => {
    // Prepare
    const fromInstallation: Promotion = {
      ...promotion,
      id: 'install',
      extendMonths: 0,
      startBasis: 'installation',
    };

    // Act
    const w = warrantyOn(unit, terms, [fromInstallation], '2026-01-20');

    // Assess
    expect(w.unit.parts).toMatchObject({ covered: true, from: '2025-02-01', until: '2026-02-01' });
  });

  it('without terms for the product line: the unit’s own months, else 12, from purchase', () => {
    // Act
    const plain = warrantyOn({ ...unit, productLine: 'kettle', components: [] }, undefined, [], '2025-12-01');
    const premium = warrantyOn(
      { ...unit, productLine: 'kettle', components: [], warrantyMonths: 3 },
      undefined,
      [],
      '2025-12-01',
    );

    // Assess
    expect(plain.unit.parts).toMatchObject({ covered: true, until: '2026-01-10' });
    expect(premium.unit.parts).toMatchObject({ covered: false, until: '2025-04-10' });
  });

  it('no purchase date: nothing is covered, and says so', () => {
    const w = warrantyOn(
      { ...unit, purchaseDate: undefined, installedOn: undefined },
      terms,
      [],
      '2025-06-01',
    );
    expect(w.unit.parts).toMatchObject({ covered: false, basis: 'unknown' });
  });
});

describe('the category decided from data', () => {
  const w = (day: string) => warrantyOn(unit, terms, [], day);

  it.each([
    ['internal work', { internal: true, warranty: w('2025-06-01') }, 'D'],
    [
      'a covering contract',
      { internal: false, contract: { id: 'MC-1', labour: true, parts: true }, warranty: w('2029-01-01') },
      'B',
    ],
    ['the unit in warranty', { internal: false, warranty: w('2025-06-01') }, 'C'],
    ['neither', { internal: false, warranty: w('2026-06-01') }, 'A'],
    [
      'a diagnosed component in warranty',
      { internal: false, warranty: w('2026-06-01'), components: ['CMP-1'] },
      'C',
    ],
    [
      'a diagnosed component out of warranty',
      { internal: false, warranty: w('2025-06-01'), components: ['RC-1'] },
      'A',
    ],
  ] as const)('%s → %s', (_name, input, category) => {
    expect(decideCategory(input).category).toBe(category);
  });

  it('shows the inputs of the decision', () => {
    const d = decideCategory({ internal: false, warranty: w('2026-06-01'), components: ['CMP-1'] });
    expect(d).toMatchObject({
      basis: 'warranty',
      on: '2026-06-01',
      components: [{ partNumber: 'CMP-1', partsUntil: '2030-02-01', covered: true }],
    });
  });
});

describe('billing lines', () => {
  it('one part in warranty and one out: one free line and one paid line', () => {
    // Act
    const bill = billingLines({
      warranty: w2026(),
      terms,
      labourMinutes: 0,
      parts: [
        { partNumber: 'CMP-1', name: 'Compressor', quantity: 1, unitCost: 900 },
        { partNumber: 'RC-1', name: 'Remote', quantity: 2, unitCost: 45.5 },
      ],
    });

    // Assess
    expect(bill.lines.map((l) => [l.partNumber, l.category, l.amount])).toEqual([
      ['CMP-1', 'warranty', 900],
      ['RC-1', 'paid', 91],
    ]);
    expect(bill.totals).toEqual({ warranty: 900, contract: 0, paid: 91, all: 991 });
  });

  it('labour is paid once any component worked on is out of labour cover; a contract covers what it includes', () => {
    // Act
    const bill = billingLines({
      warranty: w2026(),
      terms,
      contract: { id: 'MC-9', labour: false, parts: true },
      labourMinutes: 90,
      parts: [{ partNumber: 'FAN-1', name: 'Fan motor', quantity: 1, unitCost: 200 }],
    });

    // Assess
    expect(bill.lines.map((l) => [l.kind, l.category, l.amount])).toEqual([
      ['labour', 'paid', 180],
      ['part', 'contract', 200],
    ]);
  });
});

function w2026() {
  return warrantyOn(unit, terms, [], '2026-06-01');
}
