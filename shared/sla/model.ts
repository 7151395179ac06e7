/**
 * Stored SLA items, their schemas and their keys. Milestones, escalation records and the dispatch-queue
 * entry live in the case partition (one Query reads a case with its whole SLA state); branch calendars
 * and policies in the branch partition. Measures are the measures domain's day aggregates, fed by the
 * `SLA Milestone Met` event that the milestone's met record carries.
 *
 * | item | pk | sk | index |
 * |---|---|---|---|
 * | milestone | `CASE#<id>` | `SLA#M#<kind>` | |
 * | escalation record | `CASE#<id>` | `SLA#E#<kind>#<step>` | |
 * | timeline entry of an escalation | `CASE#<id>` | `TL#<case version>#SLA#<step due at>#<kind>#<step>` | |
 * | dispatch-queue entry (while `received`) | `CASE#<id>` | `SLA#QUEUE` | gsi2 `DISPATCHQ#<branch>` / `<0 priority, 1 not>#<arrival due>#<id>` |
 * | branch calendar / policy | `BRANCH#<id>` | `CALENDAR` / `SLA_POLICY` | |
 * | their history | `BRANCH#<id>` | `CALENDAR#<at>#<n>` / `SLA_POLICY#<at>#<n>` | |
 * | met record (once per milestone met) | `CASE#<id>` | `SLA#MET#<kind>#<metAt>` | gsi4 `SLAMETDAY#<local day>` / `<metAt>#<id>#<kind>` (the nightly recompute of a day's measures) |
 *
 * The escalation's timeline sort key starts with the case version it follows, then the instant the step
 * was due, so `GET /cases/{id}/timeline` (which reads every `TL#` item of the partition in key order)
 * shows escalations in place and in order, without touching the version-numbered entries of commands.
 * Every kind carries `schemaVersion`; `test/unit/schema-versions.test.ts` guards the schemas.
 */
import * as z from 'zod/mini';
import { caseKeys } from '../cases/model.ts';
import { type ItemKind, outboxSchema } from '../store/item.ts';
import { Index, indexKeys, key } from '../store/table.ts';
import { lazySchema } from '../validation.ts';
import { WorkingCalendarSchema } from './calendar.ts';
import {
  escalationLevels,
  escalationRoles,
  type MilestoneKind,
  milestoneKinds,
  SlaPolicySchema,
} from './policy.ts';

export const SLA_MILESTONE_SCHEMA_VERSION = 1;
export const SLA_ESCALATION_SCHEMA_VERSION = 1;
/** v2: what the dispatch board shows of the request (customer, symptoms, product, due times), optional for v1. */
export const DISPATCH_QUEUE_SCHEMA_VERSION = 2;
export const TECHNICIAN_JOB_SCHEMA_VERSION = 1;
export const TECHNICIAN_LOAD_SCHEMA_VERSION = 1;
/** v2: lists and strings bounded (holidays, make-up days ≤ 366, zone ≤ 64 characters); v1 items read as v2. */
export const BRANCH_CALENDAR_SCHEMA_VERSION = 2;
/**
 * v2: step ids and contact addresses bounded in length; v3: escalation contacts may also name staff
 * (`{ staffId }`); v1 and v2 items read as v3.
 */
export const SLA_POLICY_SCHEMA_VERSION = 3;
/** The monthly `SlaMeasure` items (v1) are retired: `/sla/measures` reads the measures' day aggregates. */
export const SLA_MET_SCHEMA_VERSION = 1;

const header = <E extends string, V extends number>(entity: E, version: V) => ({
  entity: z.literal(entity),
  schemaVersion: z.literal(version),
});

/** A milestone as computed (see `milestones.ts`) and stored with what the SLA service keeps with it. */
export const milestoneItemSchema = lazySchema(() =>
  z.object({
    ...header('SlaMilestone', SLA_MILESTONE_SCHEMA_VERSION),
    kind: z.enum(milestoneKinds),
    clock: z.enum(['working', 'calendar']),
    budgetMinutes: z.number(),
    startedAt: z.string(),
    dueAt: z.optional(z.string()),
    status: z.enum(['running', 'paused', 'met', 'cancelled']),
    metAt: z.optional(z.string()),
    cancelledAt: z.optional(z.string()),
    breached: z.boolean(),
    pausedMinutes: z.number(),
    activeMinutes: z.number(),
    steps: z.array(
      z.object({
        id: z.string(),
        percent: z.number(),
        notify: z.enum(escalationRoles),
        level: z.enum(escalationLevels),
        fireAt: z.optional(z.string()),
      }),
    ),
    caseId: z.string(),
    branchId: z.string(),
    /** The case version this state was computed from; older computations never overwrite it. */
    caseVersion: z.number(),
    /** Names of the schedules pending for it. */
    timers: z.array(z.string()),
  }),
);
export type StoredMilestone = Omit<z.output<typeof milestoneItemSchema>, 'entity' | 'schemaVersion'>;

