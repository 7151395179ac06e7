/**
 * The measures' store: applies an event's increments exactly once (its marker and every `ADD` in one
 * `TransactWriteItems`), reads periods of day aggregates (one Query each), and reads the source records
 * the rules and the nightly recompute need. Every read is a GetItem or a Query on a key or a named index.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Case, caseKeys } from '../cases/model.ts';
import { parseCase } from '../cases/store.ts';
import {
  type MetRecord,
  metItemSchema,
  milestoneItemSchema,
  type StoredMilestone,
  slaKeys,
} from '../sla/model.ts';
import { parseItem } from '../store/item.ts';
import { queryAll } from '../store/query.ts';
import { Index, key } from '../store/table.ts';
import { commit, insert, put, UnitOfWork, update, type Write } from '../store/unit-of-work.ts';
import { type SurveyCardRecord, surveyCardSchema, surveyGuardSchema, surveyKeys } from '../surveys/model.ts';
import type { ClaimedIncrement, Contribution, Increment, MeasureSources } from './contributions.ts';
import type { Counters } from './definitions.ts';
import {
  COUNTER_PREFIX,
  countersOf,
  DAILY_REPORT_SCHEMA_VERSION,
  DAY_MEASURE_SCHEMA_VERSION,
  dailyReportSchema,
  dayMeasureSchema,
  MEASURE_MARKER_SCHEMA_VERSION,
  measureKeys,
  type Scope,
  scopeId,
  TECHNICIAN_NOTE_SCHEMA_VERSION,
  technicianNoteSchema,
} from './model.ts';

/** Markers outlive every redelivery and replay window (SQS keeps messages 14 days, streams 24 h). */
const MARKER_TTL_DAYS = 60;

/** A stored day aggregate: whose, which day, and its counters. */
export interface DayAggregate {
  scope: string;
  day: string;
  branchId?: string;
  technicianId?: string;
  counters: Counters;
}

export interface MeasureStore extends MeasureSources {
  /**
   * Applies an event's contribution once: `duplicate` when its marker exists (redelivered or replayed).
   * Claimed increments already claimed by another event are left out; the rest still commits.
   */
  apply(
    eventKey: string,
    detailType: string,
    contribution: Contribution,
    at: string,
  ): Promise<'applied' | 'duplicate'>;
  /** The day aggregates of one scope in a period (`yyyy-mm-dd`, `yyyy-mm` or `yyyy`): one Query. */
  period(scope: Scope, period: string): Promise<DayAggregate[]>;
  /** Every branch's aggregate of a day (one Query on the day index). */
  branchesOfDay(day: string): Promise<DayAggregate[]>;
  /** The aggregates of a branch's technicians of a day (one Query on the day index). */
  techniciansOfDay(branchId: string, day: string): Promise<DayAggregate[]>;
  /** Every technician's day aggregates of a month (one Query on the month index). */
  techniciansOfMonth(month: string): Promise<DayAggregate[]>;
  /** Adds `delta` to a day aggregate without a marker: the nightly repair of a drift. */
  repair(scope: Scope, day: string, delta: Counters): Promise<void>;
  getNote(technicianId: string, day: string): Promise<{ note: string; updatedAt: string } | undefined>;
  putNote(technicianId: string, day: string, note: string, at: string): Promise<void>;
  putReport(branchId: string, day: string, report: Record<string, unknown>, at: string): Promise<void>;
  getReport(branchId: string, day: string): Promise<Record<string, unknown> | undefined>;
  casesCreatedOn(day: string): Promise<Case[]>;
  casesCompletedOn(day: string): Promise<Case[]>;
  /** The SLA milestones met on a local day, as their met records keep them (one Query on the day index). */
  milestonesMetOn(day: string): Promise<MetRecord[]>;
  /** The survey card of a case, if it got one. */
  surveyCardOfCase(caseId: string): Promise<SurveyCardRecord | undefined>;
}

