/** The knowledge search routes; the index and its rules are in shared/knowledge/. */
import { httpRoutes } from '../../shared/http/bundle.ts';
import { DEFAULT_LIMIT } from '../../shared/http/query.ts';
import { searchEntries, suggestEntries } from '../../shared/knowledge/service.ts';
import { knowledge } from './catalog.ts';
import { knowledgeDeps } from './deps.ts';

const SUGGESTIONS = 5;

export const handler = httpRoutes(knowledge, 'knowledge-search', {
  'GET /knowledge/search': async (req) => ({
    status: 200,
    body: await searchEntries(knowledgeDeps(req.env), req.actor, {
      ...req.query,
      limit: req.query.limit ?? DEFAULT_LIMIT,
    }),
  }),
  'GET /knowledge/suggestions': async (req) => ({
    status: 200,
    body: await suggestEntries(knowledgeDeps(req.env), req.actor, {
      ...req.query,
      limit: req.query.limit ?? SUGGESTIONS,
    }),
  }),
});
