/**
 * Survey store: the port the survey service uses, and its DynamoDB implementation. Every read is a
 * GetItem or a Query on a key or a named index; writes that must agree (guard + card; answer +
 * complaint + visit task + reply) are one transaction with conditions, so reruns, retries and
 * double submissions cannot send, record or raise anything twice.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, type Page } from '../store/pagination.ts';
import { Index, type IndexName, tableDefinition, withoutKeys } from '../store/table.ts';
import {
  type AnswerChannel,
  cardItem,
  replyItem,
  type SurveyCardRecord,
  type SurveyReplyRecord,
  surveyKeys,
} from './model.ts';
import type { SurveyAnswers } from './score.ts';

export interface PageQuery {
  limit: number;
  cursor?: string;
}

export interface AnswerWrite {
  answers: SurveyAnswers;
  comment: string;
  complaintTicked: boolean;
  via: AnswerChannel;
  at: string;
  complaintId?: string;
}

/** Other items written in the same transaction as an answer (complaint, visit task, the e-mail reply). */
export interface ExtraPut {
  item: Record<string, unknown>;
  /** What the outcome is when this item already exists. */
  onExists: 'duplicate';
}

export type RecordOutcome = 'recorded' | 'already-answered' | 'duplicate';

export interface SurveyStore {
  getCard(cardId: string): Promise<SurveyCardRecord | undefined>;
  getCardByCase(caseId: string): Promise<SurveyCardRecord | undefined>;
  /** Writes the card and the case's guard together; false when the case already has a card. */
  createCard(card: SurveyCardRecord): Promise<boolean>;
  /** Marks a mailed card sent and makes it due for a reminder; false when it was already marked. */
  markSent(cardId: string, sent: { at: string; day: string; messageId: string }): Promise<boolean>;
  listReminderDue(sentDay: string, q: PageQuery): Promise<Page<SurveyCardRecord>>;
  /** Takes the card's one reminder; false when it was answered or reminded meanwhile. */
  claimReminder(cardId: string, at: string): Promise<boolean>;
  /** Gives the reminder back after a failed send, so the next run tries again. */
  releaseReminder(card: SurveyCardRecord, sentDay: string): Promise<void>;
  /** Stores the answer once, with the given items, in one transaction. */
  recordAnswer(cardId: string, answer: AnswerWrite, extra: ExtraPut[]): Promise<RecordOutcome>;
  /** Every card of a service month (optionally one technician's). */
  listByMonth(month: string, technicianId?: string): Promise<SurveyCardRecord[]>;
  listPhonePending(q: PageQuery): Promise<Page<SurveyCardRecord>>;
  getReply(id: string): Promise<SurveyReplyRecord | undefined>;
  /** Stores a reply on its own; false when it was stored before (a redelivered message). */
  putReply(reply: SurveyReplyRecord): Promise<boolean>;
  listFlaggedReplies(q: PageQuery): Promise<Page<SurveyReplyRecord>>;
}

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

