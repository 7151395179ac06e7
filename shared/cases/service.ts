/**
 * Case operations: intake, the command runner, and the reads. Handlers call exactly one of these;
 * the store and the clock are passed in, so tests and the local system use the same code. Domain events
 * are written with each change (transactional outbox) and relayed to the bus from the table stream.
 */
import { createHash } from 'node:crypto';
import { type DomainEvent, domainEvent } from '../../events/registry.ts';
import { type Actor, hasRole, primaryRole, staffRoles } from '../auth/actor.ts';
import { DEFAULT_BRANCH_ID } from '../branches/defaults.ts';
import { type IntakeParties, intakeParties } from '../directory/service.ts';
import type { DirectoryStore } from '../directory/store.ts';
import {
  ForbiddenError,
  IdempotencyMismatchError,
  NotFoundError,
  StateConflictError,
  ValidationError,
  VersionConflictError,
} from '../errors.ts';
import { knowledgeKeys, normalizeCode } from '../knowledge/model.ts';
import { counterWrite, entryUseWrites } from '../knowledge/store.ts';
import type { CasePartLine } from '../parts/case-parts.ts';
import type { Page } from '../store/pagination.ts';
import { UnitOfWork, type Write } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import { type CoverageDecision, type CoveragePort, decideCategory } from './category.ts';
import { type CaseCommandName, type CommandContext, caseCommands } from './commands.ts';
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
  /** Customers, units, staff and branches (intake, assignment, names). */
  directory: DirectoryStore;
  now: () => Date;
  /** Branch timezone for case numbers and day indexes. */
  timeZone: string;
  /**
   * Decides the category from contracts and warranty (the warranty domain); without it, from the unit's
   * warranty months alone.
   */
  coverage?: CoveragePort;
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

export type CaseView =
  | (Case & { visibleStatus: VisibleStatus; partsConsumed?: CasePartLine[] })
  | CustomerCaseView;

const ref = (actor: Actor, name = actor.name): ActorRef => ({
  sub: actor.sub,
  role: primaryRole(actor),
  ...(name ? { name } : {}),
});

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

/** What intake works from: the request as validated, on its channel (or `scheduled`). */
type OpenedInput = Omit<IntakeInput, 'channel'> & { channel: Case['channel'] };

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
  options: { scheduled?: boolean } = {},
): Promise<{ case: CaseView; created: boolean }> {
  const parsed: IntakeInput = parseInput(intakeSchema, rawInput);
  // A contract's maintenance visit is opened by the system itself, never by a caller on a channel.
  const input: OpenedInput = options.scheduled ? { ...parsed, channel: 'scheduled' } : parsed;
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
  const idempotency = idempotencyKey ? { sub: actor.sub, key: idempotencyKey, requestHash: hash } : undefined;
  // A lost race (the same key, the same new caller or unit registered meanwhile) is retried: the retry
  // finds what the winner stored.
  // The number drawn stays this request's through its retries, so lost races leave no gaps.
  let number: string | undefined;
  for (let attempt = 1; ; attempt++) {
    if (idempotencyKey) {
      const existing = await deps.store.findIdempotency(actor.sub, idempotencyKey);
      if (existing) return replay(deps, actor, existing, hash);
    }
    const { opened, drawn } = await openOnce(deps, actor, input, asCustomer, idempotency, number);
    number = drawn;
    if (opened) return { case: viewFor(actor, opened), created: true };
    if (attempt === 3)
      throw new VersionConflictError(
        'the caller or unit was registered at the same moment; send the request again',
      );
  }
}

/** The unit's coverage on the service day, when the deployment decides it from data. */
function coverageAtIntake(
  deps: CaseDeps,
  parties: IntakeParties,
  input: OpenedInput,
  day: string,
): Promise<CoverageDecision | undefined> {
  if (!deps.coverage) return Promise.resolve(undefined);
  // The installed base's record of the unit decides its warranty; the caller's word fills the gaps.
  const warrantyMonths = parties.unit.warrantyMonths ?? input.product.warrantyMonths;
  return deps.coverage({
    unit: {
      id: parties.unit.id,
      productLine: parties.unit.productLine,
      purchaseDate: parties.unit.purchaseDate ?? input.product.purchaseDate,
      ...(warrantyMonths !== undefined ? { warrantyMonths } : {}),
    },
    day,
    internal: input.internal ?? false,
  });
}

