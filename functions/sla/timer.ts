/**
 * Target of every SLA schedule (EventBridge Scheduler invokes it with the schedule's `Input`): one
 * escalation step of a case, a branch's next-morning priority run, one overdue rung of a complaint
 * investigation step (the same ladder, `shared/complaints/investigation.ts`), or the answer deadline of a
 * return application (`shared/warranty/returns.ts`), or a recurring run of the warranty domain
 * (`functions/warranty/runs.ts`). Throws on failure, so Scheduler retries and finally
 * parks the firing in the timer DLQ.
 */
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { handleTimer } from '../../shared/sla/service.ts';
import { timerPayloadSchema } from '../../shared/sla/timers.ts';
import { sla } from './catalog.ts';
import { slaTimerDeps } from './deps.ts';

// Nearly every firing is a case's SLA step; the others are few, so their domains are loaded when one
// comes (`./other-firings.ts`, a chunk beside the bundle), not at every cold start.
const others = () => import('./other-firings.ts');

export const handler = jobHandler(sla, 'sla-timer', timerPayloadSchema, async (payload, env) => ({
  outcome:
    payload.kind === 'complaint-step'
      ? await (await others()).complaintStep(env, payload)
      : payload.kind === 'return-decision'
        ? await (await others()).returnDecision(env, payload)
        : payload.kind === 'warranty-run'
          ? await (await others()).warrantyRun(env, payload)
          : await handleTimer(slaTimerDeps(env), payload),
}));
