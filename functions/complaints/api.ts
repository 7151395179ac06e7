/** Complaint reads for staff: open complaints and open supervisor visits. */

import { listOpenComplaints, listOpenVisits } from '../../shared/complaints/service.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { pageOf } from '../../shared/http/query.ts';
import { complaints } from './catalog.ts';
import { complaintDeps } from './deps.ts';

export const handler = httpRoutes(complaints, 'complaints-api', {
  'GET /complaints': async (req) => ({
    status: 200,
    body: await listOpenComplaints(complaintDeps(req.env), pageOf(req.query)),
  }),
  'GET /tasks/supervisor-visits': async (req) => ({
    status: 200,
    body: await listOpenVisits(complaintDeps(req.env), pageOf(req.query)),
  }),
});