export class DynamoSurveyStore implements SurveyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getCard(cardId: string): Promise<SurveyCardRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: surveyKeys.card(cardId), ConsistentRead: true }),
    );
    return out.Item ? withoutKeys<SurveyCardRecord>(out.Item) : undefined;
  }

  async getCardByCase(caseId: string): Promise<SurveyCardRecord | undefined> {
    const guard = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: surveyKeys.caseGuard(caseId), ConsistentRead: true }),
    );
    return typeof guard.Item?.cardId === 'string' ? this.getCard(guard.Item.cardId) : undefined;
  }

  async createCard(card: SurveyCardRecord): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...surveyKeys.caseGuard(card.caseId), entity: 'SurveyCaseGuard', cardId: card.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: cardItem(card),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (cancelledAt(err, 0)) return false;
      throw err;
    }
  }

  async markSent(cardId: string, sent: { at: string; day: string; messageId: string }): Promise<boolean> {
    return this.conditionalUpdate({
      Key: surveyKeys.card(cardId),
      UpdateExpression:
        'SET sentAt = :at, messageId = :mid, gsi2pk = :due, gsi2sk = :order, version = version + :one',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sentAt)',
      ExpressionAttributeValues: {
        ':at': sent.at,
        ':mid': sent.messageId,
        ':due': surveyKeys.reminderDue(sent.day),
        ':order': `${sent.at}#${cardId}`,
        ':one': 1,
      },
    });
  }

  listReminderDue(sentDay: string, q: PageQuery): Promise<Page<SurveyCardRecord>> {
    return this.queryIndex(Index.byStatus, surveyKeys.reminderDue(sentDay), q);
  }

  claimReminder(cardId: string, at: string): Promise<boolean> {
    return this.conditionalUpdate({
      Key: surveyKeys.card(cardId),
      UpdateExpression: 'SET remindedAt = :at, version = version + :one REMOVE gsi2pk, gsi2sk',
      ConditionExpression:
        'attribute_exists(pk) AND attribute_not_exists(answeredAt) AND attribute_not_exists(remindedAt)',
      ExpressionAttributeValues: { ':at': at, ':one': 1 },
    });
  }

  async releaseReminder(card: SurveyCardRecord, sentDay: string): Promise<void> {
    if (!card.sentAt) return;
    await this.conditionalUpdate({
      Key: surveyKeys.card(card.id),
      UpdateExpression: 'SET gsi2pk = :due, gsi2sk = :order, version = version + :one REMOVE remindedAt',
      ConditionExpression: 'attribute_not_exists(answeredAt)',
      ExpressionAttributeValues: {
        ':due': surveyKeys.reminderDue(sentDay),
        ':order': `${card.sentAt}#${card.id}`,
        ':one': 1,
      },
    });
  }

  async recordAnswer(cardId: string, answer: AnswerWrite, extra: ExtraPut[]): Promise<RecordOutcome> {
    const items: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: surveyKeys.card(cardId),
          UpdateExpression: `SET answeredAt = :at, answeredVia = :via, answers = :answers, #comment = :comment, complaintTicked = :ticked, version = version + :one${
            answer.complaintId ? ', complaintId = :complaint' : ''
          } REMOVE gsi2pk, gsi2sk`,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(answeredAt)',
          ExpressionAttributeNames: { '#comment': 'comment' },
          ExpressionAttributeValues: {
            ':at': answer.at,
            ':via': answer.via,
            ':answers': answer.answers,
            ':comment': answer.comment,
            ':ticked': answer.complaintTicked,
            ':one': 1,
            ...(answer.complaintId ? { ':complaint': answer.complaintId } : {}),
          },
        },
      },
      ...extra.map((e) => ({
        Put: { TableName: this.tableName, Item: e.item, ConditionExpression: 'attribute_not_exists(pk)' },
      })),
    ];
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'recorded';
    } catch (err) {
      if (cancelledAt(err, 0)) return 'already-answered';
      if (extra.some((_, i) => cancelledAt(err, i + 1))) return 'duplicate';
      throw err;
    }
  }

  async listByMonth(month: string, technicianId?: string): Promise<SurveyCardRecord[]> {
    const ix = tableDefinition.indexes[Index.byDoneDay];
    const cards: SurveyCardRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: Index.byDoneDay,
          KeyConditionExpression: technicianId ? '#pk = :pk AND begins_with(#sk, :tech)' : '#pk = :pk',
          ExpressionAttributeNames: {
            '#pk': ix.partitionKey,
            ...(technicianId ? { '#sk': ix.sortKey } : {}),
          },
          ExpressionAttributeValues: {
            ':pk': surveyKeys.byMonth(month),
            ...(technicianId ? { ':tech': `${technicianId}#` } : {}),
          },
          ExclusiveStartKey: start,
        }),
      );
      cards.push(...(out.Items ?? []).map((i) => withoutKeys<SurveyCardRecord>(i)));
      start = out.LastEvaluatedKey;
    } while (start);
    return cards;
  }

  listPhonePending(q: PageQuery): Promise<Page<SurveyCardRecord>> {
    return this.queryIndex(Index.byStatus, surveyKeys.phonePending, q);
  }

  async getReply(id: string): Promise<SurveyReplyRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: surveyKeys.reply(id), ConsistentRead: true }),
    );
    return out.Item ? withoutKeys<SurveyReplyRecord>(out.Item) : undefined;
  }

  async putReply(reply: SurveyReplyRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: replyItem(reply),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  listFlaggedReplies(q: PageQuery): Promise<Page<SurveyReplyRecord>> {
    return this.queryIndex(Index.byStatus, surveyKeys.flaggedReplies, q);
  }

  private async conditionalUpdate(
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>,
  ): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, ...input }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Oldest first. */
  private async queryIndex<T>(index: IndexName, pk: string, q: PageQuery): Promise<Page<T>> {
    const ix = tableDefinition.indexes[index];
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': ix.partitionKey },
        ExpressionAttributeValues: { ':pk': pk },
        Limit: q.limit,
        ExclusiveStartKey: decodeCursor(q.cursor, ['pk', 'sk', ix.partitionKey, ix.sortKey]),
      }),
    );
    const nextCursor = encodeCursor(out.LastEvaluatedKey);
    return { items: (out.Items ?? []).map((i) => withoutKeys<T>(i)), ...(nextCursor ? { nextCursor } : {}) };
  }
}

/** True when a transaction was cancelled because the condition of item `index` failed. */
function cancelledAt(err: unknown, index: number): boolean {
  return (
    err instanceof TransactionCanceledException &&
    err.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed'
  );
}
