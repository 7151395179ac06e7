/**
 * One unit of work: every change that spans items or aggregates is a list of conditional writes plus
 * the domain events it causes, committed in one `TransactWriteItems`, so either all of it is stored
 * (and its events relayed) or none of it.
 *
 * Events ride on one inserted item of the unit, its outbox carrier (see `events/outbox.ts`): the table
 * stream relays them exactly when the unit committed. A write whose condition fails either names the
 * outcome the caller expects (e.g. `'duplicate'` for a retried request) or surfaces as a 409 domain error.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { OUTBOX_ATTRIBUTE, withOutbox } from '../../events/outbox.ts';
import type { DomainEvent } from '../../events/registry.ts';
import { VersionConflictError } from '../errors.ts';
import { tableDefinition } from './table.ts';

export type ItemKey = { pk: string; sk: string };

/** What a failed condition means: an outcome the caller handles, or the error to throw. */
export type OnConflict<O extends string> = O | (() => Error);

interface Expression {
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

export type Write<O extends string = never> =
  | ({
      kind: 'put';
      item: Record<string, unknown>;
      condition?: string;
      onConflict?: OnConflict<O>;
      /** This item carries the unit's events (it must be new: the relay sees inserts only). */
      carriesEvents?: boolean;
    } & Expression)
  | ({
      kind: 'update';
      key: ItemKey;
      update: string;
      condition?: string;
      onConflict?: OnConflict<O>;
    } & Expression)
  | ({ kind: 'check'; key: ItemKey; condition: string; onConflict?: OnConflict<O> } & Expression)
  | ({ kind: 'delete'; key: ItemKey; condition?: string; onConflict?: OnConflict<O> } & Expression);

const notThere = `attribute_not_exists(${tableDefinition.partitionKey})`;
const there = `attribute_exists(${tableDefinition.partitionKey})`;

/** Puts a new item; a stored item with the same key is a conflict. */
export function insert<O extends string = never>(
  item: Record<string, unknown>,
  onConflict?: OnConflict<O>,
): Write<O> {
  return { kind: 'put', item, condition: notThere, ...(onConflict ? { onConflict } : {}) };
}

/** Puts a new item that carries the unit's domain events to the relay (the transactional outbox). */
export function insertOutbox<O extends string = never>(
  item: Record<string, unknown>,
  onConflict?: OnConflict<O>,
): Write<O> {
  return {
    kind: 'put',
    item,
    condition: notThere,
    carriesEvents: true,
    ...(onConflict ? { onConflict } : {}),
  };
}

/** Puts an item, replacing what is there when `condition` (if any) holds. */
export function put<O extends string = never>(
  item: Record<string, unknown>,
  options: { condition?: string; onConflict?: OnConflict<O> } & Expression = {},
): Write<O> {
  return { kind: 'put', item, ...options };
}

/**
 * Puts an item under optimistic locking: it replaces the stored one only while that is still at
 * `storedVersion`; with none stored (`undefined`), it is inserted, and an item put meanwhile is the conflict.
 */
export function putVersioned<O extends string = never>(
  item: Record<string, unknown>,
  storedVersion: number | undefined,
  onConflict?: OnConflict<O>,
): Write<O> {
  if (storedVersion === undefined) return insert(item, onConflict);
  return put(item, {
    condition: 'version = :v',
    values: { ':v': storedVersion },
    ...(onConflict ? { onConflict } : {}),
  });
}

/** Updates an item in place (`SET`/`ADD`/`REMOVE`) when `condition` (if any) holds. */
export function update<O extends string = never>(
  key: ItemKey,
  expression: string,
  options: { condition?: string; onConflict?: OnConflict<O> } & Expression = {},
): Write<O> {
  return { kind: 'update', key, update: expression, ...options };
}

/** Updates an existing item only: a missing item is a conflict. */
export function updateExisting<O extends string = never>(
  key: ItemKey,
  expression: string,
  options: { condition?: string; onConflict?: OnConflict<O> } & Expression = {},
): Write<O> {
  const condition = options.condition ? `${there} AND (${options.condition})` : there;
  return update(key, expression, { ...options, condition });
}

/** Deletes an item when `condition` (if any) holds (e.g. a uniqueness claim given up). */
export function remove<O extends string = never>(
  key: ItemKey,
  options: { condition?: string; onConflict?: OnConflict<O> } & Expression = {},
): Write<O> {
  return { kind: 'delete', key, ...options };
}

/** Writes nothing, but the unit commits only while `condition` holds on the item at `key`. */
export function check<O extends string = never>(
  key: ItemKey,
  condition: string,
  options: { onConflict?: OnConflict<O> } & Expression = {},
): Write<O> {
  return { kind: 'check', key, condition, ...options };
}

/** DynamoDB's limit of items in one transaction. */
const MAX_WRITES = 100;

/**
 * The writes and events of one change. Domain operations (and the services they call) add to it;
 * the store that owns the change commits it.
 */
export class UnitOfWork<O extends string = never> {
  private readonly list: Write<O>[] = [];
  private readonly outbox: DomainEvent[] = [];

