/**
 * Case operations: intake, the command runner, and the reads. Handlers call exactly one of these;
 * the store and the clock are passed in, so tests and the local system use the same code. Domain events
 * are written with each change (transactional outbox) and relayed to the bus from the table stream.
 */
import { createHash } from 'node:crypto';
import { type DomainEvent, domainEvent } from '../../events/registry.ts';
import { type Actor, hasRole, primaryRole, staffRoles } from '../auth/actor.ts';
import { DEFAULT_BRANCH_ID } from '../branches/defaults.ts';
import {
  ForbiddenError,
  IdempotencyMismatchError,
  NotFoundError,
  StateConflictError,
  ValidationError,
  VersionConflictError,
} from '../errors.ts';
import type { Page } from '../store/pagination.ts';
import { UnitOfWork } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import { decideCategory } from './category.ts';
import { type CaseCommandName, caseCommands } from './commands.ts';
import {
  type ActorRef,
  CASE_LIMITS,
  CASE_SCHEMA_VERSION,
  type Case,
  type IntakeInput,
  intakeSchema,
  selfServiceChannels,
  type TimelineEntry,
} from './model.ts';
import { formatCaseNumber, localDay } from './numbering.ts';
import { departmentFor } from './routing.ts';
import { type CaseStatus, canTransition, transitions, type VisibleStatus, visibleStatus } from './status.ts';
import type { CaseStore } from './store.ts';

export interface CaseDeps {
  store: CaseStore;
  now: () => Date;
  /** Branch timezone for case numbers and day indexes. */
  timeZone: string;
}

/** What a customer may see of a case: no internal notes, no staff identities. */
export interface CustomerCaseView {
  id: string;
  number: string;
  status: VisibleStatus;
  product: Case['product'];
  symptoms: string;
  zone: Case['zone'];
  emergency: boolean;
  category: Case['category'];
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  receiptNumber?: string;
  quote?: Case['quote'];
  charges: Case['charges'];
}

export type CaseView = (Case & { visibleStatus: VisibleStatus }) | CustomerCaseView;

const ref = (actor: Actor): ActorRef => ({ sub: actor.sub, role: primaryRole(actor) });

function isStaff(actor: Actor): boolean {
  return hasRole(actor, staffRoles);
}

/** Staff see every case; a technician sees cases assigned to them, a customer their own. */
function canSee(actor: Actor, c: Case): boolean {
  if (isStaff(actor)) return true;
  if (actor.roles.includes('technician') && c.technicianId === actor.sub) return true;
  return actor.roles.includes('customer') && c.customer.id === actor.sub;
}

export function viewFor(actor: Actor, c: Case): CaseView {
  const visible = visibleStatus(c.status, c.diagnosis !== undefined);
  if (isStaff(actor) || actor.roles.includes('technician')) return { ...c, visibleStatus: visible };
  return {
    id: c.id,
    number: c.number,
    status: visible,
    product: c.product,
    symptoms: c.symptoms,
    zone: c.zone,
    emergency: c.emergency,
    category: c.category,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    ...(c.completedAt ? { completedAt: c.completedAt } : {}),
    ...(c.workshop ? { receiptNumber: c.workshop.receipt.number } : {}),
    ...(c.quote ? { quote: c.quote } : {}),
    charges: c.charges,
  };
}

