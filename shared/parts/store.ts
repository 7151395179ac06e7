/**
 * Parts store: the reads the parts service makes (each a GetItem or one Query on a key or a named index)
 * and the commit of its units of work. Every movement is one unit (see `service.ts`); this file only
 * knows keys and schemas.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod/mini';
import { parseItem } from '../store/item.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { queryAll, queryPage } from '../store/query.ts';
import { Index, tableDefinition } from '../store/table.ts';
import { commit, type UnitOfWork } from '../store/unit-of-work.ts';
import {
  type CountLine,
  type CountSession,
  countLineSchema,
  countSessionSchema,
  type LedgerEntry,
  type Location,
  ledgerEntrySchema,
  locationItemSchema,
  type Movement,
  movementItemSchema,
  type Part,
  type PurchaseSuggestion,
  partItemSchema,
  partsKeys,
  purchaseSuggestionSchema,
  type Requisition,
  requisitionItemSchema,
  type StockItem,
  stockItemSchema,
  type Tool,
  type ToolHistoryEntry,
  toolHistorySchema,
  toolItemSchema,
} from './model.ts';

type Item = Record<string, unknown>;

/** Which ledger to read: one access pattern per call, optionally narrowed to a month. */
export type LedgerQuery =
  | { by: 'part'; partNumber: string; month?: string }
  | { by: 'location'; locationId: string; month?: string }
  | { by: 'case'; caseId: string }
  | { by: 'month'; month: string };

export interface PartsStore {
  getPart(partNumber: string): Promise<Part | undefined>;
  listParts(page: PageQuery): Promise<Page<Part>>;
  allParts(): Promise<Part[]>;
  getLocation(id: string): Promise<Location | undefined>;
  listLocations(page: PageQuery): Promise<Page<Location>>;
  vanOf(technicianId: string): Promise<Location | undefined>;
  /** Strongly consistent: movements decide on it. */
  getStock(partNumber: string, locationId: string): Promise<StockItem | undefined>;
  stockOfPart(partNumber: string): Promise<StockItem[]>;
  stockAt(locationId: string, page: PageQuery): Promise<Page<StockItem>>;
  allStockAt(locationId: string): Promise<StockItem[]>;
  stockBeyond(level: 'low' | 'over'): Promise<StockItem[]>;
  ledger(q: LedgerQuery, page: PageQuery): Promise<Page<LedgerEntry>>;
  /** Every entry of one stock item, in sequence (one Query on its partition). */
  ledgerOfStock(partNumber: string, locationId: string): Promise<LedgerEntry[]>;
  allLedgerOfMonth(month: string): Promise<LedgerEntry[]>;
  allLedgerOfCase(caseId: string): Promise<LedgerEntry[]>;
  getMovement(id: string): Promise<Movement | undefined>;
  getRequisition(id: string): Promise<Requisition | undefined>;
  requisitionsByStatus(status: string, page: PageQuery): Promise<Page<Requisition>>;
  requisitionsOf(technicianId: string, page: PageQuery): Promise<Page<Requisition>>;
  /** The session and its lines: one Query on its partition. */
  getCount(id: string): Promise<{ session?: CountSession; lines: CountLine[] }>;
  getSuggestion(id: string): Promise<PurchaseSuggestion | undefined>;
  suggestionsByStatus(status: string, page: PageQuery): Promise<Page<PurchaseSuggestion>>;
  getTool(serial: string): Promise<{ tool?: Tool; history: ToolHistoryEntry[] }>;
  /** Tools and loaners out whose expected return is before `day` (one Query on the due-date index). */
  overdueTools(day: string): Promise<Tool[]>;
  /** Sets fields of an existing item and bumps its version (jobs: classes, safety stock, notices). */
  touch(
    key: { pk: string; sk: string },
    fields: Record<string, unknown>,
    condition?: { expression: string; values: Record<string, unknown> },
  ): Promise<boolean>;
  commit<O extends string>(unit: UnitOfWork<O>): Promise<'committed' | O>;
}

export class DynamoPartsStore implements PartsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get<S extends z.ZodMiniType>(key: { pk: string; sk: string }, schema: S, consistent = false) {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ...(consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return out.Item ? (parseItem(schema, out.Item) as z.output<S>) : undefined;
  }

  getPart(partNumber: string) {
    return this.get(partsKeys.part(partNumber), partItemSchema);
  }

  listParts(page: PageQuery) {
    return queryPage(this.db, this.tableName, { index: Index.byBranch, pk: partsKeys.parts }, page, (i) =>
      parseItem(partItemSchema, i),
    );
  }

  async allParts() {
    const items = await queryAll(this.db, this.tableName, { index: Index.byBranch, pk: partsKeys.parts });
    return items.map((i) => parseItem(partItemSchema, i));
  }

  getLocation(id: string) {
    return this.get(partsKeys.location(id), locationItemSchema);
  }

  listLocations(page: PageQuery) {
    return queryPage(this.db, this.tableName, { index: Index.byBranch, pk: partsKeys.locations }, page, (i) =>
      parseItem(locationItemSchema, i),
    );
  }

