/**
 * Maintenance contracts (SPEC §6): customer, covered units, term, inclusions, price, status; renewal
 * creates the next term; the daily renewal run sends each notice once per term and reminder, hands the
 * renewal to a named service person as a task, and marks contracts whose end passed without renewal as
 * lapsed. Renewals and lapses are events the measures count (renewal and churn).
 */
import { domainEvent } from '../../events/registry.ts';
import { type Actor, hasRole, primaryRole, staffRoles } from '../auth/actor.ts';
import { formatCaseNumber, localDay } from '../cases/numbering.ts';
import { normalizeSerial } from '../directory/model.ts';
import type { DirectoryStore } from '../directory/store.ts';
import { NotFoundError, StateConflictError, ValidationError, VersionConflictError } from '../errors.ts';
import type { Mailer } from '../notify/mailer.ts';
import { isWorkingDay, nextWorkingDay, type WorkingCalendar } from '../sla/calendar.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { insert, insertOutbox, put, remove, UnitOfWork, type Write } from '../store/unit-of-work.ts';
import { parseInput } from '../validation.ts';
import {
  type Change,
  type Contract,
  cancelInputSchema,
  contractChangeInputSchema,
  contractInputSchema,
  coveringStatuses,
  MONTH_NOTICE,
  type RenewalNotice,
  type RenewalTask,
  renewInputSchema,
  warrantyItems,
  warrantyKeys,
} from './model.ts';
import type { WarrantyStore } from './store.ts';

export interface ContractDeps {
  store: WarrantyStore;
  directory: Pick<DirectoryStore, 'getUnit' | 'getCustomer' | 'getStaff'>;
  now: () => Date;
  timeZone: string;
}

/** Opens a contract's maintenance visit as a case (the case service, as the system; idempotent by key). */
export type VisitOpener = (input: Record<string, unknown>, idempotencyKey: string) => Promise<{ id: string }>;

export interface RenewalRunDeps extends ContractDeps {
  mailer: Mailer;
  /** The branch's working calendar: visits fall on working days. */
  calendar: (branchId: string) => Promise<WorkingCalendar>;
  openVisit: VisitOpener;
}

/* ------------------------------------------------------------------------------------------------
 * Dates
 * ---------------------------------------------------------------------------------------------- */

/** `date` moved by whole months (negative goes back), the day clamped to the month's end. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** When each notice of a term is due: one month before the end, and each earlier reminder. */
export function reminderDates(
  c: Pick<Contract, 'term' | 'reminderDays'>,
): Array<{ reminder: string; dueOn: string }> {
  return [
    { reminder: MONTH_NOTICE, dueOn: addMonths(c.term.end, -1) },
    ...c.reminderDays.map((d) => ({ reminder: `d${d}`, dueOn: addDays(c.term.end, -d) })),
  ];
}

/**
 * The maintenance visits of a term: `visitsPerYear` visits a year, spread evenly over the term (a year
 * with two visits has them four and eight months in), each moved to the next working day of the branch
 * calendar when it falls on a weekend or holiday.
 */
export function visitDays(
  term: Pick<Contract['term'], 'start' | 'end'>,
  visitsPerYear: number,
  cal: WorkingCalendar,
): string[] {
  if (visitsPerYear <= 0) return [];
  const months = (Date.parse(term.end) - Date.parse(term.start)) / (365.25 / 12) / 86_400_000;
  const count = Math.max(1, Math.round((visitsPerYear * months) / 12));
  const days: string[] = [];
  for (let k = 1; k <= count; k++) {
    const planned = addDays(
      term.start,
      Math.round(((Date.parse(term.end) - Date.parse(term.start)) / 86_400_000) * (k / (count + 1))),
    );
    days.push(isWorkingDay(cal, planned) ? planned : nextWorkingDay(cal, planned));
  }
  return days;
}

/* ------------------------------------------------------------------------------------------------
 * Reads
 * ---------------------------------------------------------------------------------------------- */

const ref = (actor: Actor) => ({
  sub: actor.sub,
  role: primaryRole(actor),
  ...(actor.name ? { name: actor.name } : {}),
});
const isStaff = (actor: Actor) => hasRole(actor, staffRoles);

