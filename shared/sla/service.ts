/**
 * SLA operations: keeping a case's milestones and timers in line with the case, acting on a timer
 * (the escalation ladder), next-morning priority, and the reads and settings of the SLA API.
 * Stores, scheduler, publisher, mailer and clock are passed in, so tests and the local system run the
 * same code as Lambda.
 */
import { type DetailType, type DomainEvent, domainEvent } from '../../events/registry.ts';
import { type Actor, hasRole } from '../auth/actor.ts';
import type { TimelineEntry } from '../cases/model.ts';
import { localDay } from '../cases/numbering.ts';
import { isOpen } from '../cases/status.ts';
import type { DirectoryStore } from '../directory/store.ts';
import { NotFoundError } from '../errors.ts';
import { milestoneMeasures, sumCounters } from '../measures/definitions.ts';
import type { MeasureStore } from '../measures/store.ts';
import type { Mailer } from '../notify/mailer.ts';
import type { Page } from '../store/pagination.ts';
import { parseInput } from '../validation.ts';
import { cardFields, jobCard, jobDays } from './board.ts';
import { isWorkingDay, localDateOf, type WorkingCalendar, WorkingCalendarSchema } from './calendar.ts';
import { computeMilestones, type Milestone, type StepState } from './milestones.ts';
import type { EscalationRecord, MilestoneMeasure, QueueEntry, StoredJob, StoredLoad } from './model.ts';
import { type EscalationContact, type EscalationLevel, type SlaPolicy, SlaPolicySchema } from './policy.ts';
import type { BranchSettings, CaseSlaSnapshot, SettingKind, SlaStore, StoredMilestone } from './store.ts';
import { morningTimerName, stepTimerName, type TimerPayload, type TimerPort } from './timers.ts';

/** What the SLA API needs. Events go out through the outbox of the items the store writes. */
export interface SlaApiDeps {
  store: SlaStore;
  /** Staff and branches: names and days of the working-day lists, addresses of escalation contacts. */
  directory: Pick<DirectoryStore, 'getStaff' | 'getBranch' | 'listStaffOfBranch'>;
  now: () => Date;
  /** The deployment's timezone, for branches that set none. */
  timeZone: string;
}

/** What the SLA workers (case-event consumer, timer target) need. */
export interface SlaDeps extends SlaApiDeps {
  timers: TimerPort;
  mailer: Mailer;

  log?: (message: string, details: Record<string, unknown>) => void;
}

/** Who the SLA machinery acts as on timelines and events. */
export const SLA_ACTOR = { sub: 'sla', role: 'none' as const };

interface Evaluation {
  snapshot: CaseSlaSnapshot;
  calendar: WorkingCalendar;
  policy: SlaPolicy;
  milestones: Milestone[];
  /** `<milestone>#<step>` of the steps escalated already. */
  escalated: Set<string>;
  now: Date;
}

async function evaluate(deps: SlaApiDeps, caseId: string): Promise<Evaluation | undefined> {
  const snapshot = await deps.store.loadCase(caseId);
  if (!snapshot) return undefined;
  const [calendar, policy] = await Promise.all([
    deps.store.getSetting('calendar', snapshot.case.branchId),
    deps.store.getSetting('policy', snapshot.case.branchId),
  ]);
  const now = deps.now();
  const milestones = computeMilestones(snapshot.case, snapshot.timeline, policy.value, calendar.value, now);
  return {
    snapshot,
    calendar: calendar.value,
    policy: policy.value,
    milestones,
    escalated: new Set(snapshot.escalations.keys()),
    now,
  };
}

const stepKey = (m: Pick<Milestone, 'kind'>, step: Pick<StepState, 'id'>) => `${m.kind}#${step.id}`;

/** Steps of a running milestone still to fire: computed, and not escalated yet. */
function pendingSteps(e: Evaluation, m: Milestone): Array<StepState & { fireAt: string }> {
  if (m.status !== 'running') return [];
  return m.steps.filter(
    (s): s is StepState & { fireAt: string } => s.fireAt !== undefined && !e.escalated.has(stepKey(m, s)),
  );
}

