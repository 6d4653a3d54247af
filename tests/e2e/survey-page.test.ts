import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Browser, BrowserContext } from 'playwright-core';
import { t } from '../../src/web/texts';
import {
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';
import { ARTIFACTS, choose, complete, launchChromium, noSeriousA11yViolations } from '../support/browser';

let ctx: TestContext;
let server: http.Server;
let base: string;
let browser: Browser;
let admin: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ctx = await createTestContext();
  server = http.createServer(ctx.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  admin = (
    await createOrganisationViaApi(ctx, await createPlatformKey(), 'e2e-city', {
      languages: ['pl', 'ka', 'en'],
    })
  ).adminKey;
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await ctx?.close();
});

const responses = () => mongoose.connection.db!.collection('responses');

async function newContext(locale: string): Promise<BrowserContext> {
  // bypassCSP only so the accessibility checker can be injected; the page itself runs under its CSP.
  return browser.newContext({
    locale,
    viewport: { width: 360, height: 740 },
    bypassCSP: true,
    isMobile: true,
    hasTouch: true,
  });
}

it('a tenant answers the TSM survey in Polish by clicking, and the response is stored', async () => {
  const { campaign } = await createCampaignViaApi(ctx, admin, { template: 'tsm-perception' });
  const context = await newContext('pl-PL');
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  let transferred = 0;
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
    transferred += e.encodedDataLength;
  });

  await page.goto(`${base}/s/${campaign.slug}?lang=pl`);
  expect(await page.getAttribute('html', 'lang')).toBe('pl');
  await page.waitForSelector('[data-name="overall_satisfaction"]');
  writeFileSync(path.join(ARTIFACTS, 'first-load-bytes.txt'), `${transferred}\n`);
  process.stderr.write(`[e2e] first load transferred ${transferred} bytes\n`);
  expect(transferred).toBeLessThan(700_000);
  await noSeriousA11yViolations(page, 'tsm-pl');
  await page.screenshot({ path: path.join(ARTIFACTS, 'tsm-pl-start.png'), fullPage: true });

  await choose(page, 'overall_satisfaction', 'fairly_satisfied');
  await page.locator('.sd-navigation__next-btn').click();
  await choose(page, 'had_repair', 'no');
  await page.locator('.sd-navigation__next-btn').click();
  await choose(page, 'made_complaint', 'no');
  await page.locator('.sd-navigation__next-btn').click();
  await choose(page, 'has_communal_areas', 'no');
  await page.locator('.sd-navigation__next-btn').click();
  await page.screenshot({ path: path.join(ARTIFACTS, 'tsm-pl-last.png'), fullPage: true });
  await complete(page);
  await page.getByText(t('pl', 'thankYou')).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'tsm-pl-done.png'), fullPage: true });

  const stored = await responses()
    .find({ campaignId: new mongoose.Types.ObjectId(campaign.id) })
    .toArray();
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ locale: 'pl', channel: 'link' });
  expect(stored[0]!.answers).toEqual({
    overall_satisfaction: 'fairly_satisfied',
    had_repair: 'no',
    made_complaint: 'no',
    has_communal_areas: 'no',
  });
  await context.close();
});

it('a tenant whose browser prefers Georgian answers the pulse survey in Georgian', async () => {
  const { campaign } = await createCampaignViaApi(ctx, admin, { template: 'pulse' });
  const context = await newContext('ka-GE');
  const page = await context.newPage();
  await page.goto(`${base}/s/${campaign.slug}?src=qr`);
  expect(await page.getAttribute('html', 'lang')).toBe('ka');
  await page.waitForSelector('[data-name="overall_satisfaction"]');
  await noSeriousA11yViolations(page, 'pulse-ka');
  await choose(page, 'overall_satisfaction', 'very_satisfied');
  await choose(page, 'recommend', 9);
  await page.locator('[data-name="comments"] textarea').fill('ეზო სუფთაა, მადლობა');
  await page.screenshot({ path: path.join(ARTIFACTS, 'pulse-ka.png'), fullPage: true });
  await complete(page);
  await page.getByText(t('ka', 'thankYou')).waitFor();
  const stored = await responses().findOne({ campaignId: new mongoose.Types.ObjectId(campaign.id) });
  expect(stored).toMatchObject({
    locale: 'ka',
    channel: 'qr',
    answers: { overall_satisfaction: 'very_satisfied', recommend: 9, comments: 'ეზო სუფთაა, მადლობა' },
  });
  await context.close();
});

it.each(['en', 'uk', 'ru'])('the pulse survey can be answered in %s', async (lang) => {
  const { campaign } = await createCampaignViaApi(ctx, admin, { template: 'pulse' });
  const context = await newContext(lang);
  const page = await context.newPage();
  await page.goto(`${base}/s/${campaign.slug}?lang=${lang}`);
  expect(await page.getAttribute('html', 'lang')).toBe(lang);
  await choose(page, 'overall_satisfaction', 'neither');
  await choose(page, 'recommend', 6);
  await complete(page);
  await page.getByText(t(lang, 'thankYou')).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, `pulse-${lang}.png`), fullPage: true });
  const stored = await responses().findOne({ campaignId: new mongoose.Types.ObjectId(campaign.id) });
  expect(stored).toMatchObject({ locale: lang, answers: { overall_satisfaction: 'neither', recommend: 6 } });
  await context.close();
});

