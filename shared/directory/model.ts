/**
 * The directory and the installed base (SPEC §12): branches, staff, customers and product units, each a
 * record of its own with a version, plus the uniqueness claim that makes a phone number find one
 * customer, and the change history every record keeps (who changed what, when). Keys are declared once
 * here, next to the schemas; `test/unit/schema-versions.test.ts` fails when a schema changes without a
 * version bump.
 *
 * | item | pk | sk | index (access pattern) |
 * |---|---|---|---|
 * | branch | `BRANCH#<id>` | `PROFILE` | gsi2 `BRANCHES` / `<id>` (every branch) |
 * | staff member | `STAFF#<id>` (the identity provider's `sub`) | `PROFILE` | gsi2 `STAFF#<branch>` / `<name>#<id>` |
 * | customer | `CUSTOMER#<id>` | `PROFILE` | gsi2 `CUSTNAME#<first letter>` / `<normalized name>#<id>` |
 * | phone claim | `PHONE#<digits>` | `CUSTOMER` | — (GetItem: exact phone → customer id) |
 * | product unit | `UNIT#<SERIAL>` | `UNIT` | gsi1 `CUST#<owner>` / `UNIT#<SERIAL>` (a customer's units); gsi4 `UNITBOUGHT#<yyyy-mm>` / `<SERIAL>` (units bought in a month) |
 * | change | the record's pk | `HISTORY#<at>#<version>` | — (read with the record's partition) |
 */
import * as z from 'zod/mini';
import { type Role, roles } from '../auth/actor.ts';
import { caseKeys } from '../cases/model.ts';
import { type ItemKind, outboxSchema } from '../store/item.ts';
import { Index, indexKeys, key } from '../store/table.ts';
import { isoDate, lazySchema, text } from '../validation.ts';

export const BRANCH_SCHEMA_VERSION = 1;
export const STAFF_SCHEMA_VERSION = 1;
export const CUSTOMER_SCHEMA_VERSION = 1;
export const PHONE_CLAIM_SCHEMA_VERSION = 1;
/**
 * v2: a component may name its class (`componentClass`, which picks its warranty term) and the day it was
 * fitted as a replacement (`replacedOn`, from which its own warranty runs); both optional, so v1 items read
 * as v2 unchanged.
 */
export const PRODUCT_UNIT_SCHEMA_VERSION = 2;
export const DIRECTORY_CHANGE_SCHEMA_VERSION = 1;

/* ------------------------------------------------------------------------------------------------
 * Field rules shared by inputs
 * ---------------------------------------------------------------------------------------------- */

export const recordId = () =>
  z
    .string()
    .check(
      z.maxLength(128),
      z.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'expected an id of letters, digits and _.:@-'),
    );
export const phoneNumber = () =>
  z
    .string()
    .check(z.trim(), z.maxLength(32), z.regex(/^\+?[0-9][0-9 ()-]{5,24}$/, 'expected a phone number'));
export const serialNumber = () =>
  z
    .string()
    .check(
      z.trim(),
      z.maxLength(64),
      z.regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/, 'expected a serial number'),
    );
/** A class of component with a warranty term of its own, e.g. `compressor`, `control-board`. */
export const componentClass = () =>
  z
    .string()
    .check(
      z.maxLength(48),
      z.regex(/^[a-z][a-z0-9-]{1,47}$/, 'expected a component class such as compressor'),
    );
/** A product line: lower-case words joined by hyphens, e.g. `air-conditioner`. */
export const productLine = () =>
  z
    .string()
    .check(
      z.maxLength(48),
      z.regex(/^[a-z][a-z0-9-]{1,47}$/, 'expected a product line such as air-conditioner'),
    );
const timeZone = () =>
  z.string().check(
    z.maxLength(64),
    z.refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'expected an IANA time zone such as Asia/Shanghai'),
  );

export const zoneKinds = ['urban', 'suburban'] as const;
export const languages = ['zh-CN', 'en'] as const;
/** Roles a staff member may hold (customers are not staff). */
export const staffRoleNames = roles.filter((r) => r !== 'customer') as Exclude<Role, 'customer'>[];

/* ------------------------------------------------------------------------------------------------
 * Inputs
 * ---------------------------------------------------------------------------------------------- */

export const branchInputSchema = lazySchema(() =>
  z.strictObject({
    name: text(100),
    timezone: timeZone(),
    /** Service zones of the outlet's region, each urban or suburban (the arrival limit differs). */
    zones: z
      .array(z.strictObject({ name: text(60), kind: z.enum(zoneKinds) }))
      .check(z.minLength(1), z.maxLength(50)),
    address: z.optional(text(300)),
  }),
);
export type BranchInput = z.infer<typeof branchInputSchema>;