/**
 * Writes the evaluation: milestones (with measures the first time one is met), their schedules (one per
 * pending step; met, cancelled, paused and moved steps lose theirs) and the dispatch-queue entry.
 * `createTimers` is off for the timer target, which only ever removes schedules.
 */
async function apply(deps: SlaDeps, e: Evaluation, createTimers: boolean): Promise<void> {
  const c = e.snapshot.case;
  for (const m of e.milestones) {
    const stored = e.snapshot.milestones.get(m.kind);
    const pending = pendingSteps(e, m);
    const names = pending.map((s) => stepTimerName(c.id, m.kind, s.id, s.fireAt));
    const record: StoredMilestone = {
      ...m,
      caseId: c.id,
      branchId: c.branchId,
      caseVersion: c.version,
      timers: names,
    };
    // Met for the first time: counted once in the measures, on the branch's local day it was met.
    const met =
      m.status === 'met' && m.metAt && !stored?.metAt
        ? domainEvent('SLA Milestone Met', {
            caseId: c.id,
            branchId: c.branchId,
            milestone: m.kind,
            metAt: m.metAt,
            day: localDateOf(e.calendar, new Date(m.metAt)),
            onTime: !m.breached,
            activeMinutes: m.activeMinutes,
          })
        : undefined;
    // A newer computation of this milestone won the race: its schedules are its own business.
    if (!(await deps.store.saveMilestone(record, met))) continue;
    if (createTimers) {
      for (const s of pending) {
        const payload: TimerPayload = {
          kind: 'sla-step',
          caseId: c.id,
          milestone: m.kind,
          step: s.id,
          fireAt: s.fireAt,
        };
        await deps.timers.scheduleOnce({
          name: stepTimerName(c.id, m.kind, s.id, s.fireAt),
          at: new Date(s.fireAt),
          payload,
        });
      }
    }
    for (const name of stored?.timers ?? []) if (!names.includes(name)) await deps.timers.cancel(name);
  }
  await applyQueue(deps, e);
  await applyBoard(deps, e);
}

/**
 * The case's entries on its technicians' days and on the open load, with what those lists show; days it
 * no longer belongs to (moved or reassigned before any work) become tombstones.
 */
async function applyBoard(deps: SlaDeps, e: Evaluation): Promise<void> {
  const c = e.snapshot.case;
  const onLoad = Boolean(c.technicianId) && isOpen(c.status);
  const load: StoredLoad | undefined =
    onLoad || e.snapshot.load?.listed
      ? {
          ...jobCard(c, e.milestones, c.technicianId ?? e.snapshot.load?.technicianId ?? 'unassigned'),
          caseVersion: c.version,
          listed: onLoad,
        }
      : undefined;
  const days = jobDays(c, e.calendar.timezone);
  const wanted = new Set(days.map((d) => `${d.technicianId}#${d.day}`));
  const jobs: StoredJob[] = [
    ...days.map((d) => ({
      ...jobCard(c, e.milestones, d.technicianId),
      day: d.day,
      order: d.order,
      current: d.technicianId === c.technicianId,
      caseVersion: c.version,
      listed: true,
    })),
    ...[...e.snapshot.jobs.entries()]
      .filter(([k, j]) => !wanted.has(k) && j.listed)
      .map(([, j]) => ({ ...j, caseVersion: c.version, listed: false })),
  ];
  if (!load && jobs.length === 0) return;
  await deps.store.saveBoard(c.version, load, jobs);
}

