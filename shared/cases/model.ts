/**
 * Service cases (SPEC §3–§4): the stored items (case, timeline entry, goods register entry, idempotency
 * record), their keys, and the intake input. Every stored schema carries `schemaVersion`;
 * `test/unit/schema-versions.test.ts` fails when one changes without a version bump.
 *
 * | item | pk | sk | index (access pattern) |
 * |---|---|---|---|
 * | case | `CASE#<id>` | `CASE` | gsi1 `CUST#<customer>` / `CASE#<createdAt>#<id>`, gsi2 `CASESTATUS#<status>`, gsi3 `TECH#<tech>` (open only), gsi4 `CASEDAY#<day>`, gsi5 `DONEDAY#<day>` |
 * | timeline entry | `CASE#<id>` | `TL#<version, 8 digits>` | — (read with the case: one partition) |
 * | register entry | `REGISTER#<yyyy-mm>` | `<at>#<caseId>#<in/out>` | |
 * | case number counter | `COUNTER#SR#<day>` | `COUNTER` | |
 * | idempotency record | `IDEM#<sub>#<key>` | `IDEM` | — (TTL `expiresAt`) |
 */
import * as z from 'zod/mini';
import { type Role, roles } from '../auth/actor.ts';
import { branchIdSchema } from '../branches/defaults.ts';
import { intakeKnowledgeSchema, linkKinds } from '../knowledge/model.ts';
import { firstVersionHeader, type ItemKind, outboxSchema } from '../store/item.ts';
import { Index, indexKeys, key } from '../store/table.ts';
import { isoDate, lazySchema, text } from '../validation.ts';
import { serviceCategories } from './category.ts';
import { feedbackSubjects } from './routing.ts';
import { caseStatuses } from './status.ts';

/**
 * v2: diagnosis.promisedWorkingMinutes. v3: the directory — `unitId`, `product.productLine`,
 * `technicianName` (and on assignments), `appointment`, `quote.acceptance`, names on actor references.
 * Every addition is optional, so v1 and v2 items read as v3 unchanged. v4: `knowledge` (the entries a
 * case names: suggested at intake, followed by the customer, resolved with) and `remoteGuidance.entry`;
 * optional, so older items read as v4 unchanged. v5: `timeZone` (the branch's zone at intake, which
 * places the case on its created and completed days); optional, older items use the deployment's zone.
 * v6: `categoryDecision` (the category decided from contracts and warranty at intake and diagnosis, with
 * its inputs), `diagnosis.components`, and the channel `scheduled` (a contract's maintenance visit);
 * optional or new values, so older items read as v6 unchanged.
 */
export const CASE_SCHEMA_VERSION = 6;
/** v1: first stored without `entity`/`schemaVersion`, which read as v1. v2: the actor's name (optional). */
export const TIMELINE_SCHEMA_VERSION = 2;
/** v1 of the kinds below: first stored without `entity`/`schemaVersion`, which read as v1. */
export const REGISTER_SCHEMA_VERSION = 1;
export const IDEMPOTENCY_SCHEMA_VERSION = 1;

export const channels = ['hotline', 'email', 'letter', 'walk_in', 'portal', 'app', 'scheduled'] as const;
export type Channel = (typeof channels)[number];
/** Channels a request arrives on; `scheduled` cases are opened by the system (a contract's maintenance visit). */
export const intakeChannels = channels.filter((c): c is Exclude<Channel, 'scheduled'> => c !== 'scheduled');
/** Channels a customer uses by themselves; the rest are registered by an agent (SPEC §3). */
export const selfServiceChannels: readonly Channel[] = ['portal', 'app'];

const phone = () =>
  z
    .string()
    .check(z.trim(), z.maxLength(32), z.regex(/^\+?[0-9][0-9 ()-]{5,24}$/, 'expected a phone number'));
const id = () =>
  z
    .string()
    .check(
      z.maxLength(128),
      z.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'expected an id of letters, digits and _.:@-'),
    );

/**
 * How much one case may hold. A case is one DynamoDB item (at most 400 KB), so every list on it is
 * capped; an action that would go beyond is refused (409), and the API documents the caps.
 */
export const CASE_LIMITS = {
  assignments: 50,
  visits: 50,
  workPerVisit: 100,
  repairCard: 100,
  inspections: 20,
  charges: 20,
  /** Versions of a case, so also entries of its timeline (besides the SLA escalation entries). */
  changes: 1000,
} as const;

/** A case id as it appears in paths: its number, `SR-YYYYMMDD-NNNN`. */
export const caseIdSchema = lazySchema(() =>
  z
    .string()
    .check(z.maxLength(32), z.regex(/^SR-\d{8}-\d{4,12}$/, 'expected a case number SR-YYYYMMDD-NNNN')),
);

