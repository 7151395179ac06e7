/**
 * SLA store: the port the SLA service uses and its DynamoDB implementation. Reads are GetItem or Query
 * (the case partition, the dispatch-queue index, a measures partition); writes are conditional so that
 * older computations, redeliveries and races cannot overwrite newer state or count a measure twice.
 */

import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { outboxAttributes, withOutbox } from '../../events/outbox.ts';
import type { DomainEvent } from '../../events/registry.ts';
import type { Case, TimelineEntry } from '../cases/model.ts';
import { decodeCursor, encodeCursor, type Page } from '../store/pagination.ts';
import { Index, withoutKeys } from '../store/table.ts';
import { parseCalendar, type WorkingCalendar } from './calendar.ts';
import type { Milestone } from './milestones.ts';
import {
  type EscalationRecord,
  type MilestoneMeasure,
  type QueueEntry,
  SLA_SCHEMA_VERSION,
  slaKeys,
} from './model.ts';
import { type MilestoneKind, milestoneKinds, parsePolicy, type SlaPolicy } from './policy.ts';

/** A stored milestone: the computed state plus what the SLA service keeps with it. */
export interface StoredMilestone extends Milestone {
  caseId: string;
  branchId: string;
  /** The case version this state was computed from; older computations never overwrite it. */
  caseVersion: number;
  /** Names of the schedules pending for it. */
  timers: string[];
}

/** Everything the SLA service needs of one case, read in one Query. */
export interface CaseSlaSnapshot {
  case: Case;
  timeline: TimelineEntry[];
  milestones: Map<MilestoneKind, StoredMilestone>;
  escalations: Map<string, EscalationRecord>;
  queue?: QueueEntry & { caseVersion: number; queued: boolean };
}

export interface MeasureIncrement {
  month: string;
  onTime: boolean;
  minutes: number;
}

export interface BranchSetting<T> {
  value: T;
  updatedAt?: string;
  updatedBy?: string;
}

export interface SlaStore {
  getCalendar(branchId: string): Promise<BranchSetting<WorkingCalendar>>;
  /** Replaces the calendar and appends it to the branch's settings history with its events (outbox). */
  putCalendar(
    branchId: string,
    calendar: WorkingCalendar,
    by: string,
    at: string,
    events: DomainEvent[],
  ): Promise<void>;
  getPolicy(branchId: string): Promise<BranchSetting<SlaPolicy>>;
  /** Replaces the policy and appends it to the branch's settings history. */
  putPolicy(branchId: string, policy: SlaPolicy, by: string, at: string): Promise<void>;
  loadCase(caseId: string): Promise<CaseSlaSnapshot | undefined>;
  /**
   * Writes a milestone unless a newer case version is stored; the first write that records it as met also
   * counts it in the month's measures. False when a newer computation won.
   */
  saveMilestone(m: StoredMilestone, measure?: MeasureIncrement): Promise<boolean>;
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
  listQueue(branchId: string, limit: number, cursor?: string): Promise<Page<QueueEntry>>;
  /** Marks a queued entry as priority; false when it left the queue or was already priority. */
  markPriority(entry: QueueEntry, at: string): Promise<boolean>;
  measures(branchId: string, month: string): Promise<MilestoneMeasure[]>;
}

