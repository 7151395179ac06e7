/**
 * E-mail replies end to end: real MIME samples (test/fixtures/mail) addressed to cards the morning run
 * really sent, delivered to the local inbox, read by the inbound handler with a signed S3 GetObject.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as inboundHandler } from '../../functions/surveys/inbound.ts';
import { localClientConfig } from '../../infra/local/dynamo.ts';
import { LOCAL_INBOUND_BUCKET, s3PutEvent } from '../../infra/local/inbox.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { clockControl } from '../../shared/runtime/clock.ts';
import { surveyKeys } from '../../shared/surveys/model.ts';
import { ALL_4434, type MailSample, mailSamples } from '../fixtures/mail-samples.ts';
import {
  completedCase,
  deliverReply,
  getPage,
  runMorningRun,
  shanghai,
  surveyLinkFor,
} from '../support/surveys.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/** Samples rated at the lowest level somewhere: recording them raises a complaint (SPEC §7). */
const raisesComplaint = new Set(['html-only.eml', 'chinese-base64.eml']);
type CardSample = MailSample & { token: string };
/** Samples addressed to a card: each gets a real card whose token replaces the sample's. */
const withCard = mailSamples.filter((s): s is CardSample => s.token !== null);
const recorded = withCard.filter((s) => !s.flagged);
const flaggedWithCard = withCard.filter((s) => s.flagged);

function sample(file: string): CardSample {
  const found = withCard.find((s) => s.file === file);
  if (!found) throw new Error(`no mail sample ${file} addressed to a card`);
  return found;
}

let sys: TestSystem;
const tokens = new Map<string, string>();
const mail = (file: string) => `reply-${file.replace('.eml', '')}@example.com`;

/** The fixture, re-addressed to a real card: its token replaced wherever it appears (any case). */
function readdressed(sample: CardSample): string {
  const raw = readFileSync(new URL(`../fixtures/mail/${sample.file}`, import.meta.url), 'latin1');
  const token = tokens.get(sample.file) ?? '';
  return raw.replace(new RegExp(sample.token.replace(/\./g, '\\.'), 'gi'), token);
}

/** The stored card behind a sample's token, read by key. */
async function cardOf(file: string): Promise<Record<string, unknown> | undefined> {
  const cardId = (tokens.get(file) ?? '').split('.')[0] ?? '';
  const db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(sys.dynamoEndpoint)));
  const out = await db.send(new GetCommand({ TableName: sys.tableName, Key: surveyKeys.card(cardId) }));
  db.destroy();
  return out.Item;
}

beforeAll(async () => {
  sys = await startTestSystem();
  await Promise.all(
    withCard.map((s, i) =>
      completedCase(sys, {
        at: shanghai('2026-11-24T10:00:00'),
        customer: { id: `cust-reply-${i}`, name: `Reply ${i}`, email: mail(s.file) },
        technicianId: 'tech-mail',
      }),
    ),
  );
  clockControl.freeze(shanghai('2026-11-25T08:00:00'));
  await runMorningRun(sys);
  for (const s of withCard) tokens.set(s.file, (await surveyLinkFor(sys, mail(s.file))).token);
  clockControl.freeze(shanghai('2026-11-25T19:00:00'));
});

afterAll(async () => {
  clockControl.reset();
  await sys.stop();
});

