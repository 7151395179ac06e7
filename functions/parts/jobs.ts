/**
 * The parts schedules (declared in ./catalog.ts): daily, the stock-alert backstop and the reminders for
 * overdue loaners and tools; monthly, ABC classes and the safety stock of wear parts. An operator may
 * re-run one with `{ "job": "daily" | "monthly" }`.
 */
import * as z from 'zod/mini';
import { alertBackstop, runAbc, runSafetyStock } from '../../shared/parts/alerts.ts';
import { remindOverdue } from '../../shared/parts/tools.ts';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { lazySchema } from '../../shared/validation.ts';
import { parts } from './catalog.ts';
import { partsJobDeps } from './deps.ts';

const inputSchema = lazySchema(() => z.object({ job: z.enum(['daily', 'monthly']) }));

export const handler = jobHandler(parts, 'parts-jobs', inputSchema, async (input, env) => {
  const deps = partsJobDeps(env);
  if (input.job === 'daily') {
    return { alerts: await alertBackstop(deps), overdue: await remindOverdue(deps, env.TIME_ZONE) };
  }
  return { abc: await runAbc(deps), safetyStock: await runSafetyStock(deps) };
});
