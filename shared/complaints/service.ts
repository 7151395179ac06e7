/**
 * Complaint operations (SPEC §7–§8): registration on every channel (and from survey answers), the
 * reads of staff and customers, the case library and the settings. The investigation itself — the
 * workflow's tasks, the human steps and their deadlines — is in `investigation.ts`.
 */

import { domainEvent } from '../../events/registry.ts';
import { type Actor, hasRole, staffRoles } from '../auth/actor.ts';
import { DEFAULT_BRANCH_ID } from '../branches/defaults.ts';
import { localDay } from '../cases/numbering.ts';
import { departmentFor } from '../cases/routing.ts';
import type { DirectoryStore } from '../directory/store.ts';
import { NotFoundError, StateConflictError, ValidationError } from '../errors.ts';
import type { PageQuery } from '../store/pagination.ts';
import { insert, insertOutbox, put, UnitOfWork } from '../store/unit-of-work.ts';
import type { AnswerChannel, SurveyCardRecord } from '../surveys/model.ts';
import type { SurveyAnswers } from '../surveys/score.ts';
import type { ComplaintInput } from './forms.ts';
import {
  COMPLAINT_SCHEMA_VERSION,
  type Complaint,
  type ComplaintSettings,
  type ComplaintTimelineEntry,
  complaintItem,
  complaintKeys,
  complaintSettingsSchema,
  customerStatusOf,
  formatComplaintNumber,
  LIBRARY_SCHEMA_VERSION,
  type LibraryEntry,
  libraryItem,
  SETTINGS_SCHEMA_VERSION,
  TASK_SCHEMA_VERSION,
  type Task,
  TIMELINE_SCHEMA_VERSION,
  taskItem,
  timelineItem,
} from './model.ts';
import type { ComplaintStore } from './store.ts';

export interface ComplaintDeps {
  complaints: ComplaintStore;
  /** Branch time zone: complaint numbers carry the local day. */
  timeZone: string;
}

/** What the complaint API needs besides the store. */
export interface ComplaintApiDeps extends ComplaintDeps {
  directory: Pick<DirectoryStore, 'getCustomer'>;
  now: () => Date;
}

/** Who acted, as timelines and events record it. */
export interface ActorRef {
  sub: string;
  role: string;
  name?: string;
}

export function actorRef(actor: Actor): ActorRef {
  const role = actor.roles.find((r) => r !== 'customer') ?? actor.roles[0] ?? 'none';
  return { sub: actor.sub, role, ...(actor.name ? { name: actor.name } : {}) };
}

/** Who the workflow acts as on timelines and events. */
export const WORKFLOW_ACTOR: ActorRef = { sub: 'complaint-workflow', role: 'none' };

/** The event fields every complaint event names. */
export const refOf = (c: Complaint, at: string, actor: ActorRef) => ({
  complaintId: c.id,
  number: c.number,
  branchId: c.branchId,
  at,
  actor: { sub: actor.sub, role: actor.role },
});

/**
 * One change of a complaint: the complaint written back on its version, and a timeline entry (seq = the
 * new version) carrying the change's events, plus whatever else `unit` holds — one transaction.
 */
export function complaintChange<O extends string>(
  unit: UnitOfWork<O>,
  before: Complaint,
  after: Complaint,
  entry: Omit<ComplaintTimelineEntry, 'entity' | 'schemaVersion' | 'complaintId' | 'seq' | 'outbox'>,
): UnitOfWork<O> {
  const next = { ...after, version: before.version + 1 };
  const timeline: ComplaintTimelineEntry = {
    entity: 'ComplaintTimelineEntry',
    schemaVersion: TIMELINE_SCHEMA_VERSION,
    complaintId: before.id,
    seq: next.version,
    ...entry,
  };
  return unit.add(
    put<O>(complaintItem(next), { condition: 'version = :v', values: { ':v': before.version } }),
    insertOutbox<O>(timelineItem(timeline)),
  );
}

/** The next complaint number, `CP-<local day>-NNNN`, from the day's atomic counter. */
export async function nextComplaintNumber(deps: ComplaintDeps, at: Date): Promise<string> {
  const day = localDay(at, deps.timeZone);
  return formatComplaintNumber(day, await deps.complaints.nextSequence(day));
}

