/**
 * Directory operations (SPEC §12): branches and staff (kept by managers), customers and their product
 * units (registered by reception or by customers themselves). The HTTP bundle has already checked the
 * route's roles; the rules here are about records: a customer sees and edits only their own record and
 * units, ids of staff are the identity provider's `sub`, a phone number finds one customer, a serial
 * number is one unit. Every change is versioned and kept in the record's history.
 */
import { randomBytes } from 'node:crypto';
import { type Actor, hasRole, primaryRole } from '../auth/actor.ts';
import { localDay } from '../cases/numbering.ts';
import {
  ForbiddenError,
  NotFoundError,
  StateConflictError,
  ValidationError,
  VersionConflictError,
} from '../errors.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import type { Write } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import {
  type Branch,
  branchInputSchema,
  type Customer,
  type CustomerInput,
  certificateValidOn,
  customerInputSchema,
  type DirectoryChange,
  type DirectoryKind,
  normalizeSerial,
  type ProductUnit,
  type Staff,
  staffInputSchema,
  unitChangeSchema,
  unitInputSchema,
} from './model.ts';
import { type DirectoryRecord, type DirectoryStore, newRecordWrites } from './store.ts';

export interface DirectoryDeps {
  store: DirectoryStore;
  now: () => Date;
}

/** Who did it, as the history records it. */
const by = (actor: Actor) => ({ sub: actor.sub, role: primaryRole(actor) });

const isCustomerOnly = (actor: Actor) =>
  !hasRole(actor, ['agent', 'dispatcher', 'technician', 'parts_clerk', 'manager', 'ops']);

function requireVersion(kind: string, current: { version: number } | undefined, ifMatch?: number): void {
  if (ifMatch !== undefined && current && current.version !== ifMatch)
    throw new VersionConflictError(`${kind} is at version ${current.version}, not ${ifMatch}`, {
      currentVersion: current.version,
    });
}

/** Saves `fields` as the next version of a record (or its first), with the change entry. */
async function write<K extends DirectoryKind>(
  deps: DirectoryDeps,
  actor: Actor,
  kind: K,
  id: string,
  fields: Omit<DirectoryRecord<K>, 'createdAt' | 'updatedAt' | 'updatedBy' | 'version'>,
  previous: DirectoryRecord<K> | undefined,
): Promise<DirectoryRecord<K>> {
  const at = deps.now().toISOString();
  const record = {
    ...fields,
    createdAt: previous?.createdAt ?? at,
    updatedAt: at,
    updatedBy: actor.sub,
    version: (previous?.version ?? 0) + 1,
  } as DirectoryRecord<K>;
  const change: DirectoryChange = {
    kind,
    recordId: id,
    version: record.version as number,
    action: previous ? 'updated' : 'created',
    at,
    by: by(actor),
    record: record as Record<string, unknown>,
  };
  await deps.store.save(kind, record, change, previous);
  return record;
}

const strip = <T extends { entity: string; schemaVersion: number }>({
  entity: _e,
  schemaVersion: _v,
  ...rest
}: T) => rest;

/* ---- branches ---- */

/** Creates or replaces a branch (managers): name, timezone, service zones. */
export async function putBranch(
  deps: DirectoryDeps,
  actor: Actor,
  id: string,
  rawInput: unknown,
  ifMatch?: number,
): Promise<DirectoryRecord<'branch'>> {
  const input = parseInput(branchInputSchema, rawInput);
  const current = await deps.store.getBranch(id);
  requireVersion(`branch ${id}`, current, ifMatch);
  return write(deps, actor, 'branch', id, { id, ...input }, current && strip(current));
}

export async function getBranch(deps: DirectoryDeps, id: string): Promise<Branch> {
  const b = await deps.store.getBranch(id);
  if (!b) throw new NotFoundError(`no branch ${id}`);
  return b;
}

export function listBranches(deps: DirectoryDeps, page: PageQuery): Promise<Page<Branch>> {
  return deps.store.listBranches(page);
}

/* ---- staff ---- */

/**
 * Creates or replaces a staff member (managers). The id is the person's identity-provider `sub`, so
 * their token and their record meet. Deactivating (`active: false`) keeps the record and its history.
 */
