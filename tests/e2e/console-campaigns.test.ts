import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { listen, noSeriousViolations, watch } from '../support/console-page';
import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  invitePersonViaApi,
  type TestContext,
} from '../support/harness';
import { parsePdf } from '../support/pdf';
import { drain, startTestWorker } from '../support/worker';

/**
 * An administrator in the console, in Chromium under the page's content security policy: starts
 * a campaign with the form (the API's refusal shown at the field first), opens its page with the
 * QR code and the poster, and watches two tenants' responses arrive without reloading. Then the
 * indicator mapping form, driven by keyboard. Nothing is fetched from another host.
 */
let ctx: TestContext;
let worker: Worker;
let server: http.Server;
let base: string;
let browser: Browser;
let admin: string;
let surveyId: string;
const email = 'ann.admin@example.org';
const password = 'correct horse battery staple';

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: '50' });
  worker = startTestWorker(ctx);
  ({ server, base } = await listen(ctx.app));
  const org = await createOrganisationViaApi(ctx, await createPlatformKey(), 'e2e-campaigns');
  admin = org.adminKey;

  // A survey created and published through the API beforehand.
  const survey = await ctx.http
    .post('/api/v1/surveys')
    .set('Authorization', bearer(admin))
    .send({ slug: 'pulse-2026', template: 'pulse' });
  expect(survey.status).toBe(201);
  surveyId = survey.body.id as string;
  const published = await ctx.http
    .post(`/api/v1/surveys/${surveyId}/versions`)
    .set('Authorization', bearer(admin));
  expect(published.status).toBe(201);

  // The administrator is invited and sets a password.
  await invitePersonViaApi(
    ctx,
    admin,
    'e2e-campaigns',
    { name: 'Ann Admin', email, role: 'admin' },
    password,
  );
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await worker?.close();
  await ctx?.close();
});

