/**
 * The one DynamoDB table, declared as plain data. The CDK data stack and the local system
 * (`infra/local`) both build the table from this object, so key schema, indexes and TTL cannot drift.
 *
 * Generic key attributes are overloaded by entity (single-table design); which entity uses which index
 * for which access pattern is documented in `infra/TABLE.md` and next to each entity's key builder.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Items with this epoch-seconds attribute are deleted by DynamoDB TTL (idempotency records, timers). */
  timeToLiveAttribute: 'expiresAt',
  /**
   * New images go to the table's stream: items carrying an `outbox` of domain events (timeline entries)
   * are relayed to EventBridge from there, so an event exists exactly when its write committed.
   */
  stream: 'NEW_IMAGE',
  indexes: {
    /** Owner's items: a customer's cases (`CUST#<id>` / `CASE#<createdAt>`) and product units (`UNIT#<serial>`). */
    gsi1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /**
     * Items by state or group: cases by status (`CASESTATUS#<status>` / `<createdAt>#<id>`), the dispatch
     * queue, the directory's lists (branches, staff per branch, customers by name prefix).
     */
    gsi2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /**
     * Work per assignee (sparse): a technician's open cases (`TECH#<id>` / `<createdAt>#<id>`), their jobs
     * of a day (`TECHDAY#<id>#<day>`), a branch's open load by technician (`TECHLOAD#<branch>`).
     */
    gsi3: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    /** Items by local calendar day: cases by created day (`CASEDAY#<yyyy-mm-dd>` / `<createdAt>#<id>`). */
    gsi4: { partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    /** Second day index: cases by completion day (`DONEDAY#<yyyy-mm-dd>`), timers by due time. */
    gsi5: { partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
  },
} as const;

export type IndexName = keyof typeof tableDefinition.indexes;

/** Index names by the access pattern they serve; stores query through these, never by raw name. */
export const Index = {
  byOwner: 'gsi1',
  byStatus: 'gsi2',
  byAssignee: 'gsi3',
  byDay: 'gsi4',
  byDoneDay: 'gsi5',
  /** Directory lists: branches, a branch's staff by name. */
  byBranch: 'gsi2',
  /** Customers by normalized name prefix. */
  byName: 'gsi2',
} as const satisfies Record<string, IndexName>;

/** `CreateTable` input for the local engine: on-demand, every index projecting all attributes. */
export function createTableInput(tableName: string) {
  const attrs = new Set<string>([tableDefinition.partitionKey, tableDefinition.sortKey]);
  const gsis = Object.entries(tableDefinition.indexes).map(([name, ix]) => {
    attrs.add(ix.partitionKey);
    attrs.add(ix.sortKey);
    return {
      IndexName: name,
      KeySchema: [
        { AttributeName: ix.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: ix.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    };
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' as const },
    ],
    AttributeDefinitions: [...attrs].map((a) => ({ AttributeName: a, AttributeType: 'S' as const })),
    GlobalSecondaryIndexes: gsis,
    StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.stream },
  };
}

/** Every key attribute of the table and its indexes: storage detail, never part of a domain record. */
const keyAttributes = new Set<string>([
  tableDefinition.partitionKey,
  tableDefinition.sortKey,
  ...Object.values(tableDefinition.indexes).flatMap((ix) => [ix.partitionKey, ix.sortKey]),
]);

/** A key value from its named parts, `#`-separated: `key('CASE', id)` is `CASE#<id>`. */
export function key(...parts: Array<string | number>): string {
  return parts.join('#');
}

/** The key attributes that place an item in `index`. */
export function indexKeys(index: IndexName, pk: string, sk: string): Record<string, string> {
  const ix = tableDefinition.indexes[index];
  return { [ix.partitionKey]: pk, [ix.sortKey]: sk };
}

/** A stored item as its domain record: the item without the table's key attributes. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!keyAttributes.has(k)) out[k] = v;
  return out as T;
}
