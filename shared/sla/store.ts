/**
 * SLA store: the port the SLA service uses and its DynamoDB implementation. Reads are GetItem or Query
 * (the case partition, the dispatch-queue index), parsed by each item's schema;
 * writes are conditional units of work so that older computations, redeliveries and races cannot
 * overwrite newer state or count a measure twice.
 */

import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '../../events/registry.ts';
import { type Case, caseItems, caseKeys, type TimelineEntry } from '../cases/model.ts';
import { parseCase, parseTimelineEntry, readCasePartition } from '../cases/store.ts';
import { parseItem } from '../store/item.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { queryAll, queryPage } from '../store/query.ts';
import { Index, tableDefinition } from '../store/table.ts';
import {
  commit,
  insert,
  insertOutbox,
  put,
  UnitOfWork,
  update,
  updateExisting,
} from '../store/unit-of-work.ts';
import type { WorkingCalendar } from './calendar.ts';
import {
  BRANCH_CALENDAR_SCHEMA_VERSION,
  calendarItemSchema,
  DISPATCH_QUEUE_SCHEMA_VERSION,
  type EscalationRecord,
  escalationItemSchema,
  jobItemSchema,
  loadItemSchema,
  milestoneItemSchema,
  policyItemSchema,
  type QueueEntry,
  queueItemSchema,
  SLA_ESCALATION_SCHEMA_VERSION,
  SLA_MET_SCHEMA_VERSION,
  SLA_MILESTONE_SCHEMA_VERSION,
  SLA_POLICY_SCHEMA_VERSION,
  type StoredJob,
  type StoredLoad,
  type StoredMilestone,
  type StoredQueueEntry,
  slaKeys,
  TECHNICIAN_JOB_SCHEMA_VERSION,
  TECHNICIAN_LOAD_SCHEMA_VERSION,
} from './model.ts';
import type { MilestoneKind, SlaPolicy } from './policy.ts';

export type { StoredMilestone };

/** Everything the SLA service needs of one case, read in one Query. */
export interface CaseSlaSnapshot {
  case: Case;
  /** The case's own timeline (its commands), without the SLA's escalation entries. */
  timeline: TimelineEntry[];
  milestones: Map<MilestoneKind, StoredMilestone>;
  escalations: Map<string, EscalationRecord>;
  queue?: StoredQueueEntry;
  /** The case's working-day entries, by `<technician>#<day>`, and its open-load entry. */
  jobs: Map<string, StoredJob>;
  load?: StoredLoad;
}

export interface BranchSetting<T> {
  value: T;
  updatedAt?: string;
  updatedBy?: string;
}

/** The settings a branch keeps for its SLA clocks, by kind. */
export interface BranchSettings {
  calendar: WorkingCalendar;
  policy: SlaPolicy;
}
export type SettingKind = keyof BranchSettings;

/** Where and how each setting is stored: one description serves both, so reads and writes cannot drift. */
const settings = {
  calendar: {
    key: slaKeys.calendar,
    schema: calendarItemSchema,
    header: { entity: 'BranchCalendar', schemaVersion: BRANCH_CALENDAR_SCHEMA_VERSION },
  },
  policy: {
    key: slaKeys.policy,
    schema: policyItemSchema,
    header: { entity: 'SlaPolicy', schemaVersion: SLA_POLICY_SCHEMA_VERSION },
  },
} as const;