async function signIn(page: Page, returnTo: string): Promise<void> {
  await page.goto(`${base}/console/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.locator('#person-name').waitFor();
}

async function respond(slug: string): Promise<void> {
  const res = await ctx.http.post(`/api/v1/public/campaigns/${slug}/responses`).send({
    submissionId: randomUUID(),
    locale: 'en',
    answers: { overall_satisfaction: 'very_satisfied', recommend: 9 },
  });
  expect(res.status).toBe(201);
}

/**
 * The right edge of the page's content, scrolling regions excepted: nothing in it may be wider
 * than a phone. (The frame's navigation bar is measured by the frame's own test.)
 */
function widest(page: Page): Promise<number> {
  return page.evaluate(() => {
    let right = 0;
    for (const el of document.querySelectorAll('main *')) {
      if (el.closest('.scroll')) continue;
      right = Math.max(right, el.getBoundingClientRect().right);
    }
    return Math.ceil(right);
  });
}

const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

it('an administrator starts a campaign with the form and watches its responses arrive', async () => {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const seen = watch(page, base);
  await signIn(page, '/console');

  // Campaigns, from the navigation: none yet, and the form.
  await page.click('nav a[href="/console/campaigns"]');
  await page.waitForURL(/\/console\/campaigns$/);
  await page.locator('#no-campaigns').waitFor();
  await page.locator('#campaign-form').waitFor();
  await page.selectOption('#campaign-survey', surveyId);
  await page.locator('#campaign-language-en').waitFor();
  expect(await page.locator('#campaign-version option').allTextContents()).toEqual(['Version 1']);
  expect(await page.locator('#campaign-languages input[type=checkbox]').count()).toBeGreaterThan(1);

  // A period the API does not accept: its message at the field, which takes the focus.
  await page.fill('#campaign-period', '2026-13');
  await page.fill('#campaign-segment', 'estate:Zaspa');
  await page.fill('#campaign-housing-stock', '40');
  await page.click('#start-campaign');
  const periodError = page.locator('#campaign-period-error');
  await page.waitForFunction(() => document.querySelector('#campaign-period-error')?.textContent !== '');
  expect(await periodError.textContent()).toContain('must match pattern');
  expect(await page.getAttribute('#campaign-period', 'aria-invalid')).toBe('true');
  expect(await page.getAttribute('#campaign-period', 'aria-describedby')).toContain('campaign-period-error');
  expect(await activeId(page)).toBe('campaign-period');
  expect(await page.locator('#campaign-form-status [role=alert]').textContent()).toContain(
    'The campaign was not started',
  );
  await noSeriousViolations(page, 'console-campaigns-form-1280');

  // Corrected: the campaign starts and its page opens.
  await page.fill('#campaign-period', '2026');
  await page.click('#start-campaign');
  await page.waitForURL(/\/console\/campaigns\/[a-f0-9]{24}$/);
  const id = page.url().split('/').pop()!;
  const campaign = (await ctx.http.get(`/api/v1/campaigns/${id}`).set('Authorization', bearer(admin)))
    .body as {
    title: string;
    url: string;
    slug: string;
    period: string;
    segment: string;
    housingStock: number;
    languages: string[];
  };
  expect(campaign).toMatchObject({ period: '2026', segment: 'estate:Zaspa', housingStock: 40 });
  await page.locator('#response-count').waitFor();
  expect(await page.locator('h1').textContent()).toBe(campaign.title);
  expect(await page.locator('#public-link').textContent()).toBe(campaign.url);
  expect(await page.locator('#response-count').textContent()).toBe('0');
  expect(await page.locator('#response-rate').textContent()).toContain('0.0%');

  // The QR code loads with the session cookie.
  await page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('#qr-code');
    return img !== null && img.complete && img.naturalWidth > 0;
  });
  expect(await page.getAttribute('#qr-code', 'alt')).toContain(campaign.url);

  // The poster, downloaded by the link, carries the title and the short link.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#poster-link')]);
  const poster = await parsePdf(readFileSync((await download.path())!));
  const text = poster.pages.join(' ');
  expect(text).toContain(campaign.url.replace(/^https?:\/\//, ''));
  expect(text).toContain(campaign.title);

  // Two tenants answer; the count on the open page becomes 2 without a reload.
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  await respond(campaign.slug);
  await respond(campaign.slug);
  await drain(ctx.runtime.queues.aggregation);
  await page.waitForFunction(
    () => document.querySelector('#response-count')?.textContent === '2',
    undefined,
    {
      timeout: 20_000,
    },
  );
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  expect(await page.locator('#response-rate').textContent()).toContain('5.0%');
  expect(await page.locator('#mode-counts').textContent()).toContain('online: 2');
  expect(await page.locator('#campaign-announcer').textContent()).toBe('Responses so far: 2.');
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-campaign-1280.png'), fullPage: true });
  await noSeriousViolations(page, 'console-campaign-1280');

  // A phone: nothing wider than the screen.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(100);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-campaign-360.png'), fullPage: true });
  expect(await widest(page)).toBeLessThanOrEqual(360);
  await noSeriousViolations(page, 'console-campaign-360');

  // Back to the list: the campaign with its two responses.
  await page.click('.back a');
  const listed = page.locator(`#campaigns tr[data-campaign="${id}"]`);
  await listed.waitFor();
  expect(await listed.locator('td.num').textContent()).toBe('2');
  expect(await listed.textContent()).toContain('estate:Zaspa');
  expect(await widest(page)).toBeLessThanOrEqual(360);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-campaigns-360.png'), fullPage: true });
  await noSeriousViolations(page, 'console-campaigns-360');

  expect(seen).toEqual({ outside: [], refused: [] });
  await context.close();
});

