/**
 * Complaints (SPEC §7–§8): the complaint record, the steps of its investigation, the timeline, step
 * escalations, the case library and the complaint settings. Every kind is stored in the one table
 * with its keys declared here.
 *
 * Numbers are `CP-YYYYMMDD-NNNN`: the day in the branch's time zone, NNNN from an atomic daily counter.
 *
 * Compatibility: Complaint v1 items (survey complaints before the workflow) read as v2 through
 * {@link upgradeComplaint}; they carry no workflow fields and are never written back as v1.
 */
import * as z from 'zod/mini';
import { caseKeys } from '../cases/model.ts';
import { formatCaseNumber } from '../cases/numbering.ts';
import { feedbackSubjects } from '../cases/routing.ts';
import type { ItemKind } from '../store/item.ts';
import { outboxSchema } from '../store/item.ts';
import { Index, indexKeys, key } from '../store/table.ts';
import { ratingsSchema } from '../surveys/score.ts';
import { type Contact, contactSchema, lazySchema } from '../validation.ts';

/** v2: every channel, classification, severity, workflow state (round, individual case), links. */
export const COMPLAINT_SCHEMA_VERSION = 2;
export const TASK_SCHEMA_VERSION = 1;
export const STEP_SCHEMA_VERSION = 1;
export const TIMELINE_SCHEMA_VERSION = 1;
export const STEP_ESCALATION_SCHEMA_VERSION = 1;
export const LIBRARY_SCHEMA_VERSION = 1;
export const SETTINGS_SCHEMA_VERSION = 1;

export const complaintPattern = /^CP-\d{8}-\d{4,}$/;

export const complaintChannels = [
  'hotline',
  'letter',
  'email',
  'walk_in',
  'portal',
  'survey_link',
  'survey_email',
  'survey_phone',
] as const;
export type ComplaintChannel = (typeof complaintChannels)[number];
export const severities = ['ordinary', 'serious', 'major'] as const;
export type Severity = (typeof severities)[number];
export const causes = ['quality', 'non_quality'] as const;
export type Cause = (typeof causes)[number];

/**
 * Internal status: registered (acknowledgement pending) → investigating → awaiting_customer (told,
 * answer pending) → closed. What the customer sees is {@link customerStatusOf}.
 */
export const complaintStatuses = ['open', 'investigating', 'awaiting_customer', 'closed'] as const;
export type ComplaintStatus = (typeof complaintStatuses)[number];

const customerSchema = lazySchema(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    phone: z.optional(z.string()),
    email: z.optional(z.string()),
    address: z.optional(z.string()),
  }),
);

/** What the complaint names (002): all optional. */
export const complaintRefsSchema = lazySchema(() =>
  z.object({
    caseId: z.optional(z.string()),
    caseNumber: z.optional(z.string()),
    unitSerial: z.optional(z.string()),
    productLine: z.optional(z.string()),
    orderNumber: z.optional(z.string()),
    partNumber: z.optional(z.string()),
    quantity: z.optional(z.number()),
    shipDate: z.optional(z.string()),
  }),
);
export type ComplaintRefs = z.infer<typeof complaintRefsSchema>;

/** The stored complaint item (without key attributes). */
export const complaintItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('Complaint'),
    schemaVersion: z.literal(COMPLAINT_SCHEMA_VERSION),
    /** Equal to `number`: readable and unique. */
    id: z.string(),
    number: z.string(),
    status: z.enum(complaintStatuses),
    source: z.enum(['survey', 'direct']),
    channel: z.enum(complaintChannels),
    branchId: z.string(),
    customer: customerSchema,
    /** The customer's own words, plain text (escape when rendering). */
    text: z.string(),
    subject: z.enum(feedbackSubjects),
    /** Routed by subject (SPEC §3). */
    department: z.string(),
    severity: z.enum(severities),
    /** Quality or non-quality (human) cause: set at registration or by the analysis. */
    cause: z.optional(z.enum(causes)),
    /** Major → special case: top priority, vice president told at once, written answer required. */
    special: z.boolean(),
    /** 0 = top. */
    priority: z.number(),
    writtenAnswerRequired: z.boolean(),
    refs: complaintRefsSchema,
    /** Earlier complaints of the same customer about the same unit or case. */
    relatedComplaintIds: z.array(z.string()),
    /** Round of handling (1 = first). */
    round: z.number(),
    /** Still unresolved after the configured rounds: an individual case for leadership (000 三.9). */
    individualCase: z.boolean(),
    /** When the whole complaint is due (measures: handled on time). */
    dueAt: z.optional(z.string()),
    acknowledgedAt: z.optional(z.string()),
    closedAt: z.optional(z.string()),
    publishedAt: z.optional(z.string()),
    // From a survey answer
    reasons: z.optional(z.array(z.enum(['flagged_by_customer', 'lowest_level']))),
    cardId: z.optional(z.string()),
    technicianId: z.optional(z.string()),
    ratings: z.optional(ratingsSchema),
    visitTaskId: z.optional(z.string()),
    createdAt: z.string(),
    createdBy: z.object({ sub: z.string(), role: z.string() }),
    version: z.number(),
  }),
);
export type Complaint = z.infer<typeof complaintItemSchema>;