const certificateSchema = lazySchema(() =>
  z.strictObject({
    name: text(100),
    number: z.optional(text(60)),
    /** Last day the certificate is valid (inclusive), branch time. */
    expiresOn: isoDate(),
  }),
);

export const staffInputSchema = lazySchema(() =>
  z.strictObject({
    name: text(100),
    phone: z.optional(phoneNumber()),
    email: z.optional(z.email().check(z.maxLength(254))),
    branchId: recordId(),
    roles: z.array(z.enum(staffRoleNames)).check(z.minLength(1), z.maxLength(6)),
    /** Product lines the person is skilled to repair. */
    skills: z._default(z.array(productLine()).check(z.maxLength(30)), () => []),
    certificates: z._default(z.array(certificateSchema).check(z.maxLength(20)), () => []),
    active: z._default(z.boolean(), true),
  }),
);
export type StaffInput = z.infer<typeof staffInputSchema>;

const addressSchema = lazySchema(() =>
  z.strictObject({
    label: z.optional(text(40)),
    address: text(300),
    zone: z.optional(z.enum(zoneKinds)),
  }),
);

export const customerInputSchema = lazySchema(() =>
  z.strictObject({
    name: text(100),
    addresses: z.array(addressSchema).check(z.minLength(1), z.maxLength(10)),
    phones: z.array(phoneNumber()).check(
      z.minLength(1),
      z.maxLength(5),
      z.refine(
        (ps) => new Set(ps.map(normalizePhone)).size === ps.length,
        'the same phone number is listed twice',
      ),
    ),
    email: z.optional(z.email().check(z.maxLength(254))),
    language: z._default(z.enum(languages), 'zh-CN'),
    /** May we send satisfaction surveys (SPEC §7)? */
    surveyConsent: z._default(z.boolean(), true),
  }),
);
export type CustomerInput = z.infer<typeof customerInputSchema>;

const componentSchema = lazySchema(() =>
  z.strictObject({
    name: text(100),
    partNumber: text(60),
    serialNumber: z.optional(serialNumber()),
    warrantyMonths: z.optional(z.int().check(z.minimum(0), z.maximum(240))),
    /** Which warranty term applies (e.g. `compressor`); the product line's default term otherwise. */
    componentClass: z.optional(componentClass()),
    /** The day this component was fitted as a replacement: its warranty runs from then. */
    replacedOn: z.optional(isoDate()),
  }),
);

export const unitInputSchema = lazySchema(() =>
  z.strictObject({
    serialNumber: serialNumber(),
    model: text(100),
    productLine: productLine(),
    ownerId: recordId(),
    purchaseDate: z.optional(isoDate()),
    installedOn: z.optional(isoDate()),
    warrantyMonths: z.optional(z.int().check(z.minimum(0), z.maximum(120))),
    components: z._default(z.array(componentSchema).check(z.maxLength(50)), () => []),
  }),
);
export type UnitInput = z.infer<typeof unitInputSchema>;
/** What may change on a unit: everything but its serial number. */
export const unitChangeSchema = lazySchema(() => z.omit(unitInputSchema, { serialNumber: true }));

/* ------------------------------------------------------------------------------------------------
 * Stored items
 * ---------------------------------------------------------------------------------------------- */

const header = <E extends string, V extends number>(entity: E, version: V) => ({
  entity: z.literal(entity),
  schemaVersion: z.literal(version),
});

/** Who changed a record, and when; the record's optimistic-lock version. */
const stamp = {
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  version: z.number(),
};

export const branchItemSchema = lazySchema(() =>
  z.object({
    ...header('Branch', BRANCH_SCHEMA_VERSION),
    id: z.string(),
    name: z.string(),
    timezone: z.string(),
    zones: z.array(z.object({ name: z.string(), kind: z.enum(zoneKinds) })),
    address: z.optional(z.string()),
    ...stamp,
  }),
);
export type Branch = z.output<typeof branchItemSchema>;

export const staffItemSchema = lazySchema(() =>
  z.object({
    ...header('Staff', STAFF_SCHEMA_VERSION),
    id: z.string(),
    name: z.string(),
    phone: z.optional(z.string()),
    email: z.optional(z.string()),
    branchId: z.string(),
    roles: z.array(z.enum(roles)),
    skills: z.array(z.string()),
    certificates: z.array(
      z.object({ name: z.string(), number: z.optional(z.string()), expiresOn: z.string() }),
    ),
    active: z.boolean(),
    ...stamp,
  }),
);
export type Staff = z.output<typeof staffItemSchema>;

