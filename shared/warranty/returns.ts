/**
 * Returns and exchanges (SPEC §6a): published rules per product line, applications by the customer or an
 * agent checked against them, an answer due within the configured working days of the branch calendar
 * (a Scheduler timer at the deadline escalates it to the supervisors, a second one a working day later to
 * the managers — no polling), then shipping and the unit's entry into stock or scrap through the parts
 * ledger. Cause and responsible department are recorded with the decision and measured.
 */
import { domainEvent } from '../../events/registry.ts';
import { type Actor, hasRole, primaryRole, staffRoles } from '../auth/actor.ts';
import { DEFAULT_BRANCH_ID } from '../branches/defaults.ts';
import { formatCaseNumber, localDay } from '../cases/numbering.ts';
import type { DirectoryStore } from '../directory/store.ts';
import { NotFoundError, StateConflictError, ValidationError, VersionConflictError } from '../errors.ts';
import type { Mailer } from '../notify/mailer.ts';
import { addWorkingMinutes, type WorkingCalendar } from '../sla/calendar.ts';
import type { EscalationContact, SlaPolicy } from '../sla/policy.ts';
import type { TimerPort } from '../sla/timers.ts';
import type { PageQuery } from '../store/pagination.ts';
import { insert, insertOutbox, put, UnitOfWork, type Write } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import {
  type Change,
  type ReturnRequest,
  type ReturnStatus,
  returnApplicationSchema,
  returnDecisionSchema,
  returnReceiptSchema,
  returnRulesInputSchema,
  returnShipmentSchema,
  type StoredReturnRules,
  warrantyItems,
} from './model.ts';
import { replaceLineSetting } from './service.ts';
import type { WarrantyStore } from './store.ts';

/** Where a returned unit goes: the parts ledger's stock or scrap (a port: the ledger is the parts domain's). */
export interface ReturnedUnitLedger {
  /** Takes the unit in (stock at `locationId`, or scrap); answers the ledger movement's id. */
  takeIn(entry: {
    returnId: string;
    serialNumber: string;
    model: string;
    productLine: string;
    disposition: 'stock' | 'scrap';
    locationId?: string;
    reason: string;
    actor: Actor;
  }): Promise<{ movementId: string }>;
}

/** What the branch's SLA settings give the returns clock: its calendar and escalation contacts. */
export interface BranchClock {
  calendar(branchId: string): Promise<WorkingCalendar>;
  policy(branchId: string): Promise<SlaPolicy>;
}

export interface ReturnDeps {
  store: WarrantyStore;
  directory: Pick<DirectoryStore, 'getUnit' | 'getCustomer' | 'getStaff'>;
  branches: BranchClock;
  timers: TimerPort;
  ledger: ReturnedUnitLedger;
  now: () => Date;
  timeZone: string;
}

export interface ReturnTimerDeps extends Omit<ReturnDeps, 'ledger'> {
  mailer: Mailer;
}

/** The two steps of an unanswered application: at the deadline → supervisors; a working day later → managers. */
export const returnSteps = [
  { step: 'due', notify: 'supervisor', afterWorkingDays: 0 },
  { step: 'escalate', notify: 'manager', afterWorkingDays: 1 },
] as const;
export type ReturnStep = (typeof returnSteps)[number]['step'];

export const returnTimerName = (id: string, step: string) => `return.${id}.${step}`;

const ref = (actor: Actor) => ({
  sub: actor.sub,
  role: primaryRole(actor),
  ...(actor.name ? { name: actor.name } : {}),
});
const isStaff = (actor: Actor) => hasRole(actor, staffRoles) || hasRole(actor, ['parts_clerk']);

/** Working minutes of one working day of the calendar (its periods summed). */
function dayMinutes(cal: WorkingCalendar): number {
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return cal.workingHours.reduce((s, p) => s + m(p.end) - m(p.start), 0);
}

/** `days` working days after `from` on the calendar. */
export const afterWorkingDays = (cal: WorkingCalendar, from: Date, days: number) =>
  addWorkingMinutes(cal, from, days * dayMinutes(cal));

/* ------------------------------------------------------------------------------------------------
 * Rules
 * ---------------------------------------------------------------------------------------------- */

