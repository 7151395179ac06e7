/**
 * SLA milestones of a case, computed from the case and its timeline (pure, no I/O). Recomputing from
 * the full history on every change makes the result independent of event order and redelivery, and a
 * zone or emergency change simply recomputes with the new time limit: elapsed and paused time are kept
 * because they come from the timeline.
 *
 * When each milestone starts, is met or no longer applies (documented here, asserted in the tests):
 * - first response: from intake until a dispatcher takes the case up (its first move out of
 *   `received`: assigned, or checked into the workshop);
 * - arrival on site: from intake until the first `on_site`; not applicable once the case goes to the
 *   workshop or is completed without a visit (remote guidance), or is cancelled;
 * - repair completion: from the first diagnosis until `completed`, within the working time promised
 *   at diagnosis (`promisedWorkingMinutes`), or the policy default;
 * - workshop repair: from the first check-in (`in_workshop`) until the repair is finished (`repaired`).
 * Every clock stops while the case is awaiting parts or the customer; the due time moves by the pause.
 */
import { addWorkingMinutes, type WorkingCalendar, workingMinutesBetween } from './calendar.ts';
import type { EscalationLevel, EscalationRole, MilestoneKind, SlaPolicy } from './policy.ts';

const MS_PER_MINUTE = 60_000;
const holdStatuses: ReadonlySet<string> = new Set(['awaiting_parts', 'awaiting_customer']);

/** What the computation needs of a case. */
export interface CaseFacts {
  createdAt: string;
  zone: 'urban' | 'suburban';
  emergency: boolean;
  /** The repair time promised to the customer at diagnosis (000 五.12), if any. */
  diagnosis?: { promisedWorkingMinutes?: number };
  /** A maintenance contract covering the unit may promise its own response time (SPEC §6). */
  categoryDecision?: { contractResponseHours?: number };
}

/** What the computation needs of a timeline entry (status changes carry `from`/`to`). */
export interface TimelineFact {
  seq: number;
  at: string;
  action: string;
  from?: string;
  to?: string;
}

export type Clock = 'working' | 'calendar';
export type MilestoneStatus = 'running' | 'paused' | 'met' | 'cancelled';

export interface StepState {
  id: string;
  percent: number;
  notify: EscalationRole;
  level: EscalationLevel;
  /** When the step fires; absent while a pause stops the clock before it is reached. */
  fireAt?: string;
}

export interface Milestone {
  kind: MilestoneKind;
  clock: Clock;
  /** The time limit, in minutes of `clock`. */
  budgetMinutes: number;
  startedAt: string;
  /** Absent while a pause stopped the clock before the limit was used up. */
  dueAt?: string;
  status: MilestoneStatus;
  metAt?: string;
  cancelledAt?: string;
  /** Met after its due time, or still unmet when the due time came (by `now`). */
  breached: boolean;
  /** Minutes of `clock` spent on hold since the start. */
  pausedMinutes: number;
  /** Minutes of `clock` the clock actually ran, start to met (or to now). */
  activeMinutes: number;
  steps: StepState[];
}

export interface Pause {
  from: number;
  /** Absent while still on hold. */
  to?: number;
}

interface ClockOps {
  add(start: number, minutes: number): number;
  between(from: number, to: number): number;
}

function clockOps(clock: Clock, cal: WorkingCalendar): ClockOps {
  if (clock === 'calendar') {
    return {
      add: (start, minutes) => start + Math.round(minutes * MS_PER_MINUTE),
      between: (from, to) => Math.max(0, to - from) / MS_PER_MINUTE,
    };
  }
  return {
    add: (start, minutes) => addWorkingMinutes(cal, new Date(start), minutes).getTime(),
    between: (from, to) => workingMinutesBetween(cal, new Date(from), new Date(to)),
  };
}

