/**
 * The technician scorecard is read from the measures' day aggregates, never from the cards: cards sent
 * and answered (with each item's level) are counted by the measures consumer on the card's service day,
 * so a month's scorecard is the sum of its days. Redelivered and replayed events count once; the nightly
 * recompute rebuilds the scorecard's counters from the cards and repairs a drift.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEventRules } from '../../functions/catalog.ts';
import { ruleMessage } from '../../infra/local/bus.ts';
import { localClientConfig } from '../../infra/local/dynamo.ts';
import { recomputeDay } from '../../shared/measures/service.ts';
import { DynamoMeasureStore } from '../../shared/measures/store.ts';
import { clockControl } from '../../shared/runtime/clock.ts';
import { countApiReads } from '../support/reads.ts';
import { completedCase, postForm, runMorningRun, shanghai, surveyLinkFor } from '../support/surveys.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/** The deployed rule that feeds the daily aggregates (its queue gets each redelivery). */
const measuresRule = allEventRules.find(
  (r) => r.target === 'measures-consumer',
) as (typeof allEventRules)[number];
let sys: TestSystem;
let db: DynamoDBDocumentClient;

type Levels = readonly [number, number, number, number];
interface Served {
  who: string;
  tech: string;
  /** Local completion time (the service day). */
  at: string;
  /** No e-mail address: a phone card, listed for staff to call. */
  phone?: boolean;
  /** attitude, skill, arrival, promise; answered at `answeredAt` (local). */
  levels?: Levels;
  answeredAt?: string;
}

// Three service days of September over two technicians; x3 is answered in October, yet counts in
// September (its service day). y2 has no e-mail address: a phone card counts as sent once listed.
const september: Served[] = [
  {
    who: 'x1',
    tech: 'tech-x',
    at: '2026-09-07T10:00:00',
    levels: [4, 4, 4, 4],
    answeredAt: '2026-09-08T12:00:00',
  },
  {
    who: 'y1',
    tech: 'tech-y',
    at: '2026-09-07T11:00:00',
    levels: [2, 3, 3, 4],
    answeredAt: '2026-09-09T09:00:00',
  },
  {
    who: 'x2',
    tech: 'tech-x',
    at: '2026-09-08T10:00:00',
    levels: [3, 3, 4, 4],
    answeredAt: '2026-09-09T10:00:00',
  },
  { who: 'y2', tech: 'tech-y', at: '2026-09-08T11:00:00', phone: true },
  {
    who: 'x3',
    tech: 'tech-x',
    at: '2026-09-30T10:00:00',
    levels: [4, 3, 4, 3],
    answeredAt: '2026-10-02T09:00:00',
  },
  { who: 'y3', tech: 'tech-y', at: '2026-09-30T11:00:00' },
];

const email = (s: Served) => `${s.who}@example.com`;

