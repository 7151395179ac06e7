/**
 * Warranty, maintenance contracts, billing and returns (SPEC §6, §6a): inputs, stored items and their keys.
 * One domain, because all three turn on the same question — what covers this unit today — and share the
 * terms of its product line. Every stored kind carries a schema version (`test/unit/schema-versions.test.ts`).
 *
 * | item | pk | sk | index (access pattern) |
 * |---|---|---|---|
 * | warranty terms | `WARRANTY#<line>` | `TERMS` | — (one Query reads terms, promotions and return rules) |
 * | promotion | `WARRANTY#<line>` | `PROMO#<id>` | — |
 * | return rules | `WARRANTY#<line>` | `RETURNRULES` | — |
 * | contract | `CONTRACT#<id>` | `CONTRACT` | gsi1 `CUST#<customer>` / `CONTRACT#<id>` (a customer's contracts); gsi2 `CONTRACTEND#<yyyy-mm>` / `<end>#<id>` (sparse: open contracts by end month) |
 * | contract link | `UNIT#<SERIAL>` | `CONTRACT#<id>` | — (read with the unit's partition: contracts covering a unit) |
 * | contract change | `CONTRACT#<id>` | `HISTORY#<at>#<version>` | — (carries the change's events) |
 * | renewal notice | `CONTRACT#<id>` | `NOTICE#<term>#<days>` | — (conditional insert: once per term and reminder) |
 * | renewal task | `CONTRACT#<id>` | `TASK#<term>#<days>` | gsi3 `RENEWALTASKS#<person>` / `<due>#<id>` (a person's follow-ups) |
 * | contract visit | `CONTRACT#<id>` | `VISIT#<term>#<n>` | — (a maintenance visit opened as a case, once) |
 * | courtesy call | `COURTESY#<branch>#<yyyy-mm>` | `<SERIAL>` | — (a branch's call list of a month: one Query) |
 * | invoice | `INVOICE#<case>` | `INVOICE` | — (one per case) |
 * | return | `RETURN#<id>` | `RETURN` | gsi1 `CUST#<customer>` / `RETURN#<at>#<id>`; gsi2 `RETURNSTATUS#<status>` / `<at>#<id>` |
 * | return change | `RETURN#<id>` | `HISTORY#<at>#<version>` | — (carries the change's events) |
 */
import * as z from 'zod/mini';
import { branchIdSchema, DEFAULT_BRANCH_ID } from '../branches/defaults.ts';
import { caseKeys } from '../cases/model.ts';
import { componentClass, normalizeSerial, productLine, recordId, serialNumber } from '../directory/model.ts';
import { type ItemKind, outboxSchema } from '../store/item.ts';
import { Index, indexKeys, key } from '../store/table.ts';
import { isoDate, lazySchema, text } from '../validation.ts';
import { billingCategories, coverageKinds, startBases } from './coverage.ts';

export const WARRANTY_TERMS_SCHEMA_VERSION = 1;
export const PROMOTION_SCHEMA_VERSION = 1;
export const RETURN_RULES_SCHEMA_VERSION = 1;
export const CONTRACT_SCHEMA_VERSION = 1;
export const CONTRACT_LINK_SCHEMA_VERSION = 1;
export const CONTRACT_CHANGE_SCHEMA_VERSION = 1;
export const RENEWAL_NOTICE_SCHEMA_VERSION = 1;
export const RENEWAL_TASK_SCHEMA_VERSION = 1;
export const INVOICE_SCHEMA_VERSION = 1;
export const CONTRACT_VISIT_SCHEMA_VERSION = 1;
export const COURTESY_CALL_SCHEMA_VERSION = 1;
export const RETURN_SCHEMA_VERSION = 1;
export const RETURN_CHANGE_SCHEMA_VERSION = 1;

const currency = () =>
  z.string().check(z.maxLength(3), z.regex(/^[A-Z]{3}$/, 'expected an ISO currency code'));
const money = () => z.number().check(z.minimum(0), z.maximum(10_000_000));
const months = () => z.int().check(z.minimum(0), z.maximum(240));