export async function putStaff(
  deps: DirectoryDeps,
  actor: Actor,
  id: string,
  rawInput: unknown,
  ifMatch?: number,
): Promise<DirectoryRecord<'staff'>> {
  const input = parseInput(staffInputSchema, rawInput);
  if (!(await deps.store.getBranch(input.branchId)))
    throw new ValidationError([{ field: 'branchId', message: `no branch ${input.branchId}` }]);
  const current = await deps.store.getStaff(id);
  requireVersion(`staff member ${id}`, current, ifMatch);
  return write(deps, actor, 'staff', id, { id, ...input }, current && strip(current));
}

export async function getStaff(deps: DirectoryDeps, id: string): Promise<Staff> {
  const s = await deps.store.getStaff(id);
  if (!s) throw new NotFoundError(`no staff member ${id}`);
  return s;
}

export function listStaff(deps: DirectoryDeps, branchId: string, page: PageQuery): Promise<Page<Staff>> {
  return deps.store.listStaffOfBranch(branchId, page);
}

/** What keeps a person from taking a job of `branchId` on a unit of `productLine` on `day`; empty: nothing. */
export function missingForAssignment(
  person: Staff | undefined,
  job: { branchId: string; productLine?: string | undefined; day: string },
): string[] {
  if (!person) return ['a staff record (no such person in the directory)'];
  const missing: string[] = [];
  if (!person.roles.includes('technician')) missing.push('the technician role');
  if (!person.active) missing.push('an active staff record (deactivated)');
  if (person.branchId !== job.branchId)
    missing.push(`membership of branch ${job.branchId} (works for ${person.branchId})`);
  if (!person.certificates.some((c) => certificateValidOn(c, job.day))) {
    const last = person.certificates
      .map((c) => c.expiresOn)
      .sort()
      .at(-1);
    missing.push(
      last ? `a valid certificate (the last expired on ${last})` : 'a valid certificate (none held)',
    );
  }
  if (job.productLine && !person.skills.includes(job.productLine))
    missing.push(`the skill for product line ${job.productLine}`);
  return missing;
}

/* ---- customers ---- */

const newCustomerId = () => `C-${randomBytes(5).toString('hex').toUpperCase()}`;

/** A customer record the caller may see: customers only their own, staff every one; else 404. */
async function visibleCustomer(deps: DirectoryDeps, actor: Actor, id: string): Promise<Customer> {
  const c = isCustomerOnly(actor) && id !== actor.sub ? undefined : await deps.store.getCustomer(id);
  if (!c) throw new NotFoundError(`no customer ${id}`);
  return c;
}

/** The customer record intake and registration create: from the input, with its id. */
export function newCustomer(
  id: string,
  input: CustomerInput,
): Omit<Customer, 'entity' | 'schemaVersion' | 'createdAt' | 'updatedAt' | 'updatedBy' | 'version'> {
  return { id, ...input };
}

/**
 * Registers a customer. Reception and managers get a new id; a customer registers themselves under their
 * own `sub`. A phone number already on file is a 409 naming the customer it finds (look them up instead).
 *
 * @param options.id Seed and import only: register under this id.
 */
export async function registerCustomer(
  deps: DirectoryDeps,
  actor: Actor,
  rawInput: unknown,
  options: { id?: string } = {},
): Promise<DirectoryRecord<'customer'>> {
  const input = parseInput(customerInputSchema, rawInput);
  const id = options.id ?? (isCustomerOnly(actor) ? actor.sub : newCustomerId());
  for (const phone of input.phones) {
    const known = await deps.store.findCustomerByPhone(phone);
    if (known)
      throw new StateConflictError(`phone ${phone} is already on file for customer ${known.id}`, {
        field: 'phones',
        customerId: known.id,
      });
  }
  return write(deps, actor, 'customer', id, newCustomer(id, input), undefined);
}

export function getCustomer(deps: DirectoryDeps, actor: Actor, id: string): Promise<Customer> {
  return visibleCustomer(deps, actor, id);
}

/** Replaces a customer's details (the customer themselves, reception, managers). */
export async function updateCustomer(
  deps: DirectoryDeps,
  actor: Actor,
  id: string,
  rawInput: unknown,
  ifMatch?: number,
): Promise<DirectoryRecord<'customer'>> {
  const input = parseInput(customerInputSchema, rawInput);
  const current = await visibleCustomer(deps, actor, id);
  requireVersion(`customer ${id}`, current, ifMatch);
  return write(deps, actor, 'customer', id, newCustomer(id, input), strip(current));
}

