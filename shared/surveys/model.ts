/**
 * Stored survey items: the card sent for one completed case (one per case, ever), the case's guard,
 * the answer's event record, and every e-mail reply received (kept for the record, flagged ones listed
 * for staff). Keys are declared here, next to the schemas; `test/unit/schema-versions.test.ts` fails
 * when a schema changes without a version bump.
 *
 * | item          | pk                     | sk     | index (access pattern)                                           |
 * |---------------|------------------------|--------|------------------------------------------------------------------|
 * | answer event  | `SURVEY#<cardId>`      | `ANSWER`| — (inserted once with the answer; its `outbox` is relayed)     |
 * | sent event    | `SURVEY#<cardId>`      | `SENT` | — (inserted once when the card goes out; its `outbox` is relayed)|
 * | card          | `SURVEY#<cardId>`      | `CARD` | gsi5 `SURVEYMONTH#<yyyy-mm>` / `<tech>#<day>#<card>` (a month's cards) |
 * |               |                        |        | gsi2 `SURVEYREMIND#<sentDay>` while a reminder may be due (sparse)|
 * |               |                        |        | gsi2 `SURVEYPHONE#pending` while a phone card is unanswered       |
 * | case guard    | `SURVEYCASE#<caseId>`  | `GUARD`| — (conditional put: one card per case)                           |
 * | reply         | `SURVEYREPLY#<hash>`   | `REPLY`| gsi2 `SURVEYREPLY#flagged` while staff must follow up            |
 */
import * as z from 'zod/mini';
import { firstVersionHeader, type ItemKind, outboxSchema } from '../store/item.ts';
import { Index, indexKeys, key } from '../store/table.ts';
import { lazySchema } from '../validation.ts';
import { ratingsSchema } from './score.ts';

/** v2: `technicianName` (optional: v1 cards show the technician's id). */
export const SURVEY_CARD_SCHEMA_VERSION = 2;
export const SURVEY_REPLY_SCHEMA_VERSION = 1;
/** v1 of the kinds below: first stored without `schemaVersion`, which reads as v1. */
export const SURVEY_GUARD_SCHEMA_VERSION = 1;
export const SURVEY_ANSWER_SCHEMA_VERSION = 1;
export const SURVEY_SENT_SCHEMA_VERSION = 1;

/** How an answer reached us. */
export const answerChannels = ['link', 'email', 'phone'] as const;
export type AnswerChannel = (typeof answerChannels)[number];

/** The stored survey card (without key attributes). */
export const surveyCardSchema = lazySchema(() =>
  z.object({
    entity: z.literal('SurveyCard'),
    schemaVersion: z.union([z.literal(1), z.literal(SURVEY_CARD_SCHEMA_VERSION)]),
    /** The card id inside the signed token (see `token.ts`). The token itself is never stored. */
    id: z.string(),
    caseId: z.string(),
    caseNumber: z.string(),
    branchId: z.string(),
    customer: z.object({
      id: z.string(),
      name: z.string(),
      phone: z.string(),
      address: z.string(),
      email: z.optional(z.string()),
    }),
    lang: z.enum(['zh-CN', 'en']),
    technicianId: z.string(),
    /** The technician's name when the card was made (cards, pages and mails show it; the id stays the reference). */
    technicianName: z.optional(z.string()),
    /** Local day the service was completed (`YYYY-MM-DD`) and its month: the scorecard's period. */
    serviceDay: z.string(),
    month: z.string(),
    /** `email`: a card is mailed; `phone`: no address, staff call the customer instead. */
    channel: z.enum(['email', 'phone']),
    createdAt: z.string(),
    /** When the link stops working (the token carries the same instant). */
    expiresAt: z.string(),
    sentAt: z.optional(z.string()),
    messageId: z.optional(z.string()),
    remindedAt: z.optional(z.string()),
    answeredAt: z.optional(z.string()),
    answeredVia: z.optional(z.enum(answerChannels)),
    answers: z.optional(ratingsSchema),
    comment: z.optional(z.string()),
    complaintTicked: z.optional(z.boolean()),
    complaintId: z.optional(z.string()),
    version: z.number(),
  }),
);
export type SurveyCardRecord = z.infer<typeof surveyCardSchema>;

/** Who the card asks about, by name (cards made before the directory carry only the id). */
export const technicianNameOf = (card: Pick<SurveyCardRecord, 'technicianId' | 'technicianName'>): string =>
  card.technicianName ?? card.technicianId;

/** One received e-mail reply (without key attributes). */
export const surveyReplySchema = lazySchema(() =>
  z.object({
    entity: z.literal('SurveyReply'),
    schemaVersion: z.literal(SURVEY_REPLY_SCHEMA_VERSION),
    id: z.string(),
    /** Where the raw message is kept (the inbound bucket), so staff can read the original. */
    source: z.object({ bucket: z.string(), key: z.string() }),
    messageId: z.optional(z.string()),
    from: z.optional(z.string()),
    cardId: z.optional(z.string()),
    caseNumber: z.optional(z.string()),
    /** `recorded`: the answers were stored on the card; `flagged`: staff must follow up. */
    outcome: z.enum(['recorded', 'flagged']),
    flagReason: z.optional(z.string()),
    answers: z.partial(ratingsSchema),
    comment: z.string(),
    receivedAt: z.string(),
    version: z.number(),
  }),
);
export type SurveyReplyRecord = z.infer<typeof surveyReplySchema>;