/* ------------------------------------------------------------------------------------------------
 * Warranty terms and promotions
 * ---------------------------------------------------------------------------------------------- */

const coverageTermInput = lazySchema(() =>
  z.strictObject({
    months: months(),
    startBasis: z._default(z.enum(startBases), 'purchase'),
  }),
);
const classTermInput = lazySchema(() =>
  z.strictObject({ parts: coverageTermInput, labour: coverageTermInput }),
);

export const termsInputSchema = lazySchema(() =>
  z.strictObject({
    /** The unit's own term, and that of components whose class has none below. */
    default: classTermInput,
    classes: z._default(
      z
        .array(
          z.strictObject({
            componentClass: componentClass(),
            parts: coverageTermInput,
            labour: coverageTermInput,
          }),
        )
        .check(
          z.maxLength(30),
          z.refine(
            (cs) => new Set(cs.map((c) => c.componentClass)).size === cs.length,
            'a component class is listed twice',
          ),
        ),
      () => [],
    ),
    labourRatePerHour: z._default(money(), 120),
    currency: z._default(currency(), 'CNY'),
  }),
);
export type TermsInput = z.infer<typeof termsInputSchema>;

export const promotionInputSchema = lazySchema(() =>
  z
    .strictObject({
      id: recordId(),
      name: text(100),
      componentClass: z.optional(componentClass()),
      coverage: z.enum([...coverageKinds, 'both']),
      months: z.optional(months()),
      extendMonths: z.optional(z.int().check(z.minimum(1), z.maximum(120))),
      startBasis: z.optional(z.enum(startBases)),
      purchasedFrom: isoDate(),
      purchasedTo: isoDate(),
    })
    .check(
      z.refine((p) => p.purchasedFrom <= p.purchasedTo, {
        message: 'purchasedTo must not be before purchasedFrom',
        path: ['purchasedTo'],
      }),
      z.refine((p) => p.months !== undefined || p.extendMonths !== undefined || p.startBasis !== undefined, {
        message: 'a promotion changes months, extendMonths or startBasis',
        path: ['extendMonths'],
      }),
    ),
);
export type PromotionInput = z.infer<typeof promotionInputSchema>;

const stamp = { updatedAt: z.string(), updatedBy: z.string(), version: z.number() };
const coverageTerm = lazySchema(() => z.object({ months: z.number(), startBasis: z.enum(startBases) }));
const classTerm = lazySchema(() => z.object({ parts: coverageTerm, labour: coverageTerm }));

export const termsItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('WarrantyTerms'),
    schemaVersion: z.literal(WARRANTY_TERMS_SCHEMA_VERSION),
    productLine: z.string(),
    default: classTerm,
    classes: z.array(z.object({ componentClass: z.string(), parts: coverageTerm, labour: coverageTerm })),
    labourRatePerHour: z.number(),
    currency: z.string(),
    ...stamp,
  }),
);
export type StoredTerms = z.output<typeof termsItemSchema>;

export const promotionItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('WarrantyPromotion'),
    schemaVersion: z.literal(PROMOTION_SCHEMA_VERSION),
    id: z.string(),
    name: z.string(),
    productLine: z.string(),
    componentClass: z.optional(z.string()),
    coverage: z.enum([...coverageKinds, 'both']),
    months: z.optional(z.number()),
    extendMonths: z.optional(z.number()),
    startBasis: z.optional(z.enum(startBases)),
    purchasedFrom: z.string(),
    purchasedTo: z.string(),
    recordedAt: z.string(),
    recordedBy: z.string(),
  }),
);
export type StoredPromotion = z.output<typeof promotionItemSchema>;

/* ------------------------------------------------------------------------------------------------
 * Return and exchange rules, and returns
 * ---------------------------------------------------------------------------------------------- */