/** A contract the caller may see: staff any, a customer their own (others are missing to them). */
export async function getContract(deps: ContractDeps, actor: Actor, id: string): Promise<Contract> {
  const c = await deps.store.getContract(id);
  if (!c || (!isStaff(actor) && c.customerId !== actor.sub)) throw new NotFoundError(`no contract ${id}`);
  return c;
}

/** A customer's contracts (customers: always their own). */
export function listContracts(
  deps: ContractDeps,
  actor: Actor,
  customerId: string | undefined,
  page: PageQuery,
): Promise<Page<Contract>> {
  const whose = isStaff(actor) ? customerId : actor.sub;
  if (!whose) throw new ValidationError([{ field: 'query.customerId', message: 'name the customer' }]);
  return deps.store.contractsOfCustomer(whose, page);
}

/** A service person's renewal follow-ups (`me` by default). */
export function renewalTasks(
  deps: ContractDeps,
  actor: Actor,
  assigneeId: string | undefined,
  page: PageQuery,
) {
  return deps.store.tasksOf(!assigneeId || assigneeId === 'me' ? actor.sub : assigneeId, page);
}

/* ------------------------------------------------------------------------------------------------
 * Changes
 * ---------------------------------------------------------------------------------------------- */

function changeWrite(
  c: Contract,
  actor: { sub: string; role: string; name?: string },
  action: string,
  details: Record<string, unknown>,
): Write {
  const change: Change = { recordId: c.id, version: c.version, action, at: c.updatedAt, by: actor, details };
  return insertOutbox(warrantyItems.contractChange(change));
}

/** The contract, conditionally on the version read (or as new). */
function contractWrite(next: Contract, previousVersion?: number): Write {
  return previousVersion === undefined
    ? insert(warrantyItems.contract(next))
    : put<never>(warrantyItems.contract(next), {
        condition: 'version = :v',
        values: { ':v': previousVersion },
        onConflict: () =>
          new VersionConflictError(`contract ${next.id} changed meanwhile; reload and try again`),
      });
}

async function checkParties(
  deps: ContractDeps,
  customerId: string,
  units: readonly string[],
  servicePersonId: string | undefined,
): Promise<void> {
  const [customer, staff, found] = await Promise.all([
    deps.directory.getCustomer(customerId),
    servicePersonId ? deps.directory.getStaff(servicePersonId) : undefined,
    Promise.all(units.map((u) => deps.directory.getUnit(u))),
  ]);
  const issues: { field: string; message: string }[] = [];
  if (!customer) issues.push({ field: 'customerId', message: `no customer ${customerId} in the directory` });
  if (servicePersonId && !staff?.active)
    issues.push({ field: 'servicePersonId', message: `no active staff member ${servicePersonId}` });
  found.forEach((u, i) => {
    if (!u) issues.push({ field: `units.${i}`, message: `no unit ${units[i]} in the installed base` });
    else if (u.ownerId !== customerId)
      issues.push({ field: `units.${i}`, message: `unit ${units[i]} belongs to another customer` });
  });
  if (issues.length) throw new ValidationError(issues);
}

/** Records a maintenance contract for a customer's units (reception, managers). */
export async function createContract(deps: ContractDeps, actor: Actor, raw: unknown): Promise<Contract> {
  const input = parseInput(contractInputSchema, raw);
  const units = input.units.map(normalizeSerial);
  await checkParties(deps, input.customerId, units, input.servicePersonId);
  const now = deps.now();
  const at = now.toISOString();
  const day = localDay(now, deps.timeZone);
  const id = formatCaseNumber('MC', day, await deps.store.nextSequence('contract', day));
  const term = { n: 1, start: input.start, end: input.end, price: input.price };
  const c: Contract = {
    id,
    customerId: input.customerId,
    branchId: input.branchId,
    units,
    term,
    terms: [term],
    inclusions: input.inclusions,
    price: input.price,
    currency: input.currency,
    servicePersonId: input.servicePersonId,
    reminderDays: [...input.reminderDays].sort((a, b) => b - a),
    status: 'active',
    createdAt: at,
    updatedAt: at,
    updatedBy: actor.sub,
    version: 1,
  };
  await deps.store.commit(
    new UnitOfWork()
      .add(
        contractWrite(c),
        ...units.map((u) => insert(warrantyItems.contractLink(u, id))),
        changeWrite(c, ref(actor), 'created', { term }),
      )
      .emit(domainEvent('Contract Changed', eventOf(c, 'created', at, actor))),
  );
  return c;
}