/** One card per case: the conditional put of this guard decides which run creates it. */
export const surveyGuardSchema = lazySchema(() =>
  z.object({ ...firstVersionHeader('SurveyCaseGuard'), cardId: z.string() }),
);

/** The answer's record beside its card: inserted once with the answer, it carries the answer's events. */
export const surveyAnswerSchema = lazySchema(() =>
  z.object({
    ...firstVersionHeader('SurveyAnswerEvent'),
    cardId: z.string(),
    caseId: z.string(),
    via: z.enum(answerChannels),
    at: z.string(),
    outbox: outboxSchema,
  }),
);

/** The sending's record beside its card: inserted once when the card goes out, it carries `Survey Card Sent`. */
export const surveySentSchema = lazySchema(() =>
  z.object({
    entity: z.literal('SurveySentEvent'),
    schemaVersion: z.literal(SURVEY_SENT_SCHEMA_VERSION),
    cardId: z.string(),
    channel: z.enum(['email', 'phone']),
    at: z.string(),
    outbox: outboxSchema,
  }),
);

/** Every stored kind of the survey domain, for the schema version test. */
export const surveyItemKinds: ItemKind[] = [
  { entity: 'SurveyCard', version: SURVEY_CARD_SCHEMA_VERSION, schema: surveyCardSchema },
  { entity: 'SurveyReply', version: SURVEY_REPLY_SCHEMA_VERSION, schema: surveyReplySchema },
  { entity: 'SurveyCaseGuard', version: SURVEY_GUARD_SCHEMA_VERSION, schema: surveyGuardSchema },
  { entity: 'SurveyAnswerEvent', version: SURVEY_ANSWER_SCHEMA_VERSION, schema: surveyAnswerSchema },
  { entity: 'SurveySentEvent', version: SURVEY_SENT_SCHEMA_VERSION, schema: surveySentSchema },
];

const survey = (cardId: string) => key('SURVEY', cardId);

export const surveyKeys = {
  card: (cardId: string) => ({ pk: survey(cardId), sk: 'CARD' }),
  /** The answer's record, beside its card; it carries the answer's domain events (outbox). */
  answer: (cardId: string) => ({ pk: survey(cardId), sk: 'ANSWER' }),
  /** The sending's record, beside its card; it carries `Survey Card Sent` (outbox). */
  sent: (cardId: string) => ({ pk: survey(cardId), sk: 'SENT' }),
  caseGuard: (caseId: string) => ({ pk: key('SURVEYCASE', caseId), sk: 'GUARD' }),
  reply: (id: string) => ({ pk: key('SURVEYREPLY', id), sk: 'REPLY' }),
  /** gsi5: every card of a service month, by technician. */
  byMonth: (month: string) => key('SURVEYMONTH', month),
  byMonthSort: (c: Pick<SurveyCardRecord, 'technicianId' | 'serviceDay' | 'id'>) =>
    key(c.technicianId, c.serviceDay, c.id),
  byMonthTechnicianPrefix: (technicianId: string) => key(technicianId, ''),
  /** gsi2 (sparse): mailed cards of a day that are neither answered nor reminded yet, by sending time. */
  reminderDue: (sentDay: string, sentAt: string, cardId: string) =>
    indexKeys(Index.byStatus, surveyKeys.remindersOf(sentDay), key(sentAt, cardId)),
  remindersOf: (sentDay: string) => key('SURVEYREMIND', sentDay),
  /** gsi2 (sparse): phone cards nobody has answered yet. */
  phonePending: key('SURVEYPHONE', 'pending'),
  /** gsi2 (sparse): replies staff must read. */
  flaggedReplies: key('SURVEYREPLY', 'flagged'),
};

/** The card item with its keys, as first written (before sending: no reminder index yet). */
export function cardItem(c: SurveyCardRecord): Record<string, unknown> {
  return {
    ...surveyKeys.card(c.id),
    ...indexKeys(Index.byDoneDay, surveyKeys.byMonth(c.month), surveyKeys.byMonthSort(c)),
    ...(c.channel === 'phone' && !c.answeredAt
      ? indexKeys(Index.byStatus, surveyKeys.phonePending, key(c.serviceDay, c.id))
      : {}),
    ...c,
  };
}

export function replyItem(r: SurveyReplyRecord): Record<string, unknown> {
  return {
    ...surveyKeys.reply(r.id),
    ...(r.outcome === 'flagged'
      ? indexKeys(Index.byStatus, surveyKeys.flaggedReplies, key(r.receivedAt, r.id))
      : {}),
    ...r,
  };
}

export function guardItem(caseId: string, cardId: string): Record<string, unknown> {
  return {
    ...surveyKeys.caseGuard(caseId),
    entity: 'SurveyCaseGuard',
    schemaVersion: SURVEY_GUARD_SCHEMA_VERSION,
    cardId,
  };
}

export function answerItem(a: { cardId: string; caseId: string; via: AnswerChannel; at: string }) {
  return {
    ...surveyKeys.answer(a.cardId),
    entity: 'SurveyAnswerEvent',
    schemaVersion: SURVEY_ANSWER_SCHEMA_VERSION,
    ...a,
  };
}

export function sentItem(s: { cardId: string; channel: 'email' | 'phone'; at: string }) {
  return {
    ...surveyKeys.sent(s.cardId),
    entity: 'SurveySentEvent',
    schemaVersion: SURVEY_SENT_SCHEMA_VERSION,
    ...s,
  };
}