/** Hold periods from the timeline: entering `awaiting_*` starts one, leaving it ends it. */
export function pausesOf(timeline: readonly TimelineFact[]): Pause[] {
  const pauses: Pause[] = [];
  let open: Pause | undefined;
  for (const e of timeline) {
    if (e.to === undefined) continue;
    const at = Date.parse(e.at);
    if (open && e.from !== undefined && holdStatuses.has(e.from) && !holdStatuses.has(e.to)) {
      open.to = at;
      open = undefined;
    } else if (!open && holdStatuses.has(e.to)) {
      open = { from: at };
      pauses.push(open);
    }
  }
  return pauses;
}

/**
 * The instant `amount` clock minutes have run after `start`, the clock stopping during `pauses`;
 * undefined when an open pause stops it first.
 */
export function runClock(
  ops: ClockOps,
  start: number,
  amount: number,
  pauses: readonly Pause[],
): number | undefined {
  let cursor = start;
  let remaining = amount;
  for (const p of pauses) {
    if (p.to !== undefined && p.to <= cursor) continue;
    const pauseStart = Math.max(p.from, cursor);
    const candidate = ops.add(cursor, remaining);
    if (candidate <= pauseStart) return candidate;
    remaining -= ops.between(cursor, pauseStart);
    if (p.to === undefined) return undefined;
    cursor = p.to;
  }
  return ops.add(cursor, remaining);
}

function pausedWithin(ops: ClockOps, pauses: readonly Pause[], from: number, to: number): number {
  let total = 0;
  for (const p of pauses) {
    const a = Math.max(p.from, from);
    const b = Math.min(p.to ?? to, to);
    if (b > a) total += ops.between(a, b);
  }
  return total;
}

interface Span {
  startedAt: number;
  metAt?: number;
  cancelledAt?: number;
}

/** The first entry at or after `fromSeq` satisfying `test`. */
function first(
  timeline: readonly TimelineFact[],
  test: (e: TimelineFact) => boolean,
  fromSeq = 0,
): TimelineFact | undefined {
  return timeline.find((e) => e.seq >= fromSeq && test(e));
}

function endOf(met: TimelineFact | undefined, cancel: TimelineFact | undefined): Omit<Span, 'startedAt'> {
  if (met && (!cancel || met.seq < cancel.seq)) return { metAt: Date.parse(met.at) };
  if (cancel) return { cancelledAt: Date.parse(cancel.at) };
  return {};
}

/** Start and end of each milestone kind, or undefined when it has not started. */
function spanOf(kind: MilestoneKind, c: CaseFacts, timeline: readonly TimelineFact[]): Span | undefined {
  const startedAt = Date.parse(c.createdAt);
  const cancelled = (e: TimelineFact) => e.to === 'cancelled';
  switch (kind) {
    case 'first_response':
      return {
        startedAt,
        ...endOf(
          first(timeline, (e) => e.from === 'received' && e.to !== 'cancelled'),
          first(timeline, cancelled),
        ),
      };
    case 'arrival':
      return {
        startedAt,
        ...endOf(
          first(timeline, (e) => e.to === 'on_site'),
          first(timeline, (e) => e.to === 'in_workshop' || e.to === 'completed' || e.to === 'cancelled'),
        ),
      };
    case 'repair_completion': {
      const start = first(timeline, (e) => e.action === 'diagnose');
      if (!start) return undefined;
      return {
        startedAt: Date.parse(start.at),
        ...endOf(
          first(timeline, (e) => e.to === 'completed', start.seq),
          first(timeline, cancelled, start.seq),
        ),
      };
    }
    case 'workshop_repair': {
      const start = first(timeline, (e) => e.to === 'in_workshop');
      if (!start) return undefined;
      return {
        startedAt: Date.parse(start.at),
        ...endOf(
          first(timeline, (e) => e.to === 'repaired', start.seq),
          first(timeline, cancelled, start.seq),
        ),
      };
    }
  }
}

