/**
 * Spare parts and tools (SPEC §5, §4 loaners): the catalogue, stock locations, stock items per part ×
 * location, the append-only ledger, movements, requisitions, counts, purchase suggestions and the
 * individually tracked loaners and tools. Keys are declared once here, next to the schemas;
 * `test/unit/schema-versions.test.ts` fails when a schema changes without a version bump.
 *
 * | item | pk | sk | index (access pattern) |
 * |---|---|---|---|
 * | part | `PART#<no>` | `PART` | gsi2 `PARTS` / `<no>` (the catalogue) |
 * | stock item | `PART#<no>` | `STOCK#<loc>` | gsi2 `LOCSTOCK#<loc>` / `<no>` (a location's stock); gsi3 `STOCKALERT#low\|over` / `<no>#<loc>` (sparse: items beyond a level) |
 * | ledger entry | `PART#<no>` | `LEDGER#<loc>#<seq 10>` | gsi1 `PARTLEDGER#<no>` / `<at>#…` (by part); gsi2 `LOCLEDGER#<loc>` / `<at>#…` (by location); gsi3 `CASEPARTS#<case>` / `<at>#…` (by case, sparse); gsi4 `LEDGERMONTH#<yyyy-mm>` / `<at>#…` (by month) |
 * | movement marker | `MOVE#<id>` | `MOVE` | — (GetItem: a retried movement applies once; carries the outbox) |
 * | location | `LOC#<id>` | `LOC` | gsi2 `LOCATIONS` / `<id>`; gsi3 `TECHVAN#<tech>` / `<id>` (a technician's van) |
 * | requisition | `REQ#<id>` | `REQ` | gsi2 `REQSTATUS#<status>` / `<createdAt>#<id>`; gsi3 `TECHREQ#<tech>` / `<createdAt>#<id>` |
 * | count session | `COUNT#<id>` | `COUNT` | — |
 * | count line | `COUNT#<id>` | `LINE#<no>#<loc>` | — (read with the session: one partition) |
 * | purchase suggestion | `PSUG#<id>` | `PSUG` | gsi2 `PSUGSTATUS#<status>` / `<createdAt>#<id>` |
 * | purchase request | `PREQ#<id>` | `PREQ` | gsi2 `PREQS` / `<createdAt>#<id>` |
 * | tool / loaner | `TOOL#<serial>` | `TOOL` | gsi2 `TOOLS` / `<serial>`; gsi5 `TOOLSOUT` / `<expectedReturn>#<serial>` (sparse: out, by due date) |
 * | tool history entry | `TOOL#<serial>` | `HIST#<seq 6>` | — (read with the tool) |
 * | case parts line | `CASE#<id>` | `PARTUSE#<no>` | — (the repair card's line of a part: net quantity consumed on the case, which returns never exceed; cost; its movements. Read with the case in one Query) |
 * | case loaner guard | `CASE#<id>` | `LOANERS` | — (loaners out against the case: closing checks it is 0) |
 */
import * as z from 'zod/mini';
import { stockLineSchema } from '../../events/registry.ts';
import { caseKeys } from '../cases/model.ts';
import type { ItemKind } from '../store/item.ts';
import { outboxSchema } from '../store/item.ts';
import { Index, indexKeys, key } from '../store/table.ts';
import { isoDate, lazySchema, text } from '../validation.ts';

export const PART_SCHEMA_VERSION = 1;
export const LOCATION_SCHEMA_VERSION = 1;
export const STOCK_ITEM_SCHEMA_VERSION = 1;
export const LEDGER_ENTRY_SCHEMA_VERSION = 1;
export const MOVEMENT_SCHEMA_VERSION = 1;
export const REQUISITION_SCHEMA_VERSION = 1;
export const COUNT_SESSION_SCHEMA_VERSION = 1;
export const COUNT_LINE_SCHEMA_VERSION = 1;
export const PURCHASE_SUGGESTION_SCHEMA_VERSION = 1;
export const PURCHASE_REQUEST_SCHEMA_VERSION = 1;
export const TOOL_SCHEMA_VERSION = 1;
export const TOOL_HISTORY_SCHEMA_VERSION = 1;
/**
 * v2: the item is the case's line of that part — name, model, unit cost and the movements behind it —
 * so a case is read with its parts in one Query of its partition. v1 items (quantity only) still parse.
 */