/** Earlier complaints of the same customer about the same unit or case (repeat complaints are linked). */
async function repeatsOf(
  deps: ComplaintDeps,
  customerId: string,
  refs: Complaint['refs'],
): Promise<string[]> {
  if (!refs.unitSerial && !refs.caseId) return [];
  const earlier = await deps.complaints.allOfCustomer(customerId);
  return earlier
    .filter(
      (c) =>
        (refs.unitSerial && c.refs.unitSerial === refs.unitSerial) ||
        (refs.caseId && c.refs.caseId === refs.caseId),
    )
    .map((c) => c.id);
}

const priorityOf = { major: 0, serious: 1, ordinary: 2 } as const;

/**
 * Registers a complaint taken on any channel: numbered, classified (subject → department, severity,
 * cause when known), linked to the customer's earlier complaints about the same unit or case. A major
 * complaint is a special case: top priority and a written answer required; the workflow (started by
 * `Complaint Raised`) tells the vice president at once. Customers complain for themselves, through the
 * portal; staff for any customer of the directory (or one they describe).
 */
export async function registerComplaint(
  deps: ComplaintApiDeps,
  actor: Actor,
  input: ComplaintInput,
): Promise<Complaint> {
  const isCustomer = !hasRole(actor, staffRoles);
  if (isCustomer && input.channel !== 'portal')
    throw new ValidationError([{ field: 'channel', message: 'customers complain through the portal' }]);
  if (isCustomer && input.customerId && input.customerId !== actor.sub)
    throw new ValidationError([{ field: 'customerId', message: 'customers complain for themselves only' }]);
  const customerId = isCustomer ? actor.sub : input.customerId;
  if (!customerId)
    throw new ValidationError([{ field: 'customerId', message: 'name the customer (their directory id)' }]);
  const known = await deps.directory.getCustomer(customerId);
  const name = input.customer?.name ?? known?.name ?? (isCustomer ? actor.name : undefined);
  if (!name)
    throw new ValidationError([
      {
        field: 'customer',
        message: `customer ${customerId} is not in the directory: give their name and contact`,
      },
    ]);
  const phone = input.customer?.phone ?? known?.phones[0];
  const email = input.customer?.email ?? known?.email ?? (isCustomer ? actor.email : undefined);
  const address = input.customer?.address ?? known?.addresses[0]?.address;

  const now = deps.now();
  const at = now.toISOString();
  const refs = Object.fromEntries(
    Object.entries(input.refs).filter(([, v]) => v !== undefined),
  ) as Complaint['refs'];
  const related = await repeatsOf(deps, customerId, refs);
  const number = await nextComplaintNumber(deps, now);
  const by = actorRef(actor);
  const complaint: Complaint = {
    entity: 'Complaint',
    schemaVersion: COMPLAINT_SCHEMA_VERSION,
    id: number,
    number,
    status: 'open',
    source: 'direct',
    channel: input.channel,
    branchId: input.branchId ?? DEFAULT_BRANCH_ID,
    customer: {
      id: customerId,
      name,
      ...(phone ? { phone } : {}),
      ...(email ? { email } : {}),
      ...(address ? { address } : {}),
    },
    text: input.text,
    subject: input.subject,
    department: departmentFor[input.subject],
    severity: input.severity,
    ...(input.cause ? { cause: input.cause } : {}),
    special: input.severity === 'major',
    priority: priorityOf[input.severity],
    writtenAnswerRequired: input.severity !== 'ordinary',
    refs,
    relatedComplaintIds: related,
    round: 1,
    individualCase: false,
    createdAt: at,
    createdBy: { sub: by.sub, role: by.role },
    version: 1,
  };
  const entry: ComplaintTimelineEntry = {
    entity: 'ComplaintTimelineEntry',
    schemaVersion: TIMELINE_SCHEMA_VERSION,
    complaintId: number,
    seq: 1,
    at,
    actor: by,
    action: 'registered',
    details: { channel: input.channel, severity: input.severity, subject: input.subject, related },
    customerVisible: true,
  };
  const unit = new UnitOfWork()
    .add(insert(complaintItem(complaint)), insertOutbox(timelineItem(entry)))
    .emit(raisedEvent(complaint, at));
  await deps.complaints.commit(unit);
  return complaint;
}

