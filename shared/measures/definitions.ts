/**
 * The company's measures (SPEC §10), written once. Aggregates keep sums and counts only ("counters");
 * every KPI below is a ratio or a mean computed from counters summed over any period (a day, a month, a
 * year), so a month is exactly the sum of its days and nothing is ever averaged twice. `docs/measures.md`
 * says the same in prose.
 */

import type { ServiceCategory } from '../cases/category.ts';
import type { Case } from '../cases/model.ts';
import type { MilestoneMeasure } from '../sla/model.ts';
import { milestoneKinds } from '../sla/policy.ts';

/** Summed counters of one scope over a period: counter name → sum. */
export type Counters = Record<string, number>;

/** What kind of request a case is, for "response on time per request type": its SLA arrival rule. */
export const requestTypes = ['emergency', 'urban', 'suburban'] as const;
export type RequestType = (typeof requestTypes)[number];
export const requestTypeOf = (c: { emergency: boolean; zone: 'urban' | 'suburban' }): RequestType =>
  c.emergency ? 'emergency' : c.zone;

/** A case counts as a repeat of an earlier one for the same unit opened within this many days of its completion. */
export const FIRST_TIME_FIX_WINDOW_DAYS = 30;

/**
 * The fault a completed case is filed under for "most frequent faults": the product line (or model) and
 * the first error code (`E4`, `F12`, `H3`) found in the diagnosis findings or the reported symptoms;
 * `unclassified` without one. Knowledge-base fault codes (issue 16) take precedence once cases carry them.
 */
export function faultOf(c: Pick<Case, 'symptoms' | 'diagnosis' | 'product'>): string {
  const product = c.product.productLine ?? c.product.model;
  const code = /\b([A-Z]{1,2}\d{1,3})\b/.exec(`${c.diagnosis?.findings ?? ''} ${c.symptoms}`)?.[1];
  return `${product}/${code ?? 'unclassified'}`.slice(0, 120);
}

/**
 * Counter names. A name with a `:` suffix is a family (one counter per request type, category,
 * milestone or fault); the part before the `:` is its base.
 */
export const C = {
  /** Cases opened (per request type: `opened:<type>`). */
  opened: 'opened',
  /** Cases completed (per category: `completed:<A-D>`). */
  completed: 'completed',
  /** Visits of the completed cases, and their minutes on site and on the workshop bench. */
  visits: 'visits',
  minutes: 'minutes',
  /** Completed after at most one visit (remote guidance counts: no second trip was needed). */
  oneVisit: 'oneVisit',
  /** One-visit completions followed by a new case for the same unit within the window. */
  repeat: 'repeat',
  /** First responses of completed cases (`responded:<type>`), those on time, and their working minutes. */
  responded: 'responded',
  respondedOnTime: 'respondedOnTime',
  responseMinutes: 'responseMinutes',
  /** Completed cases with a promised repair time, and those completed within it. */
  repairPromised: 'repairPromised',
  repairOnTime: 'repairOnTime',
  /** Workshop repairs inspected, and those passed at the first inspection. */
  inspected: 'inspected',
  inspectedFirstPass: 'inspectedFirstPass',
  /** Completed cases per fault (`fault:<product>/<code>`). */
  fault: 'fault',
  /** Survey answers and the sum of their scores (1–5), on the day they were given. */
  surveyAnswers: 'surveyAnswers',
  surveyScore: 'surveyScore',
  /**
   * The technician scorecard's counters, on the card's service day (the month it reviews): cards sent
   * (mailed, or listed for a phone call), cards answered, and the sum of the levels (1–4) given to each
   * item (`surveyLevels:<item>`).
   */
  surveyCardsSent: 'surveyCardsSent',
  surveyCardsAnswered: 'surveyCardsAnswered',
  surveyLevels: 'surveyLevels',
  /** Complaints raised; handled, and handled on time (complaint workflow events, issue 14). */
  complaints: 'complaints',
  complaintsHandled: 'complaintsHandled',
  complaintsHandledOnTime: 'complaintsHandledOnTime',
  /** SLA steps: breaches (`slaBreaches:<milestone>`) and escalations to the manager. */
  slaBreaches: 'slaBreaches',
  escalations: 'escalations',
  /**
   * SLA milestones met (`slaMet:<milestone>`), those met on time, and their clock's minutes from start to
   * met (pauses excluded), on the branch's local day they were met: `/sla/measures`.
   */
  slaMet: 'slaMet',
  slaMetOnTime: 'slaMetOnTime',
  slaMetMinutes: 'slaMetMinutes',
  /** Parts used on cases (parts events, issue 12). */
  partsUsed: 'partsUsed',
  /** Maintenance contracts renewed and lapsed (renewal rate and churn). */
  contractsRenewed: 'contractsRenewed',
  contractsLapsed: 'contractsLapsed',
  /**
   * Return and exchange applications answered (`returnsDecided:<return|exchange>`), those approved, those
   * answered within their deadline, per cause (`returnCause:<cause>`) and responsible department
   * (`returnDepartment:<department>`).
   */
  returnsDecided: 'returnsDecided',
  returnsApproved: 'returnsApproved',
  returnsOnTime: 'returnsOnTime',
  returnCause: 'returnCause',
  returnDepartment: 'returnDepartment',
} as const;

