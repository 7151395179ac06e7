/**
 * What the complaint routes take: registration, the form of each human step, publishing to the case
 * library and the settings. Every string is bounded; the HTTP bundle validates these before the
 * operation runs, naming the bad field.
 */
import * as z from 'zod/mini';
import { branchIdSchema } from '../branches/defaults.ts';
import { caseIdSchema } from '../cases/model.ts';
import { feedbackSubjects } from '../cases/routing.ts';
import { cursorParam, limitParam } from '../http/query.ts';
import { isoDate, lazySchema, text } from '../validation.ts';
import { causes, complaintPattern, severities } from './model.ts';

const directoryId = () =>
  z
    .string()
    .check(
      z.maxLength(128),
      z.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'expected an id of letters, digits and _.:@-'),
    );
const code = (what: string) =>
  z.string().check(z.maxLength(64), z.regex(/^[A-Za-z0-9][A-Za-z0-9_./ -]{0,63}$/, `expected ${what}`));

export const complaintIdSchema = lazySchema(() =>
  z
    .string()
    .check(z.maxLength(32), z.regex(complaintPattern, 'expected a complaint number CP-YYYYMMDD-NNNN')),
);

export const directChannels = ['hotline', 'letter', 'email', 'walk_in', 'portal'] as const;

export const complaintInputSchema = lazySchema(() =>
  z.strictObject({
    /** How it came in; customers complain through the portal. */
    channel: z.enum(directChannels),
    /** The customer in the directory (staff registering for a customer; customers complain for themselves). */
    customerId: z.optional(directoryId()),
    /** Contact details when the directory does not know the customer (or to correct them). */
    customer: z.optional(
      z.strictObject({
        name: text(100),
        phone: z.optional(
          z.string().check(z.maxLength(32), z.regex(/^\+?[0-9 ()-]{5,32}$/, 'expected a phone number')),
        ),
        email: z.optional(z.email().check(z.maxLength(254))),
        address: z.optional(text(300)),
      }),
    ),
    branchId: z.optional(branchIdSchema),
    subject: z.enum(feedbackSubjects),
    text: text(4000),
    severity: z._default(z.enum(severities), 'ordinary'),
    cause: z.optional(z.enum(causes)),
    refs: z._default(
      z.strictObject({
        caseId: z.optional(caseIdSchema),
        unitSerial: z.optional(code('a serial number')),
        productLine: z.optional(code('a product line')),
        orderNumber: z.optional(code('an order number')),
        partNumber: z.optional(code('a part number')),
        quantity: z.optional(z.int().check(z.gte(1), z.lte(1_000_000))),
        shipDate: z.optional(isoDate()),
      }),
      () => ({}),
    ),
  }),
);
export type ComplaintInput = z.output<typeof complaintInputSchema>;

export const supervisorReportSchema = lazySchema(() =>
  z.strictObject({
    summary: text(4000),
    /** Which investigations are needed; each defaults to needed. */
    investigate: z._default(
      z.strictObject({
        sales: z._default(z.boolean(), true),
        quality: z._default(z.boolean(), true),
        production: z._default(z.boolean(), true),
      }),
      () => ({ sales: true, quality: true, production: true }),
    ),
    /** Reclassification by the supervisor. */
    severity: z.optional(z.enum(severities)),
    cause: z.optional(z.enum(causes)),
  }),
);

export const investigationAreas = ['sales', 'quality', 'production'] as const;
export type InvestigationArea = (typeof investigationAreas)[number];

export const investigationSchema = lazySchema(() =>
  z.strictObject({
    findings: text(4000),
    // sales verification (002): order, part number, quantity, ship date
    orderNumber: z.optional(code('an order number')),
    partNumber: z.optional(code('a part number')),
    quantity: z.optional(z.int().check(z.gte(0), z.lte(1_000_000))),
    shipDate: z.optional(isoDate()),
    // quality: cause and responsibility
    cause: z.optional(z.enum(causes)),
    responsibility: z.optional(text(500)),
    // production: unit, shift, operator, production date
    unit: z.optional(text(100)),
    shift: z.optional(text(50)),
    operator: z.optional(text(100)),
    productionDate: z.optional(isoDate()),
  }),
);

export const analysisSchema = lazySchema(() =>
  z.strictObject({
    report: text(8000),
    cause: z.enum(causes),
    responsibility: text(500),
  }),
);

const actionSchema = lazySchema(() =>
  z.strictObject({ action: text(1000), owner: text(100), deadline: isoDate() }),
);
export const actionsSchema = lazySchema(() =>
  z.strictObject({
    corrective: z.array(actionSchema).check(z.minLength(1), z.maxLength(20)),
    preventive: z.array(actionSchema).check(z.minLength(1), z.maxLength(20)),
  }),
);

export const decisionSchema = lazySchema(() =>
  z.strictObject({
    /** What the company does for the customer (repair, replacement, refund, apology…). */
    remedy: text(2000),
    /** Its cost, in the deployment's currency: the approver's authority is checked against it. */
    amount: z.number().check(z.gte(0), z.lte(1e9)),
    note: z.optional(text(2000)),
  }),
);

export const customerAnswerSchema = lazySchema(() =>
  z.strictObject({
    /** Written (a mail or letter) or by phone; major complaints need a written answer. */
    method: z.enum(['written', 'phone']),
    message: text(8000),
    /** What the customer said to it. */
    satisfied: z.boolean(),
  }),
);

export const publishSchema = lazySchema(() =>
  z.strictObject({
    problemType: text(200),
    causeDetail: text(2000),
    handling: text(4000),
    lessons: text(4000),
    /** When the complaint names none. */
    productLine: z.optional(code('a product line')),
  }),
);

export const libraryQuerySchema = lazySchema(() =>
  z.strictObject({
    productLine: z.optional(code('a product line')),
    cause: z.optional(z.enum(causes)),
    limit: limitParam,
    cursor: cursorParam,
  }),
);
