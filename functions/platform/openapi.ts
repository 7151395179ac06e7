/**
 * GET /openapi.json — public; generated from the same schemas the handlers validate with. The server
 * listed is the one that answered (the local system under `npm start`, or the deployed stage).
 */
import { httpRoutes } from '../../shared/http/bundle.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { allRoutes } from '../catalog.ts';
import { platform } from './catalog.ts';

const documents = new Map<string, Record<string, unknown>>();

/** The server the caller reached: plain HTTP only on this machine. */
function serverOf(host: string | undefined) {
  if (!host || !/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host)) return undefined;
  const local = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
  return local
    ? { url: `http://${host}`, description: 'local: `npm start` on this machine', internal: true }
    : {
        url: `https://${host}`,
        description: 'this deployment (production or a staging stage)',
        internal: false,
      };
}

export const handler = httpRoutes(platform, 'openapi', {
  'GET /openapi.json': async (req) => {
    const server = serverOf(req.headers.host);
    const key = server?.url ?? '';
    let document = documents.get(key);
    if (!document) {
      document = openApiDocument(allRoutes, server ? { servers: [server] } : {});
      if (documents.size < 16) documents.set(key, document);
    }
    return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