export const family = (base: string, member: string) => `${base}:${member}`;
export const baseOf = (name: string) => name.split(':')[0] as string;

/** A KPI: how it is computed from counters and what it should reach. */
export interface KpiDefinition {
  id: string;
  title: string;
  /** `rate` 0–1, `score` 1–5, `minutes`. */
  unit: 'rate' | 'score' | 'minutes';
  /** The target, and whether the value must be at least (`min`) or at most it. */
  target?: { value: number; direction: 'min' | 'max' };
  numerator: (c: Counters) => number;
  denominator: (c: Counters) => number;
  /** One sentence, for the API reference and the docs. */
  definition: string;
}

const n = (c: Counters, name: string) => c[name] ?? 0;

const kpi = (d: KpiDefinition) => d;

/** Every KPI of SPEC §10, in the order reports list them. */
export const KPIS = [
  kpi({
    id: 'responseOnTime',
    title: 'Response on time',
    unit: 'rate',
    target: { value: 0.95, direction: 'min' },
    numerator: (c) => n(c, C.respondedOnTime),
    denominator: (c) => n(c, C.responded),
    definition:
      'Share of completed cases whose first response (SLA milestone) was met within its limit; also per request type.',
  }),
  kpi({
    id: 'firstTimeFix',
    title: 'First-time fix',
    unit: 'rate',
    target: { value: 0.8, direction: 'min' },
    numerator: (c) => n(c, C.oneVisit) - n(c, C.repeat),
    denominator: (c) => n(c, C.completed),
    definition: `Share of completed cases done in at most one visit with no new case for the same unit within ${FIRST_TIME_FIX_WINDOW_DAYS} days of completion.`,
  }),
  kpi({
    id: 'satisfaction',
    title: 'Satisfaction',
    unit: 'score',
    target: { value: 4.5, direction: 'min' },
    numerator: (c) => n(c, C.surveyScore),
    denominator: (c) => n(c, C.surveyAnswers),
    definition: 'Mean survey score (1–5) of the answers received in the period.',
  }),
  kpi({
    id: 'repairOnTime',
    title: 'Repair on time',
    unit: 'rate',
    numerator: (c) => n(c, C.repairOnTime),
    denominator: (c) => n(c, C.repairPromised),
    definition: 'Share of completed cases with a promised repair time that were completed within it.',
  }),
  kpi({
    id: 'repairQuality',
    title: 'Repair quality pass rate',
    unit: 'rate',
    numerator: (c) => n(c, C.inspectedFirstPass),
    denominator: (c) => n(c, C.inspected),
    definition: 'Share of inspected workshop repairs that passed their first inspection.',
  }),
  kpi({
    id: 'complaintOnTime',
    title: 'Complaint handled on time',
    unit: 'rate',
    numerator: (c) => n(c, C.complaintsHandledOnTime),
    denominator: (c) => n(c, C.complaintsHandled),
    definition:
      'Share of complaints handled (closed) within their deadline; fed by the complaint workflow events.',
  }),
  kpi({
    id: 'firstResponseMinutes',
    title: 'First response time',
    unit: 'minutes',
    target: { value: 30, direction: 'max' },
    numerator: (c) => n(c, C.responseMinutes),
    denominator: (c) => n(c, C.responded),
    definition: 'Mean working minutes from the request to its first response, over completed cases.',
  }),
] as const;

export type KpiId = (typeof KPIS)[number]['id'];

