import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockControl } from '../../shared/runtime/clock.ts';
import { completedCase, postForm, runMorningRun, shanghai, surveyLinkFor } from '../support/surveys.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;

// Three cards for tech-a (two answered), one for tech-b (answered), one in December for tech-a.
const served = [
  { who: 'a1', tech: 'tech-a', at: '2026-11-24T10:00:00', answers: ['4', '4', '4', '4'] },
  { who: 'a2', tech: 'tech-a', at: '2026-11-24T11:00:00', answers: ['3', '3', '3', '3'] },
  { who: 'a3', tech: 'tech-a', at: '2026-11-24T12:00:00' },
  { who: 'b1', tech: 'tech-b', at: '2026-11-24T13:00:00', answers: ['4', '4', '3', '4'] },
] as const;

beforeAll(async () => {
  sys = await startTestSystem();
  await Promise.all(
    served.map((s) =>
      completedCase(sys, {
        at: shanghai(s.at),
        customer: { id: `cust-${s.who}`, name: s.who, email: `${s.who}@example.com` },
        technicianId: s.tech,
      }),
    ),
  );
  clockControl.freeze(shanghai('2026-11-25T08:00:00'));
  await runMorningRun(sys);
  for (const s of served) {
    if (!('answers' in s)) continue;
    const [attitude = '', skill = '', arrival = '', promise = ''] = s.answers;
    const { url } = await surveyLinkFor(sys, `${s.who}@example.com`);
    const page = await postForm(url, { attitude, skill, arrival, promise });
    if (page.status !== 200) throw new Error(`answer of ${s.who} failed: ${page.status}`);
  }
  // The scorecard reads the measures' aggregates, which the measures consumer adds to after each event.
  await sys.bus.idle();
});

afterAll(async () => {
  clockControl.reset();
  await sys.stop();
});

describe('technician scorecards', () => {
  it('averages each item, maps levels onto 1–5, and counts the response rate per technician and month', async () => {
    // Prepare
    const manager = await sys.as('manager');

    // Act
    const res = await manager.get('/surveys/scorecard/2026-11');

    // Assess
    expect(res.status).toBe(200);
    const [a, b] = res.body.rows;
    // tech-a: levels 4,4,4,4 and 3,3,3,3 → mean 3.5 → 1 + 2.5 × 4/3 = 4.333…; 2 of 3 cards answered.
    expect(a).toMatchObject({ technicianId: 'tech-a', month: '2026-11', sent: 3, answered: 2 });
    expect(a.overallScore).toBeCloseTo(13 / 3, 10);
    expect(a.responseRate).toBeCloseTo(2 / 3, 10);
    expect(a.items.attitude).toEqual({ averageLevel: 3.5, averageScore: expect.closeTo(13 / 3, 10) });
    expect(a.display).toMatchObject({ overallScore: 4.33, responseRatePercent: 66.67 });
    // tech-b: 4,4,3,4 → mean 3.75 → 4.667; arrival alone 3 → 3.667.
    expect(b).toMatchObject({ technicianId: 'tech-b', sent: 1, answered: 1, responseRate: 1 });
    expect(b.overallScore).toBeCloseTo(14 / 3, 10);
    expect(b.items.arrival.averageScore).toBeCloseTo(11 / 3, 10);
    // Company: 43 level points over 12 ratings → mean 3.5833 → 4.444 < 4.5.
    expect(res.body.company).toMatchObject({ sent: 4, answered: 3, target: 4.5, meetsTarget: false });
    expect(res.body.company.overallScore).toBeCloseTo(1 + ((43 / 12 - 1) * 4) / 3, 10);
  });

  it("changes when another answer arrives, and filters to one technician's rows", async () => {
    // Prepare
    const manager = await sys.as('manager');
    const { url } = await surveyLinkFor(sys, 'a3@example.com');
    await postForm(url, { attitude: '4', skill: '4', arrival: '4', promise: '4' });
    await sys.bus.idle();

    // Act
    const res = await manager.get('/surveys/scorecard/2026-11?technicianId=tech-a');

    // Assess: tech-a now 4,4,4,4 + 3,3,3,3 + 4,4,4,4 → 44/12 → 4.556; company 59/16 → 4.583 ≥ 4.5.
    expect(res.body.rows).toHaveLength(1);
    expect(res.body.rows[0]).toMatchObject({ technicianId: 'tech-a', sent: 3, answered: 3, responseRate: 1 });
    expect(res.body.rows[0].overallScore).toBeCloseTo(1 + ((44 / 12 - 1) * 4) / 3, 10);
    expect(res.body.company.meetsTarget).toBe(true);
    expect(res.body.company.display.overallScore).toBe(4.58);
  });

  it('is for managers and ops only, and validates the month', async () => {
    // Prepare
    const technician = await sys.as('technician', 'tech-a');
    const manager = await sys.as('manager');

    // Act
    const refused = await technician.get('/surveys/scorecard/2026-11');
    const badMonth = await manager.get('/surveys/scorecard/2026-13');
    const empty = await manager.get('/surveys/scorecard/2026-10');

    // Assess
    expect(refused.status).toBe(403);
    expect(badMonth.status).toBe(400);
    expect(empty.body).toMatchObject({
      rows: [],
      company: { sent: 0, answered: 0, overallScore: null, meetsTarget: false },
    });
  });
});
