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

/** A maintenance contract's change (SPEC §6). */
const contractEvent = z.object({
  contractId: z.string(),
  customerId: z.string(),
  branchId: z.string(),
  action: z.string(),
  term: z.number(),
  status: z.string(),
  at: z.string(),
  actor: z.object({ sub: z.string(), role: z.string() }),
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
  /** A knowledge entry was created or got a new version (published, archived, edited). */
  'Knowledge Entry Changed': z.object({
    entryId: z.string(),
    productLine: z.string(),
    code: z.string(),
    version: z.number(),
    status: z.enum(['draft', 'published', 'archived']),
    audience: z.enum(['internal', 'public']),
    action: z.enum(['created', 'updated']),
    at: z.string(),
    actor: z.object({ sub: z.string(), role: z.string() }),
  }),
  /** A maintenance contract was created, changed or cancelled. */
  'Contract Changed': contractEvent,
  /** A contract was renewed: its next term follows the current one (renewal measure). */
  'Contract Renewed': z.object({ ...contractEvent.shape, price: z.number() }),
  /** A contract's end passed without renewal (churn measure). */
  'Contract Lapsed': contractEvent,
  /** A return or exchange application was answered; cause and responsible department are measured. */
  'Return Decided': z.object({
    returnId: z.string(),
    branchId: z.string(),
    kind: z.enum(['return', 'exchange']),
    approved: z.boolean(),
    cause: z.string(),
    department: z.string(),
    onTime: z.boolean(),
    at: z.string(),
    actor: z.object({ sub: z.string(), role: z.string() }),
  }),
  /** A return application went unanswered past its deadline (working days): escalated. */
  'Return Decision Overdue': z.object({
    returnId: z.string(),
    branchId: z.string(),
    step: z.string(),
    dueAt: z.string(),
    recipients: z.array(z.string()),
    at: z.string(),
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