/** One escalation step taken, kept so that a redelivered timer never escalates twice. */
export const escalationItemSchema = lazySchema(() =>
  z.object({
    ...header('SlaEscalation', SLA_ESCALATION_SCHEMA_VERSION),
    caseId: z.string(),
    milestone: z.enum(milestoneKinds),
    step: z.string(),
    level: z.string(),
    notify: z.string(),
    recipients: z.array(z.string()),
    dueAt: z.string(),
    fireAt: z.string(),
    at: z.string(),
    /** Set once the event is published and the e-mails are sent. */
    notifiedAt: z.optional(z.string()),
  }),
);
export type EscalationRecord = Omit<z.output<typeof escalationItemSchema>, 'entity' | 'schemaVersion'>;

/**
 * What the working-day lists show of a case, copied onto their index items when the SLA clock writes
 * them (one Query per list, no reads of the cases behind): who and where, what is wrong with which
 * product, and every milestone's due time.
 */
const jobCardFields = {
  customer: lazySchema(() =>
    z.optional(z.object({ id: z.string(), name: z.string(), address: z.string(), phone: z.string() })),
  ),
  symptoms: lazySchema(() => z.optional(z.string())),
  product: lazySchema(() =>
    z.optional(
      z.object({ model: z.string(), serialNumber: z.string(), productLine: z.optional(z.string()) }),
    ),
  ),
  /** Due time of each milestone still running (`first_response`, `arrival`, …). */
  due: lazySchema(() => z.optional(z.record(z.string(), z.string()))),
};

/** A case waiting for dispatch, as the dispatcher's queue lists it. */
const queueEntryFields = {
  ...jobCardFields,
  caseId: z.string(),
  number: z.string(),
  branchId: z.string(),
  zone: z.string(),
  emergency: z.boolean(),
  createdAt: z.string(),
  arrivalDueAt: lazySchema(() => z.optional(z.string())),
  /** Not dispatched on the day it came in: dispatched first the next morning (000 (十八)). */
  priority: z.boolean(),
  priorityAt: lazySchema(() => z.optional(z.string())),
};
export type QueueEntry = z.output<z.ZodMiniObject<typeof queueEntryFields>>;

export const queueItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('DispatchQueueEntry'),
    schemaVersion: z.union([z.literal(1), z.literal(DISPATCH_QUEUE_SCHEMA_VERSION)]),
    ...queueEntryFields,
    /** The case version this entry was computed from. */
    caseVersion: z.number(),
    /** False: a tombstone, out of the queue index. */
    queued: z.boolean(),
  }),
);
export type StoredQueueEntry = Omit<z.output<typeof queueItemSchema>, 'entity' | 'schemaVersion'>;

/** A case on someone's working-day or open-load list. */
const jobFields = {
  ...jobCardFields,
  caseId: z.string(),
  number: z.string(),
  branchId: z.string(),
  status: z.string(),
  zone: z.string(),
  emergency: z.boolean(),
  createdAt: z.string(),
  technicianId: z.string(),
  technicianName: lazySchema(() => z.optional(z.string())),
  appointment: lazySchema(() =>
    z.optional(z.object({ day: z.string(), from: z.optional(z.string()), to: z.optional(z.string()) })),
  ),
  completedAt: lazySchema(() => z.optional(z.string())),
};
export type JobCard = z.output<z.ZodMiniObject<typeof jobFields>>;

/** One technician's job on one day (the visit planned for it, or work done on it), completed ones kept. */
export const jobItemSchema = lazySchema(() =>
  z.object({
    ...header('TechnicianJob', TECHNICIAN_JOB_SCHEMA_VERSION),
    ...jobFields,
    day: z.string(),
    /** Local time the job sorts by on its day: the arrival window, else the first work done that day. */
    order: z.string(),
    /** Still the technician's case (false once reassigned: the work done that day stays listed). */
    current: z.boolean(),
    caseVersion: z.number(),
    /** False: a tombstone, out of the day's index (the visit was moved or reassigned before it happened). */
    listed: z.boolean(),
  }),
);
export type StoredJob = Omit<z.output<typeof jobItemSchema>, 'entity' | 'schemaVersion'>;