export const CASE_PARTS_USE_SCHEMA_VERSION = 2;
export const CASE_LOANER_GUARD_SCHEMA_VERSION = 1;

/** Requisitions worth more than this need a manager's approval; a supervisor approves the rest. */
export const REQUISITION_SUPERVISOR_LIMIT = 2000;
/** Safety stock of a wear part: this share of its monthly consumption (SPEC §5: 10–15 %). */
export const SAFETY_STOCK_RATE = 0.15;
/** ABC classes by share of the annual consumption value (A the first 80 %, B the next 15 %, C the rest). */
export const ABC_SHARES = { a: 0.8, b: 0.15 } as const;
/** Lines of one movement or requisition (each line is up to four writes of one transaction). */
export const MAX_LINES = 20;

/* ------------------------------------------------------------------------------------------------
 * Field rules shared by inputs
 * ---------------------------------------------------------------------------------------------- */

/** A part number: letters, digits and `-_.`, e.g. `HE-2000`. */
export const partNumber = () =>
  z.string().check(z.maxLength(40), z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, 'expected a part number'));
/** Ids the client chooses (locations, movements, requisitions, counts): letters, digits and `_.:-`. */
export const partsId = () =>
  z
    .string()
    .check(
      z.maxLength(64),
      z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'expected an id of letters, digits and _.:-'),
    );
export const serial = () =>
  z
    .string()
    .check(z.maxLength(64), z.regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/, 'expected a serial number'));
export const caseRef = () =>
  z.string().check(z.maxLength(40), z.regex(/^[A-Z]{2}-\d{8}-\d{4,6}$/, 'expected a case number'));
const staffId = () =>
  z.string().check(z.maxLength(128), z.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'expected a staff id'));
const quantity = () => z.int().check(z.minimum(1), z.maximum(100_000));
const level = () => z.int().check(z.minimum(0), z.maximum(1_000_000));
const money = () => z.number().check(z.minimum(0), z.maximum(10_000_000));
const productLine = () =>
  z.string().check(z.maxLength(48), z.regex(/^[a-z][a-z0-9-]{1,47}$/, 'expected a product line'));

export const abcClasses = ['A', 'B', 'C'] as const;
export type AbcClass = (typeof abcClasses)[number];
export const supplierGrades = ['A', 'B', 'C', 'D'] as const;

/* ------------------------------------------------------------------------------------------------
 * Inputs
 * ---------------------------------------------------------------------------------------------- */

export const partInputSchema = lazySchema(() =>
  z.strictObject({
    name: text(120),
    /** Product lines (models) the part fits. */
    productLines: z.array(productLine()).check(z.minLength(1), z.maxLength(30)),
    unit: z.enum(['piece', 'set', 'metre', 'litre', 'kg']),
    unitCost: money(),
    /** Wear parts keep a safety stock recomputed monthly from consumption. */
    wearPart: z._default(z.boolean(), false),
    suppliers: z
      .array(
        z.strictObject({
          id: partsId(),
          name: text(120),
          grade: z.enum(supplierGrades),
          leadTimeDays: z.int().check(z.minimum(0), z.maximum(365)),
        }),
      )
      .check(z.maxLength(10)),
  }),
);
export type PartInput = z.infer<typeof partInputSchema>;

export const locationInputSchema = lazySchema(() =>
  z.strictObject({
    name: text(120),
    kind: z.enum(['warehouse', 'van']),
    branchId: staffId(),
    /** The technician whose van this is (vans only). */
    technicianId: z.optional(staffId()),
  }),
);
export type LocationInput = z.infer<typeof locationInputSchema>;

export const stockSettingsSchema = lazySchema(() =>
  z.strictObject({
    reorderLevel: level(),
    overstockLevel: level(),
  }),
);

const movementId = () => partsId();
const line = () => z.strictObject({ partNumber: partNumber(), quantity: quantity() });
const lines = () => z.array(line()).check(z.minLength(1), z.maxLength(MAX_LINES));