/** The time limit of a milestone for the case's current zone and emergency flag. */
export function targetOf(
  kind: MilestoneKind,
  c: CaseFacts,
  policy: SlaPolicy,
): { clock: Clock; budgetMinutes: number } {
  switch (kind) {
    case 'first_response':
      return { clock: 'working', budgetMinutes: policy.firstResponseMinutes };
    case 'arrival':
      // A covering contract's response time replaces the policy's limits for its units (working hours).
      if (c.categoryDecision?.contractResponseHours)
        return { clock: 'working', budgetMinutes: c.categoryDecision.contractResponseHours * 60 };
      return c.emergency
        ? { clock: 'calendar', budgetMinutes: policy.emergencyArrivalHours * 60 }
        : { clock: 'working', budgetMinutes: policy.arrivalMinutes[c.zone] };
    case 'repair_completion':
      // The promise made at diagnosis is the limit; the policy default stands in when none was made.
      return {
        clock: 'working',
        budgetMinutes: c.diagnosis?.promisedWorkingMinutes ?? policy.repairCompletionMinutes,
      };
    case 'workshop_repair':
      return { clock: 'working', budgetMinutes: policy.workshopRepairMinutes };
  }
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** One milestone's state; `now` only decides `breached` and the running totals of an unfinished one. */
export function computeMilestone(
  kind: MilestoneKind,
  c: CaseFacts,
  timeline: readonly TimelineFact[],
  policy: SlaPolicy,
  cal: WorkingCalendar,
  now: Date,
): Milestone | undefined {
  const span = spanOf(kind, c, timeline);
  if (!span) return undefined;
  const { clock, budgetMinutes } = targetOf(kind, c, policy);
  const ops = clockOps(clock, cal);
  const end = span.metAt ?? span.cancelledAt;
  // Only holds that began before the milestone ended move it.
  const pauses = pausesOf(timeline).filter((p) => end === undefined || p.from < end);
  const due = runClock(ops, span.startedAt, budgetMinutes, pauses);
  const until = end ?? Math.max(now.getTime(), span.startedAt);
  const pausedMinutes = pausedWithin(ops, pauses, span.startedAt, until);
  const onHold = end === undefined && pauses.some((p) => p.to === undefined);
  const status: MilestoneStatus =
    span.metAt !== undefined
      ? 'met'
      : span.cancelledAt !== undefined
        ? 'cancelled'
        : onHold
          ? 'paused'
          : 'running';
  const ladder = kind === 'workshop_repair' ? policy.workshopLadder : policy.ladder;
  const steps = ladder.map((s): StepState => {
    const point = runClock(ops, span.startedAt, (budgetMinutes * s.percent) / 100, pauses);
    const fireAt =
      point === undefined || s.afterWorkingMinutes === 0
        ? point
        : addWorkingMinutes(cal, new Date(point), s.afterWorkingMinutes).getTime();
    return {
      id: s.id,
      percent: s.percent,
      notify: s.notify,
      level: s.level,
      ...(fireAt === undefined ? {} : { fireAt: new Date(fireAt).toISOString() }),
    };
  });
  const metAt = iso(span.metAt);
  const cancelledAt = iso(span.cancelledAt);
  const dueAt = iso(due);
  return {
    kind,
    clock,
    budgetMinutes,
    startedAt: new Date(span.startedAt).toISOString(),
    ...(dueAt ? { dueAt } : {}),
    status,
    ...(metAt ? { metAt } : {}),
    ...(cancelledAt ? { cancelledAt } : {}),
    // Met exactly at the due time is on time; unmet when the due time comes is a breach.
    breached:
      status !== 'cancelled' &&
      due !== undefined &&
      (span.metAt !== undefined ? span.metAt > due : now.getTime() >= due),
    pausedMinutes: round(pausedMinutes),
    activeMinutes: round(Math.max(0, ops.between(span.startedAt, until) - pausedMinutes)),
    steps,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Every started milestone of a case, in the order of {@link MilestoneKind}. */
export function computeMilestones(
  c: CaseFacts,
  timeline: readonly TimelineFact[],
  policy: SlaPolicy,
  cal: WorkingCalendar,
  now: Date,
): Milestone[] {
  const kinds: MilestoneKind[] = ['first_response', 'arrival', 'repair_completion', 'workshop_repair'];
  const sorted = [...timeline].sort((a, b) => a.seq - b.seq);
  return kinds
    .map((k) => computeMilestone(k, c, sorted, policy, cal, now))
    .filter((m): m is Milestone => m !== undefined);
}
