/**
 * Case store: the port the case service uses, and its DynamoDB implementation. Every read is a
 * GetItem or a Query on a key or a named index, parsed by the item's schema; every multi-item write is
 * one unit of work with conditions, so retries and races cannot duplicate or lose a record.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '../errors.ts';
import { CASE_PART_LINE_PREFIX, type CasePartLine, parseCasePartLine } from '../parts/case-parts.ts';
import { nextInSequence } from '../store/counter.ts';
import { parseItem } from '../store/item.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { type KeyQuery, queryAll, queryPage } from '../store/query.ts';
import { Index } from '../store/table.ts';
import { commit, insert, insertOutbox, put, UnitOfWork } from '../store/unit-of-work.ts';
import {
  type Case,
  caseIndexKeys,
  caseItemSchema,
  caseItems,
  caseKeys,
  type IdempotencyRecord,
  idempotencyRecordSchema,
  type RegisterEntry,
  registerEntrySchema,
  type TimelineEntry,
  timelineEntrySchema,
} from './model.ts';
import { localDay } from './numbering.ts';
import { isOpen } from './status.ts';

export type { IdempotencyRecord };
export type CaseListQuery = PageQuery;

export interface CaseStore {
  get(caseId: string): Promise<Case | undefined>;
  /** The case and its whole timeline in one Query (they share a partition). */
  getWithTimeline(caseId: string): Promise<{ case?: Case; timeline: TimelineEntry[] }>;
  /** Next number of the day from an atomic counter. */
  nextSequence(day: string): Promise<number>;
  findIdempotency(sub: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Writes case, first timeline entry, idempotency record and `with` (e.g. the caller's new customer
   * record and unit) together; false if the key, or another of those items, was taken meanwhile.
   */
  create(
    c: Case,
    first: TimelineEntry,
    idempotency?: { sub: string; key: string; requestHash: string },
    with_?: UnitOfWork<'duplicate'>,
  ): Promise<boolean>;
  /**
   * Replaces the case if it is still at `expectedVersion`, with its timeline entry, in one unit of work
   * with the change's other writes and its events (the timeline entry carries them to the relay).
   */
  update(next: Case, expectedVersion: number, entry: TimelineEntry, unit?: UnitOfWork): Promise<void>;
  listByCustomer(customerId: string, q: CaseListQuery): Promise<Page<Case>>;
  listByStatus(status: string, q: CaseListQuery): Promise<Page<Case>>;
  listOpenByTechnician(technicianId: string, q: CaseListQuery): Promise<Page<Case>>;
  listByCreatedDay(day: string, q: CaseListQuery): Promise<Page<Case>>;
  listByCompletedDay(day: string, q: CaseListQuery): Promise<Page<Case>>;
  listRegister(month: string, q: CaseListQuery): Promise<Page<RegisterEntry>>;
  /** The case with its parts lines (kept in its partition by the parts ledger): one Query. */
  getWithParts(caseId: string): Promise<{ case?: Case; parts: CasePartLine[] }>;
}

export const parseCase = (item: Record<string, unknown>): Case => parseItem(caseItemSchema, item);
export const parseTimelineEntry = (item: Record<string, unknown>): TimelineEntry =>
  parseItem(timelineEntrySchema, item);

