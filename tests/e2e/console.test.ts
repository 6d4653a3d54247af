import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Worker } from 'bullmq';
import type { Browser, BrowserContext } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { listen, noSeriousViolations, watch } from '../support/console-page';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';
import { drain, startTestWorker } from '../support/worker';

/**
 * An analyst in the console, in Chromium with the page's real content security policy: accepts
 * the invitation, signs in with the keyboard alone, reads the period's indicators and the
 * benchmark (chart, table, CSV), switches to Polish; nothing is fetched from another host.
 */
let ctx: TestContext;
let worker: Worker;
let server: http.Server;
let base: string;
let browser: Browser;
let admin: string;

async function answer(slug: string, n: number, positiveEvery: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await ctx.http.post(`/api/v1/public/campaigns/${slug}/responses`).send({
      submissionId: randomUUID(),
      locale: 'en',
      answers: {
        overall_satisfaction: i % positiveEvery === 0 ? 'very_satisfied' : 'fairly_dissatisfied',
        recommend: i % 11,
      },
    });
    if (res.status !== 201) throw new Error(res.text);
  }
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: '50' });
  worker = startTestWorker(ctx);
  ({ server, base } = await listen(ctx.app));
  const platform = await createPlatformKey();
  // The analyst's city and three peers measure TP01 in 2026.
  for (const [slug, n, every] of [
    ['e2e-console', 24, 2],
    ['e2e-peer-a', 20, 4],
    ['e2e-peer-b', 15, 1],
    ['e2e-peer-c', 12, 3],
  ] as const) {
    const org = await createOrganisationViaApi(ctx, platform, slug);
    if (slug === 'e2e-console') admin = org.adminKey;
    const { campaign } = await createCampaignViaApi(ctx, org.adminKey, { template: 'pulse' });
    await answer(campaign.slug, n, every);
  }
  await drain(ctx.runtime.queues.aggregation);
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await worker?.close();
  await ctx?.close();
});

async function newContext(): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    acceptDownloads: true,
  });
}