/** Finds customers while taking a call: by exact phone number, or by the beginning of the name. */
export async function findCustomers(
  deps: DirectoryDeps,
  query: { phone?: string | undefined; name?: string | undefined },
  page: PageQuery,
): Promise<Page<Customer>> {
  if (query.phone) {
    const c = await deps.store.findCustomerByPhone(query.phone);
    return { items: c ? [c] : [] };
  }
  if (query.name) return deps.store.findCustomersByName(query.name, page);
  throw new ValidationError([{ field: 'phone', message: 'give a phone number or a name to search by' }]);
}

/* ---- product units ---- */

async function visibleUnit(deps: DirectoryDeps, actor: Actor, serial: string): Promise<ProductUnit> {
  const u = await deps.store.getUnit(serial);
  if (!u || (isCustomerOnly(actor) && u.ownerId !== actor.sub)) throw new NotFoundError(`no unit ${serial}`);
  return u;
}

async function requireOwner(deps: DirectoryDeps, actor: Actor, ownerId: string): Promise<void> {
  if (isCustomerOnly(actor) && ownerId !== actor.sub)
    throw new ForbiddenError('customers register units they own', { field: 'ownerId' });
  if (!(await deps.store.getCustomer(ownerId)))
    throw new ValidationError([{ field: 'ownerId', message: `no customer ${ownerId}` }]);
}

/** Registers a product unit of the installed base; its serial number is unique. */
export async function registerUnit(
  deps: DirectoryDeps,
  actor: Actor,
  rawInput: unknown,
): Promise<DirectoryRecord<'unit'>> {
  const input = parseInput(unitInputSchema, rawInput);
  await requireOwner(deps, actor, input.ownerId);
  return write(deps, actor, 'unit', normalizeSerial(input.serialNumber), input, undefined);
}

export function getUnit(deps: DirectoryDeps, actor: Actor, serial: string): Promise<ProductUnit> {
  return visibleUnit(deps, actor, serial);
}

/** Changes a unit's details (model, owner, dates, components); the serial number stays. */
export async function updateUnit(
  deps: DirectoryDeps,
  actor: Actor,
  serial: string,
  rawInput: unknown,
  ifMatch?: number,
): Promise<DirectoryRecord<'unit'>> {
  const input = parseInput(unitChangeSchema, rawInput);
  const current = await visibleUnit(deps, actor, serial);
  requireVersion(`unit ${serial}`, current, ifMatch);
  await requireOwner(deps, actor, input.ownerId);
  return write(
    deps,
    actor,
    'unit',
    normalizeSerial(serial),
    { ...input, serialNumber: current.serialNumber },
    strip(current),
  );
}

/** A customer's units (customers: their own only). */
export async function listUnits(
  deps: DirectoryDeps,
  actor: Actor,
  customerId: string,
  page: PageQuery,
): Promise<Page<ProductUnit>> {
  await visibleCustomer(deps, actor, customerId);
  return deps.store.listUnitsOfCustomer(customerId, page);
}

/** Today in the branch's timezone (or `fallback` when the branch sets none). */
export async function branchToday(deps: DirectoryDeps, branchId: string, fallback: string): Promise<string> {
  const b = await deps.store.getBranch(branchId);
  return localDay(deps.now(), b?.timezone ?? fallback);
}

/* ---- intake ---- */

/** What the caller told reception about themselves and the product (the intake's own fields). */
export interface IntakeParty {
  customer: {
    id?: string | undefined;
    name: string;
    address: string;
    phone: string;
    email?: string | undefined;
    language?: 'zh-CN' | 'en' | undefined;
  };
  product: {
    model: string;
    serialNumber: string;
    purchaseDate: string;
    warrantyMonths?: number | undefined;
    productLine?: string | undefined;
  };
  zone: 'urban' | 'suburban';
}

