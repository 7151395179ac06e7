/** The measures' scheduled runs: the nightly recompute (with repair) and the evening daily reports. */
import * as z from 'zod/mini';
import { generateDailyReports, recomputeDay } from '../../shared/measures/service.ts';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { isoDate, lazySchema } from '../../shared/validation.ts';
import { measures } from './catalog.ts';
import { measureDeps } from './deps.ts';

/** The schedules send `{ kind }`; an operator may run a given day with `{ "kind": …, "day": "YYYY-MM-DD" }`. */
const inputSchema = lazySchema(() =>
  z.object({
    kind: z.enum(['recompute', 'reports']),
    day: z.optional(isoDate()),
    /** The recompute repairs what it finds unless told only to report. */
    repair: z.optional(z.boolean()),
  }),
);

export const handler = jobHandler(measures, 'measures-jobs', inputSchema, async (input, env) => {
  const deps = measureDeps(env);
  if (input.kind === 'recompute')
    return recomputeDay(deps, { ...(input.day ? { day: input.day } : {}), repair: input.repair ?? true });
  return generateDailyReports(deps, input.day);
});
