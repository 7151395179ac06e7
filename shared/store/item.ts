/**
 * Stored items are parsed when read: a read returns what the item's schema says, and an item that does
 * not match is an error (corrupt data must surface, not flow on into decisions and responses).
 */
import * as z from 'zod/mini';
import { lazySchema } from '../validation.ts';
import { tableDefinition, withoutKeys } from './table.ts';

/** A stored item kind: its `entity` name, current schema version and schema (without key attributes). */
export interface ItemKind {
  entity: string;
  version: number;
  schema: z.ZodMiniType;
}

/** An item in the table that does not match its schema: a bug or a migration gap, never the caller's fault. */
export class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';
}

/** The item without its key attributes, parsed by `schema`. */
export function parseItem<S extends z.ZodMiniType>(schema: S, item: Record<string, unknown>): z.output<S> {
  const parsed = z.safeParse(schema, withoutKeys(item));
  if (parsed.success) return parsed.data;
  const where = `${String(item[tableDefinition.partitionKey])} / ${String(item[tableDefinition.sortKey])}`;
  throw new CorruptItemError(
    `stored item ${where} does not match its schema: ${z.prettifyError(parsed.error)}`,
  );
}

/**
 * `entity` and `schemaVersion` of a kind that was first stored without them: such items read as
 * version 1 of the kind, so the change needs no migration.
 */
export function firstVersionHeader<E extends string>(entity: E) {
  return { entity: z._default(z.literal(entity), entity), schemaVersion: z._default(z.literal(1), 1) };
}

/** The events an item carries to the relay (transactional outbox), kept with the item. */
export const outboxSchema = lazySchema(() =>
  z.optional(z.array(z.object({ detailType: z.string(), detail: z.record(z.string(), z.unknown()) }))),
);
