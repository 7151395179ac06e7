/**
 * Directory store: the port the directory service (and intake, assignment, escalation) use, and its
 * DynamoDB implementation. Reads are GetItem or a Query on a key or a named index; every change is one
 * unit of work: the record (conditional on its version), its change-history entry, and the phone claims
 * that keep "this number finds that customer" true.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { domainEvent } from '../../events/registry.ts';
import { StateConflictError, VersionConflictError } from '../errors.ts';
import { parseItem } from '../store/item.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { queryPage } from '../store/query.ts';
import { Index } from '../store/table.ts';
import { commit, insert, insertOutbox, put, remove, UnitOfWork, type Write } from '../store/unit-of-work.ts';
import {
  type Branch,
  branchItemSchema,
  type Customer,
  customerItemSchema,
  type DirectoryChange,
  type DirectoryKind,
  directoryItems,
  directoryKeys,
  normalizePhone,
  normalizeSerial,
  type ProductUnit,
  phoneClaimSchema,
  type Staff,
  staffItemSchema,
  unitItemSchema,
} from './model.ts';

type Record_<K extends DirectoryKind> = {
  branch: Branch;
  staff: Staff;
  customer: Customer;
  unit: ProductUnit;
}[K];
/** A record as the domain writes it; `entity` and `schemaVersion` are the store's business. */
export type DirectoryRecord<K extends DirectoryKind> = Omit<Record_<K>, 'entity' | 'schemaVersion'>;

export interface DirectoryStore {
  getBranch(id: string): Promise<Branch | undefined>;
  listBranches(page: PageQuery): Promise<Page<Branch>>;
  getStaff(id: string): Promise<Staff | undefined>;
  listStaffOfBranch(branchId: string, page: PageQuery): Promise<Page<Staff>>;
  getCustomer(id: string): Promise<Customer | undefined>;
  /** The customer an exact phone number finds (GetItem on the claim, then on the record). */
  findCustomerByPhone(phone: string): Promise<Customer | undefined>;
  /** Customers whose normalized name starts with `prefix`, in name order. */
  findCustomersByName(prefix: string, page: PageQuery): Promise<Page<Customer>>;
  getUnit(serialNumber: string): Promise<ProductUnit | undefined>;
  listUnitsOfCustomer(customerId: string, page: PageQuery): Promise<Page<ProductUnit>>;
  /**
   * Writes a record at `previous.version + 1` (or new at version 1) with its change entry, in one unit of
   * work with `extra` writes. A lost race is a 409; a phone claimed by someone else meanwhile too.
   */
  save<K extends DirectoryKind>(
    kind: K,
    record: DirectoryRecord<K>,
    change: DirectoryChange,
    previous?: DirectoryRecord<K>,
    extra?: Write[],
  ): Promise<void>;
}

/** The writes that add a record of `kind` to someone else's unit of work (intake creating a customer). */
export function newRecordWrites<K extends DirectoryKind>(
  kind: K,
  record: DirectoryRecord<K>,
  change: DirectoryChange,
  onConflict: 'duplicate',
  claimPhones = true,
): Write<'duplicate'>[] {
  const item = itemOf(kind, record);
  const writes: Write<'duplicate'>[] = [
    insert(item, onConflict),
    insert(directoryItems.change(item, change), onConflict),
  ];
  if (kind === 'customer' && claimPhones) {
    for (const phone of (record as DirectoryRecord<'customer'>).phones)
      writes.push(insert(directoryItems.phone(phone, recordKey(kind, record)), onConflict));
  }
  return writes;
}

function itemOf<K extends DirectoryKind>(
  kind: K,
  record: DirectoryRecord<K>,
): Record<string, unknown> & {
  pk: string;
  sk: string;
} {
  switch (kind) {
    case 'branch':
      return directoryItems.branch(record as DirectoryRecord<'branch'>);
    case 'staff':
      return directoryItems.staff(record as DirectoryRecord<'staff'>);
    case 'customer':
      return directoryItems.customer(record as DirectoryRecord<'customer'>);
    case 'unit':
      return directoryItems.unit(record as DirectoryRecord<'unit'>);
  }
  throw new Error(`unknown directory kind ${kind}`);
}

