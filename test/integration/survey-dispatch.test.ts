import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockControl } from '../../shared/runtime/clock.ts';
import { phoneFor } from '../support/directory.ts';
import {
  type CompletedCaseOptions,
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
const seeded: Record<string, { id: string; number: string }> = {};

/** Who was served when (branch time), where, by whom; no e-mail means a phone follow-up. */
const served: Record<string, Omit<CompletedCaseOptions, 'at'> & { at: string }> = {
  // Yesterday (2026-11-24) in three branches, by two technicians.
  wang: {
    at: '2026-11-24T09:30:00',
    customer: { id: 'cust-wang', name: '王芳', email: 'wang@example.com' },
    branchId: 'hangzhou',
    technicianId: 'tech-li',
  },
  smith: {
    at: '2026-11-24T14:00:00',
    customer: { id: 'cust-smith', name: 'John Smith', email: 'john.smith@example.com', language: 'en' },
    branchId: 'shanghai',
    technicianId: 'tech-zhao',
  },
  phone: {
    at: '2026-11-24T16:00:00',
    customer: { id: 'cust-chen', name: '陈伟' },
    branchId: 'hangzhou',
    technicianId: 'tech-li',
  },
  late: {
    at: '2026-11-24T23:50:00',
    customer: { id: 'cust-liu', name: '刘洋', email: 'liu.yang@example.com' },
    branchId: 'suzhou',
    technicianId: 'tech-zhao',
  },
  // Served yesterday, but asked (in their directory record) not to be surveyed.
  declined: {
    at: '2026-11-24T11:00:00',
    customer: { id: 'cust-ma', name: '马超', email: 'ma.chao@example.com', surveyConsent: false },
    branchId: 'hangzhou',
    technicianId: 'tech-li',
  },
  // Today, before the run: their card waits until tomorrow morning.
  today: {
    at: '2026-11-25T07:10:00',
    customer: { id: 'cust-zhou', name: '周杰', email: 'zhou@example.com' },
    branchId: 'hangzhou',
    technicianId: 'tech-li',
  },
  // The day before yesterday: a different run's business.
  older: {
    at: '2026-11-23T11:00:00',
    customer: { id: 'cust-sun', name: '孙丽', email: 'sun@example.com' },
    technicianId: 'tech-li',
  },
};

beforeAll(async () => {
  sys = await startTestSystem();
  for (const [key, { at, ...o }] of Object.entries(served)) {
    seeded[key] = await completedCase(sys, { ...o, at: shanghai(at) });
  }
});

afterAll(async () => {
  clockControl.reset();
  await sys.stop();
});

const numbers = (...keys: string[]) => keys.map((k) => seeded[k]?.number).sort();

describe('morning survey run', () => {
  it('mails exactly one card per case completed on the previous local day and lists customers without e-mail for a call', async () => {
    // Prepare
    clockControl.freeze(shanghai('2026-11-25T08:00:00'));

    // Act
    const report = await runMorningRun(sys);
    const outbox = await readOutbox(sys);

    // Assess
    expect(report).toMatchObject({
      today: '2026-11-25',
      serviceDay: '2026-11-24',
      failures: [],
      reminders: [],
    });
    expect([...report.cardsSent].sort()).toEqual(numbers('wang', 'smith', 'late'));
    expect(report.phoneFollowUps).toEqual(numbers('phone'));
    expect(report.skipped).toEqual([
      { caseNumber: seeded.declined?.number, reason: 'the customer declined surveys' },
    ]);
    expect(outbox.map((m) => m.to[0]).sort()).toEqual([
      'john.smith@example.com',
      'liu.yang@example.com',
      'wang@example.com',
    ]);
    for (const message of outbox) {
      expect(message.replyTo).toHaveLength(1);
      expect(message.replyTo[0]).toMatch(
        /^survey\+[a-z2-7]{10}\.[0-9a-z]+\.[a-z2-7]{26}@reply\.aftercare\.local$/,
      );
      const token = message.replyTo[0]?.slice('survey+'.length).split('@')[0];
      expect(message.links).toContain(`${sys.url}/survey/${token}`);
      expect(message.html).toContain('id="survey-link"');
      expect(message.text).toContain(`${sys.url}/survey/${token}`);
    }
    const english = outbox.find((m) => m.to[0] === 'john.smith@example.com');
    const chinese = outbox.find((m) => m.to[0] === 'wang@example.com');
    expect(english?.subject).toBe(`How was our service? (case ${seeded.smith?.number})`);
    expect(english?.text).toContain('Dear John Smith,');
    expect(chinese?.subject).toBe(`请评价我们的服务（服务案件 ${seeded.wang?.number}）`);
    expect(chinese?.text).toContain('王芳，您好：');
  });

  it('sends nothing new when the run is repeated', async () => {
    // Prepare
    const before = await readOutbox(sys);

    // Act
    const report = await runMorningRun(sys);

    // Assess
    expect(report).toMatchObject({ cardsSent: [], phoneFollowUps: [], alreadyHandled: 4, failures: [] });
    expect(await readOutbox(sys)).toHaveLength(before.length);
  });

  it('lists the customer without an e-mail address for a phone follow-up, for staff only', async () => {
    // Prepare
    const agent = await sys.as('agent');
    const technician = await sys.as('technician');

    // Act
    const listed = await agent.get('/surveys/phone-follow-ups');
    const refused = await technician.get('/surveys/phone-follow-ups');

    // Assess
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({
      caseNumber: seeded.phone?.number,
      channel: 'phone',
      customer: { name: '陈伟', phone: phoneFor('cust-chen') },
      technicianId: 'tech-li',
    });
    expect(refused.status).toBe(403);
  });

  it('mails the case completed on the morning of the run one day later, once', async () => {
    // Prepare
    clockControl.freeze(shanghai('2026-11-26T08:00:00'));

    // Act
    const report = await runMorningRun(sys);

    // Assess
    expect(report.cardsSent).toEqual(numbers('today'));
    expect((await readOutbox(sys)).filter((m) => m.to[0] === 'zhou@example.com')).toHaveLength(1);
    expect((await readOutbox(sys)).some((m) => m.to[0] === 'sun@example.com')).toBe(false);
  });

  it('reminds non-responders once, three days after the card, and never someone who answered', async () => {
    // Prepare: Wang answers; the others do not.
    const { url } = await surveyLinkFor(sys, 'wang@example.com');
    const answered = await postForm(url, { attitude: '4', skill: '4', arrival: '3', promise: '4' });
    expect(answered.status).toBe(200);
    clockControl.freeze(shanghai('2026-11-27T08:00:00'));
    const early = await runMorningRun(sys);
    clockControl.freeze(shanghai('2026-11-28T08:00:00'));

    // Act
    const report = await runMorningRun(sys);
    const again = await runMorningRun(sys);

    // Assess
    expect(early.reminders).toEqual([]);
    expect([...report.reminders].sort()).toEqual(numbers('smith', 'late'));
    expect(again.reminders).toEqual([]);
    const outbox = await readOutbox(sys);
    const reminders = outbox.filter((m) => /^(Reminder: |提醒：)/.test(m.subject));
    expect(reminders.map((m) => m.to[0]).sort()).toEqual(['john.smith@example.com', 'liu.yang@example.com']);
    expect(reminders.find((m) => m.to[0] === 'john.smith@example.com')?.subject).toMatch(
      /^Reminder: How was our service\?/,
    );
    // The reminder carries the same link, which still works.
    const { url: smithUrl } = await surveyLinkFor(sys, 'john.smith@example.com');
    expect(reminders.flatMap((m) => m.links)).toContain(smithUrl);
    expect((await getPage(smithUrl)).status).toBe(200);
  });
});