export const itemConditions = ['unopened', 'as_new', 'defective', 'damaged_in_transport', 'used'] as const;
export const returnCauses = [
  'product_quality',
  'product_function',
  'packaging',
  'transport',
  'wrong_item',
  'customer_changed_mind',
  'dealer',
  'other',
] as const;
/** Departments that answer for a return (000 四.5): the same ones feedback is routed to. */
export const departments = [
  'rnd_production',
  'warehouse_transport',
  'service_marketing',
  'channel_coordination',
  'service',
  'finance',
] as const;
export const returnKinds = ['return', 'exchange'] as const;
export const returnStatuses = ['applied', 'approved', 'rejected', 'shipped', 'received'] as const;
export type ReturnStatus = (typeof returnStatuses)[number];
export const dispositions = ['stock', 'scrap'] as const;

export const returnRulesInputSchema = lazySchema(() =>
  z.strictObject({
    /** Days since purchase within which a return is accepted. */
    returnDays: z.int().check(z.minimum(0), z.maximum(365)),
    exchangeDays: z.int().check(z.minimum(0), z.maximum(365)),
    /** Conditions the item may be in. */
    conditions: z.array(z.enum(itemConditions)).check(z.minLength(1), z.maxLength(itemConditions.length)),
    /** Working days (branch calendar) within which staff answer. */
    decisionWorkingDays: z._default(z.int().check(z.minimum(1), z.maximum(30)), 3),
    notes: z.optional(text(2000)),
  }),
);
export type ReturnRulesInput = z.infer<typeof returnRulesInputSchema>;

export const returnRulesItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('ReturnRules'),
    schemaVersion: z.literal(RETURN_RULES_SCHEMA_VERSION),
    productLine: z.string(),
    returnDays: z.number(),
    exchangeDays: z.number(),
    conditions: z.array(z.enum(itemConditions)),
    decisionWorkingDays: z.number(),
    notes: z.optional(z.string()),
    ...stamp,
  }),
);
export type StoredReturnRules = z.output<typeof returnRulesItemSchema>;

export const returnApplicationSchema = lazySchema(() =>
  z.strictObject({
    serialNumber: serialNumber(),
    kind: z.enum(returnKinds),
    condition: z.enum(itemConditions),
    reason: text(2000),
    branchId: z.optional(branchIdSchema),
  }),
);
export const returnDecisionSchema = lazySchema(() =>
  z.strictObject({
    decision: z.enum(['approve', 'reject']),
    note: text(1000),
    cause: z.enum(returnCauses),
    department: z.enum(departments),
    /** Who in that department answers for it, when known. */
    responsiblePerson: z.optional(text(100)),
  }),
);
export const returnShipmentSchema = lazySchema(() =>
  z.strictObject({ carrier: text(60), trackingNumber: text(60) }),
);
export const returnReceiptSchema = lazySchema(() =>
  z.strictObject({
    disposition: z.enum(dispositions),
    /** The stock location the unit comes back to (a scrapped unit is scrapped from there). */
    locationId: z
      .string()
      .check(
        z.maxLength(64),
        z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'expected a location id of letters, digits and _.:-'),
      ),
    note: z.optional(text(1000)),
  }),
);

const actorRef = lazySchema(() =>
  z.object({ sub: z.string(), role: z.string(), name: z.optional(z.string()) }),
);

