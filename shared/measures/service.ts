/**
 * Measures (SPEC §4 daily reports, §10 KPIs): applying domain events to the daily aggregates exactly once,
 * the reports read from them, and the nightly recompute that checks them against the source records.
 */
import type { DetailType, EventDetail } from '../../events/registry.ts';
import { localDay } from '../cases/numbering.ts';
import { NotFoundError } from '../errors.ts';
import {
  cardAnsweredIncrement,
  cardSentIncrement,
  completionIncrement,
  type Increment,
  measureRules,
  milestoneMetIncrement,
  openedIncrement,
  RECOMPUTED_BASES,
  repeatedCase,
  repeatIncrement,
} from './contributions.ts';
import {
  baseOf,
  C,
  type Counters,
  jobsByCategory,
  type KpiValue,
  kpisOf,
  METRIC_NAMES,
  responseByType,
  sumCounters,
  topFaults,
} from './definitions.ts';
import type { Scope } from './model.ts';
import { scopeId } from './model.ts';
import type { DayAggregate, MeasureStore } from './store.ts';

export interface MeasureDeps {
  store: MeasureStore;
  now: () => Date;
  timeZone: string;
  /** Operational numbers (EMF): count of each company-wide counter an event added. */
  metric?: (name: string, value: number) => void;
}

/**
 * Applies one domain event to the aggregates, once: the rule for its detail-type gives its identity and
 * increments; the store commits the marker with every `ADD` in one transaction.
 */
export async function applyEvent<T extends DetailType & keyof typeof measureRules>(
  deps: MeasureDeps,
  detailType: T,
  detail: EventDetail<T>,
): Promise<'applied' | 'duplicate' | 'ignored'> {
  const rule = measureRules[detailType] as unknown as {
    key(d: EventDetail<T>): string;
    contribution(
      d: EventDetail<T>,
      ctx: unknown,
    ): Promise<{ increments: Increment[]; claimed?: Increment[] }>;
  };
  const contribution = await rule.contribution(detail, { sources: deps.store, timeZone: deps.timeZone });
  if (!contribution.increments.length && !contribution.claimed?.length) return 'ignored';
  const outcome = await deps.store.apply(
    rule.key(detail),
    detailType,
    contribution as Parameters<MeasureStore['apply']>[2],
    deps.now().toISOString(),
  );
  if (outcome === 'applied' && deps.metric) {
    for (const inc of [...contribution.increments, ...(contribution.claimed ?? [])]) {
      if (!inc.scopes.some((s) => s.kind === 'company')) continue;
      for (const [name, v] of Object.entries(inc.counters)) {
        const metric = METRIC_NAMES[name];
        if (metric) deps.metric(metric, v);
      }
    }
  }
  return outcome;
}

/** `yyyy-mm-dd`, `yyyy-mm` or `yyyy`. */
export type Period = string;
export const granularityOf = (p: Period): 'day' | 'month' | 'year' =>
  p.length === 10 ? 'day' : p.length === 7 ? 'month' : 'year';

const scopeOf = (branchId: string | undefined): Scope =>
  branchId ? { kind: 'branch', branchId } : { kind: 'company' };

/** What a period's counters say: every KPI, response per request type, jobs by category, the counts. */
function summary(counters: Counters) {
  return {
    kpis: kpisOf(counters),
    responseByRequestType: responseByType(counters),
    jobsByCategory: jobsByCategory(counters),
    counts: {
      opened: counters[C.opened] ?? 0,
      completed: counters[C.completed] ?? 0,
      visits: counters[C.visits] ?? 0,
      minutes: counters[C.minutes] ?? 0,
      surveyAnswers: counters[C.surveyAnswers] ?? 0,
      complaints: counters[C.complaints] ?? 0,
      slaBreaches: counters[C.slaBreaches] ?? 0,
      escalations: counters[C.escalations] ?? 0,
      partsUsed: counters[C.partsUsed] ?? 0,
    },
  };
}

export interface KpiReport extends ReturnType<typeof summary> {
  scope: { branchId: string } | { company: true };
  period: Period;
  granularity: 'day' | 'month' | 'year';
  /** Day aggregates read (the report reads nothing else). */
  daysRead: number;
}

const scopeLabel = (branchId?: string) => (branchId ? { branchId } : { company: true as const });

/** KPIs of a day, month or year, for a branch or the company: one Query of day aggregates. */
export async function kpiReport(
  deps: MeasureDeps,
  q: { period: Period; branchId?: string },
): Promise<KpiReport> {
  const days = await deps.store.period(scopeOf(q.branchId), q.period);
  return {
    scope: scopeLabel(q.branchId),
    period: q.period,
    granularity: granularityOf(q.period),
    daysRead: days.length,
    ...summary(sumCounters(days.map((d) => d.counters))),
  };
}

/** The most frequent faults of a month (completed cases per fault). */
export async function faultReport(deps: MeasureDeps, q: { month: string; branchId?: string; limit: number }) {
  const days = await deps.store.period(scopeOf(q.branchId), q.month);
  return {
    scope: scopeLabel(q.branchId),
    month: q.month,
    faults: topFaults(sumCounters(days.map((d) => d.counters)), q.limit),
  };
}