function raisedEvent(c: Complaint, at: string) {
  return domainEvent('Complaint Raised', {
    complaintId: c.id,
    number: c.number,
    source: c.source,
    channel: c.channel,
    severity: c.severity,
    subject: c.subject,
    department: c.department,
    ...(c.refs.caseId ? { caseId: c.refs.caseId } : {}),
    ...(c.refs.caseNumber ? { caseNumber: c.refs.caseNumber } : {}),
    branchId: c.branchId,
    ...(c.technicianId ? { technicianId: c.technicianId } : {}),
    customerId: c.customer.id,
    ...(c.reasons ? { reasons: c.reasons } : {}),
    ...(c.visitTaskId ? { visitTaskId: c.visitTaskId } : {}),
    relatedComplaintIds: c.relatedComplaintIds,
    at,
  });
}

/** A survey answer that counts as a complaint: the card it answers and what the customer said. */
export interface SurveyComplaint {
  card: Pick<SurveyCardRecord, 'id' | 'caseId' | 'caseNumber' | 'branchId' | 'technicianId' | 'customer'>;
  via: AnswerChannel;
  ratings: SurveyAnswers;
  text: string;
  /** The customer said "this is a complaint" (rather than only rating an item at the lowest level). */
  flaggedByCustomer: boolean;
  /** When the answer was given: the complaint's creation time and the day of its number. */
  at: Date;
}

const channelOf: Record<AnswerChannel, Complaint['channel']> = {
  link: 'survey_link',
  email: 'survey_email',
  phone: 'survey_phone',
};

/**
 * Raises a complaint from a survey answer: numbers it, and adds the complaint, its first timeline entry,
 * the supervisor's visit to the customer (000 (二十八)) and `Complaint Raised` to the caller's unit of
 * work, so they are stored with the answer or not at all. `Complaint Raised` starts the same
 * investigation workflow as every other channel. A unit that meets them already stored ends as `'duplicate'`.
 */
export async function raiseSurveyComplaint<O extends string>(
  deps: ComplaintDeps,
  unit: UnitOfWork<O | 'duplicate'>,
  input: SurveyComplaint,
): Promise<Complaint> {
  // A lost race on a double submission wastes this number; the gap is harmless and rare.
  const number = await nextComplaintNumber(deps, input.at);
  const at = input.at.toISOString();
  const { card } = input;
  const visitTaskId = `VISIT-${number}`;
  const reasons: NonNullable<Complaint['reasons']> = [];
  if (input.flaggedByCustomer) reasons.push('flagged_by_customer');
  if (Object.values(input.ratings).includes(1)) reasons.push('lowest_level');
  const complaint: Complaint = {
    entity: 'Complaint',
    schemaVersion: COMPLAINT_SCHEMA_VERSION,
    id: number,
    number,
    status: 'open',
    source: 'survey',
    channel: channelOf[input.via],
    branchId: card.branchId,
    customer: {
      id: card.customer.id,
      name: card.customer.name,
      phone: card.customer.phone,
      address: card.customer.address,
      ...(card.customer.email ? { email: card.customer.email } : {}),
    },
    // The card rates the technician's service: routed like staff attitude (SPEC §3).
    text: input.text,
    subject: 'staff_attitude',
    department: departmentFor.staff_attitude,
    severity: 'ordinary',
    special: false,
    priority: priorityOf.ordinary,
    writtenAnswerRequired: false,
    refs: { caseId: card.caseId, caseNumber: card.caseNumber },
    relatedComplaintIds: [],
    round: 1,
    individualCase: false,
    reasons,
    cardId: card.id,
    technicianId: card.technicianId,
    ratings: input.ratings,
    visitTaskId,
    createdAt: at,
    createdBy: { sub: card.customer.id, role: 'customer' },
    version: 1,
  };
  const task: Task = {
    entity: 'Task',
    schemaVersion: TASK_SCHEMA_VERSION,
    id: visitTaskId,
    kind: 'supervisor_visit',
    role: 'dispatcher',
    status: 'open',
    complaintId: number,
    caseId: card.caseId,
    caseNumber: card.caseNumber,
    branchId: card.branchId,
    customer: {
      id: card.customer.id,
      name: card.customer.name,
      address: card.customer.address,
      phone: card.customer.phone,
    },
    createdAt: at,
    version: 1,
  };
  const entry: ComplaintTimelineEntry = {
    entity: 'ComplaintTimelineEntry',
    schemaVersion: TIMELINE_SCHEMA_VERSION,
    complaintId: number,
    seq: 1,
    at,
    actor: { sub: card.customer.id, role: 'customer' },
    action: 'registered',
    details: { channel: complaint.channel, reasons },
    customerVisible: true,
  };
  unit
    .add(
      insert(complaintItem(complaint), 'duplicate'),
      insert(taskItem(task), 'duplicate'),
      insert(timelineItem(entry), 'duplicate'),
    )
    .emit(raisedEvent(complaint, at));
  return complaint;
}