const customerSchema = lazySchema(() =>
  z.strictObject({
    id: z.optional(id()),
    name: text(100),
    address: text(300),
    phone: phone(),
    email: z.optional(z.email().check(z.maxLength(254))),
    language: z.optional(z.enum(['zh-CN', 'en'])),
  }),
);

const productSchema = lazySchema(() =>
  z.strictObject({
    model: text(100),
    serialNumber: z
      .string()
      .check(
        z.trim(),
        z.maxLength(64),
        z.regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/, 'expected a serial number'),
      ),
    purchaseDate: isoDate(),
    warrantyMonths: z.optional(z.int().check(z.minimum(0), z.maximum(120))),
    /** Needed when the serial number is not in the installed base yet (the unit is registered with the case). */
    productLine: z.optional(
      z
        .string()
        .check(
          z.maxLength(48),
          z.regex(/^[a-z][a-z0-9-]{1,47}$/, 'expected a product line such as air-conditioner'),
        ),
    ),
  }),
);

/** Intake on any channel. Unknown fields are rejected so a typo cannot silently drop data. */
export const intakeSchema = lazySchema(() =>
  z.strictObject({
    channel: z.enum(intakeChannels),
    customer: customerSchema,
    product: productSchema,
    symptoms: text(4000),
    zone: z.enum(['urban', 'suburban']),
    emergency: z.boolean(),
    branchId: z.optional(branchIdSchema),
    internal: z.optional(z.boolean()),
    feedbackSubject: z.optional(z.enum(feedbackSubjects)),
    /** What the caller said, in full (every call, letter and visit is recorded: 000 三.3). */
    transcript: z.optional(text(20000)),
    /** The knowledge entries shown before the request was opened (self-service, or the agent's screen). */
    knowledge: z.optional(intakeKnowledgeSchema),
  }),
);
export type IntakeInput = z.infer<typeof intakeSchema>;

const actorRef = lazySchema(() =>
  z.object({
    sub: z.string(),
    role: z.union([z.enum(roles), z.literal('none')]),
    /** The person's name as the directory or their token had it then (the id stays the reference). */
    name: z.optional(z.string()),
  }),
);
export type ActorRef = { sub: string; role: Role | 'none'; name?: string };

const visitSchema = lazySchema(() =>
  z.object({
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
  }),
);

const moneyLine = lazySchema(() => z.object({ description: z.string(), amount: z.number() }));

/** The category decided from data, with its inputs (stored on the case, shown to staff). */
const categoryDecisionSchema = lazySchema(() =>
  z.object({
    category: z.enum(serviceCategories),
    basis: z.enum(['internal', 'contract', 'warranty', 'none']),
    reason: z.string(),
    /** `intake` or `diagnosis`. */
    stage: z.enum(['intake', 'diagnosis']),
    at: z.string(),
    /** The day the coverage was looked at (branch time). */
    on: z.string(),
    contractId: z.optional(z.string()),
    contractResponseHours: z.optional(z.number()),
    unitCoveredUntil: z.optional(z.string()),
    components: z.array(
      z.object({
        partNumber: z.string(),
        name: z.string(),
        partsUntil: z.optional(z.string()),
        labourUntil: z.optional(z.string()),
        covered: z.boolean(),
      }),
    ),
  }),
);
export type StoredCategoryDecision = z.output<typeof categoryDecisionSchema>;

