import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Worker } from 'bullmq';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { listen, noSeriousViolations, watch } from '../support/console-page';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  invitePersonViaApi,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { parsePdf } from '../support/pdf';
import { drain, startTestWorker } from '../support/worker';

/**
 * An analyst's pages beyond the period table, in Chromium under the page's real content security
 * policy: one indicator's trend and segments, the council pack, the signed-off performance figures
 * of a benchmarking group, and an improvement plan. Every figure on the page is compared with what
 * the API answers; nothing is fetched from another host.
 */
let ctx: TestContext;
let worker: Worker;
let server: http.Server;
let base: string;
let browser: Browser;
let admin: string;
let coordinator: string;
const ORG = 'e2e-analysis';
let outsiderAdmin: string;
const GROUP = 'e2e-group';
const email = 'ana.analyst@example.org';
const password = 'a long enough password for tests';

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

async function as(key: string, method: 'get' | 'put' | 'post', url: string, body?: object) {
  const req = ctx.http[method](url).set('Authorization', bearer(key));
  const res = await (body === undefined ? req : req.send(body));
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${res.text}`);
  return res.body;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: '50' });
  worker = startTestWorker(ctx);
  ({ server, base } = await listen(ctx.app));
  const platform = await createPlatformKey();
  const keys: Record<string, string> = {};
  for (const slug of [ORG, 'e2e-peer-x', 'e2e-peer-y']) {
    keys[slug] = (await createOrganisationViaApi(ctx, platform, slug)).adminKey;
  }
  admin = keys[ORG]!;
  outsiderAdmin = keys['e2e-peer-y']!;
  // 2025 unsplit; 2026 in three estates, one of them too small to show.
  const campaigns: Array<[string, string, string, number, number]> = [
    [ORG, '2025', '', 20, 2],
    [ORG, '2026', 'estate:North', 20, 1],
    [ORG, '2026', 'estate:South', 5, 2],
    [ORG, '2026', 'estate:East', 14, 2],
    ['e2e-peer-x', '2025', '', 15, 3],
    ['e2e-peer-x', '2026', '', 15, 2],
    ['e2e-peer-y', '2025', '', 12, 1],
    ['e2e-peer-y', '2026', '', 16, 4],
  ];
  for (const [org, period, segment, n, every] of campaigns) {
    const { campaign } = await createCampaignViaApi(ctx, keys[org]!, {
      template: 'pulse',
      campaign: { period, ...(segment ? { segment } : {}) },
    });
    await answer(campaign.slug, n, every);
  }
  await drain(ctx.runtime.queues.aggregation);

  // A benchmarking group whose coordinator signs off the members' vacancy figures for 2026.
  const centre = await createOrganisationViaApi(ctx, platform, 'e2e-centre', { type: 'resource_centre' });
  coordinator = await issueKeyViaApi(ctx, centre.adminKey, 'e2e-centre', 'coordinator');
  await as(coordinator, 'post', '/api/v1/groups', {
    slug: GROUP,
    name: 'E2E housing group',
    indicators: ['PL_VACANT'],
    calendar: [
      {
        period: '2026',
        opens: '2020-01-01T00:00:00Z',
        closes: '2099-01-01T00:00:00Z',
        signOffBy: '2099-06-01T00:00:00Z',
      },
    ],
  });
  for (const [slug, vacant] of [
    [ORG, 42],
    ['e2e-peer-x', 65],
  ] as const) {
    await as(coordinator, 'post', `/api/v1/groups/${GROUP}/invitations`, { organisation: slug });
    await as(keys[slug]!, 'post', `/api/v1/groups/${GROUP}/membership`);
    const url = `/api/v1/groups/${GROUP}/returns/${slug}/2026`;
    await as(keys[slug]!, 'put', url, {
      figures: [
        { indicator: 'PL_VACANT', numerator: vacant, denominator: 1000, comment: 'counted in March' },
      ],
    });
    await as(keys[slug]!, 'post', `${url}/submit`, {});
    await as(coordinator, 'post', `${url}/sign-off`);
  }

  // An improvement plan whose goal starts from the 2025 value.
  await as(admin, 'post', '/api/v1/plans', {
    title: 'Better repairs 2026–2028',
    cycle: '2026–2028',
    goals: [{ indicator: 'TP01', baselinePeriod: '2025', target: { value: 0.9, period: '2028' } }],
    actions: [
      {
        what: 'Call back every tenant within two days',
        ownerRole: 'Repairs team',
        status: 'in_progress',
        due: '2027-06-30T00:00:00Z',
      },
    ],
  });

  // The analyst: invited, password set.
  await invitePersonViaApi(ctx, admin, ORG, { name: 'Ana Analyst', email, role: 'analyst' }, password);
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await worker?.close();
  await ctx?.close();
});

/** A signed-in browser (the session cookie set through the API, as the sign-in page does). */
async function signedIn(as = { email, password }): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    acceptDownloads: true,
  });
  const res = await context.request.post(`${base}/api/v1/session`, { data: as });
  expect(res.status()).toBe(201);
  // Charts first: the view the reader last chose is remembered per browser.
  await context.addInitScript(() => localStorage.setItem('tv-console-chart-view', 'chart'));
  return context;
}

const pct = (v: number) => `${Math.round(v * 100)}%`;
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

interface Value {
  indicator: string;
  segment: string;
  value: number | null;
  suppressed: string | null;
}

it('shows an indicator’s trend and segments as the API gives them, and downloads the council pack', async () => {
  const context = await signedIn();
  const page = await context.newPage();
  const seen = watch(page, base);
  await page.goto(`${base}/console/indicators`);
  const table = page.locator('#indicators');
  await table.waitFor();
  expect(await page.locator('#period').inputValue()).toBe('2026');
  await noSeriousViolations(page, 'analysis-dashboard-1280');
  await shot(page, 'analysis-dashboard-1280');

  // The council pack of the period, in the console's language.
  const [pack] = await Promise.all([page.waitForEvent('download'), page.click('#council-pack')]);
  expect(pack.suggestedFilename()).toBe('council-pack-2026-en.pdf');
  const pdf = await parsePdf(readFileSync((await pack.path())!));
  const text = pdf.pages.join(' ');
  expect(text).toContain(`City of ${ORG}`);
  expect(text).toContain('2026');
  expect(text).toContain('TP01');
  await expect(page.locator('#council-pack-status').textContent()).resolves.toContain('downloaded');

  // From the table's row to the indicator's own page.
  await table.locator('tr[data-indicator="TP01"] a.indicator-link').click();
  await page.waitForURL(/\/console\/indicators\/TP01\?period=2026$/);
  const youPoint = page.locator(
    '#trend-chart svg path[aria-roledescription="point"][aria-label*="Period: 2026"][aria-label*="series: You"]',
  );
  await youPoint.waitFor();
  const trend = await as(admin, 'get', '/api/v1/benchmarks/TP01/trend?peerGroup=all');
  const point = (trend.points as Array<{ period: string; value: number; peerMedian: number }>).find(
    (p) => p.period === '2026',
  )!;
  expect(trend.points).toHaveLength(2);
  expect(await youPoint.getAttribute('aria-label')).toContain(pct(point.value));
  const median = page.locator(
    '#trend-chart svg path[aria-roledescription="point"][aria-label*="Period: 2026"][aria-label*="series: Peer median"]',
  );
  expect(await median.getAttribute('aria-label')).toContain(pct(point.peerMedian));
  expect(await page.locator('#trend-chart svg .band_marks path').count()).toBe(1);

  // Segments side by side: a value for each shown segment, words for each hidden one.
  const values = (await as(admin, 'get', '/api/v1/indicators?period=2026&indicator=TP01')).items as Value[];
  const segments = values.filter((v) => v.segment !== '*');
  expect(segments.map((s) => s.segment).sort()).toEqual(['estate:East', 'estate:North', 'estate:South']);
  const hidden = segments.filter((s) => s.suppressed);
  const shown = segments.filter((s) => !s.suppressed);
  expect(hidden.map((s) => s.segment)).toContain('estate:South');
  expect(shown.length).toBeGreaterThan(0);
  await page.locator('#segments-chart svg').waitFor();
  const dots = page.locator('#segments-chart svg .values_marks path');
  expect(await dots.count()).toBe(shown.length);
  for (const s of shown) {
    const dot = page.locator(`#segments-chart svg .values_marks path[aria-label*="${s.segment}"]`);
    expect(await dot.getAttribute('aria-label')).toContain(pct(s.value!));
  }
  const words = page.locator('#segments-chart svg .hidden_marks text');
  expect(await words.count()).toBe(hidden.length);
  expect(await words.first().textContent()).toBe('too few answers');
  await noSeriousViolations(page, 'analysis-indicator-1280');
  await shot(page, 'analysis-indicator-1280');

  // The same figures as tables, and the trend as CSV.
  await page.click('#trend-show-table');
  const row = page.locator('#trend-table tr[data-period="2026"] td').first();
  expect(Number(await row.getAttribute('data-value'))).toBe(point.value);
  expect(await row.textContent()).toBe(`${(point.value * 100).toFixed(1)}%`);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#trend-csv')]);
  const lines = readFileSync((await csv.path())!, 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(lines[0]).toContain('peerMedian');
  expect(lines.some((l) => l.startsWith('2026,'))).toBe(true);
  await page.click('#segments-show-table');
  for (const s of segments) {
    const cells = page.locator(`#segments-table tr[data-segment="${s.segment}"] td`);
    if (s.suppressed) {
      expect(await cells.first().textContent()).toBe('too few answers');
      expect(await cells.first().getAttribute('data-value')).toBeNull();
    } else {
      expect(Number(await cells.first().getAttribute('data-value'))).toBe(s.value);
    }
  }

  // The group the organisation belongs to is a peer group to choose.
  const options = await page
    .locator('#peer-group option')
    .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  expect(options).toEqual(['all', 'size', 'region', 'type', 'country', `group:${GROUP}`]);

  // A phone: charts drawn again for the narrow screen, nothing wider than it.
  await page.click('#trend-show-chart');
  await page.click('#segments-show-chart');
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForFunction(() => {
    const svg = document.querySelector('#trend-chart svg');
    return svg !== null && svg.getBoundingClientRect().width <= 340;
  });
  await youPoint.waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await noSeriousViolations(page, 'analysis-indicator-360');
  await shot(page, 'analysis-indicator-360');
  await page.goto(`${base}/console/indicators?period=2026`);
  await page.locator('#indicators').waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await noSeriousViolations(page, 'analysis-dashboard-360');
  await shot(page, 'analysis-dashboard-360');

  expect(seen).toEqual({ outside: [], refused: [] });
  await context.close();
});

