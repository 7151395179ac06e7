/**
 * What each domain event adds to the daily aggregates: one small table per domain (detail-type → the
 * event's identity and its increments), merged into {@link measureRules}. The consumer's rules and
 * operations are derived from the merged table, so a domain adds its events here and nowhere else.
 *
 * An event's identity (`key`) comes from its detail, not from EventBridge's envelope id: the outbox relay
 * may publish the same event twice (a stream replay), and each publish gets a new envelope id.
 *
 * The case increments are pure functions of the stored case (and its SLA milestones), shared with the
 * nightly recompute, so the live numbers and the recomputed ones cannot follow two definitions.
 */
import type { DetailType, EventDetail } from '../../events/registry.ts';
import type { Case } from '../cases/model.ts';
import { localDay } from '../cases/numbering.ts';
import type { MetRecord, StoredMilestone } from '../sla/model.ts';
import {
  C,
  type Counters,
  FIRST_TIME_FIX_WINDOW_DAYS,
  family,
  faultOf,
  requestTypeOf,
} from './definitions.ts';
import type { Scope } from './model.ts';

/** Counters added to one day of some scopes. */
export interface Increment {
  day: string;
  scopes: Scope[];
  counters: Counters;
}

/**
 * Increments that count at most once whatever event brings them (e.g. the repeat of an earlier case):
 * applied only with the first claim of `claim`.
 */
export interface ClaimedIncrement extends Increment {
  claim: string;
}

export interface Contribution {
  increments: Increment[];
  claimed?: ClaimedIncrement[];
}

/** The source records a rule may read (consistent reads of the case partition and the customer's cases). */
export interface MeasureSources {
  getCase(caseId: string): Promise<Case | undefined>;
  milestones(caseId: string): Promise<StoredMilestone[]>;
  casesOfCustomer(customerId: string): Promise<Case[]>;
}

export interface RuleContext {
  sources: MeasureSources;
  timeZone: string;
}

export interface MeasureRule<T extends DetailType> {
  /** The event's identity, stable across redelivery and replay. */
  key(detail: EventDetail<T>): string;
  contribution(detail: EventDetail<T>, ctx: RuleContext): Promise<Contribution>;
}

export type MeasureTable = { [T in DetailType]?: MeasureRule<T> };

const dayOf = (at: string, timeZone: string) => localDay(new Date(at), timeZone);
const company: Scope = { kind: 'company' };
const branch = (branchId: string): Scope => ({ kind: 'branch', branchId });
const technician = (technicianId: string, branchId: string): Scope => ({
  kind: 'technician',
  technicianId,
  branchId,
});
const caseScopes = (c: Pick<Case, 'branchId' | 'technicianId'>): Scope[] => [
  company,
  branch(c.branchId),
  ...(c.technicianId ? [technician(c.technicianId, c.branchId)] : []),
];

/** A case opened: counted on its creation day, per request type. */
export function openedIncrement(c: Case, timeZone: string): Increment {
  return {
    day: dayOf(c.createdAt, timeZone),
    scopes: [company, branch(c.branchId)],
    counters: { [C.opened]: 1, [family(C.opened, requestTypeOf(c))]: 1 },
  };
}

/** Working minutes the technicians spent on a case: visits on site plus the workshop repair card. */
export const minutesSpent = (c: Case) =>
  c.visits.reduce((s, v) => s + v.minutes, 0) +
  (c.workshop?.repairCard ?? []).reduce((s, r) => s + r.minutes, 0);

/**
 * A case completed, counted on its completion day with everything about it: category, visits, minutes,
 * first response (from its SLA milestone), promised repair time, first inspection, fault.
 */
