/** POST /cases — register a service request on any channel (SPEC §3). */
import { openCase } from '../../shared/cases/service.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { etag, idempotencyKeyOf } from '../../shared/http/query.ts';
import { cases } from './catalog.ts';
import { caseDeps } from './deps.ts';

export const handler = httpRoutes(cases, 'case-intake', {
  'POST /cases': async (req) => {
    const { case: c, created } = await openCase(
      caseDeps(req.env),
      req.actor,
      req.body,
      idempotencyKeyOf(req.headers),
    );
    const version = 'version' in c ? c.version : undefined;
    return {
      status: created ? 201 : 200,
      body: c,
      headers: { location: `/cases/${c.id}`, ...(version ? etag(version) : {}) },
    };
  },
});
