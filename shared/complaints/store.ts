/**
 * Complaint store: numbering and the staff lists. Creating a complaint is part of the operation that
 * raises it (e.g. recording a survey answer): `service.ts` adds the complaint and its visit task to that
 * operation's unit of work, so an answer and its complaint are stored together or not at all.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nextInSequence } from '../store/counter.ts';
import { parseItem } from '../store/item.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { queryPage } from '../store/query.ts';
import { Index } from '../store/table.ts';
import { type Complaint, complaintItemSchema, complaintKeys, type Task, taskItemSchema } from './model.ts';

export interface ComplaintStore {
  /** Next complaint number of the day from an atomic counter. */
  nextSequence(day: string): Promise<number>;
  /** Open complaints, oldest first. */
  listOpen(q: PageQuery): Promise<Page<Complaint>>;
  /** Open supervisor visits, oldest first. */
  listOpenVisits(q: PageQuery): Promise<Page<Task>>;
}

export class DynamoComplaintStore implements ComplaintStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  nextSequence(day: string): Promise<number> {
    return nextInSequence(this.db, this.tableName, complaintKeys.counter(day));
  }

  listOpen(q: PageQuery): Promise<Page<Complaint>> {
    return queryPage(
      this.db,
      this.tableName,
      { index: Index.byStatus, pk: complaintKeys.byStatus('open') },
      q,
      (i) => parseItem(complaintItemSchema, i),
    );
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
}
