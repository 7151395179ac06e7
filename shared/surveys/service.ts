/**
 * Survey operations: the morning run (cards and the one reminder), answering (link, e-mail reply,
 * phone) and the staff reads. An answer that counts as a complaint is raised through the complaint
 * service, in the same unit of work as the answer.
 */

import { domainEvent } from '../../events/registry.ts';
import type { Case } from '../cases/model.ts';
import { localDay } from '../cases/numbering.ts';
import type { CaseStore } from '../cases/store.ts';
import type { Complaint } from '../complaints/model.ts';
import { raiseSurveyComplaint } from '../complaints/service.ts';
import type { ComplaintStore } from '../complaints/store.ts';
import { NotFoundError, StateConflictError } from '../errors.ts';
import { C, type Counters, family, sumCounters } from '../measures/definitions.ts';
import type { MeasureStore } from '../measures/store.ts';
import type { Mailer } from '../notify/mailer.ts';
import type { PageQuery } from '../store/pagination.ts';
import { insertOutbox, UnitOfWork } from '../store/unit-of-work.ts';
import { renderSurveyCard } from './card.ts';
import {
  type AnswerChannel,
  answerItem,
  SURVEY_CARD_SCHEMA_VERSION,
  type SurveyCardRecord,
  technicianNameOf,
} from './model.ts';
import { resolveSurveyLang, type SurveyLang } from './page.ts';
import {
  answerScore,
  emptyTally,
  isComplaint,
  type Scorecard,
  type ScoreTally,
  SURVEY_ITEMS,
  type SurveyAnswers,
  scorecardOf,
} from './score.ts';
import type { SurveyStore } from './store.ts';
import {
  newCardId,
  type SurveyKeyRing,
  signSurveyToken,
  surveyTokenExpiry,
  verifySurveyToken,
} from './token.ts';

/** Days after sending when the one reminder goes to customers who have not answered. */
export const REMINDER_AFTER_DAYS = 3;

export interface SurveyDeps {
  surveys: SurveyStore;
  complaints: ComplaintStore;
  now: () => Date;
  /** Branch time zone: service days, months and complaint numbers are local. */
  timeZone: string;
}

/** What verifying a link token needs on top of the stores. */
export interface SurveyTokenDeps extends SurveyDeps {
  /** The link keys in use: sign with the current one, verify with current and previous (rotation). */
  keys: () => Promise<SurveyKeyRing>;
}

/** What the morning run needs: the cases by completion day, and a mailer. */
export interface SurveyDispatchDeps extends SurveyTokenDeps {
  cases: Pick<CaseStore, 'listByCompletedDay'>;
  /** The directory's customer records: their consent to be surveyed. */
  customers: { getCustomer(id: string): Promise<{ surveyConsent: boolean } | undefined> };
  mailer: Mailer;
  /** Where the survey page is served, e.g. `https://api.aftercare.example`. */
  publicBaseUrl: string;
  /** Domain of the reply address `survey+<token>@<domain>` (an SES receiving domain). */
  replyDomain: string;
}

/* ------------------------------------------------------------------------------------------------
 * Morning run
 * ---------------------------------------------------------------------------------------------- */

export interface DispatchReport {
  /** The local day of the run, and the service day whose cases got a card. */
  today: string;
  serviceDay: string;
  /** Case numbers that got a card e-mail in this run. */
  cardsSent: string[];
  /** Cases that already had their card from an earlier run. */
  alreadyHandled: number;
  /** Case numbers without an e-mail address, newly listed for a phone follow-up. */
  phoneFollowUps: string[];
  /** Case numbers skipped, with why (internal work has no customer to ask). */
  skipped: Array<{ caseNumber: string; reason: string }>;
  /** Case numbers whose customer got the one reminder in this run. */
  reminders: string[];
  /** What failed; the rest of the run went on. The next run retries these. */
  failures: Array<{ caseNumber: string; step: 'card' | 'reminder'; error: string }>;
}

/**
 * The morning run: one card per case completed on the previous local day (found through the
 * completion-day index), a phone follow-up entry instead when the customer has no e-mail address,
 * and the one reminder to customers who got a card {@link REMINDER_AFTER_DAYS} or more days ago and
 * have not answered. Rerunning it sends nothing twice: the card is created with a conditional write
 * keyed by case, and the reminder is taken with a conditional update before it is sent.
 *
 * @param options.today Run as if on this local day (`YYYY-MM-DD`); default: today in the branch zone.
 */
