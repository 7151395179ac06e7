/**
 * The warranty domain's store: every read a GetItem or a Query on a key or a named index, every change
 * a unit of work (conditional writes plus their events) committed in one transaction.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { directoryKeys, type ProductUnit, unitItemSchema } from '../directory/model.ts';
import { nextInSequence } from '../store/counter.ts';
import { parseItem } from '../store/item.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { queryAll, queryPage } from '../store/query.ts';
import { Index } from '../store/table.ts';
import { commit, type UnitOfWork } from '../store/unit-of-work.ts';
import {
  type Contract,
  type ContractVisit,
  type CourtesyCall,
  contractItemSchema,
  contractLinkSchema,
  contractVisitSchema,
  courtesyCallSchema,
  type Invoice,
  invoiceItemSchema,
  promotionItemSchema,
  type RenewalNotice,
  type RenewalTask,
  type ReturnRequest,
  type ReturnStatus,
  renewalNoticeSchema,
  renewalTaskSchema,
  returnItemSchema,
  returnRulesItemSchema,
  type StoredPromotion,
  type StoredReturnRules,
  type StoredTerms,
  termsItemSchema,
  warrantyKeys,
} from './model.ts';

type Item = Record<string, unknown>;
const strip = <T extends { entity: unknown; schemaVersion: unknown }>({
  entity: _e,
  schemaVersion: _v,
  ...rest
}: T): Omit<T, 'entity' | 'schemaVersion'> => rest;

/** Everything a product line publishes: warranty terms, promotions, return rules. */
export interface LineSettings {
  terms?: StoredTerms;
  promotions: StoredPromotion[];
  returnRules?: StoredReturnRules;
}

export interface WarrantyStore {
  commit<O extends string>(unit: UnitOfWork<O>): Promise<'committed' | O>;
  /** One Query of the line's partition. */
  lineSettings(productLine: string): Promise<LineSettings>;
  getContract(id: string): Promise<Contract | undefined>;
  /** The contracts a unit's partition links (one Query, then one GetItem each). */
  contractsOfUnit(serial: string): Promise<Contract[]>;
  contractsOfCustomer(customerId: string, page: PageQuery): Promise<Page<Contract>>;
  /** Open contracts whose term ends in `month` (gsi2, sparse). */
  contractsEndingIn(month: string): Promise<Contract[]>;
  getNotice(contractId: string, term: number, reminder: string): Promise<RenewalNotice | undefined>;
  getVisit(contractId: string, term: number, n: number): Promise<ContractVisit | undefined>;
  /** Units bought in a month (gsi4 of the directory's units). */
  unitsBoughtIn(month: string): Promise<ProductUnit[]>;
  courtesyCalls(branchId: string, month: string, page: PageQuery): Promise<Page<CourtesyCall>>;
  getCourtesyCall(branchId: string, month: string, serial: string): Promise<CourtesyCall | undefined>;
  markNoticeSent(n: RenewalNotice, sent: { at: string; messageId: string }): Promise<void>;
  tasksOf(assigneeId: string, page: PageQuery): Promise<Page<RenewalTask>>;
  getInvoice(caseId: string): Promise<Invoice | undefined>;
  getReturn(id: string): Promise<ReturnRequest | undefined>;
  returnsByStatus(status: ReturnStatus, page: PageQuery): Promise<Page<ReturnRequest>>;
  returnsOfCustomer(customerId: string, page: PageQuery): Promise<Page<ReturnRequest>>;
  nextSequence(kind: 'contract' | 'return', day: string): Promise<number>;
}

export const parseContract = (i: Item): Contract => strip(parseItem(contractItemSchema, i));
export const parseReturn = (i: Item): ReturnRequest => strip(parseItem(returnItemSchema, i));

