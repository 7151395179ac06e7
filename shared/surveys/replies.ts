/**
 * Survey answers by e-mail reply. Kept apart from the rest of the survey service because it needs the
 * MIME parser: only the inbound-mail function loads it, so the
 * survey page, staff API and morning run stay light at cold start.
 */
import { createHash } from 'node:crypto';
import type { Complaint } from '../complaints/model.ts';
import { insert, UnitOfWork } from '../store/unit-of-work.ts';
import {
  replyItem,
  SURVEY_REPLY_SCHEMA_VERSION,
  type SurveyCardRecord,
  type SurveyReplyRecord,
} from './model.ts';
import { parseSurveyReply } from './reply-parser.ts';
import type { SurveyAnswers } from './score.ts';
import { type AnswerOutcome, recordSurveyAnswer, type SurveyTokenDeps } from './service.ts';
import { verifySurveyToken } from './token.ts';

export type ReplyOutcome =
  | { outcome: 'recorded'; replyId: string; cardId: string; complaint?: Complaint }
  | { outcome: 'flagged'; replyId: string; reason: string }
  | { outcome: 'duplicate'; replyId: string };

/**
 * Handles one inbound e-mail reply: answers read with confidence are recorded on the card (the same
 * code as the survey page); anything else — unreadable, partial, unknown or expired card, already
 * answered — is stored as a flagged reply for staff, with the customer's text. Never dropped.
 * The reply's id comes from where the message is stored, so a redelivered message is handled once.
 */
export async function handleSurveyReply(
  deps: SurveyTokenDeps,
  message: { bucket: string; key: string; raw: Buffer },
): Promise<ReplyOutcome> {
  const replyId = createHash('sha256').update(`${message.bucket}/${message.key}`).digest('hex').slice(0, 32);
  if (await deps.surveys.getReply(replyId)) return { outcome: 'duplicate', replyId };

  const parsed = await parseSurveyReply(message.raw);
  const reasons: string[] = [];
  let card: SurveyCardRecord | undefined;
  if (parsed.token) {
    const verified = verifySurveyToken(parsed.token, await deps.keys(), deps.now());
    if (verified.ok) {
      card = await deps.surveys.getCard(verified.cardId);
      if (!card) reasons.push('the survey card of the reply address does not exist');
    } else {
      reasons.push(
        verified.reason === 'expired'
          ? 'the survey link had expired'
          : 'the reply address carries an invalid token',
      );
    }
  }
  if (parsed.flagged && parsed.flagReason) reasons.push(parsed.flagReason);
  if (card?.answeredAt) reasons.push(`the card was already answered (${card.answeredAt})`);

  const base: Omit<SurveyReplyRecord, 'outcome'> = {
    entity: 'SurveyReply',
    schemaVersion: SURVEY_REPLY_SCHEMA_VERSION,
    id: replyId,
    source: { bucket: message.bucket, key: message.key },
    ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
    ...(parsed.from ? { from: parsed.from } : {}),
    ...(card ? { cardId: card.id, caseNumber: card.caseNumber } : {}),
    answers: parsed.answers,
    comment: parsed.comment,
    receivedAt: deps.now().toISOString(),
    version: 1,
  };

  if (card && reasons.length === 0 && parsed.complete && isCompleteAnswers(parsed.answers)) {
    const result = await recordSurveyAnswer(
      deps,
      card,
      { answers: parsed.answers, comment: parsed.comment, complaint: false },
      'email',
      // The reply is stored with the answer it carried, or not at all.
      new UnitOfWork<AnswerOutcome>().add(insert(replyItem({ ...base, outcome: 'recorded' }), 'duplicate')),
    );
    if (result.outcome === 'recorded') {
      return {
        outcome: 'recorded',
        replyId,
        cardId: card.id,
        ...(result.complaint ? { complaint: result.complaint } : {}),
      };
    }
    if (result.outcome === 'duplicate') return { outcome: 'duplicate', replyId };
    reasons.push('the card was answered meanwhile');
  }

  const reason = reasons.join('; ') || 'needs a person to read it';
  const stored = await deps.surveys.putReply({ ...base, outcome: 'flagged', flagReason: reason });
  return stored ? { outcome: 'flagged', replyId, reason } : { outcome: 'duplicate', replyId };
}

function isCompleteAnswers(answers: Partial<SurveyAnswers>): answers is SurveyAnswers {
  return (
    answers.attitude !== undefined &&
    answers.skill !== undefined &&
    answers.arrival !== undefined &&
    answers.promise !== undefined
  );
}
