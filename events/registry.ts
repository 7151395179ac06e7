/**
 * Every domain event Aftercare publishes: its `detail-type` and the zod schema of its `detail`.
 * Publishers validate against these; EventBridge rules (CDK and the local bus) match on these names.
 */
import * as z from 'zod/mini';
import { lazySchema } from '../shared/validation.ts';

export const EVENT_SOURCE = 'aftercare';

const caseRef = {
  caseId: z.string(),
  number: z.string(),
  branchId: z.string(),
  at: z.string(),
  actor: lazySchema(() => z.object({ sub: z.string(), role: z.string() })),
};

/** What every complaint event names. */
const complaintRef = {
  complaintId: z.string(),
  number: z.string(),
  branchId: z.string(),
  at: z.string(),
  actor: lazySchema(() => z.object({ sub: z.string(), role: z.string() })),
};

/** One step of the SLA escalation ladder taken on a case (SPEC §4). */
/** One stock item a movement changed, with its place on that item's ledger (a movement item and its event). */
export const stockLineSchema = lazySchema(() =>
  z.object({
    partNumber: z.string(),
    locationId: z.string(),
    onHandDelta: z.number(),
    reservedDelta: z.number(),
    seq: z.number(),
    onHandAfter: z.number(),
    availableAfter: z.number(),
  }),
);

const slaEscalation = lazySchema(() =>
  z.object({
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
  }),
);

/** A maintenance contract's change (SPEC §6). */
const contractEvent = lazySchema(() =>
  z.object({
    contractId: z.string(),
    customerId: z.string(),
    branchId: z.string(),
    action: z.string(),
    term: z.number(),
    status: z.string(),
    at: z.string(),
    actor: z.object({ sub: z.string(), role: z.string() }),
  }),
);

