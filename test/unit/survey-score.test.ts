import { describe, expect, it } from 'vitest';
import {
  type AnsweredCard,
  answerScore,
  isComplaint,
  levelToScore,
  type SentCard,
  type SurveyAnswers,
  scorecard,
} from '../../shared/surveys/score.ts';

function answers(attitude: number, skill: number, arrival: number, promise: number): SurveyAnswers {
  return { attitude, skill, arrival, promise } as SurveyAnswers;
}

function sentCards(technicianId: string, month: string, count: number): SentCard[] {
  return Array.from({ length: count }, () => ({ technicianId, month }));
}

describe('levelToScore', () => {
  it.each([
    [1, 1],
    [2, 7 / 3],
    [3, 11 / 3],
    [4, 5],
  ])('maps level %i to %f on the 1–5 scale', (level, score) => {
    expect(levelToScore(level)).toBeCloseTo(score, 12);
  });

  it.each([0, 5, 2.5, Number.NaN, -1])('refuses level %s', (level) => {
    expect(() => levelToScore(level)).toThrow(RangeError);
  });
});

describe('answerScore', () => {
  it.each([
    ['all very satisfied', answers(4, 4, 4, 4), 5],
    ['all very dissatisfied', answers(1, 1, 1, 1), 1],
    ['mean level 3.5', answers(4, 3, 4, 3), 13 / 3],
    ['mean level 3.75', answers(4, 4, 3, 4), 14 / 3],
    ['one of each level', answers(1, 2, 3, 4), 3],
  ])('scores %s as the mean of the item scores', (_, given, expected) => {
    // Act
    const score = answerScore(given);

    // Assess
    expect(score).toBeCloseTo(expected, 12);
    const meanOfItems = (Object.values(given) as number[]).reduce((s, l) => s + levelToScore(l), 0) / 4;
    expect(score).toBeCloseTo(meanOfItems, 12);
  });

  it('refuses an answer with a level out of range', () => {
    expect(() => answerScore(answers(4, 4, 4, 7))).toThrow(RangeError);
  });
});

describe('isComplaint', () => {
  it.each([
    ['all satisfied, no tick', false, answers(3, 4, 3, 4), '', false],
    ['a suggestion without a tick', false, answers(2, 2, 2, 2), 'Please call before coming.', false],
    ['one item very dissatisfied', true, answers(4, 4, 1, 4), '', false],
    ['the tick, with text', true, answers(4, 4, 4, 4), 'The technician was rude.', true],
    ['the tick, even without text', true, answers(4, 4, 4, 4), '', true],
    ['the tick with no comment at all', true, answers(3, 3, 3, 3), undefined, true],
  ])('%s: complaint is %s', (_, expected, given, comment, flagged) => {
    expect(isComplaint(given, comment, flagged)).toBe(expected);
  });
});

