/**
 * Every action on an existing case, as data: who may do it, what input it takes, and what it changes.
 * `service.ts` runs them all the same way (read → check → one unit of work → events), so each rule of
 * SPEC §3–§4 sits here, one hop from the handler.
 */
import * as z from 'zod/mini';
import type { Role } from '../auth/actor.ts';
import type { Staff } from '../directory/model.ts';
import { missingForAssignment } from '../directory/service.ts';
import { StateConflictError, ValidationError } from '../errors.ts';
import { entryRefSchema, knowledgeKeys, normalizeCode } from '../knowledge/model.ts';
import { entryUseWrites } from '../knowledge/store.ts';
import { noLoanerOut } from '../parts/case-guard.ts';
import { check, insert, type Write } from '../store/unit-of-work.ts';
import { isoDate, lazySchema, text } from '../validation.ts';
import { type CoverageDecision, serviceCategories } from './category.ts';
import { type ActorRef, type Case, caseItems, type RegisterEntry } from './model.ts';
import { type CaseStatus, canTransition, caseStatuses, isOpen } from './status.ts';

/** Charges up to this total are collected on site; larger ones are invoiced (000 五.11, 000 (十三)). */
export const ON_SITE_COLLECTION_LIMIT = 500;

export interface CommandContext {
  actor: ActorRef;
  now: string;
  /** Today in the case's branch timezone (`YYYY-MM-DD`). */
  today: string;
  /**
   * The directory record of the person the input names (see {@link CaseCommand.staffOf}), loaded by the
   * runner; undefined when there is none.
   */
  staff?: Staff | undefined;
  /** The category decided from data today (see {@link CaseCommand.decidesCategory}), when asked for. */
  coverage?: CoverageDecision | undefined;
}

export interface CaseChange {
  /** New status, validated against the transition table by the runner. */
  to?: CaseStatus;
  /** The case after the change (status and version are set by the runner). */
  next: Case;
  /** What the timeline records besides who/when/status. */
  details: Record<string, unknown>;
  /** Further writes of the same unit of work (e.g. the goods register entry), committed with the case. */
  writes?: Write[];
}

export interface CaseCommand<S extends z.ZodMiniType = z.ZodMiniType> {
  /** One line for the API reference. */
  summary: string;
  roles: readonly Role[];
  /** Technicians may act only on cases assigned to them (enforced by the runner). */
  input: S;
  /** The staff member the input names, whose directory record `apply` checks (e.g. the technician to assign). */
  staffOf?: (input: z.infer<S>) => string;
  /**
   * The command decides the category again from data: the runner asks the coverage port (with the
   * component part numbers this returns) and passes the decision in the context.
   */
  decidesCategory?: (input: z.infer<S>) => readonly string[] | undefined;
  apply(current: Case, input: z.infer<S>, ctx: CommandContext): CaseChange;
}

const staff: Role[] = ['agent', 'dispatcher', 'manager'];
const supervisors: Role[] = ['dispatcher', 'manager'];
const field: Role[] = ['technician', 'dispatcher', 'manager'];
/** The technician's own work (SPEC §2); a manager may do everything the roles below may. */
const technicianWork: Role[] = ['technician', 'manager'];

function command<S extends z.ZodMiniType>(c: CaseCommand<S>): CaseCommand<S> {
  return c;
}

/** Every status in which the case is still being worked on. */
const openStatuses = caseStatuses.filter(isOpen);

function requireStatus(c: Case, allowed: readonly CaseStatus[], action: string): void {
  if (!allowed.includes(c.status)) {
    throw new StateConflictError(`cannot ${action} a case that is ${c.status}`, {
      caseStatus: c.status,
      allowedFrom: allowed,
    });
  }
}

function currentVisit(c: Case) {
  const v = c.visits.at(-1);
  if (!v || v.endedAt || !v.arrivedAt)
    throw new StateConflictError('no visit in progress: record the arrival first');
  return v;
}

function workshopOf(c: Case): NonNullable<Case['workshop']> {
  if (!c.workshop) throw new StateConflictError('no workshop receipt for this case');
  return c.workshop;
}

