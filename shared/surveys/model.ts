/**
 * Stored survey items: the card sent for one completed case (one per case, ever), and every e-mail
 * reply received (kept for the record, flagged ones listed for staff). Keys are declared here, next
 * to the schemas; `test/unit/survey-schema-versions.test.ts` fails when a schema changes without a
 * version bump.
 *
 * | item          | pk                     | sk     | index (access pattern)                                           |
 * |---------------|------------------------|--------|------------------------------------------------------------------|
 * | answer event  | `SURVEY#<cardId>`      | `ANSWER`| — (inserted once with the answer; its `outbox` is relayed)     |
 * | card          | `SURVEY#<cardId>`      | `CARD` | gsi5 `SURVEYMONTH#<yyyy-mm>` / `<tech>#<day>#<card>` (scorecards) |
 * |               |                        |        | gsi2 `SURVEYREMIND#<sentDay>` while a reminder may be due (sparse)|
 * |               |                        |        | gsi2 `SURVEYPHONE#pending` while a phone card is unanswered       |
 * | case guard    | `SURVEYCASE#<caseId>`  | `GUARD`| — (conditional put: one card per case)                           |
 * | reply         | `SURVEYREPLY#<hash>`   | `REPLY`| gsi2 `SURVEYREPLY#flagged` while staff must follow up            |
 */
import * as z from 'zod/mini';

export const SURVEY_CARD_SCHEMA_VERSION = 1;
export const SURVEY_REPLY_SCHEMA_VERSION = 1;

const ratings = z.object({
  attitude: z.number(),
  skill: z.number(),
  arrival: z.number(),
  promise: z.number(),
});
const partialRatings = z.partial(ratings);

/** How an answer reached us. */
export const answerChannels = ['link', 'email', 'phone'] as const;
export type AnswerChannel = (typeof answerChannels)[number];

/** The stored survey card (without key attributes). */
export const surveyCardSchema = z.object({
  entity: z.literal('SurveyCard'),
  schemaVersion: z.literal(SURVEY_CARD_SCHEMA_VERSION),
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
  answers: z.optional(ratings),
  comment: z.optional(z.string()),
  complaintTicked: z.optional(z.boolean()),
  complaintId: z.optional(z.string()),
  version: z.number(),
});
export type SurveyCardRecord = z.infer<typeof surveyCardSchema>;

/** One received e-mail reply (without key attributes). */
export const surveyReplySchema = z.object({
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
  answers: partialRatings,
  comment: z.string(),
  receivedAt: z.string(),
  version: z.number(),
});
export type SurveyReplyRecord = z.infer<typeof surveyReplySchema>;

export const surveyKeys = {
  card: (cardId: string) => ({ pk: `SURVEY#${cardId}`, sk: 'CARD' }),
  /** The answer's record, beside its card; it carries the answer's domain events (outbox). */
  answer: (cardId: string) => ({ pk: `SURVEY#${cardId}`, sk: 'ANSWER' }),
  caseGuard: (caseId: string) => ({ pk: `SURVEYCASE#${caseId}`, sk: 'GUARD' }),
  reply: (id: string) => ({ pk: `SURVEYREPLY#${id}`, sk: 'REPLY' }),
  /** gsi5: every card of a service month, by technician. */
  byMonth: (month: string) => `SURVEYMONTH#${month}`,
  byMonthSort: (c: Pick<SurveyCardRecord, 'technicianId' | 'serviceDay' | 'id'>) =>
    `${c.technicianId}#${c.serviceDay}#${c.id}`,
  /** gsi2 (sparse): mailed cards of a day that are neither answered nor reminded yet. */
  reminderDue: (sentDay: string) => `SURVEYREMIND#${sentDay}`,
  /** gsi2 (sparse): phone cards nobody has answered yet. */
  phonePending: 'SURVEYPHONE#pending',
  /** gsi2 (sparse): replies staff must read. */
  flaggedReplies: 'SURVEYREPLY#flagged',
};

/** The card item with its keys, as first written (before sending: no reminder index yet). */
export function cardItem(c: SurveyCardRecord): Record<string, unknown> {
  return {
    ...surveyKeys.card(c.id),
    gsi5pk: surveyKeys.byMonth(c.month),
    gsi5sk: surveyKeys.byMonthSort(c),
    ...(c.channel === 'phone' && !c.answeredAt
      ? { gsi2pk: surveyKeys.phonePending, gsi2sk: `${c.serviceDay}#${c.id}` }
      : {}),
    ...c,
  };
}

export function replyItem(r: SurveyReplyRecord): Record<string, unknown> {
  return {
    ...surveyKeys.reply(r.id),
    ...(r.outcome === 'flagged'
      ? { gsi2pk: surveyKeys.flaggedReplies, gsi2sk: `${r.receivedAt}#${r.id}` }
      : {}),
    ...r,
  };
}