/** An assigned, open case on its technician's open load (the dispatch board). */
export const loadItemSchema = lazySchema(() =>
  z.object({
    ...header('TechnicianLoad', TECHNICIAN_LOAD_SCHEMA_VERSION),
    ...jobFields,
    caseVersion: z.number(),
    /** False: the case is no longer open and assigned (a tombstone, out of the index). */
    listed: z.boolean(),
  }),
);
export type StoredLoad = Omit<z.output<typeof loadItemSchema>, 'entity' | 'schemaVersion'>;

/** A branch setting and its history entries (same shape; history entries may carry events). */
/** Settings written before their v2 bounds read as v2: every stored v1 value is within them. */
const settingItem = <E extends string, V extends number, S extends z.ZodMiniType>(
  entity: E,
  version: V,
  value: S,
  /** Older versions that still read as this one. */
  older: readonly number[] = [],
) =>
  z.object({
    entity: z.literal(entity),
    schemaVersion: (older.length
      ? z.union([...older.map((v) => z.literal(v)), z.literal(version)])
      : z.literal(version)) as z.ZodMiniType<V>,
    branchId: z.string(),
    value,
    updatedAt: z.string(),
    updatedBy: z.string(),
    outbox: outboxSchema,
  });

export const calendarItemSchema = lazySchema(() =>
  settingItem('BranchCalendar', BRANCH_CALENDAR_SCHEMA_VERSION, WorkingCalendarSchema, [1]),
);
export const policyItemSchema = lazySchema(() =>
  settingItem('SlaPolicy', SLA_POLICY_SCHEMA_VERSION, SlaPolicySchema, [1, 2]),
);

/**
 * A milestone met, recorded once when the SLA clock first stores it met: it carries `SLA Milestone Met`
 * (outbox), and the nightly recompute rebuilds a day's milestone measures from the day's records.
 */
export const metItemSchema = lazySchema(() =>
  z.object({
    ...header('SlaMilestoneMet', SLA_MET_SCHEMA_VERSION),
    caseId: z.string(),
    branchId: z.string(),
    milestone: z.enum(milestoneKinds),
    metAt: z.string(),
    day: z.string(),
    onTime: z.boolean(),
    activeMinutes: z.number(),
    outbox: outboxSchema,
  }),
);
export type MetRecord = Omit<z.output<typeof metItemSchema>, 'entity' | 'schemaVersion' | 'outbox'>;

/** Milestone measures of a branch and month (SPEC §10), as reported. */
export interface MilestoneMeasure {
  milestone: MilestoneKind;
  met: number;
  onTime: number;
  /** Share met on time, 0–1; null when nothing was met yet. */
  onTimeRate: number | null;
  /** Average minutes of the milestone's clock from start to met, pauses excluded. */
  averageMinutes: number | null;
}

/** Every stored kind of the SLA domain, for the schema version test. */
export const slaItemKinds: ItemKind[] = [
  { entity: 'SlaMilestone', version: SLA_MILESTONE_SCHEMA_VERSION, schema: milestoneItemSchema },
  { entity: 'SlaEscalation', version: SLA_ESCALATION_SCHEMA_VERSION, schema: escalationItemSchema },
  { entity: 'DispatchQueueEntry', version: DISPATCH_QUEUE_SCHEMA_VERSION, schema: queueItemSchema },
  { entity: 'TechnicianJob', version: TECHNICIAN_JOB_SCHEMA_VERSION, schema: jobItemSchema },
  { entity: 'TechnicianLoad', version: TECHNICIAN_LOAD_SCHEMA_VERSION, schema: loadItemSchema },
  { entity: 'BranchCalendar', version: BRANCH_CALENDAR_SCHEMA_VERSION, schema: calendarItemSchema },
  { entity: 'SlaPolicy', version: SLA_POLICY_SCHEMA_VERSION, schema: policyItemSchema },
  { entity: 'SlaMilestoneMet', version: SLA_MET_SCHEMA_VERSION, schema: metItemSchema },
];

