/**
 * The API reference as a client developer meets it: `/docs` in headless Chromium renders the OpenAPI
 * document — its domains folded, the case routes under the cases tag — loading nothing from anywhere
 * but the local system.
 */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let browser: Browser;

beforeAll(async () => {
  sys = await startTestSystem();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await sys.stop();
});

describe('API reference at /docs', () => {
  it('lists the case routes, with assets served locally', async () => {
    // Prepare
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // Act
    await page.goto(`${sys.url}/docs`);
    await page.waitForSelector('#operations-tag-cases', { timeout: 20_000 });
    const tags = await page.$$eval('.opblock-tag', (els) => els.map((e) => e.getAttribute('data-tag')));
    await page.click('#operations-tag-cases');
    await page.waitForSelector('.opblock-summary-path[data-path="/cases/{id}/assign"]', { timeout: 20_000 });
    const paths = await page.$$eval('.opblock-summary-path', (els) =>
      els.map((e) => e.getAttribute('data-path') ?? e.textContent ?? ''),
    );

    // Assess
    expect(tags).toEqual(expect.arrayContaining(['cases', 'sla', 'surveys', 'complaints', 'warranty']));
    expect(paths).toEqual(expect.arrayContaining(['/cases', '/cases/{id}', '/cases/{id}/assign']));
    expect(await page.textContent('body')).toContain('Aftercare API');
    expect(requested.filter((u) => !u.startsWith(sys.url) && !u.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