export const receiptSchema = lazySchema(() =>
  z.strictObject({
    movementId: movementId(),
    locationId: partsId(),
    lines: lines(),
    supplierId: z.optional(partsId()),
    purchaseReference: text(60),
  }),
);
export const transferSchema = lazySchema(() =>
  z.strictObject({
    movementId: movementId(),
    fromLocationId: partsId(),
    toLocationId: partsId(),
    lines: lines(),
    note: z.optional(text(500)),
  }),
);
export const scrapSchema = lazySchema(() =>
  z.strictObject({
    movementId: movementId(),
    locationId: partsId(),
    lines: lines(),
    reason: text(500),
  }),
);
export const reservationSchema = lazySchema(() =>
  z.strictObject({
    movementId: movementId(),
    locationId: partsId(),
    caseId: caseRef(),
    lines: lines(),
  }),
);
export const consumptionSchema = lazySchema(() =>
  z.strictObject({
    movementId: movementId(),
    caseId: caseRef(),
    locationId: partsId(),
    lines: lines(),
    reason: text(500),
    /** Draw on what was reserved for the case rather than on the available stock. */
    fromReservation: z._default(z.boolean(), false),
  }),
);
export const returnSchema = lazySchema(() =>
  z.strictObject({
    movementId: movementId(),
    locationId: partsId(),
    /** The case the parts come back from (they were consumed on it); none for other returns. */
    caseId: z.optional(caseRef()),
    lines: lines(),
    reason: text(500),
  }),
);
export const reversalSchema = lazySchema(() =>
  z.strictObject({ movementId: movementId(), reason: text(500) }),
);

export const requisitionInputSchema = lazySchema(() =>
  z.strictObject({
    requisitionId: partsId(),
    fromLocationId: partsId(),
    /** Where the parts go: the requester's van unless told. */
    toLocationId: z.optional(partsId()),
    caseId: z.optional(caseRef()),
    lines: lines(),
    note: z.optional(text(500)),
  }),
);
export const decisionSchema = lazySchema(() =>
  z.strictObject({ approve: z.boolean(), note: z.optional(text(500)) }),
);
export const issueSchema = lazySchema(() => z.strictObject({ note: z.optional(text(500)) }));

export const countInputSchema = lazySchema(() =>
  z.strictObject({ countId: partsId(), locationId: partsId() }),
);
export const countLinesSchema = lazySchema(() =>
  z.strictObject({
    lines: z
      .array(z.strictObject({ partNumber: partNumber(), counted: level() }))
      .check(z.minLength(1), z.maxLength(200)),
  }),
);

export const abcOverrideSchema = lazySchema(() =>
  z.strictObject({ abcClass: z.enum(abcClasses), reason: text(500) }),
);

export const toolInputSchema = lazySchema(() =>
  z.strictObject({
    kind: z.enum(['loaner', 'tool']),
    name: text(120),
    model: z.optional(text(100)),
    homeLocationId: partsId(),
    value: money(),
  }),
);
export const toolIssueSchema = lazySchema(() =>
  z.strictObject({
    /** Loaners go to a customer against a case; tools to a technician. */
    caseId: z.optional(caseRef()),
    technicianId: z.optional(staffId()),
    expectedReturn: isoDate(),
  }),
);
export const toolReturnSchema = lazySchema(() => z.strictObject({ condition: z.optional(text(500)) }));
export const toolLostSchema = lazySchema(() => z.strictObject({ reason: text(500) }));

/* ------------------------------------------------------------------------------------------------
 * Stored items
 * ---------------------------------------------------------------------------------------------- */

const header = <E extends string, V extends number>(entity: E, version: V) => ({
  entity: z.literal(entity),
  schemaVersion: z.literal(version),
});
const stamp = { createdAt: z.string(), updatedAt: z.string(), updatedBy: z.string(), version: z.number() };
const actorRef = lazySchema(() => z.object({ sub: z.string(), role: z.string() }));

