/** Survey reads for staff: scorecards, phone follow-ups, flagged replies (rules in shared/surveys/service.ts). */
import * as z from 'zod/mini';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { monthSchema, pageOf, pageQuerySchema } from '../../shared/http/query.ts';
import { listFlaggedReplies, listPhoneFollowUps, surveyScorecard } from '../../shared/surveys/service.ts';
import { parseInput } from '../../shared/validation.ts';
import { surveys } from './catalog.ts';
import { surveyStaffDeps } from './deps.ts';

const scorecardQuerySchema = z.strictObject({
  technicianId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

export const handler = httpRoutes(surveys, 'survey-staff', {
  'GET /surveys/scorecard/{month}': async (req) => {
    const month = parseInput(monthSchema, req.params.month);
    const { technicianId } = parseInput(scorecardQuerySchema, req.query);
    return {
      status: 200,
      body: await surveyScorecard(surveyStaffDeps(req.env), {
        month,
        ...(technicianId ? { technicianId } : {}),
      }),
    };
  },
  'GET /surveys/phone-follow-ups': async (req) => ({
    status: 200,
    body: await listPhoneFollowUps(surveyStaffDeps(req.env), pageOf(parseInput(pageQuerySchema, req.query))),
  }),
  'GET /surveys/flagged-replies': async (req) => ({
    status: 200,
    body: await listFlaggedReplies(surveyStaffDeps(req.env), pageOf(parseInput(pageQuerySchema, req.query))),
  }),
});
