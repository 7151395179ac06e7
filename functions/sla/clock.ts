/**
 * SLA clock: for every case event, recomputes the case's milestones from the case and its timeline and
 * brings their schedules and the dispatch-queue entry in line; after a calendar change, moves the
 * branch's morning schedule. Errors are thrown so the event is retried and then parked in the DLQ.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { reconcileCase, scheduleMorning } from '../../shared/sla/service.ts';
import { slaClockDeps } from './deps.ts';

type Detail = { caseId?: string; branchId?: string };

export async function handler(event: EventBridgeEvent<string, Detail>): Promise<void> {
  const deps = slaClockDeps();
  if (event['detail-type'] === 'SLA Calendar Changed') {
    if (event.detail.branchId) await scheduleMorning(deps, event.detail.branchId);
    return;
  }
  if (event.detail.caseId) await reconcileCase(deps, event.detail.caseId);
}
