/**
 * Knowledge store: the port the knowledge service uses, and its DynamoDB implementation. An exact
 * lookup is one GetItem (two for a code claimed on another line of its entry); the search index is
 * rebuilt from one strongly consistent Query of the entries' partition; every change of an entry is
 * one unit of work — the entry (conditional on its version), its version-history item carrying the
 * event, its code claims on other lines, and the search marker. Counters are single `ADD` updates.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { domainEvent } from '../../events/registry.ts';
import { StateConflictError, VersionConflictError } from '../errors.ts';
import { parseItem } from '../store/item.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { queryAll, queryPage } from '../store/query.ts';
import { Index } from '../store/table.ts';
import {
  commit,
  insert,
  insertOutbox,
  put,
  remove,
  UnitOfWork,
  update,
  type Write,
} from '../store/unit-of-work.ts';
import {
  aliasItemSchema,
  dayItemSchema,
  type Entry,
  type EntryStats,
  type EntryStatus,
  type EntryVersion,
  entryItemSchema,
  KNOWLEDGE_DAY_SCHEMA_VERSION,
  KNOWLEDGE_MARKER_SCHEMA_VERSION,
  KNOWLEDGE_STATS_SCHEMA_VERSION,
  knowledgeItems,
  knowledgeKeys,
  markerItemSchema,
  statsItemSchema,
  versionItemSchema,
} from './model.ts';

type Item = Record<string, unknown>;

/** Counters of a day, and of each entry used or viewed that day. */
export interface DayCounts {
  totals: Record<string, number>;
  entries: Array<{ productLine: string; code: string; views: number; uses: number }>;
}

export type DayCounter =
  | 'searches'
  | 'customerSearches'
  | 'views'
  | 'customerViews'
  | 'requestsAfterSearch'
  | 'uses'
  | 'remoteResolutions';

export interface KnowledgeStore {
  /** The entry at (line, code), following a code claim to its entry; undefined when there is none. */
  get(line: string, code: string): Promise<Entry | undefined>;
  listByStatus(status: EntryStatus, page: PageQuery): Promise<Page<Entry>>;
  /** Every entry, strongly consistent (the search index is built from the published ones). */
  all(): Promise<Entry[]>;
  /** The search marker's revision (0 before the first entry). */
  revision(): Promise<number>;
  history(line: string, code: string, page: PageQuery): Promise<Page<EntryVersion>>;
  stats(line: string, code: string): Promise<EntryStats>;
  /** Saves `entry` at `previous.version + 1` (or new at version 1) with its history item, claims and marker. */
  save(entry: Entry, change: EntryVersion, previous?: Entry): Promise<void>;
  /** Adds to an entry's all-time counters. */
  countEntry(line: string, code: string, counts: Partial<EntryStats>): Promise<void>;
  /** Adds to a day's counters (and to the day's item of an entry). */
  countDay(
    day: string,
    counts: Partial<Record<DayCounter, number>>,
    entry?: { productLine: string; code: string },
  ): Promise<void>;
  day(day: string): Promise<DayCounts>;
}

/**
 * `ADD` updates for counters: a missing item starts at zero. Used inside other units of work (intake,
 * remote resolution) and on their own.
 */
export function counterWrite(
  key: { pk: string; sk: string },
  entity: 'KnowledgeStats' | 'KnowledgeDay',
  counts: Record<string, number | undefined>,
  fields: Record<string, string> = {},
): Write {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':entity': entity,
    ':version': entity === 'KnowledgeStats' ? KNOWLEDGE_STATS_SCHEMA_VERSION : KNOWLEDGE_DAY_SCHEMA_VERSION,
  };
  const sets = ['entity = :entity', 'schemaVersion = :version'];
  for (const [i, [name, value]] of Object.entries(fields).entries()) {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  }
  const adds: string[] = [];
  for (const [i, [name, n]] of Object.entries(counts).entries()) {
    if (!n) continue;
    names[`#c${i}`] = name;
    values[`:c${i}`] = n;
    adds.push(`#c${i} :c${i}`);
  }
  return update<never>(key, `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`, {
    ...(Object.keys(names).length ? { names } : {}),
    values,
  });
}