export interface SlaStore {
  /** A branch setting; an unset one is the default (the schema applied to `{}`). */
  getSetting<K extends SettingKind>(kind: K, branchId: string): Promise<BranchSetting<BranchSettings[K]>>;
  /** Replaces a setting and appends it to the branch's settings history, with its events (outbox). */
  putSetting<K extends SettingKind>(
    kind: K,
    branchId: string,
    value: BranchSettings[K],
    by: string,
    at: string,
    events?: DomainEvent[],
  ): Promise<void>;
  loadCase(caseId: string): Promise<CaseSlaSnapshot | undefined>;
  /**
   * Writes a milestone unless a newer case version is stored; the first write that records it as met also
   * inserts its met record, which carries `met` (`SLA Milestone Met`, counted by the measures). False when
   * a newer computation won.
   */
  saveMilestone(m: StoredMilestone, met?: DomainEvent<'SLA Milestone Met'>): Promise<boolean>;
  /** Puts the queue entry (`queued` false keeps a tombstone out of the index), unless newer or re-prioritised. */
  saveQueueEntry(
    entry: QueueEntry,
    caseVersion: number,
    queued: boolean,
    expectedPriority: boolean | undefined,
  ): Promise<boolean>;
  /**
   * Records an escalation step with its timeline entry, whose outbox carries the step's event (relayed
   * from the table stream): exactly one record, entry and event per step. False when recorded before.
   */
  recordEscalation(record: EscalationRecord, entry: TimelineEntry, caseVersion: number): Promise<boolean>;
  getEscalation(caseId: string, kind: MilestoneKind, step: string): Promise<EscalationRecord | undefined>;
  markNotified(caseId: string, kind: MilestoneKind, step: string, at: string): Promise<void>;
  listQueue(branchId: string, page: PageQuery): Promise<Page<QueueEntry>>;
  /** Marks a queued entry as priority; false when it left the queue or was already priority. */
  markPriority(entry: QueueEntry, at: string): Promise<boolean>;
  /**
   * Writes a case's working-day entries and its open-load entry together, unless a newer case version
   * wrote them; false then. Entries with `listed: false` stay as tombstones out of the indexes.
   */
  saveBoard(caseVersion: number, load: StoredLoad | undefined, jobs: StoredJob[]): Promise<boolean>;
  /** A technician's jobs of a day, in order (one Query). */
  listJobs(technicianId: string, day: string): Promise<StoredJob[]>;
  /** A branch's open load, by technician and soonest due (one Query). */
  listLoad(branchId: string): Promise<StoredLoad[]>;
}

const strip = <T extends { entity: string; schemaVersion: number }>({
  entity: _e,
  schemaVersion: _v,
  ...rest
}: T): Omit<T, 'entity' | 'schemaVersion'> => rest;