/** Completes each case, runs the next morning's run, answers when said; then lets the consumers settle. */
async function serve(all: readonly Served[]): Promise<void> {
  for (const s of all)
    await completedCase(sys, {
      at: shanghai(s.at),
      customer: { id: `cust-${s.who}`, name: s.who, ...(s.phone ? {} : { email: email(s) }) },
      technicianId: s.tech,
    });
  const mornings = [...new Set(all.map((s) => s.at.slice(0, 10)))];
  for (const day of mornings) {
    const next = new Date(`${day}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    clockControl.freeze(shanghai(`${next.toISOString().slice(0, 10)}T08:00:00`));
    await runMorningRun(sys);
  }
  const answered = all.filter((a) => a.levels && a.answeredAt);
  for (const s of answered.sort((a, b) => String(a.answeredAt).localeCompare(String(b.answeredAt)))) {
    clockControl.freeze(shanghai(s.answeredAt as string));
    const [attitude, skill, arrival, promise] = (s.levels as Levels).map(String);
    const { url } = await surveyLinkFor(sys, email(s));
    const page = await postForm(url, { attitude, skill, arrival, promise } as Record<string, string>);
    if (page.status !== 200) throw new Error(`answer of ${s.who} failed: ${page.status}`);
  }
  await sys.bus.idle();
}

beforeAll(async () => {
  sys = await startTestSystem();
  db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(sys.dynamoEndpoint)));
  await serve(september);
}, 240_000);

afterAll(async () => {
  clockControl.reset();
  db.destroy();
  await sys.stop();
});

const score = (meanLevel: number) => 1 + ((meanLevel - 1) * 4) / 3;

describe('the scorecard from the day aggregates', () => {
  it('sums the service days of the month, as computed by hand', async () => {
    // Prepare
    const manager = await sys.as('manager');

    // Act
    const res = await manager.get('/surveys/scorecard/2026-09');
    const october = await manager.get('/surveys/scorecard/2026-10');

    // Assess
    expect(res.status).toBe(200);
    const [x, y] = res.body.rows;
    // tech-x: 3 sent, 3 answered; attitude 4+3+4, skill 4+3+3, arrival 4+4+4, promise 4+4+3 = 44 points / 12.
    expect(x).toMatchObject({
      technicianId: 'tech-x',
      month: '2026-09',
      sent: 3,
      answered: 3,
      responseRate: 1,
    });
    expect(x.items.attitude.averageLevel).toBeCloseTo(11 / 3, 10);
    expect(x.items.skill.averageLevel).toBeCloseTo(10 / 3, 10);
    expect(x.items.arrival).toEqual({ averageLevel: 4, averageScore: 5 });
    expect(x.items.promise.averageScore).toBeCloseTo(score(11 / 3), 10);
    expect(x.overallScore).toBeCloseTo(score(44 / 12), 10);
    // tech-y: 3 sent (one by phone), 1 answered: 2,3,3,4 → mean level 3.
    expect(y).toMatchObject({ technicianId: 'tech-y', sent: 3, answered: 1 });
    expect(y.responseRate).toBeCloseTo(1 / 3, 10);
    expect(y.items.attitude.averageScore).toBeCloseTo(score(2), 10);
    expect(y.overallScore).toBeCloseTo(score(3), 10);
    expect(y.display).toMatchObject({ overallScore: 3.67, responseRatePercent: 33.33 });
    // Company: 6 sent, 4 answered, 56 points / 16 ratings → 3.5 → 4.333 < 4.5 (2 × 56 < 29 × 4).
    expect(res.body.company).toMatchObject({ sent: 6, answered: 4, target: 4.5, meetsTarget: false });
    expect(res.body.company.overallScore).toBeCloseTo(score(3.5), 10);
    // x3 was answered in October, but its service day is in September.
    expect(october.body).toMatchObject({ rows: [], company: { sent: 0, answered: 0 } });
  });

  it('reads two Queries of day aggregates, however many cards the month has', async () => {
    // Prepare: the month as it is, then three more answered cards, served and answered on days the
    // month already has (or answered in October).
    const manager = await sys.as('manager');
    const reads = countApiReads();
    const before = await manager.get('/surveys/scorecard/2026-09');
    const seenBefore = reads.stop();
    await serve([
      {
        who: 'x4',
        tech: 'tech-x',
        at: '2026-09-07T15:00:00',
        levels: [4, 4, 4, 4],
        answeredAt: '2026-09-09T11:00:00',
      },
      {
        who: 'x5',
        tech: 'tech-x',
        at: '2026-09-08T15:00:00',
        levels: [4, 4, 4, 4],
        answeredAt: '2026-09-09T12:00:00',
      },
      {
        who: 'y4',
        tech: 'tech-y',
        at: '2026-09-30T15:00:00',
        levels: [4, 4, 4, 4],
        answeredAt: '2026-10-02T10:00:00',
      },
    ]);

    // Act
    const again = countApiReads();
    const after = await manager.get('/surveys/scorecard/2026-09');
    const seenAfter = again.stop();

    // Assess: one Query of the company's days, one of the technicians' days; a day item exists for each
    // day with something counted (service days 7, 8, 30; answer days 8, 9): 4 + 4 (tech-x) + 4 (tech-y).
    expect(before.body.company.sent).toBe(6);
    expect(after.body.company).toMatchObject({ sent: 9, answered: 7 });
    expect(seenBefore).toEqual({ calls: { QueryCommand: 2 }, itemsRead: 12 });
    expect(seenAfter).toEqual(seenBefore);
  }, 240_000);

  it('does not change when the survey events are redelivered or replayed', async () => {
    // Prepare
    const manager = await sys.as('manager');
    const before = await manager.get('/surveys/scorecard/2026-09');
    const surveyEvents = sys.bus.history.filter((e) =>
      ['Survey Card Sent', 'Survey Answered'].includes(e['detail-type']),
    );

    // Act: the same envelopes to the measures consumer again (SQS redelivery), then every event
    // published anew (a stream replay).
    await sys.queues.send(surveyEvents.map((e) => ruleMessage(measuresRule, e)));
    await sys.bus.put(
      surveyEvents.map((e) => ({
        Source: e.source,
        DetailType: e['detail-type'],
        Detail: JSON.stringify(e.detail),
      })),
    );
    await sys.bus.idle();
    const after = await manager.get('/surveys/scorecard/2026-09');

    // Assess: 9 cards sent, 7 answered: one event each, and each counted once.
    expect(surveyEvents.filter((e) => e['detail-type'] === 'Survey Card Sent')).toHaveLength(9);
    expect(surveyEvents.filter((e) => e['detail-type'] === 'Survey Answered')).toHaveLength(7);
    expect(after.body).toEqual(before.body);
    expect(await sys.queues.deadLetters()).toEqual([]);
  });

  it('is rebuilt from the cards by the nightly recompute of the service day when it drifts', async () => {
    // Prepare: a stray write adds two cards sent and 5 attitude points to tech-x's 7 September.
    const manager = await sys.as('manager');
    const before = await manager.get('/surveys/scorecard/2026-09');
    await db.send(
      new UpdateCommand({
        TableName: sys.tableName,
        Key: { pk: 'MEASURE#T#tech-x', sk: 'DAY#2026-09-07' },
        UpdateExpression: 'ADD #s :two, #l :five',
        ExpressionAttributeNames: { '#s': 'n.surveyCardsSent', '#l': 'n.surveyLevels:attitude' },
        ExpressionAttributeValues: { ':two': 2, ':five': 5 },
      }),
    );
    const drifted = await manager.get('/surveys/scorecard/2026-09');
    const deps = {
      store: new DynamoMeasureStore(db, sys.tableName),
      now: () => new Date(),
      timeZone: 'Asia/Shanghai',
    };

    // Act
    const found = await recomputeDay(deps, { day: '2026-09-07', repair: true });
    const again = await recomputeDay(deps, { day: '2026-09-07', repair: false });

    // Assess: x1 and x4 were served that day, both sent and answered at level 4 for attitude.
    expect(drifted.body.rows[0].sent).toBe(before.body.rows[0].sent + 2);
    expect(found.drift).toEqual([
      { scope: 'T#tech-x', counter: 'surveyCardsSent', stored: 4, expected: 2 },
      { scope: 'T#tech-x', counter: 'surveyLevels:attitude', stored: 13, expected: 8 },
    ]);
    expect(again.drift).toEqual([]);
    expect((await manager.get('/surveys/scorecard/2026-09')).body).toEqual(before.body);
  });
});