describe('survey e-mail replies', () => {
  it.each([
    { header: 'X-SES-Spam-Verdict', verdict: 'FAIL', what: /spam scan verdict FAIL/ },
    { header: 'X-SES-Virus-Verdict', verdict: 'GRAY', what: /virus scan verdict GRAY/ },
  ])(
    'flags a readable reply whose $header is $verdict instead of recording it',
    async ({ header, verdict, what }) => {
      // Prepare: a reply that is otherwise recorded (below), as SES stores it after scanning
      const raw = `${header}: ${verdict}\r\n${readdressed(recorded[0] as CardSample)}`;

      // Act
      const result = await deliverReply(sys, raw);

      // Assess: kept for a person, the card still open
      expect(result).toMatchObject({ outcome: 'flagged', reason: expect.stringMatching(what) });
      expect((await cardOf((recorded[0] as CardSample).file))?.answeredAt).toBeUndefined();
    },
  );

  it.each(recorded)('records the answers of $file on its card', async (sample) => {
    // Prepare
    const raw = readdressed(sample);

    // Act
    const result = await deliverReply(sys, raw);

    // Assess
    expect(result).toMatchObject({ outcome: 'recorded' });
    const card = await cardOf(sample.file);
    expect(card).toMatchObject({ answeredVia: 'email', answers: sample.answers, comment: sample.comment });
    expect(Boolean(card?.complaintId)).toBe(raisesComplaint.has(sample.file));
    // The link now says "already answered": both ways record through the same code, once.
    const link = await surveyLinkFor(sys, mail(sample.file));
    expect((await getPage(link.url)).status).toBe(409);
  });

  it.each(flaggedWithCard)(
    'keeps $file as a flagged reply for staff and leaves the card open',
    async (sample) => {
      // Prepare
      const raw = readdressed(sample);

      // Act
      const result = await deliverReply(sys, raw);
      const listed = await (await sys.as('agent')).get('/surveys/flagged-replies?limit=100');

      // Assess
      expect(result.outcome).toBe('flagged');
      expect(result.reason).toMatch(sample.flagReason ?? /./);
      const card = await cardOf(sample.file);
      expect(card?.answeredAt).toBeUndefined();
      const reply = listed.body.items.find((r: { cardId?: string }) => r.cardId === card?.id);
      expect(reply).toMatchObject({ outcome: 'flagged', caseNumber: card?.caseNumber });
      expect(reply.comment).toBe(sample.comment);
    },
  );

  it.each(['no-token.eml', 'garbage-binary.eml'])(
    'never drops %s, which names no card: it is flagged with its text',
    async (file) => {
      // Prepare
      const raw = readFileSync(new URL(`../fixtures/mail/${file}`, import.meta.url));

      // Act
      const result = await deliverReply(sys, raw);
      const listed = await (await sys.as('dispatcher')).get('/surveys/flagged-replies?limit=100');

      // Assess
      expect(result.outcome).toBe('flagged');
      const stored = listed.body.items.filter((r: { cardId?: string; source: { key: string } }) => !r.cardId);
      expect(stored.length).toBeGreaterThan(0);
      if (file === 'no-token.eml') {
        expect(stored.map((r: { comment: string }) => r.comment)).toContain(
          'This is about the dishwasher repair on Monday; I deleted your e-mail by mistake.',
        );
      }
    },
  );

  it('raises a complaint from a reply rated at the lowest level, with the e-mail as its channel', async () => {
    // Prepare: html-only.eml was recorded above with "promise: 1".
    const card = await cardOf('html-only.eml');

    // Act: registered, or acknowledged already by its investigation workflow
    const manager = await sys.as('manager');
    const listed = await Promise.all(
      ['open', 'investigating'].map((status) => manager.get(`/complaints?status=${status}`)),
    );

    // Assess
    expect(listed.flatMap((l) => l.body.items)).toContainEqual(
      expect.objectContaining({ cardId: card?.id, channel: 'survey_email', reasons: ['lowest_level'] }),
    );
  });

  it('flags a second reply to an answered card instead of overwriting the answer', async () => {
    // Prepare: plain-digits.eml was recorded above.
    const raw = readdressed(sample('plain-digits.eml')).replace('4 4 3 4', '1 1 1 1');

    // Act
    const result = await deliverReply(sys, raw);

    // Assess
    expect(result).toMatchObject({ outcome: 'flagged', reason: expect.stringMatching(/already answered/) });
    expect((await cardOf('plain-digits.eml'))?.answers).toEqual(ALL_4434);
  });

  it('handles a redelivered S3 notification once', async () => {
    // Prepare
    const first = await fetch(`${sys.url}/_local/inbox`, {
      method: 'POST',
      body: readdressed(sample('partial.eml')),
    });
    const { key } = (await first.json()) as { key: string };

    // Act
    const again = await inboundHandler(
      s3PutEvent(LOCAL_INBOUND_BUCKET, key, 1),
      lambdaContext('survey-inbound'),
    );

    // Assess
    expect(again).toEqual([expect.objectContaining({ outcome: 'duplicate' })]);
  });
});