async function applyQueue(deps: SlaDeps, e: Evaluation): Promise<void> {
  const c = e.snapshot.case;
  const queued = c.status === 'received';
  const current = e.snapshot.queue;
  if (!queued && !current?.queued) return;
  const arrivalDueAt = e.milestones.find((m) => m.kind === 'arrival')?.dueAt;
  const entry: QueueEntry = {
    ...cardFields(c, e.milestones),
    caseId: c.id,
    number: c.number,
    branchId: c.branchId,
    zone: c.zone,
    emergency: c.emergency,
    createdAt: c.createdAt,
    ...(arrivalDueAt ? { arrivalDueAt } : {}),
    priority: current?.priority ?? false,
    ...(current?.priorityAt ? { priorityAt: current.priorityAt } : {}),
  };
  const saved = await deps.store.saveQueueEntry(
    entry,
    c.version,
    queued,
    current ? current.priority : undefined,
  );
  // Marked priority (or written by a newer computation) since we read it: read again and redo.
  if (!saved) {
    const again = await evaluate(deps, c.id);
    if (
      again &&
      again.snapshot.case.version >= c.version &&
      again.snapshot.queue?.priority !== current?.priority
    )
      await applyQueue(deps, again);
  }
}

/**
 * Brings the SLA state of a case in line with the case: called for every case event. Idempotent and
 * order-independent, because it recomputes from the case and its whole timeline.
 */
export async function reconcileCase(deps: SlaDeps, caseId: string): Promise<Milestone[]> {
  const e = await evaluate(deps, caseId);
  if (!e) throw new NotFoundError(`no case ${caseId}`);
  await apply(deps, e, true);
  return e.milestones;
}

export type TimerOutcome = 'escalated' | 'duplicate' | 'stale' | 'not-running' | 'unknown-case' | 'morning';

const eventOfLevel: Record<EscalationLevel, DetailType> = {
  warning: 'SLA Warning',
  urgent: 'SLA Warning',
  breach: 'SLA Breached',
  escalation: 'Case Escalated',
};

const milestoneLabels: Record<Milestone['kind'], string> = {
  first_response: 'first response',
  arrival: 'arrival on site',
  repair_completion: 'repair completion',
  workshop_repair: 'workshop repair',
};

/** Handles one firing of a schedule; a stale, paused, met or already-escalated step does nothing. */
export async function handleTimer(
  deps: SlaDeps,
  payload: Exclude<TimerPayload, { kind: 'complaint-step' | 'return-decision' | 'warranty-run' }>,
): Promise<TimerOutcome> {
  if (payload.kind === 'morning') {
    await runMorning(deps, payload.branchId);
    return 'morning';
  }
  const e = await evaluate(deps, payload.caseId);
  if (!e) return 'unknown-case';
  const m = e.milestones.find((x) => x.kind === payload.milestone);
  const step = m?.steps.find((s) => s.id === payload.step);
  let outcome: TimerOutcome;
  if (!m || !step || m.status !== 'running') outcome = 'not-running';
  else if (step.fireAt !== payload.fireAt) outcome = 'stale';
  else {
    outcome = await escalate(deps, e, m, step);
    e.escalated.add(stepKey(m, step));
  }
  deps.log?.('sla timer', { ...payload, outcome });
  await apply(deps, e, false);
  return outcome;
}

