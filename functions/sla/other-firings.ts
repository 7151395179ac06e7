/**
 * The timer target's firings other than a case's SLA steps: a complaint step's overdue rung, a return
 * application's answer deadline, a warranty run. They are few, so `./timer.ts` imports this module when
 * one comes: one chunk beside the bundle, kept out of every cold start.
 */
import { handleStepTimer } from '../../shared/complaints/investigation.ts';
import type { EnvOf } from '../../shared/runtime/function-env.ts';
import type { TimerPayload } from '../../shared/sla/timers.ts';
import { handleReturnTimer } from '../../shared/warranty/returns.ts';
import { complaintTimerDeps } from '../complaints/deps.ts';
import { returnTimerDeps } from '../warranty/deps.ts';
import { warrantyRun } from '../warranty/runs.ts';
import type { sla } from './catalog.ts';
import { slaTimerDeps } from './deps.ts';

type Env = EnvOf<typeof sla, 'sla-timer'>;
type Firing<K extends TimerPayload['kind']> = Extract<TimerPayload, { kind: K }>;

export const complaintStep = (env: Env, payload: Firing<'complaint-step'>) =>
  handleStepTimer(complaintTimerDeps(env, slaTimerDeps(env)), payload);

export const returnDecision = (env: Env, payload: Firing<'return-decision'>) =>
  handleReturnTimer(returnTimerDeps(env), payload);

export { warrantyRun };