/** The writes that count a case's use of an entry on `day` (all time and that day). */
export function entryUseWrites(
  day: string,
  ref: { productLine: string; code: string },
  extra: Partial<Record<DayCounter, number>> = {},
): Write[] {
  return [
    counterWrite(knowledgeKeys.stats(ref.productLine, ref.code), 'KnowledgeStats', { uses: 1 }),
    counterWrite(
      knowledgeKeys.dayEntry(day, ref.productLine, ref.code),
      'KnowledgeDay',
      { uses: 1 },
      {
        day,
        productLine: ref.productLine,
        code: ref.code,
      },
    ),
    ...(Object.keys(extra).length
      ? [counterWrite(knowledgeKeys.dayTotals(day), 'KnowledgeDay', extra, { day })]
      : []),
  ];
}

const strip = ({
  entity: _e,
  schemaVersion: _v,
  ...rest
}: { entity: string; schemaVersion: number } & Entry) => rest as Entry;

export class DynamoKnowledgeStore implements KnowledgeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async getItem(key: { pk: string; sk: string }, consistent = false): Promise<Item | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ...(consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return out.Item;
  }

  async get(line: string, code: string): Promise<Entry | undefined> {
    const item = await this.getItem(knowledgeKeys.entry(line, code));
    if (!item) return undefined;
    if (item.entity === 'KnowledgeAlias') {
      const alias = parseItem(aliasItemSchema, item);
      const home = await this.getItem(knowledgeKeys.entry(alias.homeLine, alias.code));
      return home ? strip(parseItem(entryItemSchema, home)) : undefined;
    }
    return strip(parseItem(entryItemSchema, item));
  }

  listByStatus(status: EntryStatus, page: PageQuery): Promise<Page<Entry>> {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byStatus, pk: knowledgeKeys.byStatus(status) },
      page,
      (i) => strip(parseItem(entryItemSchema, i)),
    );
  }

  async all(): Promise<Entry[]> {
    const items = await queryAll(this.db, this.tableName, {
      pk: knowledgeKeys.partition,
      skPrefix: knowledgeKeys.entryPrefix,
      consistent: true,
    });
    return items
      .filter((i) => i.entity === 'KnowledgeEntry')
      .map((i) => strip(parseItem(entryItemSchema, i)));
  }

  async revision(): Promise<number> {
    const item = await this.getItem(knowledgeKeys.marker, true);
    return item ? parseItem(markerItemSchema, item).revision : 0;
  }

  history(line: string, code: string, page: PageQuery): Promise<Page<EntryVersion>> {
    return queryPage(
      this.db,
      this.tableName,
      { pk: knowledgeKeys.versions(line, code), newestFirst: true },
      page,
      (i) => {
        const { entity: _e, schemaVersion: _v, outbox: _o, ...v } = parseItem(versionItemSchema, i);
        return v;
      },
    );
  }

  async stats(line: string, code: string): Promise<EntryStats> {
    const item = await this.getItem(knowledgeKeys.stats(line, code));
    const s = item ? parseItem(statsItemSchema, item) : undefined;
    return {
      views: s?.views ?? 0,
      helpful: s?.helpful ?? 0,
      notHelpful: s?.notHelpful ?? 0,
      uses: s?.uses ?? 0,
    };
  }

  async save(entry: Entry, change: EntryVersion, previous?: Entry): Promise<void> {
    // Every change moves the one marker item, so two authors saving at once cancel each other's
    // transactions; that contention (and only that: every write names its own conflict) is retried.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.saveOnce(entry, change, previous);
      } catch (err) {
        if (!(err instanceof MarkerContention) || attempt === 5) throw err;
        await new Promise((ok) => setTimeout(ok, attempt * 20 * Math.random()));
      }
    }
  }

  private async saveOnce(entry: Entry, change: EntryVersion, previous?: Entry): Promise<void> {
    const unit = new UnitOfWork(() => new MarkerContention());
    const item = knowledgeItems.entry(entry);
    unit.add(
      previous
        ? put<never>(item, {
            condition: 'entity = :entity AND version = :v',
            values: { ':entity': 'KnowledgeEntry', ':v': previous.version },
            onConflict: () =>
              new VersionConflictError(`entry ${entry.id} was changed by someone else; reload and try again`),
          })
        : insert<never>(
            item,
            () =>
              new StateConflictError(`code ${entry.code} is taken on ${entry.productLine} already`, {
                field: 'code',
              }),
          ),
      insertOutbox<never>(
        knowledgeItems.version(entry, change),
        () => new VersionConflictError(`entry ${entry.id} is at version ${entry.version} already`),
      ),
      ...codeClaims(entry, previous),
      update<never>(
        knowledgeKeys.marker,
        'SET entity = :entity, schemaVersion = :version, updatedAt = :at ADD revision :one',
        {
          values: {
            ':entity': 'KnowledgeMarker',
            ':version': KNOWLEDGE_MARKER_SCHEMA_VERSION,
            ':at': change.at,
            ':one': 1,
          },
        },
      ),
    );
    unit.emit(
      domainEvent('Knowledge Entry Changed', {
        entryId: entry.id,
        productLine: entry.productLine,
        code: entry.code,
        version: entry.version,
        status: entry.status,
        audience: entry.audience,
        action: change.action,
        at: change.at,
        actor: change.by,
      }),
    );
    await commit(this.db, this.tableName, unit);
  }

  async countEntry(line: string, code: string, counts: Partial<EntryStats>): Promise<void> {
    await this.send(counterWrite(knowledgeKeys.stats(line, code), 'KnowledgeStats', counts));
  }

  async countDay(
    day: string,
    counts: Partial<Record<DayCounter, number>>,
    entry?: { productLine: string; code: string },
  ): Promise<void> {
    // Separate updates, not a transaction: counters commute, and concurrent readers of one entry must
    // not cancel each other's transactions.
    await Promise.all([
      this.send(counterWrite(knowledgeKeys.dayTotals(day), 'KnowledgeDay', counts, { day })),
      ...(entry
        ? [
            this.send(
              counterWrite(
                knowledgeKeys.dayEntry(day, entry.productLine, entry.code),
                'KnowledgeDay',
                { views: counts.views, uses: counts.uses },
                { day, productLine: entry.productLine, code: entry.code },
              ),
            ),
          ]
        : []),
    ]);
  }

  async day(day: string): Promise<DayCounts> {
    const items = (await queryAll(this.db, this.tableName, { pk: knowledgeKeys.dayPartition(day) })).map(
      (i) => ({
        sk: i.sk,
        d: parseItem(dayItemSchema, i),
      }),
    );
    const totals: Record<string, number> = {};
    const entries: DayCounts['entries'] = [];
    for (const { sk, d } of items) {
      if (sk === knowledgeKeys.dayTotals(day).sk) {
        for (const [k, v] of Object.entries(d))
          if (typeof v === 'number' && k !== 'schemaVersion') totals[k] = v;
      } else if (d.productLine && d.code) {
        entries.push({ productLine: d.productLine, code: d.code, views: d.views ?? 0, uses: d.uses ?? 0 });
      }
    }
    return { totals, entries };
  }

  private async send(w: Write): Promise<void> {
    if (w.kind !== 'update') throw new Error('counters are updates');
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: w.key,
        UpdateExpression: w.update,
        ...(w.names ? { ExpressionAttributeNames: w.names } : {}),
        ...(w.values ? { ExpressionAttributeValues: w.values } : {}),
      }),
    );
  }
}

