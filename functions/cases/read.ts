/** The case reads: lists, one case, its timeline, the workshop goods register. */
import { getCase, getTimeline, listCases, listRegister } from '../../shared/cases/service.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { DEFAULT_LIMIT, etag } from '../../shared/http/query.ts';
import { cases } from './catalog.ts';
import { caseDeps } from './deps.ts';

export const handler = httpRoutes(cases, 'case-read', {
  'GET /cases': async (req) => {
    const { limit, ...filter } = req.query;
    return {
      status: 200,
      body: await listCases(caseDeps(req.env), req.actor, { ...filter, limit: limit ?? DEFAULT_LIMIT }),
    };
  },
  'GET /cases/{id}': async (req) => {
    const c = await getCase(caseDeps(req.env), req.actor, req.params.id);
    return { status: 200, body: c, headers: 'version' in c ? etag(c.version) : {} };
  },
  'GET /cases/{id}/timeline': async (req) => ({
    status: 200,
    body: { items: await getTimeline(caseDeps(req.env), req.actor, req.params.id) },
  }),
  'GET /register/{month}': async (req) => ({
    status: 200,
    body: await listRegister(
      caseDeps(req.env),
      req.actor,
      req.params.month,
      req.query.limit ?? DEFAULT_LIMIT,
      req.query.cursor,
    ),
  }),
});