export interface KpiValue {
  id: KpiId;
  title: string;
  unit: KpiDefinition['unit'];
  numerator: number;
  denominator: number;
  /** numerator / denominator, rounded to 4 decimals; null without a denominator. */
  value: number | null;
  target: number | null;
  /** Whether the value reaches its target; null without a value or without a target. */
  meetsTarget: boolean | null;
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

/** Every KPI of a period from its summed counters. */
export function kpisOf(c: Counters): KpiValue[] {
  return KPIS.map((d) => {
    const num = d.numerator(c);
    const den = d.denominator(c);
    const value = den > 0 ? round4(num / den) : null;
    const target = 'target' in d && d.target ? d.target : undefined;
    return {
      id: d.id,
      title: d.title,
      unit: d.unit,
      numerator: num,
      denominator: den,
      value,
      target: target?.value ?? null,
      // Decided on the exact ratio, not the rounded one.
      meetsTarget:
        value === null || !target
          ? null
          : target.direction === 'min'
            ? num >= target.value * den - 1e-9
            : num <= target.value * den + 1e-9,
    };
  });
}

/** Response on time per request type. */
export function responseByType(
  c: Counters,
): Record<RequestType, { responded: number; onTime: number; rate: number | null }> {
  return Object.fromEntries(
    requestTypes.map((t) => {
      const responded = n(c, family(C.responded, t));
      const onTime = n(c, family(C.respondedOnTime, t));
      return [t, { responded, onTime, rate: responded ? round4(onTime / responded) : null }];
    }),
  ) as Record<RequestType, { responded: number; onTime: number; rate: number | null }>;
}

/** Milestones met, on time, on-time rate and average minutes, per SLA milestone kind (SPEC §10). */
export function milestoneMeasures(c: Counters): MilestoneMeasure[] {
  return milestoneKinds.map((kind) => {
    const met = n(c, family(C.slaMet, kind));
    const onTime = n(c, family(C.slaMetOnTime, kind));
    const minutes = n(c, family(C.slaMetMinutes, kind));
    return {
      milestone: kind,
      met,
      onTime,
      onTimeRate: met ? round4(onTime / met) : null,
      averageMinutes: met ? Math.round((minutes / met) * 100) / 100 : null,
    };
  });
}

/** Jobs by service category (SPEC §3: A paid, B contract, C warranty, D internal). */
export function jobsByCategory(c: Counters): Record<ServiceCategory, number> {
  return {
    A: n(c, family(C.completed, 'A')),
    B: n(c, family(C.completed, 'B')),
    C: n(c, family(C.completed, 'C')),
    D: n(c, family(C.completed, 'D')),
  };
}

/** The most frequent faults of the counters, most cases first (ties by name). */
export function topFaults(c: Counters, limit: number): Array<{ fault: string; cases: number }> {
  const prefix = `${C.fault}:`;
  return Object.entries(c)
    .filter(([k, v]) => k.startsWith(prefix) && v > 0)
    .map(([k, v]) => ({ fault: k.slice(prefix.length), cases: v }))
    .sort((a, b) => b.cases - a.cases || (a.fault < b.fault ? -1 : 1))
    .slice(0, limit);
}

/** Sums counters. */
export function sumCounters(all: readonly Counters[]): Counters {
  const out: Counters = {};
  for (const c of all) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * Company-wide counters the consumer also emits as CloudWatch metrics (EMF, namespace `Aftercare`): the
 * ops dashboard computes the KPI rates from them with metric math, and the alarms watch them.
 */
export const METRIC_NAMES: Readonly<Record<string, string>> = {
  [C.opened]: 'CasesOpened',
  [C.completed]: 'CasesCompleted',
  [C.oneVisit]: 'OneVisitCompletions',
  [C.repeat]: 'RepeatCases',
  [C.responded]: 'FirstResponses',
  [C.respondedOnTime]: 'FirstResponsesOnTime',
  [C.repairPromised]: 'RepairsPromised',
  [C.repairOnTime]: 'RepairsOnTime',
  [C.inspected]: 'RepairsInspected',
  [C.inspectedFirstPass]: 'InspectionsPassedFirst',
  [C.surveyAnswers]: 'SurveyAnswers',
  [C.surveyScore]: 'SurveyScoreSum',
  [C.complaints]: 'ComplaintsRaised',
  [C.slaBreaches]: 'SlaBreaches',
  [C.escalations]: 'Escalations',
};