/** Two transactions moved the search marker at once (DynamoDB cancels one of them). */
class MarkerContention extends VersionConflictError {
  constructor() {
    super('another change of the knowledge base committed at the same moment; send the change again');
  }
}

/** Claims of the entry's code on its other lines (refused when taken), released for lines it dropped. */
function codeClaims(next: Entry, previous?: Entry): Write[] {
  const before = new Set(previous?.productLines ?? [next.productLine]);
  const after = new Set(next.productLines);
  const writes: Write[] = [];
  for (const line of next.productLines) {
    if (line === next.productLine || before.has(line)) continue;
    writes.push(
      insert<never>(
        knowledgeItems.alias(line, next.code, next.productLine),
        () =>
          new StateConflictError(`code ${next.code} is taken on ${line} by another entry`, {
            field: 'productLines',
          }),
      ),
    );
  }
  for (const line of before) {
    if (line === next.productLine || after.has(line)) continue;
    writes.push(
      remove<never>(knowledgeKeys.entry(line, next.code), {
        condition: 'entity = :alias AND homeLine = :home',
        values: { ':alias': 'KnowledgeAlias', ':home': next.productLine },
        onConflict: () => new VersionConflictError(`the claim of ${next.code} on ${line} changed meanwhile`),
      }),
    );
  }
  return writes;
}
