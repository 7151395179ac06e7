/**
 * `GET /docs`: the API reference (Swagger UI) for the document at `/openapi.json`, served from the
 * installed `swagger-ui-dist` package — no CDN, works offline. Local only, like every side route.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SECURITY_HEADERS } from '../../shared/http/headers.ts';
import type { SideRoute } from './server.ts';

const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aftercare API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="reference"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

// Kept in a file of its own so the page's policy needs no inline script.
const init = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  // One tag a domain, folded: 140 operations rendered open at once stall this Swagger UI version
  // after the first few (no error shown), and a folded list of domains reads better anyway.
  docExpansion: 'none',
  filter: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  validatorUrl: null,
});
`;

const headers = (type: string) => ({
  ...SECURITY_HEADERS,
  'content-type': type,
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
});

export function docsPages(): SideRoute {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();
  return async (req, _body, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method !== 'GET' || !(path === '/docs' || path.startsWith('/docs/'))) return false;
    const name = path.slice('/docs/'.length);
    if (path === '/docs' || name === '') {
      res.writeHead(200, headers('text/html; charset=utf-8'));
      res.end(page);
    } else if (name === 'init.js') {
      res.writeHead(200, headers('text/javascript; charset=utf-8'));
      res.end(init);
    } else if (name in assets) {
      let file = cache.get(name);
      if (!file) {
        file = readFileSync(join(dir, name));
        cache.set(name, file);
      }
      res.writeHead(200, headers(assets[name] as string));
      res.end(file);
    } else {
      return false;
    }
    return true;
  };
}