/** One attempt at intake; undefined when a concurrent request stored one of its items first. */
async function openOnce(
  deps: CaseDeps,
  actor: Actor,
  input: OpenedInput,
  asCustomer: boolean,
  idempotency: { sub: string; key: string; requestHash: string } | undefined,
  drawn?: string,
): Promise<{ opened?: Case; drawn: string }> {
  const now = deps.now();
  const at = now.toISOString();
  const branchId = input.branchId ?? DEFAULT_BRANCH_ID;
  const [parties, branch] = await Promise.all([
    intakeParties(deps.directory, actor, input, { asCustomer, at }),
    deps.directory.getBranch(branchId),
  ]);
  // Numbers and days follow the branch's own timezone where it has one.
  const timeZone = branch?.timezone ?? deps.timeZone;
  const day = localDay(now, timeZone);
  // The day's next number and the unit's coverage do not depend on each other: one round for both.
  const [sequence, decision] = await Promise.all([
    drawn ? undefined : deps.store.nextSequence(day),
    coverageAtIntake(deps, parties, input, day),
  ]);
  const number = drawn ?? formatCaseNumber('SR', day, sequence as number);
  const customerId = parties.customerId;
  const { links, writes: knowledgeWrites } = knowledgeOf(input, asCustomer, day, at, actor.sub);
  const warrantyMonths = parties.unit.warrantyMonths ?? input.product.warrantyMonths;
  const internal = input.internal ?? false;
  const purchaseDate = parties.unit.purchaseDate ?? input.product.purchaseDate;
  const c: Case = {
    entity: 'Case',
    schemaVersion: CASE_SCHEMA_VERSION,
    id: number,
    number,
    branchId,
    timeZone,
    channel: input.channel,
    // What the caller said, completed from their directory record (e-mail, language for the survey card).
    customer: { ...parties.contact, ...input.customer, id: customerId },
    product: { ...input.product, productLine: parties.unit.productLine },
    unitId: parties.unit.id,
    symptoms: input.symptoms,
    ...(input.transcript ? { transcript: input.transcript } : {}),
    zone: input.zone,
    emergency: input.emergency,
    internal,
    category:
      decision?.category ??
      decideCategory({
        internal,
        underContract: false,
        purchaseDate,
        serviceDate: day,
        ...(warrantyMonths !== undefined ? { warrantyMonths } : {}),
      }),
    ...(decision ? { categoryDecision: { ...decision, stage: 'intake' as const, at } } : {}),
    categorySource: 'decided',
    ...(input.feedbackSubject
      ? { feedbackSubject: input.feedbackSubject, department: departmentFor[input.feedbackSubject] }
      : {}),
    ...(links.length ? { knowledge: links } : {}),
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
    details: { channel: c.channel, category: c.category, customerId, unitId: parties.unit.id },
    outbox: [opened],
  };
  try {
    const created = await deps.store.create(
      c,
      first,
      idempotency,
      new UnitOfWork<'duplicate'>().add(...parties.writes, ...knowledgeWrites),
    );
    return created ? { opened: c, drawn: number } : { drawn: number };
  } catch (err) {
    // Two transactions on the same new items at once: DynamoDB cancels one; it retries like a lost race.
    if (err instanceof VersionConflictError) return { drawn: number };
    throw err;
  }
}

/**
 * The knowledge entries a new request names (SPEC §9): those suggested while it was written and those
 * the customer opened. Opened entries count as used; a customer's request carrying suggestions counts as
 * a search that self-service did not settle (the deflection measure).
 */
