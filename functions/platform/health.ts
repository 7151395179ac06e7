/** GET /health — public; 200 when the table answers a cheap read, 503 problem+json when it does not. */

import { checkHealth } from '../../shared/health/probe.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { probeClient } from '../../shared/store/client.ts';
import { platform } from './catalog.ts';

export const handler = httpRoutes(platform, 'health', {
  'GET /health': async (req) => ({
    status: 200,
    body: await checkHealth(probeClient(), req.env.TABLE_NAME),
    headers: { 'cache-control': 'no-store' },
  }),
});