/** One `ADD` of counters to a day item, which it creates with its header and index keys when missing. */
function addTo(scope: Scope, day: string, counters: Counters): Write<never> | undefined {
  const entries = Object.entries(counters).filter(([, v]) => v !== 0);
  if (!entries.length) return undefined;
  const names: Record<string, string> = {
    '#entity': 'entity',
    '#version': 'schemaVersion',
    '#scope': 'scope',
    '#day': 'day',
  };
  const values: Record<string, unknown> = {
    ':entity': 'DayMeasure',
    ':version': DAY_MEASURE_SCHEMA_VERSION,
    ':scope': scopeId(scope),
    ':day': day,
  };
  const set = ['#entity = :entity', '#version = :version', '#scope = :scope', '#day = :day'];
  const extra: Record<string, string> = {
    ...measureKeys.dayIndex(scope, day),
    ...measureKeys.monthIndex(scope, day),
    ...(scope.kind !== 'company' ? { branchId: scope.branchId } : {}),
    ...(scope.kind === 'technician' ? { technicianId: scope.technicianId } : {}),
  };
  Object.entries(extra).forEach(([k, v], i) => {
    names[`#x${i}`] = k;
    values[`:x${i}`] = v;
    set.push(`#x${i} = :x${i}`);
  });
  const adds = entries.map(([name, v], i) => {
    names[`#c${i}`] = `${COUNTER_PREFIX}${name}`;
    values[`:c${i}`] = v;
    return `#c${i} :c${i}`;
  });
  return update<never>(measureKeys.day(scope, day), `SET ${set.join(', ')} ADD ${adds.join(', ')}`, {
    names,
    values,
  });
}

/** The writes of some increments: one `ADD` per scope and day (increments to the same item merged). */
function addsOf(increments: readonly Increment[]): Write<never>[] {
  const merged = new Map<string, { scope: Scope; day: string; counters: Counters }>();
  for (const inc of increments) {
    for (const scope of inc.scopes) {
      const k = JSON.stringify([scopeId(scope), inc.day]);
      const entry = merged.get(k) ?? { scope, day: inc.day, counters: {} };
      for (const [name, v] of Object.entries(inc.counters))
        entry.counters[name] = (entry.counters[name] ?? 0) + v;
      merged.set(k, entry);
    }
  }
  return [...merged.values()].flatMap((m) => addTo(m.scope, m.day, m.counters) ?? []);
}

const aggregateOf = (item: Record<string, unknown>): DayAggregate => {
  const parsed = parseItem(dayMeasureSchema, item);
  return {
    scope: parsed.scope,
    day: parsed.day,
    ...(parsed.branchId ? { branchId: parsed.branchId } : {}),
    ...(parsed.technicianId ? { technicianId: parsed.technicianId } : {}),
    counters: countersOf(item),
  };
};