const eventOf = (c: Contract, action: string, at: string, actor: Actor | { sub: string; roles?: never }) => ({
  contractId: c.id,
  customerId: c.customerId,
  branchId: c.branchId,
  action,
  term: c.term.n,
  status: c.status,
  at,
  actor: { sub: actor.sub, role: 'roles' in actor && actor.roles ? primaryRole(actor as Actor) : 'none' },
});

function requireOpen(c: Contract, what: string): void {
  if (!coveringStatuses.includes(c.status))
    throw new StateConflictError(`cannot ${what} a contract that is ${c.status}`, {
      contractStatus: c.status,
    });
}

/**
 * Edits a contract (units, end date, inclusions, price, service person, reminders) with a reason. Notices
 * already sent for the term stay sent: they are keyed by term, not by date.
 */
export async function changeContract(
  deps: ContractDeps,
  actor: Actor,
  id: string,
  raw: unknown,
  ifMatch?: number,
): Promise<Contract> {
  const input = parseInput(contractChangeInputSchema, raw);
  const c = await getContract(deps, actor, id);
  if (ifMatch !== undefined && ifMatch !== c.version)
    throw new VersionConflictError(`contract ${id} is at version ${c.version}, not ${ifMatch}`, {
      currentVersion: c.version,
    });
  requireOpen(c, 'change');
  const units = input.units?.map(normalizeSerial) ?? c.units;
  if (new Set(units).size !== units.length)
    throw new ValidationError([{ field: 'units', message: 'a unit is listed twice' }]);
  await checkParties(deps, c.customerId, input.units ? units : [], input.servicePersonId);
  const end = input.end ?? c.term.end;
  if (end <= c.term.start)
    throw new ValidationError([{ field: 'end', message: `the term starts ${c.term.start}` }]);
  const at = deps.now().toISOString();
  const term = { ...c.term, end, price: input.price ?? c.term.price };
  const next: Contract = {
    ...c,
    units,
    term,
    terms: [...c.terms.slice(0, -1), term],
    ...(input.inclusions ? { inclusions: input.inclusions } : {}),
    ...(input.price !== undefined ? { price: input.price } : {}),
    ...(input.servicePersonId ? { servicePersonId: input.servicePersonId } : {}),
    ...(input.reminderDays ? { reminderDays: [...input.reminderDays].sort((a, b) => b - a) } : {}),
    updatedAt: at,
    updatedBy: actor.sub,
    version: c.version + 1,
  };
  const added = units.filter((u) => !c.units.includes(u));
  const dropped = c.units.filter((u) => !units.includes(u));
  const { reason, ...changed } = input;
  await deps.store.commit(
    new UnitOfWork()
      .add(
        contractWrite(next, c.version),
        ...added.map((u) => insert(warrantyItems.contractLink(u, id))),
        ...dropped.map((u) => remove(warrantyKeys.contractLink(u, id))),
        changeWrite(next, ref(actor), 'changed', { changed, reason }),
      )
      .emit(domainEvent('Contract Changed', eventOf(next, 'changed', at, actor))),
  );
  return next;
}

