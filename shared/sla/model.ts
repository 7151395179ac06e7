/**
 * Stored SLA items and their keys. Milestones, escalation records and the dispatch-queue entry live in
 * the case partition (one Query reads a case with its whole SLA state); branch calendars and policies
 * in the branch partition; measures in one partition per branch and month.
 *
 * | item | pk | sk | index |
 * |---|---|---|---|
 * | milestone | `CASE#<id>` | `SLA#M#<kind>` | |
 * | escalation record | `CASE#<id>` | `SLA#E#<kind>#<step>` | |
 * | timeline entry of an escalation | `CASE#<id>` | `TL#<case version>#SLA#<step due at>#<kind>#<step>` | |
 * | dispatch-queue entry (while `received`) | `CASE#<id>` | `SLA#QUEUE` | gsi2 `DISPATCHQ#<branch>` / `<0 priority, 1 not>#<arrival due>#<id>` |
 * | branch calendar / policy | `BRANCH#<id>` | `CALENDAR` / `SLA_POLICY` | |
 * | their history | `BRANCH#<id>` | `CALENDAR#<at>#<n>` / `SLA_POLICY#<at>#<n>` | |
 * | measures | `SLAMEASURE#<branch>#<yyyy-mm>` | `<kind>` | |
 *
 * The escalation's timeline sort key starts with the case version it follows, then the instant the step
 * was due, so `GET /cases/{id}/timeline` (which reads every `TL#` item of the partition in key order)
 * shows escalations in place and in order, without touching the version-numbered entries of commands.
 */
import type { MilestoneKind } from './policy.ts';

export const SLA_SCHEMA_VERSION = 1;

export const slaKeys = {
  milestone: (caseId: string, kind: MilestoneKind) => ({ pk: `CASE#${caseId}`, sk: `SLA#M#${kind}` }),
  milestonePrefix: 'SLA#M#',
  escalation: (caseId: string, kind: MilestoneKind, step: string) => ({
    pk: `CASE#${caseId}`,
    sk: `SLA#E#${kind}#${step}`,
  }),
  escalationPrefix: 'SLA#E#',
  escalationTimeline: (
    caseId: string,
    caseVersion: number,
    fireAt: string,
    kind: MilestoneKind,
    step: string,
  ) => ({
    pk: `CASE#${caseId}`,
    sk: `TL#${String(caseVersion).padStart(8, '0')}#SLA#${fireAt}#${kind}#${step}`,
  }),
  queue: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'SLA#QUEUE' }),
  queueIndex: (branchId: string) => `DISPATCHQ#${branchId}`,
  queueOrder: (priority: boolean, arrivalDueAt: string | undefined, caseId: string) =>
    `${priority ? '0' : '1'}#${arrivalDueAt ?? '9999'}#${caseId}`,
  calendar: (branchId: string) => ({ pk: `BRANCH#${branchId}`, sk: 'CALENDAR' }),
  policy: (branchId: string) => ({ pk: `BRANCH#${branchId}`, sk: 'SLA_POLICY' }),
  measures: (branchId: string, month: string) => `SLAMEASURE#${branchId}#${month}`,
};

/** One escalation step taken, kept so that a redelivered timer never escalates twice. */
export interface EscalationRecord {
  caseId: string;
  milestone: MilestoneKind;
  step: string;
  level: string;
  notify: string;
  recipients: string[];
  dueAt: string;
  fireAt: string;
  at: string;
  /** Set once the event is published and the e-mails are sent. */
  notifiedAt?: string;
}

/** A case waiting for dispatch, as the dispatcher's queue lists it. */
export interface QueueEntry {
  caseId: string;
  number: string;
  branchId: string;
  zone: string;
  emergency: boolean;
  createdAt: string;
  arrivalDueAt?: string;
  /** Not dispatched on the day it came in: dispatched first the next morning (000 (十八)). */
  priority: boolean;
  priorityAt?: string;
}

/** Milestone measures of a branch and month (SPEC §10). */
export interface MilestoneMeasure {
  milestone: MilestoneKind;
  met: number;
  onTime: number;
  /** Share met on time, 0–1; null when nothing was met yet. */
  onTimeRate: number | null;
  /** Average minutes of the milestone's clock from start to met, pauses excluded. */
  averageMinutes: number | null;
}
