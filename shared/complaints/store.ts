/**
 * Complaint store: numbering, the complaint with its steps, timeline and escalations (one partition per
 * complaint), the staff and customer lists, the case library and the settings. Every change is a unit of
 * work (`commit`): the complaint's version check, its timeline entry carrying the events, and whatever
 * else the change writes, in one transaction.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { caseKeys } from '../cases/model.ts';
import { nextInSequence } from '../store/counter.ts';
import { parseItem } from '../store/item.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { queryAll, queryPage } from '../store/query.ts';
import { Index } from '../store/table.ts';
import { commit, type UnitOfWork } from '../store/unit-of-work.ts';
import {
  type Complaint,
  type ComplaintSettings,
  type ComplaintStep,
  type ComplaintTimelineEntry,
  complaintItemSchema,
  complaintKeys,
  defaultComplaintSettings,
  type LibraryEntry,
  libraryItemSchema,
  type StepEscalation,
  settingsItemSchema,
  stepEscalationItemSchema,
  stepItemSchema,
  type Task,
  taskItemSchema,
  timelineItemSchema,
  upgradeComplaint,
} from './model.ts';

export interface ComplaintStore {
  /** Next complaint number of the day from an atomic counter. */
  nextSequence(day: string): Promise<number>;
  get(id: string): Promise<Complaint | undefined>;
  /** Complaints in a status, oldest first. */
  listByStatus(status: Complaint['status'], q: PageQuery): Promise<Page<Complaint>>;
  /** A customer's complaints, newest first. */
  listOfCustomer(customerId: string, q: PageQuery): Promise<Page<Complaint>>;
  /** Every complaint of a customer (for linking repeats; customers have few). */
  allOfCustomer(customerId: string): Promise<Complaint[]>;
  /** Open supervisor visits, oldest first. */
  listOpenVisits(q: PageQuery): Promise<Page<Task>>;
  steps(complaintId: string): Promise<ComplaintStep[]>;
  getStep(complaintId: string, stepId: string): Promise<ComplaintStep | undefined>;
  /** Waiting steps owned by a role, soonest due first. */
  waitingSteps(role: string, q: PageQuery): Promise<Page<ComplaintStep>>;
  timeline(complaintId: string): Promise<ComplaintTimelineEntry[]>;
  getEscalation(complaintId: string, stepId: string, rung: string): Promise<StepEscalation | undefined>;
  markNotified(complaintId: string, stepId: string, rung: string, at: string): Promise<void>;
  /** Commits a unit of work; a failed condition is the unit's conflict error unless a write names an outcome. */
  commit<O extends string>(unit: UnitOfWork<O>): Promise<'committed' | O>;
  settings(): Promise<ComplaintSettings>;
  library(by: { productLine?: string; cause?: string }, q: PageQuery): Promise<Page<LibraryEntry>>;
}

export class DynamoComplaintStore implements ComplaintStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private readonly complaint = (i: Record<string, unknown>) =>
    parseItem(complaintItemSchema, upgradeComplaint(i));

  nextSequence(day: string): Promise<number> {
    return nextInSequence(this.db, this.tableName, complaintKeys.counter(day));
  }

  async get(id: string): Promise<Complaint | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: complaintKeys.item(id), ConsistentRead: true }),
    );
    return out.Item ? this.complaint(out.Item) : undefined;
  }

  listByStatus(status: Complaint['status'], q: PageQuery): Promise<Page<Complaint>> {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byStatus, pk: complaintKeys.byStatus(status) },
      q,
      this.complaint,
    );
  }

  listOfCustomer(customerId: string, q: PageQuery): Promise<Page<Complaint>> {
    return queryPage(
      this.db,
      this.tableName,
      {
        index: Index.byOwner,
        pk: caseKeys.byCustomer(customerId),
        skPrefix: complaintKeys.customerPrefix,
        newestFirst: true,
      },
      q,
      this.complaint,
    );
  }

  async allOfCustomer(customerId: string): Promise<Complaint[]> {
    const items = await queryAll(this.db, this.tableName, {
      index: Index.byOwner,
      pk: caseKeys.byCustomer(customerId),
      skPrefix: complaintKeys.customerPrefix,
    });
    return items.map(this.complaint);
  }

  listOpenVisits(q: PageQuery): Promise<Page<Task>> {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byStatus, pk: complaintKeys.tasksByStatus('supervisor_visit', 'open') },
      q,
      (i) => parseItem(taskItemSchema, i),
    );
  }

  async steps(complaintId: string): Promise<ComplaintStep[]> {
    const items = await queryAll(this.db, this.tableName, {
      pk: complaintKeys.item(complaintId).pk,
      skPrefix: complaintKeys.stepPrefix,
      consistent: true,
    });
    return items.map((i) => parseItem(stepItemSchema, i));
  }

  async getStep(complaintId: string, stepId: string): Promise<ComplaintStep | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: complaintKeys.step(complaintId, stepId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? parseItem(stepItemSchema, out.Item) : undefined;
  }

  waitingSteps(role: string, q: PageQuery): Promise<Page<ComplaintStep>> {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byAssignee, pk: complaintKeys.stepsByOwner(role) },
      q,
      (i) => parseItem(stepItemSchema, i),
    );
  }

  async timeline(complaintId: string): Promise<ComplaintTimelineEntry[]> {
    const items = await queryAll(this.db, this.tableName, {
      pk: complaintKeys.item(complaintId).pk,
      skPrefix: complaintKeys.timelinePrefix,
      consistent: true,
    });
    return items.map((i) => parseItem(timelineItemSchema, i));
  }

  async getEscalation(
    complaintId: string,
    stepId: string,
    rung: string,
  ): Promise<StepEscalation | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: complaintKeys.escalation(complaintId, stepId, rung),
        ConsistentRead: true,
      }),
    );
    return out.Item ? parseItem(stepEscalationItemSchema, out.Item) : undefined;
  }

  async markNotified(complaintId: string, stepId: string, rung: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: complaintKeys.escalation(complaintId, stepId, rung),
        UpdateExpression: 'SET notifiedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  commit<O extends string>(unit: UnitOfWork<O>): Promise<'committed' | O> {
    return commit(this.db, this.tableName, unit);
  }

  async settings(): Promise<ComplaintSettings> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: complaintKeys.settings(), ConsistentRead: true }),
    );
    return out.Item ? parseItem(settingsItemSchema, out.Item).value : defaultComplaintSettings();
  }

  library(by: { productLine?: string; cause?: string }, q: PageQuery): Promise<Page<LibraryEntry>> {
    const parse = (i: Record<string, unknown>) => parseItem(libraryItemSchema, i);
    if (by.productLine)
      return queryPage(
        this.db,
        this.tableName,
        {
          index: Index.byOwner,
          pk: complaintKeys.libraryByProductLine(by.productLine),
          ...(by.cause ? { skPrefix: `${by.cause}#` } : {}),
          newestFirst: true,
        },
        q,
        parse,
      );
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byStatus, pk: complaintKeys.libraryByCause(by.cause ?? ''), newestFirst: true },
      q,
      parse,
    );
  }
}