async function escalate(deps: SlaDeps, e: Evaluation, m: Milestone, step: StepState): Promise<TimerOutcome> {
  const c = e.snapshot.case;
  const at = e.now.toISOString();
  const recipients = await addressesOf(deps, e.policy.escalationContacts[step.notify]);
  // "The assigned dispatcher": whoever made the last assignment, when there is one.
  const dispatcherId = step.notify === 'dispatcher' ? c.assignments.at(-1)?.by : undefined;
  const dueAt = m.dueAt ?? (step.fireAt as string);
  const record: EscalationRecord = {
    caseId: c.id,
    milestone: m.kind,
    step: step.id,
    level: step.level,
    notify: step.notify,
    recipients,
    dueAt,
    fireAt: step.fireAt as string,
    at,
  };
  // What the step is: the same on the event and on the timeline.
  const taken = {
    milestone: m.kind,
    step: step.id,
    level: step.level,
    percent: step.percent,
    notify: step.notify,
    dueAt,
    recipients,
  };
  const event = domainEvent(eventOfLevel[step.level], {
    caseId: c.id,
    number: c.number,
    branchId: c.branchId,
    at,
    actor: SLA_ACTOR,
    ...taken,
    ...(dispatcherId ? { dispatcherId } : {}),
  });
  const entry: TimelineEntry = {
    caseId: c.id,
    seq: c.version,
    at,
    actor: SLA_ACTOR,
    action: 'sla-escalation',
    details: taken,
    outbox: [event],
  };
  if (!(await deps.store.recordEscalation(record, entry, c.version))) {
    const existing = await deps.store.getEscalation(c.id, m.kind, step.id);
    // Notified already: a redelivery. Otherwise an earlier attempt failed before the e-mails: finish them
    // (the event went out with the record, through the outbox).
    if (existing?.notifiedAt) return 'duplicate';
  }
  const due = new Date(dueAt).toLocaleString('en-GB', {
    timeZone: e.calendar.timezone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const label = milestoneLabels[m.kind];
  const headline =
    step.level === 'escalation'
      ? `still unresolved after its ${label} deadline`
      : step.level === 'breach'
        ? `missed its ${label} deadline`
        : `${step.percent}% of its ${label} time used`;
  for (const to of recipients) {
    await deps.mailer.sendEmail({
      to,
      subject: `[SLA ${step.level}${step.level === 'urgent' ? '!' : ''}] ${c.number} ${headline}`,
      text: [
        `Case ${c.number} (${c.zone}${c.emergency ? ', equipment down' : ''}) has ${headline}.`,
        `Due: ${due} (${e.calendar.timezone}).`,
        `Customer: ${c.customer.name}, ${c.customer.address}, ${c.customer.phone}. Status: ${c.status}.`,
        c.technicianName ? `Technician: ${c.technicianName}.` : 'No technician assigned yet.',
        `Product: ${c.product.model} (${c.product.serialNumber}). Symptoms: ${c.symptoms}`,
        step.notify === 'dispatcher'
          ? 'Please dispatch a technician or follow up with the assigned one.'
          : `Escalated to the ${step.notify}.`,
      ].join('\n'),
    });
  }
  await deps.store.markNotified(c.id, m.kind, step.id, deps.now().toISOString());
  return 'escalated';
}

/**
 * The e-mail addresses of a step's contacts: addresses as they are, staff through the directory (an
 * inactive person or one without an address is skipped, and logged).
 */
export async function addressesOf(
  deps: { directory: Pick<DirectoryStore, 'getStaff'>; log?: SlaDeps['log'] },
  contacts: readonly EscalationContact[],
): Promise<string[]> {
  const out: string[] = [];
  for (const contact of contacts) {
    if (typeof contact === 'string') out.push(contact);
    else {
      const person = await deps.directory.getStaff(contact.staffId);
      if (person?.active && person.email) out.push(person.email);
      else deps.log?.('escalation contact has no address', { staffId: contact.staffId });
    }
  }
  return [...new Set(out)];
}

/**
 * Next-morning priority (000 (十八)): at the start of a working day, every request of the branch still
 * waiting for dispatch that came in on an earlier day is marked priority. Idempotent; days off do nothing.
 */
export async function runMorning(deps: SlaApiDeps, branchId: string): Promise<{ marked: string[] }> {
  const calendar = (await deps.store.getSetting('calendar', branchId)).value;
  const now = deps.now();
  const today = localDateOf(calendar, now);
  const marked: string[] = [];
  if (!isWorkingDay(calendar, today)) return { marked };
  let cursor: string | undefined;
  do {
    const page = await deps.store.listQueue(branchId, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const entry of page.items) {
      if (entry.priority || localDateOf(calendar, new Date(entry.createdAt)) >= today) continue;
      if (await deps.store.markPriority(entry, now.toISOString())) marked.push(entry.caseId);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { marked };
}

/** Re-creates the branch's daily schedule at the start of its working day (after a calendar change). */
export async function scheduleMorning(deps: SlaDeps, branchId: string): Promise<void> {
  const calendar = (await deps.store.getSetting('calendar', branchId)).value;
  await deps.timers.scheduleDaily({
    name: morningTimerName(branchId),
    time: calendar.workingHours[0]?.start ?? '08:00',
    timezone: calendar.timezone,
    payload: { kind: 'morning', branchId },
  });
}

// ---- API operations ----

/** Who reads and who changes each branch setting, and how a new value is checked. */
const settingRules = {
  calendar: {
    read: 'read branch calendars',
    change: 'change branch calendars',
    schema: WorkingCalendarSchema,
  },
  policy: { read: 'read SLA policies', change: 'change SLA policies', schema: SlaPolicySchema },
} as const;

type SettingView<K extends SettingKind> = {
  branchId: string;
  updatedAt?: string;
  updatedBy?: string;
} & Record<K, BranchSettings[K]>;

async function readSetting<K extends SettingKind>(
  deps: SlaApiDeps,
  kind: K,
  branchId: string,
): Promise<SettingView<K>> {
  const s = await deps.store.getSetting(kind, branchId);
  return {
    branchId,
    [kind]: s.value,
    ...(s.updatedAt ? { updatedAt: s.updatedAt, updatedBy: s.updatedBy } : {}),
  } as SettingView<K>;
}

async function changeSetting<K extends SettingKind>(
  deps: SlaApiDeps,
  actor: Actor,
  kind: K,
  branchId: string,
  input: unknown,
  events: (at: string) => DomainEvent[] = () => [],
): Promise<SettingView<K>> {
  const value = parseInput(settingRules[kind].schema, input) as BranchSettings[K];
  const at = deps.now().toISOString();
  await deps.store.putSetting(kind, branchId, value, actor.sub, at, events(at));
  return { branchId, [kind]: value, updatedAt: at, updatedBy: actor.sub } as SettingView<K>;
}

/** A branch's working-time calendar (the SPEC §4 default while none is set). Staff only. */
export function getBranchCalendar(deps: SlaApiDeps, branchId: string) {
  return readSetting(deps, 'calendar', branchId);
}

/** Managers set a branch's working-time calendar; its morning schedule follows (via `SLA Calendar Changed`). */
export function putBranchCalendar(deps: SlaApiDeps, actor: Actor, branchId: string, input: unknown) {
  return changeSetting(deps, actor, 'calendar', branchId, input, (at) => [
    domainEvent('SLA Calendar Changed', { branchId, at, actor: { sub: actor.sub, role: 'manager' } }),
  ]);
}

/** A branch's SLA policy (the SPEC §4 numbers while none is set). Staff only. */
export function getBranchPolicy(deps: SlaApiDeps, branchId: string) {
  return readSetting(deps, 'policy', branchId);
}

/** Managers set a branch's SLA policy; open cases follow it from their next event or timer. */
export function putBranchPolicy(deps: SlaApiDeps, actor: Actor, branchId: string, input: unknown) {
  return changeSetting(deps, actor, 'policy', branchId, input);
}

/** The milestones of a case as stored (due, met, breached, paused minutes) and the escalations taken. */
export async function getCaseSla(deps: SlaApiDeps, caseId: string) {
  const snapshot = await deps.store.loadCase(caseId);
  if (!snapshot) throw new NotFoundError(`no case ${caseId}`);
  const milestones = [...snapshot.milestones.values()].map(({ caseVersion: _v, timers, ...m }) => ({
    ...m,
    pendingTimers: timers.length,
  }));
  return { caseId, milestones, escalations: [...snapshot.escalations.values()] };
}

/** Undispatched requests of a branch: priority first, then by arrival due time. */
export async function dispatchQueue(
  deps: SlaApiDeps,
  branchId: string,
  limit: number,
  cursor?: string,
): Promise<Page<QueueEntry>> {
  return deps.store.listQueue(branchId, { limit, ...(cursor ? { cursor } : {}) });
}

/**
 * On-time rate and average time per milestone type for a branch and month (SPEC §10), from the branch's
 * day aggregates of the month (one Query): the milestones met counted on the day they were met.
 */
export async function slaMeasures(
  deps: { aggregates: Pick<MeasureStore, 'period'> },
  branchId: string,
  month: string,
): Promise<{ branchId: string; month: string; milestones: MilestoneMeasure[] }> {
  const days = await deps.aggregates.period({ kind: 'branch', branchId }, month);
  const counters = sumCounters(days.map((d) => d.counters));
  return { branchId, month, milestones: milestoneMeasures(counters) };
}

// ---- the working day ----

/** A technician's jobs of one day, in order, completed ones included. */
export interface TechnicianDay {
  technicianId: string;
  technicianName?: string;
  day: string;
  items: Array<Omit<StoredJob, 'caseVersion' | 'listed'>>;
}

/**
 * A technician's day (default: today in their branch's time): every visit planned for them that day
 * and every job they worked on that day, completed ones included, in order of arrival window or first
 * work, with customer, address, phone, symptoms, product and due times. One Query.
 */
export async function technicianDay(
  deps: SlaApiDeps,
  actor: Actor,
  technicianId: string,
  day?: string,
): Promise<TechnicianDay> {
  const id = technicianId === 'me' ? actor.sub : technicianId;
  // Technicians read their own day; dispatchers and managers anyone's.
  if (!hasRole(actor, ['dispatcher', 'manager']) && id !== actor.sub)
    throw new NotFoundError(`no technician ${id}`);
  const person = await deps.directory.getStaff(id);
  const branch = person ? await deps.directory.getBranch(person.branchId) : undefined;
  const theDay = day ?? localDay(deps.now(), branch?.timezone ?? deps.timeZone);
  const jobs = await deps.store.listJobs(id, theDay);
  return {
    technicianId: id,
    ...(person ? { technicianName: person.name } : {}),
    day: theDay,
    items: jobs.map(({ caseVersion: _v, listed: _l, ...j }) => j),
  };
}

export interface DispatchBoard {
  branchId: string;
  /** Requests waiting for dispatch: next-morning priority first, then by arrival due time. */
  unassigned: QueueEntry[];
  /** More are waiting: read on with `GET /dispatch/queue?cursor=`. */
  unassignedNextCursor?: string;
  /** Every technician of the branch (active or not, with open work), and their open cases, soonest due first. */
  technicians: Array<{
    technicianId: string;
    name?: string;
    active?: boolean;
    open: Array<Omit<StoredLoad, 'caseVersion' | 'listed'>>;
  }>;
}

/**
 * The dispatch board of a branch: the unassigned requests and each technician's open load, every item
 * with customer name, address, zone, symptoms, product and SLA due times. One Query per list (the
 * queue, the load, the branch's staff).
 */
export async function dispatchBoard(
  deps: SlaApiDeps,
  branchId: string,
  limit: number,
): Promise<DispatchBoard> {
  const [queue, load, staff] = await Promise.all([
    deps.store.listQueue(branchId, { limit }),
    deps.store.listLoad(branchId),
    allStaffOf(deps, branchId),
  ]);
  const technicians = new Map<string, DispatchBoard['technicians'][number]>();
  for (const s of staff) {
    if (s.roles.includes('technician'))
      technicians.set(s.id, { technicianId: s.id, name: s.name, active: s.active, open: [] });
  }
  for (const { caseVersion: _v, listed: _l, ...job } of load) {
    let row = technicians.get(job.technicianId);
    if (!row) {
      row = {
        technicianId: job.technicianId,
        ...(job.technicianName ? { name: job.technicianName } : {}),
        open: [],
      };
      technicians.set(job.technicianId, row);
    }
    row.open.push(job);
  }
  return {
    branchId,
    unassigned: queue.items,
    ...(queue.nextCursor ? { unassignedNextCursor: queue.nextCursor } : {}),
    technicians: [...technicians.values()],
  };
}

async function allStaffOf(deps: SlaApiDeps, branchId: string) {
  const out = [];
  let cursor: string | undefined;
  do {
    const page = await deps.directory.listStaffOfBranch(branchId, {
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
