/**
 * SLA clock: for every case event, recomputes the case's milestones from the case and its timeline and
 * brings their schedules and the dispatch-queue entry in line; after a calendar change, moves the
 * branch's morning schedule. Failures are redelivered by the queue, then parked in its DLQ.
 */
import { eventConsumer } from '../../shared/runtime/consumer-bundle.ts';
import { reconcileCase, scheduleMorning } from '../../shared/sla/service.ts';
import { sla } from './catalog.ts';
import { slaClockDeps } from './deps.ts';

export const handler = eventConsumer(sla, 'sla-clock', {
  'Case Opened': async (detail, env) => {
    await reconcileCase(slaClockDeps(env), detail.caseId);
  },
  'Case Updated': async (detail, env) => {
    await reconcileCase(slaClockDeps(env), detail.caseId);
  },
  'SLA Calendar Changed': async (detail, env) => {
    await scheduleMorning(slaClockDeps(env), detail.branchId);
  },
});