export const returnItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('ReturnRequest'),
    schemaVersion: z.literal(RETURN_SCHEMA_VERSION),
    id: z.string(),
    serialNumber: z.string(),
    productLine: z.string(),
    model: z.string(),
    customerId: z.string(),
    branchId: z.string(),
    kind: z.enum(returnKinds),
    condition: z.enum(itemConditions),
    reason: z.string(),
    appliedAt: z.string(),
    appliedBy: actorRef,
    eligibility: z.object({
      eligible: z.boolean(),
      daysSincePurchase: z.optional(z.number()),
      limitDays: z.optional(z.number()),
      findings: z.array(z.string()),
    }),
    /** Answer due by (an instant on the branch's working calendar). */
    decisionDueAt: z.string(),
    status: z.enum(returnStatuses),
    escalations: z.array(z.object({ step: z.string(), at: z.string(), recipients: z.array(z.string()) })),
    decision: z.optional(
      z.object({
        approved: z.boolean(),
        note: z.string(),
        cause: z.enum(returnCauses),
        department: z.enum(departments),
        responsiblePerson: z.optional(z.string()),
        onTime: z.boolean(),
        by: actorRef,
        at: z.string(),
      }),
    ),
    shipment: z.optional(
      z.object({ carrier: z.string(), trackingNumber: z.string(), by: z.string(), at: z.string() }),
    ),
    receipt: z.optional(
      z.object({
        disposition: z.enum(dispositions),
        locationId: z.optional(z.string()),
        /** The parts ledger movement that took the unit in. */
        movementId: z.optional(z.string()),
        note: z.optional(z.string()),
        by: z.string(),
        at: z.string(),
      }),
    ),
    updatedAt: z.string(),
    version: z.number(),
  }),
);
export type ReturnRequest = Omit<z.output<typeof returnItemSchema>, 'entity' | 'schemaVersion'>;

/* ------------------------------------------------------------------------------------------------
 * Maintenance contracts
 * ---------------------------------------------------------------------------------------------- */

export const contractStatuses = ['active', 'expiring', 'renewed', 'lapsed', 'cancelled'] as const;
export type ContractStatus = (typeof contractStatuses)[number];
/** Statuses in which a contract covers its units during its term. */
export const coveringStatuses: readonly ContractStatus[] = ['active', 'expiring', 'renewed'];
/** The notice every contract gets, one month before its end (000 (二十)). */
export const MONTH_NOTICE = 'month';

const inclusionsInput = lazySchema(() =>
  z.strictObject({
    labour: z.boolean(),
    parts: z.boolean(),
    visitsPerYear: z._default(z.int().check(z.minimum(0), z.maximum(12)), 0),
    /** Hours within which a technician is on site for a covered unit (overrides the branch policy). */
    responseHours: z.optional(z.int().check(z.minimum(1), z.maximum(168))),
  }),
);
const reminderDays = () =>
  z.array(z.int().check(z.minimum(32), z.maximum(365))).check(
    z.maxLength(4),
    z.refine((ds) => new Set(ds).size === ds.length, 'a reminder is listed twice'),
  );

export const contractInputSchema = lazySchema(() =>
  z
    .strictObject({
      customerId: recordId(),
      units: z.array(serialNumber()).check(
        z.minLength(1),
        z.maxLength(20),
        z.refine((us) => new Set(us.map(normalizeSerial)).size === us.length, 'a unit is listed twice'),
      ),
      branchId: z._default(branchIdSchema, DEFAULT_BRANCH_ID),
      start: isoDate(),
      end: isoDate(),
      inclusions: inclusionsInput,
      price: money(),
      currency: z._default(currency(), 'CNY'),
      /** The service person who follows the renewal up. */
      servicePersonId: recordId(),
      /** Earlier reminders, in days before the end (the one-month notice always goes). */
      reminderDays: z._default(reminderDays(), () => []),
    })
    .check(z.refine((c) => c.start < c.end, { message: 'the term must end after it starts', path: ['end'] })),
);
export type ContractInput = z.infer<typeof contractInputSchema>;

export const contractChangeInputSchema = lazySchema(() =>
  z
    .strictObject({
      units: z.optional(z.array(serialNumber()).check(z.minLength(1), z.maxLength(20))),
      end: z.optional(isoDate()),
      inclusions: z.optional(inclusionsInput),
      price: z.optional(money()),
      servicePersonId: z.optional(recordId()),
      reminderDays: z.optional(reminderDays()),
      reason: text(500),
    })
    .check(
      z.refine((c) => Object.keys(c).some((k) => k !== 'reason'), {
        message: 'name at least one thing to change',
        path: ['end'],
      }),
    ),
);
export const renewInputSchema = lazySchema(() =>
  z.strictObject({
    months: z._default(z.int().check(z.minimum(1), z.maximum(60)), 12),
    price: z.optional(money()),
  }),
);
export const cancelInputSchema = lazySchema(() => z.strictObject({ reason: text(500) }));

