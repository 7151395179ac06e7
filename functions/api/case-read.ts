/** GET /cases, GET /cases/{id}, GET /cases/{id}/timeline, GET /register/{month}: the case reads. */
import { getCase, getTimeline, listCases, listRegister } from '../../shared/cases/service.ts';
import { httpHandler } from '../../shared/http/bundle.ts';
import { parseInput } from '../../shared/validation.ts';
import { caseDeps } from './deps.ts';
import { etag, listQuerySchema, monthSchema, registerQuerySchema } from './query.ts';

const DEFAULT_LIMIT = 25;

export const handler = httpHandler(async (req) => {
  const deps = caseDeps();
  const id = req.params.id ?? '';
  switch (req.routeKey) {
    case 'GET /cases/{id}': {
      const c = await getCase(deps, req.actor, id);
      return { status: 200, body: c, headers: 'version' in c ? etag(c.version) : {} };
    }
    case 'GET /cases/{id}/timeline':
      return { status: 200, body: { items: await getTimeline(deps, req.actor, id) } };
    case 'GET /register/{month}': {
      const month = parseInput(monthSchema, req.params.month);
      const q = parseInput(registerQuerySchema, req.query);
      return {
        status: 200,
        body: await listRegister(deps, req.actor, month, q.limit ?? DEFAULT_LIMIT, q.cursor),
      };
    }
    default: {
      const q = parseInput(listQuerySchema, req.query);
      const { limit, ...filter } = q;
      return {
        status: 200,
        body: await listCases(deps, req.actor, { ...filter, limit: limit ?? DEFAULT_LIMIT }),
      };
    }
  }
});