describe('scorecard', () => {
  // Seeded data, hand-computed below:
  //  t1 2025-03: 4 sent; answers (4,4,4,4) (4,4,3,4) (3,4,4,4)  → levels sum 46 over 12 ratings
  //  t1 2025-04: 2 sent; answer  (2,3,3,2)                      → sum 10 over 4
  //  t2 2025-03: 3 sent; answers (4,4,4,4) (1,2,3,4)            → sum 26 over 8
  //  t3 2025-04: 1 sent; no answer
  const seededAnswers: AnsweredCard[] = [
    { technicianId: 't2', month: '2025-03', answers: answers(4, 4, 4, 4) },
    { technicianId: 't1', month: '2025-03', answers: answers(4, 4, 4, 4) },
    { technicianId: 't1', month: '2025-04', answers: answers(2, 3, 3, 2) },
    { technicianId: 't1', month: '2025-03', answers: answers(4, 4, 3, 4) },
    { technicianId: 't2', month: '2025-03', answers: answers(1, 2, 3, 4) },
    { technicianId: 't1', month: '2025-03', answers: answers(3, 4, 4, 4) },
  ];
  const seededSent: SentCard[] = [
    ...sentCards('t3', '2025-04', 1),
    ...sentCards('t1', '2025-03', 4),
    ...sentCards('t2', '2025-03', 3),
    ...sentCards('t1', '2025-04', 2),
  ];

  it('lists one row per technician and month, sorted by month then technician', () => {
    // Act
    const { rows } = scorecard(seededAnswers, seededSent);

    // Assess
    expect(rows.map((r) => [r.month, r.technicianId])).toEqual([
      ['2025-03', 't1'],
      ['2025-03', 't2'],
      ['2025-04', 't1'],
      ['2025-04', 't3'],
    ]);
  });

  it('averages each item and the overall score of a technician-month', () => {
    // Act
    const row = scorecard(seededAnswers, seededSent).rows[0];

    // Assess: attitude 4,4,3 → 11/3 → 41/9; arrival the same; skill and promise all 4 → 5;
    // overall mean level 46/12 = 23/6 → 1 + (17/6)(4/3) = 43/9.
    expect(row).toMatchObject({ technicianId: 't1', month: '2025-03', sent: 4, answered: 3 });
    expect(row?.responseRate).toBe(0.75);
    expect(row?.items.attitude.averageLevel).toBeCloseTo(11 / 3, 12);
    expect(row?.items.attitude.averageScore).toBeCloseTo(41 / 9, 12);
    expect(row?.items.skill).toEqual({ averageLevel: 4, averageScore: 5 });
    expect(row?.items.arrival.averageScore).toBeCloseTo(41 / 9, 12);
    expect(row?.items.promise).toEqual({ averageLevel: 4, averageScore: 5 });
    expect(row?.overallScore).toBeCloseTo(43 / 9, 12);
    expect(row?.display).toEqual({
      items: {
        attitude: { averageLevel: 3.67, averageScore: 4.56 },
        skill: { averageLevel: 4, averageScore: 5 },
        arrival: { averageLevel: 3.67, averageScore: 4.56 },
        promise: { averageLevel: 4, averageScore: 5 },
      },
      overallScore: 4.78,
      responseRatePercent: 75,
    });
  });

  it('takes the overall score as the mean of the answer scores', () => {
    // Prepare: t2 2025-03 answers score 5 and 3.
    const row = scorecard(seededAnswers, seededSent).rows[1];

    // Assess: items 2.5→3, 3→11/3, 3.5→13/3, 4→5; overall (5 + 3) / 2 = 4.
    expect(row?.overallScore).toBeCloseTo(4, 12);
    expect(row?.items.attitude.averageScore).toBeCloseTo(3, 12);
    expect(row?.items.skill.averageScore).toBeCloseTo(11 / 3, 12);
    expect(row?.items.arrival.averageScore).toBeCloseTo(13 / 3, 12);
    expect(row?.items.promise.averageScore).toBeCloseTo(5, 12);
    expect(row?.responseRate).toBeCloseTo(2 / 3, 12);
    expect(row?.display.responseRatePercent).toBe(66.67);
  });

  it.each([
    [
      't1 in 2025-04, one answer of two cards',
      2,
      { sent: 2, answered: 1, responseRate: 0.5, overallScore: 3 },
    ],
    [
      't3 in 2025-04, a card without answer',
      3,
      { sent: 1, answered: 0, responseRate: 0, overallScore: null },
    ],
  ])('reports the response rate for %s', (_, index, expected) => {
    // Act
    const row = scorecard(seededAnswers, seededSent).rows[index];

    // Assess
    expect(row).toMatchObject(expected);
  });

  it('leaves the scores of a technician-month without answers empty rather than zero', () => {
    // Act
    const row = scorecard(seededAnswers, seededSent).rows[3];

    // Assess
    expect(row?.items.attitude).toEqual({ averageLevel: null, averageScore: null });
    expect(row?.display.overallScore).toBeNull();
    expect(row?.display.responseRatePercent).toBe(0);
  });

  it('weighs every answer equally in the company score and compares it with the 4.5 target', () => {
    // Act
    const { company } = scorecard(seededAnswers, seededSent);

    // Assess: 82 level points over 24 ratings → mean 41/12 → 1 + (29/12)(4/3) = 38/9 ≈ 4.22,
    // not the mean of the technician-months (43/9 + 3 + 4) / 3 ≈ 3.93.
    expect(company).toMatchObject({
      sent: 10,
      answered: 6,
      responseRate: 0.6,
      target: 4.5,
      meetsTarget: false,
    });
    expect(company.overallScore).toBeCloseTo(38 / 9, 12);
    expect(company.display.overallScore).toBe(4.22);
    expect(company.display.responseRatePercent).toBe(60);
    // Attitude levels 4, 4, 3, 2, 4, 1 → 18 / 6.
    expect(company.items.attitude.averageLevel).toBe(3);
  });

  it.each([
    ['exactly 4.5', [answers(4, 4, 4, 4), answers(4, 3, 3, 3)], 4.5, true],
    ['just below 4.5', [answers(4, 4, 4, 4), answers(3, 3, 3, 3)], 13 / 3, false],
    ['all very satisfied', [answers(4, 4, 4, 4)], 5, true],
    ['all satisfied', [answers(3, 3, 3, 3), answers(3, 3, 3, 3)], 11 / 3, false],
  ])('decides the target for a company at %s', (_, given, score, meets) => {
    // Prepare
    const answered = given.map((a) => ({ technicianId: 't1', month: '2025-05', answers: a }));

    // Act
    const { company } = scorecard(answered, sentCards('t1', '2025-05', given.length));

    // Assess
    expect(company.overallScore).toBeCloseTo(score, 12);
    expect(company.meetsTarget).toBe(meets);
  });

  it('does not claim the target without any answer', () => {
    // Act
    const { rows, company } = scorecard([], sentCards('t1', '2025-05', 3));

    // Assess
    expect(rows).toHaveLength(1);
    expect(company).toMatchObject({
      sent: 3,
      answered: 0,
      responseRate: 0,
      overallScore: null,
      meetsTarget: false,
    });
  });

  it('is empty without cards', () => {
    expect(scorecard([], []).company).toMatchObject({ sent: 0, responseRate: null, meetsTarget: false });
  });

  it.each([
    [
      'a month without its leading zero',
      { technicianId: 't1', month: '2025-3', answers: answers(4, 4, 4, 4) },
    ],
    ['month 13', { technicianId: 't1', month: '2025-13', answers: answers(4, 4, 4, 4) }],
    ['a level out of range', { technicianId: 't1', month: '2025-03', answers: answers(4, 0, 4, 4) }],
  ])('refuses %s', (_, answer) => {
    expect(() => scorecard([answer], [])).toThrow(RangeError);
  });
});