/** Renews a contract: the next term starts where the current one ends (its months, its price). */
export async function renewContract(
  deps: ContractDeps,
  actor: Actor,
  id: string,
  raw: unknown,
  ifMatch?: number,
) {
  const input = parseInput(renewInputSchema, raw ?? {});
  const c = await getContract(deps, actor, id);
  if (ifMatch !== undefined && ifMatch !== c.version)
    throw new VersionConflictError(`contract ${id} is at version ${c.version}, not ${ifMatch}`, {
      currentVersion: c.version,
    });
  requireOpen(c, 'renew');
  const at = deps.now().toISOString();
  const today = localDay(deps.now(), deps.timeZone);
  if (c.term.start > today)
    throw new StateConflictError(`term ${c.term.n} starts ${c.term.start}: it is already the renewal`);
  const price = input.price ?? c.price;
  const term = { n: c.term.n + 1, start: c.term.end, end: addMonths(c.term.end, input.months), price };
  const next: Contract = {
    ...c,
    term,
    terms: [...c.terms, term],
    price,
    status: 'renewed',
    updatedAt: at,
    updatedBy: actor.sub,
    version: c.version + 1,
  };
  await deps.store.commit(
    new UnitOfWork()
      .add(contractWrite(next, c.version), changeWrite(next, ref(actor), 'renewed', { term }))
      .emit(domainEvent('Contract Renewed', { ...eventOf(next, 'renewed', at, actor), price })),
  );
  return next;
}

export async function cancelContract(deps: ContractDeps, actor: Actor, id: string, raw: unknown) {
  const input = parseInput(cancelInputSchema, raw);
  const c = await getContract(deps, actor, id);
  requireOpen(c, 'cancel');
  const at = deps.now().toISOString();
  const next: Contract = {
    ...c,
    status: 'cancelled',
    cancellation: { reason: input.reason, by: actor.sub, at },
    updatedAt: at,
    updatedBy: actor.sub,
    version: c.version + 1,
  };
  await deps.store.commit(
    new UnitOfWork()
      .add(
        contractWrite(next, c.version),
        changeWrite(next, ref(actor), 'cancelled', { reason: input.reason }),
      )
      .emit(domainEvent('Contract Changed', eventOf(next, 'cancelled', at, actor))),
  );
  return next;
}

/* ------------------------------------------------------------------------------------------------
 * The daily renewal run
 * ---------------------------------------------------------------------------------------------- */

export interface RenewalReport {
  today: string;
  /** Notices mailed in this run: `<contract>/<term>/<reminder>`. */
  noticesSent: string[];
  /** Notices without an e-mail address: the task alone follows the renewal up. */
  noEmail: string[];
  alreadySent: number;
  tasksCreated: string[];
  /** Maintenance visits opened as cases in this run: `<contract>/<term>/<n> → <case>`. */
  visitsOpened: string[];
  lapsed: string[];
  failures: Array<{ contractId: string; error: string }>;
}

const RUN_ACTOR = { sub: 'contract-renewals', role: 'none' };
/** How far back a run looks for contracts that ended unseen (missed runs), in months. */
const LOOK_BACK_MONTHS = 2;
/** How far ahead notices can be due: the longest reminder is 365 days. */
const LOOK_AHEAD_MONTHS = 13;

/**
 * The daily renewal run: for every open contract ending from two months ago to a year ahead, the notices
 * due by today (each once per term and reminder: a conditional insert claims it together with its task),
 * and the lapse of a contract whose end passed without renewal. Safe to run any number of times.
 */
export async function runRenewals(
  deps: RenewalRunDeps,
  opts: { today?: string } = {},
): Promise<RenewalReport> {
  const today = opts.today ?? localDay(deps.now(), deps.timeZone);
  const report: RenewalReport = {
    today,
    noticesSent: [],
    noEmail: [],
    alreadySent: 0,
    tasksCreated: [],
    visitsOpened: [],
    lapsed: [],
    failures: [],
  };
  for (let m = -LOOK_BACK_MONTHS; m <= LOOK_AHEAD_MONTHS; m++) {
    const month = addMonths(`${today.slice(0, 7)}-01`, m).slice(0, 7);
    for (const c of await deps.store.contractsEndingIn(month)) {
      try {
        if (!coveringStatuses.includes(c.status)) continue;
        if (c.term.end <= today) {
          await lapse(deps, c, report);
          continue;
        }
        for (const r of reminderDates(c)) if (r.dueOn <= today) await notice(deps, c, r, report);
        await visits(deps, c, today, report);
      } catch (err) {
        report.failures.push({ contractId: c.id, error: String((err as Error).message ?? err) });
      }
    }
  }
  return report;
}

