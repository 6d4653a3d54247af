import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { listen, noSeriousViolations, watch } from '../support/console-page';
import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  invitePersonViaApi,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';

/**
 * A group's coordinator and a member's admin in the console, each in a browser of their own with
 * the page's real content security policy: the coordinator opens the period's returns, queries a
 * figure of the submitted return; the member's admin answers (after a stale save is refused and
 * the return reloaded) and resubmits; the coordinator closes the query and signs off. The API and
 * the member organisation's audit log agree, and nothing is fetched from another host.
 */
let ctx: TestContext;
let server: http.Server;
let base: string;
let browser: Browser;
let memberKey = '';
const GROUP = 'e2e-benchmark-club';
const PERIOD = '2025';
const MEMBER = 'e2e-member-city';
const RETURN = `/api/v1/groups/${GROUP}/returns/${MEMBER}/${PERIOD}`;
const password = 'correct horse battery staple';
const people = {
  coordinator: { email: 'cora.coordinator@example.org', name: 'Cora Coordinator', id: '' },
  member: { email: 'max.member@example.org', name: 'Max Member', id: '' },
  newcomer: { email: 'nina.newcomer@example.org', name: 'Nina Newcomer', id: '' },
};
/** An organisation invited to the group that has not joined yet, and its key. */
const NEWCOMER = 'e2e-new-town';
let newcomerKey = '';

/** Invites a person by API and sets their password through the invitation, as the link would. */
async function invite(adminKey: string, org: string, who: keyof typeof people, role: string) {
  const p = people[who];
  p.id = await invitePersonViaApi(ctx, adminKey, org, { name: p.name, email: p.email, role }, password);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ctx = await createTestContext();
  ({ server, base } = await listen(ctx.app));
  const platform = await createPlatformKey();
  const coord = await createOrganisationViaApi(ctx, platform, 'e2e-resource-centre', {
    type: 'resource_centre',
  });
  const coordinatorKey = await issueKeyViaApi(ctx, coord.adminKey, 'e2e-resource-centre', 'coordinator');
  const member = await createOrganisationViaApi(ctx, platform, MEMBER, { housingStock: 5000 });
  memberKey = member.adminKey;
  const peer = await createOrganisationViaApi(ctx, platform, 'e2e-peer-town', { housingStock: 3000 });

  // The group, its two members and a return submitted for 2025, all through the API.
  const group = await ctx.http
    .post('/api/v1/groups')
    .set('Authorization', bearer(coordinatorKey))
    .send({
      slug: GROUP,
      name: 'Municipal housing benchmarking club',
      indicators: ['PL_VACANT', 'PL_COST_M2'],
      calendar: [
        {
          period: PERIOD,
          opens: '2026-01-01T00:00:00Z',
          closes: '2099-03-31T00:00:00Z',
          signOffBy: '2099-06-30T00:00:00Z',
        },
      ],
    });
  expect(group.status).toBe(201);
  for (const [slug, key] of [
    [MEMBER, memberKey],
    ['e2e-peer-town', peer.adminKey],
  ] as const) {
    const invited = await ctx.http
      .post(`/api/v1/groups/${GROUP}/invitations`)
      .set('Authorization', bearer(coordinatorKey))
      .send({ organisation: slug });
    expect(invited.status).toBe(200);
    expect(
      (await ctx.http.post(`/api/v1/groups/${GROUP}/membership`).set('Authorization', bearer(key))).status,
    ).toBe(200);
  }
  const figures = await ctx.http
    .put(RETURN)
    .set('Authorization', bearer(memberKey))
    .send({
      figures: [
        { indicator: 'PL_VACANT', numerator: 140, denominator: 4800 },
        { indicator: 'PL_COST_M2', value: 9.5 },
      ],
    });
  expect(figures.status).toBe(200);
  const submitted = await ctx.http
    .post(`${RETURN}/submit`)
    .set('Authorization', bearer(memberKey))
    .send({ revision: figures.body.revision });
  expect(submitted.status).toBe(200);

  // A third organisation is invited and has not answered.
  newcomerKey = (await createOrganisationViaApi(ctx, platform, NEWCOMER)).adminKey;
  expect(
    (
      await ctx.http
        .post(`/api/v1/groups/${GROUP}/invitations`)
        .set('Authorization', bearer(coordinatorKey))
        .send({ organisation: NEWCOMER })
    ).status,
  ).toBe(200);

  await invite(coord.adminKey, 'e2e-resource-centre', 'coordinator', 'coordinator');
  await invite(newcomerKey, NEWCOMER, 'newcomer', 'admin');
  await invite(memberKey, MEMBER, 'member', 'admin');
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await ctx?.close();
});