export interface IntakeParties {
  customerId: string;
  /** What the directory knows of how to reach the customer, for what the caller did not repeat. */
  contact: { email?: string; language?: 'zh-CN' | 'en' };
  /** The unit, with what the installed base knows of its warranty (it decides the service category). */
  unit: { id: string; productLine: string; purchaseDate?: string; warrantyMonths?: number };
  /** Inserts of the records intake creates (new caller, new unit), for the case's unit of work. */
  writes: Write<'duplicate'>[];
}

/**
 * Finds who and what a call is about, registering what is new in the same unit of work as the case:
 * - a customer registering for themselves is their own record (created on their first request);
 * - reception names an existing customer by id, or the caller is found by exact phone number, or is a
 *   new customer (their phone claim makes a concurrent registration of the same number lose);
 * - the serial number finds the unit, or a new one is registered for the customer (its product line
 *   is then needed).
 * Every insert names the `duplicate` outcome: a lost race is retried by intake, never a second record.
 */
export async function intakeParties(
  store: DirectoryStore,
  actor: Actor,
  input: IntakeParty,
  options: { asCustomer: boolean; at: string },
): Promise<IntakeParties> {
  const writes: Write<'duplicate'>[] = [];
  const change = (kind: DirectoryKind, id: string, record: Record<string, unknown>): DirectoryChange => ({
    kind,
    recordId: id,
    version: 1,
    action: 'created',
    at: options.at,
    by: by(actor),
    record,
  });
  const stamps = { createdAt: options.at, updatedAt: options.at, updatedBy: actor.sub, version: 1 };

  let customerId: string;
  let contact: IntakeParties['contact'] = {};
  // The unit does not depend on who calls: read it beside the caller's lookup.
  const unitId = normalizeSerial(input.product.serialNumber);
  const readUnit = store.getUnit(unitId);
  readUnit.catch(() => undefined); // awaited below; a refusal before then must not leave it unhandled
  const given = options.asCustomer ? actor.sub : input.customer.id;
  const known = given
    ? await store.getCustomer(given)
    : await store.findCustomerByPhone(input.customer.phone);
  if (known) {
    customerId = known.id;
    contact = { ...(known.email ? { email: known.email } : {}), language: known.language };
  } else if (given && !options.asCustomer) {
    throw new ValidationError([
      {
        field: 'customer.id',
        message: `no customer ${given} in the directory; leave it out to find the caller by phone or register them`,
      },
    ]);
  } else {
    customerId = given ?? newCustomerId();
    const record: DirectoryRecord<'customer'> = {
      id: customerId,
      name: input.customer.name,
      addresses: [{ address: input.customer.address, zone: input.zone }],
      phones: [input.customer.phone],
      ...(input.customer.email ? { email: input.customer.email } : {}),
      language: input.customer.language ?? 'zh-CN',
      surveyConsent: true,
      ...stamps,
    };
    // A customer whose number is already another record's lookup number keeps it, unclaimed.
    const claimed = given ? await store.findCustomerByPhone(input.customer.phone) : undefined;
    writes.push(
      ...newRecordWrites('customer', record, change('customer', customerId, record), 'duplicate', !claimed),
    );
  }

  const unit = await readUnit;
  if (unit) {
    return {
      customerId,
      unit: {
        id: unitId,
        productLine: unit.productLine,
        ...(unit.purchaseDate ? { purchaseDate: unit.purchaseDate } : {}),
        ...(unit.warrantyMonths !== undefined ? { warrantyMonths: unit.warrantyMonths } : {}),
      },
      contact,
      writes,
    };
  }
  const productLine = input.product.productLine;
  if (!productLine) {
    throw new ValidationError([
      {
        field: 'product.productLine',
        message: `unit ${input.product.serialNumber} is not in the installed base yet: give its product line to register it`,
      },
    ]);
  }
  const record: DirectoryRecord<'unit'> = {
    serialNumber: input.product.serialNumber,
    model: input.product.model,
    productLine,
    ownerId: customerId,
    purchaseDate: input.product.purchaseDate,
    ...(input.product.warrantyMonths !== undefined ? { warrantyMonths: input.product.warrantyMonths } : {}),
    components: [],
    ...stamps,
  };
  writes.push(...newRecordWrites('unit', record, change('unit', unitId, record), 'duplicate'));
  return { customerId, contact, unit: { id: unitId, productLine }, writes };
}
