/**
 * The transactional outbox: writes that change something put their domain events on an item they
 * insert (attribute `outbox`), in the same transaction. The table stream carries new items to the relay.
 *
 * Lambda's stream filters test `exists` on leaf values only, and `outbox` is a list of maps, so every
 * outbox item also carries a scalar `outboxSize`; the filter (the deployed event source mapping's and
 * the local relay's alike) selects on that. Write outbox items through `outboxAttributes` to get both.
 */
import type { DomainEvent } from './registry.ts';

export const OUTBOX_ATTRIBUTE = 'outbox';
export const OUTBOX_MARKER = 'outboxSize';

export const outboxStreamFilter = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { [OUTBOX_MARKER]: { N: [{ exists: true }] } } },
} as const;

/** The attributes that put `events` in an item's outbox (none for no events). */
export function outboxAttributes(
  events: readonly DomainEvent[] | readonly { detailType: string }[] | undefined,
) {
  return events?.length ? { [OUTBOX_ATTRIBUTE]: events, [OUTBOX_MARKER]: events.length } : {};
}

/** An item to insert, with its `outbox` (if any) marked for the relay. */
export function withOutbox<T extends { outbox?: readonly unknown[] }>(item: T): T {
  return item.outbox?.length ? { ...item, [OUTBOX_MARKER]: item.outbox.length } : item;
}
