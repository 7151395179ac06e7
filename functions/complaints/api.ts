/** Complaint reads for staff: open complaints and open supervisor visits. */
import { httpRoutes } from '../../shared/http/bundle.ts';
import { pageOf, pageQuerySchema } from '../../shared/http/query.ts';
import { listOpenComplaints, listOpenVisits } from '../../shared/surveys/service.ts';
import { parseInput } from '../../shared/validation.ts';
import { surveyStaffDeps } from '../surveys/deps.ts';
import { complaints } from './catalog.ts';

export const handler = httpRoutes(complaints, 'complaints-api', {
  'GET /complaints': async (req) => ({
    status: 200,
    body: await listOpenComplaints(
      surveyStaffDeps(req.env),
      req.actor,
      pageOf(parseInput(pageQuerySchema, req.query)),
    ),
  }),
  'GET /tasks/supervisor-visits': async (req) => ({
    status: 200,
    body: await listOpenVisits(
      surveyStaffDeps(req.env),
      req.actor,
      pageOf(parseInput(pageQuerySchema, req.query)),
    ),
  }),
});
