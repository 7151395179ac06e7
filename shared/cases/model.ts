/**
 * Service cases (SPEC §3–§4): the stored item, its keys, and the intake input.
 * The stored schema carries `schemaVersion`; `test/unit/schema-versions.test.ts` fails when the
 * schema changes without a version bump.
 */
import * as z from 'zod/mini';
import { type Role, roles } from '../auth/actor.ts';
import { isoDate, text } from '../validation.ts';
import { serviceCategories } from './category.ts';
import { feedbackSubjects } from './routing.ts';
import { caseStatuses } from './status.ts';

/** v2: diagnosis.promisedWorkingMinutes (optional, so v1 items read as v2 unchanged). */
export const CASE_SCHEMA_VERSION = 2;

export const channels = ['hotline', 'email', 'letter', 'walk_in', 'portal', 'app'] as const;
export type Channel = (typeof channels)[number];
/** Channels a customer uses by themselves; the rest are registered by an agent (SPEC §3). */
export const selfServiceChannels: readonly Channel[] = ['portal', 'app'];

const phone = () =>
  z.string().check(z.trim(), z.regex(/^\+?[0-9][0-9 ()-]{5,24}$/, 'expected a phone number'));
const id = () =>
  z.string().check(z.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'expected an id of letters, digits and _.:@-'));

const customerSchema = z.strictObject({
  id: z.optional(id()),
  name: text(100),
  address: text(300),
  phone: phone(),
  email: z.optional(z.email()),
  language: z.optional(z.enum(['zh-CN', 'en'])),
});

const productSchema = z.strictObject({
  model: text(100),
  serialNumber: z
    .string()
    .check(z.trim(), z.regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/, 'expected a serial number')),
  purchaseDate: isoDate(),
  warrantyMonths: z.optional(z.int().check(z.minimum(0), z.maximum(120))),
});

/** Intake on any channel. Unknown fields are rejected so a typo cannot silently drop data. */
export const intakeSchema = z.strictObject({
  channel: z.enum(channels),
  customer: customerSchema,
  product: productSchema,
  symptoms: text(4000),
  zone: z.enum(['urban', 'suburban']),
  emergency: z.boolean(),
  branchId: z.optional(id()),
  internal: z.optional(z.boolean()),
  feedbackSubject: z.optional(z.enum(feedbackSubjects)),
  /** What the caller said, in full (every call, letter and visit is recorded: 000 三.3). */
  transcript: z.optional(text(20000)),
});
export type IntakeInput = z.infer<typeof intakeSchema>;

const actorRef = z.object({ sub: z.string(), role: z.union([z.enum(roles), z.literal('none')]) });
export type ActorRef = { sub: string; role: Role | 'none' };

const visitSchema = z.object({
  n: z.number(),
  technicianId: z.string(),
  departedAt: z.optional(z.string()),
  arrivedAt: z.optional(z.string()),
  idShown: z.optional(z.boolean()),
  faultConfirmed: z.optional(z.boolean()),
  work: z.array(z.object({ description: z.string(), minutes: z.number(), at: z.string() })),
  minutes: z.number(),
  signOff: z.optional(z.object({ name: z.string(), at: z.string() })),
  endedAt: z.optional(z.string()),
});

const moneyLine = z.object({ description: z.string(), amount: z.number() });