it('leaves the page quietly: no more readings of the campaign once another page is open', async () => {
  const created = await ctx.http
    .post('/api/v1/campaigns')
    .set('Authorization', bearer(admin))
    .send({ surveyId, period: '2026-Q3', access: 'invite' });
  expect(created.status).toBe(201);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const seen = watch(page, base);
  await signIn(page, `/console/campaigns/${created.body.id}`);
  await page.locator('#invitation-form').waitFor();
  // A campaign for the whole organisation: measured against the organisation's housing stock.
  expect(await page.locator('#response-rate').textContent()).toBe(
    '0.0% (0 of the organisation’s 5,000 dwellings)',
  );

  // Invitations: three codes, then the letters while the codes are held.
  await page.fill('#invitation-count', '3');
  await page.click('#issue-invitations');
  await page.locator('#letters-csv').waitFor();
  expect(await page.locator('#invitation-status').textContent()).toBe('Invitations created: 3.');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#letters-csv')]);
  const rows = readFileSync((await csv.path())!, 'utf8')
    .trim()
    .split('\n');
  expect(rows).toHaveLength(4);
  expect(rows[1]).toContain(`/s/${created.body.slug}?t=`);

  const readings: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith(`/api/v1/campaigns/${created.body.id}`)) readings.push(r.url());
  });
  await page.waitForTimeout(5500);
  expect(readings.length).toBeGreaterThanOrEqual(1);
  await page.click('nav a[href="/console/campaigns"]');
  await page.locator('#campaigns').waitFor();
  const before = readings.length;
  await page.waitForTimeout(6000);
  expect(readings.length).toBe(before);
  expect(seen).toEqual({ outside: [], refused: [] });
  await context.close();
}, 60_000);