export function completionIncrement(c: Case, milestones: StoredMilestone[], timeZone: string): Increment {
  const completedAt = c.completedAt ?? c.updatedAt;
  const type = requestTypeOf(c);
  const counters: Counters = {
    [C.completed]: 1,
    [family(C.completed, c.category)]: 1,
    [C.visits]: c.visits.length,
    [C.minutes]: minutesSpent(c),
    [family(C.fault, faultOf(c))]: 1,
  };
  if (c.visits.length <= 1) counters[C.oneVisit] = 1;
  const response = milestones.find((m) => m.kind === 'first_response');
  if (response?.status === 'met') {
    const onTime = response.breached ? 0 : 1;
    Object.assign(counters, {
      [C.responded]: 1,
      [family(C.responded, type)]: 1,
      [C.respondedOnTime]: onTime,
      [family(C.respondedOnTime, type)]: onTime,
      [C.responseMinutes]: response.activeMinutes,
    });
  }
  const repair = milestones.find((m) => m.kind === 'repair_completion');
  if (repair && repair.status !== 'cancelled') {
    // The SLA clock may not have seen the completion yet: then the due time decides.
    const onTime =
      repair.status === 'met'
        ? !repair.breached
        : !repair.breached && (!repair.dueAt || completedAt <= repair.dueAt);
    counters[C.repairPromised] = 1;
    counters[C.repairOnTime] = onTime ? 1 : 0;
  }
  const inspections = c.workshop?.inspections ?? [];
  const first = inspections[0];
  if (first) {
    counters[C.inspected] = 1;
    counters[C.inspectedFirstPass] = first.result === 'pass' ? 1 : 0;
  }
  return { day: dayOf(completedAt, timeZone), scopes: caseScopes(c), counters: withoutZeros(counters) };
}

function withoutZeros(c: Counters): Counters {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0));
}

const sameUnit = (a: Case, b: Case) =>
  a.id !== b.id &&
  (a.unitId && b.unitId ? a.unitId === b.unitId : a.product.serialNumber === b.product.serialNumber);

/**
 * The completed case a new case repeats: the latest completion for the same unit before the new case
 * was opened, within the first-time-fix window; undefined when there is none.
 */
export function repeatedCase(opened: Case, customerCases: readonly Case[]): Case | undefined {
  const windowStart = new Date(
    new Date(opened.createdAt).getTime() - FIRST_TIME_FIX_WINDOW_DAYS * 86_400_000,
  ).toISOString();
  const earlier = customerCases
    .filter(
      (c) =>
        sameUnit(c, opened) &&
        c.completedAt &&
        c.completedAt < opened.createdAt &&
        c.completedAt >= windowStart,
    )
    .sort((a, b) => ((a.completedAt as string) < (b.completedAt as string) ? 1 : -1))[0];
  return earlier;
}

/** The repeat counted against an earlier one-visit completion (on that completion's day and scopes). */
export function repeatIncrement(earlier: Case, timeZone: string): ClaimedIncrement | undefined {
  if (earlier.visits.length > 1 || !earlier.completedAt) return undefined;
  return {
    claim: `repeat#${earlier.id}`,
    day: dayOf(earlier.completedAt, timeZone),
    scopes: caseScopes(earlier),
    counters: { [C.repeat]: 1 },
  };
}

const none: Contribution = { increments: [] };

/** Cases (SPEC §3–§4). */
export const caseMeasureRules = {
  'Case Opened': {
    key: (d) => `opened#${d.caseId}`,
    async contribution(d, { sources, timeZone }) {
      const c = await sources.getCase(d.caseId);
      if (!c) throw new Error(`case ${d.caseId} of Case Opened is not stored`);
      const earlier = repeatedCase(c, await sources.casesOfCustomer(c.customer.id));
      const repeat = earlier && repeatIncrement(earlier, timeZone);
      return { increments: [openedIncrement(c, timeZone)], ...(repeat ? { claimed: [repeat] } : {}) };
    },
  },
  'Case Status Changed': {
    key: (d) => `status#${d.caseId}#${d.to}#${d.at}`,
    async contribution(d, { sources, timeZone }) {
      if (d.to !== 'completed') return none;
      const c = await sources.getCase(d.caseId);
      if (!c) throw new Error(`case ${d.caseId} of Case Status Changed is not stored`);
      const milestones = await sources.milestones(d.caseId);
      // The SLA clock keeps the milestones from the same case events, a moment apart from this consumer.
      // Count the completion once the clock has seen this version of the case (its milestones carry the
      // version they were computed from); before that, fail so the queue delivers the event again. So the
      // live count and the nightly recompute read the same milestones.
      if (!milestones.some((m) => m.caseVersion >= c.version))
        throw new Error(`the SLA clock has not yet seen version ${c.version} of case ${c.id}; retried`);
      return { increments: [completionIncrement(c, milestones, timeZone)] };
    },
  },
} satisfies MeasureTable;