export const customerItemSchema = lazySchema(() =>
  z.object({
    ...header('Customer', CUSTOMER_SCHEMA_VERSION),
    id: z.string(),
    name: z.string(),
    addresses: z.array(
      z.object({
        label: z.optional(z.string()),
        address: z.string(),
        zone: z.optional(z.enum(zoneKinds)),
      }),
    ),
    phones: z.array(z.string()),
    email: z.optional(z.string()),
    language: z.enum(languages),
    surveyConsent: z.boolean(),
    ...stamp,
  }),
);
export type Customer = z.output<typeof customerItemSchema>;

/** `PHONE#<digits>` → the customer that number finds (the first one registered with it). */
export const phoneClaimSchema = lazySchema(() =>
  z.object({
    ...header('PhoneClaim', PHONE_CLAIM_SCHEMA_VERSION),
    phone: z.string(),
    customerId: z.string(),
  }),
);

export const unitItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('ProductUnit'),
    // v1 items read as v2 unchanged (every field v2 added is optional).
    schemaVersion: z.union([z.literal(1), z.literal(PRODUCT_UNIT_SCHEMA_VERSION)]),
    serialNumber: z.string(),
    model: z.string(),
    productLine: z.string(),
    ownerId: z.string(),
    purchaseDate: z.optional(z.string()),
    installedOn: z.optional(z.string()),
    warrantyMonths: z.optional(z.number()),
    components: z.array(
      z.object({
        name: z.string(),
        partNumber: z.string(),
        serialNumber: z.optional(z.string()),
        warrantyMonths: z.optional(z.number()),
        componentClass: z.optional(z.string()),
        replacedOn: z.optional(z.string()),
      }),
    ),
    ...stamp,
  }),
);
export type ProductUnit = z.output<typeof unitItemSchema>;

export const directoryKinds = ['branch', 'staff', 'customer', 'unit'] as const;
export type DirectoryKind = (typeof directoryKinds)[number];

/** One change of a directory record: the record as it became, who, when (SPEC §11). */
export const directoryChangeSchema = lazySchema(() =>
  z.object({
    ...header('DirectoryChange', DIRECTORY_CHANGE_SCHEMA_VERSION),
    kind: z.enum(directoryKinds),
    recordId: z.string(),
    version: z.number(),
    action: z.enum(['created', 'updated']),
    at: z.string(),
    by: z.object({ sub: z.string(), role: z.string() }),
    record: z.record(z.string(), z.unknown()),
    outbox: outboxSchema,
  }),
);
export type DirectoryChange = Omit<z.output<typeof directoryChangeSchema>, 'entity' | 'schemaVersion'>;

/** Every stored kind of the directory, for the schema version test. */
export const directoryItemKinds: ItemKind[] = [
  { entity: 'Branch', version: BRANCH_SCHEMA_VERSION, schema: branchItemSchema },
  { entity: 'Staff', version: STAFF_SCHEMA_VERSION, schema: staffItemSchema },
  { entity: 'Customer', version: CUSTOMER_SCHEMA_VERSION, schema: customerItemSchema },
  { entity: 'PhoneClaim', version: PHONE_CLAIM_SCHEMA_VERSION, schema: phoneClaimSchema },
  { entity: 'ProductUnit', version: PRODUCT_UNIT_SCHEMA_VERSION, schema: unitItemSchema },
  { entity: 'DirectoryChange', version: DIRECTORY_CHANGE_SCHEMA_VERSION, schema: directoryChangeSchema },
];

/* ------------------------------------------------------------------------------------------------
 * Normalization and keys
 * ---------------------------------------------------------------------------------------------- */

/** A phone number as it is looked up: its digits, with the leading `+` when there is one. */
export function normalizePhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return phone.trim().startsWith('+') ? `+${digits}` : digits;
}

/** A name as it is searched: NFKC, lower case, single spaces. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** A serial number as it is unique: upper case (serials are printed, and read back, in either case). */
export const normalizeSerial = (serial: string): string => serial.trim().toUpperCase();

/** Names are partitioned by their first character, so a prefix search reads one partition. */
const nameBucket = (normalized: string) => key('CUSTNAME', Array.from(normalized)[0] ?? '_');

