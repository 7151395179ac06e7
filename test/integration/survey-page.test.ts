import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockControl } from '../../shared/runtime/clock.ts';
import {
  completedCase,
  getPage,
  postForm,
  readOutbox,
  runMorningRun,
  shanghai,
  surveyLinkFor,
} from '../support/surveys.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
const customers = [
  'answer',
  'replay',
  'script',
  'complaint',
  'investigated',
  'lowest',
  'expiry',
  'quick',
  'english',
] as const;
const cases: Record<string, { id: string; number: string }> = {};
const email = (who: string) => `${who}@example.com`;
const all = (level: string) => ({ attitude: level, skill: level, arrival: level, promise: level });

beforeAll(async () => {
  sys = await startTestSystem();
  await Promise.all(
    customers.map(async (who) => {
      cases[who] = await completedCase(sys, {
        at: shanghai('2026-11-24T10:00:00'),
        customer: {
          id: `cust-${who}`,
          name: `Customer ${who}`,
          email: email(who),
          ...(who === 'english' ? { language: 'en' as const } : {}),
        },
        technicianId: 'tech-page',
      });
    }),
  );
  clockControl.freeze(shanghai('2026-11-25T08:00:00'));
  await runMorningRun(sys);
});

afterAll(async () => {
  clockControl.reset();
  await sys.stop();
});

/**
 * The complaint raised for a case, found by its `Complaint Raised` event (the default complaint list holds
 * only complaints not yet acknowledged, and the workflow acknowledges them a moment after they are raised).
 */
async function complaintOfCase(caseNumber: string | undefined) {
  await sys.bus.idle();
  const raised = sys.bus.history.find(
    (e) => e['detail-type'] === 'Complaint Raised' && e.detail.caseNumber === caseNumber,
  );
  if (!raised) return undefined;
  return (await (await sys.as('manager')).get(`/complaints/${String(raised.detail.complaintId)}`)).body;
}

/** Flips one character of the signature: still well-formed, no longer ours. */
function tamper(token: string): string {
  const last = token.at(-1) === 'a' ? 'b' : 'a';
  return `${token.slice(0, -1)}${last}`;
}