/** A v1 complaint as it was stored (survey only), read as v2. */
export function upgradeComplaint(raw: Record<string, unknown>): Record<string, unknown> {
  if (raw.schemaVersion !== 1) return raw;
  const { caseId, caseNumber, ...rest } = raw as Record<string, unknown> & {
    caseId?: string;
    caseNumber?: string;
  };
  return {
    ...rest,
    schemaVersion: COMPLAINT_SCHEMA_VERSION,
    source: 'survey',
    subject: 'staff_attitude',
    department: 'service_marketing',
    severity: 'ordinary',
    special: false,
    priority: 2,
    writtenAnswerRequired: false,
    refs: { ...(caseId ? { caseId } : {}), ...(caseNumber ? { caseNumber } : {}) },
    relatedComplaintIds: [],
    round: 1,
    individualCase: false,
    createdBy: { sub: 'survey', role: 'customer' },
  };
}

/** What the customer sees of the status. */
export function customerStatusOf(
  c: Pick<Complaint, 'status'>,
): 'received' | 'in_progress' | 'answered' | 'closed' {
  return (
    {
      open: 'received',
      investigating: 'in_progress',
      awaiting_customer: 'answered',
      closed: 'closed',
    } as const
  )[c.status];
}

/** A task for a person or role; for now only the supervisor's visit to a complaining customer. */
export const taskItemSchema = lazySchema(() =>
  z.object({
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
  }),
);
export type Task = z.infer<typeof taskItemSchema>;

/** The human steps of the investigation, as the state machine names them. */
export const stepKinds = [
  'supervisor_report',
  'sales_verification',
  'quality_investigation',
  'production_investigation',
  'analysis',
  'actions',
  'decision',
  'customer_answer',
] as const;
export type StepKind = (typeof stepKinds)[number];

/** Short codes: step ids and their schedule names stay under Scheduler's 64 characters. */
export const stepCodes: Record<StepKind, string> = {
  supervisor_report: 'sr',
  sales_verification: 'sv',
  quality_investigation: 'qi',
  production_investigation: 'pi',
  analysis: 'an',
  actions: 'ac',
  decision: 'dc',
  customer_answer: 'ca',
};

export const stepStatuses = ['waiting', 'done'] as const;

/** One human step of one round: owner, due time on the branch calendar, status, and its task token. */
export const stepItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('ComplaintStep'),
    schemaVersion: z.literal(STEP_SCHEMA_VERSION),
    /** `<complaint>.<round>.<code>[<level>]`, e.g. `CP-20261123-0001.1.sr`, `CP-20261123-0001.2.dc2`. */
    id: z.string(),
    complaintId: z.string(),
    branchId: z.string(),
    kind: z.enum(stepKinds),
    round: z.number(),
    /** Approval level of a decision (1 supervisor, 2 manager, 3+ leadership); 1 otherwise. */
    level: z.number(),
    /** The role that owns the step (managers may always act). */
    ownerRole: z.enum(['agent', 'dispatcher', 'manager']),
    status: z.enum(stepStatuses),
    openedAt: z.string(),
    dueAt: z.string(),
    /** Working minutes allowed (branch calendar). */
    workingMinutes: z.number(),
    /** The waiting execution's task token (replaced when the execution re-enters the step). */
    taskToken: z.optional(z.string()),
    /** Pending escalation schedules. */
    timers: z.array(z.string()),
    /** Filled in when done. */
    form: z.optional(z.record(z.string(), z.unknown())),
    /** What the step resolved to (sent as the task's output). */
    output: z.optional(z.record(z.string(), z.unknown())),
    completedAt: z.optional(z.string()),
    completedBy: z.optional(z.object({ sub: z.string(), role: z.string(), name: z.optional(z.string()) })),
    onTime: z.optional(z.boolean()),
    version: z.number(),
  }),
);
export type ComplaintStep = z.infer<typeof stepItemSchema>;

