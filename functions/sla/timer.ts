/**
 * Target of every SLA schedule (EventBridge Scheduler invokes it with the schedule's `Input`): one
 * escalation step of a case, or a branch's next-morning priority run. Throws on failure, so Scheduler
 * retries and finally parks the firing in the timer DLQ.
 */
import * as z from 'zod/mini';
import { milestoneKinds } from '../../shared/sla/policy.ts';
import { handleTimer, type TimerOutcome } from '../../shared/sla/service.ts';
import { slaTimerDeps } from './deps.ts';

const payloadSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('sla-step'),
    caseId: z.string(),
    milestone: z.enum(milestoneKinds),
    step: z.string(),
    fireAt: z.string(),
  }),
  z.object({ kind: z.literal('morning'), branchId: z.string() }),
]);

export async function handler(event: unknown): Promise<{ outcome: TimerOutcome }> {
  return { outcome: await handleTimer(slaTimerDeps(), z.parse(payloadSchema, event)) };
}
