/**
 * Every domain event Aftercare publishes: its `detail-type` and the zod schema of its `detail`.
 * Publishers validate against these; EventBridge rules (CDK and the local bus) match on these names.
 */
import * as z from 'zod/mini';

export const EVENT_SOURCE = 'aftercare';

const caseRef = {
  caseId: z.string(),
  number: z.string(),
  branchId: z.string(),
  at: z.string(),
  actor: z.object({ sub: z.string(), role: z.string() }),
};

/** One step of the SLA escalation ladder taken on a case (SPEC §4). */
const slaEscalation = z.object({
  ...caseRef,
  milestone: z.enum(['first_response', 'arrival', 'repair_completion', 'workshop_repair']),
  step: z.string(),
  level: z.enum(['warning', 'urgent', 'breach', 'escalation']),
  percent: z.number(),
  notify: z.enum(['dispatcher', 'supervisor', 'manager']),
  dueAt: z.string(),
  recipients: z.array(z.string()),
  /** The dispatcher who assigned the case, when the step goes to "the assigned dispatcher". */
  dispatcherId: z.optional(z.string()),
});

export const eventSchemas = {
  'Case Opened': z.object({
    ...caseRef,
    customerId: z.string(),
    channel: z.string(),
    zone: z.enum(['urban', 'suburban']),
    emergency: z.boolean(),
    category: z.string(),
    department: z.optional(z.string()),
  }),
  'Case Status Changed': z.object({
    ...caseRef,
    from: z.string(),
    to: z.string(),
    visibleStatus: z.string(),
    technicianId: z.optional(z.string()),
  }),
  'Technician Assigned': z.object({
    ...caseRef,
    technicianId: z.string(),
    previousTechnicianId: z.optional(z.string()),
  }),
  'Case Updated': z.object({
    ...caseRef,
    action: z.string(),
  }),
  /** A survey card was answered (link, e-mail reply or phone); the score is on the 1–5 scale. */
  'Survey Answered': z.object({
    cardId: z.string(),
    caseId: z.string(),
    caseNumber: z.string(),
    branchId: z.string(),
    technicianId: z.string(),
    via: z.enum(['link', 'email', 'phone']),
    score: z.number(),
    complaint: z.boolean(),
    at: z.string(),
  }),
  /** A complaint was registered (for now only from surveys); its supervisor visit task exists already. */
  'Complaint Raised': z.object({
    complaintId: z.string(),
    number: z.string(),
    source: z.literal('survey'),
    caseId: z.string(),
    caseNumber: z.string(),
    branchId: z.string(),
    technicianId: z.string(),
    customerId: z.string(),
    reasons: z.array(z.string()),
    visitTaskId: z.string(),
    at: z.string(),
  }),
  /** An SLA step before the due time (50 % → dispatcher, 75 % → dispatcher, urgent). */
  'SLA Warning': slaEscalation,
  /** An SLA milestone reached its due time unmet (→ supervisor). */
  'SLA Breached': slaEscalation,
  /** Still unmet well after the breach (breach + 2 working hours → manager). */
  'Case Escalated': slaEscalation,
  /** A directory record (branch, staff member, customer, product unit) was created or changed. */
  'Directory Record Changed': z.object({
    kind: z.enum(['branch', 'staff', 'customer', 'unit']),
    recordId: z.string(),
    version: z.number(),
    action: z.enum(['created', 'updated']),
    at: z.string(),
    actor: z.object({ sub: z.string(), role: z.string() }),
  }),
  /** Stock moved (SPEC §5): one movement, every stock item it changed, each with its ledger position. */
  'Stock Moved': z.object({
    movementId: z.string(),
    kind: z.string(),
    lines: z.array(
      z.object({
        partNumber: z.string(),
        locationId: z.string(),
        onHandDelta: z.number(),
        reservedDelta: z.number(),
        seq: z.number(),
        onHandAfter: z.number(),
        availableAfter: z.number(),
      }),
    ),
    caseId: z.optional(z.string()),
    at: z.string(),
    actor: z.object({ sub: z.string(), role: z.string() }),
  }),
  /** A movement took a stock item below its reorder point or above its overstock level (once per crossing). */
  'Stock Level Crossed': z.object({
    partNumber: z.string(),
    locationId: z.string(),
    level: z.enum(['low', 'over']),
    from: z.enum(['ok', 'low', 'over']),
    seq: z.number(),
    onHand: z.number(),
    available: z.number(),
    reorderLevel: z.number(),
    overstockLevel: z.number(),
    at: z.string(),
  }),
  /** A parts requisition was filed, decided or issued. */
  'Requisition Changed': z.object({
    requisitionId: z.string(),
    status: z.enum(['pending', 'approved', 'rejected', 'issued']),
    technicianId: z.string(),
    value: z.number(),
    at: z.string(),
    actor: z.object({ sub: z.string(), role: z.string() }),
  }),
  /** An approved purchase suggestion became a purchase request. */
  'Purchase Requested': z.object({
    purchaseRequestId: z.string(),
    suggestionId: z.string(),
    partNumber: z.string(),
    locationId: z.string(),
    quantity: z.number(),
    value: z.number(),
    at: z.string(),
    actor: z.object({ sub: z.string(), role: z.string() }),
  }),
  /** A loaner unit or valuable tool was issued, returned, lost (written off) or its holder reminded. */
  'Tool Moved': z.object({
    serial: z.string(),
    kind: z.enum(['loaner', 'tool']),
    action: z.enum(['registered', 'issued', 'returned', 'lost', 'reminded']),
    caseId: z.optional(z.string()),
    technicianId: z.optional(z.string()),
    writeOff: z.optional(z.number()),
    at: z.string(),
    actor: z.object({ sub: z.string(), role: z.string() }),
  }),
  /** A manager changed a branch's working-time calendar; its morning schedule follows. */
  'SLA Calendar Changed': z.object({
    branchId: z.string(),
    at: z.string(),
    actor: z.object({ sub: z.string(), role: z.string() }),
  }),
} as const;

export type DetailType = keyof typeof eventSchemas;
export type EventDetail<T extends DetailType> = z.infer<(typeof eventSchemas)[T]>;

export interface DomainEvent<T extends DetailType = DetailType> {
  detailType: T;
  detail: EventDetail<T>;
}

/** Builds an event, validating its detail now: a malformed event must fail its write, not the relay. */
export function domainEvent<T extends DetailType>(detailType: T, detail: EventDetail<T>): DomainEvent<T> {
  return { detailType, detail: z.parse(eventSchemas[detailType], detail) as EventDetail<T> };
}
