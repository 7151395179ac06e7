/**
 * Target of every SLA schedule (EventBridge Scheduler invokes it with the schedule's `Input`): one
 * escalation step of a case, a branch's next-morning priority run, one overdue rung of a complaint
 * investigation step (the same ladder, `shared/complaints/investigation.ts`), or the answer deadline of a
 * return application (`shared/warranty/returns.ts`), or a recurring run of the warranty domain
 * (`functions/warranty/runs.ts`). Throws on failure, so Scheduler retries and finally
 * parks the firing in the timer DLQ.
 */
import { handleStepTimer } from '../../shared/complaints/investigation.ts';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { handleTimer } from '../../shared/sla/service.ts';
import { timerPayloadSchema } from '../../shared/sla/timers.ts';
import { handleReturnTimer } from '../../shared/warranty/returns.ts';
import { complaintTimerDeps } from '../complaints/deps.ts';
import { returnTimerDeps } from '../warranty/deps.ts';
import { warrantyRun } from '../warranty/runs.ts';
import { sla } from './catalog.ts';
import { slaTimerDeps } from './deps.ts';

export const handler = jobHandler(sla, 'sla-timer', timerPayloadSchema, async (payload, env) => ({
  outcome:
    payload.kind === 'complaint-step'
      ? await handleStepTimer(complaintTimerDeps(env, slaTimerDeps(env)), payload)
      : payload.kind === 'return-decision'
        ? await handleReturnTimer(returnTimerDeps(env), payload)
        : payload.kind === 'warranty-run'
          ? await warrantyRun(env, payload)
          : await handleTimer(slaTimerDeps(env), payload),
}));
