/**
 * Survey store: the port the survey service uses, and its DynamoDB implementation. Every read is a
 * GetItem or a Query on a key or a named index, parsed by the item's schema; writes that must agree
 * (guard + card; answer + its event record + complaint + visit task + reply) are one unit of work with
 * conditions, so reruns, retries and double submissions cannot send, record or raise anything twice.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '../../events/registry.ts';
import { parseItem } from '../store/item.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { queryAll, queryPage } from '../store/query.ts';
import { Index, tableDefinition } from '../store/table.ts';
import {
  commit,
  insert,
  insertOutbox,
  UnitOfWork,
  update,
  updateExisting,
  type Write,
} from '../store/unit-of-work.ts';
import {
  type AnswerChannel,
  cardItem,
  guardItem,
  replyItem,
  type SurveyCardRecord,
  type SurveyReplyRecord,
  sentItem,
  surveyCardSchema,
  surveyGuardSchema,
  surveyKeys,
  surveyReplySchema,
} from './model.ts';
import type { SurveyAnswers } from './score.ts';

export type { PageQuery };

export interface AnswerWrite {
  answers: SurveyAnswers;
  comment: string;
  complaintTicked: boolean;
  via: AnswerChannel;
  at: string;
  complaintId?: string;
}

export type RecordOutcome = 'recorded' | 'already-answered' | 'duplicate';

export interface SurveyStore {
  getCard(cardId: string): Promise<SurveyCardRecord | undefined>;
  getCardByCase(caseId: string): Promise<SurveyCardRecord | undefined>;
  /**
   * Writes the card and the case's guard together; false when the case already has a card. A phone card
   * is out as soon as it exists: `sent` (its `Survey Card Sent`) commits with it.
   */
  createCard(card: SurveyCardRecord, sent?: DomainEvent<'Survey Card Sent'>): Promise<boolean>;
  /**
   * Marks a mailed card sent and makes it due for a reminder, with its `Survey Card Sent`; false when it
   * was already marked.
   */
  markSent(
    cardId: string,
    sent: { at: string; day: string; messageId: string },
    event: DomainEvent<'Survey Card Sent'>,
  ): Promise<boolean>;
  listReminderDue(sentDay: string, q: PageQuery): Promise<Page<SurveyCardRecord>>;
  /** Takes the card's one reminder; false when it was answered or reminded meanwhile. */
  claimReminder(cardId: string, at: string): Promise<boolean>;
  /** Gives the reminder back after a failed send, so the next run tries again. */
  releaseReminder(card: SurveyCardRecord, sentDay: string): Promise<void>;
  /**
   * Stores the answer on its card once, with the rest of `unit` (its event record, a complaint, the reply
   * that carried it): `already-answered` when the card was answered first, `duplicate` when any of the
   * rest was stored before.
   */
  recordAnswer(
    cardId: string,
    answer: AnswerWrite,
    unit: UnitOfWork<'already-answered' | 'duplicate'>,
  ): Promise<RecordOutcome>;
  /**
   * Every card of a service month (optionally one technician's). The scorecard no longer reads this (it
   * reads the measures' day aggregates); it is the way to rebuild a month's scorecard counters from cards
   * made before `Survey Card Sent` existed.
   */
  listByMonth(month: string, technicianId?: string): Promise<SurveyCardRecord[]>;
  listPhonePending(q: PageQuery): Promise<Page<SurveyCardRecord>>;
  getReply(id: string): Promise<SurveyReplyRecord | undefined>;
  /** Stores a reply on its own; false when it was stored before (a redelivered message). */
  putReply(reply: SurveyReplyRecord): Promise<boolean>;
  listFlaggedReplies(q: PageQuery): Promise<Page<SurveyReplyRecord>>;
}

const parseCard = (item: Record<string, unknown>) => parseItem(surveyCardSchema, item);
const parseReply = (item: Record<string, unknown>) => parseItem(surveyReplySchema, item);

/** The reminder index of a card (gsi2): its attribute names, for updates that set or remove it. */
const reminderIndex = tableDefinition.indexes[Index.byStatus];
const reminderNames = { '#ipk': reminderIndex.partitionKey, '#isk': reminderIndex.sortKey };

