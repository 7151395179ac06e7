/**
 * Complaint operations (SPEC §7–§8): numbering, raising a complaint as part of the change that causes
 * it, and the staff lists. The investigation workflow will add its operations here.
 */

import { domainEvent } from '../../events/registry.ts';
import { localDay } from '../cases/numbering.ts';
import type { PageQuery } from '../store/pagination.ts';
import { insert, type UnitOfWork } from '../store/unit-of-work.ts';
import type { AnswerChannel, SurveyCardRecord } from '../surveys/model.ts';
import type { SurveyAnswers } from '../surveys/score.ts';
import {
  COMPLAINT_SCHEMA_VERSION,
  type Complaint,
  complaintItem,
  formatComplaintNumber,
  TASK_SCHEMA_VERSION,
  type Task,
  taskItem,
} from './model.ts';
import type { ComplaintStore } from './store.ts';

export interface ComplaintDeps {
  complaints: ComplaintStore;
  /** Branch time zone: complaint numbers carry the local day. */
  timeZone: string;
}

/** A survey answer that counts as a complaint: the card it answers and what the customer said. */
export interface SurveyComplaint {
  card: Pick<SurveyCardRecord, 'id' | 'caseId' | 'caseNumber' | 'branchId' | 'technicianId' | 'customer'>;
  via: AnswerChannel;
  ratings: SurveyAnswers;
  text: string;
  /** The customer said "this is a complaint" (rather than only rating an item at the lowest level). */
  flaggedByCustomer: boolean;
  /** When the answer was given: the complaint's creation time and the day of its number. */
  at: Date;
}

const channelOf: Record<AnswerChannel, Complaint['channel']> = {
  link: 'survey_link',
  email: 'survey_email',
  phone: 'survey_phone',
};

/** The next complaint number, `CP-<local day>-NNNN`, from the day's atomic counter. */
export async function nextComplaintNumber(deps: ComplaintDeps, at: Date): Promise<string> {
  const day = localDay(at, deps.timeZone);
  return formatComplaintNumber(day, await deps.complaints.nextSequence(day));
}

/**
 * Raises a complaint from a survey answer: numbers it, and adds the complaint, the supervisor's visit
 * to the customer (000 (二十八)) and `Complaint Raised` to the caller's unit of work, so they are
 * stored with the answer or not at all. A unit that meets them already stored ends as `'duplicate'`.
 */
export async function raiseSurveyComplaint<O extends string>(
  deps: ComplaintDeps,
  unit: UnitOfWork<O | 'duplicate'>,
  input: SurveyComplaint,
): Promise<Complaint> {
  // A lost race on a double submission wastes this number; the gap is harmless and rare.
  const number = await nextComplaintNumber(deps, input.at);
  const at = input.at.toISOString();
  const { card } = input;
  const visitTaskId = `VISIT-${number}`;
  const reasons: Complaint['reasons'] = [];
  if (input.flaggedByCustomer) reasons.push('flagged_by_customer');
  if (Object.values(input.ratings).includes(1)) reasons.push('lowest_level');
  const complaint: Complaint = {
    entity: 'Complaint',
    schemaVersion: COMPLAINT_SCHEMA_VERSION,
    id: number,
    number,
    status: 'open',
    source: 'survey',
    channel: channelOf[input.via],
    reasons,
    caseId: card.caseId,
    caseNumber: card.caseNumber,
    cardId: card.id,
    branchId: card.branchId,
    technicianId: card.technicianId,
    customer: {
      id: card.customer.id,
      name: card.customer.name,
      phone: card.customer.phone,
      ...(card.customer.email ? { email: card.customer.email } : {}),
    },
    ratings: input.ratings,
    text: input.text,
    visitTaskId,
    createdAt: at,
    version: 1,
  };
  const task: Task = {
    entity: 'Task',
    schemaVersion: TASK_SCHEMA_VERSION,
    id: visitTaskId,
    kind: 'supervisor_visit',
    role: 'dispatcher',
    status: 'open',
    complaintId: number,
    caseId: card.caseId,
    caseNumber: card.caseNumber,
    branchId: card.branchId,
    customer: {
      id: card.customer.id,
      name: card.customer.name,
      address: card.customer.address,
      phone: card.customer.phone,
    },
    createdAt: at,
    version: 1,
  };
  unit.add(insert(complaintItem(complaint), 'duplicate'), insert(taskItem(task), 'duplicate')).emit(
    domainEvent('Complaint Raised', {
      complaintId: complaint.id,
      number: complaint.number,
      source: 'survey',
      caseId: complaint.caseId,
      caseNumber: complaint.caseNumber,
      branchId: complaint.branchId,
      technicianId: complaint.technicianId,
      customerId: complaint.customer.id,
      reasons: complaint.reasons,
      visitTaskId,
      at,
    }),
  );
  return complaint;
}

/** Open complaints, oldest first. Agents, dispatchers and managers. */
export const listOpenComplaints = (deps: Pick<ComplaintDeps, 'complaints'>, q: PageQuery) =>
  deps.complaints.listOpen(q);

/** Open supervisor visits to complaining customers, oldest first. Dispatchers (supervisors) and managers. */
export const listOpenVisits = (deps: Pick<ComplaintDeps, 'complaints'>, q: PageQuery) =>
  deps.complaints.listOpenVisits(q);
