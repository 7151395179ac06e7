/**
 * GET /openapi.json — public; generated from the same schemas the handlers validate with. The server
 * listed is the one that answered (the local system under `npm start`, or the deployed stage).
 *
 * The deployed function serves the document the bundler generated (`infra/bundle.ts`), so its cold start
 * loads neither the generator nor every domain's routes and schemas. Unbundled (`npm start`, tests) it
 * generates the same document from the catalogue on the first request.
 */
import { httpRoutes } from '../../shared/http/bundle.ts';
import { type ApiServer, serverObjects } from '../../shared/http/openapi-servers.ts';
import { platform } from './catalog.ts';

/** The document with the production server, as JSON; defined by the bundler only. */
declare const AFTERCARE_OPENAPI_DOCUMENT: string | undefined;

let generated: Promise<Record<string, unknown>> | undefined;
function baseDocument(): Promise<Record<string, unknown>> {
  generated ??=
    typeof AFTERCARE_OPENAPI_DOCUMENT === 'string'
      ? Promise.resolve(JSON.parse(AFTERCARE_OPENAPI_DOCUMENT))
      : Promise.all([import('../../shared/http/openapi.ts'), import('../catalog.ts')]).then(
          ([{ openApiDocument }, { allRoutes }]) => openApiDocument(allRoutes),
        );
  return generated;
}

const documents = new Map<string, Record<string, unknown>>();

/** The server the caller reached: plain HTTP only on this machine. */
function serverOf(host: string | undefined): ApiServer | undefined {
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
      const base = await baseDocument();
      document = server ? { ...base, servers: serverObjects([server]) } : base;
      if (documents.size < 16) documents.set(key, document);
    }
    return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