it('answers given while offline are kept, survive closing the tab, and are stored exactly once', async () => {
  const { campaign } = await createCampaignViaApi(ctx, admin, { template: 'pulse' });
  const campaignId = new mongoose.Types.ObjectId(campaign.id);
  const context = await newContext('pl-PL');
  const page = await context.newPage();
  await page.goto(`${base}/s/${campaign.slug}`);
  await page.waitForSelector('[data-name="overall_satisfaction"]');
  await choose(page, 'overall_satisfaction', 'neither');

  // A reload resumes the answers in progress.
  await page.reload();
  await page.getByText(t('pl', 'resumeNotice')).waitFor();
  expect(await page.locator('[data-name="overall_satisfaction"] input[value="neither"]').isChecked()).toBe(
    true,
  );

  await context.setOffline(true);
  await complete(page);
  await page.getByText(t('pl', 'savedOffline')).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'offline-saved.png'), fullPage: true });
  expect(await responses().countDocuments({ campaignId })).toBe(0);

  // The tab is closed before the network comes back; the outbox survives in the browser.
  await page.close();
  await context.setOffline(false);
  const again = await context.newPage();
  await again.goto(`${base}/s/${campaign.slug}`);
  await again.getByText(t('pl', 'thankYou')).waitFor();
  expect(await responses().countDocuments({ campaignId })).toBe(1);

  // Reloading once more sends nothing twice.
  await again.reload();
  await again.waitForSelector('[data-name="overall_satisfaction"]');
  await again.waitForTimeout(500);
  expect(await responses().countDocuments({ campaignId })).toBe(1);
  await context.close();
});