function isConditionFailure(err: unknown): boolean {
  if (err instanceof ConditionalCheckFailedException) return true;
  return (
    err instanceof TransactionCanceledException &&
    (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')
  );
}

export class DynamoSlaStore implements SlaStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getCalendar(branchId: string): Promise<BranchSetting<WorkingCalendar>> {
    return this.getSetting(slaKeys.calendar(branchId), parseCalendar);
  }

  async putCalendar(
    branchId: string,
    calendar: WorkingCalendar,
    by: string,
    at: string,
    events: DomainEvent[],
  ): Promise<void> {
    await this.putSetting(slaKeys.calendar(branchId), 'BranchCalendar', branchId, calendar, by, at, events);
  }

  async getPolicy(branchId: string): Promise<BranchSetting<SlaPolicy>> {
    return this.getSetting(slaKeys.policy(branchId), parsePolicy);
  }

  async putPolicy(branchId: string, policy: SlaPolicy, by: string, at: string): Promise<void> {
    await this.putSetting(slaKeys.policy(branchId), 'SlaPolicy', branchId, policy, by, at);
  }

  async loadCase(caseId: string): Promise<CaseSlaSnapshot | undefined> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `CASE#${caseId}` },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    const caseItem = items.find((i) => i.sk === 'CASE');
    if (!caseItem) return undefined;
    const snapshot: CaseSlaSnapshot = {
      case: withoutKeys<Case>(caseItem),
      timeline: [],
      milestones: new Map(),
      escalations: new Map(),
    };
    for (const item of items) {
      const sk = String(item.sk);
      if (sk.startsWith('TL#') && !sk.includes('#SLA#'))
        snapshot.timeline.push(withoutKeys<TimelineEntry>(item));
      else if (sk.startsWith(slaKeys.milestonePrefix)) {
        const m = withoutKeys<StoredMilestone>(item);
        snapshot.milestones.set(m.kind, m);
      } else if (sk.startsWith(slaKeys.escalationPrefix)) {
        const e = withoutKeys<EscalationRecord>(item);
        snapshot.escalations.set(`${e.milestone}#${e.step}`, e);
      } else if (sk === slaKeys.queue(caseId).sk) {
        snapshot.queue = withoutKeys<CaseSlaSnapshot['queue'] & object>(item);
      }
    }
    return snapshot;
  }

  async saveMilestone(m: StoredMilestone, measure?: MeasureIncrement): Promise<boolean> {
    const put = {
      TableName: this.tableName,
      Item: {
        ...slaKeys.milestone(m.caseId, m.kind),
        entity: 'SlaMilestone',
        schemaVersion: SLA_SCHEMA_VERSION,
        ...m,
      },
      ConditionExpression: measure
        ? 'attribute_not_exists(metAt) AND (attribute_not_exists(caseVersion) OR caseVersion <= :v)'
        : 'attribute_not_exists(caseVersion) OR caseVersion <= :v',
      ExpressionAttributeValues: { ':v': m.caseVersion },
    };
    try {
      if (!measure) {
        await this.db.send(new PutCommand(put));
        return true;
      }
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: put },
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: slaKeys.measures(m.branchId, measure.month), sk: m.kind },
                UpdateExpression: 'SET entity = :e ADD met :one, onTime :onTime, totalMinutes :minutes',
                ExpressionAttributeValues: {
                  ':e': 'SlaMeasure',
                  ':one': 1,
                  ':onTime': measure.onTime ? 1 : 0,
                  ':minutes': measure.minutes,
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async saveQueueEntry(
    entry: QueueEntry,
    caseVersion: number,
    queued: boolean,
    expectedPriority: boolean | undefined,
  ): Promise<boolean> {
    const index = queued
      ? {
          gsi2pk: slaKeys.queueIndex(entry.branchId),
          gsi2sk: slaKeys.queueOrder(entry.priority, entry.arrivalDueAt, entry.caseId),
        }
      : {};
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...slaKeys.queue(entry.caseId),
            ...index,
            entity: 'DispatchQueueEntry',
            schemaVersion: SLA_SCHEMA_VERSION,
            ...entry,
            caseVersion,
            queued,
          },
          // Not over a newer computation, and not over a priority mark made since we read the entry.
          ConditionExpression:
            expectedPriority === undefined
              ? 'attribute_not_exists(pk)'
              : 'caseVersion <= :v AND priority = :p',
          ...(expectedPriority === undefined
            ? {}
            : { ExpressionAttributeValues: { ':v': caseVersion, ':p': expectedPriority } }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async recordEscalation(
    record: EscalationRecord,
    entry: TimelineEntry,
    caseVersion: number,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...slaKeys.escalation(record.caseId, record.milestone, record.step),
                  entity: 'SlaEscalation',
                  schemaVersion: SLA_SCHEMA_VERSION,
                  ...record,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: withOutbox({
                  ...slaKeys.escalationTimeline(
                    record.caseId,
                    caseVersion,
                    record.fireAt,
                    record.milestone,
                    record.step,
                  ),
                  ...entry,
                }),
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
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
    return out.Item ? withoutKeys<EscalationRecord>(out.Item) : undefined;
  }

  async markNotified(caseId: string, kind: MilestoneKind, step: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: slaKeys.escalation(caseId, kind, step),
        UpdateExpression: 'SET notifiedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async listQueue(branchId: string, limit: number, cursor?: string): Promise<Page<QueueEntry>> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: Index.byStatus,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': slaKeys.queueIndex(branchId) },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, ['pk', 'sk', 'gsi2pk', 'gsi2sk']),
      }),
    );
    const nextCursor = encodeCursor(out.LastEvaluatedKey);
    const items = (out.Items ?? []).map((i) => {
      const {
        caseVersion: _v,
        queued: _q,
        entity: _e,
        schemaVersion: _s,
        ...entry
      } = withoutKeys<QueueEntry & Record<string, unknown>>(i);
      return entry as QueueEntry;
    });
    return { items, ...(nextCursor ? { nextCursor } : {}) };
  }

  async markPriority(entry: QueueEntry, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: slaKeys.queue(entry.caseId),
          UpdateExpression: 'SET priority = :true, priorityAt = :at, gsi2sk = :order',
          ConditionExpression: 'queued = :true AND priority = :false',
          ExpressionAttributeValues: {
            ':true': true,
            ':false': false,
            ':at': at,
            ':order': slaKeys.queueOrder(true, entry.arrivalDueAt, entry.caseId),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async measures(branchId: string, month: string): Promise<MilestoneMeasure[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': slaKeys.measures(branchId, month) },
      }),
    );
    const byKind = new Map((out.Items ?? []).map((i) => [String(i.sk), i]));
    return milestoneKinds.map((kind) => {
      const i = byKind.get(kind);
      const met = Number(i?.met ?? 0);
      const onTime = Number(i?.onTime ?? 0);
      const total = Number(i?.totalMinutes ?? 0);
      return {
        milestone: kind,
        met,
        onTime,
        onTimeRate: met ? Math.round((onTime / met) * 10_000) / 10_000 : null,
        averageMinutes: met ? Math.round((total / met) * 100) / 100 : null,
      };
    });
  }

  private async getSetting<T>(
    key: { pk: string; sk: string },
    parse: (input: unknown) => T,
  ): Promise<BranchSetting<T>> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key }));
    if (!out.Item) return { value: parse({}) };
    return {
      value: parse(out.Item.value),
      ...(out.Item.updatedAt ? { updatedAt: String(out.Item.updatedAt) } : {}),
      ...(out.Item.updatedBy ? { updatedBy: String(out.Item.updatedBy) } : {}),
    };
  }

  /** The current setting, and an entry in the branch's settings history (who changed what, when). */
  private async putSetting(
    key: { pk: string; sk: string },
    entity: string,
    branchId: string,
    value: unknown,
    by: string,
    at: string,
    events: DomainEvent[] = [],
  ) {
    const item = { entity, schemaVersion: SLA_SCHEMA_VERSION, branchId, value, updatedAt: at, updatedBy: by };
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { ...key, ...item } } },
          {
            Put: {
              TableName: this.tableName,
              Item: {
                pk: key.pk,
                sk: `${key.sk}#${at}#${randomUUID().slice(0, 8)}`,
                ...item,
                ...outboxAttributes(events),
              },
            },
          },
        ],
      }),
    );
  }
}