const term = lazySchema(() =>
  z.object({ n: z.number(), start: z.string(), end: z.string(), price: z.number() }),
);

export const contractItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('MaintenanceContract'),
    schemaVersion: z.literal(CONTRACT_SCHEMA_VERSION),
    id: z.string(),
    customerId: z.string(),
    branchId: z.string(),
    units: z.array(z.string()),
    /** The current term; earlier ones are in `terms`. */
    term,
    terms: z.array(term),
    inclusions: z.object({
      labour: z.boolean(),
      parts: z.boolean(),
      visitsPerYear: z.number(),
      responseHours: z.optional(z.number()),
    }),
    price: z.number(),
    currency: z.string(),
    servicePersonId: z.string(),
    reminderDays: z.array(z.number()),
    status: z.enum(contractStatuses),
    cancellation: z.optional(z.object({ reason: z.string(), by: z.string(), at: z.string() })),
    createdAt: z.string(),
    ...stamp,
  }),
);
export type Contract = Omit<z.output<typeof contractItemSchema>, 'entity' | 'schemaVersion'>;

export const contractLinkSchema = lazySchema(() =>
  z.object({
    entity: z.literal('ContractLink'),
    schemaVersion: z.literal(CONTRACT_LINK_SCHEMA_VERSION),
    contractId: z.string(),
    serialNumber: z.string(),
  }),
);

const changeSchema = (entity: string, version: number) =>
  z.object({
    entity: z.literal(entity),
    schemaVersion: z.literal(version),
    recordId: z.string(),
    version: z.number(),
    action: z.string(),
    at: z.string(),
    by: actorRef,
    details: z.record(z.string(), z.unknown()),
    outbox: outboxSchema,
  });
export const contractChangeSchema = lazySchema(() =>
  changeSchema('ContractChange', CONTRACT_CHANGE_SCHEMA_VERSION),
);
export const returnChangeSchema = lazySchema(() =>
  changeSchema('ReturnChange', RETURN_CHANGE_SCHEMA_VERSION),
);
export interface Change {
  recordId: string;
  version: number;
  action: string;
  at: string;
  by: { sub: string; role: string; name?: string };
  details: Record<string, unknown>;
}

export const renewalNoticeSchema = lazySchema(() =>
  z.object({
    entity: z.literal('RenewalNotice'),
    schemaVersion: z.literal(RENEWAL_NOTICE_SCHEMA_VERSION),
    contractId: z.string(),
    term: z.number(),
    /** `month` for the one-month notice, else the days before the end. */
    reminder: z.string(),
    dueOn: z.string(),
    customerId: z.string(),
    language: z.string(),
    to: z.optional(z.string()),
    taskId: z.string(),
    createdAt: z.string(),
    sentAt: z.optional(z.string()),
    messageId: z.optional(z.string()),
  }),
);
export type RenewalNotice = Omit<z.output<typeof renewalNoticeSchema>, 'entity' | 'schemaVersion'>;

export const renewalTaskSchema = lazySchema(() =>
  z.object({
    entity: z.literal('RenewalTask'),
    schemaVersion: z.literal(RENEWAL_TASK_SCHEMA_VERSION),
    id: z.string(),
    contractId: z.string(),
    term: z.number(),
    reminder: z.string(),
    assigneeId: z.string(),
    customerId: z.string(),
    contractEnd: z.string(),
    createdAt: z.string(),
  }),
);
export type RenewalTask = Omit<z.output<typeof renewalTaskSchema>, 'entity' | 'schemaVersion'>;

/** A maintenance visit of a contract's term, opened as a case on its day (once). */
export const contractVisitSchema = lazySchema(() =>
  z.object({
    entity: z.literal('ContractVisit'),
    schemaVersion: z.literal(CONTRACT_VISIT_SCHEMA_VERSION),
    contractId: z.string(),
    term: z.number(),
    n: z.number(),
    day: z.string(),
    caseId: z.string(),
    createdAt: z.string(),
  }),
);
export type ContractVisit = Omit<z.output<typeof contractVisitSchema>, 'entity' | 'schemaVersion'>;

