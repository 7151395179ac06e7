/**
 * Case store: the port the case service uses, and its DynamoDB implementation. Every read is a
 * GetItem or a Query on a key or a named index; every multi-item write is one transaction with
 * conditions, so retries and races cannot duplicate or lose a record.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { withOutbox } from '../../events/outbox.ts';
import { VersionConflictError } from '../errors.ts';
import { decodeCursor, encodeCursor, type Page } from '../store/pagination.ts';
import { Index, tableDefinition, withoutKeys } from '../store/table.ts';
import type { RegisterEntry } from './commands.ts';
import { type Case, caseKeys, type TimelineEntry } from './model.ts';
import { localDay } from './numbering.ts';
import { isOpen } from './status.ts';

export interface IdempotencyRecord {
  caseId: string;
  requestHash: string;
}

export interface CaseListQuery {
  limit: number;
  cursor?: string;
}

export interface CaseStore {
  get(caseId: string): Promise<Case | undefined>;
  /** The case and its whole timeline in one Query (they share a partition). */
  getWithTimeline(caseId: string): Promise<{ case?: Case; timeline: TimelineEntry[] }>;
  /** Next number of the day from an atomic counter. */
  nextSequence(day: string): Promise<number>;
  findIdempotency(sub: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Writes case, first timeline entry and idempotency record together; false if the key was taken meanwhile. */
  create(
    c: Case,
    first: TimelineEntry,
    idempotency?: { sub: string; key: string; requestHash: string },
  ): Promise<boolean>;
  /** Replaces the case if it is still at `expectedVersion`, with its timeline entry (and register entry). */
  update(next: Case, expectedVersion: number, entry: TimelineEntry, register?: RegisterEntry): Promise<void>;
  listByCustomer(customerId: string, q: CaseListQuery): Promise<Page<Case>>;
  listByStatus(status: string, q: CaseListQuery): Promise<Page<Case>>;
  listOpenByTechnician(technicianId: string, q: CaseListQuery): Promise<Page<Case>>;
  listByCreatedDay(day: string, q: CaseListQuery): Promise<Page<Case>>;
  listByCompletedDay(day: string, q: CaseListQuery): Promise<Page<Case>>;
  listRegister(month: string, q: CaseListQuery): Promise<Page<RegisterEntry>>;
}

/** Index attributes of a case: what makes it findable by customer, status, technician and day. */
export function caseIndexKeys(c: Case, timeZone: string): Record<string, string> {
  const order = `${c.createdAt}#${c.id}`;
  const keys: Record<string, string> = {
    gsi1pk: caseKeys.byCustomer(c.customer.id),
    gsi1sk: `CASE#${order}`,
    gsi2pk: caseKeys.byStatus(c.status),
    gsi2sk: order,
    gsi4pk: caseKeys.byDay(localDay(new Date(c.createdAt), timeZone)),
    gsi4sk: order,
  };
  if (c.technicianId && isOpen(c.status)) {
    keys.gsi3pk = caseKeys.byTechnician(c.technicianId);
    keys.gsi3sk = order;
  }
  if (c.completedAt) {
    keys.gsi5pk = caseKeys.byDoneDay(localDay(new Date(c.completedAt), timeZone));
    keys.gsi5sk = `${c.completedAt}#${c.id}`;
  }
  return keys;
}

