/**
 * The warranty domain's scheduled runs (./catalog.ts): the daily contract renewal run, and the monthly
 * courtesy call lists. The renewal run throws when anything failed, after doing everything else, so the
 * failure alarms and the schedule's retry (or tomorrow's run) picks up what is left: every notice is claimed
 * once, and a claimed notice not yet mailed is mailed by the next run.
 */
import * as z from 'zod/mini';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { isoDate } from '../../shared/validation.ts';
import { runRenewals } from '../../shared/warranty/contracts.ts';
import { buildCourtesyCalls } from '../../shared/warranty/courtesy.ts';
import { warranty } from './catalog.ts';
import { courtesyDeps, renewalRunDeps } from './deps.ts';

/** The schedules send `{ kind }`; an operator may run a given day with `{ "kind": …, "today": "YYYY-MM-DD" }`. */
const inputSchema = z.object({
  kind: z._default(z.enum(['renewals', 'courtesy']), 'renewals'),
  today: z.optional(isoDate()),
});

export const handler = jobHandler(warranty, 'warranty-jobs', inputSchema, async (input, env) => {
  if (input.kind === 'courtesy')
    return buildCourtesyCalls(courtesyDeps(env), input.today ? input.today.slice(0, 7) : undefined);
  const report = await runRenewals(renewalRunDeps(env), input.today ? { today: input.today } : {});
  if (report.failures.length > 0)
    throw new Error(
      `renewal run finished with ${report.failures.length} failure(s): ${JSON.stringify(report.failures)}`,
    );
  return report;
});
