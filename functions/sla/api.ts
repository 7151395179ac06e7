/**
 * The SLA routes: branch calendars and policies (managers), a case's milestones, the dispatch queue
 * (dispatchers) and SLA measures (managers, ops). The rules are in shared/sla/service.ts.
 */
import * as z from 'zod/mini';
import { DEFAULT_BRANCH_ID } from '../../shared/branches/defaults.ts';
import { localDay } from '../../shared/cases/numbering.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { cursorParam, DEFAULT_LIMIT, limitParam, monthSchema } from '../../shared/http/query.ts';
import {
  dispatchBoard,
  dispatchQueue,
  getBranchCalendar,
  getBranchPolicy,
  getCaseSla,
  putBranchCalendar,
  putBranchPolicy,
  slaMeasures,
  technicianDay,
} from '../../shared/sla/service.ts';
import { isoDate, parseInput } from '../../shared/validation.ts';
import { sla } from './catalog.ts';
import { slaApiDeps } from './deps.ts';

const branchId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_.:@-]{1,64}$/, 'expected a branch id of letters, digits and _.:@-'));

const queueQuery = z.strictObject({ branchId: z.optional(branchId), limit: limitParam, cursor: cursorParam });
const boardQuery = z.strictObject({ branchId: z.optional(branchId) });
const dayQuery = z.strictObject({ day: z.optional(isoDate()) });
const technicianId = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'expected a technician id (or me) of letters, digits and _.:@-'),
  );
const measuresQuery = z.strictObject({ branchId: z.optional(branchId), month: z.optional(monthSchema) });

export const handler = httpRoutes(sla, 'sla-api', {
  'GET /cases/{id}/sla': async (req) => ({
    status: 200,
    body: await getCaseSla(slaApiDeps(req.env), req.params.id ?? ''),
  }),
  'GET /dispatch/queue': async (req) => {
    const q = parseInput(queueQuery, req.query);
    return {
      status: 200,
      body: await dispatchQueue(
        slaApiDeps(req.env),
        q.branchId ?? DEFAULT_BRANCH_ID,
        q.limit ?? DEFAULT_LIMIT,
        q.cursor,
      ),
    };
  },
  'GET /dispatch/board': async (req) => {
    const q = parseInput(boardQuery, req.query);
    return { status: 200, body: await dispatchBoard(slaApiDeps(req.env), q.branchId ?? DEFAULT_BRANCH_ID) };
  },
  'GET /technicians/{id}/day': async (req) => {
    const q = parseInput(dayQuery, req.query);
    return {
      status: 200,
      body: await technicianDay(
        slaApiDeps(req.env),
        req.actor,
        parseInput(technicianId, req.params.id),
        q.day,
      ),
    };
  },
  'GET /sla/branches/{id}/calendar': async (req) => ({
    status: 200,
    body: await getBranchCalendar(slaApiDeps(req.env), parseInput(branchId, req.params.id)),
  }),
  'POST /sla/branches/{id}/calendar': async (req) => ({
    status: 200,
    body: await putBranchCalendar(
      slaApiDeps(req.env),
      req.actor,
      parseInput(branchId, req.params.id),
      req.body ?? {},
    ),
  }),
  'GET /sla/branches/{id}/policy': async (req) => ({
    status: 200,
    body: await getBranchPolicy(slaApiDeps(req.env), parseInput(branchId, req.params.id)),
  }),
  'POST /sla/branches/{id}/policy': async (req) => ({
    status: 200,
    body: await putBranchPolicy(
      slaApiDeps(req.env),
      req.actor,
      parseInput(branchId, req.params.id),
      req.body ?? {},
    ),
  }),
  'GET /sla/measures': async (req) => {
    const deps = slaApiDeps(req.env);
    const q = parseInput(measuresQuery, req.query);
    const month = q.month ?? localDay(deps.now(), req.env.TIME_ZONE).slice(0, 7);
    return {
      status: 200,
      body: await slaMeasures(deps, q.branchId ?? DEFAULT_BRANCH_ID, month),
    };
  },
});