const PROFILE = 'PROFILE';
const HISTORY = 'HISTORY';
const branchPartition = (id: string) => key('BRANCH', id);
const staffPartition = (id: string) => key('STAFF', id);
const customerPartition = (id: string) => key('CUSTOMER', id);
const unitPartition = (serial: string) => key('UNIT', normalizeSerial(serial));

export const directoryKeys = {
  branch: (id: string) => ({ pk: branchPartition(id), sk: PROFILE }),
  branches: 'BRANCHES',
  staff: (id: string) => ({ pk: staffPartition(id), sk: PROFILE }),
  staffOf: (branchId: string) => key('STAFF', branchId),
  customer: (id: string) => ({ pk: customerPartition(id), sk: PROFILE }),
  /** The partition and sort prefix of a customer-name search. */
  customersNamed: (prefix: string) => {
    const normalized = normalizeName(prefix);
    return { pk: nameBucket(normalized), skPrefix: normalized };
  },
  phone: (phone: string) => ({ pk: key('PHONE', normalizePhone(phone)), sk: 'CUSTOMER' }),
  unit: (serial: string) => ({ pk: unitPartition(serial), sk: 'UNIT' }),
  /** gsi1: a customer's units sort under `UNIT#`, beside their cases. */
  /** gsi4: units bought in a month (`yyyy-mm`). */
  unitsBought: (month: string) => key('UNITBOUGHT', month),
  unitsOf: (customerId: string) => ({ pk: caseKeys.byCustomer(customerId), skPrefix: key('UNIT', '') }),
  change: (record: { pk: string }, at: string, version: number) => ({
    pk: record.pk,
    sk: key(HISTORY, at, String(version).padStart(8, '0')),
  }),
  historyPrefix: key(HISTORY, ''),
};

/** Stored items with their keys, index attributes and kind headers, ready to write. */
export const directoryItems = {
  branch: (b: Omit<Branch, 'entity' | 'schemaVersion'>) => ({
    ...directoryKeys.branch(b.id),
    ...indexKeys(Index.byBranch, directoryKeys.branches, b.id),
    entity: 'Branch',
    schemaVersion: BRANCH_SCHEMA_VERSION,
    ...b,
  }),
  staff: (s: Omit<Staff, 'entity' | 'schemaVersion'>) => ({
    ...directoryKeys.staff(s.id),
    ...indexKeys(Index.byBranch, directoryKeys.staffOf(s.branchId), key(normalizeName(s.name), s.id)),
    entity: 'Staff',
    schemaVersion: STAFF_SCHEMA_VERSION,
    ...s,
  }),
  customer: (c: Omit<Customer, 'entity' | 'schemaVersion'>) => {
    const normalized = normalizeName(c.name);
    return {
      ...directoryKeys.customer(c.id),
      ...indexKeys(Index.byName, nameBucket(normalized), key(normalized, c.id)),
      entity: 'Customer',
      schemaVersion: CUSTOMER_SCHEMA_VERSION,
      ...c,
    };
  },
  phone: (phone: string, customerId: string) => ({
    ...directoryKeys.phone(phone),
    entity: 'PhoneClaim',
    schemaVersion: PHONE_CLAIM_SCHEMA_VERSION,
    phone: normalizePhone(phone),
    customerId,
  }),
  unit: (u: Omit<ProductUnit, 'entity' | 'schemaVersion'>) => ({
    ...directoryKeys.unit(u.serialNumber),
    ...indexKeys(
      Index.byOwner,
      directoryKeys.unitsOf(u.ownerId).pk,
      key('UNIT', normalizeSerial(u.serialNumber)),
    ),
    // gsi4 (sparse): units by the month they were bought, for the free-warranty courtesy calls.
    ...(u.purchaseDate
      ? indexKeys(
          Index.byDay,
          directoryKeys.unitsBought(u.purchaseDate.slice(0, 7)),
          normalizeSerial(u.serialNumber),
        )
      : {}),
    entity: 'ProductUnit',
    schemaVersion: PRODUCT_UNIT_SCHEMA_VERSION,
    ...u,
  }),
  change: (record: { pk: string }, c: DirectoryChange) => ({
    ...directoryKeys.change(record, c.at, c.version),
    entity: 'DirectoryChange',
    schemaVersion: DIRECTORY_CHANGE_SCHEMA_VERSION,
    ...c,
  }),
};

/** Is the certificate valid on `day` (YYYY-MM-DD, branch time)? The expiry day itself still counts. */
export const certificateValidOn = (c: { expiresOn: string }, day: string): boolean => c.expiresOn >= day;