export const partItemSchema = lazySchema(() =>
  z.object({
    ...header('Part', PART_SCHEMA_VERSION),
    partNumber: z.string(),
    name: z.string(),
    productLines: z.array(z.string()),
    unit: z.string(),
    unitCost: z.number(),
    wearPart: z.boolean(),
    suppliers: z.array(
      z.object({ id: z.string(), name: z.string(), grade: z.enum(supplierGrades), leadTimeDays: z.number() }),
    ),
    /** Class from the last monthly run (by annual consumption value). */
    abcComputed: z.optional(z.enum(abcClasses)),
    abcComputedAt: z.optional(z.string()),
    annualConsumptionValue: z.optional(z.number()),
    /** A manager's override, kept; flagged when the computed class disagrees. */
    abcOverride: z.optional(
      z.object({ abcClass: z.enum(abcClasses), reason: z.string(), by: z.string(), at: z.string() }),
    ),
    ...stamp,
  }),
);
export type Part = z.output<typeof partItemSchema>;

export const locationItemSchema = lazySchema(() =>
  z.object({
    ...header('StockLocation', LOCATION_SCHEMA_VERSION),
    id: z.string(),
    name: z.string(),
    kind: z.enum(['warehouse', 'van']),
    branchId: z.string(),
    technicianId: z.optional(z.string()),
    ...stamp,
  }),
);
export type Location = z.output<typeof locationItemSchema>;

export const stockLevels = ['ok', 'low', 'over'] as const;
export type StockLevel = (typeof stockLevels)[number];

export const stockItemSchema = lazySchema(() =>
  z.object({
    ...header('StockItem', STOCK_ITEM_SCHEMA_VERSION),
    partNumber: z.string(),
    locationId: z.string(),
    onHand: z.number(),
    reserved: z.number(),
    available: z.number(),
    reorderLevel: z.number(),
    overstockLevel: z.number(),
    safetyStock: z.number(),
    /** Consumption of the last 30 days, as of the last monthly run (safety stock is a share of it). */
    monthlyConsumption: z.optional(z.number()),
    /** Sequence of the last ledger entry (0: none yet): the next entry is `seq + 1`, gap-free. */
    seq: z.number(),
    /** Where the item stands against its levels, and the ledger entry that crossed into it. */
    level: z.enum(stockLevels),
    levelSinceSeq: z.optional(z.number()),
    /** The crossing (its `levelSinceSeq`) the parts clerk was told about. */
    notifiedSeq: z.optional(z.number()),
    lastMovedAt: z.optional(z.string()),
    ...stamp,
  }),
);
export type StockItem = z.output<typeof stockItemSchema>;

export const movementKinds = [
  'receipt',
  'issue',
  'transfer',
  'reservation',
  'consumption',
  'return',
  'scrap',
  'count_adjustment',
  'reversal',
] as const;
export type MovementKind = (typeof movementKinds)[number];

export const ledgerEntrySchema = lazySchema(() =>
  z.object({
    ...header('LedgerEntry', LEDGER_ENTRY_SCHEMA_VERSION),
    partNumber: z.string(),
    partName: z.string(),
    locationId: z.string(),
    seq: z.number(),
    movementId: z.string(),
    kind: z.enum(movementKinds),
    /** Change of on-hand and reserved quantities (negative: out). */
    onHandDelta: z.number(),
    reservedDelta: z.number(),
    onHandAfter: z.number(),
    reservedAfter: z.number(),
    availableAfter: z.number(),
    unitCost: z.number(),
    caseId: z.optional(z.string()),
    /** The product model of the case a consumption was on. */
    model: z.optional(z.string()),
    reason: z.optional(z.string()),
    reference: z.optional(z.string()),
    /** The movement this entry reverses. */
    reverses: z.optional(z.string()),
    at: z.string(),
    actor: actorRef,
  }),
);
export type LedgerEntry = z.output<typeof ledgerEntrySchema>;

/** One stock change of a movement (what its ledger entry records). */
export interface MovementLine {
  partNumber: string;
  locationId: string;
  onHandDelta: number;
  reservedDelta: number;
}

export const movementItemSchema = lazySchema(() =>
  z.object({
    ...header('Movement', MOVEMENT_SCHEMA_VERSION),
    id: z.string(),
    kind: z.enum(movementKinds),
    requestHash: z.string(),
    lines: z.array(stockLineSchema),
    caseId: z.optional(z.string()),
    reason: z.optional(z.string()),
    reference: z.optional(z.string()),
    reverses: z.optional(z.string()),
    /** Set on a movement once a later one reversed it. */
    reversedBy: z.optional(z.string()),
    at: z.string(),
    actor: actorRef,
    outbox: outboxSchema,
    outboxSize: z.optional(z.number()),
  }),
);
export type Movement = z.output<typeof movementItemSchema>;