/* ------------------------------------------------------------------------------------------------
 * Courtesy calls during the free warranty (001 四(三))
 * ---------------------------------------------------------------------------------------------- */

export const callOutcomes = ['all_well', 'issue_reported', 'no_answer', 'declined'] as const;
export const callOutcomeSchema = lazySchema(() =>
  z.strictObject({
    outcome: z.enum(callOutcomes),
    note: z.optional(text(1000)),
  }),
);

export const courtesyCallSchema = lazySchema(() =>
  z.object({
    entity: z.literal('CourtesyCall'),
    schemaVersion: z.literal(COURTESY_CALL_SCHEMA_VERSION),
    branchId: z.string(),
    month: z.string(),
    serialNumber: z.string(),
    model: z.string(),
    productLine: z.string(),
    customerId: z.string(),
    customerName: z.string(),
    phone: z.string(),
    language: z.string(),
    /** The free warranty's end (the unit's own term, parts). */
    coveredUntil: z.string(),
    status: z.enum(['open', 'done']),
    outcome: z.optional(z.enum(callOutcomes)),
    note: z.optional(z.string()),
    calledBy: z.optional(z.string()),
    calledAt: z.optional(z.string()),
    createdAt: z.string(),
  }),
);
export type CourtesyCall = Omit<z.output<typeof courtesyCallSchema>, 'entity' | 'schemaVersion'>;

/* ------------------------------------------------------------------------------------------------
 * Invoices
 * ---------------------------------------------------------------------------------------------- */

export const billingLineSchema = lazySchema(() =>
  z.object({
    kind: z.enum(['labour', 'part']),
    description: z.string(),
    partNumber: z.optional(z.string()),
    quantity: z.number(),
    unitPrice: z.number(),
    amount: z.number(),
    category: z.enum(billingCategories),
    reason: z.string(),
  }),
);

export const invoiceItemSchema = lazySchema(() =>
  z.object({
    entity: z.literal('Invoice'),
    schemaVersion: z.literal(INVOICE_SCHEMA_VERSION),
    number: z.string(),
    caseId: z.string(),
    customerId: z.string(),
    lines: z.array(billingLineSchema),
    total: z.number(),
    currency: z.string(),
    issuedAt: z.string(),
    issuedBy: z.string(),
  }),
);
export type Invoice = Omit<z.output<typeof invoiceItemSchema>, 'entity' | 'schemaVersion'>;

/** Every stored kind of the domain, for the schema version test. */
export const warrantyItemKinds: ItemKind[] = [
  { entity: 'WarrantyTerms', version: WARRANTY_TERMS_SCHEMA_VERSION, schema: termsItemSchema },
  { entity: 'WarrantyPromotion', version: PROMOTION_SCHEMA_VERSION, schema: promotionItemSchema },
  { entity: 'ReturnRules', version: RETURN_RULES_SCHEMA_VERSION, schema: returnRulesItemSchema },
  { entity: 'MaintenanceContract', version: CONTRACT_SCHEMA_VERSION, schema: contractItemSchema },
  { entity: 'ContractLink', version: CONTRACT_LINK_SCHEMA_VERSION, schema: contractLinkSchema },
  { entity: 'ContractChange', version: CONTRACT_CHANGE_SCHEMA_VERSION, schema: contractChangeSchema },
  { entity: 'RenewalNotice', version: RENEWAL_NOTICE_SCHEMA_VERSION, schema: renewalNoticeSchema },
  { entity: 'RenewalTask', version: RENEWAL_TASK_SCHEMA_VERSION, schema: renewalTaskSchema },
  { entity: 'Invoice', version: INVOICE_SCHEMA_VERSION, schema: invoiceItemSchema },
  { entity: 'ContractVisit', version: CONTRACT_VISIT_SCHEMA_VERSION, schema: contractVisitSchema },
  { entity: 'CourtesyCall', version: COURTESY_CALL_SCHEMA_VERSION, schema: courtesyCallSchema },
  { entity: 'ReturnRequest', version: RETURN_SCHEMA_VERSION, schema: returnItemSchema },
  { entity: 'ReturnChange', version: RETURN_CHANGE_SCHEMA_VERSION, schema: returnChangeSchema },
];