it('a network cut just before submit is retried with the same submissionId until it lands once', async () => {
  const { campaign } = await createCampaignViaApi(ctx, admin, { template: 'pulse' });
  const campaignId = new mongoose.Types.ObjectId(campaign.id);
  const context = await newContext('pl-PL');
  const page = await context.newPage();
  await page.goto(`${base}/s/${campaign.slug}`);
  await page.waitForSelector('[data-name="overall_satisfaction"]');
  await choose(page, 'overall_satisfaction', 'fairly_dissatisfied');
  // The first attempt reaches the server but its confirmation is lost on the way back.
  let dropped = 0;
  await page.route('**/responses', async (route) => {
    if (dropped++ === 0) {
      const response = await route.fetch();
      expect(response.status()).toBe(201);
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await complete(page);
  await page.getByText(t('pl', 'thankYou')).waitFor({ timeout: 20000 });
  expect(dropped).toBeGreaterThanOrEqual(2);
  expect(await responses().countDocuments({ campaignId })).toBe(1);
  await context.close();
});

it('a closed campaign shows a clear page in the tenant’s language', async () => {
  const { campaign } = await createCampaignViaApi(ctx, admin, {
    template: 'pulse',
    campaign: { opensAt: '2025-01-01T00:00:00Z', closesAt: '2025-02-01T00:00:00Z' },
  });
  const context = await newContext('uk-UA');
  const page = await context.newPage();
  const res = await page.goto(`${base}/s/${campaign.slug}`);
  expect(res?.status()).toBe(410);
  expect(await page.getAttribute('html', 'lang')).toBe('uk');
  await page.getByText(t('uk', 'closed')).waitFor();
  await noSeriousA11yViolations(page, 'closed-uk');
  await page.screenshot({ path: path.join(ARTIFACTS, 'closed-uk.png'), fullPage: true });
  await context.close();
});

/** A 1×1 PNG, as a phone camera would hand over a (much larger) photo. */
const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A campaign of a definition written in Polish, opened on a phone. */
async function openCustom(definition: Record<string, unknown>) {
  const { campaign } = await createCampaignViaApi(ctx, admin, {
    definition: { locale: 'pl', ...definition },
  });
  const context = await newContext('pl-PL');
  const page = await context.newPage();
  await page.goto(`${base}/s/${campaign.slug}`);
  return { campaign, context, page, campaignId: new mongoose.Types.ObjectId(campaign.id) };
}

it('a Likert grid (tsm-grid) is answered row by row on a phone and each row is stored', async () => {
  const { campaign } = await createCampaignViaApi(ctx, admin, { template: 'tsm-grid' });
  const context = await newContext('pl-PL');
  const page = await context.newPage();
  await page.goto(`${base}/s/${campaign.slug}`);
  await choose(page, 'overall_satisfaction', 'fairly_satisfied');
  await page.locator('.sd-navigation__next-btn').click();
  const grid = page.locator('[data-name="services"]');
  await grid.waitFor();
  const picks = ['very_satisfied', 'fairly_satisfied', 'neither', 'dont_know', 'very_dissatisfied'];
  for (const [i, value] of picks.entries()) {
    await grid.locator(`input[value="${value}"]`).nth(i).check({ force: true });
  }
  await page.locator('[data-name="treatment"] input[value="agree"]').check({ force: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'tsm-grid-pl.png'), fullPage: true });
  await complete(page);
  await page.getByText(t('pl', 'thankYou')).waitFor();
  const stored = await responses().findOne({ campaignId: new mongoose.Types.ObjectId(campaign.id) });
  expect(stored!.answers).toEqual({
    overall_satisfaction: 'fairly_satisfied',
    services: {
      repairs_overall: 'very_satisfied',
      repair_time: 'fairly_satisfied',
      home_well_maintained: 'neither',
      home_safe: 'dont_know',
      communal_areas_clean: 'very_dissatisfied',
    },
    treatment: { fair_and_respectful: 'agree' },
  });
  await context.close();
});

it('a dynamic panel takes one entry per household member', async () => {
  const { page, context, campaignId } = await openCustom({
    elements: [
      {
        type: 'paneldynamic',
        name: 'household',
        title: 'Kto mieszka w lokalu?',
        panelCount: 1,
        templateElements: [
          { type: 'text', name: 'age', title: 'Wiek', inputType: 'number', isRequired: true },
          { type: 'boolean', name: 'disabled', title: 'Niepełnosprawność' },
        ],
      },
    ],
  });
  const panel = page.locator('[data-name="household"]');
  await panel.locator('[data-name="age"] input').first().fill('41');
  await panel.locator('.sd-paneldynamic__add-btn').first().click();
  await panel.locator('[data-name="age"] input').nth(1).fill('7');
  await page.screenshot({ path: path.join(ARTIFACTS, 'paneldynamic-pl.png'), fullPage: true });
  await complete(page);
  await page.getByText(t('pl', 'thankYou')).waitFor();
  const stored = await responses().findOne({ campaignId });
  expect(stored!.answers).toEqual({ household: [{ age: 41 }, { age: 7 }] });
  await context.close();
});

it('a photo chosen in a file question is stored with the response', async () => {
  const { page, context, campaignId } = await openCustom({
    elements: [
      {
        type: 'file',
        name: 'photo',
        title: 'Zdjęcie usterki',
        acceptedTypes: 'image/*',
        storeDataAsText: true,
      },
    ],
  });
  // As a tenant does: the choose button opens the phone's file chooser.
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.locator('[data-name="photo"] .sd-file__choose-btn').click(),
  ]);
  await chooser.setFiles({ name: 'usterka.png', mimeType: 'image/png', buffer: PNG_BYTES });
  await page.locator('[data-name="photo"] img[src^="data:image/png"]').waitFor();
  // survey-core reads the file in the background; the draft holds it once read.
  await page.waitForFunction(() =>
    Object.keys(localStorage).some(
      (k) => k.startsWith('tv:progress:') && localStorage[k].includes('usterka.png'),
    ),
  );
  await complete(page);
  await page.getByText(t('pl', 'thankYou')).waitFor();
  const stored = await responses().findOne({ campaignId });
  expect(stored!.answers.photo).toEqual([
    {
      name: 'usterka.png',
      type: 'image/png',
      content: `data:image/png;base64,${PNG_BYTES.toString('base64')}`,
    },
  ]);
  await context.close();
});

it('answers the server refuses stay on the page, with the reason at the question, and survive a reload', async () => {
  const { page, context, campaignId } = await openCustom({
    elements: [
      { type: 'radiogroup', name: 'lift', title: 'Czy winda działa?', choices: ['tak', 'nie'] },
      { type: 'comment', name: 'story', title: 'Opisz, co się stało' },
    ],
  });
  await choose(page, 'lift', 'nie');
  // survey-core sets no limit on this comment; the server keeps answers to 5,000 characters.
  const long = 'Winda stoi. '.repeat(450);
  await page.locator('[data-name="story"] textarea').fill(long);
  await complete(page);
  const reason = t('pl', 'answerTooLong', { max: '5000' });
  await page.getByText(t('pl', 'rejected', { reason })).waitFor();
  await page.locator('[data-name="story"]').getByText(reason).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'refused-pl.png'), fullPage: true });
  expect(await page.getByText(t('pl', 'thankYou')).count()).toBe(0);
  expect(await page.locator('[data-name="story"] textarea').inputValue()).toBe(long);
  expect(await responses().countDocuments({ campaignId })).toBe(0);

  await page.reload();
  await page.getByText(t('pl', 'resumeNotice')).waitFor();
  expect(await page.locator('[data-name="story"] textarea').inputValue()).toBe(long);
  expect(await page.locator('[data-name="lift"] input[value="nie"]').isChecked()).toBe(true);

  await page.locator('[data-name="story"] textarea').fill('Winda stoi od poniedziałku.');
  await complete(page);
  await page.getByText(t('pl', 'thankYou')).waitFor();
  expect(await responses().countDocuments({ campaignId })).toBe(1);
  await context.close();
});