export const requisitionStatuses = ['pending', 'approved', 'rejected', 'issued'] as const;
export const requisitionItemSchema = lazySchema(() =>
  z.object({
    ...header('Requisition', REQUISITION_SCHEMA_VERSION),
    id: z.string(),
    technicianId: z.string(),
    fromLocationId: z.string(),
    toLocationId: z.string(),
    caseId: z.optional(z.string()),
    lines: z.array(z.object({ partNumber: z.string(), quantity: z.number(), unitCost: z.number() })),
    value: z.number(),
    /** Who must approve: a supervisor, or a manager above the supervisor's limit. */
    approvalLevel: z.enum(['supervisor', 'manager']),
    status: z.enum(requisitionStatuses),
    note: z.optional(z.string()),
    decision: z.optional(
      z.object({ approved: z.boolean(), by: actorRef, at: z.string(), note: z.optional(z.string()) }),
    ),
    issueMovementId: z.optional(z.string()),
    ...stamp,
  }),
);
export type Requisition = z.output<typeof requisitionItemSchema>;

export const countSessionSchema = lazySchema(() =>
  z.object({
    ...header('CountSession', COUNT_SESSION_SCHEMA_VERSION),
    id: z.string(),
    locationId: z.string(),
    status: z.enum(['open', 'approved']),
    snapshotAt: z.string(),
    lineCount: z.number(),
    approvals: z.array(z.object({ at: z.string(), by: actorRef, adjusted: z.number(), recount: z.number() })),
    ...stamp,
  }),
);
export type CountSession = z.output<typeof countSessionSchema>;

export const countLineSchema = lazySchema(() =>
  z.object({
    ...header('CountLine', COUNT_LINE_SCHEMA_VERSION),
    countId: z.string(),
    partNumber: z.string(),
    locationId: z.string(),
    /** Book quantity and ledger position when the snapshot was taken. */
    bookOnHand: z.number(),
    snapshotSeq: z.number(),
    counted: z.optional(z.number()),
    countedBy: z.optional(z.string()),
    status: z.enum(['open', 'counted', 'adjusted', 'matched', 'recount']),
    adjustmentMovementId: z.optional(z.string()),
    updatedAt: z.string(),
  }),
);
export type CountLine = z.output<typeof countLineSchema>;

export const purchaseSuggestionSchema = lazySchema(() =>
  z.object({
    ...header('PurchaseSuggestion', PURCHASE_SUGGESTION_SCHEMA_VERSION),
    id: z.string(),
    partNumber: z.string(),
    locationId: z.string(),
    quantity: z.number(),
    supplierId: z.optional(z.string()),
    leadTimeDays: z.optional(z.number()),
    value: z.number(),
    reason: z.string(),
    status: z.enum(['pending', 'approved', 'rejected']),
    decision: z.optional(
      z.object({ approved: z.boolean(), by: actorRef, at: z.string(), note: z.optional(z.string()) }),
    ),
    purchaseRequestId: z.optional(z.string()),
    ...stamp,
  }),
);
export type PurchaseSuggestion = z.output<typeof purchaseSuggestionSchema>;

export const purchaseRequestSchema = lazySchema(() =>
  z.object({
    ...header('PurchaseRequest', PURCHASE_REQUEST_SCHEMA_VERSION),
    id: z.string(),
    suggestionId: z.string(),
    partNumber: z.string(),
    locationId: z.string(),
    quantity: z.number(),
    supplierId: z.optional(z.string()),
    value: z.number(),
    approvedBy: actorRef,
    createdAt: z.string(),
    outbox: outboxSchema,
    outboxSize: z.optional(z.number()),
  }),
);
export type PurchaseRequest = z.output<typeof purchaseRequestSchema>;

