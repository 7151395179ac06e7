/**
 * Target of every SLA schedule (EventBridge Scheduler invokes it with the schedule's `Input`): one
 * escalation step of a case, a branch's next-morning priority run, one overdue rung of a complaint
 * investigation step (the same ladder, `shared/complaints/investigation.ts`), or the answer deadline of a
 * return application (`shared/warranty/returns.ts`), or a recurring run of the warranty domain
 * (`functions/warranty/runs.ts`). Throws on failure, so Scheduler retries and finally
 * parks the firing in the timer DLQ.
 */
import type { EnvOf } from '../../shared/runtime/function-env.ts';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { handleTimer } from '../../shared/sla/service.ts';
import { type TimerPayload, timerPayloadSchema } from '../../shared/sla/timers.ts';
import { sla } from './catalog.ts';
import { slaTimerDeps } from './deps.ts';

type Env = EnvOf<typeof sla, 'sla-timer'>;
type Firing<K extends TimerPayload['kind']> = Extract<TimerPayload, { kind: K }>;

// Nearly every firing is a case's SLA step. The complaint, return and warranty firings are few, so their
// domains are imported when one comes (chunks beside the bundle), not at every cold start.

async function complaintStep(env: Env, payload: Firing<'complaint-step'>) {
  const [{ handleStepTimer }, { complaintTimerDeps }] = await Promise.all([
    import('../../shared/complaints/investigation.ts'),
    import('../complaints/deps.ts'),
  ]);
  return handleStepTimer(complaintTimerDeps(env, slaTimerDeps(env)), payload);
}

async function returnDecision(env: Env, payload: Firing<'return-decision'>) {
  const [{ handleReturnTimer }, { returnTimerDeps }] = await Promise.all([
    import('../../shared/warranty/returns.ts'),
    import('../warranty/deps.ts'),
  ]);
  return handleReturnTimer(returnTimerDeps(env), payload);
}

async function warrantyRun(env: Env, payload: Firing<'warranty-run'>) {
  const { warrantyRun } = await import('../warranty/runs.ts');
  return warrantyRun(env, payload);
}

export const handler = jobHandler(sla, 'sla-timer', timerPayloadSchema, async (payload, env) => ({
  outcome:
    payload.kind === 'complaint-step'
      ? await complaintStep(env, payload)
      : payload.kind === 'return-decision'
        ? await returnDecision(env, payload)
        : payload.kind === 'warranty-run'
          ? await warrantyRun(env, payload)
          : await handleTimer(slaTimerDeps(env), payload),
}));