  /**
   * @param conflict The error for a failed condition whose write names no outcome, and for a
   *   concurrent transaction on the same items; by default a {@link VersionConflictError}.
   */
  constructor(private readonly conflict?: () => Error) {}

  add(...writes: Write<O>[]): this {
    this.list.push(...writes);
    return this;
  }

  /** Events of this change, relayed once it committed (in the order emitted). */
  emit(...events: DomainEvent[]): this {
    this.outbox.push(...events);
    return this;
  }

  get writes(): readonly Write<O>[] {
    return this.list;
  }

  get events(): readonly DomainEvent[] {
    return this.outbox;
  }

  /** The writes as sent: the carrier gets the unit's events appended to its own outbox. */
  resolved(): Write<O>[] {
    const carriers = this.list.filter((w) => w.kind === 'put' && w.carriesEvents);
    if (carriers.length > 1) throw new Error('a unit of work has one outbox carrier');
    if (this.outbox.length && !carriers.length)
      throw new Error('events need an inserted item to ride on (insertOutbox)');
    return this.list.map((w) => {
      if (w.kind !== 'put' || !w.carriesEvents) return w;
      const own = (w.item[OUTBOX_ATTRIBUTE] as unknown[] | undefined) ?? [];
      const outbox = [...own, ...this.outbox];
      return {
        ...w,
        item: withOutbox({ ...w.item, ...(outbox.length ? { [OUTBOX_ATTRIBUTE]: outbox } : {}) }),
      };
    });
  }

  conflictError(): Error {
    return (
      this.conflict?.() ?? new VersionConflictError('the record changed meanwhile; reload and try again')
    );
  }
}

/**
 * Commits a unit of work: one conditional write on its own, several in one transaction.
 *
 * @returns `'committed'`, or the declared outcome of the first write whose condition failed.
 * @throws the write's (or the unit's) conflict error when the failed write declares no outcome, or
 *   when a concurrent transaction touched the same items.
 */
export async function commit<O extends string>(
  db: DynamoDBDocumentClient,
  tableName: string,
  unit: UnitOfWork<O>,
): Promise<'committed' | O> {
  const writes = unit.resolved();
  if (writes.length > MAX_WRITES) throw new Error(`a unit of work holds at most ${MAX_WRITES} writes`);
  const [only] = writes;
  if (!only) return 'committed';
  try {
    if (writes.length === 1 && only.kind !== 'check') await single(db, tableName, only);
    else
      await db.send(
        new TransactWriteCommand({ TransactItems: writes.map((w) => transactItem(tableName, w)) }),
      );
    return 'committed';
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return conflictOf(unit, only);
    if (!(err instanceof TransactionCanceledException)) throw err;
    const reasons = err.CancellationReasons ?? [];
    const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
    const write = writes[failed];
    if (write) return conflictOf(unit, write);
    if (reasons.some((r) => r.Code === 'TransactionConflict')) throw unit.conflictError();
    throw err;
  }
}

function conflictOf<O extends string>(unit: UnitOfWork<O>, write: Write<O>): O {
  if (typeof write.onConflict === 'string') return write.onConflict;
  throw write.onConflict ? write.onConflict() : unit.conflictError();
}

function expression(w: Expression) {
  return {
    ...(w.names ? { ExpressionAttributeNames: w.names } : {}),
    ...(w.values ? { ExpressionAttributeValues: w.values } : {}),
  };
}

async function single(
  db: DynamoDBDocumentClient,
  tableName: string,
  w: Exclude<Write<string>, { kind: 'check' }>,
) {
  const condition = w.condition ? { ConditionExpression: w.condition } : {};
  if (w.kind === 'put')
    await db.send(new PutCommand({ TableName: tableName, Item: w.item, ...condition, ...expression(w) }));
  else if (w.kind === 'delete')
    await db.send(new DeleteCommand({ TableName: tableName, Key: w.key, ...condition, ...expression(w) }));
  else
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: w.key,
        UpdateExpression: w.update,
        ...condition,
        ...expression(w),
      }),
    );
}

function transactItem(tableName: string, w: Write<string>) {
  const condition = w.condition ? { ConditionExpression: w.condition } : {};
  switch (w.kind) {
    case 'put':
      return { Put: { TableName: tableName, Item: w.item, ...condition, ...expression(w) } };
    case 'update':
      return {
        Update: {
          TableName: tableName,
          Key: w.key,
          UpdateExpression: w.update,
          ...condition,
          ...expression(w),
        },
      };
    case 'delete':
      return { Delete: { TableName: tableName, Key: w.key, ...condition, ...expression(w) } };
    case 'check':
      return {
        ConditionCheck: {
          TableName: tableName,
          Key: w.key,
          ConditionExpression: w.condition,
          ...expression(w),
        },
      };
  }
}
