/** The knowledge entry routes; the rules are in shared/knowledge/service.ts. */
import { httpRoutes } from '../../shared/http/bundle.ts';
import { etag, ifMatchVersion, pageOf } from '../../shared/http/query.ts';
import {
  createEntry,
  entryHistory,
  getEntry,
  giveFeedback,
  knowledgeMeasures,
  listEntries,
  updateEntry,
  walkWizard,
} from '../../shared/knowledge/service.ts';
import { knowledge } from './catalog.ts';
import { knowledgeDeps } from './deps.ts';

const one = (status: number, entry: { version: number }) => ({
  status,
  body: entry,
  headers: etag(entry.version),
});

export const handler = httpRoutes(knowledge, 'knowledge-api', {
  'GET /knowledge/entries': async (req) => ({
    status: 200,
    body: await listEntries(knowledgeDeps(req.env), req.query.status, pageOf(req.query)),
  }),
  'POST /knowledge/entries': async (req) => {
    const e = await createEntry(knowledgeDeps(req.env), req.actor, req.body);
    return {
      ...one(201, e),
      headers: {
        ...etag(e.version),
        location: `/knowledge/entries/${e.productLine}/${encodeURIComponent(e.code)}`,
      },
    };
  },
  'GET /knowledge/entries/{productLine}/{code}': async (req) =>
    one(200, await getEntry(knowledgeDeps(req.env), req.actor, req.params.productLine, req.params.code)),
  'POST /knowledge/entries/{productLine}/{code}': async (req) =>
    one(
      200,
      await updateEntry(
        knowledgeDeps(req.env),
        req.actor,
        req.params.productLine,
        req.params.code,
        req.body,
        ifMatchVersion(req.headers),
      ),
    ),
  'GET /knowledge/entries/{productLine}/{code}/history': async (req) => ({
    status: 200,
    body: await entryHistory(
      knowledgeDeps(req.env),
      req.params.productLine,
      req.params.code,
      pageOf(req.query),
    ),
  }),
  'POST /knowledge/entries/{productLine}/{code}/feedback': async (req) => ({
    status: 200,
    body: await giveFeedback(
      knowledgeDeps(req.env),
      req.actor,
      req.params.productLine,
      req.params.code,
      req.body,
    ),
  }),
  'GET /knowledge/entries/{productLine}/{code}/wizard': async (req) => ({
    status: 200,
    body: await walkWizard(
      knowledgeDeps(req.env),
      req.actor,
      req.params.productLine,
      req.params.code,
      req.query.answers ? req.query.answers.split(',') : [],
    ),
  }),
  'GET /knowledge/measures/{day}': async (req) => ({
    status: 200,
    body: await knowledgeMeasures(knowledgeDeps(req.env), req.params.day, req.query.limit ?? 10),
  }),
});
