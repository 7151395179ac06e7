/**
 * Target of every SLA schedule (EventBridge Scheduler invokes it with the schedule's `Input`): one
 * escalation step of a case, or a branch's next-morning priority run. Throws on failure, so Scheduler
 * retries and finally parks the firing in the timer DLQ.
 */
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { handleTimer } from '../../shared/sla/service.ts';
import { timerPayloadSchema } from '../../shared/sla/timers.ts';
import { sla } from './catalog.ts';
import { slaTimerDeps } from './deps.ts';

export const handler = jobHandler(sla, 'sla-timer', timerPayloadSchema, async (payload, env) => ({
  outcome: await handleTimer(slaTimerDeps(env), payload),
}));