export class DynamoSlaStore implements SlaStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getSetting<K extends SettingKind>(
    kind: K,
    branchId: string,
  ): Promise<BranchSetting<BranchSettings[K]>> {
    const setting = settings[kind];
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: setting.key(branchId) }));
    if (!out.Item) return { value: setting.schema.shape.value.parse({}) as BranchSettings[K] };
    const item = parseItem(setting.schema, out.Item);
    return { value: item.value as BranchSettings[K], updatedAt: item.updatedAt, updatedBy: item.updatedBy };
  }

  /** The current setting, and an entry in the branch's settings history (who changed what, when). */
  async putSetting<K extends SettingKind>(
    kind: K,
    branchId: string,
    value: BranchSettings[K],
    by: string,
    at: string,
    events: DomainEvent[] = [],
  ): Promise<void> {
    const setting = settings[kind];
    const current = setting.key(branchId);
    const item = { ...setting.header, branchId, value, updatedAt: at, updatedBy: by };
    const unit = new UnitOfWork()
      .add(
        put({ ...current, ...item }),
        insertOutbox({ ...slaKeys.history(current, at, randomUUID().slice(0, 8)), ...item }),
      )
      .emit(...events);
    await commit(this.db, this.tableName, unit);
  }

  async loadCase(caseId: string): Promise<CaseSlaSnapshot | undefined> {
    const items = await readCasePartition(this.db, this.tableName, caseId, true);
    const caseItem = items.find((i) => caseKeys.isItem(i.sk));
    if (!caseItem) return undefined;
    const snapshot: CaseSlaSnapshot = {
      case: parseCase(caseItem),
      timeline: [],
      milestones: new Map(),
      escalations: new Map(),
      jobs: new Map(),
    };
    for (const item of items) {
      if (slaKeys.isEscalationTimeline(item.sk)) continue;
      if (caseKeys.isTimeline(item.sk)) snapshot.timeline.push(parseTimelineEntry(item));
      else if (slaKeys.isMilestone(item.sk)) {
        const m = parseItem(milestoneItemSchema, item);
        snapshot.milestones.set(m.kind, m);
      } else if (slaKeys.isEscalation(item.sk)) {
        const e = parseItem(escalationItemSchema, item);
        snapshot.escalations.set(`${e.milestone}#${e.step}`, e);
      } else if (item.sk === slaKeys.queue(caseId).sk) {
        snapshot.queue = parseItem(queueItemSchema, item);
      } else if (slaKeys.isJob(item.sk)) {
        const j = parseItem(jobItemSchema, item);
        snapshot.jobs.set(`${j.technicianId}#${j.day}`, j);
      } else if (item.sk === slaKeys.load(caseId).sk) {
        snapshot.load = parseItem(loadItemSchema, item);
      }
    }
    return snapshot;
  }

  async saveMilestone(m: StoredMilestone, met?: DomainEvent<'SLA Milestone Met'>): Promise<boolean> {
    const unit = new UnitOfWork<'stale'>().add(
      put(
        {
          ...slaKeys.milestone(m.caseId, m.kind),
          entity: 'SlaMilestone',
          schemaVersion: SLA_MILESTONE_SCHEMA_VERSION,
          ...m,
        },
        {
          // Counting a measure needs the first write that records the milestone met.
          condition: met
            ? 'attribute_not_exists(metAt) AND (attribute_not_exists(caseVersion) OR caseVersion <= :v)'
            : 'attribute_not_exists(caseVersion) OR caseVersion <= :v',
          values: { ':v': m.caseVersion },
          onConflict: 'stale',
        },
      ),
    );
    if (met) {
      const { detail } = met;
      const record = {
        caseId: detail.caseId,
        branchId: detail.branchId,
        milestone: detail.milestone,
        metAt: detail.metAt,
        day: detail.day,
        onTime: detail.onTime,
        activeMinutes: detail.activeMinutes,
      };
      unit
        .add(
          insertOutbox(
            {
              ...slaKeys.met(record),
              ...slaKeys.metIndex(record),
              entity: 'SlaMilestoneMet',
              schemaVersion: SLA_MET_SCHEMA_VERSION,
              ...record,
            },
            'stale',
          ),
        )
        .emit(met);
    }
    return (await commit(this.db, this.tableName, unit)) === 'committed';
  }

  async saveQueueEntry(
    entry: QueueEntry,
    caseVersion: number,
    queued: boolean,
    expectedPriority: boolean | undefined,
  ): Promise<boolean> {
    const item = {
      ...slaKeys.queue(entry.caseId),
      ...(queued ? slaKeys.queueIndex(entry) : {}),
      entity: 'DispatchQueueEntry',
      schemaVersion: DISPATCH_QUEUE_SCHEMA_VERSION,
      ...entry,
      caseVersion,
      queued,
    };
    // Not over a newer computation, and not over a priority mark made since we read the entry.
    const write =
      expectedPriority === undefined
        ? insert(item, 'stale' as const)
        : put(item, {
            condition: 'caseVersion <= :v AND priority = :p',
            values: { ':v': caseVersion, ':p': expectedPriority },
            onConflict: 'stale' as const,
          });
    return (await commit(this.db, this.tableName, new UnitOfWork<'stale'>().add(write))) === 'committed';
  }

  async recordEscalation(
    record: EscalationRecord,
    entry: TimelineEntry,
    caseVersion: number,
  ): Promise<boolean> {
    const timeline = caseItems.timeline(entry);
    const unit = new UnitOfWork<'duplicate'>().add(
      insert(
        {
          ...slaKeys.escalation(record.caseId, record.milestone, record.step),
          entity: 'SlaEscalation',
          schemaVersion: SLA_ESCALATION_SCHEMA_VERSION,
          ...record,
        },
        'duplicate',
      ),
      insertOutbox({
        ...timeline,
        ...slaKeys.escalationTimeline(
          record.caseId,
          caseVersion,
          record.fireAt,
          record.milestone,
          record.step,
        ),
      }),
    );
    return (await commit(this.db, this.tableName, unit)) === 'committed';
  }

  async getEscalation(
    caseId: string,
    kind: MilestoneKind,
    step: string,
  ): Promise<EscalationRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: slaKeys.escalation(caseId, kind, step),
        ConsistentRead: true,
      }),
    );
    return out.Item ? parseItem(escalationItemSchema, out.Item) : undefined;
  }

  async markNotified(caseId: string, kind: MilestoneKind, step: string, at: string): Promise<void> {
    const write = updateExisting(slaKeys.escalation(caseId, kind, step), 'SET notifiedAt = :at', {
      values: { ':at': at },
    });
    await commit(this.db, this.tableName, new UnitOfWork().add(write));
  }

  listQueue(branchId: string, page: PageQuery): Promise<Page<QueueEntry>> {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byStatus, pk: slaKeys.queueOf(branchId) },
      page,
      (i) => {
        const {
          caseVersion: _v,
          queued: _q,
          entity: _e,
          schemaVersion: _s,
          ...entry
        } = parseItem(queueItemSchema, i);
        return entry;
      },
    );
  }

  async markPriority(entry: QueueEntry, at: string): Promise<boolean> {
    const ix = tableDefinition.indexes[Index.byStatus];
    const order = slaKeys.queueIndex({ ...entry, priority: true });
    const write = update(
      slaKeys.queue(entry.caseId),
      'SET priority = :true, priorityAt = :at, #order = :order',
      {
        condition: 'queued = :true AND priority = :false',
        names: { '#order': ix.sortKey },
        values: { ':true': true, ':false': false, ':at': at, ':order': order[ix.sortKey] },
        onConflict: 'skipped' as const,
      },
    );
    return (await commit(this.db, this.tableName, new UnitOfWork<'skipped'>().add(write))) === 'committed';
  }

  async saveBoard(caseVersion: number, load: StoredLoad | undefined, jobs: StoredJob[]): Promise<boolean> {
    const guard = {
      condition: 'attribute_not_exists(caseVersion) OR caseVersion <= :v',
      values: { ':v': caseVersion },
      onConflict: 'stale' as const,
    };
    const unit = new UnitOfWork<'stale'>();
    if (load) {
      unit.add(
        put(
          {
            ...slaKeys.load(load.caseId),
            ...(load.listed ? slaKeys.loadIndex(load) : {}),
            entity: 'TechnicianLoad',
            schemaVersion: TECHNICIAN_LOAD_SCHEMA_VERSION,
            ...load,
          },
          guard,
        ),
      );
    }
    for (const j of jobs) {
      unit.add(
        put(
          {
            ...slaKeys.job(j.caseId, j.technicianId, j.day),
            ...(j.listed ? slaKeys.jobIndex(j) : {}),
            entity: 'TechnicianJob',
            schemaVersion: TECHNICIAN_JOB_SCHEMA_VERSION,
            ...j,
          },
          guard,
        ),
      );
    }
    return (await commit(this.db, this.tableName, unit)) === 'committed';
  }

  async listJobs(technicianId: string, day: string): Promise<StoredJob[]> {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byAssignee,
      pk: slaKeys.jobsOf(technicianId, day),
    });
    return items.map((i) => strip(parseItem(jobItemSchema, i)));
  }

  async listLoad(branchId: string): Promise<StoredLoad[]> {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byAssignee,
      pk: slaKeys.loadOf(branchId),
    });
    return items.map((i) => strip(parseItem(loadItemSchema, i)));
  }
}