export async function runMorningDispatch(
  deps: SurveyDispatchDeps,
  options: { today?: string } = {},
): Promise<DispatchReport> {
  const today = options.today ?? localDay(deps.now(), deps.timeZone);
  const report: DispatchReport = {
    today,
    serviceDay: addDays(today, -1),
    cardsSent: [],
    alreadyHandled: 0,
    phoneFollowUps: [],
    skipped: [],
    reminders: [],
    failures: [],
  };

  let cursor: string | undefined;
  do {
    const page = await deps.cases.listByCompletedDay(report.serviceDay, {
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    for (const c of page.items) {
      try {
        await cardForCase(deps, c, report);
      } catch (err) {
        report.failures.push({
          caseNumber: c.number,
          step: 'card',
          error: String((err as Error).message ?? err),
        });
      }
    }
    cursor = page.nextCursor;
  } while (cursor);

  // Links live 14 days; looking back over the whole window catches up after a missed morning.
  for (let back = REMINDER_AFTER_DAYS; back < 14; back++) {
    const sentDay = addDays(today, -back);
    let next: string | undefined;
    do {
      const page = await deps.surveys.listReminderDue(sentDay, {
        limit: 100,
        ...(next ? { cursor: next } : {}),
      });
      for (const card of page.items) await remind(deps, card, sentDay, report);
      next = page.nextCursor;
    } while (next);
  }
  return report;
}

async function cardForCase(deps: SurveyDispatchDeps, c: Case, report: DispatchReport): Promise<void> {
  if (c.internal) {
    report.skipped.push({ caseNumber: c.number, reason: 'internal work: no customer to survey' });
    return;
  }
  // Every customer served gets a card (no sampling), except one who told us not to survey them.
  if ((await deps.customers.getCustomer(c.customer.id))?.surveyConsent === false) {
    report.skipped.push({ caseNumber: c.number, reason: 'the customer declined surveys' });
    return;
  }
  let card = await deps.surveys.getCardByCase(c.id);
  let created = false;
  if (!card) {
    const fresh = newCard(deps, c);
    // A phone card is out once listed: staff call the customer from the list.
    created = await deps.surveys.createCard(
      fresh,
      fresh.channel === 'phone' ? cardSent(fresh, fresh.createdAt) : undefined,
    );
    card = created ? fresh : await deps.surveys.getCardByCase(c.id);
    if (!card) throw new Error(`survey card of case ${c.number} vanished`);
  }
  if (card.channel === 'phone') {
    if (created) report.phoneFollowUps.push(c.number);
    else report.alreadyHandled += 1;
    return;
  }
  if (card.sentAt) {
    report.alreadyHandled += 1;
    return;
  }
  // Created now, or created by an earlier run whose send failed: send (again) with the same token.
  const { messageId } = await mailCard(deps, card, false);
  const at = deps.now();
  await deps.surveys.markSent(
    card.id,
    { at: at.toISOString(), day: localDay(at, deps.timeZone), messageId },
    cardSent(card, at.toISOString()),
  );
  report.cardsSent.push(c.number);
}

/** The card went out (mailed, or listed for a phone call): the scorecard counts it on its service day. */
const cardSent = (card: SurveyCardRecord, at: string) =>
  domainEvent('Survey Card Sent', {
    cardId: card.id,
    caseId: card.caseId,
    branchId: card.branchId,
    technicianId: card.technicianId,
    channel: card.channel,
    serviceDay: card.serviceDay,
    at,
  });

function newCard(deps: SurveyDispatchDeps, c: Case): SurveyCardRecord {
  const at = deps.now();
  const completedAt = new Date(c.completedAt ?? at.toISOString());
  const serviceDay = localDay(completedAt, c.timeZone ?? deps.timeZone);
  const email = c.customer.email?.trim();
  return {
    entity: 'SurveyCard',
    schemaVersion: SURVEY_CARD_SCHEMA_VERSION,
    id: newCardId(),
    caseId: c.id,
    caseNumber: c.number,
    branchId: c.branchId,
    customer: {
      id: c.customer.id,
      name: c.customer.name,
      phone: c.customer.phone,
      address: c.customer.address,
      ...(email ? { email } : {}),
    },
    lang: resolveSurveyLang(c.customer.language),
    technicianId: c.technicianId ?? 'unassigned',
    ...(c.technicianName ? { technicianName: c.technicianName } : {}),
    serviceDay,
    month: serviceDay.slice(0, 7),
    channel: email ? 'email' : 'phone',
    createdAt: at.toISOString(),
    expiresAt: surveyTokenExpiry(at).toISOString(),
    version: 1,
  };
}

async function remind(
  deps: SurveyDispatchDeps,
  card: SurveyCardRecord,
  sentDay: string,
  report: DispatchReport,
): Promise<void> {
  // Expired links are not worth a reminder; the card simply leaves the index.
  if (Date.parse(card.expiresAt) <= deps.now().getTime()) {
    await deps.surveys.claimReminder(card.id, deps.now().toISOString());
    return;
  }
  if (!(await deps.surveys.claimReminder(card.id, deps.now().toISOString()))) return;
  try {
    await mailCard(deps, card, true);
    report.reminders.push(card.caseNumber);
  } catch (err) {
    await deps.surveys.releaseReminder(card, sentDay);
    report.failures.push({
      caseNumber: card.caseNumber,
      step: 'reminder',
      error: String((err as Error).message ?? err),
    });
  }
}

const REMINDER_PREFIX: Record<SurveyLang, string> = { 'zh-CN': '提醒：', en: 'Reminder: ' };

/** The link to a card's survey page, with its signed token. */
export async function surveyLink(
  deps: Pick<SurveyDispatchDeps, 'keys' | 'publicBaseUrl'>,
  card: SurveyCardRecord,
): Promise<{
  token: string;
  url: string;
}> {
  const { current } = await deps.keys();
  const token = signSurveyToken({ cardId: card.id, expiresAt: new Date(card.expiresAt) }, current);
  return { token, url: `${deps.publicBaseUrl.replace(/\/+$/, '')}/survey/${token}` };
}

async function mailCard(deps: SurveyDispatchDeps, card: SurveyCardRecord, reminder: boolean) {
  if (!card.customer.email) throw new Error(`card ${card.id} has no e-mail address`);
  const { token, url } = await surveyLink(deps, card);
  const rendered = renderSurveyCard({
    lang: card.lang,
    customerName: card.customer.name,
    caseNumber: card.caseNumber,
    technicianName: technicianNameOf(card),
    serviceDate: card.serviceDay,
    surveyUrl: url,
    quickAnswerUrl: (level) => `${url}?level=${level}`,
  });
  return deps.mailer.sendEmail({
    to: card.customer.email,
    subject: reminder ? `${REMINDER_PREFIX[card.lang]}${rendered.subject}` : rendered.subject,
    text: rendered.text,
    html: rendered.html,
    replyTo: `survey+${token}@${deps.replyDomain}`,
  });
}

/* ------------------------------------------------------------------------------------------------
 * Answering
 * ---------------------------------------------------------------------------------------------- */

/** What a link token leads to. `invalid` covers malformed, forged and unknown alike. */
export type SurveyLinkState =
  | { kind: 'invalid' }
  | { kind: 'expired'; lang: SurveyLang }
  | { kind: 'answered'; card: SurveyCardRecord }
  | { kind: 'open'; card: SurveyCardRecord };

/** Verifies a link token and finds its card. Never throws for a bad token: probing teaches nothing. */
export async function openSurveyLink(deps: SurveyTokenDeps, token: string): Promise<SurveyLinkState> {
  const verified = verifySurveyToken(token, await deps.keys(), deps.now());
  if (!verified.ok) {
    // Only tokens we signed get as far as "expired"; their card tells the language.
    if (verified.reason !== 'expired') return { kind: 'invalid' };
    const cardId = token.toLowerCase().split('.')[0] ?? '';
    const card = await deps.surveys.getCard(cardId);
    return card ? { kind: 'expired', lang: card.lang } : { kind: 'invalid' };
  }
  const card = await deps.surveys.getCard(verified.cardId);
  if (!card) return { kind: 'invalid' };
  return card.answeredAt ? { kind: 'answered', card } : { kind: 'open', card };
}

export interface AnswerInput {
  answers: SurveyAnswers;
  comment: string;
  /** The customer said "this is a complaint". */
  complaint: boolean;
}

/** How recording an answer can end other than stored: the card was answered first, or this answer was stored before. */
export type AnswerOutcome = 'already-answered' | 'duplicate';

export type AnswerResult =
  | { outcome: 'recorded'; complaint?: Complaint }
  | { outcome: 'already-answered' }
  | { outcome: 'duplicate' };

/**
 * Records a card's answer once, whichever way it came. A complaint (ticked, or any item at the
 * lowest level) is raised through the complaint service (numbered, with a supervisor visit task) in
 * the same unit of work as the answer, with `Survey Answered` / `Complaint Raised` (transactional outbox).
 *
 * @param unit The caller's unit of work, holding further writes of the same change (the e-mail reply
 *   that carried the answer); they commit with the answer or not at all.
 */
export async function recordSurveyAnswer(
  deps: SurveyDeps,
  card: SurveyCardRecord,
  input: AnswerInput,
  via: AnswerChannel,
  unit: UnitOfWork<AnswerOutcome> = new UnitOfWork(),
): Promise<AnswerResult> {
  const now = deps.now();
  const at = now.toISOString();
  const complaint = isComplaint(input.answers, input.comment, input.complaint);
  // The answer's record carries the unit's events (transactional outbox): they are published from
  // the table stream exactly when the answer committed.
  unit.add(insertOutbox(answerItem({ cardId: card.id, caseId: card.caseId, via, at }), 'duplicate')).emit(
    domainEvent('Survey Answered', {
      cardId: card.id,
      caseId: card.caseId,
      caseNumber: card.caseNumber,
      branchId: card.branchId,
      technicianId: card.technicianId,
      via,
      score: answerScore(input.answers),
      complaint,
      at,
      serviceDay: card.serviceDay,
      answers: input.answers,
    }),
  );
  const raised = complaint
    ? await raiseSurveyComplaint(deps, unit, {
        card,
        via,
        ratings: input.answers,
        text: input.comment,
        flaggedByCustomer: input.complaint,
        at: now,
      })
    : undefined;
  const outcome = await deps.surveys.recordAnswer(
    card.id,
    {
      answers: input.answers,
      comment: input.comment,
      complaintTicked: input.complaint,
      via,
      at,
      ...(raised ? { complaintId: raised.id } : {}),
    },
    unit,
  );
  if (outcome !== 'recorded') return { outcome };
  return raised ? { outcome, complaint: raised } : { outcome };
}

/* ------------------------------------------------------------------------------------------------
 * Staff
 * ---------------------------------------------------------------------------------------------- */

export interface SurveyScorecard extends Scorecard {
  month: string;
}

/** Staff reads: the scorecard reads the measures' day aggregates, never the cards. */
export interface SurveyStaffDeps extends SurveyDeps {
  aggregates: Pick<MeasureStore, 'period' | 'techniciansOfMonth'>;
}

/** A scorecard tally from summed counters (`Survey Card Sent` and `Survey Answered` on the service day). */
function tallyOf(c: Counters): ScoreTally {
  const levelSums = emptyTally().levelSums;
  for (const item of SURVEY_ITEMS) levelSums[item] = c[family(C.surveyLevels, item)] ?? 0;
  return { sent: c[C.surveyCardsSent] ?? 0, answered: c[C.surveyCardsAnswered] ?? 0, levelSums };
}

/**
 * Monthly scorecard per technician (averages per item, overall 1–5 score, response rate) and the
 * company average against the 4.5 target, from the day aggregates of the service month: two Queries,
 * whatever the number of cards. With `technicianId`, only that technician's rows are returned; the
 * company line stays company-wide.
 */
export async function surveyScorecard(
  deps: SurveyStaffDeps,
  query: { month: string; technicianId?: string },
): Promise<SurveyScorecard> {
  const [company, technicianDays] = await Promise.all([
    deps.aggregates.period({ kind: 'company' }, query.month),
    query.technicianId
      ? deps.aggregates.period(
          { kind: 'technician', technicianId: query.technicianId, branchId: '' },
          query.month,
        )
      : deps.aggregates.techniciansOfMonth(query.month),
  ]);
  const byTechnician = new Map<string, Counters[]>();
  for (const d of technicianDays) {
    const id = d.technicianId as string;
    byTechnician.set(id, [...(byTechnician.get(id) ?? []), d.counters]);
  }
  const rows = [...byTechnician.entries()]
    .map(([technicianId, days]) => ({ technicianId, month: query.month, ...tallyOf(sumCounters(days)) }))
    .filter((r) => r.sent > 0 || r.answered > 0);
  return {
    month: query.month,
    ...scorecardOf(rows, tallyOf(sumCounters(company.map((d) => d.counters)))),
  };
}

/** Customers without an e-mail address whose card staff must take by phone, oldest service day first. */
export const listPhoneFollowUps = (deps: SurveyDeps, q: PageQuery) => deps.surveys.listPhonePending(q);

/** E-mail replies that need a person: unreadable, partial, late, or for an unknown card. */
export const listFlaggedReplies = (deps: SurveyDeps, q: PageQuery) => deps.surveys.listFlaggedReplies(q);

/** Staff record the answers a customer gave on the phone (or read from a flagged reply). */
export async function answerByPhone(
  deps: SurveyDeps,
  cardId: string,
  input: AnswerInput,
): Promise<AnswerResult & { card: string }> {
  const card = await deps.surveys.getCard(cardId);
  if (!card) throw new NotFoundError(`no survey card ${cardId}`);
  if (card.answeredAt)
    throw new StateConflictError(`survey card ${cardId} was already answered at ${card.answeredAt}`);
  const result = await recordSurveyAnswer(deps, card, input, 'phone');
  if (result.outcome !== 'recorded')
    throw new StateConflictError(`survey card ${cardId} was already answered`);
  return { ...result, card: cardId };
}

/** `YYYY-MM-DD` plus `n` days (calendar arithmetic on the date itself, no time zone involved). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