  async vanOf(technicianId: string) {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byAssignee,
      pk: partsKeys.vanOf(technicianId),
    });
    const [first] = items;
    return first ? parseItem(locationItemSchema, first) : undefined;
  }

  getStock(partNumber: string, locationId: string) {
    return this.get(partsKeys.stock(partNumber, locationId), stockItemSchema, true);
  }

  async stockOfPart(partNumber: string) {
    const { pk, skPrefix } = partsKeys.stockOfPart(partNumber);
    const items = await queryAll(this.db, this.tableName, { pk, skPrefix, consistent: true });
    return items.map((i) => parseItem(stockItemSchema, i));
  }

  stockAt(locationId: string, page: PageQuery) {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byBranch, pk: partsKeys.stockAt(locationId) },
      page,
      (i) => parseItem(stockItemSchema, i),
    );
  }

  async allStockAt(locationId: string) {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byBranch,
      pk: partsKeys.stockAt(locationId),
    });
    return items.map((i) => parseItem(stockItemSchema, i));
  }

  async stockBeyond(level: 'low' | 'over') {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byAssignee,
      pk: partsKeys.stockAlerts(level),
    });
    return items.map((i) => parseItem(stockItemSchema, i));
  }

  ledger(q: LedgerQuery, page: PageQuery) {
    const parse = (i: Item) => parseItem(ledgerEntrySchema, i);
    switch (q.by) {
      case 'part':
        return queryPage(
          this.db,
          this.tableName,
          {
            index: Index.byOwner,
            pk: partsKeys.ledgerByPart(q.partNumber),
            ...(q.month ? { skPrefix: q.month } : {}),
          },
          page,
          parse,
        );
      case 'location':
        return queryPage(
          this.db,
          this.tableName,
          {
            index: Index.byBranch,
            pk: partsKeys.ledgerByLocation(q.locationId),
            ...(q.month ? { skPrefix: q.month } : {}),
          },
          page,
          parse,
        );
      case 'case':
        return queryPage(
          this.db,
          this.tableName,
          { index: Index.byAssignee, pk: partsKeys.ledgerByCase(q.caseId) },
          page,
          parse,
        );
      case 'month':
        return queryPage(
          this.db,
          this.tableName,
          { index: Index.byDay, pk: partsKeys.ledgerByMonth(q.month) },
          page,
          parse,
        );
    }
  }

  async ledgerOfStock(partNumber: string, locationId: string) {
    const { pk, skPrefix } = partsKeys.ledgerOfStock(partNumber, locationId);
    const items = await queryAll(this.db, this.tableName, { pk, skPrefix, consistent: true });
    return items.map((i) => parseItem(ledgerEntrySchema, i));
  }

  async allLedgerOfMonth(month: string) {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byDay,
      pk: partsKeys.ledgerByMonth(month),
    });
    return items.map((i) => parseItem(ledgerEntrySchema, i));
  }

  async allLedgerOfCase(caseId: string) {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byAssignee,
      pk: partsKeys.ledgerByCase(caseId),
    });
    return items.map((i) => parseItem(ledgerEntrySchema, i));
  }

  getMovement(id: string) {
    return this.get(partsKeys.movement(id), movementItemSchema, true);
  }

  getRequisition(id: string) {
    return this.get(partsKeys.requisition(id), requisitionItemSchema, true);
  }

  requisitionsByStatus(status: string, page: PageQuery) {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byBranch, pk: partsKeys.requisitionsByStatus(status), newestFirst: true },
      page,
      (i) => parseItem(requisitionItemSchema, i),
    );
  }

  requisitionsOf(technicianId: string, page: PageQuery) {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byAssignee, pk: partsKeys.requisitionsOf(technicianId), newestFirst: true },
      page,
      (i) => parseItem(requisitionItemSchema, i),
    );
  }

  async getCount(id: string) {
    const items = await queryAll(this.db, this.tableName, {
      pk: partsKeys.countPartition(id),
      consistent: true,
    });
    const session = items.find((i) => i.sk === 'COUNT');
    return {
      ...(session ? { session: parseItem(countSessionSchema, session) } : {}),
      lines: items.filter((i) => i.sk !== 'COUNT').map((i) => parseItem(countLineSchema, i)),
    };
  }

  getSuggestion(id: string) {
    return this.get(partsKeys.suggestion(id), purchaseSuggestionSchema, true);
  }

  suggestionsByStatus(status: string, page: PageQuery) {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byBranch, pk: partsKeys.suggestionsByStatus(status), newestFirst: true },
      page,
      (i) => parseItem(purchaseSuggestionSchema, i),
    );
  }

  async getTool(serial: string) {
    const { pk } = partsKeys.tool(serial);
    const items = await queryAll(this.db, this.tableName, { pk, consistent: true });
    const tool = items.find((i) => i.sk === 'TOOL');
    return {
      ...(tool ? { tool: parseItem(toolItemSchema, tool) } : {}),
      history: items.filter((i) => i.sk !== 'TOOL').map((i) => parseItem(toolHistorySchema, i)),
    };
  }

  async overdueTools(day: string) {
    const ix = tableDefinition.indexes[Index.byDoneDay];
    const out: Tool[] = [];
    let start: Item | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: Index.byDoneDay,
          KeyConditionExpression: '#pk = :pk AND #sk < :day',
          ExpressionAttributeNames: { '#pk': ix.partitionKey, '#sk': ix.sortKey },
          ExpressionAttributeValues: { ':pk': partsKeys.toolsOut, ':day': day },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map((i) => parseItem(toolItemSchema, i)));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async touch(
    key: { pk: string; sk: string },
    fields: Record<string, unknown>,
    condition?: { expression: string; values: Record<string, unknown> },
  ) {
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':one': 1, ...(condition?.values ?? {}) };
    const sets = Object.entries(fields).map(([k, v], n) => {
      names[`#f${n}`] = k;
      values[`:f${n}`] = v;
      return `#f${n} = :f${n}`;
    });
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${[...sets, '#version = #version + :one'].join(', ')}`,
          ConditionExpression: `attribute_exists(pk)${condition ? ` AND (${condition.expression})` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  commit<O extends string>(unit: UnitOfWork<O>) {
    return commit(this.db, this.tableName, unit);
  }
}