export class DynamoDirectoryStore implements DirectoryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get<T>(key: { pk: string; sk: string }, parse: (i: Record<string, unknown>) => T) {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key }));
    return out.Item ? parse(out.Item) : undefined;
  }

  getBranch(id: string): Promise<Branch | undefined> {
    return this.get(directoryKeys.branch(id), (i) => parseItem(branchItemSchema, i));
  }

  listBranches(page: PageQuery): Promise<Page<Branch>> {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byBranch, pk: directoryKeys.branches },
      page,
      (i) => parseItem(branchItemSchema, i),
    );
  }

  getStaff(id: string): Promise<Staff | undefined> {
    return this.get(directoryKeys.staff(id), (i) => parseItem(staffItemSchema, i));
  }

  listStaffOfBranch(branchId: string, page: PageQuery): Promise<Page<Staff>> {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byBranch, pk: directoryKeys.staffOf(branchId) },
      page,
      (i) => parseItem(staffItemSchema, i),
    );
  }

  getCustomer(id: string): Promise<Customer | undefined> {
    return this.get(directoryKeys.customer(id), (i) => parseItem(customerItemSchema, i));
  }

  async findCustomerByPhone(phone: string): Promise<Customer | undefined> {
    const claim = await this.get(directoryKeys.phone(phone), (i) => parseItem(phoneClaimSchema, i));
    return claim ? this.getCustomer(claim.customerId) : undefined;
  }

  findCustomersByName(prefix: string, page: PageQuery): Promise<Page<Customer>> {
    const { pk, skPrefix } = directoryKeys.customersNamed(prefix);
    return queryPage(this.db, this.tableName, { index: Index.byName, pk, skPrefix }, page, (i) =>
      parseItem(customerItemSchema, i),
    );
  }

  getUnit(serialNumber: string): Promise<ProductUnit | undefined> {
    return this.get(directoryKeys.unit(serialNumber), (i) => parseItem(unitItemSchema, i));
  }

  listUnitsOfCustomer(customerId: string, page: PageQuery): Promise<Page<ProductUnit>> {
    const { pk, skPrefix } = directoryKeys.unitsOf(customerId);
    return queryPage(this.db, this.tableName, { index: Index.byOwner, pk, skPrefix }, page, (i) =>
      parseItem(unitItemSchema, i),
    );
  }

  async save<K extends DirectoryKind>(
    kind: K,
    record: DirectoryRecord<K>,
    change: DirectoryChange,
    previous?: DirectoryRecord<K>,
    extra: Write[] = [],
  ): Promise<void> {
    const item = itemOf(kind, record);
    const conflict = () =>
      new VersionConflictError(
        `${kind} ${recordKey(kind, record)} was changed by someone else; reload and try again`,
      );
    const unit = new UnitOfWork(conflict);
    unit.add(
      previous
        ? put<never>(item, { condition: 'version = :v', values: { ':v': previous.version } })
        : insert<never>(
            item,
            () => new StateConflictError(`${kind} ${recordKey(kind, record)} exists already`),
          ),
      insertOutbox(directoryItems.change(item, change)),
      ...extra,
    );
    if (kind === 'customer')
      unit.add(
        ...phoneClaims(
          record as DirectoryRecord<'customer'>,
          previous as DirectoryRecord<'customer'> | undefined,
        ),
      );
    unit.emit(
      domainEvent('Directory Record Changed', {
        kind,
        recordId: recordKey(kind, record),
        version: record.version as number,
        action: change.action,
        at: change.at,
        actor: change.by,
      }),
    );
    await commit(this.db, this.tableName, unit);
  }
}

function recordKey<K extends DirectoryKind>(kind: K, record: DirectoryRecord<K>): string {
  return kind === 'unit'
    ? normalizeSerial((record as DirectoryRecord<'unit'>).serialNumber)
    : String((record as { id?: string }).id);
}

/** Claims for the customer's new phone numbers (refused when another customer holds one), released for dropped ones. */
function phoneClaims(next: DirectoryRecord<'customer'>, previous?: DirectoryRecord<'customer'>): Write[] {
  const before = new Set((previous?.phones ?? []).map(normalizePhone));
  const after = new Set(next.phones.map(normalizePhone));
  const writes: Write[] = [];
  for (const phone of next.phones) {
    if (before.has(normalizePhone(phone))) continue;
    writes.push(
      insert<never>(
        directoryItems.phone(phone, next.id),
        () =>
          new StateConflictError(`phone ${phone} belongs to another customer; find them by that number`, {
            field: 'phones',
          }),
      ),
    );
  }
  for (const phone of previous?.phones ?? []) {
    if (after.has(normalizePhone(phone))) continue;
    // Only our own claim is released; a number another customer holds stays theirs.
    writes.push(
      remove<never>(directoryKeys.phone(phone), {
        condition: 'attribute_not_exists(pk) OR customerId = :id',
        values: { ':id': next.id },
        onConflict: () =>
          new StateConflictError(`phone ${phone} is the lookup number of another customer record`, {
            field: 'phones',
          }),
      }),
    );
  }
  return writes;
}
