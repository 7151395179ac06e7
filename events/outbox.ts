/**
 * The transactional outbox: writes that change something put their domain events on the item they write
 * (attribute `outbox`), in the same transaction. The table stream carries new items; this filter picks
 * the ones with an outbox, both on AWS (the event source mapping's filter) and in the local relay.
 * Lambda event filters use EventBridge pattern syntax, so the local bus matcher evaluates it as is.
 */
export const OUTBOX_ATTRIBUTE = 'outbox';

export const outboxStreamFilter = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { [OUTBOX_ATTRIBUTE]: { L: [{ exists: true }] } } },
} as const;
