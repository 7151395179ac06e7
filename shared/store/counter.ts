/**
 * Daily counters behind readable numbers (`SR-…`, `CP-…`): one item per kind and day, incremented
 * atomically. Each domain declares its counter's key next to its own schema.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { lazySchema } from '../validation.ts';
import { firstVersionHeader, type ItemKind, parseItem } from './item.ts';
import type { ItemKey } from './unit-of-work.ts';

export const COUNTER_SCHEMA_VERSION = 1;

export const counterItemSchema = lazySchema(() =>
  z.object({ ...firstVersionHeader('Counter'), seq: z.number() }),
);

export const counterKind: ItemKind = {
  entity: 'Counter',
  version: COUNTER_SCHEMA_VERSION,
  schema: counterItemSchema,
};

/** The next value of the counter at `key` (1 for a new one). Not part of a unit of work: a gap is harmless. */
export async function nextInSequence(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: ItemKey,
): Promise<number> {
  const out = await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET entity = :entity, schemaVersion = :version ADD #seq :one',
      ExpressionAttributeNames: { '#seq': 'seq' },
      ExpressionAttributeValues: { ':entity': 'Counter', ':version': COUNTER_SCHEMA_VERSION, ':one': 1 },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return parseItem(counterItemSchema, out.Attributes ?? {}).seq;
}