/** Who a survey card is about, and the day it reviews. */
type CardRef = { branchId: string; technicianId: string; serviceDay: string };

/** A survey card went out (mailed, or listed for a phone call): counted on its service day. */
export const cardSentIncrement = (card: CardRef): Increment => ({
  day: card.serviceDay,
  scopes: caseScopes(card),
  counters: { [C.surveyCardsSent]: 1 },
});

/** A survey card answered: counted with each item's level (1–4) on the card's service day. */
export function cardAnsweredIncrement(card: CardRef, answers: Record<string, number>): Increment {
  const counters: Counters = { [C.surveyCardsAnswered]: 1 };
  for (const [item, level] of Object.entries(answers)) counters[family(C.surveyLevels, item)] = level;
  return { day: card.serviceDay, scopes: caseScopes(card), counters };
}

/**
 * Surveys (SPEC §7): satisfaction from each answer, on the day it was given; the technician scorecard's
 * cards sent and answered with their levels, on the card's service day, so a month's scorecard is the
 * sum of its days.
 */
export const surveyMeasureRules = {
  'Survey Card Sent': {
    key: (d) => `survey-sent#${d.cardId}`,
    contribution: async (d) => ({ increments: [cardSentIncrement(d)] }),
  },
  'Survey Answered': {
    key: (d) => `survey#${d.cardId}`,
    contribution: async (d, { timeZone }) => ({
      increments: [
        {
          day: dayOf(d.at, timeZone),
          scopes: caseScopes(d),
          counters: { [C.surveyAnswers]: 1, [C.surveyScore]: d.score },
        },
        ...(d.serviceDay && d.answers
          ? [cardAnsweredIncrement({ ...d, serviceDay: d.serviceDay }, d.answers)]
          : []),
      ],
    }),
  },
} satisfies MeasureTable;

/**
 * Complaints (SPEC §8): raised on the day they came in; handled, and handled on time (closed within the
 * complaint's deadline), on the day the investigation closed them — all the "complaint handled on time"
 * KPI reads. A complaint closes once: a reopened one closes again only as the same complaint's last round.
 */
export const complaintMeasureRules = {
  'Complaint Raised': {
    key: (d) => `complaint#${d.complaintId}`,
    contribution: async (d, { timeZone }) => ({
      increments: [{ day: dayOf(d.at, timeZone), scopes: caseScopes(d), counters: { [C.complaints]: 1 } }],
    }),
  },
  'Complaint Closed': {
    key: (d) => `complaint-closed#${d.complaintId}`,
    contribution: async (d, { timeZone }) => ({
      increments: [
        {
          day: dayOf(d.closedAt, timeZone),
          scopes: [company, branch(d.branchId)],
          counters: { [C.complaintsHandled]: 1, [C.complaintsHandledOnTime]: d.onTime ? 1 : 0 },
        },
      ],
    }),
  },
} satisfies MeasureTable;

/**
 * A milestone met, as its met record keeps it: counted per milestone kind on the branch's local day it was
 * met (`/sla/measures`). The event carries the record, so live and recomputed numbers are the same.
 */
export const milestoneMetIncrement = (m: MetRecord): Increment => ({
  day: m.day,
  scopes: [company, branch(m.branchId)],
  counters: withoutZeros({
    [family(C.slaMet, m.milestone)]: 1,
    [family(C.slaMetOnTime, m.milestone)]: m.onTime ? 1 : 0,
    [family(C.slaMetMinutes, m.milestone)]: m.activeMinutes,
  }),
});

