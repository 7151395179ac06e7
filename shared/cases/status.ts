/**
 * The service-case status machine (SPEC §3): internal statuses, the transitions allowed between them,
 * and the four statuses a customer sees (received → diagnosing → repairing → completed).
 */
export const caseStatuses = [
  'received',
  'assigned',
  'en_route',
  'on_site',
  'in_workshop',
  'awaiting_parts',
  'awaiting_customer',
  'repaired',
  'inspected',
  'completed',
  'closed',
  'cancelled',
] as const;
export type CaseStatus = (typeof caseStatuses)[number];

export type VisibleStatus = 'received' | 'diagnosing' | 'repairing' | 'completed' | 'cancelled';

/**
 * Allowed transitions. A case reaches `completed` only through work by an assigned technician
 * (remote guidance, on-site sign-off, or a workshop repair that passed inspection), never from `received`.
 */
export const transitions: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  received: ['assigned', 'in_workshop', 'cancelled'],
  assigned: ['en_route', 'on_site', 'in_workshop', 'awaiting_customer', 'completed', 'cancelled'],
  en_route: ['on_site', 'assigned', 'cancelled'],
  on_site: ['in_workshop', 'awaiting_parts', 'awaiting_customer', 'completed'],
  in_workshop: ['awaiting_parts', 'awaiting_customer', 'repaired'],
  awaiting_parts: ['assigned', 'en_route', 'on_site', 'in_workshop'],
  awaiting_customer: ['assigned', 'en_route', 'on_site', 'in_workshop', 'cancelled'],
  repaired: ['inspected', 'in_workshop'],
  inspected: ['completed'],
  completed: ['closed'],
  closed: [],
  cancelled: [],
};

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return transitions[from].includes(to);
}

/** Statuses in which a case still needs work: SLA clocks run and it shows in a technician's open list. */
export function isOpen(status: CaseStatus): boolean {
  return status !== 'completed' && status !== 'closed' && status !== 'cancelled';
}

/** Waiting on someone outside the service team: SLA clocks pause here. */
export function isOnHold(status: CaseStatus): boolean {
  return status === 'awaiting_parts' || status === 'awaiting_customer';
}

/**
 * What the customer sees. A technician on site is still "diagnosing" until a diagnosis is recorded;
 * from then on the case is "repairing".
 */
export function visibleStatus(status: CaseStatus, diagnosed: boolean): VisibleStatus {
  switch (status) {
    case 'received':
      return 'received';
    case 'assigned':
    case 'en_route':
    case 'on_site':
    case 'awaiting_customer':
      return diagnosed ? 'repairing' : 'diagnosing';
    case 'in_workshop':
    case 'awaiting_parts':
    case 'repaired':
    case 'inspected':
      return 'repairing';
    case 'completed':
    case 'closed':
      return 'completed';
    case 'cancelled':
      return 'cancelled';
  }
}