export const toolStatuses = ['in', 'out', 'lost'] as const;
export const toolItemSchema = lazySchema(() =>
  z.object({
    ...header('Tool', TOOL_SCHEMA_VERSION),
    serial: z.string(),
    kind: z.enum(['loaner', 'tool']),
    name: z.string(),
    model: z.optional(z.string()),
    homeLocationId: z.string(),
    value: z.number(),
    status: z.enum(toolStatuses),
    holder: z.optional(
      z.object({
        caseId: z.optional(z.string()),
        customerId: z.optional(z.string()),
        technicianId: z.optional(z.string()),
        /** Who is reminded when it is overdue. */
        email: z.optional(z.string()),
      }),
    ),
    expectedReturn: z.optional(z.string()),
    issuedAt: z.optional(z.string()),
    historySeq: z.number(),
    remindedOn: z.optional(z.string()),
    ...stamp,
  }),
);
export type Tool = z.output<typeof toolItemSchema>;

export const toolHistorySchema = lazySchema(() =>
  z.object({
    ...header('ToolHistoryEntry', TOOL_HISTORY_SCHEMA_VERSION),
    serial: z.string(),
    seq: z.number(),
    action: z.enum(['registered', 'issued', 'returned', 'lost', 'reminded']),
    /** The write-off value of a lost unit. */
    writeOff: z.optional(z.number()),
    details: z.record(z.string(), z.unknown()),
    at: z.string(),
    actor: actorRef,
    outbox: outboxSchema,
    outboxSize: z.optional(z.number()),
  }),
);
export type ToolHistoryEntry = z.output<typeof toolHistorySchema>;

export const casePartsUseSchema = lazySchema(() =>
  z.object({
    ...header('CasePartsUse', CASE_PARTS_USE_SCHEMA_VERSION),
    caseId: z.string(),
    partNumber: z.string(),
    /** Net quantity consumed on the case: consumed minus returned or reversed. */
    quantity: z.number(),
    partName: z.optional(z.string()),
    model: z.optional(z.string()),
    /** The cost of the first consumption, at which the line is valued. */
    unitCost: z.optional(z.number()),
    entries: z.optional(
      z.array(
        z.object({
          movementId: z.string(),
          kind: z.string(),
          quantity: z.number(),
          at: z.string(),
          by: z.string(),
          reason: z.optional(z.string()),
        }),
      ),
    ),
  }),
);
export type CasePartsUse = z.output<typeof casePartsUseSchema>;

export const caseLoanerGuardSchema = lazySchema(() =>
  z.object({
    ...header('CaseLoanerGuard', CASE_LOANER_GUARD_SCHEMA_VERSION),
    caseId: z.string(),
    out: z.number(),
  }),
);

export const partsItemKinds: ItemKind[] = [
  { entity: 'Part', version: PART_SCHEMA_VERSION, schema: partItemSchema },
  { entity: 'StockLocation', version: LOCATION_SCHEMA_VERSION, schema: locationItemSchema },
  { entity: 'StockItem', version: STOCK_ITEM_SCHEMA_VERSION, schema: stockItemSchema },
  { entity: 'LedgerEntry', version: LEDGER_ENTRY_SCHEMA_VERSION, schema: ledgerEntrySchema },
  { entity: 'Movement', version: MOVEMENT_SCHEMA_VERSION, schema: movementItemSchema },
  { entity: 'Requisition', version: REQUISITION_SCHEMA_VERSION, schema: requisitionItemSchema },
  { entity: 'CountSession', version: COUNT_SESSION_SCHEMA_VERSION, schema: countSessionSchema },
  { entity: 'CountLine', version: COUNT_LINE_SCHEMA_VERSION, schema: countLineSchema },
  {
    entity: 'PurchaseSuggestion',
    version: PURCHASE_SUGGESTION_SCHEMA_VERSION,
    schema: purchaseSuggestionSchema,
  },
  { entity: 'PurchaseRequest', version: PURCHASE_REQUEST_SCHEMA_VERSION, schema: purchaseRequestSchema },
  { entity: 'Tool', version: TOOL_SCHEMA_VERSION, schema: toolItemSchema },
  { entity: 'ToolHistoryEntry', version: TOOL_HISTORY_SCHEMA_VERSION, schema: toolHistorySchema },
  { entity: 'CasePartsUse', version: CASE_PARTS_USE_SCHEMA_VERSION, schema: casePartsUseSchema },
  { entity: 'CaseLoanerGuard', version: CASE_LOANER_GUARD_SCHEMA_VERSION, schema: caseLoanerGuardSchema },
];

