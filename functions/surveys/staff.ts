/** Survey reads for staff: scorecards, phone follow-ups, flagged replies (rules in shared/surveys/service.ts). */
import { httpRoutes } from '../../shared/http/bundle.ts';
import { pageOf } from '../../shared/http/query.ts';
import { listFlaggedReplies, listPhoneFollowUps, surveyScorecard } from '../../shared/surveys/service.ts';
import { surveys } from './catalog.ts';
import { surveyStaffDeps } from './deps.ts';

export const handler = httpRoutes(surveys, 'survey-staff', {
  'GET /surveys/scorecard/{month}': async (req) => ({
    status: 200,
    body: await surveyScorecard(surveyStaffDeps(req.env), {
      month: req.params.month,
      ...(req.query.technicianId ? { technicianId: req.query.technicianId } : {}),
    }),
  }),
  'GET /surveys/phone-follow-ups': async (req) => ({
    status: 200,
    body: await listPhoneFollowUps(surveyStaffDeps(req.env), pageOf(req.query)),
  }),
  'GET /surveys/flagged-replies': async (req) => ({
    status: 200,
    body: await listFlaggedReplies(surveyStaffDeps(req.env), pageOf(req.query)),
  }),
});