it('shows the signed-off figures of the group and where they stand, and the improvement plan', async () => {
  const context = await signedIn();
  const page = await context.newPage();
  const seen = watch(page, base);
  await page.goto(`${base}/console/performance`);
  const figure = page.locator(`table.figures tr[data-figure="PL_VACANT"][data-period="2026"]`);
  await figure.waitFor();
  const signed = await as(admin, 'get', `/api/v1/groups/${GROUP}/returns/${ORG}/2026`);
  expect(signed.state).toBe('signed_off');
  const computed = (signed.figures as Array<{ figure: string; computed: number }>).find(
    (f) => f.figure === 'PL_VACANT',
  )!.computed;
  expect(computed).toBeCloseTo(0.042, 12);
  const cell = figure.locator('td[data-value]');
  expect(Number(await cell.getAttribute('data-value'))).toBe(computed);
  expect(await cell.textContent()).toBe('4.2%');
  expect(await page.locator('#no-figures').count()).toBe(0);
  await noSeriousViolations(page, 'analysis-performance-1280');

  // Where the figure stands among the group's members: a distribution with the organisation apart.
  await figure.locator('a.compare').click();
  await page.waitForURL(/\/console\/performance\?group=e2e-group&figure=PL_VACANT&period=2026$/);
  const you = page.locator('#benchmark-chart svg .you_marks path');
  await you.waitFor();
  const benchmark = await as(
    admin,
    'get',
    `/api/v1/benchmarks/PL_VACANT?period=2026&peerGroup=group:${GROUP}`,
  );
  expect(benchmark.you.value).toBe(computed);
  expect(await you.getAttribute('aria-label')).toContain('4.2%');
  await page.locator('#trend-chart svg').waitFor();
  await noSeriousViolations(page, 'analysis-performance-figure-1280');
  await shot(page, 'analysis-performance-1280');

  // The improvement plan with the progress the API computes.
  await page.goto(`${base}/console/plans`);
  const goal = page.locator('section.plan tr[data-indicator="TP01"]');
  await goal.waitFor();
  const plans = await as(admin, 'get', '/api/v1/plans');
  const plan = plans.items[0];
  expect(await page.locator('section.plan h2').textContent()).toBe(plan.title);
  expect(await goal.getAttribute('data-status')).toBe(plan.goals[0].progress.status);
  const cells = goal.locator('td');
  expect(Number(await cells.nth(1).getAttribute('data-value'))).toBe(plan.goals[0].baseline.value);
  expect(Number(await cells.nth(3).getAttribute('data-value'))).toBe(plan.goals[0].progress.latest.value);
  const action = page.locator('section.plan table.actions tbody tr');
  expect(await action.locator('th').textContent()).toBe('Call back every tenant within two days');
  expect(await action.locator('td').nth(3).textContent()).toContain('in progress');
  const [planCsv] = await Promise.all([page.waitForEvent('download'), page.click(`#plan-${plan.id}-csv`)]);
  expect(readFileSync((await planCsv.path())!, 'utf8')).toContain('Call back every tenant within two days');
  await noSeriousViolations(page, 'analysis-plans-1280');
  await shot(page, 'analysis-plans-1280');
  await page.setViewportSize({ width: 360, height: 740 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await noSeriousViolations(page, 'analysis-plans-360');
  await shot(page, 'analysis-plans-360');

  expect(seen).toEqual({ outside: [], refused: [] });
  await context.close();
});

it('says so when an organisation has no signed-off figures and no plans', async () => {
  const outsider = { email: 'otto.outsider@example.org', password };
  await invitePersonViaApi(
    ctx,
    outsiderAdmin,
    'e2e-peer-y',
    { name: 'Otto Outsider', email: outsider.email, role: 'analyst' },
    password,
  );
  const context = await signedIn(outsider);
  const page = await context.newPage();
  const seen = watch(page, base);
  await page.goto(`${base}/console/performance`);
  await expect(page.locator('#no-figures').textContent()).resolves.toBe('No signed-off figures yet.');
  expect(await page.locator('table.figures').count()).toBe(0);
  await page.goto(`${base}/console/plans`);
  await expect(page.locator('#no-plans').textContent()).resolves.toBe('There are no improvement plans yet.');
  // Another organisation's indicator page shows its own values only: no group to compare with.
  await page.goto(`${base}/console/indicators/TP01`);
  await page.locator('#trend-chart svg').waitFor();
  const options = await page
    .locator('#peer-group option')
    .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  expect(options).not.toContain(`group:${GROUP}`);
  expect(seen).toEqual({ outside: [], refused: [] });
  await context.close();
});