/* ------------------------------------------------------------------------------------------------
 * Keys
 * ---------------------------------------------------------------------------------------------- */

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const partPk = (no: string) => key('PART', no);

export const partsKeys = {
  part: (no: string) => ({ pk: partPk(no), sk: 'PART' }),
  parts: 'PARTS',
  stock: (no: string, loc: string) => ({ pk: partPk(no), sk: key('STOCK', loc) }),
  stockOfPart: (no: string) => ({ pk: partPk(no), skPrefix: 'STOCK#' }),
  stockAt: (loc: string) => key('LOCSTOCK', loc),
  stockAlerts: (level: Exclude<StockLevel, 'ok'>) => key('STOCKALERT', level),
  ledger: (no: string, loc: string, seq: number) => ({
    pk: partPk(no),
    sk: key('LEDGER', loc, pad(seq, 10)),
  }),
  ledgerOfStock: (no: string, loc: string) => ({ pk: partPk(no), skPrefix: `${key('LEDGER', loc)}#` }),
  ledgerByPart: (no: string) => key('PARTLEDGER', no),
  ledgerByLocation: (loc: string) => key('LOCLEDGER', loc),
  ledgerByCase: (caseId: string) => key('CASEPARTS', caseId),
  ledgerByMonth: (month: string) => key('LEDGERMONTH', month),
  movement: (id: string) => ({ pk: key('MOVE', id), sk: 'MOVE' }),
  location: (id: string) => ({ pk: key('LOC', id), sk: 'LOC' }),
  locations: 'LOCATIONS',
  vanOf: (technicianId: string) => key('TECHVAN', technicianId),
  requisition: (id: string) => ({ pk: key('REQ', id), sk: 'REQ' }),
  requisitionsByStatus: (status: string) => key('REQSTATUS', status),
  requisitionsOf: (technicianId: string) => key('TECHREQ', technicianId),
  count: (id: string) => ({ pk: key('COUNT', id), sk: 'COUNT' }),
  countPartition: (id: string) => key('COUNT', id),
  countLine: (id: string, no: string, loc: string) => ({ pk: key('COUNT', id), sk: key('LINE', no, loc) }),
  suggestion: (id: string) => ({ pk: key('PSUG', id), sk: 'PSUG' }),
  suggestionsByStatus: (status: string) => key('PSUGSTATUS', status),
  purchaseRequest: (id: string) => ({ pk: key('PREQ', id), sk: 'PREQ' }),
  tool: (serialNo: string) => ({ pk: key('TOOL', serialNo.toUpperCase()), sk: 'TOOL' }),
  tools: 'TOOLS',
  toolsOut: 'TOOLSOUT',
  toolHistory: (serialNo: string, seq: number) => ({
    pk: key('TOOL', serialNo.toUpperCase()),
    sk: key('HIST', pad(seq, 6)),
  }),
  casePartsUse: (caseId: string, no: string) => ({ pk: caseKeys.partition(caseId), sk: key('PARTUSE', no) }),
  caseLoanerGuard: (caseId: string) => ({ pk: caseKeys.partition(caseId), sk: 'LOANERS' }),
};

/** Sort key of a ledger entry on its time-ordered indexes. */
const ledgerTimeKey = (e: Pick<LedgerEntry, 'at' | 'partNumber' | 'locationId' | 'seq'>) =>
  key(e.at, e.partNumber, e.locationId, pad(e.seq, 10));