const branch = (branchId: string) => key('BRANCH', branchId);
/** Named parts of the SLA keys in the case partition. */
const SLA = 'SLA';
const MILESTONE = 'M';
const ESCALATION = 'E';

export const slaKeys = {
  milestone: (caseId: string, kind: MilestoneKind) => ({
    pk: caseKeys.partition(caseId),
    sk: key(SLA, MILESTONE, kind),
  }),
  isMilestone: (sk: unknown) => typeof sk === 'string' && sk.startsWith(key(SLA, MILESTONE, '')),
  escalation: (caseId: string, kind: MilestoneKind, step: string) => ({
    pk: caseKeys.partition(caseId),
    sk: key(SLA, ESCALATION, kind, step),
  }),
  isEscalation: (sk: unknown) => typeof sk === 'string' && sk.startsWith(key(SLA, ESCALATION, '')),
  /** The escalation's timeline entry: after the case version it follows, ordered by when the step was due. */
  escalationTimeline: (
    caseId: string,
    caseVersion: number,
    fireAt: string,
    kind: MilestoneKind,
    step: string,
  ) => caseKeys.timelineAfter(caseId, caseVersion, SLA, fireAt, kind, step),
  isEscalationTimeline: (sk: unknown) => caseKeys.isTimeline(sk) && String(sk).includes(key('', SLA, '')),
  queue: (caseId: string) => ({ pk: caseKeys.partition(caseId), sk: key(SLA, 'QUEUE') }),
  /** gsi2: the branch's queue, priority first, then by arrival due time. */
  queueIndex: (entry: Pick<QueueEntry, 'branchId' | 'priority' | 'arrivalDueAt' | 'caseId'>) =>
    indexKeys(
      Index.byStatus,
      slaKeys.queueOf(entry.branchId),
      key(entry.priority ? '0' : '1', entry.arrivalDueAt ?? '9999', entry.caseId),
    ),
  queueOf: (branchId: string) => key('DISPATCHQ', branchId),
  /** A technician's job of a day, in the case partition; gsi3 lists the day's jobs in order. */
  job: (caseId: string, technicianId: string, day: string) => ({
    pk: caseKeys.partition(caseId),
    sk: key(SLA, 'JOB', technicianId, day),
  }),
  isJob: (sk: unknown) => typeof sk === 'string' && sk.startsWith(key(SLA, 'JOB', '')),
  jobsOf: (technicianId: string, day: string) => key('TECHDAY', technicianId, day),
  jobIndex: (j: Pick<StoredJob, 'technicianId' | 'day' | 'order' | 'caseId'>) =>
    indexKeys(Index.byAssignee, slaKeys.jobsOf(j.technicianId, j.day), key(j.order, j.caseId)),
  /** The case's place on its technician's open load; gsi3 lists a branch's load by technician, soonest due first. */
  load: (caseId: string) => ({ pk: caseKeys.partition(caseId), sk: key(SLA, 'LOAD') }),
  loadOf: (branchId: string) => key('TECHLOAD', branchId),
  loadIndex: (l: Pick<StoredLoad, 'branchId' | 'technicianId' | 'caseId' | 'due'>) =>
    indexKeys(
      Index.byAssignee,
      slaKeys.loadOf(l.branchId),
      key(l.technicianId, Object.values(l.due ?? {}).sort()[0] ?? '9999', l.caseId),
    ),
  calendar: (branchId: string) => ({ pk: branch(branchId), sk: 'CALENDAR' }),
  policy: (branchId: string) => ({ pk: branch(branchId), sk: 'SLA_POLICY' }),
  /** A history entry of a setting: its key plus when and a discriminator. */
  history: (setting: { pk: string; sk: string }, at: string, n: string) => ({
    pk: setting.pk,
    sk: key(setting.sk, at, n),
  }),
  /** The record of a milestone met, in the case partition; gsi4 lists the records of a local day. */
  met: (m: Pick<MetRecord, 'caseId' | 'milestone' | 'metAt'>) => ({
    pk: caseKeys.partition(m.caseId),
    sk: key(SLA, 'MET', m.milestone, m.metAt),
  }),
  metIndex: (m: Pick<MetRecord, 'caseId' | 'milestone' | 'metAt' | 'day'>) =>
    indexKeys(Index.byDay, slaKeys.metOn(m.day), key(m.metAt, m.caseId, m.milestone)),
  metOn: (day: string) => key('SLAMETDAY', day),
};
