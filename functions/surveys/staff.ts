/**
 * Survey reads for staff: GET /surveys/scorecard/{month}, /surveys/phone-follow-ups,
 * /surveys/flagged-replies, /complaints, /tasks/supervisor-visits. Rules are in shared/surveys/service.ts.
 */
import * as z from 'zod/mini';
import { listOpenComplaints, listOpenVisits } from '../../shared/complaints/service.ts';
import { httpHandler } from '../../shared/http/bundle.ts';
import { listFlaggedReplies, listPhoneFollowUps, surveyScorecard } from '../../shared/surveys/service.ts';
import { parseInput } from '../../shared/validation.ts';
import { monthSchema, registerQuerySchema } from '../api/query.ts';
import { surveyStaffDeps } from './deps.ts';

const DEFAULT_LIMIT = 25;

const scorecardQuerySchema = z.strictObject({
  technicianId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

export const handler = httpHandler(async (req) => {
  const deps = surveyStaffDeps();
  if (req.routeKey === 'GET /surveys/scorecard/{month}') {
    const month = parseInput(monthSchema, req.params.month);
    const { technicianId } = parseInput(scorecardQuerySchema, req.query);
    return {
      status: 200,
      body: await surveyScorecard(deps, req.actor, { month, ...(technicianId ? { technicianId } : {}) }),
    };
  }
  const q = parseInput(registerQuerySchema, req.query);
  const page = { limit: q.limit ?? DEFAULT_LIMIT, ...(q.cursor ? { cursor: q.cursor } : {}) };
  switch (req.routeKey) {
    case 'GET /surveys/phone-follow-ups':
      return { status: 200, body: await listPhoneFollowUps(deps, req.actor, page) };
    case 'GET /surveys/flagged-replies':
      return { status: 200, body: await listFlaggedReplies(deps, req.actor, page) };
    case 'GET /complaints':
      return { status: 200, body: await listOpenComplaints(deps, req.actor, page) };
    default:
      return { status: 200, body: await listOpenVisits(deps, req.actor, page) };
  }
});