async function signedIn(
  who: keyof typeof people,
  wanted: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${base}${wanted}`);
  await page.waitForURL(/\/console\/sign-in\?returnTo=/);
  await page.fill('#email', people[who].email);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => url.pathname + url.search === wanted);
  expect(await page.locator('#person-name').textContent()).toBe(people[who].name);
  return { context, page };
}

const stateOf = (page: Page) => page.locator('#return').getAttribute('data-state');

async function status(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('#return-status', { hasText: text }).waitFor();
}

it('a coordinator queries a figure, the member answers, the coordinator closes it and signs off', async () => {
  // The coordinator: from the groups page to the period's returns.
  const coordinator = await signedIn('coordinator', '/console/groups');
  const cPage = coordinator.page;
  const cSeen = watch(cPage, base);
  const card = cPage.locator(`[data-group="${GROUP}"]`);
  await card.waitFor();
  expect(await card.locator('.relation').textContent()).toBe('You coordinate this group.');
  await cPage.screenshot({ path: path.join(ARTIFACTS, 'console-groups-1280.png'), fullPage: true });
  await noSeriousViolations(cPage, 'console-groups-1280');
  await cPage.locator(`[data-group="${GROUP}"] tr[data-period="${PERIOD}"] a`).click();
  await cPage.waitForURL(new RegExp(`/console/groups/${GROUP}/${PERIOD}$`));
  const row = cPage.locator(`#returns tr[data-organisation="${MEMBER}"]`);
  await row.waitFor();
  expect(await row.locator('[data-state]').getAttribute('data-state')).toBe('submitted');
  expect(await row.locator('[data-state]').textContent()).toBe('submitted');
  // The other member has not started.
  expect(
    await cPage.locator('#returns tr[data-organisation="e2e-peer-town"] [data-state]').textContent(),
  ).toBe('not started');
  await row.locator('a').click();
  await cPage.locator('#return').waitFor();
  expect(await stateOf(cPage)).toBe('submitted');
  const vacant = cPage.locator('#figures tr[data-figure="PL_VACANT"]');
  expect(await vacant.locator('td[data-value]').textContent()).toBe('2.9%');

  // A query about PL_VACANT, started from its row.
  await vacant.locator('button').click();
  expect(await cPage.evaluate(() => document.activeElement?.id)).toBe('query-message');
  expect(await cPage.locator('#query-figure').inputValue()).toBe('PL_VACANT');
  await cPage.keyboard.type('140 vacant homes is twice last year: is the count right?');
  await cPage.click('#raise-query button[type=submit]');
  await status(cPage, 'The query about PL_VACANT has been sent.');
  expect(await stateOf(cPage)).toBe('queried');
  expect(await cPage.locator('.query[data-status="open"] .messages li').count()).toBe(1);

  // The member's admin, in a browser of their own: their return with the thread.
  const member = await signedIn('member', `/console/groups/${GROUP}/${PERIOD}`);
  const mPage = member.page;
  const mSeen = watch(mPage, base);
  await mPage.locator('#return').waitFor();
  expect(await stateOf(mPage)).toBe('queried');
  expect(await mPage.locator('.query .messages li').first().textContent()).toContain('twice last year');
  // Someone else saves the return meanwhile: the console's save is refused and the return reloaded.
  const current = await ctx.http.get(RETURN).set('Authorization', bearer(memberKey));
  const meanwhile = await ctx.http
    .put(RETURN)
    .set('Authorization', bearer(memberKey))
    .send({
      figures: [{ indicator: 'PL_COST_M2', value: 9.5, comment: 'checked' }],
      revision: current.body.revision,
    });
  expect(meanwhile.status).toBe(200);
  await mPage.fill('#edit-PL_VACANT-comment', 'Two blocks emptied for renovation.');
  await mPage.click('#save-figures');
  await status(mPage, 'changed meanwhile');
  expect(await mPage.locator('#edit-PL_COST_M2-comment').inputValue()).toBe('checked');
  // The member's view, with the figures to edit, on a phone.
  await mPage.setViewportSize({ width: 360, height: 740 });
  expect(await mPage.evaluate(() => document.querySelector('main')!.scrollWidth)).toBeLessThanOrEqual(360);
  await mPage.screenshot({ path: path.join(ARTIFACTS, 'console-return-member-360.png'), fullPage: true });
  await noSeriousViolations(mPage, 'console-return-member-360');
  await mPage.setViewportSize({ width: 1280, height: 900 });
  // Reloaded: the answer, then the comment saved and the return submitted again.
  const reply = mPage.locator('.query textarea');
  await reply.fill('Yes: two blocks were emptied for renovation in 2025.');
  await mPage.locator('.query button[type=submit]').click();
  await status(mPage, 'Your answer has been sent.');
  expect(await mPage.locator('.query').getAttribute('data-status')).toBe('answered');
  await mPage.fill('#edit-PL_VACANT-comment', 'Two blocks emptied for renovation.');
  await mPage.click('#save-figures');
  await status(mPage, 'The figures have been saved.');
  await mPage.click('#submit-return');
  await status(mPage, 'The return has been submitted.');
  expect(await stateOf(mPage)).toBe('submitted');
  expect(await mPage.locator('#edit-figures').count()).toBe(0);

  // The coordinator reads the answer, closes the query and signs off.
  await cPage.reload();
  await cPage.locator('#return').waitFor();
  expect(await stateOf(cPage)).toBe('submitted');
  const thread = cPage.locator('.query');
  expect(await thread.getAttribute('data-status')).toBe('answered');
  expect(await thread.locator('.messages li').nth(1).textContent()).toContain('emptied for renovation');
  await thread.locator('[data-action="close-query"]').click();
  await status(cPage, 'The query has been closed.');
  expect(await cPage.locator('.query').getAttribute('data-status')).toBe('closed');

  // Screenshots and accessibility of the returns page at both widths.
  await cPage.screenshot({ path: path.join(ARTIFACTS, 'console-returns-1280.png'), fullPage: true });
  await noSeriousViolations(cPage, 'console-returns-1280');
  await cPage.setViewportSize({ width: 360, height: 740 });
  await cPage.locator('#return').waitFor();
  await cPage.screenshot({ path: path.join(ARTIFACTS, 'console-returns-360.png'), fullPage: true });
  // The page itself fits a phone: anything wider scrolls inside its own region.
  const wide = await cPage.evaluate(() =>
    [...document.querySelectorAll('main *')]
      .filter((e) => e.getBoundingClientRect().right > 361 && !e.closest('.scroll'))
      .map((e) => `${e.tagName}.${e.className}#${e.id}`)
      .slice(0, 10),
  );
  expect(wide).toEqual([]);
  expect(await cPage.evaluate(() => document.querySelector('main')!.scrollWidth)).toBeLessThanOrEqual(360);
  await noSeriousViolations(cPage, 'console-returns-360');
  await cPage.setViewportSize({ width: 1280, height: 900 });

  await cPage.click('#sign-off');
  await status(cPage, 'The return has been signed off.');
  expect(await stateOf(cPage)).toBe('signed_off');
  expect(await cPage.locator(`#returns tr[data-organisation="${MEMBER}"] [data-state]`).textContent()).toBe(
    'signed off',
  );
  const signed = await ctx.http.get(RETURN).set('Authorization', bearer(memberKey));
  expect(signed.body.state).toBe('signed_off');
  expect(signed.body.queries.map((q: { status: string }) => q.status)).toEqual(['closed']);

  // The member organisation's audit log: one line per change made in the console, by the person.
  const log = await ctx.http
    .get(`/api/v1/organisations/${MEMBER}/audit?resourceType=return&limit=100`)
    .set('Authorization', bearer(memberKey));
  expect(log.status).toBe(200);
  const byPeople = (
    log.body.items as Array<{ action: string; actor: { kind: string; id: string }; after: { state: string } }>
  )
    .filter((l) => l.actor.kind === 'person')
    .map((l) => [l.action, l.actor.id, l.after.state]);
  expect(byPeople).toEqual([
    ['return.queried', people.coordinator.id, 'queried'],
    ['return.query-answered', people.member.id, 'queried'],
    ['return.figures-changed', people.member.id, 'queried'],
    ['return.submitted', people.member.id, 'submitted'],
    ['return.query-closed', people.coordinator.id, 'submitted'],
    ['return.signed-off', people.coordinator.id, 'signed_off'],
  ]);

  expect(cSeen).toEqual({ outside: [], refused: [] });
  expect(mSeen).toEqual({ outside: [], refused: [] });
  await coordinator.context.close();
  await member.context.close();
});