/** A local clock time `HH:MM`. */
const clockTime = () =>
  z.string().check(z.maxLength(5), z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time HH:MM'));

/** Paid work starts only after the customer accepted the fee quote (000 五.11). */
function requireAcceptedQuote(c: Case, what: string): void {
  if (c.category !== 'A') return;
  if (!c.quote) throw new StateConflictError(`paid work: show the customer the fee quote before ${what}`);
  if (!c.quote.acceptance)
    throw new StateConflictError(
      `paid work: the customer must accept the fee quote (${c.quote.total} ${c.quote.currency}) before ${what}`,
    );
}

/** Ends the visit still open (the technician left without signing off), before a new one starts. */
const endOpenVisit = (c: Case, now: string): Case['visits'] =>
  c.visits.map((v) => (v.endedAt ? v : { ...v, endedAt: now }));

function moneyLines() {
  return z
    .array(
      z.strictObject({
        description: text(200),
        amount: z.number().check(z.minimum(0), z.maximum(10_000_000)),
      }),
    )
    .check(z.minLength(1), z.maxLength(50));
}

/** Goods carried into or out of the workshop are logged in the register with the change (000 五.10). */
const logGoods = (entry: RegisterEntry): Write[] => [insert(caseItems.register(entry))];

/** What quoting and charging take: fee lines and, optionally, their currency. */
const feeInput = () =>
  z.strictObject({
    lines: moneyLines(),
    currency: z.optional(
      z.string().check(z.maxLength(3), z.regex(/^[A-Z]{3}$/, 'expected an ISO currency code')),
    ),
  });

/** Only paid (category A) work is quoted and charged. */
function requirePaidWork(c: Case, action: 'quoted' | 'charged'): void {
  if (c.category !== 'A')
    throw new StateConflictError(`only paid (A) work is ${action}; this case is ${c.category}`);
}

const sum = (lines: Array<{ amount: number } | { total: number }>) =>
  Math.round(lines.reduce((s, l) => s + ('amount' in l ? l.amount : l.total), 0) * 100) / 100;

function withVisits(c: Case, update: (v: Case['visits'][number]) => Case['visits'][number]): Case['visits'] {
  return c.visits.map((v, i) => (i === c.visits.length - 1 ? update(v) : v));
}

export const caseCommands = {
  /**
   * Assign or reassign a technician (000 五.6), with the visit's day and arrival window; the history of
   * assignments is kept. Only an active technician of the case's branch, holding a valid certificate and
   * the skill for the unit's product line, takes the job (SPEC §12, 001 七(一)); the same technician with
   * a new day or window is a reschedule.
   */
  assign: command({
    summary: 'Assign or reassign a technician (the history is kept)',
    roles: supervisors,
    input: lazySchema(() =>
      z.strictObject({
        technicianId: z
          .string()
          .check(z.maxLength(128), z.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'expected a technician id')),
        note: z.optional(text(500)),
        /** The visit's day, branch time; today by default. */
        visitDay: z.optional(isoDate()),
        arrivalWindow: z.optional(
          z
            .strictObject({ from: clockTime(), to: clockTime() })
            .check(z.refine((w) => w.from < w.to, 'the window must end after it starts')),
        ),
      }),
    ),
    staffOf: (input) => input.technicianId,
    apply(c, input, { actor, now, today, staff }) {
      requireStatus(
        c,
        ['received', 'assigned', 'en_route', 'awaiting_parts', 'awaiting_customer', 'in_workshop'],
        'assign',
      );
      if (input.visitDay && input.visitDay < today)
        throw new StateConflictError(`the visit day ${input.visitDay} is in the past`, { field: 'visitDay' });
      const appointment = {
        day: input.visitDay ?? today,
        ...(input.arrivalWindow ? { from: input.arrivalWindow.from, to: input.arrivalWindow.to } : {}),
      };
      const sameAppointment = JSON.stringify(appointment) === JSON.stringify(c.appointment ?? null);
      if (
        c.technicianId === input.technicianId &&
        (sameAppointment || !(input.visitDay || input.arrivalWindow))
      ) {
        throw new StateConflictError(`case is already assigned to ${c.technicianName ?? input.technicianId}`);
      }
      const missing = missingForAssignment(staff, {
        branchId: c.branchId,
        productLine: c.product.productLine,
        day: today,
      });
      if (missing.length) {
        throw new StateConflictError(
          `${staff?.name ?? input.technicianId} cannot take this job: needs ${missing.join('; ')}`,
          {
            technicianId: input.technicianId,
            missing,
          },
        );
      }
      const technicianName = (staff as Staff).name;
      const to: CaseStatus | undefined =
        c.status === 'received' || c.status === 'en_route' ? 'assigned' : undefined;
      const next: Case = {
        ...c,
        technicianId: input.technicianId,
        technicianName,
        appointment,
        assignments: [
          ...c.assignments,
          {
            technicianId: input.technicianId,
            technicianName,
            by: actor.sub,
            ...(actor.name ? { byName: actor.name } : {}),
            at: now,
            ...(input.note ? { note: input.note } : {}),
          },
        ],
      };
      return {
        to,
        next,
        details: {
          technicianId: input.technicianId,
          technicianName,
          previousTechnicianId: c.technicianId ?? null,
          ...(c.technicianName ? { previousTechnicianName: c.technicianName } : {}),
          appointment,
        },
      };
    },
  }),

  /** The technician sets off to the customer. */
  depart: command({
    summary: 'The technician sets off to the customer',
    roles: technicianWork,
    input: lazySchema(() => z.strictObject({})),
    apply(c, _input, { actor, now }) {
      return {
        to: 'en_route',
        next: {
          ...c,
          visits: [
            ...endOpenVisit(c, now),
            { n: c.visits.length + 1, technicianId: actor.sub, departedAt: now, work: [], minutes: 0 },
          ],
        },
        details: {},
      };
    },
  }),

  /** Arrival on site: the technician shows ID and confirms the fault (000 (九)). */
  arrive: command({
    summary: 'Arrival on site: ID shown, fault confirmed or not',
    roles: technicianWork,
    input: lazySchema(() =>
      z.strictObject({
        idShown: z.literal(true, 'the technician must show ID to the customer'),
        faultConfirmed: z.boolean(),
      }),
    ),
    apply(c, input, { actor, now }) {
      const last = c.visits.at(-1);
      const enRoute = c.status === 'en_route' && last && !last.arrivedAt;
      const visits: Case['visits'] = enRoute
        ? withVisits(c, (v) => ({
            ...v,
            arrivedAt: now,
            idShown: true,
            faultConfirmed: input.faultConfirmed,
          }))
        : [
            ...endOpenVisit(c, now),
            {
              n: c.visits.length + 1,
              technicianId: actor.sub,
              arrivedAt: now,
              idShown: true,
              faultConfirmed: input.faultConfirmed,
              work: [],
              minutes: 0,
            },
          ];
      return {
        to: 'on_site',
        next: { ...c, visits },
        details: { faultConfirmed: input.faultConfirmed, visit: visits.length },
      };
    },
  }),

  /**
   * Triage and diagnosis (001 三(二)): remote guidance, on-site repair, or the workshop. The components
   * the fault is traced to decide the category again from their warranty and the unit's contracts; a
   * category overridden by staff stays as it is, with its reason.
   */
  diagnose: command({
    summary:
      'Diagnosis and plan: remote guidance, on site or workshop; the components at fault decide the category',
    roles: field,
    input: lazySchema(() =>
      z.strictObject({
        plan: z.enum(['remote', 'on_site', 'workshop']),
        findings: text(4000),
        /** Working minutes to completion promised to the customer (000 五.12); drives the repair SLA. */
        promisedWorkingMinutes: z.optional(z.int().check(z.minimum(15), z.maximum(30 * 24 * 60))),
        /** Part numbers of the unit's components the fault was traced to. */
        components: z.optional(
          z
            .array(
              z
                .string()
                .check(
                  z.trim(),
                  z.minLength(1),
                  z.maxLength(60),
                  z.regex(/^[A-Za-z0-9][A-Za-z0-9_./-]*$/, 'expected a part number'),
                ),
            )
            .check(z.maxLength(20)),
        ),
      }),
    ),
    decidesCategory: (input) => input.components,
    apply(c, input, { actor, now, coverage }) {
      requireStatus(c, ['assigned', 'en_route', 'on_site', 'in_workshop', 'awaiting_customer'], 'diagnose');
      const promise = input.promisedWorkingMinutes;
      const decided =
        coverage && c.categorySource === 'decided'
          ? {
              category: coverage.category,
              categoryDecision: { ...coverage, stage: 'diagnosis' as const, at: now },
            }
          : {};
      return {
        next: {
          ...c,
          ...decided,
          diagnosis: {
            plan: input.plan,
            findings: input.findings,
            by: actor.sub,
            at: now,
            ...(promise ? { promisedWorkingMinutes: promise } : {}),
            ...(input.components?.length ? { components: input.components } : {}),
          },
        },
        details: {
          plan: input.plan,
          ...(promise ? { promisedWorkingMinutes: promise } : {}),
          ...(input.components?.length ? { components: input.components } : {}),
          ...(coverage
            ? {
                decided: coverage.category,
                ...(c.categorySource === 'override'
                  ? { kept: c.category, overrideReason: c.categoryReason }
                  : {}),
              }
            : {}),
        },
      };
    },
  }),

  /** Work done on site, with the time spent. Paid work starts only after the fee was shown (000 五.11). */
  'record-work': command({
    summary: 'Record work done on site and the minutes spent',
    roles: technicianWork,
    input: lazySchema(() =>
      z.strictObject({
        description: text(4000),
        minutes: z.int().check(z.minimum(1), z.maximum(24 * 60)),
      }),
    ),
    apply(c, input, { now }) {
      requireStatus(c, ['on_site'], 'record work on');
      currentVisit(c);
      requireAcceptedQuote(c, 'work starts');
      const visits = withVisits(c, (v) => ({
        ...v,
        work: [...v.work, { description: input.description, minutes: input.minutes, at: now }],
        minutes: v.minutes + input.minutes,
      }));
      return { next: { ...c, visits }, details: { minutes: input.minutes } };
    },
  }),

  /** The customer signs the service voucher; the on-site job is complete (000 (九)). */
  'sign-off': command({
    summary: 'The customer signs the service voucher: the job is complete',
    roles: technicianWork,
    input: lazySchema(() => z.strictObject({ customerName: text(100) })),
    apply(c, input, { now }) {
      const visit = currentVisit(c);
      if (visit.work.length === 0)
        throw new StateConflictError('record the work done before the customer signs off');
      const visits = withVisits(c, (v) => ({
        ...v,
        signOff: { name: input.customerName, at: now },
        endedAt: now,
      }));
      return {
        to: 'completed',
        next: { ...c, visits, completedAt: now },
        details: { signedBy: input.customerName, minutes: visit.minutes },
      };
    },
  }),

  /** Simple problems solved remotely with guidance (001 三(二)). */
  'resolve-remotely': command({
    summary: 'Solved remotely with guidance, optionally with a knowledge entry ("solved with entry X")',
    roles: ['technician', ...staff],
    input: lazySchema(() => z.strictObject({ guidance: text(4000), entry: z.optional(entryRefSchema) })),
    apply(c, input, { actor, now, today }) {
      requireStatus(c, ['assigned'], 'resolve remotely');
      const entry = input.entry && {
        productLine: input.entry.productLine,
        code: normalizeCode(input.entry.code),
      };
      return {
        to: 'completed',
        next: {
          ...c,
          remoteGuidance: { guidance: input.guidance, by: actor.sub, at: now, ...(entry ? { entry } : {}) },
          ...(entry
            ? {
                knowledge: [
                  ...(c.knowledge ?? []),
                  { ...entry, how: 'resolved' as const, at: now, by: actor.sub },
                ],
              }
            : {}),
          completedAt: now,
        },
        details: entry ? { entry } : {},
        // The entry must be published when the case commits; the use is counted with it.
        writes: entry
          ? [
              check<never>(
                knowledgeKeys.entry(entry.productLine, entry.code),
                'entity = :entry AND #status = :published',
                {
                  names: { '#status': 'status' },
                  values: { ':entry': 'KnowledgeEntry', ':published': 'published' },
                  onConflict: () =>
                    new ValidationError([
                      {
                        field: 'entry',
                        message: `no published entry ${entry.code} with ${entry.productLine} as its home line`,
                      },
                    ]),
                },
              ),
              ...entryUseWrites(today, entry, { remoteResolutions: 1 }),
            ]
          : [],
      };
    },
  }),

  /** Waiting for parts or for the customer: the case leaves the active queue (SLA clocks pause). */
  hold: command({
    summary: 'Put on hold, awaiting parts or the customer',
    roles: ['technician', ...staff],
    input: lazySchema(() => z.strictObject({ reason: z.enum(['parts', 'customer']), note: text(1000) })),
    apply(c, input) {
      const to: CaseStatus = input.reason === 'parts' ? 'awaiting_parts' : 'awaiting_customer';
      // A visit stays open through the hold: resuming on site goes on with it; a new departure ends it.
      return {
        to,
        next: { ...c, heldFrom: c.status },
        details: { reason: input.reason, note: input.note },
      };
    },
  }),

  /**
   * Back to work after a hold, in the status it was held from (on site stays on site, the workshop stays
   * the workshop); a hold without that record (older cases) goes back to the technician.
   */
  resume: command({
    summary: 'Back to work after a hold',
    roles: ['technician', ...staff],
    input: lazySchema(() => z.strictObject({ note: z.optional(text(1000)) })),
    apply(c, input) {
      requireStatus(c, ['awaiting_parts', 'awaiting_customer'], 'resume');
      const to: CaseStatus =
        c.heldFrom && canTransition(c.status, c.heldFrom)
          ? c.heldFrom
          : c.technicianId
            ? 'assigned'
            : 'received';
      const { heldFrom: _dropped, ...rest } = c;
      return { to, next: rest, details: input.note ? { note: input.note } : {} };
    },
  }),

  /** Carry-in repair: a receipt is issued and the item is logged into the goods register (000 五.10, (十一)). */
  'workshop-check-in': command({
    summary: 'Carry-in repair: issue a receipt and log the item into the goods register',
    roles: ['technician', ...staff],
    input: lazySchema(() =>
      z.strictObject({
        itemDescription: text(500),
        condition: text(1000),
        accessories: z.optional(text(500)),
      }),
    ),
    apply(c, input, { actor, now }) {
      if (c.workshop && !c.workshop.receipt.voidedAt)
        throw new StateConflictError(`item already checked in on receipt ${c.workshop.receipt.number}`);
      const receiptNumber = `RC-${c.number.slice(3)}${c.workshop ? `-${c.workshop.receipt.number.split('-').length}` : ''}`;
      const next: Case = {
        ...c,
        workshop: {
          receipt: { number: receiptNumber, issuedAt: now },
          item: {
            description: input.itemDescription,
            condition: input.condition,
            ...(input.accessories ? { accessories: input.accessories } : {}),
          },
          repairCard: [],
          inspections: [],
        },
        visits: c.status === 'on_site' ? withVisits(c, (v) => ({ ...v, endedAt: now })) : c.visits,
      };
      return {
        to: 'in_workshop',
        next,
        details: { receiptNumber },
        writes: logGoods({
          direction: 'in',
          caseId: c.id,
          caseNumber: c.number,
          receiptNumber,
          item: input.itemDescription,
          at: now,
          by: actor.sub,
        }),
      };
    },
  }),

  /** The repair card records actual time and parts (000 (十二)); `finished` hands it to inspection. */
  'repair-card': command({
    summary: 'Record workshop repair time and parts; finished hands it to inspection',
    roles: technicianWork,
    input: lazySchema(() =>
      z.strictObject({
        description: text(4000),
        minutes: z.int().check(z.minimum(1), z.maximum(7 * 24 * 60)),
        partsNote: z.optional(text(2000)),
        finished: z.boolean(),
      }),
    ),
    apply(c, input, { actor, now }) {
      requireStatus(c, ['in_workshop'], 'record repair work on');
      requireAcceptedQuote(c, 'work starts');
      const ws = workshopOf(c);
      const entry = {
        description: input.description,
        minutes: input.minutes,
        by: actor.sub,
        at: now,
        ...(input.partsNote ? { partsNote: input.partsNote } : {}),
      };
      return {
        ...(input.finished ? { to: 'repaired' as const } : {}),
        next: { ...c, workshop: { ...ws, repairCard: [...ws.repairCard, entry] } },
        details: { minutes: input.minutes, finished: input.finished },
      };
    },
  }),

  /** The supervisor inspects a workshop repair; a failed inspection sends it back to the bench. */
  inspect: command({
    summary: 'Supervisor inspection of a workshop repair',
    roles: supervisors,
    input: lazySchema(() =>
      z.strictObject({ result: z.enum(['pass', 'fail']), note: z.optional(text(2000)) }),
    ),
    apply(c, input, { actor, now }) {
      requireStatus(c, ['repaired'], 'inspect');
      const ws = workshopOf(c);
      const inspection = {
        result: input.result,
        by: actor.sub,
        at: now,
        ...(input.note ? { note: input.note } : {}),
      };
      return {
        to: input.result === 'pass' ? 'inspected' : 'in_workshop',
        next: { ...c, workshop: { ...ws, inspections: [...ws.inspections, inspection] } },
        details: { result: input.result },
      };
    },
  }),

  /** The item goes back with the customer's signature; the receipt is voided and the goods logged out. */
  'workshop-return': command({
    summary: 'Return the repaired item against the customer signature; the receipt is voided',
    roles: ['technician', ...staff],
    input: lazySchema(() => z.strictObject({ customerSignature: text(100) })),
    apply(c, input, { actor, now }) {
      requireStatus(c, ['inspected'], 'return');
      const ws = workshopOf(c);
      return {
        to: 'completed',
        next: {
          ...c,
          completedAt: now,
          workshop: {
            ...ws,
            receipt: { ...ws.receipt, voidedAt: now },
            returnedAt: now,
            returnSignature: input.customerSignature,
          },
        },
        details: { receiptNumber: ws.receipt.number, signedBy: input.customerSignature },
        writes: logGoods({
          direction: 'out',
          caseId: c.id,
          caseNumber: c.number,
          receiptNumber: ws.receipt.number,
          item: ws.item.description,
          at: now,
          by: actor.sub,
          signature: input.customerSignature,
        }),
      };
    },
  }),

  /** Override the decided service category; the reason is mandatory and kept. */
  categorize: command({
    summary: 'Override the service category (A–D) with a reason',
    roles: staff,
    input: lazySchema(() => z.strictObject({ category: z.enum(serviceCategories), reason: text(500) })),
    apply(c, input) {
      requireStatus(c, openStatuses, 'change the category of');
      return {
        next: { ...c, category: input.category, categorySource: 'override', categoryReason: input.reason },
        details: { from: c.category, category: input.category, reason: input.reason },
      };
    },
  }),

  /** The fee schedule shown to the customer before paid work starts (000 五.11). */
  quote: command({
    summary: 'Show the customer the fee quote before paid work starts',
    roles: ['technician', ...staff],
    input: lazySchema(() => feeInput()),
    apply(c, input, { actor, now }) {
      requirePaidWork(c, 'quoted');
      requireStatus(
        c,
        ['received', 'assigned', 'en_route', 'on_site', 'in_workshop', 'awaiting_parts', 'awaiting_customer'],
        'quote',
      );
      const quote = {
        lines: input.lines,
        total: sum(input.lines),
        currency: input.currency ?? 'CNY',
        shownAt: now,
        by: actor.sub,
      };
      return { next: { ...c, quote }, details: { total: quote.total, currency: quote.currency } };
    },
  }),

  /**
   * The customer accepts the fee quote before paid work starts (000 五.11): in the app themselves, or
   * an agent records their acceptance on the phone (kept as on their behalf). The total must be the one
   * shown, so a quote changed meanwhile is never accepted unseen.
   */
  'accept-quote': command({
    summary: 'The customer (or an agent on their behalf) accepts the fee quote before paid work starts',
    roles: ['customer', 'agent', 'manager'],
    input: lazySchema(() =>
      z.strictObject({
        total: z.number().check(z.minimum(0), z.maximum(10_000_000)),
        note: z.optional(text(500)),
      }),
    ),
    apply(c, input, { actor, now }) {
      requirePaidWork(c, 'quoted');
      requireStatus(c, openStatuses, 'accept a quote on');
      if (!c.quote) throw new StateConflictError('there is no fee quote to accept');
      if (c.quote.acceptance)
        throw new StateConflictError(`the quote was already accepted at ${c.quote.acceptance.at}`);
      if (input.total !== c.quote.total)
        throw new StateConflictError(
          `the quote is ${c.quote.total} ${c.quote.currency}, not ${input.total}`,
          {
            field: 'total',
          },
        );
      const onBehalfOfCustomer = actor.role !== 'customer';
      const acceptance = {
        at: now,
        by: actor,
        onBehalfOfCustomer,
        ...(input.note ? { note: input.note } : {}),
      };
      return {
        next: { ...c, quote: { ...c.quote, acceptance } },
        details: { total: c.quote.total, currency: c.quote.currency, onBehalfOfCustomer },
      };
    },
  }),

  /** Charges for paid work: small amounts collected on site, larger ones invoiced (000 (十)(十三)). */
  charge: command({
    summary: 'Charge paid work: collected on site or invoiced',
    roles: ['technician', ...staff],
    input: lazySchema(() => feeInput()),
    apply(c, input, { actor, now }) {
      requirePaidWork(c, 'charged');
      if (!c.quote) throw new StateConflictError('no fee quote was shown to the customer');
      if (!c.quote.acceptance)
        throw new StateConflictError(
          'the customer has not accepted the fee quote; nothing can be charged yet',
        );
      const total = sum(input.lines);
      const charged = sum(c.charges);
      if (charged + total > c.quote.total) {
        throw new StateConflictError(
          `charges would reach ${sum([{ amount: charged }, { amount: total }])} ${c.quote.currency}, beyond the accepted quote of ${c.quote.total}: the customer must accept a new quote first`,
          { acceptedTotal: c.quote.total, chargedSoFar: charged },
        );
      }
      const collection = total <= ON_SITE_COLLECTION_LIMIT ? 'on_site' : 'invoice';
      const charge = {
        lines: input.lines,
        total,
        currency: input.currency ?? c.quote.currency,
        collection,
        ...(collection === 'invoice'
          ? { invoiceNumber: `INV-${c.number.slice(3)}-${c.charges.length + 1}` }
          : {}),
        at: now,
        by: actor.sub,
      } as const;
      return { next: { ...c, charges: [...c.charges, charge] }, details: { total, collection } };
    },
  }),

  close: command({
    summary: 'Close a completed case',
    roles: supervisors,
    input: lazySchema(() => z.strictObject({ note: z.optional(text(1000)) })),
    apply(c, input) {
      return {
        to: 'closed',
        next: c,
        details: input.note ? { note: input.note } : {},
        // A case cannot close while a loaner unit is out against it (checked in the close transaction).
        writes: [noLoanerOut(c.id)],
      };
    },
  }),

  /** Customers may withdraw their own request while nobody is working on it yet. */
  cancel: command({
    summary: 'Cancel a request (customers: their own, while still received)',
    roles: ['customer', ...staff],
    input: lazySchema(() => z.strictObject({ reason: text(1000) })),
    apply(c, input, { actor, now }) {
      if (actor.role === 'customer' && c.status !== 'received') {
        throw new StateConflictError(
          'a request already being handled cannot be cancelled online; please call the hotline',
        );
      }
      return {
        to: 'cancelled',
        next: { ...c, cancellation: { reason: input.reason, by: actor.sub, at: now } },
        details: { reason: input.reason },
      };
    },
  }),

  /**
   * Corrects the site zone or the equipment-down flag of an open case. SLA due times follow: the clock
   * recomputes them with the new limit, keeping elapsed and paused time.
   */
  'update-details': command({
    summary: 'Correct the site zone or the equipment-down flag',
    roles: staff,
    input: lazySchema(() =>
      z
        .strictObject({
          zone: z.optional(z.enum(['urban', 'suburban'])),
          emergency: z.optional(z.boolean()),
          reason: text(500),
        })
        .check(
          z.refine(
            (i) => i.zone !== undefined || i.emergency !== undefined,
            'give a new zone or emergency flag',
          ),
        ),
    ),
    apply(c, input) {
      requireStatus(c, openStatuses, 'update the details of');
      const zone = input.zone ?? c.zone;
      const emergency = input.emergency ?? c.emergency;
      if (zone === c.zone && emergency === c.emergency)
        throw new StateConflictError('nothing to change: zone and emergency flag are already so');
      return {
        next: { ...c, zone, emergency },
        details: {
          from: { zone: c.zone, emergency: c.emergency },
          to: { zone, emergency },
          reason: input.reason,
        },
      };
    },
  }),
} satisfies Record<string, CaseCommand>;

export type CaseCommandName = keyof typeof caseCommands;
export const caseCommandNames = Object.keys(caseCommands) as CaseCommandName[];