/** Stored items with their keys; the store writes only these. */
export const partsItems = {
  part: (p: Omit<Part, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.part(p.partNumber),
    ...indexKeys(Index.byBranch, partsKeys.parts, p.partNumber),
    entity: 'Part',
    schemaVersion: PART_SCHEMA_VERSION,
    ...p,
  }),
  location: (l: Omit<Location, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.location(l.id),
    ...indexKeys(Index.byBranch, partsKeys.locations, l.id),
    ...(l.kind === 'van' && l.technicianId
      ? indexKeys(Index.byAssignee, partsKeys.vanOf(l.technicianId), l.id)
      : {}),
    entity: 'StockLocation',
    schemaVersion: LOCATION_SCHEMA_VERSION,
    ...l,
  }),
  stock: (s: Omit<StockItem, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.stock(s.partNumber, s.locationId),
    ...indexKeys(Index.byBranch, partsKeys.stockAt(s.locationId), s.partNumber),
    ...(s.level !== 'ok'
      ? indexKeys(Index.byAssignee, partsKeys.stockAlerts(s.level), key(s.partNumber, s.locationId))
      : {}),
    entity: 'StockItem',
    schemaVersion: STOCK_ITEM_SCHEMA_VERSION,
    ...s,
  }),
  ledger: (e: Omit<LedgerEntry, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.ledger(e.partNumber, e.locationId, e.seq),
    ...indexKeys(Index.byOwner, partsKeys.ledgerByPart(e.partNumber), ledgerTimeKey(e)),
    ...indexKeys(Index.byBranch, partsKeys.ledgerByLocation(e.locationId), ledgerTimeKey(e)),
    ...(e.caseId ? indexKeys(Index.byAssignee, partsKeys.ledgerByCase(e.caseId), ledgerTimeKey(e)) : {}),
    ...indexKeys(Index.byDay, partsKeys.ledgerByMonth(e.at.slice(0, 7)), ledgerTimeKey(e)),
    entity: 'LedgerEntry',
    schemaVersion: LEDGER_ENTRY_SCHEMA_VERSION,
    ...e,
  }),
  movement: (m: Omit<Movement, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.movement(m.id),
    entity: 'Movement',
    schemaVersion: MOVEMENT_SCHEMA_VERSION,
    ...m,
  }),
  requisition: (r: Omit<Requisition, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.requisition(r.id),
    ...indexKeys(Index.byBranch, partsKeys.requisitionsByStatus(r.status), key(r.createdAt, r.id)),
    ...indexKeys(Index.byAssignee, partsKeys.requisitionsOf(r.technicianId), key(r.createdAt, r.id)),
    entity: 'Requisition',
    schemaVersion: REQUISITION_SCHEMA_VERSION,
    ...r,
  }),
  count: (c: Omit<CountSession, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.count(c.id),
    entity: 'CountSession',
    schemaVersion: COUNT_SESSION_SCHEMA_VERSION,
    ...c,
  }),
  countLine: (l: Omit<CountLine, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.countLine(l.countId, l.partNumber, l.locationId),
    entity: 'CountLine',
    schemaVersion: COUNT_LINE_SCHEMA_VERSION,
    ...l,
  }),
  suggestion: (s: Omit<PurchaseSuggestion, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.suggestion(s.id),
    ...indexKeys(Index.byBranch, partsKeys.suggestionsByStatus(s.status), key(s.createdAt, s.id)),
    entity: 'PurchaseSuggestion',
    schemaVersion: PURCHASE_SUGGESTION_SCHEMA_VERSION,
    ...s,
  }),
  purchaseRequest: (p: Omit<PurchaseRequest, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.purchaseRequest(p.id),
    ...indexKeys(Index.byBranch, 'PREQS', key(p.createdAt, p.id)),
    entity: 'PurchaseRequest',
    schemaVersion: PURCHASE_REQUEST_SCHEMA_VERSION,
    ...p,
  }),
  tool: (t: Omit<Tool, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.tool(t.serial),
    ...indexKeys(Index.byBranch, partsKeys.tools, t.serial.toUpperCase()),
    ...(t.status === 'out' && t.expectedReturn
      ? indexKeys(Index.byDoneDay, partsKeys.toolsOut, key(t.expectedReturn, t.serial.toUpperCase()))
      : {}),
    entity: 'Tool',
    schemaVersion: TOOL_SCHEMA_VERSION,
    ...t,
  }),
  toolHistory: (h: Omit<ToolHistoryEntry, 'entity' | 'schemaVersion'>) => ({
    ...partsKeys.toolHistory(h.serial, h.seq),
    entity: 'ToolHistoryEntry',
    schemaVersion: TOOL_HISTORY_SCHEMA_VERSION,
    ...h,
  }),
};
