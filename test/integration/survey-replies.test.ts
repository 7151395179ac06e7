/**
 * E-mail replies end to end: real MIME samples (test/fixtures/mail) addressed to cards the morning run
 * really sent, delivered to the local inbox, read by the inbound handler through its S3 client.
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
import {
  completedCase,
  deliverReply,
  getPage,
  runMorningRun,
  shanghai,
  surveyLinkFor,
} from '../support/surveys.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

type Answers = { attitude: number; skill: number; arrival: number; promise: number };
const A4434: Answers = { attitude: 4, skill: 4, arrival: 3, promise: 4 };

interface Sample {
  file: string;
  /** The token the sample was written for; replaced by a real card's token. */
  token: string;
  answers?: Answers;
  comment?: string;
  flag?: RegExp;
  complaint?: boolean;
}

// Expected results as established for the parser in test/unit/reply-parser.test.ts.
const recorded: Sample[] = [
  {
    file: 'plain-digits.eml',
    token: 'cydowo4at5.t5ug00.db4pe7ed7wwrief22jnn6maynu',
    answers: A4434,
    comment: '',
  },
  { file: 'plain-with-comment.eml', token: 'qfslgyfcpq.t5wao0.jikerknaqzj3ius4dt3cm32ogi', answers: A4434 },
  {
    file: 'html-only.eml',
    token: 'udbngnzd5j.t5y5c0.wwtucalmbi5477hqjtx52r6q3a',
    answers: { attitude: 4, skill: 3, arrival: 2, promise: 1 },
    complaint: true,
  },
  {
    file: 'multipart-alternative.eml',
    token: 'fynf2iclz7.t5ug00.qznmfr4gpfmwlud7ecwz5c4nzy',
    answers: A4434,
  },
  { file: 'quoted-gmail.eml', token: '2tdn3qdyqg.t5wao0.32oqajaecyouoqekrtaylmhkdu', answers: A4434 },
  {
    file: 'chinese-base64.eml',
    token: 'jzkedpnajq.t5y5c0.jnoweaudtp3zcjrym36tk7ocse',
    answers: { attitude: 4, skill: 3, arrival: 2, promise: 1 },
    complaint: true,
  },
  {
    file: 'outlook-original-message.eml',
    token: 'yma2cg7qjm.t5ug00.7f5xnru7mbqplbjqvisfca2mpa',
    answers: A4434,
  },
  { file: 'chinese-fajianren.eml', token: 'nkmvltw7u6.t5y5c0.clsmwl2etnueweeha6pzzuiq3a', answers: A4434 },
  {
    file: 'forwarded-below.eml',
    token: '5vc36ryalp.t5ug00.yqcyblfx7kar42t3m6sivizkgy',
    answers: { attitude: 3, skill: 4, arrival: 4, promise: 4 },
  },
  {
    file: 'forwarded-above.eml',
    token: 'jqdl5ip75c.t5wao0.hbzxucaemice7yg2ychg4bki4y',
    answers: { attitude: 4, skill: 3, arrival: 3, promise: 4 },
  },
  {
    file: 'bottom-posted.eml',
    token: 'h2zrw6yk3e.t5wao0.st5uv6wx7yz2ab3cd4ef5gh6ij',
    answers: { attitude: 3, skill: 3, arrival: 4, promise: 4 },
  },
  {
    file: 'script-comment.eml',
    token: 'arugtvjbt2.t5wao0.o6fnthmex5in6yxqbx4r2gdfsu',
    answers: { attitude: 4, skill: 4, arrival: 4, promise: 4 },
    comment: '<script>alert(1)</script>\nGreat job, no complaints. (Just checking your system handles that.)',
  },
];
const flaggedWithCard: Sample[] = [
  {
    file: 'partial.eml',
    token: 'c6j4c3ahl4.t5y5c0.rcu6ltzvjp5fjmtr7r4muyyymy',
    flag: /only 2 of 4 items/,
    comment: "I was not home when he came, my son let him in, so I can't say about the rest.",
  },
  {
    file: 'no-body.eml',
    token: 'bpkwl5p25z.t5ug00.iupt6n45mthgnxlb2tyruw3hz4',
    flag: /no answers could be read/,
  },
  {
    file: 'out-of-range.eml',
    token: 'm5xq2kd7ta.t5ug00.ab3cd4ef5gh6ij7kl2mn3op4qr',
    flag: /outside 1 to 4/,
    comment: '5 5 4 5\nExcellent!',
  },
];
const samples = [...recorded, ...flaggedWithCard];

let sys: TestSystem;
const tokens = new Map<string, string>();
const mail = (file: string) => `reply-${file.replace('.eml', '')}@example.com`;

/** The fixture, re-addressed to a real card: its token replaced wherever it appears (any case). */
function readdressed(sample: Sample): string {
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
    samples.map((s, i) =>
      completedCase(sys, {
        at: shanghai('2026-11-24T10:00:00'),
        customer: { id: `cust-reply-${i}`, name: `Reply ${i}`, email: mail(s.file) },
        technicianId: 'tech-mail',
      }),
    ),
  );
  clockControl.freeze(shanghai('2026-11-25T08:00:00'));
  await runMorningRun(sys);
  for (const s of samples) tokens.set(s.file, (await surveyLinkFor(sys, mail(s.file))).token);
  clockControl.freeze(shanghai('2026-11-25T19:00:00'));
});

afterAll(async () => {
  clockControl.reset();
  await sys.stop();
});

describe('survey e-mail replies', () => {
  it.each(recorded)('records the answers of $file on its card', async (sample) => {
    // Prepare
    const raw = readdressed(sample);

    // Act
    const result = await deliverReply(sys, raw);

    // Assess
    expect(result).toMatchObject({ outcome: 'recorded' });
    const card = await cardOf(sample.file);
    expect(card).toMatchObject({ answeredVia: 'email', answers: sample.answers });
    if (sample.comment !== undefined) expect(card?.comment).toBe(sample.comment);
    expect(Boolean(card?.complaintId)).toBe(sample.complaint === true);
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
      expect(result.reason).toMatch(sample.flag ?? /./);
      const card = await cardOf(sample.file);
      expect(card?.answeredAt).toBeUndefined();
      const reply = listed.body.items.find((r: { cardId?: string }) => r.cardId === card?.id);
      expect(reply).toMatchObject({ outcome: 'flagged', caseNumber: card?.caseNumber });
      if (sample.comment !== undefined) expect(reply.comment).toBe(sample.comment);
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

    // Act
    const complaints = await (await sys.as('manager')).get('/complaints');

    // Assess
    expect(complaints.body.items).toContainEqual(
      expect.objectContaining({ cardId: card?.id, channel: 'survey_email', reasons: ['lowest_level'] }),
    );
  });

  it('flags a second reply to an answered card instead of overwriting the answer', async () => {
    // Prepare: plain-digits.eml was recorded above.
    const raw = readdressed(recorded[0] as Sample).replace('4 4 3 4', '1 1 1 1');

    // Act
    const result = await deliverReply(sys, raw);

    // Assess
    expect(result).toMatchObject({ outcome: 'flagged', reason: expect.stringMatching(/already answered/) });
    expect((await cardOf('plain-digits.eml'))?.answers).toEqual(A4434);
  });

  it('handles a redelivered S3 notification once', async () => {
    // Prepare
    const sample = flaggedWithCard[0] as Sample;
    const first = await fetch(`${sys.url}/_local/inbox`, { method: 'POST', body: readdressed(sample) });
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
