import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { freePort, startApiChild, startOidcProvider, stopChildren, type Child } from '../support/children';
import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';

/**
 * Single sign-on in Chromium: the console's sign-in page sends the person to a real OpenID
 * provider (oidc-provider, its own process), they log in and consent on the provider's pages,
 * and come back signed in to the page they asked for. The API runs as in production
 * (`src/server.ts` in its own process; openid-client is an ES module) and serves the console.
 */
const CLIENT_ID = 'tenant-voice';
const CLIENT_SECRET = 'a-client-secret-for-the-browser-test';
const ACCOUNTS = {
  ola: { email: 'Ola.Nowak@Sopot.test', email_verified: true, name: 'Ola Nowak' },
  stranger: { email: 'stranger@sopot.test', email_verified: true, name: 'Not Invited' },
};

let ctx: TestContext;
let browser: Browser;
let appUrl: string;
let issuer: string;
const children: Child[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  const admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'sopot')).adminKey;
  const invited = await ctx.http
    .post('/api/v1/organisations/sopot/people')
    .set('Authorization', bearer(admin))
    .send({ name: 'Ola Nowak', email: 'ola.nowak@sopot.test', role: 'analyst' });
  expect(invited.status).toBe(201);

  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  issuer = await startOidcProvider(children, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${appUrl}/api/v1/session/oidc/callback`,
    accounts: ACCOUNTS,
  });
  await startApiChild(children, ctx, port, {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    displayName: 'Sopot staff login',
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopChildren(children);
  await ctx?.close();
});

/** Logs in as `login` on the provider's development pages and consents to what the console asks. */
async function atProvider(page: Page, login: string): Promise<void> {
  await page.waitForURL((url) => url.origin === issuer);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  // The consent page, when the provider asks for it.
  const consent = page.locator('form:has(input[name=prompt][value=consent]) button[type=submit]');
  await page.waitForLoadState('load');
  if (new URL(page.url()).origin === issuer && (await consent.count())) await consent.click();
}

/**
 * Requests made by the console's pages that went anywhere but the service or the provider (the
 * provider's own development pages load web fonts; that is the provider's business).
 */
function outside(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    const from = new URL(r.frame().url() || appUrl);
    if (from.origin !== appUrl || ['blob:', 'data:'].includes(url.protocol)) return;
    if (![appUrl, issuer].includes(url.origin)) seen.push(url.href);
  });
  return seen;
}

it('an invited person signs in through the provider and lands on the page they asked for', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  const seen = outside(page);
  await page.goto(`${appUrl}/console/indicators`);
  await page.waitForURL(/\/console\/sign-in\?returnTo=/);
  const sso = page.locator('.sso a');
  await sso.waitFor();
  expect(await sso.textContent()).toBe('Sign in with Sopot staff login');
  await sso.click();

  await atProvider(page, 'ola');
  await page.waitForURL(`${appUrl}/console/indicators`);
  // The provider's address differs in case from the invited one; the person is the invited one.
  await page.locator('#person-name').waitFor();
  expect(await page.locator('#person-name').textContent()).toBe('Ola Nowak');
  const session = await page.evaluate(async () => (await fetch('/api/v1/session')).json());
  expect(session.person).toMatchObject({ email: 'ola.nowak@sopot.test', role: 'analyst' });
  // The session cookie is the console's own: HttpOnly, SameSite=Lax, not readable by the page.
  const cookies = await context.cookies(appUrl);
  const own = cookies.filter((c) => c.httpOnly && c.sameSite === 'Lax');
  expect(own.length).toBeGreaterThan(0);
  expect(await page.evaluate(() => document.cookie)).not.toMatch(/connect\.sid|tv\./);
  expect(seen).toEqual([]);

  // Signing out ends the session; the console's pages ask for sign-in again.
  await page.click('#sign-out');
  await page.waitForURL(/\/console\/sign-in/);
  const after = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  expect(after).toBe(401);
  await context.close();
}, 60_000);

it('a person the service does not know comes back to the sign-in page with the reason, without a session', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${appUrl}/console/sign-in`);
  await page.locator('.sso a').click();
  await atProvider(page, 'stranger');
  await page.waitForURL(`${appUrl}/console/sign-in?error=sso`);
  await page.locator('#sign-in-status .error').waitFor();
  expect(await page.locator('#sign-in-status').textContent()).toContain('Single sign-on did not sign you in');
  const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  expect(status).toBe(401);
  await context.close();
}, 60_000);
