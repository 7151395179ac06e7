/**
 * The two ways stores read lists: a whole partition (or index partition) in one go, and one page of
 * it with an opaque cursor. Both are a `Query` on the table's key or a named index, never a `Scan`.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, type Page, type PageQuery } from './pagination.ts';
import { type IndexName, tableDefinition } from './table.ts';

export interface KeyQuery {
  /** Query this index instead of the table. */
  index?: IndexName;
  /** The partition key value. */
  pk: string;
  /** Only sort keys starting with this. */
  skPrefix?: string;
  /** Only sort keys from the first to the second, both included (instead of `skPrefix`). */
  skBetween?: readonly [string, string];
  /** Descending sort key order (newest first on time-ordered keys). */
  newestFirst?: boolean;
  consistent?: boolean;
}

type Item = Record<string, unknown>;

function sortKeyCondition(q: KeyQuery) {
  if (q.skBetween)
    return {
      expression: ' AND #sk BETWEEN :from AND :to',
      values: { ':from': q.skBetween[0], ':to': q.skBetween[1] },
    };
  if (q.skPrefix) return { expression: ' AND begins_with(#sk, :prefix)', values: { ':prefix': q.skPrefix } };
  return undefined;
}

function queryInput(tableName: string, q: KeyQuery) {
  const keys = q.index ? tableDefinition.indexes[q.index] : tableDefinition;
  const sk = sortKeyCondition(q);
  return {
    TableName: tableName,
    ...(q.index ? { IndexName: q.index } : {}),
    KeyConditionExpression: `#pk = :pk${sk?.expression ?? ''}`,
    ExpressionAttributeNames: { '#pk': keys.partitionKey, ...(sk ? { '#sk': keys.sortKey } : {}) },
    ExpressionAttributeValues: { ':pk': q.pk, ...sk?.values },
    ...(q.newestFirst ? { ScanIndexForward: false } : {}),
    ...(q.consistent ? { ConsistentRead: true } : {}),
  };
}

/** Every item of the partition, following `LastEvaluatedKey` to the end. */
export async function queryAll(db: DynamoDBDocumentClient, tableName: string, q: KeyQuery): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const out = await db.send(new QueryCommand({ ...queryInput(tableName, q), ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** One page of the partition, each item parsed; the cursor continues where this page ended. */
export async function queryPage<T>(
  db: DynamoDBDocumentClient,
  tableName: string,
  q: KeyQuery,
  page: PageQuery,
  parse: (item: Item) => T,
): Promise<Page<T>> {
  const keys = q.index ? tableDefinition.indexes[q.index] : tableDefinition;
  const cursorKeys = new Set([
    tableDefinition.partitionKey,
    tableDefinition.sortKey,
    keys.partitionKey,
    keys.sortKey,
  ]);
  const start = decodeCursor(page.cursor, {
    keys: [...cursorKeys],
    partitionKey: keys.partitionKey,
    partition: q.pk,
    sortKey: keys.sortKey,
    ...(q.skPrefix ? { sortPrefix: q.skPrefix } : {}),
  });
  const out = await db.send(
    new QueryCommand({ ...queryInput(tableName, q), Limit: page.limit, ExclusiveStartKey: start }),
  );
  const nextCursor = encodeCursor(out.LastEvaluatedKey);
  return { items: (out.Items ?? []).map(parse), ...(nextCursor ? { nextCursor } : {}) };
}