/** The stored case item (without key attributes). */
export const caseItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('Case'),
    schemaVersion: z.union([
      z.literal(1),
      z.literal(2),
      z.literal(3),
      z.literal(4),
      z.literal(5),
      z.literal(CASE_SCHEMA_VERSION),
    ]),
    id: z.string(),
    number: z.string(),
    branchId: z.string(),
    /** The branch's IANA zone when the case was opened: its created and completed days are local to it. */
    timeZone: z.optional(z.string()),
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
      productLine: z.optional(z.string()),
    }),
    /** The product unit of the installed base (its normalized serial number); absent on pre-directory cases. */
    unitId: z.optional(z.string()),
    symptoms: z.string(),
    transcript: z.optional(z.string()),
    zone: z.enum(['urban', 'suburban']),
    emergency: z.boolean(),
    internal: z.boolean(),
    category: z.enum(serviceCategories),
    categorySource: z.enum(['decided', 'override']),
    categoryReason: z.optional(z.string()),
    /** How the category was decided from data (contracts, warranty), and from what; an override keeps it. */
    categoryDecision: z.optional(categoryDecisionSchema),
    feedbackSubject: z.optional(z.enum(feedbackSubjects)),
    department: z.optional(z.string()),
    status: z.enum(caseStatuses),
    heldFrom: z.optional(z.enum(caseStatuses)),
    technicianId: z.optional(z.string()),
    technicianName: z.optional(z.string()),
    assignments: z.array(
      z.object({
        technicianId: z.string(),
        technicianName: z.optional(z.string()),
        by: z.string(),
        byName: z.optional(z.string()),
        at: z.string(),
        note: z.optional(z.string()),
      }),
    ),
    /** The visit the customer was promised: the day (branch time) and an arrival window. */
    appointment: z.optional(
      z.object({ day: z.string(), from: z.optional(z.string()), to: z.optional(z.string()) }),
    ),
    diagnosis: z.optional(
      z.object({
        plan: z.enum(['remote', 'on_site', 'workshop']),
        findings: z.string(),
        by: z.string(),
        at: z.string(),
        promisedWorkingMinutes: z.optional(z.number()),
        /** Part numbers of the unit's components the fault was traced to. */
        components: z.optional(z.array(z.string())),
      }),
    ),
    remoteGuidance: z.optional(
      z.object({
        guidance: z.string(),
        by: z.string(),
        at: z.string(),
        /** The knowledge entry the problem was solved with. */
        entry: z.optional(z.object({ productLine: z.string(), code: z.string() })),
      }),
    ),
    /** Knowledge entries linked to the case, and how. */
    knowledge: z.optional(
      z.array(
        z.object({
          productLine: z.string(),
          code: z.string(),
          how: z.enum(linkKinds),
          at: z.string(),
          by: z.string(),
        }),
      ),
    ),
    visits: z.array(visitSchema),
    workshop: z.optional(
      z.object({
        receipt: z.object({ number: z.string(), issuedAt: z.string(), voidedAt: z.optional(z.string()) }),
        item: z.object({
          description: z.string(),
          condition: z.string(),
          accessories: z.optional(z.string()),
        }),
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
        /** The customer's acceptance, by themselves or recorded by an agent on their behalf. */
        acceptance: z.optional(
          z.object({
            at: z.string(),
            by: actorRef,
            onBehalfOfCustomer: z.boolean(),
            note: z.optional(z.string()),
          }),
        ),
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
  }),
);
export type Case = z.infer<typeof caseItemSchema>;

/** A timeline entry: one per change of a case, written in the same transaction as the change. */
export const timelineEntrySchema = lazySchema(() =>
  z.object({
    entity: z._default(z.literal('TimelineEntry'), 'TimelineEntry'),
    schemaVersion: z._default(z.union([z.literal(1), z.literal(TIMELINE_SCHEMA_VERSION)]), 1),
    caseId: z.string(),
    /** Domain events of this change, relayed to the bus from the table stream (transactional outbox). */
    outbox: outboxSchema,
    seq: z.number(),
    at: z.string(),
    actor: actorRef,
    action: z.string(),
    from: z.optional(z.string()),
    to: z.optional(z.string()),
    details: z.optional(z.record(z.string(), z.unknown())),
  }),
);
/** A timeline entry as the domain writes it; `entity` and `schemaVersion` are the store's business. */
export type TimelineEntry = Omit<z.output<typeof timelineEntrySchema>, 'entity' | 'schemaVersion'>;

/** A register entry of goods carried in or out of the workshop (000 五.10). */
export const registerEntrySchema = lazySchema(() =>
  z.object({
    ...firstVersionHeader('RegisterEntry'),
    direction: z.enum(['in', 'out']),
    caseId: z.string(),
    caseNumber: z.string(),
    receiptNumber: z.string(),
    item: z.string(),
    at: z.string(),
    by: z.string(),
    signature: z.optional(z.string()),
  }),
);
export type RegisterEntry = Omit<z.output<typeof registerEntrySchema>, 'entity' | 'schemaVersion'>;

/** What an intake with an `Idempotency-Key` created, so a retry answers with the same case. */
export const idempotencyRecordSchema = lazySchema(() =>
  z.object({
    ...firstVersionHeader('IdempotencyRecord'),
    caseId: z.string(),
    requestHash: z.string(),
    /** Epoch seconds: DynamoDB TTL removes the record a day after the request. */
    expiresAt: z.number(),
  }),
);
export type IdempotencyRecord = z.output<typeof idempotencyRecordSchema>;

/** Every stored kind of the case domain, for the schema version test. */
export const caseItemKinds: ItemKind[] = [
  { entity: 'Case', version: CASE_SCHEMA_VERSION, schema: caseItemSchema },
  { entity: 'TimelineEntry', version: TIMELINE_SCHEMA_VERSION, schema: timelineEntrySchema },
  { entity: 'RegisterEntry', version: REGISTER_SCHEMA_VERSION, schema: registerEntrySchema },
  { entity: 'IdempotencyRecord', version: IDEMPOTENCY_SCHEMA_VERSION, schema: idempotencyRecordSchema },
];