/** Complaints in a status (registered ones by default), oldest first. Agents, dispatchers and managers. */
export const listComplaints = (
  deps: Pick<ComplaintDeps, 'complaints'>,
  status: Complaint['status'],
  q: PageQuery,
) => deps.complaints.listByStatus(status, q);

/** Open supervisor visits to complaining customers, oldest first. Dispatchers (supervisors) and managers. */
export const listOpenVisits = (deps: Pick<ComplaintDeps, 'complaints'>, q: PageQuery) =>
  deps.complaints.listOpenVisits(q);

/** What a customer sees of their complaint. */
export function customerView(c: Complaint) {
  return {
    id: c.id,
    number: c.number,
    status: customerStatusOf(c),
    channel: c.channel,
    subject: c.subject,
    text: c.text,
    refs: c.refs,
    createdAt: c.createdAt,
    ...(c.closedAt ? { closedAt: c.closedAt } : {}),
  };
}

/** A complaint the caller may see: staff any, customers their own (others are not found). */
async function visible(
  deps: Pick<ComplaintDeps, 'complaints'>,
  actor: Actor,
  id: string,
): Promise<Complaint> {
  const c = await deps.complaints.get(id);
  if (!c || (!hasRole(actor, staffRoles) && c.customer.id !== actor.sub))
    throw new NotFoundError(`no complaint ${id}`);
  return c;
}

/** Staff read the whole record with its steps; customers their own complaint as they see it. */
export async function readComplaint(deps: Pick<ComplaintDeps, 'complaints'>, actor: Actor, id: string) {
  const c = await visible(deps, actor, id);
  if (!hasRole(actor, staffRoles)) return customerView(c);
  const steps = await deps.complaints.steps(id);
  return {
    ...stripEntity(c),
    customerStatus: customerStatusOf(c),
    steps: steps.map(({ taskToken: _t, entity: _e, schemaVersion: _v, ...s }) => s),
  };
}

function stripEntity<T extends { entity: string; schemaVersion: number }>(x: T) {
  const { entity: _e, schemaVersion: _v, ...rest } = x;
  return rest;
}

/** The timeline: staff every entry, customers the entries meant for them (without internal details). */
export async function complaintTimeline(deps: Pick<ComplaintDeps, 'complaints'>, actor: Actor, id: string) {
  await visible(deps, actor, id);
  const entries = await deps.complaints.timeline(id);
  const staff = hasRole(actor, staffRoles);
  return {
    items: entries
      .filter((e) => staff || e.customerVisible)
      .map(({ entity: _e, schemaVersion: _v, outbox: _o, ...e }) =>
        staff ? e : { seq: e.seq, at: e.at, action: e.action },
      ),
  };
}

/** The steps of a complaint (staff). */
export async function complaintSteps(deps: Pick<ComplaintDeps, 'complaints'>, id: string) {
  if (!(await deps.complaints.get(id))) throw new NotFoundError(`no complaint ${id}`);
  const steps = await deps.complaints.steps(id);
  return { items: steps.map(({ taskToken: _t, entity: _e, schemaVersion: _v, ...s }) => s) };
}

