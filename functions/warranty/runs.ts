/**
 * The warranty domain's recurring runs (declared in ./schedules.ts as named schedules of the timer group):
 * the daily contract renewal run and the month's courtesy call lists. The renewal run throws when anything
 * failed, after doing everything else, so the failure alarms and Scheduler's retry (or tomorrow's run)
 * picks up what is left: every notice is claimed once, and a claimed notice not yet mailed is mailed by
 * the next run.
 */
import { runRenewals } from '../../shared/warranty/contracts.ts';
import { buildCourtesyCalls } from '../../shared/warranty/courtesy.ts';
import { courtesyDeps, renewalRunDeps } from './deps.ts';

type Env = { TABLE_NAME: string; TIME_ZONE: string; MAIL_FROM: string; SES_CONFIGURATION_SET: string };

export async function warrantyRun(
  env: Env,
  input: { run: 'renewals' | 'courtesy'; today?: string | undefined },
) {
  if (input.run === 'courtesy')
    return buildCourtesyCalls(courtesyDeps(env), input.today ? input.today.slice(0, 7) : undefined);
  const report = await runRenewals(renewalRunDeps(env), input.today ? { today: input.today } : {});
  if (report.failures.length > 0)
    throw new Error(
      `renewal run finished with ${report.failures.length} failure(s): ${JSON.stringify(report.failures)}`,
    );
  return report;
}
