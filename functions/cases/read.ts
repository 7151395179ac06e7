/** The case reads: lists, one case, its timeline, the workshop goods register. */
import { getCase, getTimeline, listCases, listRegister } from '../../shared/cases/service.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { DEFAULT_LIMIT, etag, monthSchema, pageQuerySchema } from '../../shared/http/query.ts';
import { parseInput } from '../../shared/validation.ts';
import { cases } from './catalog.ts';
import { caseDeps } from './deps.ts';
import { listQuerySchema } from './query.ts';

export const handler = httpRoutes(cases, 'case-read', {
  'GET /cases': async (req) => {
    const { limit, ...filter } = parseInput(listQuerySchema, req.query);
    return {
      status: 200,
      body: await listCases(caseDeps(req.env), req.actor, { ...filter, limit: limit ?? DEFAULT_LIMIT }),
    };
  },
  'GET /cases/{id}': async (req) => {
    const c = await getCase(caseDeps(req.env), req.actor, req.params.id ?? '');
    return { status: 200, body: c, headers: 'version' in c ? etag(c.version) : {} };
  },
  'GET /cases/{id}/timeline': async (req) => ({
    status: 200,
    body: { items: await getTimeline(caseDeps(req.env), req.actor, req.params.id ?? '') },
  }),
  'GET /register/{month}': async (req) => {
    const month = parseInput(monthSchema, req.params.month);
    const q = parseInput(pageQuerySchema, req.query);
    return {
      status: 200,
      body: await listRegister(caseDeps(req.env), req.actor, month, q.limit ?? DEFAULT_LIMIT, q.cursor),
    };
  },
});