const padded = (seq: number) => String(seq).padStart(8, '0');
/** Named parts of the case keys. */
const CASE = 'CASE';
const TIMELINE = 'TL';
const partition = (caseId: string) => key(CASE, caseId);
const registerMonth = (month: string) => key('REGISTER', month);

/**
 * Key templates of the case entity. The case and its timeline share one partition, so the case
 * with its whole history is a single Query.
 */
export const caseKeys = {
  partition,
  item: (caseId: string) => ({ pk: partition(caseId), sk: CASE }),
  isItem: (sk: unknown) => sk === CASE,
  timeline: (caseId: string, seq: number) => ({ pk: partition(caseId), sk: key(TIMELINE, padded(seq)) }),
  /** Entries that follow case version `seq` without being a version themselves (e.g. SLA escalations). */
  timelineAfter: (caseId: string, seq: number, ...parts: string[]) => ({
    pk: partition(caseId),
    sk: key(TIMELINE, padded(seq), ...parts),
  }),
  isTimeline: (sk: unknown) => typeof sk === 'string' && sk.startsWith(key(TIMELINE, '')),
  /** gsi1: the customer's items, shared with their complaints; cases sort under `CASE#`. */
  byCustomer: (customerId: string) => key('CUST', customerId),
  byCustomerSort: (c: Pick<Case, 'createdAt' | 'id'>) => key(CASE, c.createdAt, c.id),
  byCustomerPrefix: key(CASE, ''),
  byStatus: (status: string) => key('CASESTATUS', status),
  byTechnician: (technicianId: string) => key('TECH', technicianId),
  byDay: (day: string) => key('CASEDAY', day),
  byDoneDay: (day: string) => key('DONEDAY', day),
  /** Index sort key of every case index but the customer's: creation order. */
  order: (c: Pick<Case, 'createdAt' | 'id'>) => key(c.createdAt, c.id),
  doneOrder: (c: Pick<Case, 'id'> & { completedAt: string }) => key(c.completedAt, c.id),
  register: (e: Pick<RegisterEntry, 'at' | 'caseId' | 'direction'>) => ({
    pk: registerMonth(e.at.slice(0, 7)),
    sk: key(e.at, e.caseId, e.direction),
  }),
  registerMonth,
  counter: (day: string) => ({ pk: key('COUNTER', 'SR', day), sk: 'COUNTER' }),
  idempotency: (sub: string, idempotencyKey: string) => ({
    pk: key('IDEM', sub, idempotencyKey),
    sk: 'IDEM',
  }),
};

/** Index attributes of a case: what makes it findable by customer, status, technician and days. */
export function caseIndexKeys(
  c: Case,
  localDay: (at: string) => string,
  open: boolean,
): Record<string, string> {
  return {
    ...indexKeys(Index.byOwner, caseKeys.byCustomer(c.customer.id), caseKeys.byCustomerSort(c)),
    ...indexKeys(Index.byStatus, caseKeys.byStatus(c.status), caseKeys.order(c)),
    ...indexKeys(Index.byDay, caseKeys.byDay(localDay(c.createdAt)), caseKeys.order(c)),
    // Sparse: only open cases are a technician's work.
    ...(c.technicianId && open
      ? indexKeys(Index.byAssignee, caseKeys.byTechnician(c.technicianId), caseKeys.order(c))
      : {}),
    ...(c.completedAt
      ? indexKeys(
          Index.byDoneDay,
          caseKeys.byDoneDay(localDay(c.completedAt)),
          caseKeys.doneOrder({ id: c.id, completedAt: c.completedAt }),
        )
      : {}),
  };
}

/** Stored items with their keys and kind headers, ready to write. */
export const caseItems = {
  timeline: (e: TimelineEntry) => ({
    ...caseKeys.timeline(e.caseId, e.seq),
    entity: 'TimelineEntry',
    schemaVersion: TIMELINE_SCHEMA_VERSION,
    ...e,
  }),
  register: (e: RegisterEntry) => ({
    ...caseKeys.register(e),
    entity: 'RegisterEntry',
    schemaVersion: REGISTER_SCHEMA_VERSION,
    ...e,
  }),
  idempotency: (
    sub: string,
    idempotencyKey: string,
    record: Omit<IdempotencyRecord, 'entity' | 'schemaVersion'>,
  ) => ({
    ...caseKeys.idempotency(sub, idempotencyKey),
    entity: 'IdempotencyRecord',
    schemaVersion: IDEMPOTENCY_SCHEMA_VERSION,
    ...record,
  }),
};