/** A customer's own complaints, newest first, as they see them. */
export async function myComplaints(deps: Pick<ComplaintDeps, 'complaints'>, actor: Actor, q: PageQuery) {
  const page = await deps.complaints.listOfCustomer(actor.sub, q);
  return { ...page, items: page.items.map(customerView) };
}

/** Waiting steps of a role, soonest due first (a supervisor's work list). */
export async function waitingSteps(deps: Pick<ComplaintDeps, 'complaints'>, role: string, q: PageQuery) {
  const page = await deps.complaints.waitingSteps(role, q);
  return { ...page, items: page.items.map(({ taskToken: _t, entity: _e, schemaVersion: _v, ...s }) => s) };
}

/**
 * Publishes a closed complaint to the case library (SPEC §8.7): problem type, cause, handling, lessons,
 * under its product line and cause. Once per complaint.
 */
export async function publishToLibrary(
  deps: ComplaintApiDeps,
  actor: Actor,
  id: string,
  input: {
    problemType: string;
    causeDetail: string;
    handling: string;
    lessons: string;
    productLine?: string;
  },
): Promise<LibraryEntry> {
  const c = await deps.complaints.get(id);
  if (!c) throw new NotFoundError(`no complaint ${id}`);
  if (c.status !== 'closed') throw new StateConflictError(`complaint ${id} is not closed yet`);
  if (c.publishedAt) throw new StateConflictError(`complaint ${id} is in the library already`);
  if (!c.cause) throw new StateConflictError(`complaint ${id} has no cause recorded (analysis)`);
  const productLine = input.productLine ?? c.refs.productLine;
  if (!productLine)
    throw new ValidationError([
      { field: 'productLine', message: 'the complaint names no product line: give one' },
    ]);
  const at = deps.now().toISOString();
  const by = actorRef(actor);
  const entry: LibraryEntry = {
    entity: 'ComplaintLibraryEntry',
    schemaVersion: LIBRARY_SCHEMA_VERSION,
    complaintId: id,
    productLine,
    cause: c.cause,
    problemType: input.problemType,
    causeDetail: input.causeDetail,
    handling: input.handling,
    lessons: input.lessons,
    department: c.department,
    rounds: c.round,
    publishedAt: at,
    publishedBy: by.sub,
  };
  const unit = new UnitOfWork().add(
    insert<never>(
      libraryItem(entry),
      () => new StateConflictError(`complaint ${id} is in the library already`),
    ),
  );
  complaintChange(
    unit,
    c,
    { ...c, publishedAt: at },
    {
      at,
      actor: by,
      action: 'published',
      details: { productLine, cause: c.cause, problemType: input.problemType },
      customerVisible: false,
    },
  ).emit(domainEvent('Complaint Published', { ...refOf(c, at, by), productLine, cause: c.cause }));
  await deps.complaints.commit(unit);
  return entry;
}

/** The case library, by product line (and cause) or by cause. */
export async function searchLibrary(
  deps: Pick<ComplaintDeps, 'complaints'>,
  by: { productLine?: string | undefined; cause?: string | undefined },
  q: PageQuery,
) {
  if (!by.productLine && !by.cause)
    throw new ValidationError([{ field: 'query.productLine', message: 'give a product line or a cause' }]);
  const page = await deps.complaints.library(
    { ...(by.productLine ? { productLine: by.productLine } : {}), ...(by.cause ? { cause: by.cause } : {}) },
    q,
  );
  return { ...page, items: page.items.map(stripEntity) };
}

/** The complaint settings (defaults while none are set). */
export async function readSettings(deps: Pick<ComplaintDeps, 'complaints'>) {
  return deps.complaints.settings();
}

/** Managers set rounds before an individual case, approval limits, vice president and leadership contacts. */
export async function changeSettings(
  deps: ComplaintApiDeps,
  actor: Actor,
  input: unknown,
): Promise<ComplaintSettings> {
  const value = complaintSettingsSchema.parse(input);
  const unit = new UnitOfWork().add(
    put({
      ...complaintKeys.settings(),
      entity: 'ComplaintSettings',
      schemaVersion: SETTINGS_SCHEMA_VERSION,
      value,
      updatedAt: deps.now().toISOString(),
      updatedBy: actor.sub,
    }),
  );
  await deps.complaints.commit(unit);
  return value;
}