it('the indicator mapping form: keyboard, warnings, update keeping the focus, narrow screens', async () => {
  // The form on its own, bundled the way the console bundles it, mounted in a signed-in page.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mapping-form-'));
  const root = path.resolve(__dirname, '../..');
  try {
    const entry = path.join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { setLanguage } from ${JSON.stringify(path.join(root, 'console/i18n'))};
import { mappingForm } from ${JSON.stringify(path.join(root, 'console/pages/admin/mapping'))};
const w = window as unknown as Record<string, unknown>;
w.mountMapping = async (definition: unknown, mapping: unknown) => {
  await setLanguage('en');
  const changes: unknown[] = [];
  const form = mappingForm({ definition, mapping, onChange: (m) => changes.push(m) });
  const main = document.createElement('main');
  main.append(form.element);
  document.getElementById('app')!.replaceChildren(main);
  w.mappingChanges = changes;
  w.mappingForm = form;
};`,
    );
    const bundle = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      tsconfig: path.join(root, 'console/tsconfig.json'),
      loader: { '.css': 'empty' },
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]!.text;

    const pulse = JSON.parse(readFileSync(path.join(root, 'surveys/pulse.json'), 'utf8')) as {
      definition: { pages: Array<{ elements: Array<{ name: string }> }> };
    };
    const definition = pulse.definition;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const seen = watch(page, base);
    await signIn(page, '/console/campaigns');
    await page.evaluate(code);
    await page.evaluate(
      ([d, m]) =>
        (window as unknown as { mountMapping: (d: unknown, m: unknown) => Promise<void> }).mountMapping(d, m),
      [definition, [{ indicator: 'TP01', question: 'overall_satisfaction' }]] as const,
    );
    const changes = () =>
      page.evaluate(() => (window as unknown as { mappingChanges: unknown[] }).mappingChanges);
    const warnings = page.locator('.mapping-warnings');
    // The catalogue arrives: the indicator is chosen, nothing lands nowhere.
    await page.waitForFunction(
      () => document.querySelectorAll('select[id$="-0-indicator"] option').length > 5,
    );
    const prefix = (await page.locator('.mapping-entry').first().getAttribute('id'))!.replace(/-0$/, '');
    expect(await page.locator(`#${prefix}-0-indicator`).inputValue()).toBe('TP01');
    await expect(warnings.locator('.ok').textContent()).resolves.toContain('Every answer');

    // Keyboard: Tab to "Add an entry", Enter: the new entry's question takes the focus.
    await page.focus(`#${prefix}-0-remove`);
    for (let i = 0; i < 40 && (await activeId(page)) !== `${prefix}-add`; i++)
      await page.keyboard.press('Tab');
    expect(await activeId(page)).toBe(`${prefix}-add`);
    await page.keyboard.press('Enter');
    expect(await activeId(page)).toBe(`${prefix}-1-question`);
    await expect(warnings.textContent()).resolves.toContain(
      'Entry 2: choose both a question and an indicator',
    );

    // The recommendation question, first measured against TP01 (already taken, and off its scale).
    const recommend = await page
      .locator(`#${prefix}-1-question option`)
      .filter({ hasText: /recommend/i })
      .first()
      .getAttribute('value');
    await page.selectOption(`#${prefix}-1-question`, recommend!);
    expect(await activeId(page)).toBe(`${prefix}-1-question`);
    await page.selectOption(`#${prefix}-1-indicator`, 'TP01');
    await expect(warnings.textContent()).resolves.toContain(
      'Entry 2: TP01 is already measured by entry 1; an indicator takes one question.',
    );
    await expect(warnings.textContent()).resolves.toMatch(
      /Entry 2: the answer “10” of “.+” lands nowhere on TP01/,
    );
    // NPS fits: the warnings go, and the form reports the mapping.
    await page.selectOption(`#${prefix}-1-indicator`, 'NPS');
    await expect(warnings.locator('.ok').textContent()).resolves.toContain('Every answer');
    expect((await changes()).at(-1)).toEqual([
      { indicator: 'TP01', question: 'overall_satisfaction' },
      { indicator: 'NPS', question: 'recommend' },
    ]);

    // A value map: an answer of the first question left out of the base.
    const neither = page
      .locator(`#${prefix}-0 .value`)
      .filter({ has: page.locator('label', { hasText: '(neither)' }) })
      .locator('select');
    await neither.selectOption('"dont_know"');
    expect((await changes()).at(-1)).toEqual([
      { indicator: 'TP01', question: 'overall_satisfaction', valueMap: { neither: 'dont_know' } },
      { indicator: 'NPS', question: 'recommend' },
    ]);

    // The definition loses the recommendation question: the form says so, the focus stays put.
    await page.focus(`#${prefix}-0-indicator`);
    const without = structuredClone(definition);
    for (const p of without.pages) p.elements = p.elements.filter((e) => e.name !== 'recommend');
    await page.evaluate(
      ([d, m]) =>
        (window as unknown as { mappingForm: { update(d: unknown, m: unknown): void } }).mappingForm.update(
          d,
          m,
        ),
      [without, (await changes()).at(-1)] as const,
    );
    await expect(warnings.textContent()).resolves.toContain(
      'Entry 2: “recommend” is no longer in the survey.',
    );
    expect(await activeId(page)).toBe(`${prefix}-0-indicator`);
    expect(await page.locator(`#${prefix}-1-question option:checked`).textContent()).toContain(
      'no longer in the survey',
    );

    // Removed by keyboard: the focus goes to the entry that is left.
    await page.focus(`#${prefix}-1-remove`);
    expect(await page.getAttribute(`#${prefix}-1-remove`, 'aria-label')).toBe('Remove entry 2');
    await page.keyboard.press('Enter');
    expect(await activeId(page)).toBe(`${prefix}-0-question`);
    expect((await changes()).at(-1)).toEqual([
      { indicator: 'TP01', question: 'overall_satisfaction', valueMap: { neither: 'dont_know' } },
    ]);
    await noSeriousViolations(page, 'console-mapping-form-1280');

    // A phone: the entry's fields stack.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const q = (await page.locator(`#${prefix}-0-question`).boundingBox())!;
    const ind = (await page.locator(`#${prefix}-0-indicator`).boundingBox())!;
    expect(ind.y).toBeGreaterThan(q.y + q.height - 1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-mapping-form-360.png'), fullPage: true });
    await noSeriousViolations(page, 'console-mapping-form-360');
    expect(seen).toEqual({ outside: [], refused: [] });
    await context.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