it('an invited analyst sets a password, signs in by keyboard and reads indicators and the benchmark', async () => {
  const email = 'ada.analyst@example.org';
  const invited = await ctx.http
    .post('/api/v1/organisations/e2e-console/people')
    .set('Authorization', bearer(admin))
    .send({ name: 'Ada Analyst', email, role: 'analyst' });
  expect(invited.status).toBe(201);
  const token = new URL(invited.body.invitation.url as string).hash.slice(1);
  const password = 'correct horse battery staple';

  // The invitation link, in a browser of its own.
  const first = await newContext();
  const invitation = await first.newPage();
  const invitationSeen = watch(invitation, base);
  await invitation.goto(`${base}/console/invitation#${token}`);
  await invitation.fill('#new-password', password);
  await invitation.fill('#repeat-password', password);
  await invitation.click('button[type=submit]');
  await invitation.waitForURL(/\/console\/sign-in\?invited=1$/);
  expect(await invitation.locator('#sign-in-status').textContent()).toContain('Your password is set');
  await noSeriousViolations(invitation, 'console-sign-in');
  // A refused single sign-on lands on the sign-in page with its message; this deployment has no SSO.
  await invitation.goto(`${base}/console/sign-in?error=sso`);
  await invitation.locator('#email').waitFor();
  expect(await invitation.locator('#sign-in-status').textContent()).toContain('Single sign-on did not');
  expect(await invitation.locator('.sso a').count()).toBe(0);
  expect(invitationSeen).toEqual({ outside: [], refused: [] });
  await first.close();

  // A fresh browser: the console's first load, measured on the wire.
  const context = await newContext();
  const page = await context.newPage();
  const seen = watch(page, base);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  let transferred = 0;
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
    transferred += e.encodedDataLength;
  });
  await page.goto(`${base}/console`);
  await page.waitForURL(/\/console\/sign-in\?returnTo=/);
  await page.locator('#email').waitFor();
  await page.waitForLoadState('networkidle');
  writeFileSync(path.join(ARTIFACTS, 'console-first-load-bytes.txt'), `${transferred}\n`);
  process.stderr.write(`[e2e] console first load transferred ${transferred} bytes\n`);
  expect(transferred).toBeLessThan(300_000);

  // Keyboard only: Tab to the e-mail field, type, Tab, type, Enter.
  for (let i = 0; i < 8 && (await page.evaluate(() => document.activeElement?.id)) !== 'email'; i++)
    await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');

  // The dashboard: the newest period, TP01 as the API gives it.
  const table = page.locator('#indicators');
  await table.waitFor();
  expect(await page.locator('#person-name').textContent()).toBe('Ada Analyst');
  const api = await ctx.http
    .get('/api/v1/indicators?period=2026&indicator=TP01')
    .set('Authorization', bearer(admin));
  const tp01 = (api.body.items as Array<{ indicator: string; segment: string; value: number }>).find(
    (v) => v.indicator === 'TP01' && v.segment === '*',
  )!;
  const valueCell = table.locator('tr[data-indicator="TP01"] td').first();
  expect(Number(await valueCell.getAttribute('data-value'))).toBe(tp01.value);
  expect(await valueCell.textContent()).toBe(`${(tp01.value * 100).toFixed(1)}%`);
  await noSeriousViolations(page, 'console-dashboard-1280');

  // The benchmark, opened from the keyboard: the chart puts the organisation's point at its value.
  await table.locator('tr[data-indicator="TP01"] a.compare').focus();
  await page.keyboard.press('Enter');
  const you = page.locator('#benchmark-chart svg .you_marks path');
  await you.waitFor();
  const benchmark = await ctx.http
    .get('/api/v1/benchmarks/TP01?period=2026&peerGroup=all')
    .set('Authorization', bearer(admin));
  const own = (benchmark.body.organisations as Array<{ you: boolean; value: number }>).find((o) => o.you)!;
  expect(own.value).toBe(tp01.value);
  const youLabel = (await you.getAttribute('aria-label')) ?? '';
  expect(youLabel).toContain(`${Math.round(own.value * 100)}%`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-dashboard-1280.png'), fullPage: true });
  await noSeriousViolations(page, 'console-benchmark-1280');

  // The same benchmark as a table, and as CSV.
  await page.click('#benchmark-show-table');
  const ownRow = page.locator('#benchmark-view tr.you');
  expect(await ownRow.locator('td').first().textContent()).toBe(`${(own.value * 100).toFixed(1)}%`);
  expect(await page.locator('#benchmark-view tbody tr').count()).toBeGreaterThan(4);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#benchmark-csv')]);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\n')[0]).toContain('percentileRank');
  expect(csv).toContain('City of e2e-console');
  await page.click('#benchmark-show-chart');
  await you.waitFor();

  // Polish, remembered across a reload.
  // From the keyboard: English is first, Polish next.
  await page.focus('#language');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.documentElement.lang === 'pl');
  await expect(page.locator('h1').textContent()).resolves.toBe('Wskaźniki');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('language');
  await page.reload();
  await page.locator('#indicators').waitFor();
  expect(await page.getAttribute('html', 'lang')).toBe('pl');
  expect(await page.locator('#sign-out').textContent()).toBe('Wyloguj się');
  expect(await valueCell.textContent()).toBe(`${(tp01.value * 100).toFixed(1).replace('.', ',')}%`);

  // A phone: nothing wider than the screen but the tables' own scrolling areas.
  await page.setViewportSize({ width: 360, height: 740 });
  // The chart is drawn again for the narrow screen.
  await page.waitForFunction(() => {
    const svg = document.querySelector('#benchmark-chart svg');
    return svg !== null && svg.getBoundingClientRect().width <= 340;
  });
  await you.waitFor();
  expect((await you.getAttribute('aria-label')) ?? '').toContain(`${Math.round(own.value * 100)}%`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-dashboard-360.png'), fullPage: true });
  await noSeriousViolations(page, 'console-dashboard-360');

  await page.click('#sign-out');
  await page.waitForURL(/\/console\/sign-in$/);
  const after = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  expect(after).toBe(401);
  expect(seen).toEqual({ outside: [], refused: [] });
  await context.close();
});

it('serves the console compressed, under the content security policy, and index.html for its paths', async () => {
  const page = await ctx.http.get('/console/indicators?period=2026');
  expect(page.status).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.headers['cache-control']).toBe('no-cache');
  const policy = page.headers['content-security-policy'] as string;
  expect(policy).toContain("script-src 'self'");
  expect(policy).not.toContain('unsafe-eval');
  const script = /<script type="module" src="([^"]+)"/.exec(page.text)?.[1];
  expect(script).toMatch(/^\/console\/assets\/console-[A-Z0-9]+\.js$/);
  const asset = await ctx.http.get(script!).set('Accept-Encoding', 'gzip');
  expect(asset.status).toBe(200);
  expect(asset.headers['content-encoding']).toBe('gzip');
  expect(asset.headers['cache-control']).toContain('immutable');
  expect((await ctx.http.get('/console/assets/missing-123.js')).status).toBe(404);
});
