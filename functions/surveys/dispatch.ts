/**
 * The morning survey run, started every morning by its schedule (declared in ./catalog.ts, the same name
 * on AWS and locally); locally also `POST /_local/run/survey-dispatch` or `npm run surveys:dispatch`. It
 * throws when anything failed, after doing everything else, so the failure alarms and the schedule's
 * retry (or tomorrow's run) picks up what is left.
 */
import * as z from 'zod/mini';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { metricsOf } from '../../shared/runtime/observability.ts';
import { runMorningDispatch } from '../../shared/surveys/service.ts';
import { isoDate, lazySchema } from '../../shared/validation.ts';
import { surveys } from './catalog.ts';
import { surveyJobDeps } from './deps.ts';

/** The schedule sends `{}`; an operator may re-run a given day with `{ "today": "YYYY-MM-DD" }`. */
const inputSchema = lazySchema(() => z.object({ today: z.optional(isoDate()) }));

export const handler = jobHandler(surveys, 'survey-dispatch', inputSchema, async (input, env) => {
  const report = await runMorningDispatch(surveyJobDeps(env), input.today ? { today: input.today } : {});
  // Cards sent by e-mail and cards handed to phone follow-up: the ops dashboard's survey response rate.
  metricsOf().addMetric('SurveyCardsSent', 'Count', report.cardsSent.length + report.phoneFollowUps.length);
  if (report.failures.length > 0) {
    throw new Error(
      `survey run finished with ${report.failures.length} failure(s): ${JSON.stringify(report.failures)}`,
    );
  }
  return report;
});