export class DynamoSurveyStore implements SurveyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getCard(cardId: string): Promise<SurveyCardRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: surveyKeys.card(cardId), ConsistentRead: true }),
    );
    return out.Item ? parseCard(out.Item) : undefined;
  }

  async getCardByCase(caseId: string): Promise<SurveyCardRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: surveyKeys.caseGuard(caseId), ConsistentRead: true }),
    );
    return out.Item ? this.getCard(parseItem(surveyGuardSchema, out.Item).cardId) : undefined;
  }

  async createCard(card: SurveyCardRecord, sent?: DomainEvent<'Survey Card Sent'>): Promise<boolean> {
    const unit = new UnitOfWork<'exists'>().add(
      insert(guardItem(card.caseId, card.id), 'exists'),
      insert(cardItem(card)),
    );
    if (sent)
      unit
        .add(insertOutbox(sentItem({ cardId: card.id, channel: card.channel, at: sent.detail.at }), 'exists'))
        .emit(sent);
    return (await commit(this.db, this.tableName, unit)) === 'committed';
  }

  async markSent(
    cardId: string,
    sent: { at: string; day: string; messageId: string },
    event: DomainEvent<'Survey Card Sent'>,
  ): Promise<boolean> {
    const due = surveyKeys.reminderDue(sent.day, sent.at, cardId);
    const unit = new UnitOfWork<'no'>().add(
      updateExisting(
        surveyKeys.card(cardId),
        'SET sentAt = :at, messageId = :mid, #ipk = :due, #isk = :order, version = version + :one',
        {
          condition: 'attribute_not_exists(sentAt)',
          names: reminderNames,
          values: {
            ':at': sent.at,
            ':mid': sent.messageId,
            ':due': due[reminderIndex.partitionKey],
            ':order': due[reminderIndex.sortKey],
            ':one': 1,
          },
          onConflict: 'no',
        },
      ),
      insertOutbox(sentItem({ cardId, channel: 'email', at: sent.at }), 'no'),
    );
    unit.emit(event);
    return (await commit(this.db, this.tableName, unit)) === 'committed';
  }

  listReminderDue(sentDay: string, q: PageQuery): Promise<Page<SurveyCardRecord>> {
    return this.listIndex(surveyKeys.remindersOf(sentDay), q, parseCard);
  }

  claimReminder(cardId: string, at: string): Promise<boolean> {
    return this.ifStill(
      updateExisting(
        surveyKeys.card(cardId),
        'SET remindedAt = :at, version = version + :one REMOVE #ipk, #isk',
        {
          condition: 'attribute_not_exists(answeredAt) AND attribute_not_exists(remindedAt)',
          names: reminderNames,
          values: { ':at': at, ':one': 1 },
          onConflict: 'no',
        },
      ),
    );
  }

  async releaseReminder(card: SurveyCardRecord, sentDay: string): Promise<void> {
    if (!card.sentAt) return;
    const due = surveyKeys.reminderDue(sentDay, card.sentAt, card.id);
    await this.ifStill(
      update(
        surveyKeys.card(card.id),
        'SET #ipk = :due, #isk = :order, version = version + :one REMOVE remindedAt',
        {
          // Answered meanwhile: no reminder is due any more.
          condition: 'attribute_not_exists(answeredAt)',
          names: reminderNames,
          values: {
            ':due': due[reminderIndex.partitionKey],
            ':order': due[reminderIndex.sortKey],
            ':one': 1,
          },
          onConflict: 'no',
        },
      ),
    );
  }

  async recordAnswer(
    cardId: string,
    answer: AnswerWrite,
    unit: UnitOfWork<'already-answered' | 'duplicate'>,
  ): Promise<RecordOutcome> {
    const onCard = updateExisting<'already-answered'>(
      surveyKeys.card(cardId),
      `SET answeredAt = :at, answeredVia = :via, answers = :answers, #comment = :comment, complaintTicked = :ticked, version = version + :one${
        answer.complaintId ? ', complaintId = :complaint' : ''
      } REMOVE #ipk, #isk`,
      {
        condition: 'attribute_not_exists(answeredAt)',
        names: { '#comment': 'comment', ...reminderNames },
        values: {
          ':at': answer.at,
          ':via': answer.via,
          ':answers': answer.answers,
          ':comment': answer.comment,
          ':ticked': answer.complaintTicked,
          ':one': 1,
          ...(answer.complaintId ? { ':complaint': answer.complaintId } : {}),
        },
        onConflict: 'already-answered',
      },
    );
    // The card's own write first: a card answered meanwhile is "already answered", not a duplicate.
    const all = new UnitOfWork<'already-answered' | 'duplicate'>()
      .add(onCard, ...unit.writes)
      .emit(...unit.events);
    const outcome = await commit(this.db, this.tableName, all);
    return outcome === 'committed' ? 'recorded' : outcome;
  }

  async listByMonth(month: string, technicianId?: string): Promise<SurveyCardRecord[]> {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byDoneDay,
      pk: surveyKeys.byMonth(month),
      ...(technicianId ? { skPrefix: surveyKeys.byMonthTechnicianPrefix(technicianId) } : {}),
    });
    return items.map(parseCard);
  }

  listPhonePending(q: PageQuery): Promise<Page<SurveyCardRecord>> {
    return this.listIndex(surveyKeys.phonePending, q, parseCard);
  }

  async getReply(id: string): Promise<SurveyReplyRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: surveyKeys.reply(id), ConsistentRead: true }),
    );
    return out.Item ? parseReply(out.Item) : undefined;
  }

  putReply(reply: SurveyReplyRecord): Promise<boolean> {
    return this.ifStill(insert(replyItem(reply), 'no'));
  }

  listFlaggedReplies(q: PageQuery): Promise<Page<SurveyReplyRecord>> {
    return this.listIndex(surveyKeys.flaggedReplies, q, parseReply);
  }

  /** One conditional write; false when its condition no longer held. */
  private async ifStill(write: Write<'no'>): Promise<boolean> {
    return (await commit(this.db, this.tableName, new UnitOfWork<'no'>().add(write))) === 'committed';
  }

  /** Oldest first, on the state index (gsi2). */
  private listIndex<T>(
    pk: string,
    q: PageQuery,
    parse: (item: Record<string, unknown>) => T,
  ): Promise<Page<T>> {
    return queryPage(this.db, this.tableName, { index: Index.byStatus, pk }, q, parse);
  }
}