/** One entry of a complaint's timeline: who did what, when; carries the change's events (outbox). */
export const timelineItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('ComplaintTimelineEntry'),
    schemaVersion: z.literal(TIMELINE_SCHEMA_VERSION),
    complaintId: z.string(),
    seq: z.number(),
    at: z.string(),
    actor: z.object({ sub: z.string(), role: z.string(), name: z.optional(z.string()) }),
    action: z.string(),
    details: z.record(z.string(), z.unknown()),
    /** Shown to the customer on their view. */
    customerVisible: z.boolean(),
    outbox: outboxSchema,
  }),
);
export type ComplaintTimelineEntry = z.infer<typeof timelineItemSchema>;

/** One rung of the escalation ladder taken for an overdue step: written once, so a redelivery does nothing. */
export const stepEscalationItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('ComplaintStepEscalation'),
    schemaVersion: z.literal(STEP_ESCALATION_SCHEMA_VERSION),
    complaintId: z.string(),
    stepId: z.string(),
    rung: z.string(),
    notify: z.string(),
    recipients: z.array(z.string()),
    at: z.string(),
    notifiedAt: z.optional(z.string()),
  }),
);
export type StepEscalation = z.infer<typeof stepEscalationItemSchema>;

/** A typical complaint in the case library (SPEC §8.7). */
export const libraryItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('ComplaintLibraryEntry'),
    schemaVersion: z.literal(LIBRARY_SCHEMA_VERSION),
    complaintId: z.string(),
    productLine: z.string(),
    cause: z.enum(causes),
    problemType: z.string(),
    causeDetail: z.string(),
    handling: z.string(),
    lessons: z.string(),
    department: z.string(),
    rounds: z.number(),
    publishedAt: z.string(),
    publishedBy: z.string(),
  }),
);
export type LibraryEntry = z.infer<typeof libraryItemSchema>;

export type { Contact };

/** Complaint settings of the deployment: every field defaults, so `{}` is the SPEC numbers. */
export const complaintSettingsSchema = lazySchema(() =>
  z.strictObject({
    /** Rounds of handling before a still-unsatisfied complaint becomes an individual case (000 三.9). */
    maxRounds: z._default(z.int().check(z.gte(1), z.lte(10)), 2),
    /** The largest amount each approval level may decide (1 supervisor, 2 manager); level 3 is unlimited. */
    approvalLimits: z._default(
      z.strictObject({
        dispatcher: z.number().check(z.gte(0), z.lte(1e9)),
        manager: z.number().check(z.gte(0), z.lte(1e9)),
      }),
      () => ({ dispatcher: 5000, manager: 50000 }),
    ),
    /** Told at once of major complaints, and of decisions at the top level. */
    vicePresident: z._default(z.array(contactSchema).check(z.maxLength(10)), () => []),
    /** Told when a complaint becomes an individual case. */
    leadership: z._default(z.array(contactSchema).check(z.maxLength(10)), () => []),
  }),
);
export type ComplaintSettings = z.infer<typeof complaintSettingsSchema>;
/** The settings of a deployment no manager has configured yet: every default. */
export const defaultComplaintSettings = (): ComplaintSettings => complaintSettingsSchema.parse({});

export const settingsItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('ComplaintSettings'),
    schemaVersion: z.literal(SETTINGS_SCHEMA_VERSION),
    value: z.object({
      maxRounds: z.number(),
      approvalLimits: z.object({ dispatcher: z.number(), manager: z.number() }),
      vicePresident: z.array(contactSchema),
      leadership: z.array(contactSchema),
    }),
    updatedAt: z.string(),
    updatedBy: z.string(),
  }),
);