const VISIT_ACTOR = 'contract-visits';

/**
 * Opens the term's maintenance visits due by today as cases (from the day the contract was recorded on),
 * once each: the case is opened with an idempotency key, then the visit is recorded with its case.
 */
async function visits(
  deps: RenewalRunDeps,
  c: Contract,
  today: string,
  report: RenewalReport,
): Promise<void> {
  if (!c.inclusions.visitsPerYear) return;
  const days = visitDays(c.term, c.inclusions.visitsPerYear, await deps.calendar(c.branchId));
  const recorded = localDay(new Date(c.createdAt), deps.timeZone);
  for (const [i, day] of days.entries()) {
    if (day > today || day < recorded || day < c.term.start) continue;
    const n = i + 1;
    if (await deps.store.getVisit(c.id, c.term.n, n)) continue;
    const serial = c.units[0] as string;
    const [customer, unit] = await Promise.all([
      deps.directory.getCustomer(c.customerId),
      deps.directory.getUnit(serial),
    ]);
    if (!customer || !unit)
      throw new Error(`contract ${c.id}: its customer or unit ${serial} is not in the directory`);
    const address = customer.addresses[0];
    const opened = await deps.openVisit(
      {
        channel: 'letter',
        branchId: c.branchId,
        customer: {
          id: customer.id,
          name: customer.name,
          address: address?.address ?? '-',
          phone: customer.phones[0] ?? '+0000000',
        },
        product: {
          model: unit.model,
          serialNumber: unit.serialNumber,
          purchaseDate: unit.purchaseDate ?? c.term.start,
        },
        symptoms: `Scheduled maintenance visit ${n} of ${days.length} (contract ${c.id}, term ${c.term.n}); units: ${c.units.join(', ')}`,
        zone: address?.zone ?? 'urban',
        emergency: false,
      },
      `${VISIT_ACTOR}.${c.id}.${c.term.n}.${n}`,
    );
    await deps.store.commit(
      new UnitOfWork<'recorded'>().add(
        insert(
          warrantyItems.visit({
            contractId: c.id,
            term: c.term.n,
            n,
            day,
            caseId: opened.id,
            createdAt: deps.now().toISOString(),
          }),
          'recorded',
        ),
      ),
    );
    report.visitsOpened.push(`${c.id}/${c.term.n}/${n} → ${opened.id}`);
  }
}

async function lapse(deps: RenewalRunDeps, c: Contract, report: RenewalReport): Promise<void> {
  const at = deps.now().toISOString();
  const next: Contract = {
    ...c,
    status: 'lapsed',
    updatedAt: at,
    updatedBy: RUN_ACTOR.sub,
    version: c.version + 1,
  };
  await deps.store.commit(
    new UnitOfWork()
      .add(contractWrite(next, c.version), changeWrite(next, RUN_ACTOR, 'lapsed', { end: c.term.end }))
      .emit(domainEvent('Contract Lapsed', eventOf(next, 'lapsed', at, RUN_ACTOR))),
  );
  report.lapsed.push(c.id);
}