function knowledgeOf(
  input: OpenedInput,
  asCustomer: boolean,
  day: string,
  at: string,
  by: string,
): { links: NonNullable<Case['knowledge']>; writes: Write[] } {
  const k = input.knowledge;
  if (!k) return { links: [], writes: [] };
  const seen = new Set<string>();
  const links: NonNullable<Case['knowledge']> = [];
  for (const [how, refs] of [
    ['followed', k.followed],
    ['suggested', k.suggested],
  ] as const) {
    for (const ref of refs) {
      const code = normalizeCode(ref.code);
      const id = `${ref.productLine}:${code}`;
      if (seen.has(id)) continue;
      seen.add(id);
      links.push({ productLine: ref.productLine, code, how, at, by });
    }
  }
  const writes = links.filter((l) => l.how === 'followed').flatMap((l) => entryUseWrites(day, l).slice(0, 2));
  if (asCustomer && links.length)
    writes.push(
      counterWrite(knowledgeKeys.dayTotals(day), 'KnowledgeDay', { requestsAfterSearch: 1 }, { day }),
    );
  return { links, writes };
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

/** The caller's name for the record: their token's, else their directory record's. */
async function nameOf(deps: CaseDeps, actor: Actor): Promise<string | undefined> {
  if (actor.name) return actor.name;
  const record =
    hasRole(actor, ['customer']) && actor.roles.length === 1
      ? await deps.directory.getCustomer(actor.sub)
      : await deps.directory.getStaff(actor.sub);
  return record?.name;
}

/** A case the caller may see, or 404: other people's cases are indistinguishable from missing ones. */
async function visibleCase(deps: CaseDeps, actor: Actor, caseId: string): Promise<Case> {
  const c = await deps.store.get(caseId);
  if (!c || !canSee(actor, c)) throw new NotFoundError(`no case ${caseId}`);
  return c;
}

export async function getCase(deps: CaseDeps, actor: Actor, caseId: string): Promise<CaseView> {
  // Staff and the technician see the repair card's parts (the lines the parts ledger keeps beside the
  // case, read with it); a customer's view drops them.
  const { case: c, parts } = await deps.store.getWithParts(caseId);
  if (!c || !canSee(actor, c)) throw new NotFoundError(`no case ${caseId}`);
  const view = viewFor(actor, c);
  return 'visibleStatus' in view ? { ...view, partsConsumed: parts } : view;
}

/** What a customer sees of their case's history: its visible status, who comes, and when. */
export interface CustomerTimelineEntry {
  at: string;
  status?: VisibleStatus;
  technicianName?: string;
  arrivalWindow?: { day: string; from?: string; to?: string };
}

/**
 * The timeline of every change: who, in which role, when, what (staff and the assigned technician). A
 * customer gets the customer-visible timeline of their own case instead: the visible status changes,
 * the technician's name and the arrival window, nothing internal.
 */
export async function getTimeline(
  deps: CaseDeps,
  actor: Actor,
  caseId: string,
): Promise<TimelineEntry[] | CustomerTimelineEntry[]> {
  const { case: c, timeline } = await deps.store.getWithTimeline(caseId);
  if (!c || !canSee(actor, c)) throw new NotFoundError(`no case ${caseId}`);
  if (isStaff(actor) || actor.roles.includes('technician')) return timeline;
  return customerTimeline(timeline);
}

/** The customer's view of a timeline, in order: a status appears when the visible status changes. */
export function customerTimeline(timeline: readonly TimelineEntry[]): CustomerTimelineEntry[] {
  const out: CustomerTimelineEntry[] = [];
  let status: CaseStatus = 'received';
  let diagnosed = false;
  let shown: VisibleStatus | undefined;
  for (const e of timeline) {
    if (e.to) status = e.to as CaseStatus;
    if (e.action === 'diagnose') diagnosed = true;
    if (e.action === 'assign') {
      const d = e.details ?? {};
      const appointment = d.appointment as CustomerTimelineEntry['arrivalWindow'] | undefined;
      out.push({
        at: e.at,
        ...(typeof d.technicianName === 'string' ? { technicianName: d.technicianName } : {}),
        ...(appointment ? { arrivalWindow: appointment } : {}),
      });
    }
    const visible = visibleStatus(status, diagnosed);
    if (visible !== shown) {
      out.push({ at: e.at, status: visible });
      shown = visible;
    }
  }
  return out;
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
  // The caller's own name (for the timeline) is read beside the case, not after it.
  const readName = nameOf(deps, actor);
  readName.catch(() => undefined); // awaited below; a refusal before then must not leave it unhandled
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
  const now = deps.now();
  const at = now.toISOString();
  const staffId = cmd.staffOf ? (cmd.staffOf as (i: unknown) => string)(input) : undefined;
  // The case keeps its branch's timezone from intake; only older cases need the branch read for it.
  const [staff, timeZone, actorName] = await Promise.all([
    staffId ? deps.directory.getStaff(staffId) : undefined,
    current.timeZone ?? deps.directory.getBranch(current.branchId).then((b) => b?.timezone),
    readName,
  ]);
  const actorRef = ref(actor, actorName);
  const today = localDay(now, timeZone ?? deps.timeZone);
  // Commands that decide the category again (diagnosis) get the coverage of the unit today.
  const components = cmd.decidesCategory
    ? (cmd.decidesCategory as (i: unknown) => readonly string[] | undefined)(input)
    : undefined;
  const coverage =
    cmd.decidesCategory && deps.coverage && current.unitId && current.product.productLine
      ? await deps.coverage({
          unit: {
            id: current.unitId,
            productLine: current.product.productLine,
            purchaseDate: current.product.purchaseDate,
            ...(current.product.warrantyMonths !== undefined
              ? { warrantyMonths: current.product.warrantyMonths }
              : {}),
          },
          day: today,
          internal: current.internal,
          components,
        })
      : undefined;
  const ctx: CommandContext = {
    actor: actorRef,
    now: at,
    today,
    staff,
    ...(coverage ? { coverage } : {}),
  };
  const change = (cmd.apply as (c: Case, i: unknown, ctx: CommandContext) => ReturnType<typeof cmd.apply>)(
    current,
    input,
    ctx,
  );
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
