/**
 * The survey as a customer meets it, in headless Chromium: the card in the local outbox, its link,
 * the form, the confirmation, and the link opened again. Screenshots go to test-output/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/local/system.ts';
import { clockControl } from '../../shared/runtime/clock.ts';
import { completedCase, runMorningRun, shanghai } from '../support/surveys.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const OUTPUT = join(repoRoot, 'test-output');

let sys: TestSystem;
let browser: Browser;
let caseNumber: string;

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  sys = await startTestSystem();
  caseNumber = (
    await completedCase(sys, {
      at: shanghai('2026-11-24T15:00:00'),
      customer: { id: 'cust-browser', name: 'Li Na', email: 'li.na@example.com', language: 'en' },
      technicianId: 'tech-browser',
      technicianName: 'Zhang Wei',
    })
  ).number;
  clockControl.freeze(shanghai('2026-11-25T08:00:00'));
  await runMorningRun(sys);
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
});

afterAll(async () => {
  await browser?.close();
  clockControl.reset();
  await sys.stop();
});

describe('survey in the browser', () => {
  it('opens the link from the outbox, sees the technician by name, answers, sees the confirmation, and finds it answered when reopened', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${sys.url}/_local/outbox`);
    await page.click('a.message');
    await page.click('#open-html');
    await page.screenshot({ path: join(OUTPUT, 'survey-1-card.png'), fullPage: true });
    const card = await page.textContent('body');
    await page.click('#survey-link');
    const surveyUrl = page.url();
    const form = await page.textContent('body');

    // Act
    await page.check('#attitude-4');
    await page.check('#skill-4');
    await page.check('#arrival-3');
    await page.check('#promise-4');
    await page.fill('#comment', 'Quick and tidy. <script>alert(1)</script>');
    await page.screenshot({ path: join(OUTPUT, 'survey-2-form.png'), fullPage: true });
    await page.click('#submit');
    await page.waitForSelector('#thanks');
    await page.screenshot({ path: join(OUTPUT, 'survey-3-thanks.png'), fullPage: true });
    const thanks = await page.textContent('#thanks');
    const reopened = await page.goto(surveyUrl);

    // Assess
    expect(card).toContain('Zhang Wei');
    expect(form).toContain('Zhang Wei');
    expect(form).not.toContain('tech-browser');
    expect(surveyUrl).toMatch(new RegExp(`^${sys.url}/survey/[a-z2-7]{10}\\.`));
    expect(thanks).toContain(caseNumber);
    expect(reopened?.status()).toBe(409);
    expect(await page.isVisible('#already-answered')).toBe(true);
    await page.screenshot({ path: join(OUTPUT, 'survey-4-already-answered.png'), fullPage: true });
    const manager = await sys.as('manager');
    // The scorecard reads the measures' aggregates, which the measures consumer adds the answer to.
    await sys.bus.idle();
    const scorecard = await manager.get('/surveys/scorecard/2026-11');
    expect(scorecard.body.rows).toEqual([
      expect.objectContaining({
        technicianId: 'tech-browser',
        answered: 1,
        display: expect.objectContaining({ overallScore: 4.67 }),
      }),
    ]);
    await page.close();
  });
});
