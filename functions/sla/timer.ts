/**
 * Target of every SLA schedule (EventBridge Scheduler invokes it with the schedule's `Input`): one
 * escalation step of a case, a branch's next-morning priority run, or the answer deadline of a return
 * application (the returns clock runs on the same working calendars and timer group). Throws on failure, so Scheduler
 * retries and finally parks the firing in the timer DLQ.
 */
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { handleTimer } from '../../shared/sla/service.ts';
import { timerPayloadSchema } from '../../shared/sla/timers.ts';
import { handleReturnTimer } from '../../shared/warranty/returns.ts';
import { returnTimerDeps } from '../warranty/deps.ts';
import { sla } from './catalog.ts';
import { slaTimerDeps } from './deps.ts';

export const handler = jobHandler(sla, 'sla-timer', timerPayloadSchema, async (payload, env) => ({
  outcome:
    payload.kind === 'return-decision'
      ? await handleReturnTimer(returnTimerDeps(env), payload)
      : await handleTimer(slaTimerDeps(env), payload),
}));
