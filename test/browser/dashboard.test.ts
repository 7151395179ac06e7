/**
 * The local dashboard as ops meet it, in headless Chromium: a day of activity worked through the API,
 * then `/_local/dashboard` shows the same KPIs, counts, faults and daily reports as `/reports`, draws its
 * trend charts, loads nothing from outside the local system, and hands its token to no other origin.
 * The screenshot goes to test-output/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/local/system.ts';
import { localDay } from '../../shared/cases/numbering.ts';
import { asTechnician } from '../support/directory.ts';
import { type Caller, intake, startTestSystem, type TestSystem } from '../support/system.ts';

const OUTPUT = join(repoRoot, 'test-output');
const TZ = 'Asia/Shanghai';

let sys: TestSystem;
let browser: Browser;
let ops: Caller;
let tech: Caller;
const today = localDay(new Date(), TZ);

/** How the page shows a KPI value (rates in %, scores to 2 decimals, minutes to 1). */
function shown(unit: string, value: number | null): string {
  if (value === null) return '—';
  if (unit === 'rate') return `${(value * 100).toFixed(2)} %`;
  if (unit === 'score') return value.toFixed(2);
  return `${value.toFixed(1)} min`;
}

/** An on-site repair of one visit, worked through the API from intake to sign-off. */
async function completeOnSite(
  agent: Caller,
  dispatcher: Caller,
  overrides: Record<string, unknown>,
  minutes: number,
  findings: string,
) {
  const id: string = (await agent.post('/cases', intake(overrides))).body.id;
  expect((await dispatcher.post(`/cases/${id}/assign`, { technicianId: tech.sub })).status).toBe(200);
  await sys.bus.idle();
  expect((await tech.post(`/cases/${id}/arrive`, { idShown: true, faultConfirmed: true })).status).toBe(200);
  expect((await tech.post(`/cases/${id}/diagnose`, { plan: 'on_site', findings })).status).toBe(200);
  expect((await tech.post(`/cases/${id}/record-work`, { description: 'Repaired', minutes })).status).toBe(
    200,
  );
  expect((await tech.post(`/cases/${id}/sign-off`, { customerName: 'Wang Fang' })).status).toBe(200);
}

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  sys = await startTestSystem({ timeZone: TZ });
  const agent = await sys.as('agent');
  const dispatcher = await sys.as('dispatcher');
  ops = await sys.as('ops');
  tech = await asTechnician(sys);
  // Prepare: a day of activity — two repairs of one visit (urban E4, suburban F12), one emergency still open,
  // and the technician's note on their daily report.
  await completeOnSite(agent, dispatcher, {}, 45, 'Compressor relay, code E4');
  await completeOnSite(
    agent,
    dispatcher,
    {
      zone: 'suburban',
      customer: { ...(intake().customer as object), phone: '+86 138 0000 2222' },
      product: { ...(intake().product as object), serialNumber: 'SN-0002' },
    },
    25,
    'Fan motor, code F12',
  );
  await agent.post(
    '/cases',
    intake({
      emergency: true,
      customer: { ...(intake().customer as object), phone: '+86 138 0000 3333' },
      product: { ...(intake().product as object), serialNumber: 'SN-0003' },
    }),
  );
  expect(
    (await tech.post(`/reports/technicians/me/daily/${today}/note`, { note: 'Van <b>tyre</b> replaced' }))
      .status,
  ).toBe(200);
  await sys.bus.idle();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

