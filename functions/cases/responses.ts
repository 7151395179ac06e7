/**
 * What the case routes answer, as documented in the OpenAPI document and checked by the contract test.
 * Open objects: the fields listed are checked; fields a newer record version adds are allowed.
 */
import * as z from 'zod/mini';
import { roles } from '../../shared/auth/actor.ts';
import { serviceCategories } from '../../shared/cases/category.ts';
import { CASE_LIMITS, channels } from '../../shared/cases/model.ts';
import { feedbackSubjects } from '../../shared/cases/routing.ts';
import { caseStatuses } from '../../shared/cases/status.ts';
import { count, day, idRef, instant, list, named, pageOf, str } from '../../shared/http/schema.ts';
import { linkKinds } from '../../shared/knowledge/model.ts';
import { lazySchema } from '../../shared/validation.ts';

const caseNumber = () => str(32);
const visibleStatuses = ['received', 'diagnosing', 'repairing', 'completed', 'cancelled'] as const;
const money = () => z.number().check(z.minimum(0), z.maximum(1_000_000_000));
const moneyLines = () => list(z.looseObject({ description: str(200), amount: money() }), 50);
const actorRef = lazySchema(() =>
  z.looseObject({ sub: idRef(), role: z.union([z.enum(roles), z.literal('none')]) }),
);

const product = lazySchema(() =>
  z.looseObject({
    model: str(100),
    serialNumber: str(64),
    purchaseDate: day(),
    warrantyMonths: z.optional(count(120)),
  }),
);
const quote = lazySchema(() =>
  z.looseObject({
    lines: moneyLines(),
    total: money(),
    currency: str(3),
    shownAt: instant(),
    by: idRef(),
  }),
);
const charge = lazySchema(() =>
  z.looseObject({
    lines: moneyLines(),
    total: money(),
    currency: str(3),
    collection: z.enum(['on_site', 'invoice']),
    invoiceNumber: z.optional(str(48)),
    at: instant(),
    by: idRef(),
  }),
);