describe('survey page', () => {
  it('shows the form for a fresh link, without scripts, external assets or caching', async () => {
    // Prepare
    const { url } = await surveyLinkFor(sys, email('answer'));

    // Act
    const page = await getPage(url);

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.html).toContain(cases.answer?.number);
    expect(page.html).toContain('id="attitude-4"');
    expect(page.html).not.toMatch(/<script|src="http|href="http/i);
  });

  it('records an answer once: thanks first, then "already answered" (409) on reload and on a replayed post', async () => {
    // Prepare
    const { url } = await surveyLinkFor(sys, email('replay'));
    const form = { ...all('4'), arrival: '3', comment: 'Fast and friendly.' };

    // Act
    const first = await postForm(url, form);
    const reopened = await getPage(url);
    const replayed = await postForm(url, { ...all('1'), complaint: 'yes' });

    // Assess
    expect(first.status).toBe(200);
    expect(first.html).toContain('id="thanks"');
    expect(reopened.status).toBe(409);
    expect(reopened.html).toContain('id="already-answered"');
    expect(replayed.status).toBe(409);
    expect(replayed.html).toContain('id="already-answered"');
    expect(await complaintOfCase(cases.replay?.number)).toBeUndefined();
  });

  it('rejects a tampered token and a malformed one with the "invalid link" page (404), recording nothing', async () => {
    // Prepare
    const { url, token } = await surveyLinkFor(sys, email('answer'));
    const base = url.slice(0, -token.length);

    // Act
    const tampered = await postForm(`${base}${tamper(token)}`, all('4'));
    const tamperedGet = await getPage(`${base}${tamper(token)}`);
    const malformed = await getPage(`${base}not-a-token`);
    const stillOpen = await getPage(url);

    // Assess
    expect(tampered.status).toBe(404);
    expect(tampered.html).toContain('id="invalid"');
    expect(tamperedGet.status).toBe(404);
    expect(malformed.status).toBe(404);
    expect(stillOpen.status).toBe(200);
  });

  it('shows free text with <script> escaped when the form comes back with an error', async () => {
    // Prepare
    const { url } = await surveyLinkFor(sys, email('script'));
    const comment = '<script>alert("x")</script><img src=x onerror=alert(1)>';

    // Act: skill missing, so the form comes back with what was typed.
    const page = await postForm(url, { attitude: '4', arrival: '4', promise: '4', comment });

    // Assess
    expect(page.status).toBe(400);
    expect(page.html).toContain('id="skill-error"');
    expect(page.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;',
    );
    expect(page.html).not.toContain('<script>');
    expect(page.html).not.toContain('<img src=x');
  });

  it('turns a ticked complaint into a numbered complaint, a supervisor visit and a Complaint Raised event', async () => {
    // Prepare
    const { url } = await surveyLinkFor(sys, email('complaint'));
    const manager = await sys.as('manager');

    // Act
    const page = await postForm(url, {
      ...all('3'),
      comment: 'Left a mess <b>everywhere</b>.',
      complaint: 'yes',
    });
    const complaint = await complaintOfCase(cases.complaint?.number);
    const visits = await manager.get('/tasks/supervisor-visits');

    // Assess
    expect(page.status).toBe(200);
    expect(complaint).toMatchObject({
      number: expect.stringMatching(/^CP-20261125-\d{4}$/),
      source: 'survey',
      channel: 'survey_link',
      reasons: ['flagged_by_customer'],
      technicianId: 'tech-page',
      text: 'Left a mess <b>everywhere</b>.',
    });
    expect(visits.body.items).toContainEqual(
      expect.objectContaining({
        id: complaint.visitTaskId,
        kind: 'supervisor_visit',
        role: 'dispatcher',
        complaintId: complaint.id,
      }),
    );
    const raised = sys.bus.history.filter(
      (e) => e['detail-type'] === 'Complaint Raised' && e.detail.complaintId === complaint.id,
    );
    expect(raised).toHaveLength(1);
    expect(raised[0]?.detail).toMatchObject({
      caseNumber: cases.complaint?.number,
      visitTaskId: complaint.visitTaskId,
    });
  });

  it('starts the same investigation workflow for a survey complaint: acknowledged, then the supervisor report', async () => {
    // Prepare
    const { url } = await surveyLinkFor(sys, email('investigated'));
    const supervisor = await sys.as('dispatcher', 'd-survey');
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        await sys.bus.idle();
        await sys.workflows.idle();
      }
    };

    // Act: the customer ticks the complaint box
    await postForm(url, { ...all('2'), comment: 'He never called back.', complaint: 'yes' });
    await settle();
    const raised = sys.bus.history.find(
      (e) => e['detail-type'] === 'Complaint Raised' && e.detail.caseNumber === cases.investigated?.number,
    );
    const id = String(raised?.detail.complaintId);
    const record = await supervisor.get(`/complaints/${id}`);
    const waiting = await supervisor.get(`/complaints/${id}/steps`);
    const acknowledged = (await readOutbox(sys)).filter((m) => m.to.includes(email('investigated')));
    const reported = await supervisor.post(`/complaints/${id}/report`, {
      summary: 'Called the customer back; the technician forgot the follow-up call',
      investigate: { sales: false, quality: false, production: false },
    });
    await settle();
    const after = await supervisor.get(`/complaints/${id}/steps`);

    // Assess
    expect(raised).toBeDefined();
    expect(sys.workflows.running()).toContain(id);
    expect(record.body).toMatchObject({ source: 'survey', channel: 'survey_link', status: 'investigating' });
    expect(record.body.acknowledgedAt).toBeDefined();
    expect(acknowledged.map((m) => m.subject)).toContain(`Your complaint ${id} is registered`);
    expect(
      waiting.body.items.map((s: { kind: string; status: string; ownerRole: string }) => [
        s.kind,
        s.status,
        s.ownerRole,
      ]),
    ).toEqual([['supervisor_report', 'waiting', 'dispatcher']]);
    expect(reported.status, JSON.stringify(reported.body)).toBe(200);
    expect(
      after.body.items
        .filter((s: { status: string }) => s.status === 'waiting')
        .map((s: { kind: string }) => s.kind),
    ).toEqual(['analysis']);
  });

  it('raises a complaint when any item is rated at the lowest level, even without a tick', async () => {
    // Prepare
    const { url } = await surveyLinkFor(sys, email('lowest'));

    // Act
    await postForm(url, { ...all('4'), arrival: '1' });
    const complaint = await complaintOfCase(cases.lowest?.number);

    // Assess
    expect(complaint).toMatchObject({
      reasons: ['lowest_level'],
      ratings: { attitude: 4, skill: 4, arrival: 1, promise: 4 },
    });
  });

  it('only preselects answers for a one-click link: the GET records nothing', async () => {
    // Prepare
    const { url } = await surveyLinkFor(sys, email('quick'));

    // Act
    const preset = await getPage(`${url}?level=4`);
    const again = await getPage(url);

    // Assess
    expect(preset.status).toBe(200);
    expect(preset.html).toMatch(/id="attitude-4"[^>]*checked/);
    expect(again.status).toBe(200);
  });

  it('answers in the customer language', async () => {
    // Prepare
    const { url } = await surveyLinkFor(sys, email('english'));

    // Act
    const page = await getPage(url);

    // Assess
    expect(page.html).toContain('<html lang="en"');
    expect(page.html).toContain('Service satisfaction survey');
  });

  it('shows "expired" (410) once the 14 days are over, for viewing and posting alike', async () => {
    // Prepare
    const { url } = await surveyLinkFor(sys, email('expiry'));
    clockControl.freeze(shanghai('2026-12-09T08:00:01'));

    // Act
    const viewed = await getPage(url);
    const posted = await postForm(url, all('4'));

    // Assess
    expect(viewed.status).toBe(410);
    expect(viewed.html).toContain('id="expired"');
    expect(posted.status).toBe(410);
  });
});