export async function putReturnRules(
  deps: Pick<ReturnDeps, 'store' | 'now'>,
  actor: Actor,
  productLine: string,
  raw: unknown,
) {
  const input = parseInput(returnRulesInputSchema, raw);
  const current = (await deps.store.lineSettings(productLine)).returnRules;
  return replaceLineSetting(deps, actor, productLine, input, current, warrantyItems.returnRules);
}

/** Whether an application meets the published rules, and why not. */
export function checkAgainstRules(
  rules: Pick<StoredReturnRules, 'returnDays' | 'exchangeDays' | 'conditions'> | undefined,
  a: { kind: 'return' | 'exchange'; condition: string; purchaseDate?: string | undefined },
  today: string,
): ReturnRequest['eligibility'] {
  if (!rules)
    return {
      eligible: false,
      findings: ['no return and exchange rules are published for this product line'],
    };
  const findings: string[] = [];
  const limitDays = a.kind === 'return' ? rules.returnDays : rules.exchangeDays;
  let daysSincePurchase: number | undefined;
  if (!a.purchaseDate) findings.push('the purchase date is not known');
  else {
    daysSincePurchase = Math.round(
      (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${a.purchaseDate}T00:00:00Z`)) / 86_400_000,
    );
    if (daysSincePurchase > limitDays)
      findings.push(`${daysSincePurchase} days since purchase; ${a.kind}s are accepted within ${limitDays}`);
  }
  if (!(rules.conditions as readonly string[]).includes(a.condition))
    findings.push(
      `an item ${a.condition.replaceAll('_', ' ')} is not accepted (${rules.conditions.join(', ')})`,
    );
  return {
    eligible: findings.length === 0,
    ...(daysSincePurchase !== undefined ? { daysSincePurchase } : {}),
    limitDays,
    findings,
  };
}

/* ------------------------------------------------------------------------------------------------
 * Applications and their life
 * ---------------------------------------------------------------------------------------------- */

function changeWrite(
  r: ReturnRequest,
  by: Change['by'],
  action: string,
  details: Record<string, unknown>,
): Write {
  return insertOutbox(
    warrantyItems.returnChange({ recordId: r.id, version: r.version, action, at: r.updatedAt, by, details }),
  );
}

function returnWrite(next: ReturnRequest, previous?: ReturnRequest): Write {
  return previous
    ? put<never>(warrantyItems.return(next), {
        condition: 'version = :v',
        values: { ':v': previous.version },
        onConflict: () =>
          new VersionConflictError(`return ${next.id} changed meanwhile; reload and try again`),
      })
    : insert(warrantyItems.return(next));
}

/** A return the caller may see: staff any, a customer their own. */
export async function getReturn(
  deps: Pick<ReturnDeps, 'store'>,
  actor: Actor,
  id: string,
): Promise<ReturnRequest> {
  const r = await deps.store.getReturn(id);
  if (!r || (!isStaff(actor) && r.customerId !== actor.sub)) throw new NotFoundError(`no return ${id}`);
  return r;
}

/** Staff: the returns in a status (default those awaiting an answer); customers: their own. */
export function listReturns(
  deps: Pick<ReturnDeps, 'store'>,
  actor: Actor,
  status: ReturnStatus | undefined,
  page: PageQuery,
) {
  if (!isStaff(actor)) return deps.store.returnsOfCustomer(actor.sub, page);
  return deps.store.returnsByStatus(status ?? 'applied', page);
}

/**
 * A customer (for their own unit) or an agent applies for a return or an exchange. The application is
 * checked against the published rules (the findings are kept, staff decide) and its answer is due within
 * the rules' working days on the branch calendar; the deadline's timers are set once it is stored.
 */
export async function applyForReturn(deps: ReturnDeps, actor: Actor, raw: unknown): Promise<ReturnRequest> {
  const input = parseInput(returnApplicationSchema, raw);
  const unit = await deps.directory.getUnit(input.serialNumber);
  const asCustomer = !isStaff(actor);
  if (!unit || (asCustomer && unit.ownerId !== actor.sub))
    throw new ValidationError([
      { field: 'serialNumber', message: `no unit ${input.serialNumber} of yours in the installed base` },
    ]);
  const now = deps.now();
  const branchId = input.branchId ?? DEFAULT_BRANCH_ID;
  const [settings, calendar] = await Promise.all([
    deps.store.lineSettings(unit.productLine),
    deps.branches.calendar(branchId),
  ]);
  const today = localDay(now, calendar.timezone);
  const rules = settings.returnRules;
  const eligibility = checkAgainstRules(rules, { ...input, purchaseDate: unit.purchaseDate }, today);
  const dueAt = afterWorkingDays(calendar, now, rules?.decisionWorkingDays ?? 3);
  const at = now.toISOString();
  const id = formatCaseNumber('RT', today, await deps.store.nextSequence('return', today));
  const r: ReturnRequest = {
    id,
    serialNumber: unit.serialNumber,
    productLine: unit.productLine,
    model: unit.model,
    customerId: unit.ownerId,
    branchId,
    kind: input.kind,
    condition: input.condition,
    reason: input.reason,
    appliedAt: at,
    appliedBy: ref(actor),
    eligibility,
    decisionDueAt: dueAt.toISOString(),
    status: 'applied',
    escalations: [],
    updatedAt: at,
    version: 1,
  };
  await deps.store.commit(
    new UnitOfWork().add(returnWrite(r), changeWrite(r, ref(actor), 'applied', { eligibility })),
  );
  // Deterministic names: a retry of this step creates nothing twice. A lost timer is caught by the list
  // of applications awaiting an answer, ordered by application.
  for (const s of returnSteps)
    await deps.timers.scheduleOnce({
      name: returnTimerName(id, s.step),
      at: afterWorkingDays(calendar, dueAt, s.afterWorkingDays),
      payload: { kind: 'return-decision', returnId: id, step: s.step },
    });
  return r;
}

/** Staff answer an application: approve or reject, with the cause and the department responsible. */
export async function decideReturn(
  deps: ReturnDeps,
  actor: Actor,
  id: string,
  raw: unknown,
  ifMatch?: number,
) {
  const input = parseInput(returnDecisionSchema, raw);
  const r = await getReturn(deps, actor, id);
  if (ifMatch !== undefined && ifMatch !== r.version)
    throw new VersionConflictError(`return ${id} is at version ${r.version}, not ${ifMatch}`, {
      currentVersion: r.version,
    });
  if (r.status !== 'applied') throw new StateConflictError(`return ${id} was already answered (${r.status})`);
  const at = deps.now().toISOString();
  const approved = input.decision === 'approve';
  const onTime = at <= r.decisionDueAt;
  const next: ReturnRequest = {
    ...r,
    status: approved ? 'approved' : 'rejected',
    decision: {
      approved,
      note: input.note,
      cause: input.cause,
      department: input.department,
      ...(input.responsiblePerson ? { responsiblePerson: input.responsiblePerson } : {}),
      onTime,
      by: ref(actor),
      at,
    },
    updatedAt: at,
    version: r.version + 1,
  };
  await deps.store.commit(
    new UnitOfWork()
      .add(
        returnWrite(next, r),
        changeWrite(next, ref(actor), 'decided', {
          approved,
          cause: input.cause,
          department: input.department,
        }),
      )
      .emit(
        domainEvent('Return Decided', {
          returnId: id,
          branchId: r.branchId,
          kind: r.kind,
          approved,
          cause: input.cause,
          department: input.department,
          onTime,
          at,
          actor: { sub: actor.sub, role: primaryRole(actor) },
        }),
      ),
  );
  // Answered: its deadline timers go (one firing meanwhile finds it answered and does nothing).
  for (const s of returnSteps) await deps.timers.cancel(returnTimerName(id, s.step));
  return next;
}

/** An approved return or exchange is shipped back (carrier, tracking number). */
export async function shipReturn(deps: ReturnDeps, actor: Actor, id: string, raw: unknown) {
  const input = parseInput(returnShipmentSchema, raw);
  const r = await getReturn(deps, actor, id);
  if (r.status !== 'approved')
    throw new StateConflictError(`return ${id} is ${r.status}: only approved ones ship`);
  const at = deps.now().toISOString();
  const next: ReturnRequest = {
    ...r,
    status: 'shipped',
    shipment: { ...input, by: actor.sub, at },
    updatedAt: at,
    version: r.version + 1,
  };
  await deps.store.commit(
    new UnitOfWork().add(returnWrite(next, r), changeWrite(next, ref(actor), 'shipped', input)),
  );
  return next;
}

/**
 * The returned unit arrives: it enters stock (at a location) or scrap through the parts ledger, and the
 * return is closed as received with the ledger's movement.
 */
export async function receiveReturn(deps: ReturnDeps, actor: Actor, id: string, raw: unknown) {
  const input = parseInput(returnReceiptSchema, raw);
  const r = await getReturn(deps, actor, id);
  if (r.status !== 'shipped')
    throw new StateConflictError(`return ${id} is ${r.status}: only shipped ones are received`);
  const { movementId } = await deps.ledger.takeIn({
    returnId: id,
    serialNumber: r.serialNumber,
    model: r.model,
    productLine: r.productLine,
    disposition: input.disposition,
    locationId: input.locationId,
    reason: `${r.kind} ${id}: ${r.decision?.cause ?? r.reason}`,
    actor,
  });
  const at = deps.now().toISOString();
  const next: ReturnRequest = {
    ...r,
    status: 'received',
    receipt: {
      disposition: input.disposition,
      locationId: input.locationId,
      movementId,
      ...(input.note ? { note: input.note } : {}),
      by: actor.sub,
      at,
    },
    updatedAt: at,
    version: r.version + 1,
  };
  await deps.store.commit(
    new UnitOfWork().add(
      returnWrite(next, r),
      changeWrite(next, ref(actor), 'received', { disposition: input.disposition, movementId }),
    ),
  );
  return next;
}

/* ------------------------------------------------------------------------------------------------
 * The deadline's timers
 * ---------------------------------------------------------------------------------------------- */

async function addresses(deps: ReturnTimerDeps, contacts: readonly EscalationContact[]): Promise<string[]> {
  const out = await Promise.all(
    contacts.map(async (c) =>
      typeof c === 'string' ? c : (await deps.directory.getStaff(c.staffId))?.email,
    ),
  );
  return [...new Set(out.filter((a): a is string => !!a))];
}

/**
 * A deadline timer fired: an application still unanswered is escalated (supervisors at the deadline,
 * managers a working day later) — recorded once per step on the return, with its event, then mailed.
 */
export async function handleReturnTimer(
  deps: ReturnTimerDeps,
  payload: { returnId: string; step: string },
): Promise<'escalated' | 'answered' | 'duplicate' | 'unknown-return'> {
  const r = await deps.store.getReturn(payload.returnId);
  if (!r) return 'unknown-return';
  if (r.status !== 'applied') return 'answered';
  if (r.escalations.some((e) => e.step === payload.step)) return 'duplicate';
  const step = returnSteps.find((s) => s.step === payload.step) ?? returnSteps[0];
  const policy = await deps.branches.policy(r.branchId);
  const recipients = await addresses(deps, policy.escalationContacts[step.notify]);
  const at = deps.now().toISOString();
  const next: ReturnRequest = {
    ...r,
    escalations: [...r.escalations, { step: step.step, at, recipients }],
    updatedAt: at,
    version: r.version + 1,
  };
  const actor = { sub: 'returns-clock', role: 'none' };
  try {
    await deps.store.commit(
      new UnitOfWork()
        .add(returnWrite(next, r), changeWrite(next, actor, 'escalated', { step: step.step, recipients }))
        .emit(
          domainEvent('Return Decision Overdue', {
            returnId: r.id,
            branchId: r.branchId,
            step: step.step,
            dueAt: r.decisionDueAt,
            recipients,
            at,
          }),
        ),
    );
  } catch (err) {
    // Answered or escalated meanwhile: the retry reads which.
    if (err instanceof VersionConflictError) return handleReturnTimer(deps, payload);
    throw err;
  }
  for (const to of recipients)
    await deps.mailer.sendEmail({
      to,
      subject: `Overdue: ${r.kind} application ${r.id} awaits an answer (due ${r.decisionDueAt})`,
      text: [
        `The ${r.kind} application ${r.id} (${r.model}, serial ${r.serialNumber}) was due an answer by ${r.decisionDueAt}.`,
        `Applied ${r.appliedAt} by ${r.appliedBy.name ?? r.appliedBy.sub}: ${r.reason}`,
        `Against the published rules: ${r.eligibility.eligible ? 'eligible' : r.eligibility.findings.join('; ')}.`,
      ].join('\n'),
    });
  return 'escalated';
}
