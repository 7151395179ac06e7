/**
 * The morning survey run. On AWS an EventBridge Scheduler schedule invokes it every morning in the
 * branch's time zone (`infra/stacks/survey-stack.ts`); locally `POST /_local/run/survey-dispatch` or
 * `npm run surveys:dispatch`. It throws when anything failed, after doing everything else, so the
 * failure alarms and the schedule's retry (or tomorrow's run) picks up what is left.
 */
import * as z from 'zod/mini';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { type DispatchReport, runMorningDispatch } from '../../shared/surveys/service.ts';
import { surveyJobDeps } from './deps.ts';

/** The schedule sends `{}`; an operator may re-run a given day with `{ "today": "YYYY-MM-DD" }`. */
const inputSchema = z.object({ today: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/))) });

export const handler = jobHandler('survey-dispatch', async (event: unknown): Promise<DispatchReport> => {
  const input = z.parse(inputSchema, event ?? {});
  const report = await runMorningDispatch(surveyJobDeps(), input.today ? { today: input.today } : {});
  if (report.failures.length > 0) {
    throw new Error(
      `survey run finished with ${report.failures.length} failure(s): ${JSON.stringify(report.failures)}`,
    );
  }
  return report;
});