/** The stored case item (without key attributes). */
export const caseItemSchema = z.object({
  entity: z.literal('Case'),
  schemaVersion: z.union([z.literal(1), z.literal(CASE_SCHEMA_VERSION)]),
  id: z.string(),
  number: z.string(),
  branchId: z.string(),
  channel: z.enum(channels),
  customer: z.object({
    id: z.string(),
    name: z.string(),
    address: z.string(),
    phone: z.string(),
    email: z.optional(z.string()),
    language: z.optional(z.string()),
  }),
  product: z.object({
    model: z.string(),
    serialNumber: z.string(),
    purchaseDate: z.string(),
    warrantyMonths: z.optional(z.number()),
  }),
  symptoms: z.string(),
  transcript: z.optional(z.string()),
  zone: z.enum(['urban', 'suburban']),
  emergency: z.boolean(),
  internal: z.boolean(),
  category: z.enum(serviceCategories),
  categorySource: z.enum(['decided', 'override']),
  categoryReason: z.optional(z.string()),
  feedbackSubject: z.optional(z.enum(feedbackSubjects)),
  department: z.optional(z.string()),
  status: z.enum(caseStatuses),
  heldFrom: z.optional(z.enum(caseStatuses)),
  technicianId: z.optional(z.string()),
  assignments: z.array(
    z.object({ technicianId: z.string(), by: z.string(), at: z.string(), note: z.optional(z.string()) }),
  ),
  diagnosis: z.optional(
    z.object({
      plan: z.enum(['remote', 'on_site', 'workshop']),
      findings: z.string(),
      by: z.string(),
      at: z.string(),
      promisedWorkingMinutes: z.optional(z.number()),
    }),
  ),
  remoteGuidance: z.optional(z.object({ guidance: z.string(), by: z.string(), at: z.string() })),
  visits: z.array(visitSchema),
  workshop: z.optional(
    z.object({
      receipt: z.object({ number: z.string(), issuedAt: z.string(), voidedAt: z.optional(z.string()) }),
      item: z.object({ description: z.string(), condition: z.string(), accessories: z.optional(z.string()) }),
      repairCard: z.array(
        z.object({
          description: z.string(),
          minutes: z.number(),
          partsNote: z.optional(z.string()),
          by: z.string(),
          at: z.string(),
        }),
      ),
      inspections: z.array(
        z.object({
          result: z.enum(['pass', 'fail']),
          note: z.optional(z.string()),
          by: z.string(),
          at: z.string(),
        }),
      ),
      returnedAt: z.optional(z.string()),
      returnSignature: z.optional(z.string()),
    }),
  ),
  quote: z.optional(
    z.object({
      lines: z.array(moneyLine),
      total: z.number(),
      currency: z.string(),
      shownAt: z.string(),
      by: z.string(),
    }),
  ),
  charges: z.array(
    z.object({
      lines: z.array(moneyLine),
      total: z.number(),
      currency: z.string(),
      collection: z.enum(['on_site', 'invoice']),
      invoiceNumber: z.optional(z.string()),
      at: z.string(),
      by: z.string(),
    }),
  ),
  cancellation: z.optional(z.object({ reason: z.string(), by: z.string(), at: z.string() })),
  completedAt: z.optional(z.string()),
  createdAt: z.string(),
  createdBy: actorRef,
  updatedAt: z.string(),
  version: z.number(),
});
export type Case = z.infer<typeof caseItemSchema>;

export interface OutboxEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

/** A timeline entry: one per change of a case, written in the same transaction as the change. */
export interface TimelineEntry {
  caseId: string;
  /** Domain events of this change, relayed to the bus from the table stream (transactional outbox). */
  outbox?: OutboxEvent[];
  seq: number;
  at: string;
  actor: ActorRef;
  action: string;
  from?: string;
  to?: string;
  details?: Record<string, unknown>;
}

/**
 * Key templates of the case entity. The case and its timeline share one partition, so the case
 * with its whole history is a single Query.
 */
export const caseKeys = {
  partition: (caseId: string) => `CASE#${caseId}`,
  item: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' }),
  timeline: (caseId: string, seq: number) => ({
    pk: `CASE#${caseId}`,
    sk: `TL#${String(seq).padStart(8, '0')}`,
  }),
  timelinePrefix: 'TL#',
  byCustomer: (customerId: string) => `CUST#${customerId}`,
  byStatus: (status: string) => `CASESTATUS#${status}`,
  byTechnician: (technicianId: string) => `TECH#${technicianId}`,
  byDay: (day: string) => `CASEDAY#${day}`,
  byDoneDay: (day: string) => `DONEDAY#${day}`,
  counter: (day: string) => ({ pk: `COUNTER#SR#${day}`, sk: 'COUNTER' }),
  idempotency: (sub: string, key: string) => ({ pk: `IDEM#${sub}#${key}`, sk: 'IDEM' }),
};