function requestHash(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

/**
 * Registers a service request on any channel (SPEC §3). Customers use the portal or app for
 * themselves; agents register hotline, letter, e-mail and walk-in requests for any customer.
 * With an idempotency key, a retried request returns the case the first attempt created.
 */
export async function openCase(
  deps: CaseDeps,
  actor: Actor,
  rawInput: unknown,
  idempotencyKey?: string,
): Promise<{ case: CaseView; created: boolean }> {
  const input: IntakeInput = parseInput(intakeSchema, rawInput);
  const asCustomer = !hasRole(actor, ['agent', 'dispatcher', 'manager']);
  if (asCustomer) {
    if (!selfServiceChannels.includes(input.channel)) {
      throw new ForbiddenError(`customers register requests through ${selfServiceChannels.join(' or ')}`, {
        field: 'channel',
      });
    }
    if (input.customer.id !== undefined && input.customer.id !== actor.sub) {
      throw new ForbiddenError('customers can only register requests for themselves', {
        field: 'customer.id',
      });
    }
    if (input.internal)
      throw new ForbiddenError('only staff can register internal work', { field: 'internal' });
  } else if (input.customer.id === undefined) {
    throw new ValidationError([
      { field: 'customer.id', message: 'required when staff register a request for a customer' },
    ]);
  }

  const today = localDay(deps.now(), deps.timeZone);
  if (input.product.purchaseDate > today) {
    throw new ValidationError([
      {
        field: 'product.purchaseDate',
        message: `a purchase date cannot be after today (${today})`,
      },
    ]);
  }

  const hash = requestHash(input);
  if (idempotencyKey) {
    const existing = await deps.store.findIdempotency(actor.sub, idempotencyKey);
    if (existing) return replay(deps, actor, existing, hash);
  }

  const now = deps.now();
  const at = now.toISOString();
  const day = localDay(now, deps.timeZone);
  const number = formatCaseNumber('SR', day, await deps.store.nextSequence(day));
  const customerId = asCustomer ? actor.sub : (input.customer.id as string);
  const c: Case = {
    entity: 'Case',
    schemaVersion: CASE_SCHEMA_VERSION,
    id: number,
    number,
    branchId: input.branchId ?? DEFAULT_BRANCH_ID,
    channel: input.channel,
    customer: { ...input.customer, id: customerId },
    product: input.product,
    symptoms: input.symptoms,
    ...(input.transcript ? { transcript: input.transcript } : {}),
    zone: input.zone,
    emergency: input.emergency,
    internal: input.internal ?? false,
    category: decideCategory({
      internal: input.internal ?? false,
      // Maintenance contracts arrive with the contracts module; until then nothing is under contract.
      underContract: false,
      purchaseDate: input.product.purchaseDate,
      serviceDate: day,
      ...(input.product.warrantyMonths !== undefined ? { warrantyMonths: input.product.warrantyMonths } : {}),
    }),
    categorySource: 'decided',
    ...(input.feedbackSubject
      ? { feedbackSubject: input.feedbackSubject, department: departmentFor[input.feedbackSubject] }
      : {}),
    status: 'received',
    assignments: [],
    visits: [],
    charges: [],
    createdAt: at,
    createdBy: ref(actor),
    updatedAt: at,
    version: 1,
  };
  const opened = domainEvent('Case Opened', {
    caseId: c.id,
    number: c.number,
    branchId: c.branchId,
    at,
    actor: c.createdBy,
    customerId,
    channel: c.channel,
    zone: c.zone,
    emergency: c.emergency,
    category: c.category,
    ...(c.department ? { department: c.department } : {}),
  });
  const first: TimelineEntry = {
    caseId: c.id,
    seq: 1,
    at,
    actor: c.createdBy,
    action: 'opened',
    to: 'received',
    details: { channel: c.channel, category: c.category },
    outbox: [opened],
  };
  const created = await deps.store.create(
    c,
    first,
    idempotencyKey ? { sub: actor.sub, key: idempotencyKey, requestHash: hash } : undefined,
  );
  if (!created && idempotencyKey) {
    // A concurrent retry with the same key won the race: answer with its case.
    const existing = await deps.store.findIdempotency(actor.sub, idempotencyKey);
    if (existing) return replay(deps, actor, existing, hash);
  }
  return { case: viewFor(actor, c), created: true };
}

async function replay(
  deps: CaseDeps,
  actor: Actor,
  record: { caseId: string; requestHash: string },
  hash: string,
) {
  if (record.requestHash !== hash) {
    throw new IdempotencyMismatchError('this Idempotency-Key was already used with a different request', {
      field: 'Idempotency-Key',
    });
  }
  const c = await deps.store.get(record.caseId);
  if (!c) throw new NotFoundError('the case created with this key no longer exists');
  return { case: viewFor(actor, c), created: false };
}

/** A case the caller may see, or 404: other people's cases are indistinguishable from missing ones. */
async function visibleCase(deps: CaseDeps, actor: Actor, caseId: string): Promise<Case> {
  const c = await deps.store.get(caseId);
  if (!c || !canSee(actor, c)) throw new NotFoundError(`no case ${caseId}`);
  return c;
}

export async function getCase(deps: CaseDeps, actor: Actor, caseId: string): Promise<CaseView> {
  return viewFor(actor, await visibleCase(deps, actor, caseId));
}

/** The timeline of every change: who, in which role, when, what. Staff and the assigned technician. */
export async function getTimeline(deps: CaseDeps, actor: Actor, caseId: string): Promise<TimelineEntry[]> {
  const { case: c, timeline } = await deps.store.getWithTimeline(caseId);
  if (!c || !canSee(actor, c)) throw new NotFoundError(`no case ${caseId}`);
  return timeline;
}

export interface CaseFilter {
  status?: CaseStatus;
  customerId?: string;
  technicianId?: string;
  day?: string;
  limit: number;
  cursor?: string;
}

/**
 * Lists cases by one access pattern. Customers always get their own cases and technicians their own
 * open assignments, whatever they ask for.
 */
export async function listCases(deps: CaseDeps, actor: Actor, f: CaseFilter): Promise<Page<CaseView>> {
  const q = { limit: f.limit, ...(f.cursor ? { cursor: f.cursor } : {}) };
  let page: Page<Case>;
  if (!isStaff(actor) && actor.roles.includes('technician'))
    page = await deps.store.listOpenByTechnician(actor.sub, q);
  else if (!isStaff(actor)) page = await deps.store.listByCustomer(actor.sub, q);
  else if (f.customerId) page = await deps.store.listByCustomer(f.customerId, q);
  else if (f.technicianId) page = await deps.store.listOpenByTechnician(f.technicianId, q);
  else if (f.status) page = await deps.store.listByStatus(f.status, q);
  else page = await deps.store.listByCreatedDay(f.day ?? localDay(deps.now(), deps.timeZone), q);
  return { ...page, items: page.items.map((c) => viewFor(actor, c)) };
}

/**
 * Runs one command on a case (the route's roles were checked by the HTTP bundle): visibility, optimistic lock, the command's own rules, the
 * transition table, then the case, its timeline entry, the command's other writes and its events in one
 * unit of work.
 */
export async function runCaseCommand(
  deps: CaseDeps,
  actor: Actor,
  caseId: string,
  name: CaseCommandName,
  rawInput: unknown,
  ifMatchVersion?: number,
): Promise<CaseView> {
  const cmd = caseCommands[name];
  const input = parseInput(cmd.input, rawInput ?? {});
  const current = await visibleCase(deps, actor, caseId);
  // A technician acts only on their own assignments, even if they hold another role that can see the case.
  if (
    !hasRole(
      actor,
      cmd.roles.filter((r) => r !== 'technician'),
    ) &&
    current.technicianId !== actor.sub
  ) {
    throw new NotFoundError(`no case ${caseId}`);
  }
  if (ifMatchVersion !== undefined && ifMatchVersion !== current.version) {
    throw new VersionConflictError(`case ${caseId} is at version ${current.version}, not ${ifMatchVersion}`, {
      currentVersion: current.version,
    });
  }
  if (current.version >= CASE_LIMITS.changes)
    throw new StateConflictError(
      `case ${caseId} has reached ${CASE_LIMITS.changes} changes; open a new case`,
    );
  const at = deps.now().toISOString();
  const actorRef = ref(actor);
  const change = (
    cmd.apply as (c: Case, i: unknown, ctx: { actor: ActorRef; now: string }) => ReturnType<typeof cmd.apply>
  )(current, input, { actor: actorRef, now: at });
  if (change.to && !canTransition(current.status, change.to)) {
    throw new StateConflictError(`cannot go from ${current.status} to ${change.to}`, {
      caseStatus: current.status,
      allowed: transitions[current.status],
    });
  }
  requireWithinLimits(change.next);
  const status = change.to ?? current.status;
  const next: Case = { ...change.next, status, updatedAt: at, version: current.version + 1 };
  const entry: TimelineEntry = {
    caseId,
    seq: next.version,
    at,
    actor: actorRef,
    action: name,
    ...(change.to ? { from: current.status, to: change.to } : {}),
    details: change.details,
  };
  const unit = new UnitOfWork()
    .add(...(change.writes ?? []))
    .emit(...eventsFor(current, next, name, actorRef, at));
  await deps.store.update(next, current.version, entry, unit);
  return viewFor(actor, next);
}

/** Every list on a case stays within {@link CASE_LIMITS}. */
function requireWithinLimits(c: Case): void {
  const over = (what: string, n: number, max: number) => {
    if (n > max) throw new StateConflictError(`a case holds at most ${max} ${what}`, { limit: max });
  };
  over('assignments', c.assignments.length, CASE_LIMITS.assignments);
  over('visits', c.visits.length, CASE_LIMITS.visits);
  for (const v of c.visits) over('work entries per visit', v.work.length, CASE_LIMITS.workPerVisit);
  over('repair card entries', c.workshop?.repairCard.length ?? 0, CASE_LIMITS.repairCard);
  over('inspections', c.workshop?.inspections.length ?? 0, CASE_LIMITS.inspections);
  over('charges', c.charges.length, CASE_LIMITS.charges);
}

function eventsFor(before: Case, after: Case, action: string, actor: ActorRef, at: string): DomainEvent[] {
  const base = { caseId: after.id, number: after.number, branchId: after.branchId, at, actor };
  const events: DomainEvent[] = [domainEvent('Case Updated', { ...base, action })];
  if (after.technicianId && after.technicianId !== before.technicianId) {
    events.push(
      domainEvent('Technician Assigned', {
        ...base,
        technicianId: after.technicianId,
        ...(before.technicianId ? { previousTechnicianId: before.technicianId } : {}),
      }),
    );
  }
  if (after.status !== before.status) {
    events.push(
      domainEvent('Case Status Changed', {
        ...base,
        from: before.status,
        to: after.status,
        visibleStatus: visibleStatus(after.status, after.diagnosis !== undefined),
        ...(after.technicianId ? { technicianId: after.technicianId } : {}),
      }),
    );
  }
  return events;
}

/** The goods in/out register of the workshop for a month (000 五.10). Staff only. */
export async function listRegister(
  deps: CaseDeps,
  actor: Actor,
  month: string,
  limit: number,
  cursor?: string,
) {
  if (!isStaff(actor)) throw new ForbiddenError('only service staff can read the goods register');
  return deps.store.listRegister(month, { limit, ...(cursor ? { cursor } : {}) });
}