/** KPIs per day of a month, or per month of a year: one Query. */
export async function trendReport(deps: MeasureDeps, q: { period: Period; branchId?: string }) {
  const days = await deps.store.period(scopeOf(q.branchId), q.period);
  const bucket = (d: DayAggregate) => (q.period.length === 4 ? d.day.slice(0, 7) : d.day);
  const buckets = new Map<string, Counters[]>();
  for (const d of days) buckets.set(bucket(d), [...(buckets.get(bucket(d)) ?? []), d.counters]);
  return {
    scope: scopeLabel(q.branchId),
    period: q.period,
    points: [...buckets.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([at, counters]) => {
        const sum = sumCounters(counters);
        return {
          at,
          ...Object.fromEntries(kpisOf(sum).map((k) => [k.id, k.value])),
          opened: sum[C.opened] ?? 0,
          completed: sum[C.completed] ?? 0,
        };
      }),
  };
}

/** A technician's daily report (SPEC §4): jobs by category, time, parts, visits, and their own note. */
export async function technicianDailyReport(deps: MeasureDeps, technicianId: string, day: string) {
  const [days, note] = await Promise.all([
    deps.store.period({ kind: 'technician', technicianId, branchId: '' }, day),
    deps.store.getNote(technicianId, day),
  ]);
  const counters = sumCounters(days.map((d) => d.counters));
  return {
    technicianId,
    day,
    ...(days[0]?.branchId ? { branchId: days[0].branchId } : {}),
    jobs: counters[C.completed] ?? 0,
    jobsByCategory: jobsByCategory(counters),
    minutes: counters[C.minutes] ?? 0,
    visits: counters[C.visits] ?? 0,
    partsUsed: counters[C.partsUsed] ?? 0,
    surveyAnswers: counters[C.surveyAnswers] ?? 0,
    note: note?.note ?? null,
    ...(note ? { noteUpdatedAt: note.updatedAt } : {}),
  };
}

/** The technician's own note on their daily report (replaces an earlier one). */
export async function submitNote(deps: MeasureDeps, technicianId: string, day: string, note: string) {
  await deps.store.putNote(technicianId, day, note, deps.now().toISOString());
  return technicianDailyReport(deps, technicianId, day);
}

/** The supervisor's roll-up of a branch's day: the branch totals and KPIs, and a row per technician. */
export async function branchDailyReport(deps: MeasureDeps, branchId: string, day: string) {
  const [branch, technicians] = await Promise.all([
    deps.store.period({ kind: 'branch', branchId }, day),
    deps.store.techniciansOfDay(branchId, day),
  ]);
  const counters = sumCounters(branch.map((d) => d.counters));
  const notes = await Promise.all(technicians.map((t) => deps.store.getNote(t.technicianId as string, day)));
  return {
    branchId,
    day,
    ...summary(counters),
    technicians: technicians.map((t, i) => ({
      technicianId: t.technicianId as string,
      jobs: t.counters[C.completed] ?? 0,
      jobsByCategory: jobsByCategory(t.counters),
      minutes: t.counters[C.minutes] ?? 0,
      visits: t.counters[C.visits] ?? 0,
      partsUsed: t.counters[C.partsUsed] ?? 0,
      note: notes[i]?.note ?? null,
    })),
  };
}

/** The branch roll-up for headquarters: every branch's day, and the company's. */
export async function headquartersDailyReport(deps: MeasureDeps, day: string) {
  const [branches, company] = await Promise.all([
    deps.store.branchesOfDay(day),
    deps.store.period({ kind: 'company' }, day),
  ]);
  return {
    day,
    company: summary(sumCounters(company.map((d) => d.counters))),
    branches: branches.map((b) => ({ branchId: b.branchId as string, ...summary(b.counters) })),
  };
}

/**
 * The evening run: today's roll-up of every branch with activity, kept as a report record (SPEC §11),
 * and the day's company KPIs as metrics.
 */
export async function generateDailyReports(deps: MeasureDeps, day?: string) {
  const on = day ?? localDay(deps.now(), deps.timeZone);
  const branches = await deps.store.branchesOfDay(on);
  const at = deps.now().toISOString();
  for (const b of branches) {
    const report = await branchDailyReport(deps, b.branchId as string, on);
    await deps.store.putReport(b.branchId as string, on, report, at);
  }
  const company = await kpiReport(deps, { period: on });
  for (const k of company.kpis)
    if (k.value !== null) deps.metric?.(`Kpi_${k.id}`, k.unit === 'rate' ? k.value * 100 : k.value);
  return { day: on, branches: branches.map((b) => b.branchId as string), kpis: company.kpis };
}

export interface Drift {
  scope: string;
  counter: string;
  stored: number;
  expected: number;
}