describe('local dashboard', () => {
  it('shows the KPIs, counts, faults and daily reports that /reports answers, with charts', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });

    // Act
    await page.goto(`${sys.url}/_local/dashboard`);
    await page
      .waitForSelector('#status[data-state=ready], #status[data-state=error]', { timeout: 90_000 })
      .catch(() => undefined);
    const status = await page.textContent('#status');
    expect({ status, errors }).toEqual({ status: expect.stringContaining(today), errors: [] });
    const cells = await page.$$eval('#kpis tbody tr', (rows) =>
      rows.map((r) => ({
        id: r.getAttribute('data-kpi'),
        values: [...r.querySelectorAll('td[data-period]')].map((td) => ({
          period: td.getAttribute('data-period'),
          value: td.querySelector('.value')?.textContent,
          ratio: td.querySelector('.ratio')?.textContent,
        })),
      })),
    );
    const counts = await page.$$eval('#counts tbody tr', (rows) =>
      Object.fromEntries(
        rows.map((r) => [
          r.getAttribute('data-count'),
          [...r.querySelectorAll('td')].map((td) => Number(td.textContent)),
        ]),
      ),
    );
    const faults = await page.$$eval('#faults tbody tr[data-fault]', (rows) =>
      rows.map((r) => ({ fault: r.getAttribute('data-fault'), cases: Number(r.cells[1]?.textContent) })),
    );
    const technician = await page.$$eval(`#rollups tr[data-technician="${tech.sub}"] td`, (tds) =>
      Object.fromEntries(tds.map((td) => [td.getAttribute('data-field'), td.textContent])),
    );
    const branches = await page.$$eval('#branches tbody tr[data-branch]', (rows) =>
      rows.map((r) => r.getAttribute('data-branch')),
    );
    const charts = await page.$$eval('#charts .uplot', (els) =>
      els.map((e) => ({
        id: e.parentElement?.id,
        canvas: e.querySelectorAll('canvas').length,
        width: e.querySelector('canvas')?.getBoundingClientRect().width ?? 0,
      })),
    );
    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });

    // Assess: every KPI of every period as /reports gives it, read by the test with its own token.
    expect(errors).toEqual([]);
    expect(status).toContain(today);
    const reports = {
      day: (await ops.get(`/reports/kpis?period=${today}`)).body,
      month: (await ops.get(`/reports/kpis?period=${today.slice(0, 7)}`)).body,
      year: (await ops.get(`/reports/kpis?period=${today.slice(0, 4)}`)).body,
    };
    expect(reports.day.counts).toMatchObject({ opened: 3, completed: 2, visits: 2, minutes: 70 });
    const expected = reports.day.kpis.map((k: any) => ({
      id: k.id,
      values: (['day', 'month', 'year'] as const).map((period) => {
        const r = reports[period].kpis.find((x: any) => x.id === k.id);
        return { period, value: shown(r.unit, r.value), ratio: `${r.numerator} / ${r.denominator}` };
      }),
    }));
    expect(cells).toEqual(expected);
    expect(cells.find((c) => c.id === 'firstTimeFix')?.values[0]).toEqual({
      period: 'day',
      value: '100.00 %',
      ratio: '2 / 2',
    });
    expect(counts).toEqual(
      Object.fromEntries(
        Object.keys(reports.day.counts).map((name) => [
          name,
          [reports.day.counts[name], reports.month.counts[name], reports.year.counts[name]],
        ]),
      ),
    );
    expect(faults).toEqual((await ops.get(`/reports/faults/${today.slice(0, 7)}?limit=10`)).body.faults);
    expect(faults).toEqual([
      { fault: 'air-conditioner/E4', cases: 1 },
      { fault: 'air-conditioner/F12', cases: 1 },
    ]);
    const rollUp = (await ops.get(`/reports/branches/main/daily/${today}`)).body;
    const row = rollUp.technicians.find((t: any) => t.technicianId === tech.sub);
    expect(technician).toEqual({
      jobs: String(row.jobs),
      A: String(row.jobsByCategory.A),
      B: String(row.jobsByCategory.B),
      C: String(row.jobsByCategory.C),
      D: String(row.jobsByCategory.D),
      minutes: '70',
      visits: '2',
      partsUsed: String(row.partsUsed),
      // Shown as text, never as markup.
      note: 'Van <b>tyre</b> replaced',
    });
    expect(branches).toEqual(['main']);
    expect(charts.map((c) => c.id).sort()).toEqual([
      'chart-rates-month',
      'chart-rates-year',
      'chart-volume-month',
      'chart-volume-year',
    ]);
    for (const c of charts) {
      expect(c.canvas).toBeGreaterThan(0);
      expect(c.width).toBeGreaterThan(0);
    }
    // Script, style and data all come from the local system (uPlot from node_modules, no CDN).
    expect(requested.filter((u) => !u.startsWith(sys.url) && !u.startsWith('data:'))).toEqual([]);
    expect(requested).toEqual(
      expect.arrayContaining([
        `${sys.url}/_local/dashboard/uPlot.iife.min.js`,
        `${sys.url}/_local/dashboard/uPlot.min.css`,
        `${sys.url}/reports/kpis?period=${today}`,
      ]),
    );
    await page.close();
  }, 120_000);

  it('hands its token only to its own page: a request from another origin is refused', async () => {
    // Act
    const foreign = await fetch(`${sys.url}/_local/dashboard/token`, {
      method: 'POST',
      headers: { origin: 'https://elsewhere.example' },
    });
    const crossSite = await fetch(`${sys.url}/_local/dashboard/token`, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    const own = await fetch(`${sys.url}/_local/dashboard/token`, {
      method: 'POST',
      headers: { origin: sys.url },
    });

    // Assess
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(crossSite.status).toBe(403);
    expect(own.status).toBe(200);
    const { token, today: day } = (await own.json()) as { token: string; today: string };
    expect(day).toBe(today);
    const claims = await sys.auth.verify(token);
    expect(claims['cognito:groups']).toEqual(['ops']);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(15 * 60);
  });
});