export class DynamoMeasureStore implements MeasureStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async apply(
    eventKey: string,
    detailType: string,
    contribution: Contribution,
    at: string,
  ): Promise<'applied' | 'duplicate'> {
    let claimed: readonly ClaimedIncrement[] = contribution.claimed ?? [];
    // Each round drops one claim another event made first; the marker decides duplicates.
    for (;;) {
      const unit = new UnitOfWork<'duplicate' | `claimed:${number}`>();
      unit.add(
        insert(
          {
            ...measureKeys.marker(eventKey),
            entity: 'MeasureMarker',
            schemaVersion: MEASURE_MARKER_SCHEMA_VERSION,
            eventKey,
            detailType,
            appliedAt: at,
            expiresAt: Math.floor(new Date(at).getTime() / 1000) + MARKER_TTL_DAYS * 86_400,
          },
          'duplicate',
        ),
      );
      claimed.forEach((c, i) => {
        unit.add(
          insert(
            {
              ...measureKeys.marker(c.claim),
              entity: 'MeasureMarker',
              schemaVersion: MEASURE_MARKER_SCHEMA_VERSION,
              eventKey: c.claim,
              detailType,
              appliedAt: at,
              expiresAt: Math.floor(new Date(at).getTime() / 1000) + MARKER_TTL_DAYS * 86_400,
            },
            `claimed:${i}`,
          ),
        );
      });
      unit.add(...addsOf([...contribution.increments, ...claimed]));
      const outcome = await commit(this.db, this.tableName, unit);
      if (outcome === 'committed') return 'applied';
      if (outcome === 'duplicate') return 'duplicate';
      const taken = Number(outcome.slice('claimed:'.length));
      claimed = claimed.filter((_, i) => i !== taken);
    }
  }

  async period(scope: Scope, period: string): Promise<DayAggregate[]> {
    const items = await queryAll(this.db, this.tableName, {
      pk: measureKeys.partition(scope),
      skPrefix: measureKeys.period(period),
    });
    return items.map(aggregateOf);
  }

  async branchesOfDay(day: string): Promise<DayAggregate[]> {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byStatus,
      pk: measureKeys.dayOf(day),
      skPrefix: measureKeys.branchesPrefix,
    });
    return items.map(aggregateOf);
  }

  async techniciansOfDay(branchId: string, day: string): Promise<DayAggregate[]> {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byStatus,
      pk: measureKeys.dayOf(day),
      skPrefix: measureKeys.techniciansPrefix(branchId),
    });
    return items.map(aggregateOf);
  }

  async techniciansOfMonth(month: string): Promise<DayAggregate[]> {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byDay,
      pk: measureKeys.monthOf(month),
    });
    return items.map(aggregateOf);
  }

  async repair(scope: Scope, day: string, delta: Counters): Promise<void> {
    const write = addTo(scope, day, delta);
    if (write) await commit(this.db, this.tableName, new UnitOfWork().add(write));
  }

  async getNote(technicianId: string, day: string) {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: measureKeys.note(technicianId, day) }),
    );
    if (!out.Item) return undefined;
    const { note, updatedAt } = parseItem(technicianNoteSchema, out.Item);
    return { note, updatedAt };
  }

  async putNote(technicianId: string, day: string, note: string, at: string): Promise<void> {
    const item = {
      ...measureKeys.note(technicianId, day),
      entity: 'TechnicianNote',
      schemaVersion: TECHNICIAN_NOTE_SCHEMA_VERSION,
      technicianId,
      day,
      note,
      updatedAt: at,
    };
    await commit(this.db, this.tableName, new UnitOfWork().add(put(item)));
  }

  async putReport(branchId: string, day: string, report: Record<string, unknown>, at: string) {
    const item = {
      ...measureKeys.report(branchId, day),
      entity: 'DailyReport',
      schemaVersion: DAILY_REPORT_SCHEMA_VERSION,
      branchId,
      day,
      generatedAt: at,
      report,
    };
    await commit(this.db, this.tableName, new UnitOfWork().add(put(item)));
  }

  async getReport(branchId: string, day: string) {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: measureKeys.report(branchId, day) }),
    );
    return out.Item ? parseItem(dailyReportSchema, out.Item).report : undefined;
  }

  async getCase(caseId: string): Promise<Case | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: caseKeys.item(caseId), ConsistentRead: true }),
    );
    return out.Item ? parseCase(out.Item) : undefined;
  }

  async milestones(caseId: string): Promise<StoredMilestone[]> {
    const items = await queryAll(this.db, this.tableName, {
      pk: caseKeys.partition(caseId),
      skPrefix: key('SLA', 'M', ''),
      consistent: true,
    });
    return items
      .filter((i) => slaKeys.isMilestone(i.sk))
      .map((i) => {
        const { entity: _e, schemaVersion: _v, ...m } = parseItem(milestoneItemSchema, i);
        return m;
      });
  }

  async casesOfCustomer(customerId: string): Promise<Case[]> {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byOwner,
      pk: caseKeys.byCustomer(customerId),
      skPrefix: caseKeys.byCustomerPrefix,
    });
    return items.map(parseCase);
  }

  async casesCreatedOn(day: string): Promise<Case[]> {
    const items = await queryAll(this.db, this.tableName, { index: Index.byDay, pk: caseKeys.byDay(day) });
    return items.map(parseCase);
  }

  async milestonesMetOn(day: string): Promise<MetRecord[]> {
    const items = await queryAll(this.db, this.tableName, { index: Index.byDay, pk: slaKeys.metOn(day) });
    return items.map((i) => {
      const { entity: _e, schemaVersion: _v, outbox: _o, ...m } = parseItem(metItemSchema, i);
      return m;
    });
  }

  async surveyCardOfCase(caseId: string): Promise<SurveyCardRecord | undefined> {
    const guard = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: surveyKeys.caseGuard(caseId), ConsistentRead: true }),
    );
    if (!guard.Item) return undefined;
    const { cardId } = parseItem(surveyGuardSchema, guard.Item);
    const card = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: surveyKeys.card(cardId), ConsistentRead: true }),
    );
    return card.Item ? parseItem(surveyCardSchema, card.Item) : undefined;
  }

  async casesCompletedOn(day: string): Promise<Case[]> {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byDoneDay,
      pk: caseKeys.byDoneDay(day),
    });
    return items.map(parseCase);
  }
}