export class DynamoWarrantyStore implements WarrantyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  commit<O extends string>(unit: UnitOfWork<O>) {
    return commit(this.db, this.tableName, unit);
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  async lineSettings(productLine: string): Promise<LineSettings> {
    const items = await queryAll(this.db, this.tableName, {
      pk: warrantyKeys.line(productLine),
      consistent: true,
    });
    const out: LineSettings = { promotions: [] };
    for (const i of items) {
      if (i.entity === 'WarrantyTerms') out.terms = parseItem(termsItemSchema, i);
      else if (i.entity === 'WarrantyPromotion') out.promotions.push(parseItem(promotionItemSchema, i));
      else if (i.entity === 'ReturnRules') out.returnRules = parseItem(returnRulesItemSchema, i);
    }
    return out;
  }

  async getContract(id: string) {
    const i = await this.get(warrantyKeys.contract(id));
    return i ? parseContract(i) : undefined;
  }

  async contractsOfUnit(serial: string) {
    const links = await queryAll(this.db, this.tableName, {
      ...warrantyKeys.contractsOfUnit(serial),
      consistent: true,
    });
    const found = await Promise.all(
      links.map((l) => this.getContract(parseItem(contractLinkSchema, l).contractId)),
    );
    return found.filter((c): c is Contract => c !== undefined);
  }

  contractsOfCustomer(customerId: string, page: PageQuery) {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byOwner, ...warrantyKeys.contractsOfCustomer(customerId) },
      page,
      parseContract,
    );
  }

  async contractsEndingIn(month: string) {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byStatus,
      pk: warrantyKeys.contractsEnding(month),
    });
    return items.map(parseContract);
  }

  async getNotice(contractId: string, term: number, reminder: string) {
    const i = await this.get(warrantyKeys.notice(contractId, term, reminder));
    return i ? strip(parseItem(renewalNoticeSchema, i)) : undefined;
  }

  async getVisit(contractId: string, term: number, n: number) {
    const i = await this.get(warrantyKeys.visit(contractId, term, n));
    return i ? strip(parseItem(contractVisitSchema, i)) : undefined;
  }

  async unitsBoughtIn(month: string) {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byDay,
      pk: directoryKeys.unitsBought(month),
    });
    return items.map((i) => parseItem(unitItemSchema, i));
  }

  courtesyCalls(branchId: string, month: string, page: PageQuery) {
    return queryPage(
      this.db,
      this.tableName,
      { pk: warrantyKeys.courtesyCalls(branchId, month) },
      page,
      (i) => strip(parseItem(courtesyCallSchema, i)),
    );
  }

  async getCourtesyCall(branchId: string, month: string, serial: string) {
    const i = await this.get(warrantyKeys.courtesyCall(branchId, month, serial));
    return i ? strip(parseItem(courtesyCallSchema, i)) : undefined;
  }

  async markNoticeSent(n: RenewalNotice, sent: { at: string; messageId: string }) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: warrantyKeys.notice(n.contractId, n.term, n.reminder),
        UpdateExpression: 'SET sentAt = :at, messageId = :id',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': sent.at, ':id': sent.messageId },
      }),
    );
  }

  tasksOf(assigneeId: string, page: PageQuery) {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byAssignee, pk: warrantyKeys.tasksOf(assigneeId) },
      page,
      (i) => strip(parseItem(renewalTaskSchema, i)),
    );
  }

  async getInvoice(caseId: string) {
    const i = await this.get(warrantyKeys.invoice(caseId));
    return i ? strip(parseItem(invoiceItemSchema, i)) : undefined;
  }

  async getReturn(id: string) {
    const i = await this.get(warrantyKeys.return(id));
    return i ? parseReturn(i) : undefined;
  }

  returnsByStatus(status: ReturnStatus, page: PageQuery) {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byStatus, pk: warrantyKeys.returnsByStatus(status) },
      page,
      parseReturn,
    );
  }

  returnsOfCustomer(customerId: string, page: PageQuery) {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byOwner, ...warrantyKeys.returnsOfCustomer(customerId), newestFirst: true },
      page,
      parseReturn,
    );
  }

  nextSequence(kind: 'contract' | 'return', day: string) {
    return nextInSequence(
      this.db,
      this.tableName,
      kind === 'contract' ? warrantyKeys.contractCounter(day) : warrantyKeys.returnCounter(day),
    );
  }
}