/* ------------------------------------------------------------------------------------------------
 * Keys and items
 * ---------------------------------------------------------------------------------------------- */

const HISTORY = 'HISTORY';
const padded = (n: number) => String(n).padStart(8, '0');
const warrantyPartition = (line: string) => key('WARRANTY', line);
const contractPartition = (id: string) => key('CONTRACT', id);
const returnPartition = (id: string) => key('RETURN', id);

export const warrantyKeys = {
  line: warrantyPartition,
  terms: (line: string) => ({ pk: warrantyPartition(line), sk: 'TERMS' }),
  promotion: (line: string, id: string) => ({ pk: warrantyPartition(line), sk: key('PROMO', id) }),
  returnRules: (line: string) => ({ pk: warrantyPartition(line), sk: 'RETURNRULES' }),
  contract: (id: string) => ({ pk: contractPartition(id), sk: 'CONTRACT' }),
  contractPartition,
  /** gsi2 (sparse): open contracts by the month their term ends. */
  contractsEnding: (month: string) => key('CONTRACTEND', month),
  /** A unit's contracts sort under `CONTRACT#` in the unit's own partition. */
  contractLink: (serial: string, contractId: string) => ({
    pk: key('UNIT', normalizeSerial(serial)),
    sk: key('CONTRACT', contractId),
  }),
  contractsOfUnit: (serial: string) => ({
    pk: key('UNIT', normalizeSerial(serial)),
    skPrefix: key('CONTRACT', ''),
  }),
  contractsOfCustomer: (customerId: string) => ({
    pk: caseKeys.byCustomer(customerId),
    skPrefix: key('CONTRACT', ''),
  }),
  notice: (contractId: string, term: number, reminder: string) => ({
    pk: contractPartition(contractId),
    sk: key('NOTICE', padded(term), reminder),
  }),
  task: (contractId: string, term: number, reminder: string) => ({
    pk: contractPartition(contractId),
    sk: key('TASK', padded(term), reminder),
  }),
  tasksOf: (assigneeId: string) => key('RENEWALTASKS', assigneeId),
  courtesyCalls: (branchId: string, month: string) => key('COURTESY', branchId, month),
  courtesyCall: (branchId: string, month: string, serial: string) => ({
    pk: key('COURTESY', branchId, month),
    sk: normalizeSerial(serial),
  }),
  visit: (contractId: string, term: number, n: number) => ({
    pk: contractPartition(contractId),
    sk: key('VISIT', padded(term), String(n).padStart(2, '0')),
  }),
  invoice: (caseId: string) => ({ pk: key('INVOICE', caseId), sk: 'INVOICE' }),
  return: (id: string) => ({ pk: returnPartition(id), sk: 'RETURN' }),
  returnsByStatus: (status: ReturnStatus) => key('RETURNSTATUS', status),
  returnsOfCustomer: (customerId: string) => ({
    pk: caseKeys.byCustomer(customerId),
    skPrefix: key('RETURN', ''),
  }),
  change: (pk: string, at: string, version: number) => ({ pk, sk: key(HISTORY, at, padded(version)) }),
  contractCounter: (day: string) => ({ pk: key('COUNTER', 'MC', day), sk: 'COUNTER' }),
  returnCounter: (day: string) => ({ pk: key('COUNTER', 'RT', day), sk: 'COUNTER' }),
};

