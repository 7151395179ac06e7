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
} as const;

export type DetailType = keyof typeof eventSchemas;
export type EventDetail<T extends DetailType> = z.infer<(typeof eventSchemas)[T]>;

export interface DomainEvent<T extends DetailType = DetailType> {
  detailType: T;
  detail: EventDetail<T>;
}

export function domainEvent<T extends DetailType>(detailType: T, detail: EventDetail<T>): DomainEvent<T> {
  return { detailType, detail };
}
