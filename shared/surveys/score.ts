/**
 * Survey scoring: the arithmetic behind the technician scorecard and the company target.
 *
 * A survey card rates the technician on four items, each on four levels (000 (二十五)):
 *
 * | level | meaning (en)      | 含义       | score (1–5) |
 * |------:|-------------------|------------|------------:|
 * |     1 | very dissatisfied | 很不满意   |        1.00 |
 * |     2 | dissatisfied      | 不满意     |        2.33 |
 * |     3 | satisfied         | 满意       |        3.67 |
 * |     4 | very satisfied    | 很满意     |        5.00 |
 *
 * The company target is stated on a 1–5 scale (average satisfaction ≥ 4.5, 001 五(二)), but the
 * card has four levels, so levels are mapped linearly onto 1–5: `score = 1 + (level − 1) × 4/3`.
 * The ends coincide (worst = 1, best = 5) and the steps are equal, so no level is favoured. With
 * this mapping 4.5 corresponds to a mean level of 3.625: the target means "almost all answers very
 * satisfied" (e.g. at least 5 of every 8 ratings at level 4 and the rest at level 3).
 *
 * Values are kept at full precision; `display` fields carry the same numbers rounded to 2 decimals
 * for presentation only — never aggregate the rounded values.
 */
import * as z from 'zod/mini';
import { lazySchema } from '../validation.ts';

/** The four rated items, in the order they appear on the card and in e-mail replies. */
export const SURVEY_ITEMS = ['attitude', 'skill', 'arrival', 'promise'] as const;
export type SurveyItem = (typeof SURVEY_ITEMS)[number];

/** The four levels, worst first. */
export const SURVEY_LEVELS = [1, 2, 3, 4] as const;
export type SurveyLevel = (typeof SURVEY_LEVELS)[number];

/** One customer's ratings, one level per item. */
export type SurveyAnswers = Record<SurveyItem, SurveyLevel>;

/** Ratings as stored on cards, replies and complaints: one number per item (levels checked on input). */
export const ratingsSchema = lazySchema(() =>
  z.object({
    attitude: z.number(),
    skill: z.number(),
    arrival: z.number(),
    promise: z.number(),
  }),
);

/** Company target for the average satisfaction score, on the 1–5 scale. */
export const SATISFACTION_TARGET = 4.5;

// Scores are reviewed per calendar month, as part of the technician's monthly performance (000 (二十三)).
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** True when `value` is one of the four survey levels (an integer 1–4). */
export function isSurveyLevel(value: unknown): value is SurveyLevel {
  return value === 1 || value === 2 || value === 3 || value === 4;
}

/**
 * Maps a card level (1–4) onto the 1–5 satisfaction scale: `1 + (level − 1) × 4/3`.
 *
 * @throws RangeError when `level` is not an integer 1–4.
 */
export function levelToScore(level: number): number {
  return meanLevelToScore(checkedLevel('level', level));
}

/**
 * Mean score (1–5) of one answer's four items.
 *
 * @throws RangeError when an item's level is not an integer 1–4.
 */
export function answerScore(answers: SurveyAnswers): number {
  const sum = SURVEY_ITEMS.reduce((total, item) => total + checkedLevel(item, answers[item]), 0);
  return meanLevelToScore(sum / SURVEY_ITEMS.length);
}

/**
 * True when a survey answer must be handled as a complaint (SPEC §7/§8): any item rated
 * "very dissatisfied", or the customer ticked "this is a complaint".
 *
 * The tick counts even with a blank comment: the customer said they are complaining, and every
 * complaining customer gets a supervisor's visit (000 (二十八)), who can ask what went wrong.
 * The comment text itself is deliberately not scanned for keywords: a suggestion is not a
 * complaint unless the customer says so or the ratings show it.
 */
export function isComplaint(
  answers: SurveyAnswers,
  comment: string | undefined,
  flaggedAsComplaint: boolean,
): boolean {
  void comment; // Part of the signature so callers pass the whole answer; see above for why unused.
  return flaggedAsComplaint || SURVEY_ITEMS.some((item) => answers[item] === 1);
}

/** One received answer, attributed to the technician who served and the month of service. */
export interface AnsweredCard {
  technicianId: string;
  /** `YYYY-MM`. */
  month: string;
  answers: SurveyAnswers;
}

/** One card sent (answered or not), for the response rate. */
export interface SentCard {
  technicianId: string;
  /** `YYYY-MM`. */
  month: string;
}

/** Average level (1–4) and average score (1–5) of one item; `null` when nothing was answered. */
export interface ItemAverage {
  averageLevel: number | null;
  averageScore: number | null;
}

/** The numbers of a scorecard row or of the company total, rounded to 2 decimals for display. */
export interface ScoreDisplay {
  items: Record<SurveyItem, { averageLevel: number | null; averageScore: number | null }>;
  overallScore: number | null;
  /** Response rate as a percentage (0–100), 2 decimals. */
  responseRatePercent: number | null;
}

/** Scorecard of one technician for one month. */
export interface TechnicianMonthScore {
  technicianId: string;
  month: string;
  /** Cards sent for this technician and month. */
  sent: number;
  /** Answers received. */
  answered: number;
  /** `answered / sent` (0–1); `null` when no card was recorded as sent. */
  responseRate: number | null;
  items: Record<SurveyItem, ItemAverage>;
  /** Mean of the answers' scores (1–5); `null` without answers. */
  overallScore: number | null;
  display: ScoreDisplay;
}

