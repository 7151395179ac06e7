/**
 * Kept apart from the catalogue: the SLA catalogue declares these schedules on its timer function, and
 * importing them must not bring the warranty routes and models into the SLA functions' bundles.
 */
import type { ScheduleSpec } from '../spec.ts';

/**
 * The domain's recurring runs: the daily contract renewal run (notices and tasks once per term, maintenance
 * visits, lapses) and the monthly courtesy call lists. They are named schedules of the timer group, whose
 * target (the SLA timer function) hands them to `functions/warranty/runs.ts`: one function for every
 * timer of the platform keeps the service stack within CloudFormation's resource limit.
 */
export const warrantySchedules: ScheduleSpec[] = [
  {
    name: 'contract-renewals',
    description: 'Renewal notices and tasks due today, maintenance visits due, contracts that lapsed',
    expression: 'cron(0 7 * * ? *)',
    input: { kind: 'warranty-run', run: 'renewals' },
  },
  {
    name: 'courtesy-calls',
    description: 'Call lists of the units in their free warranty, per branch, on the first of the month',
    expression: 'cron(0 7 1 * ? *)',
    input: { kind: 'warranty-run', run: 'courtesy' },
  },
];
