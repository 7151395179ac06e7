/**
 * The SLA routes: branch calendars and policies (managers), a case's milestones, the dispatch queue
 * (dispatchers) and SLA measures (managers, ops). The rules are in shared/sla/service.ts.
 */
import * as z from 'zod/mini';
import { localDay } from '../../shared/cases/numbering.ts';
import { httpHandler } from '../../shared/http/bundle.ts';
import {
  dispatchQueue,
  getBranchCalendar,
  getBranchPolicy,
  getCaseSla,
  putBranchCalendar,
  putBranchPolicy,
  slaMeasures,
} from '../../shared/sla/service.ts';
import { parseInput } from '../../shared/validation.ts';
import { slaApiDeps } from './deps.ts';

const DEFAULT_BRANCH = 'main';
const branchId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_.:@-]{1,64}$/, 'expected a branch id of letters, digits and _.:@-'));

const queueQuery = z.strictObject({
  branchId: z.optional(branchId),
  limit: z.optional(
    z
      .pipe(
        z.string().check(z.regex(/^\d{1,3}$/, 'expected a whole number 1–100')),
        z.transform((s) => Number(s)),
      )
      .check(z.refine((n) => n >= 1 && n <= 100, 'expected a whole number 1–100')),
  ),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});

const measuresQuery = z.strictObject({
  branchId: z.optional(branchId),
  month: z.optional(z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM'))),
});

export const handler = httpHandler(async (req) => {
  const deps = slaApiDeps();
  const id = req.params.id ?? '';
  switch (req.routeKey) {
    case 'GET /cases/{id}/sla':
      return { status: 200, body: await getCaseSla(deps, req.actor, id) };
    case 'GET /dispatch/queue': {
      const q = parseInput(queueQuery, req.query);
      return {
        status: 200,
        body: await dispatchQueue(deps, req.actor, q.branchId ?? DEFAULT_BRANCH, q.limit ?? 25, q.cursor),
      };
    }
    case 'GET /sla/branches/{id}/calendar':
      return { status: 200, body: await getBranchCalendar(deps, req.actor, parseInput(branchId, id)) };
    case 'POST /sla/branches/{id}/calendar':
      return {
        status: 200,
        body: await putBranchCalendar(deps, req.actor, parseInput(branchId, id), req.body ?? {}),
      };
    case 'GET /sla/branches/{id}/policy':
      return { status: 200, body: await getBranchPolicy(deps, req.actor, parseInput(branchId, id)) };
    case 'POST /sla/branches/{id}/policy':
      return {
        status: 200,
        body: await putBranchPolicy(deps, req.actor, parseInput(branchId, id), req.body ?? {}),
      };
    default: {
      const q = parseInput(measuresQuery, req.query);
      const month = q.month ?? localDay(deps.now(), process.env.TIME_ZONE ?? 'Asia/Shanghai').slice(0, 7);
      return { status: 200, body: await slaMeasures(deps, req.actor, q.branchId ?? DEFAULT_BRANCH, month) };
    }
  }
});