/** Every stored kind of the complaint domain, for the schema version test. */
export const complaintItemKinds: ItemKind[] = [
  { entity: 'Complaint', version: COMPLAINT_SCHEMA_VERSION, schema: complaintItemSchema },
  { entity: 'Task', version: TASK_SCHEMA_VERSION, schema: taskItemSchema },
  { entity: 'ComplaintStep', version: STEP_SCHEMA_VERSION, schema: stepItemSchema },
  { entity: 'ComplaintTimelineEntry', version: TIMELINE_SCHEMA_VERSION, schema: timelineItemSchema },
  {
    entity: 'ComplaintStepEscalation',
    version: STEP_ESCALATION_SCHEMA_VERSION,
    schema: stepEscalationItemSchema,
  },
  { entity: 'ComplaintLibraryEntry', version: LIBRARY_SCHEMA_VERSION, schema: libraryItemSchema },
  { entity: 'ComplaintSettings', version: SETTINGS_SCHEMA_VERSION, schema: settingsItemSchema },
];

/** Key templates of the complaint domain. */
export const complaintKeys = {
  item: (id: string) => ({ pk: key('COMPLAINT', id), sk: 'COMPLAINT' }),
  /** gsi2: complaints by status, oldest first. */
  byStatus: (status: string) => key('COMPLAINTSTATUS', status),
  /** gsi1: the customer's partition, shared with their cases (which sort under `CASE#`). */
  byCustomerSort: (c: Pick<Complaint, 'createdAt' | 'id'>) => key('COMPLAINT', c.createdAt, c.id),
  customerPrefix: 'COMPLAINT#',
  counter: (day: string) => ({ pk: key('COUNTER', 'CP', day), sk: 'COUNTER' }),
  task: (id: string) => ({ pk: key('TASK', id), sk: 'TASK' }),
  /** gsi2: tasks of a kind by status, oldest first. */
  tasksByStatus: (kind: string, status: string) => key('TASKSTATUS', kind, status),
  /** Steps live in the complaint's partition: one Query reads them all. */
  step: (complaintId: string, stepId: string) => ({
    pk: key('COMPLAINT', complaintId),
    sk: key('STEP', stepId),
  }),
  stepPrefix: 'STEP#',
  /** gsi3: waiting steps by owner role, soonest due first. */
  stepsByOwner: (role: string) => key('COMPLAINTSTEPS', role),
  timeline: (complaintId: string, seq: number) => ({
    pk: key('COMPLAINT', complaintId),
    sk: key('TL', String(seq).padStart(6, '0')),
  }),
  timelinePrefix: 'TL#',
  escalation: (complaintId: string, stepId: string, rung: string) => ({
    pk: key('COMPLAINT', complaintId),
    sk: key('ESC', stepId, rung),
  }),
  library: (complaintId: string) => ({ pk: key('COMPLAINTLIB', complaintId), sk: 'ENTRY' }),
  /** gsi1: library by product line, then cause. */
  libraryByProductLine: (productLine: string) => key('COMPLAINTLIB', 'LINE', productLine),
  /** gsi2: library by cause. */
  libraryByCause: (cause: string) => key('COMPLAINTLIB', 'CAUSE', cause),
  settings: () => ({ pk: 'COMPLAINTSETTINGS', sk: 'SETTINGS' }),
  /** Creation order within a status. */
  order: (x: { createdAt: string; id: string }) => key(x.createdAt, x.id),
};

/** `CP-20261122-0001`. */
export function formatComplaintNumber(day: string, sequence: number): string {
  return formatCaseNumber('CP', day, sequence);
}

/** The step id of a round's step (decisions carry their level). */
export function stepIdOf(complaintId: string, round: number, kind: StepKind, level = 1): string {
  return `${complaintId}.${round}.${stepCodes[kind]}${kind === 'decision' ? level : ''}`;
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

/** The step item with its keys; a waiting step is listed under its owner role. */
export function stepItem(s: ComplaintStep): Record<string, unknown> {
  return {
    ...complaintKeys.step(s.complaintId, s.id),
    ...(s.status === 'waiting'
      ? indexKeys(Index.byAssignee, complaintKeys.stepsByOwner(s.ownerRole), key(s.dueAt, s.id))
      : {}),
    ...s,
  };
}

export function timelineItem(e: ComplaintTimelineEntry): Record<string, unknown> {
  return { ...complaintKeys.timeline(e.complaintId, e.seq), ...e };
}

export function libraryItem(e: LibraryEntry): Record<string, unknown> {
  return {
    ...complaintKeys.library(e.complaintId),
    ...indexKeys(
      Index.byOwner,
      complaintKeys.libraryByProductLine(e.productLine),
      key(e.cause, e.publishedAt, e.complaintId),
    ),
    ...indexKeys(Index.byStatus, complaintKeys.libraryByCause(e.cause), key(e.publishedAt, e.complaintId)),
    ...e,
  };
}
