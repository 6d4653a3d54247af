import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Worker } from 'bullmq';
import mongoose from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, choose, complete, launchChromium, noSeriousA11yViolations } from '../support/browser';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { drain, startTestWorker } from '../support/worker';

/**
 * An interviewer at the staff entry page in Chromium: a telephone interview, then a paper form
 * entered twice with one difference, resolved on the page; the form counts once.
 */
let ctx: TestContext;
let worker: Worker;
let server: http.Server;
let base: string;
let browser: Browser;
let admin: string;
let interviewer: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: '50' });
  worker = startTestWorker(ctx);
  server = http.createServer(ctx.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'e2e-entry')).adminKey;
  interviewer = await issueKeyViaApi(ctx, admin, 'e2e-entry', 'interviewer');
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await worker?.close();
  await ctx?.close();
});

async function say(page: Page): Promise<string> {
  return (await page.locator('#tv-notice').textContent()) ?? '';
}

it('an interviewer enters a telephone interview and a paper form twice, and resolves the difference', async () => {
  const { campaign } = await createCampaignViaApi(ctx, admin, {
    template: 'pulse',
    campaign: { period: '2026', doubleEntry: true, languages: ['en', 'pl'] },
  });
  // A phone, as interviewers in the field use; bypassCSP only so axe can be injected.
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    bypassCSP: true,
  });
  const page = await context.newPage();
  const outside: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) outside.push(r.url());
  });
  await page.goto(`${base}/s/${campaign.slug}/entry?lang=en`);
  await expect(page.locator('.tv-entry-banner')).toBeDefined();
  expect(await page.locator('.tv-entry-banner').textContent()).toContain('Staff entry');
  await noSeriousA11yViolations(page, 'entry-en');
  await page.fill('#tv-key', interviewer);
  await page.locator('#tv-key').dispatchEvent('change');

  // A telephone interview: no serial asked.
  await page.selectOption('#tv-mode', 'telephone');
  expect(await page.locator('#tv-serial-row').isHidden()).toBe(true);
  await choose(page, 'overall_satisfaction', 'very_satisfied');
  await choose(page, 'recommend', 9);
  await complete(page);
  await page.waitForFunction(
    () => document.querySelector('#tv-notice')?.getAttribute('data-kind') === 'done',
  );
  expect(await say(page)).toBe('Stored and counted.');
  await page.click('#tv-next');

  // The paper form, first entry.
  await page.selectOption('#tv-mode', 'paper');
  await page.fill('#tv-serial', 'P-7');
  await choose(page, 'overall_satisfaction', 'fairly_satisfied');
  await choose(page, 'recommend', 8);
  await complete(page);
  await page.waitForFunction(() => /P-7/.test(document.querySelector('#tv-notice')?.textContent ?? ''));
  expect(await say(page)).toContain('First entry of form P-7 kept');
  await page.click('#tv-next');

  // The second entry misreads one tick.
  await page.fill('#tv-serial', 'P-7');
  await choose(page, 'overall_satisfaction', 'very_dissatisfied');
  await choose(page, 'recommend', 8);
  await complete(page);
  const resolution = page.locator('#tv-resolution');
  await resolution.waitFor();
  expect(await page.locator('#tv-result').textContent()).toContain('differs from the first');
  expect(await resolution.locator('fieldset').count()).toBe(1);
  expect(await resolution.locator('legend').textContent()).toContain('satisfied');
  await page.screenshot({ path: path.join(ARTIFACTS, 'entry-differences-360.png'), fullPage: true });
  // The form says "fairly satisfied": the first entry was right.
  expect(await resolution.locator('label').allTextContents()).toEqual([
    'First entry: Fairly satisfied',
    'Second entry: Very dissatisfied',
  ]);
  await resolution.locator('label', { hasText: 'First entry' }).click();
  await resolution.locator('button[type=submit]').click();
  await page.waitForFunction(
    () => document.querySelector('#tv-notice')?.textContent === 'Stored and counted.',
  );
  expect(outside).toEqual([]);

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'entry-1280.png'), fullPage: true });
  await context.close();

  const responses = mongoose.connection.db!.collection('responses');
  const stored = await responses.find({ campaignId: new mongoose.Types.ObjectId(campaign.id) }).toArray();
  expect(stored.map((r) => r.mode).sort()).toEqual(['paper', 'telephone']);
  expect(stored.find((r) => r.mode === 'paper')!.answers.overall_satisfaction).toBe('fairly_satisfied');

  await drain(ctx.runtime.queues.aggregation);
  const own = await ctx.http
    .get('/api/v1/indicators?period=2026&indicator=TP01')
    .set('Authorization', bearer(admin));
  const whole = own.body.items.filter((v: { segment: string }) => v.segment === '*');
  expect(whole).toHaveLength(1);
  // One telephone answer and the one paper form: n = 2, both satisfied.
  expect(whole[0]).toMatchObject({ n: 2, nByMode: { telephone: 1, paper: 1 }, value: 1 });
});