it('the admin of an invited organisation joins the group from the console', async () => {
  const { context, page } = await signedIn('newcomer', '/console/groups');
  const seen = watch(page, base);
  const card = page.locator(`[data-group="${GROUP}"]`);
  await card.waitFor();
  expect(await card.locator('.relation').textContent()).toBe(
    'Your organisation is invited and has not joined yet.',
  );
  // Not a member yet: no period opens a return.
  expect(await card.locator('table a').count()).toBe(0);
  await noSeriousViolations(page, 'console-groups-invited');
  await card.getByRole('button', { name: 'Join the group' }).click();
  await page
    .locator(`[data-group="${GROUP}"] .relation`, { hasText: 'Your organisation is a member.' })
    .waitFor();
  expect(await page.locator(`[data-group="${GROUP}"] table a`).count()).toBe(1);

  const group = await ctx.http.get(`/api/v1/groups/${GROUP}`).set('Authorization', bearer(newcomerKey));
  expect(group.status).toBe(200);
  expect(group.body.you).toMatchObject({ member: true, invited: false });
  // The change is in the organisation's audit log, by the person who made it.
  const audit = await ctx.http
    .get(`/api/v1/organisations/${NEWCOMER}/audit`)
    .set('Authorization', bearer(newcomerKey));
  const joined = (
    audit.body.items as Array<{ actor: { kind: string; id: string }; resource: { id: string } }>
  ).filter((l) => l.resource.id === `/api/v1/groups/${GROUP}/membership`);
  expect(joined).toHaveLength(1);
  expect(joined[0]!.actor).toMatchObject({ kind: 'person', id: people.newcomer.id });
  expect(seen).toEqual({ outside: [], refused: [] });
  await context.close();
});