/** Every item of a case's partition: the case, its timeline, and what other domains keep beside it. */
export function readCasePartition(
  db: DynamoDBDocumentClient,
  tableName: string,
  caseId: string,
  consistent = false,
): Promise<Record<string, unknown>[]> {
  return queryAll(db, tableName, { pk: caseKeys.partition(caseId), consistent });
}

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export class DynamoCaseStore implements CaseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly timeZone: string,
  ) {}

  async get(caseId: string): Promise<Case | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: caseKeys.item(caseId) }));
    return out.Item ? parseCase(out.Item) : undefined;
  }

  async getWithTimeline(caseId: string): Promise<{ case?: Case; timeline: TimelineEntry[] }> {
    const items = await readCasePartition(this.db, this.tableName, caseId);
    const caseItem = items.find((i) => caseKeys.isItem(i.sk));
    return {
      ...(caseItem ? { case: parseCase(caseItem) } : {}),
      timeline: items.filter((i) => caseKeys.isTimeline(i.sk)).map(parseTimelineEntry),
    };
  }

  nextSequence(day: string): Promise<number> {
    return nextInSequence(this.db, this.tableName, caseKeys.counter(day));
  }

  async findIdempotency(sub: string, key: string): Promise<IdempotencyRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: caseKeys.idempotency(sub, key),
        ConsistentRead: true,
      }),
    );
    return out.Item ? parseItem(idempotencyRecordSchema, out.Item) : undefined;
  }

  async create(
    c: Case,
    first: TimelineEntry,
    idempotency?: { sub: string; key: string; requestHash: string },
    with_: UnitOfWork<'duplicate'> = new UnitOfWork(),
  ): Promise<boolean> {
    const unit = new UnitOfWork<'duplicate'>()
      .add(insert(this.caseItem(c)), insertOutbox(caseItems.timeline(first)), ...with_.writes)
      .emit(...with_.events);
    if (idempotency) {
      // Only a lost race on the idempotency key is expected; any other conflict is a real failure.
      unit.add(
        insert(
          caseItems.idempotency(idempotency.sub, idempotency.key, {
            caseId: c.id,
            requestHash: idempotency.requestHash,
            expiresAt: Math.floor(Date.parse(c.createdAt) / 1000) + IDEMPOTENCY_TTL_SECONDS,
          }),
          'duplicate',
        ),
      );
    }
    return (await commit(this.db, this.tableName, unit)) === 'committed';
  }

  async update(
    next: Case,
    expectedVersion: number,
    entry: TimelineEntry,
    unit: UnitOfWork = new UnitOfWork(),
  ): Promise<void> {
    const conflict = () =>
      new VersionConflictError(`case ${next.id} was changed by someone else; reload and try again`, {
        expectedVersion,
      });
    const all = new UnitOfWork(conflict)
      .add(
        put(this.caseItem(next), {
          condition: 'version = :expected',
          values: { ':expected': expectedVersion },
        }),
        insertOutbox(caseItems.timeline(entry)),
        ...unit.writes,
      )
      .emit(...unit.events);
    await commit(this.db, this.tableName, all);
  }

  listByCustomer(customerId: string, q: CaseListQuery): Promise<Page<Case>> {
    return this.list(
      { index: Index.byOwner, pk: caseKeys.byCustomer(customerId), skPrefix: caseKeys.byCustomerPrefix },
      q,
    );
  }

  listByStatus(status: string, q: CaseListQuery): Promise<Page<Case>> {
    return this.list({ index: Index.byStatus, pk: caseKeys.byStatus(status) }, q);
  }

  listOpenByTechnician(technicianId: string, q: CaseListQuery): Promise<Page<Case>> {
    return this.list({ index: Index.byAssignee, pk: caseKeys.byTechnician(technicianId) }, q);
  }

  listByCreatedDay(day: string, q: CaseListQuery): Promise<Page<Case>> {
    return this.list({ index: Index.byDay, pk: caseKeys.byDay(day) }, q);
  }

  listByCompletedDay(day: string, q: CaseListQuery): Promise<Page<Case>> {
    return this.list({ index: Index.byDoneDay, pk: caseKeys.byDoneDay(day) }, q);
  }

  listRegister(month: string, q: CaseListQuery): Promise<Page<RegisterEntry>> {
    return queryPage(this.db, this.tableName, { pk: caseKeys.registerMonth(month) }, q, (i) =>
      parseItem(registerEntrySchema, i),
    );
  }

  async getWithParts(caseId: string): Promise<{ case?: Case; parts: CasePartLine[] }> {
    // The case item (`CASE`) and its part lines (`PARTUSE#…`) are neighbours in the partition; what
    // sorts between them (e.g. the loaner guard) is skipped.
    const items = await queryAll(this.db, this.tableName, {
      pk: caseKeys.partition(caseId),
      skBetween: [caseKeys.item(caseId).sk, `${CASE_PART_LINE_PREFIX}\uffff`],
    });
    const caseItem = items.find((i) => caseKeys.isItem(i.sk));
    return {
      ...(caseItem ? { case: parseCase(caseItem) } : {}),
      parts: items
        .filter((i) => typeof i.sk === 'string' && i.sk.startsWith(CASE_PART_LINE_PREFIX))
        .map(parseCasePartLine),
    };
  }

  /** Newest first on every case index. */
  private list(query: KeyQuery, q: CaseListQuery): Promise<Page<Case>> {
    return queryPage(this.db, this.tableName, { ...query, newestFirst: true }, q, parseCase);
  }

  private caseItem(c: Case) {
    return {
      ...caseKeys.item(c.id),
      ...caseIndexKeys(c, (at) => localDay(new Date(at), c.timeZone ?? this.timeZone), isOpen(c.status)),
      ...c,
    };
  }
}
