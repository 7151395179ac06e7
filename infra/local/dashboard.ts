/**
 * `GET /_local/dashboard`: the measures as ops see them on `npm start` — the KPIs of a day, its month
 * and its year, the trends as charts, the top faults, the branch roll-up for headquarters and the
 * technicians' daily reports. uPlot's script and style are served from the installed package (no CDN).
 *
 * The page reads the numbers from `/reports` itself, through the gateway (token check, roles, the same
 * handler), with a short-lived ops token this route mints for it: so what the page shows is what
 * `/reports` answers, by construction, rather than a second rendering of the report service. Local only,
 * like every side route; the token is handed only to a same-origin request (CORS allows any origin on
 * the API, so a page elsewhere must not be able to read one).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localDay } from '../../shared/cases/numbering.ts';
import { SECURITY_HEADERS } from '../../shared/http/headers.ts';
import { now } from '../../shared/runtime/clock.ts';
import type { LocalAuth } from './auth.ts';
import type { SideRoute } from './server.ts';

export const DASHBOARD_PATH = '/_local/dashboard';
/** The page's token: an ops caller, as short-lived as a page view needs. */
const TOKEN_TTL_SECONDS = 15 * 60;
export const DASHBOARD_CALLER = { sub: 'local-dashboard', roles: ['ops' as const], name: 'Local dashboard' };

const here = dirname(fileURLToPath(import.meta.url));
const uplotDir = () => join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');

/** Served files: name → where it is read from and its content type. */
const assets: Record<string, { file: () => string; type: string }> = {
  'uPlot.iife.min.js': {
    file: () => join(uplotDir(), 'uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.min.css': { file: () => join(uplotDir(), 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
  'dashboard.js': { file: () => join(here, 'dashboard-page.js'), type: 'text/javascript; charset=utf-8' },
};

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aftercare — measures</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${DASHBOARD_PATH}/uPlot.min.css">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:16px;color:#1b1f24}
h1{margin:0 0 4px}h2{margin:24px 0 8px;font-size:17px}
table{border-collapse:collapse;width:100%;margin-bottom:8px}
td,th{border-bottom:1px solid #ddd;padding:5px 8px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.ratio{color:#667;font-size:12px;margin-left:6px}
.met{color:#116329}.missed{color:#b42318}
form{display:flex;gap:12px;align-items:end;margin:8px 0}
#status[data-state=error]{color:#b42318}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(540px,1fr));gap:16px}
.chart h3{font-size:14px;margin:0 0 4px}
</style>
</head>
<body>
<header>
<h1>Aftercare — measures</h1>
<p id="status" data-state="loading">Loading the reports…</p>
<form id="pick" method="get" action="${DASHBOARD_PATH}">
<label>Day <input type="date" id="day" name="day"></label>
<label>Branch <input id="branch" name="branchId" placeholder="whole company" size="14"></label>
<button type="submit">Show</button>
</form>
<p>From <code>/reports</code>, read with a local ops token. Rates in %, satisfaction out of 5, times in working minutes.</p>
</header>
<main>
<section><h2>KPIs</h2>
<table id="kpis"><thead><tr><th>KPI</th><th class="num">Target</th><th class="num" id="head-day">Day</th><th class="num" id="head-month">Month</th><th class="num" id="head-year">Year</th></tr></thead><tbody></tbody></table>
</section>
<section><h2>Response on time per request type</h2>
<table id="by-type"><thead><tr><th>Request type</th><th class="num">Day</th><th class="num">Month</th><th class="num">Year</th></tr></thead><tbody></tbody></table>
</section>
<section><h2>Counts</h2>
<table id="counts"><thead><tr><th>Count</th><th class="num">Day</th><th class="num">Month</th><th class="num">Year</th></tr></thead><tbody></tbody></table>
</section>
<section><h2>Trends</h2><div class="charts" id="charts"></div></section>
<section><h2>Top faults of the month</h2>
<table id="faults"><thead><tr><th>Fault</th><th class="num">Completed cases</th></tr></thead><tbody></tbody></table>
</section>
<section><h2>Branch roll-up for headquarters</h2>
<table id="branches"><thead><tr><th>Branch</th><th class="num">Opened</th><th class="num">Completed</th><th class="num">Visits</th><th class="num">Minutes</th><th class="num">Response on time</th><th class="num">First-time fix</th></tr></thead><tbody></tbody></table>
</section>
<section><h2>Technicians' daily reports (supervisor roll-up)</h2><div id="rollups"></div></section>
</main>
<script src="${DASHBOARD_PATH}/uPlot.iife.min.js"></script>
<script src="${DASHBOARD_PATH}/dashboard.js"></script>
</body>
</html>
`;

const headers = (type: string) => ({
  ...SECURITY_HEADERS,
  'content-type': type,
  'cache-control': 'no-store',
  // uPlot positions its elements with style attributes: inline styles are allowed, inline scripts not.
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
});

/** A request from the dashboard page itself, not from a page of another origin. */
function sameOrigin(req: { headers: Record<string, string | string[] | undefined> }): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.headers.origin;
  return origin === undefined || origin === `http://${req.headers.host}`;
}

export function dashboardPages(opts: { auth: LocalAuth; timeZone: string }): SideRoute {
  const cache = new Map<string, Buffer>();
  return async (req, _body, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== DASHBOARD_PATH && !path.startsWith(`${DASHBOARD_PATH}/`)) return false;
    const name = path.slice(DASHBOARD_PATH.length + 1);
    if (req.method === 'POST' && name === 'token') {
      res.removeHeader('access-control-allow-origin');
      if (!sameOrigin(req)) {
        res.writeHead(403, { ...headers('application/json') });
        res.end(JSON.stringify({ message: 'the dashboard token is for the dashboard page only' }));
        return true;
      }
      const token = await opts.auth.sign(DASHBOARD_CALLER, TOKEN_TTL_SECONDS);
      res.writeHead(200, headers('application/json'));
      res.end(JSON.stringify({ token, expiresIn: TOKEN_TTL_SECONDS, today: localDay(now(), opts.timeZone) }));
      return true;
    }
    if (req.method !== 'GET') return false;
    if (name === '' || path === DASHBOARD_PATH) {
      res.writeHead(200, headers('text/html; charset=utf-8'));
      res.end(page);
      return true;
    }
    const asset = assets[name];
    if (!asset) return false;
    let file = cache.get(name);
    if (!file) {
      file = readFileSync(asset.file());
      cache.set(name, file);
    }
    res.writeHead(200, headers(asset.type));
    res.end(file);
    return true;
  };
}