const registerKeys = (e: RegisterEntry) => ({
  pk: `REGISTER#${e.at.slice(0, 7)}`,
  sk: `${e.at}#${e.caseId}#${e.direction}`,
});

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export class DynamoCaseStore implements CaseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly timeZone: string,
  ) {}

  async get(caseId: string): Promise<Case | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: caseKeys.item(caseId) }));
    return out.Item ? withoutKeys<Case>(out.Item) : undefined;
  }

  async getWithTimeline(caseId: string): Promise<{ case?: Case; timeline: TimelineEntry[] }> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': caseKeys.partition(caseId) },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    const caseItem = items.find((i) => i.sk === 'CASE');
    return {
      ...(caseItem ? { case: withoutKeys<Case>(caseItem) } : {}),
      timeline: items
        .filter((i) => String(i.sk).startsWith(caseKeys.timelinePrefix))
        .map((i) => withoutKeys<TimelineEntry>(i)),
    };
  }

  async nextSequence(day: string): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: caseKeys.counter(day),
        UpdateExpression: 'ADD #seq :one',
        ExpressionAttributeNames: { '#seq': 'seq' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.seq);
  }

  async findIdempotency(sub: string, key: string): Promise<IdempotencyRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: caseKeys.idempotency(sub, key),
        ConsistentRead: true,
      }),
    );
    return out.Item
      ? { caseId: String(out.Item.caseId), requestHash: String(out.Item.requestHash) }
      : undefined;
  }

  async create(
    c: Case,
    first: TimelineEntry,
    idempotency?: { sub: string; key: string; requestHash: string },
  ): Promise<boolean> {
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...caseKeys.item(c.id), ...caseIndexKeys(c, this.timeZone), ...c },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: withOutbox({ ...caseKeys.timeline(c.id, first.seq), ...first }),
        },
      },
    ];
    if (idempotency) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...caseKeys.idempotency(idempotency.sub, idempotency.key),
            caseId: c.id,
            requestHash: idempotency.requestHash,
            expiresAt: Math.floor(Date.parse(c.createdAt) / 1000) + IDEMPOTENCY_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (err) {
      const reasons = err instanceof TransactionCanceledException ? (err.CancellationReasons ?? []) : [];
      // Only a lost race on the idempotency key is expected; anything else is a real failure.
      if (idempotency && reasons[2]?.Code === 'ConditionalCheckFailed') return false;
      throw err;
    }
  }

  async update(
    next: Case,
    expectedVersion: number,
    entry: TimelineEntry,
    register?: RegisterEntry,
  ): Promise<void> {
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...caseKeys.item(next.id), ...caseIndexKeys(next, this.timeZone), ...next },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: withOutbox({ ...caseKeys.timeline(next.id, entry.seq), ...entry }),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
    if (register) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { ...registerKeys(register), entity: 'RegisterEntry', ...register },
        },
      });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      if (err instanceof TransactionCanceledException || err instanceof ConditionalCheckFailedException) {
        const reasons = err instanceof TransactionCanceledException ? (err.CancellationReasons ?? []) : [];
        if (
          reasons.length === 0 ||
          reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')
        ) {
          throw new VersionConflictError(
            `case ${next.id} was changed by someone else; reload and try again`,
            { expectedVersion },
          );
        }
      }
      throw err;
    }
  }

  listByCustomer(customerId: string, q: CaseListQuery): Promise<Page<Case>> {
    return this.queryIndex(Index.byOwner, 'gsi1pk', caseKeys.byCustomer(customerId), q, 'gsi1sk', 'CASE#');
  }

  listByStatus(status: string, q: CaseListQuery): Promise<Page<Case>> {
    return this.queryIndex(Index.byStatus, 'gsi2pk', caseKeys.byStatus(status), q);
  }

  listOpenByTechnician(technicianId: string, q: CaseListQuery): Promise<Page<Case>> {
    return this.queryIndex(Index.byAssignee, 'gsi3pk', caseKeys.byTechnician(technicianId), q);
  }

  listByCreatedDay(day: string, q: CaseListQuery): Promise<Page<Case>> {
    return this.queryIndex(Index.byDay, 'gsi4pk', caseKeys.byDay(day), q);
  }

  listByCompletedDay(day: string, q: CaseListQuery): Promise<Page<Case>> {
    return this.queryIndex(Index.byDoneDay, 'gsi5pk', caseKeys.byDoneDay(day), q);
  }

  async listRegister(month: string, q: CaseListQuery): Promise<Page<RegisterEntry>> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `REGISTER#${month}` },
        Limit: q.limit,
        ExclusiveStartKey: decodeCursor(q.cursor, ['pk', 'sk']),
      }),
    );
    const nextCursor = encodeCursor(out.LastEvaluatedKey);
    return {
      items: (out.Items ?? []).map((i) => withoutKeys<RegisterEntry>(i)),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  /** Newest first on every case index. */
  private async queryIndex(
    index: string,
    pkAttr: string,
    pk: string,
    q: CaseListQuery,
    skAttr?: string,
    skPrefix?: string,
  ): Promise<Page<Case>> {
    const ix = tableDefinition.indexes[index as keyof typeof tableDefinition.indexes];
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: skPrefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': pkAttr, ...(skPrefix ? { '#sk': skAttr ?? ix.sortKey } : {}) },
        ExpressionAttributeValues: { ':pk': pk, ...(skPrefix ? { ':prefix': skPrefix } : {}) },
        ScanIndexForward: false,
        Limit: q.limit,
        ExclusiveStartKey: decodeCursor(q.cursor, ['pk', 'sk', ix.partitionKey, ix.sortKey]),
      }),
    );
    const nextCursor = encodeCursor(out.LastEvaluatedKey);
    return {
      items: (out.Items ?? []).map((i) => withoutKeys<Case>(i)),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }
}