export const eventSchemas = {
  'Case Opened': lazySchema(() =>
    z.object({
      ...caseRef,
      customerId: z.string(),
      channel: z.string(),
      zone: z.enum(['urban', 'suburban']),
      emergency: z.boolean(),
      category: z.string(),
      department: z.optional(z.string()),
    }),
  ),
  'Case Status Changed': lazySchema(() =>
    z.object({
      ...caseRef,
      from: z.string(),
      to: z.string(),
      visibleStatus: z.string(),
      technicianId: z.optional(z.string()),
    }),
  ),
  'Technician Assigned': lazySchema(() =>
    z.object({
      ...caseRef,
      technicianId: z.string(),
      previousTechnicianId: z.optional(z.string()),
    }),
  ),
  'Case Updated': lazySchema(() =>
    z.object({
      ...caseRef,
      action: z.string(),
    }),
  ),
  /**
   * A survey card went out for a served case: mailed, or listed for a phone call when the customer has no
   * e-mail address. The scorecard counts it on the card's service day.
   */
  'Survey Card Sent': lazySchema(() =>
    z.object({
      cardId: z.string(),
      caseId: z.string(),
      branchId: z.string(),
      technicianId: z.string(),
      channel: z.enum(['email', 'phone']),
      /** Local day the service was completed (`YYYY-MM-DD`): the scorecard's day. */
      serviceDay: z.string(),
      at: z.string(),
    }),
  ),
  /**
   * A survey card was answered (link, e-mail reply or phone); the score is on the 1–5 scale.
   * `serviceDay` and `answers` (the level 1–4 of each item) were added for the scorecard's aggregates;
   * events published before carry neither, and add nothing to the scorecard.
   */
  'Survey Answered': lazySchema(() =>
    z.object({
      cardId: z.string(),
      caseId: z.string(),
      caseNumber: z.string(),
      branchId: z.string(),
      technicianId: z.string(),
      via: z.enum(['link', 'email', 'phone']),
      score: z.number(),
      complaint: z.boolean(),
      at: z.string(),
      serviceDay: z.optional(z.string()),
      answers: z.optional(
        z.object({ attitude: z.number(), skill: z.number(), arrival: z.number(), promise: z.number() }),
      ),
    }),
  ),
  /**
   * A complaint was registered, on any channel (a survey answer or directly); its investigation workflow
   * starts from this event. Survey complaints name their case, card and technician.
   */
  'Complaint Raised': lazySchema(() =>
    z.object({
      complaintId: z.string(),
      number: z.string(),
      source: z.enum(['survey', 'direct']),
      channel: z.optional(z.string()),
      severity: z.optional(z.enum(['ordinary', 'serious', 'major'])),
      subject: z.optional(z.string()),
      department: z.optional(z.string()),
      caseId: z.optional(z.string()),
      caseNumber: z.optional(z.string()),
      branchId: z.string(),
      technicianId: z.optional(z.string()),
      customerId: z.string(),
      reasons: z.optional(z.array(z.string())),
      visitTaskId: z.optional(z.string()),
      relatedComplaintIds: z.optional(z.array(z.string())),
      at: z.string(),
    }),
  ),
  /**
   * A complaint went up: a major one to the vice president at registration, a decision above the
   * approver's authority to the next level, or a complaint still unresolved after its rounds to leadership.
   */
  'Complaint Escalated': lazySchema(() =>
    z.object({
      ...complaintRef,
      reason: z.enum(['major', 'decision_above_authority', 'individual_case']),
      round: z.number(),
      level: z.optional(z.number()),
      recipients: z.array(z.string()),
    }),
  ),
  /** A human step of an investigation was completed (measures: time per step, on time, by cause and department). */
  'Complaint Step Completed': lazySchema(() =>
    z.object({
      ...complaintRef,
      stepId: z.string(),
      step: z.string(),
      round: z.number(),
      level: z.number(),
      ownerRole: z.string(),
      openedAt: z.string(),
      dueAt: z.string(),
      completedAt: z.string(),
      onTime: z.boolean(),
      /** Working minutes the step had on the branch calendar. */
      allowedWorkingMinutes: z.number(),
      /** Working minutes it took on the branch calendar. */
      workingMinutes: z.number(),
      cause: z.optional(z.string()),
      department: z.string(),
    }),
  ),
  /** A step passed its due time unfinished: one rung of the SLA ladder, reported upward. */
  'Complaint Step Overdue': lazySchema(() =>
    z.object({
      ...complaintRef,
      stepId: z.string(),
      step: z.string(),
      rung: z.string(),
      notify: z.string(),
      dueAt: z.string(),
      recipients: z.array(z.string()),
    }),
  ),
  /** The customer was not satisfied: the complaint is handled again (round is the new one). */
  'Complaint Reopened': lazySchema(() =>
    z.object({ ...complaintRef, round: z.number(), individualCase: z.boolean() }),
  ),
  /** The customer was satisfied: measures read on-time, rounds, cause and department from here. */
  'Complaint Closed': lazySchema(() =>
    z.object({
      ...complaintRef,
      department: z.string(),
      cause: z.optional(z.string()),
      severity: z.string(),
      rounds: z.number(),
      individualCase: z.boolean(),
      createdAt: z.string(),
      closedAt: z.string(),
      dueAt: z.optional(z.string()),
      onTime: z.boolean(),
    }),
  ),
  /** A closed complaint was added to the case library. */
  'Complaint Published': lazySchema(() =>
    z.object({ ...complaintRef, productLine: z.string(), cause: z.string() }),
  ),
  /**
   * An SLA milestone was met for the first time (SPEC §10): on time or not, and its clock's minutes from
   * start to met, pauses excluded. `day` is the branch's local day of `metAt`, the day the measures count it.
   */
  'SLA Milestone Met': lazySchema(() =>
    z.object({
      caseId: z.string(),
      branchId: z.string(),
      milestone: z.enum(['first_response', 'arrival', 'repair_completion', 'workshop_repair']),
      metAt: z.string(),
      day: z.string(),
      onTime: z.boolean(),
      activeMinutes: z.number(),
    }),
  ),
  /** An SLA step before the due time (50 % → dispatcher, 75 % → dispatcher, urgent). */
  'SLA Warning': slaEscalation,
  /** An SLA milestone reached its due time unmet (→ supervisor). */
  'SLA Breached': slaEscalation,
  /** Still unmet well after the breach (breach + 2 working hours → manager). */
  'Case Escalated': slaEscalation,
  /** A directory record (branch, staff member, customer, product unit) was created or changed. */
  'Directory Record Changed': lazySchema(() =>
    z.object({
      kind: z.enum(['branch', 'staff', 'customer', 'unit']),
      recordId: z.string(),
      version: z.number(),
      action: z.enum(['created', 'updated']),
      at: z.string(),
      actor: z.object({ sub: z.string(), role: z.string() }),
    }),
  ),
  /** A knowledge entry was created or got a new version (published, archived, edited). */
  'Knowledge Entry Changed': lazySchema(() =>
    z.object({
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
  ),
  /** A maintenance contract was created, changed or cancelled. */
  'Contract Changed': contractEvent,
  /** A contract was renewed: its next term follows the current one (renewal measure). */
  'Contract Renewed': lazySchema(() => z.object({ ...contractEvent.shape, price: z.number() })),
  /** A contract's end passed without renewal (churn measure). */
  'Contract Lapsed': contractEvent,
  /** A return or exchange application was answered; cause and responsible department are measured. */
  'Return Decided': lazySchema(() =>
    z.object({
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
  ),
  /** A return application went unanswered past its deadline (working days): escalated. */
  'Return Decision Overdue': lazySchema(() =>
    z.object({
      returnId: z.string(),
      branchId: z.string(),
      step: z.string(),
      dueAt: z.string(),
      recipients: z.array(z.string()),
      at: z.string(),
    }),
  ),
  /** Stock moved (SPEC §5): one movement, every stock item it changed, each with its ledger position. */
  'Stock Moved': lazySchema(() =>
    z.object({
      movementId: z.string(),
      kind: z.string(),
      lines: z.array(stockLineSchema),
      caseId: z.optional(z.string()),
      at: z.string(),
      actor: z.object({ sub: z.string(), role: z.string() }),
    }),
  ),
  /** A movement took a stock item below its reorder point or above its overstock level (once per crossing). */
  'Stock Level Crossed': lazySchema(() =>
    z.object({
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
  ),
  /** A parts requisition was filed, decided or issued. */
  'Requisition Changed': lazySchema(() =>
    z.object({
      requisitionId: z.string(),
      status: z.enum(['pending', 'approved', 'rejected', 'issued']),
      technicianId: z.string(),
      value: z.number(),
      at: z.string(),
      actor: z.object({ sub: z.string(), role: z.string() }),
    }),
  ),
  /** An approved purchase suggestion became a purchase request. */
  'Purchase Requested': lazySchema(() =>
    z.object({
      purchaseRequestId: z.string(),
      suggestionId: z.string(),
      partNumber: z.string(),
      locationId: z.string(),
      quantity: z.number(),
      value: z.number(),
      at: z.string(),
      actor: z.object({ sub: z.string(), role: z.string() }),
    }),
  ),
  /** A loaner unit or valuable tool was issued, returned, lost (written off) or its holder reminded. */
  'Tool Moved': lazySchema(() =>
    z.object({
      serial: z.string(),
      kind: z.enum(['loaner', 'tool']),
      action: z.enum(['registered', 'issued', 'returned', 'lost', 'reminded']),
      caseId: z.optional(z.string()),
      technicianId: z.optional(z.string()),
      writeOff: z.optional(z.number()),
      at: z.string(),
      actor: z.object({ sub: z.string(), role: z.string() }),
    }),
  ),
  /** A manager changed a branch's working-time calendar; its morning schedule follows. */
  'SLA Calendar Changed': lazySchema(() =>
    z.object({
      branchId: z.string(),
      at: z.string(),
      actor: z.object({ sub: z.string(), role: z.string() }),
    }),
  ),
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
