/**
 * Complaints (SPEC §7–§8), minimal for now: a numbered, stored record raised from a survey, and the
 * supervisor's visit to the complaining customer (000 (二十八)). The investigation workflow comes later
 * and will extend these items (hence `schemaVersion` and `status`).
 *
 * Numbers are `CP-YYYYMMDD-NNNN`: the day in the branch's time zone, NNNN from an atomic daily counter.
 */
import * as z from 'zod/mini';
import { caseKeys } from '../cases/model.ts';
import { formatCaseNumber } from '../cases/numbering.ts';
import type { ItemKind } from '../store/item.ts';
import { Index, indexKeys, key } from '../store/table.ts';
import { ratingsSchema } from '../surveys/score.ts';

export const COMPLAINT_SCHEMA_VERSION = 1;
export const TASK_SCHEMA_VERSION = 1;

export const complaintPattern = /^CP-\d{8}-\d{4,}$/;

/** The stored complaint item (without key attributes). */
export const complaintItemSchema = z.object({
  entity: z.literal('Complaint'),
  schemaVersion: z.literal(COMPLAINT_SCHEMA_VERSION),
  /** Equal to `number`: readable and unique. */
  id: z.string(),
  number: z.string(),
  status: z.enum(['open']),
  source: z.literal('survey'),
  /** How the survey was answered. */
  channel: z.enum(['survey_link', 'survey_email', 'survey_phone']),
  /** Why the answer counts as a complaint: the customer ticked it, or an item was rated at the lowest level. */
  reasons: z.array(z.enum(['flagged_by_customer', 'lowest_level'])),
  caseId: z.string(),
  caseNumber: z.string(),
  cardId: z.string(),
  branchId: z.string(),
  technicianId: z.string(),
  customer: z.object({
    id: z.string(),
    name: z.string(),
    phone: z.optional(z.string()),
    email: z.optional(z.string()),
  }),
  ratings: ratingsSchema,
  /** The customer's own words, plain text (escape when rendering). */
  text: z.string(),
  visitTaskId: z.string(),
  createdAt: z.string(),
  version: z.number(),
});
export type Complaint = z.infer<typeof complaintItemSchema>;

/** A task for a person or role; for now only the supervisor's visit to a complaining customer. */
export const taskItemSchema = z.object({
  entity: z.literal('Task'),
  schemaVersion: z.literal(TASK_SCHEMA_VERSION),
  id: z.string(),
  kind: z.literal('supervisor_visit'),
  /** Who should do it: service supervisors hold the dispatcher role (SPEC §2). */
  role: z.literal('dispatcher'),
  status: z.enum(['open']),
  complaintId: z.string(),
  caseId: z.string(),
  caseNumber: z.string(),
  branchId: z.string(),
  customer: z.object({ id: z.string(), name: z.string(), address: z.string(), phone: z.string() }),
  createdAt: z.string(),
  version: z.number(),
});
export type Task = z.infer<typeof taskItemSchema>;

/** Every stored kind of the complaint domain, for the schema version test. */
export const complaintItemKinds: ItemKind[] = [
  { entity: 'Complaint', version: COMPLAINT_SCHEMA_VERSION, schema: complaintItemSchema },
  { entity: 'Task', version: TASK_SCHEMA_VERSION, schema: taskItemSchema },
];

/** Key templates of complaints and tasks. */
export const complaintKeys = {
  item: (id: string) => ({ pk: key('COMPLAINT', id), sk: 'COMPLAINT' }),
  /** gsi2: complaints by status, oldest first. */
  byStatus: (status: string) => key('COMPLAINTSTATUS', status),
  /** gsi1: the customer's partition, shared with their cases (which sort under `CASE#`). */
  byCustomerSort: (c: Pick<Complaint, 'createdAt' | 'id'>) => key('COMPLAINT', c.createdAt, c.id),
  counter: (day: string) => ({ pk: key('COUNTER', 'CP', day), sk: 'COUNTER' }),
  task: (id: string) => ({ pk: key('TASK', id), sk: 'TASK' }),
  /** gsi2: tasks of a kind by status, oldest first. */
  tasksByStatus: (kind: string, status: string) => key('TASKSTATUS', kind, status),
  /** Creation order within a status. */
  order: (x: { createdAt: string; id: string }) => key(x.createdAt, x.id),
};

/** `CP-20261122-0001`. */
export function formatComplaintNumber(day: string, sequence: number): string {
  return formatCaseNumber('CP', day, sequence);
}

/** The complaint item with its keys, ready for a Put. */
export function complaintItem(c: Complaint): Record<string, unknown> {
  return {
    ...complaintKeys.item(c.id),
    ...indexKeys(Index.byOwner, caseKeys.byCustomer(c.customer.id), complaintKeys.byCustomerSort(c)),
    ...indexKeys(Index.byStatus, complaintKeys.byStatus(c.status), complaintKeys.order(c)),
    ...c,
  };
}

/** The task item with its keys, ready for a Put. */
export function taskItem(t: Task): Record<string, unknown> {
  return {
    ...complaintKeys.task(t.id),
    ...indexKeys(Index.byStatus, complaintKeys.tasksByStatus(t.kind, t.status), complaintKeys.order(t)),
    ...t,
  };
}