/** Company-wide totals over every row of the scorecard. */
export interface CompanyScore {
  sent: number;
  answered: number;
  responseRate: number | null;
  items: Record<SurveyItem, ItemAverage>;
  /** Mean of all answers' scores: each customer weighs the same, whichever technician served. */
  overallScore: number | null;
  target: number;
  /** `overallScore ≥ 4.5`, decided exactly (see {@link scorecard}); false without answers. */
  meetsTarget: boolean;
  display: ScoreDisplay;
}

export interface Scorecard {
  /** One row per technician and month with a card sent or an answer, sorted by month then technician. */
  rows: TechnicianMonthScore[];
  company: CompanyScore;
}

/**
 * Builds the monthly scorecard per technician and the company-wide score.
 *
 * Every card sent should be listed in `sent`, answered or not; a row with answers but no recorded
 * card keeps `sent` as given (the rate then exceeds 1) rather than hiding the inconsistency.
 *
 * The target is checked on level sums with integers: score ≥ 4.5 ⇔ mean level ≥ 3.625 ⇔
 * 2 × Σlevels ≥ 29 × answers (Σ over all four items of all answers), so a company exactly at 4.5
 * is not failed by floating-point error.
 *
 * @throws RangeError on a month that is not `YYYY-MM` or a level that is not 1–4.
 */
export function scorecard(answers: readonly AnsweredCard[], sent: readonly SentCard[]): Scorecard {
  const rows = new Map<string, ScoreTally & { technicianId: string; month: string }>();
  const rowFor = (technicianId: string, month: string) => {
    if (!MONTH.test(month)) throw new RangeError(`month must be YYYY-MM, got ${month}`);
    // JSON keeps the key unambiguous whatever characters an id contains.
    const key = JSON.stringify([month, technicianId]);
    let row = rows.get(key);
    if (!row) {
      row = { technicianId, month, ...emptyTally() };
      rows.set(key, row);
    }
    return row;
  };

  const company = emptyTally();
  for (const card of sent) {
    rowFor(card.technicianId, card.month).sent += 1;
    company.sent += 1;
  }
  for (const answer of answers) {
    const row = rowFor(answer.technicianId, answer.month);
    for (const tally of [row, company]) addAnswer(tally, answer.answers);
  }
  return scorecardOf([...rows.values()], company);
}

/**
 * The scorecard of counted cards: one tally per technician and month, and the company's (sums and counts
 * only, so a month's tally is the sum of its days' tallies). Rows are sorted by month, then technician.
 */
export function scorecardOf(
  rows: ReadonlyArray<ScoreTally & { technicianId: string; month: string }>,
  company: ScoreTally,
): Scorecard {
  const sortedRows = [...rows].sort(
    (a, b) => compare(a.month, b.month) || compare(a.technicianId, b.technicianId),
  );
  return {
    rows: sortedRows.map((row) => ({ technicianId: row.technicianId, month: row.month, ...summarise(row) })),
    company: {
      ...summarise(company),
      target: SATISFACTION_TARGET,
      meetsTarget: company.answered > 0 && 2 * totalLevels(company) >= 29 * company.answered,
    },
  };
}

/** What a scorecard line is computed from: cards sent, cards answered, and the sum of each item's levels. */
export interface ScoreTally {
  sent: number;
  answered: number;
  levelSums: Record<SurveyItem, number>;
}

export function emptyTally(): ScoreTally {
  return { sent: 0, answered: 0, levelSums: { attitude: 0, skill: 0, arrival: 0, promise: 0 } };
}

function addAnswer(tally: ScoreTally, answers: SurveyAnswers): void {
  for (const item of SURVEY_ITEMS) {
    tally.levelSums[item] += checkedLevel(item, answers[item]);
  }
  tally.answered += 1;
}

// Levels arrive from stored data typed as numbers; a silent NaN or 7 would corrupt every average.
function checkedLevel(what: string, level: number): SurveyLevel {
  if (!isSurveyLevel(level)) throw new RangeError(`survey ${what} must be an integer 1-4, got ${level}`);
  return level;
}

function totalLevels(tally: ScoreTally): number {
  return SURVEY_ITEMS.reduce((sum, item) => sum + tally.levelSums[item], 0);
}

/** The mapping is linear, so the mean of scores equals the score of the mean level. */
function meanLevelToScore(meanLevel: number): number {
  return 1 + ((meanLevel - 1) * 4) / 3;
}

function summarise(tally: ScoreTally): Omit<TechnicianMonthScore, 'technicianId' | 'month'> {
  const { sent, answered } = tally;
  const items = {} as Record<SurveyItem, ItemAverage>;
  for (const item of SURVEY_ITEMS) {
    const averageLevel = answered > 0 ? tally.levelSums[item] / answered : null;
    items[item] = {
      averageLevel,
      averageScore: averageLevel === null ? null : meanLevelToScore(averageLevel),
    };
  }
  const overallScore =
    answered > 0 ? meanLevelToScore(totalLevels(tally) / (answered * SURVEY_ITEMS.length)) : null;
  const responseRate = sent > 0 ? answered / sent : null;

  const displayItems = {} as ScoreDisplay['items'];
  for (const item of SURVEY_ITEMS) {
    displayItems[item] = {
      averageLevel: round2(items[item].averageLevel),
      averageScore: round2(items[item].averageScore),
    };
  }
  return {
    sent,
    answered,
    responseRate,
    items,
    overallScore,
    display: {
      items: displayItems,
      overallScore: round2(overallScore),
      responseRatePercent: round2(responseRate === null ? null : responseRate * 100),
    },
  };
}

/** Rounds to 2 decimals, for display only. */
function round2(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
