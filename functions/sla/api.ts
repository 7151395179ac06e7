/**
 * The SLA routes: branch calendars and policies (managers), a case's milestones, the dispatch queue
 * (dispatchers) and SLA measures (managers, ops). The rules are in shared/sla/service.ts.
 */
import { DEFAULT_BRANCH_ID } from '../../shared/branches/defaults.ts';
import { localDay } from '../../shared/cases/numbering.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { DEFAULT_LIMIT } from '../../shared/http/query.ts';
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
import { sla } from './catalog.ts';
import { slaApiDeps } from './deps.ts';

/** Unassigned requests shown on the board before it points on to the queue. */
const BOARD_LIMIT = 100;

export const handler = httpRoutes(sla, 'sla-api', {
  'GET /cases/{id}/sla': async (req) => ({
    status: 200,
    body: await getCaseSla(slaApiDeps(req.env), req.params.id),
  }),
  'GET /dispatch/queue': async (req) => {
    const q = req.query;
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
  'GET /dispatch/board': async (req) => ({
    status: 200,
    body: await dispatchBoard(
      slaApiDeps(req.env),
      req.query.branchId ?? DEFAULT_BRANCH_ID,
      req.query.limit ?? BOARD_LIMIT,
    ),
  }),
  'GET /technicians/{id}/day': async (req) => ({
    status: 200,
    body: await technicianDay(slaApiDeps(req.env), req.actor, req.params.id, req.query.day),
  }),
  'GET /sla/branches/{id}/calendar': async (req) => ({
    status: 200,
    body: await getBranchCalendar(slaApiDeps(req.env), req.params.id),
  }),
  'POST /sla/branches/{id}/calendar': async (req) => ({
    status: 200,
    body: await putBranchCalendar(slaApiDeps(req.env), req.actor, req.params.id, req.body ?? {}),
  }),
  'GET /sla/branches/{id}/policy': async (req) => ({
    status: 200,
    body: await getBranchPolicy(slaApiDeps(req.env), req.params.id),
  }),
  'POST /sla/branches/{id}/policy': async (req) => ({
    status: 200,
    body: await putBranchPolicy(slaApiDeps(req.env), req.actor, req.params.id, req.body ?? {}),
  }),
  'GET /sla/measures': async (req) => {
    const deps = slaApiDeps(req.env);
    const q = req.query;
    const month = q.month ?? localDay(deps.now(), req.env.TIME_ZONE).slice(0, 7);
    return {
      status: 200,
      body: await slaMeasures(deps, q.branchId ?? DEFAULT_BRANCH_ID, month),
    };
  },
});