/**
 * Recomputes a day's counters from the stored records: the cases created and completed that day (with
 * their SLA milestones and the customers' later cases), the survey cards of the cases completed that day
 * (their service day), and the SLA milestones met that day (their met records). Compares them with the
 * stored aggregates and adds the difference where they disagree. Counters that only events carry
 * (answer-day satisfaction, complaints, SLA steps) are left as they are.
 */
export async function recomputeDay(deps: MeasureDeps, q: { day?: string; repair: boolean }) {
  const day = q.day ?? localDay(new Date(deps.now().getTime() - 86_400_000), deps.timeZone);
  const increments: Increment[] = [];
  for (const c of await deps.store.casesCreatedOn(day)) increments.push(openedIncrement(c, deps.timeZone));
  for (const c of await deps.store.casesCompletedOn(day)) {
    increments.push(completionIncrement(c, await deps.store.milestones(c.id), deps.timeZone));
    const later = await deps.store.casesOfCustomer(c.customer.id);
    const repeated = later.some((y) => repeatedCase(y, later)?.id === c.id);
    const repeat = repeated ? repeatIncrement(c, deps.timeZone) : undefined;
    if (repeat) increments.push(repeat);
    const card = await deps.store.surveyCardOfCase(c.id);
    // As the survey service counts them: a phone card once listed, a mailed one once sent.
    if (card && (card.channel === 'phone' || card.sentAt)) increments.push(cardSentIncrement(card));
    if (card?.answers && card.answeredAt) increments.push(cardAnsweredIncrement(card, card.answers));
  }
  for (const met of await deps.store.milestonesMetOn(day)) increments.push(milestoneMetIncrement(met));
  const expected = new Map<string, { scope: Scope; counters: Counters }>();
  for (const inc of increments) {
    if (inc.day !== day) continue;
    for (const scope of inc.scopes) {
      const entry = expected.get(scopeId(scope)) ?? { scope, counters: {} };
      entry.counters = sumCounters([entry.counters, inc.counters]);
      expected.set(scopeId(scope), entry);
    }
  }
  const stored = new Map<string, DayAggregate>();
  const branches = await deps.store.branchesOfDay(day);
  for (const d of [
    ...(await deps.store.period({ kind: 'company' }, day)),
    ...branches,
    ...(
      await Promise.all(branches.map((b) => deps.store.techniciansOfDay(b.branchId as string, day)))
    ).flat(),
  ])
    stored.set(d.scope, d);
  const recomputed = (name: string) => RECOMPUTED_BASES.includes(baseOf(name));
  const drift: Drift[] = [];
  const repairs: Array<{ scope: Scope; delta: Counters }> = [];
  for (const id of new Set([...expected.keys(), ...stored.keys()])) {
    const want = expected.get(id)?.counters ?? {};
    const have = stored.get(id)?.counters ?? {};
    const delta: Counters = {};
    for (const name of new Set([...Object.keys(want), ...Object.keys(have)].filter(recomputed))) {
      const e = want[name] ?? 0;
      const s = have[name] ?? 0;
      if (e !== s) {
        drift.push({ scope: id, counter: name, stored: s, expected: e });
        delta[name] = e - s;
      }
    }
    const scope = expected.get(id)?.scope ?? storedScope(stored.get(id) as DayAggregate);
    if (Object.keys(delta).length) repairs.push({ scope, delta });
  }
  if (q.repair) for (const r of repairs) await deps.store.repair(r.scope, day, r.delta);
  if (drift.length) deps.metric?.('MeasureDrift', drift.length);
  return { day, casesChecked: increments.length, drift, repaired: q.repair && drift.length > 0 };
}

function storedScope(d: DayAggregate): Scope {
  if (d.technicianId) return { kind: 'technician', technicianId: d.technicianId, branchId: d.branchId ?? '' };
  if (d.branchId) return { kind: 'branch', branchId: d.branchId };
  return { kind: 'company' };
}

/** A report as CSV (RFC 4180): a header line, then one line per row. */
export function toCsv(rows: ReadonlyArray<Record<string, unknown>>): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    const raw = v === null || v === undefined ? '' : String(v);
    // A text cell that a spreadsheet would run as a formula is defused.
    const s = typeof v === 'string' && /^[=+\-@]/.test(raw) ? `'${raw}` : raw;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n')}\r\n`;
}

/** The KPI rows of a report, for CSV. */
export const kpiRows = (kpis: readonly KpiValue[]) =>
  kpis.map((k) => ({
    kpi: k.id,
    title: k.title,
    numerator: k.numerator,
    denominator: k.denominator,
    value: k.value,
    target: k.target,
    meetsTarget: k.meetsTarget,
  }));

/** A technician may read and annotate only their own report. */
export function ownTechnician(actor: { sub: string; roles: readonly string[] }, id: string): string {
  const own = id === 'me' ? actor.sub : id;
  const supervisor = actor.roles.some((r) => r === 'dispatcher' || r === 'manager' || r === 'ops');
  if (!supervisor && own !== actor.sub) throw new NotFoundError(`no daily report of ${id} for you`);
  return own;
}