/**
 * SLA (SPEC §4, §10): milestones met, on time and their minutes; escalation steps: breaches per milestone
 * and escalations to the manager.
 */
export const slaMeasureRules = {
  'SLA Milestone Met': {
    key: (d) => `met#${d.caseId}#${d.milestone}#${d.metAt}`,
    contribution: async (d) => ({ increments: [milestoneMetIncrement(d)] }),
  },
  'SLA Breached': {
    key: (d) => `breach#${d.caseId}#${d.milestone}#${d.step}`,
    contribution: async (d, { timeZone }) => ({
      increments: [
        {
          day: dayOf(d.at, timeZone),
          scopes: [company, branch(d.branchId)],
          counters: { [C.slaBreaches]: 1, [family(C.slaBreaches, d.milestone)]: 1 },
        },
      ],
    }),
  },
  'Case Escalated': {
    key: (d) => `escalated#${d.caseId}#${d.milestone}#${d.step}`,
    contribution: async (d, { timeZone }) => ({
      increments: [
        {
          day: dayOf(d.at, timeZone),
          scopes: [company, branch(d.branchId)],
          counters: { [C.escalations]: 1 },
        },
      ],
    }),
  },
} satisfies MeasureTable;

/** Contracts and returns (SPEC §6, §6a): renewal and churn, returns by cause and responsible department. */
export const warrantyMeasureRules = {
  'Contract Renewed': {
    key: (d) => `renewed#${d.contractId}#${d.term}`,
    contribution: async (d, { timeZone }) => ({
      increments: [
        {
          day: dayOf(d.at, timeZone),
          scopes: [company, branch(d.branchId)],
          counters: { [C.contractsRenewed]: 1 },
        },
      ],
    }),
  },
  'Contract Lapsed': {
    key: (d) => `lapsed#${d.contractId}#${d.term}`,
    contribution: async (d, { timeZone }) => ({
      increments: [
        {
          day: dayOf(d.at, timeZone),
          scopes: [company, branch(d.branchId)],
          counters: { [C.contractsLapsed]: 1 },
        },
      ],
    }),
  },
  'Return Decided': {
    key: (d) => `return#${d.returnId}`,
    contribution: async (d, { timeZone }) => ({
      increments: [
        {
          day: dayOf(d.at, timeZone),
          scopes: [company, branch(d.branchId)],
          counters: {
            [C.returnsDecided]: 1,
            [family(C.returnsDecided, d.kind)]: 1,
            [C.returnsApproved]: d.approved ? 1 : 0,
            [C.returnsOnTime]: d.onTime ? 1 : 0,
            [family(C.returnCause, d.cause)]: 1,
            [family(C.returnDepartment, d.department)]: 1,
          },
        },
      ],
    }),
  },
} satisfies MeasureTable;

/** Every domain's table. Parts (issue 12) and complaints (issue 14) add theirs here after merging. */
export const measureRules = {
  ...caseMeasureRules,
  ...surveyMeasureRules,
  ...complaintMeasureRules,
  ...slaMeasureRules,
  ...warrantyMeasureRules,
} satisfies MeasureTable;

/** The detail-types the aggregates follow (the consumer's rule). */
export const measuredDetailTypes = Object.keys(measureRules) as Array<keyof typeof measureRules>;

/**
 * Counter bases the nightly recompute rebuilds from stored records: cases, survey cards of the cases
 * completed that day, milestones' met records (the rest come only from their events).
 */
export const RECOMPUTED_BASES: readonly string[] = [
  C.opened,
  C.completed,
  C.visits,
  C.minutes,
  C.oneVisit,
  C.repeat,
  C.responded,
  C.respondedOnTime,
  C.responseMinutes,
  C.repairPromised,
  C.repairOnTime,
  C.inspected,
  C.inspectedFirstPass,
  C.fault,
  C.surveyCardsSent,
  C.surveyCardsAnswered,
  C.surveyLevels,
  C.slaMet,
  C.slaMetOnTime,
  C.slaMetMinutes,
];
