/** GET /openapi.json — public; generated from the same schemas the handlers validate with. */
import { httpRoutes } from '../../shared/http/bundle.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { allRoutes } from '../catalog.ts';
import { platform } from './catalog.ts';

let document: Record<string, unknown> | undefined;

export const handler = httpRoutes(platform, 'openapi', {
  'GET /openapi.json': async () => {
    document ??= openApiDocument(allRoutes);
    return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
