import { describe, expect, it } from 'vitest';
import {
  type CaseStatus,
  canTransition,
  caseStatuses,
  isOnHold,
  isOpen,
  transitions,
  visibleStatus,
} from '../../shared/cases/status.ts';

const allowed: Array<[CaseStatus, CaseStatus]> = [
  ['received', 'assigned'],
  ['received', 'in_workshop'],
  ['received', 'cancelled'],
  ['assigned', 'en_route'],
  ['assigned', 'on_site'],
  ['assigned', 'in_workshop'],
  ['assigned', 'awaiting_customer'],
  ['assigned', 'completed'],
  ['assigned', 'cancelled'],
  ['en_route', 'on_site'],
  ['en_route', 'assigned'],
  ['en_route', 'cancelled'],
  ['on_site', 'in_workshop'],
  ['on_site', 'awaiting_parts'],
  ['on_site', 'awaiting_customer'],
  ['on_site', 'completed'],
  ['in_workshop', 'awaiting_parts'],
  ['in_workshop', 'awaiting_customer'],
  ['in_workshop', 'repaired'],
  ['awaiting_parts', 'assigned'],
  ['awaiting_parts', 'en_route'],
  ['awaiting_parts', 'on_site'],
  ['awaiting_parts', 'in_workshop'],
  ['awaiting_customer', 'assigned'],
  ['awaiting_customer', 'en_route'],
  ['awaiting_customer', 'on_site'],
  ['awaiting_customer', 'in_workshop'],
  ['awaiting_customer', 'cancelled'],
  ['repaired', 'inspected'],
  ['repaired', 'in_workshop'],
  ['inspected', 'completed'],
  ['completed', 'closed'],
];

describe('case status machine', () => {
  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it('allows nothing beyond the listed transitions', () => {
    // Prepare
    const listed = new Set(allowed.map(([f, t]) => `${f}>${t}`));

    // Act
    const all = caseStatuses
      .flatMap((f) => caseStatuses.map((t) => [f, t] as const))
      .filter(([f, t]) => canTransition(f, t));

    // Assess
    expect(all.map(([f, t]) => `${f}>${t}`).sort()).toEqual([...listed].sort());
  });

  it.each([
    ['received', 'completed', 'no completing a case that was never assigned'],
    ['received', 'on_site', 'nobody was sent'],
    ['in_workshop', 'completed', 'workshop repairs pass inspection first'],
    ['repaired', 'completed', 'inspection comes before return'],
    ['closed', 'received', 'closed is final'],
    ['cancelled', 'assigned', 'cancelled is final'],
    ['completed', 'cancelled', 'done work cannot be cancelled'],
  ] as Array<[CaseStatus, CaseStatus, string]>)('forbids %s → %s (%s)', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('has an entry for every status and terminal states without exits', () => {
    expect(Object.keys(transitions).sort()).toEqual([...caseStatuses].sort());
    expect(transitions.closed).toEqual([]);
    expect(transitions.cancelled).toEqual([]);
  });

  it.each([
    ['received', false, 'received'],
    ['assigned', false, 'diagnosing'],
    ['on_site', false, 'diagnosing'],
    ['on_site', true, 'repairing'],
    ['in_workshop', false, 'repairing'],
    ['awaiting_parts', false, 'repairing'],
    ['inspected', true, 'repairing'],
    ['completed', true, 'completed'],
    ['closed', true, 'completed'],
    ['cancelled', false, 'cancelled'],
  ] as Array<[CaseStatus, boolean, string]>)(
    'shows %s (diagnosed: %s) to the customer as %s',
    (status, diagnosed, visible) => {
      expect(visibleStatus(status, diagnosed)).toBe(visible);
    },
  );

  it('pauses clocks only while waiting for parts or the customer, and treats completed/closed/cancelled as not open', () => {
    expect(caseStatuses.filter(isOnHold)).toEqual(['awaiting_parts', 'awaiting_customer']);
    expect(caseStatuses.filter((s) => !isOpen(s))).toEqual(['completed', 'closed', 'cancelled']);
  });
});