export const warrantyItems = {
  terms: (t: Omit<StoredTerms, 'entity' | 'schemaVersion'>) => ({
    ...warrantyKeys.terms(t.productLine),
    entity: 'WarrantyTerms',
    schemaVersion: WARRANTY_TERMS_SCHEMA_VERSION,
    ...t,
  }),
  promotion: (p: Omit<StoredPromotion, 'entity' | 'schemaVersion'>) => ({
    ...warrantyKeys.promotion(p.productLine, p.id),
    entity: 'WarrantyPromotion',
    schemaVersion: PROMOTION_SCHEMA_VERSION,
    ...p,
  }),
  returnRules: (r: Omit<StoredReturnRules, 'entity' | 'schemaVersion'>) => ({
    ...warrantyKeys.returnRules(r.productLine),
    entity: 'ReturnRules',
    schemaVersion: RETURN_RULES_SCHEMA_VERSION,
    ...r,
  }),
  contract: (c: Contract) => {
    const open = c.status === 'active' || c.status === 'expiring' || c.status === 'renewed';
    return {
      ...warrantyKeys.contract(c.id),
      ...indexKeys(Index.byOwner, caseKeys.byCustomer(c.customerId), key('CONTRACT', c.id)),
      ...(open
        ? indexKeys(
            Index.byStatus,
            warrantyKeys.contractsEnding(c.term.end.slice(0, 7)),
            key(c.term.end, c.id),
          )
        : {}),
      entity: 'MaintenanceContract',
      schemaVersion: CONTRACT_SCHEMA_VERSION,
      ...c,
    };
  },
  contractLink: (serial: string, contractId: string) => ({
    ...warrantyKeys.contractLink(serial, contractId),
    entity: 'ContractLink',
    schemaVersion: CONTRACT_LINK_SCHEMA_VERSION,
    contractId,
    serialNumber: normalizeSerial(serial),
  }),
  contractChange: (c: Change) => ({
    ...warrantyKeys.change(contractPartition(c.recordId), c.at, c.version),
    entity: 'ContractChange',
    schemaVersion: CONTRACT_CHANGE_SCHEMA_VERSION,
    ...c,
  }),
  returnChange: (c: Change) => ({
    ...warrantyKeys.change(returnPartition(c.recordId), c.at, c.version),
    entity: 'ReturnChange',
    schemaVersion: RETURN_CHANGE_SCHEMA_VERSION,
    ...c,
  }),
  notice: (n: RenewalNotice) => ({
    ...warrantyKeys.notice(n.contractId, n.term, n.reminder),
    entity: 'RenewalNotice',
    schemaVersion: RENEWAL_NOTICE_SCHEMA_VERSION,
    ...n,
  }),
  task: (t: RenewalTask) => ({
    ...warrantyKeys.task(t.contractId, t.term, t.reminder),
    ...indexKeys(Index.byAssignee, warrantyKeys.tasksOf(t.assigneeId), key(t.contractEnd, t.id)),
    entity: 'RenewalTask',
    schemaVersion: RENEWAL_TASK_SCHEMA_VERSION,
    ...t,
  }),
  courtesyCall: (c: CourtesyCall) => ({
    ...warrantyKeys.courtesyCall(c.branchId, c.month, c.serialNumber),
    entity: 'CourtesyCall',
    schemaVersion: COURTESY_CALL_SCHEMA_VERSION,
    ...c,
  }),
  visit: (v: ContractVisit) => ({
    ...warrantyKeys.visit(v.contractId, v.term, v.n),
    entity: 'ContractVisit',
    schemaVersion: CONTRACT_VISIT_SCHEMA_VERSION,
    ...v,
  }),
  invoice: (i: Invoice) => ({
    ...warrantyKeys.invoice(i.caseId),
    entity: 'Invoice',
    schemaVersion: INVOICE_SCHEMA_VERSION,
    ...i,
  }),
  return: (r: ReturnRequest) => ({
    ...warrantyKeys.return(r.id),
    ...indexKeys(Index.byOwner, caseKeys.byCustomer(r.customerId), key('RETURN', r.appliedAt, r.id)),
    ...indexKeys(Index.byStatus, warrantyKeys.returnsByStatus(r.status), key(r.appliedAt, r.id)),
    entity: 'ReturnRequest',
    schemaVersion: RETURN_SCHEMA_VERSION,
    ...r,
  }),
};

/** The line a productLine path parameter names. */
export const productLineParam = productLine;
