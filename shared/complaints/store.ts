/**
 * Complaint store: numbering and the staff lists. Creating a complaint is part of the operation that
 * raises it (e.g. recording a survey answer), which writes {@link complaintItem} and {@link taskItem}
 * in its own transaction, so an answer and its complaint are stored together or not at all.
 */
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, type Page } from '../store/pagination.ts';
import { Index, tableDefinition, withoutKeys } from '../store/table.ts';
import { type Complaint, complaintKeys, type Task } from './model.ts';

export interface ComplaintStore {
  /** Next complaint number of the day from an atomic counter. */
  nextSequence(day: string): Promise<number>;
  listOpen(q: { limit: number; cursor?: string }): Promise<Page<Complaint>>;
  listOpenVisits(q: { limit: number; cursor?: string }): Promise<Page<Task>>;
}

export class DynamoComplaintStore implements ComplaintStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async nextSequence(day: string): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: complaintKeys.counter(day),
        UpdateExpression: 'ADD #seq :one',
        ExpressionAttributeNames: { '#seq': 'seq' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.seq);
  }

  listOpen(q: { limit: number; cursor?: string }): Promise<Page<Complaint>> {
    return this.byStatus<Complaint>(complaintKeys.byStatus('open'), q);
  }

  listOpenVisits(q: { limit: number; cursor?: string }): Promise<Page<Task>> {
    return this.byStatus<Task>(complaintKeys.tasksByStatus('supervisor_visit', 'open'), q);
  }

  private async byStatus<T>(pk: string, q: { limit: number; cursor?: string }): Promise<Page<T>> {
    const ix = tableDefinition.indexes[Index.byStatus];
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: Index.byStatus,
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