/** The full record: staff and the assigned technician. */
export const staffCaseViewSchema = lazySchema(() =>
  z.looseObject({
    entity: z.literal('Case'),
    schemaVersion: count(100),
    id: caseNumber(),
    number: caseNumber(),
    branchId: str(64),
    timeZone: z.optional(str(64)),
    channel: z.enum(channels),
    customer: z.looseObject({
      id: idRef(),
      name: str(100),
      address: str(300),
      phone: str(32),
      email: z.optional(str(320)),
      language: z.optional(str(16)),
    }),
    product,
    symptoms: str(4000),
    transcript: z.optional(str(20000)),
    zone: z.enum(['urban', 'suburban']),
    emergency: z.boolean(),
    internal: z.boolean(),
    category: z.enum(serviceCategories),
    categorySource: z.enum(['decided', 'override']),
    categoryReason: z.optional(str(500)),
    feedbackSubject: z.optional(z.enum(feedbackSubjects)),
    department: z.optional(str(100)),
    status: z.enum(caseStatuses),
    visibleStatus: z.enum(visibleStatuses),
    /** The repair card's parts: consumed on the case, net of returns, from the parts ledger. */
    partsConsumed: z.optional(
      list(
        z.looseObject({
          partNumber: str(40),
          name: str(120),
          model: z.optional(str(100)),
          quantity: z.number().check(z.minimum(-1_000_000), z.maximum(1_000_000)),
          unitCost: money(),
          value: z.number().check(z.minimum(-1_000_000_000), z.maximum(1_000_000_000)),
        }),
        100,
      ),
    ),
    heldFrom: z.optional(z.enum(caseStatuses)),
    technicianId: z.optional(idRef()),
    assignments: list(
      z.looseObject({ technicianId: idRef(), by: idRef(), at: instant(), note: z.optional(str(500)) }),
      CASE_LIMITS.assignments,
    ),
    diagnosis: z.optional(
      z.looseObject({
        plan: z.enum(['remote', 'on_site', 'workshop']),
        findings: str(4000),
        by: idRef(),
        at: instant(),
        promisedWorkingMinutes: z.optional(count(30 * 24 * 60)),
      }),
    ),
    remoteGuidance: z.optional(
      z.looseObject({
        guidance: str(4000),
        by: idRef(),
        at: instant(),
        entry: z.optional(z.looseObject({ productLine: str(48), code: str(32) })),
      }),
    ),
    knowledge: z.optional(
      list(
        z.looseObject({
          productLine: str(48),
          code: str(32),
          how: z.enum(linkKinds),
          at: instant(),
          by: idRef(),
        }),
        30,
      ),
    ),
    visits: list(
      z.looseObject({
        n: count(CASE_LIMITS.visits),
        technicianId: idRef(),
        departedAt: z.optional(instant()),
        arrivedAt: z.optional(instant()),
        idShown: z.optional(z.boolean()),
        faultConfirmed: z.optional(z.boolean()),
        work: list(
          z.looseObject({ description: str(4000), minutes: count(24 * 60), at: instant() }),
          CASE_LIMITS.workPerVisit,
        ),
        minutes: count(),
        signOff: z.optional(z.looseObject({ name: str(100), at: instant() })),
        endedAt: z.optional(instant()),
      }),
      CASE_LIMITS.visits,
    ),
    workshop: z.optional(
      z.looseObject({
        receipt: z.looseObject({ number: str(48), issuedAt: instant(), voidedAt: z.optional(instant()) }),
        item: z.looseObject({
          description: str(500),
          condition: str(1000),
          accessories: z.optional(str(500)),
        }),
        repairCard: list(
          z.looseObject({
            description: str(4000),
            minutes: count(7 * 24 * 60),
            partsNote: z.optional(str(2000)),
            by: idRef(),
            at: instant(),
          }),
          CASE_LIMITS.repairCard,
        ),
        inspections: list(
          z.looseObject({
            result: z.enum(['pass', 'fail']),
            note: z.optional(str(2000)),
            by: idRef(),
            at: instant(),
          }),
          CASE_LIMITS.inspections,
        ),
        returnedAt: z.optional(instant()),
        returnSignature: z.optional(str(100)),
      }),
    ),
    quote: z.optional(quote),
    charges: list(charge, CASE_LIMITS.charges),
    cancellation: z.optional(z.looseObject({ reason: str(1000), by: idRef(), at: instant() })),
    completedAt: z.optional(instant()),
    createdAt: instant(),
    createdBy: actorRef,
    updatedAt: instant(),
    version: count(CASE_LIMITS.changes),
  }),
);

/** What the customer sees of their own case: no internal notes, no staff identities. */
export const customerCaseViewSchema = lazySchema(() =>
  z.looseObject({
    id: caseNumber(),
    number: caseNumber(),
    status: z.enum(visibleStatuses),
    product,
    symptoms: str(4000),
    zone: z.enum(['urban', 'suburban']),
    emergency: z.boolean(),
    category: z.enum(serviceCategories),
    createdAt: instant(),
    updatedAt: instant(),
    completedAt: z.optional(instant()),
    receiptNumber: z.optional(str(48)),
    quote: z.optional(quote),
    charges: list(charge, CASE_LIMITS.charges),
  }),
);

export const caseViewSchema = named(
  'Case',
  lazySchema(() => z.union([staffCaseViewSchema, customerCaseViewSchema])),
);
export const caseListSchema = named(
  'CasePage',
  lazySchema(() => pageOf(caseViewSchema)),
);

export const registerPageSchema = named(
  'RegisterPage',
  lazySchema(() =>
    pageOf(
      z.looseObject({
        entity: z.literal('RegisterEntry'),
        schemaVersion: count(100),
        direction: z.enum(['in', 'out']),
        caseId: caseNumber(),
        caseNumber: caseNumber(),
        receiptNumber: str(48),
        item: str(500),
        at: instant(),
        by: idRef(),
        signature: z.optional(str(100)),
      }),
    ),
  ),
);