async function notice(
  deps: RenewalRunDeps,
  c: Contract,
  r: { reminder: string; dueOn: string },
  report: RenewalReport,
): Promise<void> {
  const label = `${c.id}/${c.term.n}/${r.reminder}`;
  let n = await deps.store.getNotice(c.id, c.term.n, r.reminder);
  if (!n) {
    const customer = await deps.directory.getCustomer(c.customerId);
    const at = deps.now().toISOString();
    const taskId = `${c.id}.${c.term.n}.${r.reminder}`;
    const fresh: RenewalNotice = {
      contractId: c.id,
      term: c.term.n,
      reminder: r.reminder,
      dueOn: r.dueOn,
      customerId: c.customerId,
      language: customer?.language ?? 'zh-CN',
      ...(customer?.email ? { to: customer.email } : {}),
      taskId,
      createdAt: at,
    };
    const task: RenewalTask = {
      id: taskId,
      contractId: c.id,
      term: c.term.n,
      reminder: r.reminder,
      assigneeId: c.servicePersonId,
      customerId: c.customerId,
      contractEnd: c.term.end,
      createdAt: at,
    };
    // The notice and its task exist together, or neither: the insert of the notice is the claim.
    const claimed = await deps.store.commit(
      new UnitOfWork<'claimed'>().add(
        insert(warrantyItems.notice(fresh), 'claimed'),
        insert(warrantyItems.task(task), 'claimed'),
      ),
    );
    if (claimed === 'committed') {
      report.tasksCreated.push(taskId);
      n = fresh;
    } else n = await deps.store.getNotice(c.id, c.term.n, r.reminder);
    if (!n) throw new Error(`renewal notice ${label} vanished`);
    if (c.status === 'active' || c.status === 'renewed') await markExpiring(deps, c);
  }
  if (n.sentAt) {
    report.alreadySent += 1;
    return;
  }
  if (!n.to) {
    if (!report.noEmail.includes(label)) report.noEmail.push(label);
    return;
  }
  // Claimed now, or by an earlier run whose send failed: send (again), then mark it sent.
  const customer = await deps.directory.getCustomer(c.customerId);
  const { messageId } = await deps.mailer.sendEmail(renewalMail(c, n, customer?.name ?? c.customerId));
  await deps.store.markNoticeSent(n, { at: deps.now().toISOString(), messageId });
  report.noticesSent.push(label);
}

/** The contract shows it is about to end (best effort: a contract edited meanwhile keeps its status). */
async function markExpiring(deps: RenewalRunDeps, c: Contract): Promise<void> {
  const at = deps.now().toISOString();
  const next: Contract = {
    ...c,
    status: 'expiring',
    updatedAt: at,
    updatedBy: RUN_ACTOR.sub,
    version: c.version + 1,
  };
  try {
    await deps.store.commit(
      new UnitOfWork().add(
        contractWrite(next, c.version),
        changeWrite(next, RUN_ACTOR, 'expiring', { end: c.term.end }),
      ),
    );
  } catch (err) {
    if (!(err instanceof VersionConflictError)) throw err;
  }
}

/** The renewal notice, in the customer's language. */
export function renewalMail(c: Contract, n: RenewalNotice, name: string) {
  const units = c.units.join(', ');
  if (n.language === 'en')
    return {
      to: n.to as string,
      subject: `Your maintenance contract ${c.id} ends on ${c.term.end}`,
      text: [
        `Dear ${name},`,
        '',
        `your maintenance contract ${c.id} for ${units} ends on ${c.term.end}.`,
        `Renew it for another year (${c.price} ${c.currency}) to keep ${describe(c, 'en')}.`,
        'A member of our service team will call you about the renewal; you may also reply to this e-mail.',
        '',
        'Aftercare Customer Service',
      ].join('\n'),
    };
  return {
    to: n.to as string,
    subject: `您的维保合同 ${c.id} 将于 ${c.term.end} 到期`,
    text: [
      `${name}，您好：`,
      '',
      `您的维保合同 ${c.id}（设备：${units}）将于 ${c.term.end} 到期。`,
      `续约一年（${c.price} ${c.currency}）即可继续享受${describe(c, 'zh-CN')}。`,
      '我们的服务人员将与您联系续约事宜，您也可以直接回复本邮件。',
      '',
      '售后服务中心',
    ].join('\n'),
  };
}

function describe(c: Contract, lang: 'en' | 'zh-CN'): string {
  const i = c.inclusions;
  if (lang === 'en')
    return [
      i.labour ? 'free labour' : undefined,
      i.parts ? 'free parts' : undefined,
      i.visitsPerYear ? `${i.visitsPerYear} maintenance visits a year` : undefined,
      i.responseHours ? `a technician on site within ${i.responseHours} hours` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
  return [
    i.labour ? '免人工费' : undefined,
    i.parts ? '免配件费' : undefined,
    i.visitsPerYear ? `每年 ${i.visitsPerYear} 次上门保养` : undefined,
    i.responseHours ? `${i.responseHours} 小时内上门` : undefined,
  ]
    .filter(Boolean)
    .join('、');
}
