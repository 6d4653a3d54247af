import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
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

/**
 * An administrator in the console, in Chromium with the page's real content security policy:
 * creates a survey from a template, breaks its JSON and sees each problem on the line it was
 * made on, fixes it, previews the survey in Georgian, publishes version 1 and compares it with a
 * changed draft; nothing is fetched from another host.
 */
let ctx: TestContext;
let server: http.Server;
let base: string;
let browser: Browser;
let admin: string;
const email = 'ana.admin@example.org';
const password = 'correct horse battery staple';
/** CodeMirror's autocompletion `interactionDelay` (its default, which the editor keeps). */
const COMPLETION_INTERACTION_DELAY_MS = 75;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ctx = await createTestContext();
  ({ server, base } = await listen(ctx.app));
  const platform = await createPlatformKey();
  admin = (await createOrganisationViaApi(ctx, platform, 'e2e-admin')).adminKey;
  // An administrator invited as people are, who sets a password with the invitation's token.
  await invitePersonViaApi(ctx, admin, 'e2e-admin', { name: 'Ana Admin', email, role: 'admin' }, password);
  // A survey that already holds a slug, to be refused.
  const taken = await ctx.http
    .post('/api/v1/surveys')
    .set('Authorization', bearer(admin))
    .send({ slug: 'taken', template: 'tsm-perception' });
  expect(taken.status).toBe(201);
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await ctx?.close();
});

/** The 1-based number of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`no line contains ${needle}`);
  return index + 1;
}

/** The editor's cursor: its line number, and the text after it on that line. */
function cursor(page: Page): Promise<{ line: string | null; after: string | null }> {
  return page.evaluate(() => {
    const line = document.querySelector('.cm-lineNumbers .cm-activeLineGutter')?.textContent ?? null;
    const selection = document.getSelection();
    const row = selection?.focusNode?.parentElement?.closest('.cm-line');
    if (!selection?.focusNode || !row) return { line, after: null };
    const range = document.createRange();
    range.setStart(selection.focusNode, selection.focusOffset);
    range.setEnd(row, row.childNodes.length);
    return { line, after: range.toString() };
  });
}

/**
 * Puts the editor's cursor on a line, before its last `tail.length` characters (at its end
 * when `tail` is empty), from the keyboard, and makes sure it got there: a completion list that
 * opened late, or a key the busy editor took before the last one was applied, would otherwise
 * edit another line. Tries three times.
 */
async function placeCursor(page: Page, line: number, tail = ''): Promise<void> {
  let at = { line: null as string | null, after: null as string | null };
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.locator('.cm-content').focus();
    await page.keyboard.press('Escape');
    await page.locator('.cm-tooltip-autocomplete').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+Home');
    for (let i = 1; i < line; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    for (let i = 0; i < tail.length; i++) await page.keyboard.press('ArrowLeft');
    at = await cursor(page);
    if (at.line === String(line) && at.after === tail) return;
  }
  throw new Error(
    `the cursor is on line ${at.line} before ${JSON.stringify(at.after)}, not on ${line} before ${JSON.stringify(tail)}`,
  );
}

/** The line numbers the editor's gutter shows beside its error markers and marked ranges. */
async function markedLines(page: Page): Promise<{ gutter: string[]; ranges: string[] }> {
  return page.evaluate(() => {
    const numbers = [...document.querySelectorAll('.cm-lineNumbers .cm-gutterElement')];
    const lineAt = (el: Element) => {
      const box = el.getBoundingClientRect();
      const middle = box.top + box.height / 2;
      const hit = numbers.find((n) => {
        const b = n.getBoundingClientRect();
        return b.height > 0 && b.top <= middle && middle < b.bottom;
      });
      return hit?.textContent ?? '?';
    };
    return {
      gutter: [...document.querySelectorAll('.cm-gutter-lint .cm-lint-marker-error')].map(lineAt),
      ranges: [...document.querySelectorAll('.cm-lintRange-error, .cm-lintPoint-error')].map(lineAt),
    };
  });
}

async function noProblems(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector('#problems-summary')?.textContent === 'No problems found.',
  );
}

it('an administrator edits a survey with the server’s checks, previews it in Georgian, publishes and compares', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  const seen = watch(page, base);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const checks: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/v1/surveys/validate')) checks.push(r.postData() ?? '');
  });

  await page.goto(`${base}/console/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.locator('#person-name').waitFor();
  await page.click('nav a[href="/console/surveys"]');
  await page.locator('#surveys tr[data-survey="taken"]').waitFor();

  // A new survey from the short pulse template; a slug that is taken is refused beside the field.
  await page.locator('#template option[value="pulse"]').waitFor({ state: 'attached' });
  await noSeriousViolations(page, 'console-surveys-1280');
  await page.selectOption('#template', 'pulse');
  expect(await page.locator('#template-description').textContent()).toContain('Three questions');
  await page.fill('#slug', 'taken');
  await page.click('#create-survey');
  await page.locator('#slug-error:not(:empty)').waitFor();
  expect(await page.locator('#slug-error').textContent()).toBe('a survey with slug "taken" exists');
  expect(await page.getAttribute('#slug', 'aria-invalid')).toBe('true');
  await page.fill('#slug', 'tenants-pulse');
  await page.click('#create-survey');
  await page.waitForURL(/\/console\/surveys\/[a-f0-9]{24}$/);
  const id = page.url().split('/').pop()!;
  const detail = await ctx.http.get(`/api/v1/surveys/${id}`).set('Authorization', bearer(admin));
  expect(detail.status).toBe(200);
  expect(detail.body.template).toBe('pulse');
  const text = JSON.stringify(detail.body.draft.definition, null, 2);

  await page.locator('.cm-content').waitFor();
  expect(await page.locator('h1').textContent()).toBe('Quick satisfaction check');
  await noProblems(page);
  const frame = page.frameLocator('#preview-frame');
  await frame.locator('#tv-survey[data-state="drawn"]').waitFor();
  expect(await frame.locator('#tv-survey').textContent()).toContain('Quick satisfaction check');

  // Completion: the properties of a radiogroup it does not have yet, where a property name goes.
  const nameLine = lineOf(text, '"name": "overall_satisfaction"');
  await placeCursor(page, nameLine, '');
  await page.keyboard.press('Enter');
  await page.keyboard.type('"showOth');
  const selected = page.locator('.cm-tooltip-autocomplete li[aria-selected="true"] .cm-completionLabel');
  await selected.waitFor();
  expect(await selected.textContent()).toBe('showOtherItem');
  // For its first 75 ms a list takes Enter as a new line, not as a choice (CodeMirror's
  // interactionDelay, against a fast typist's accidental choice); this test types faster still.
  await page.waitForTimeout(2 * COMPLETION_INTERACTION_DELAY_MS);
  await page.keyboard.press('Enter');
  expect((await cursor(page)).line).toBe(String(nameLine + 1));
  expect(await page.locator('.cm-activeLine').textContent()).toBe('          "showOtherItem"');
  await page.keyboard.press('End');
  // The server's check of the finished line, not the summary of an earlier text.
  const checked = page.waitForResponse(
    (r) =>
      r.url().endsWith('/api/v1/surveys/validate') &&
      (r.request().postData() ?? '').includes('"showOtherItem":false'),
  );
  await page.keyboard.type(': false,');
  await checked;
  await noProblems(page);

  // A deleted quote: a syntax error on that line, found without asking the server.
  await placeCursor(page, nameLine, ',');
  await page.keyboard.press('Backspace');
  const before = checks.length;
  const listed = page.locator('#problems li[data-line]');
  await listed.first().waitFor();
  expect(await listed.count()).toBe(1);
  expect(await listed.first().getAttribute('data-line')).toBe(String(nameLine));
  expect(await listed.first().textContent()).toMatch(new RegExp(`^Line ${nameLine}: JSON syntax error: `));
  expect((await markedLines(page)).gutter).toEqual([String(nameLine)]);
  await page.waitForTimeout(600);
  expect(checks.length).toBe(before);
  await page.keyboard.press('Control+z');
  await noProblems(page);

  // A type survey-core does not know: the server's problem, on the line of that "type".
  const typeLine = lineOf(text, '"type": "radiogroup"');
  await placeCursor(page, typeLine, text.split('\n')[typeLine - 1]!.slice(-2));
  await page.keyboard.type('x');
  await page.keyboard.press('Escape');
  await page.locator('#problems li[data-line]').first().waitFor();
  expect(checks.length).toBeGreaterThan(before);
  const sent = JSON.parse(checks[checks.length - 1]!) as {
    definition: { pages: Array<{ elements: Array<{ type: string }> }> };
  };
  expect(sent.definition.pages[0]!.elements[0]!.type).toBe('radiogroupx');
  expect(await listed.count()).toBe(1);
  expect(await listed.first().getAttribute('data-line')).toBe(String(typeLine));
  expect(await listed.first().textContent()).toBe(
    `Line ${typeLine}: unknown element type "radiogroupx": survey-core does not know it and would drop the element`,
  );
  const marked = await markedLines(page);
  expect(marked.gutter).toEqual([String(typeLine)]);
  expect(marked.ranges).toEqual([String(typeLine)]);
  expect(await page.locator('#preview-status').textContent()).toContain('last definition without problems');

  // The editor with a problem and the preview, wide and on a phone.
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-survey-editor-1280.png'), fullPage: true });
  await noSeriousViolations(page, 'console-survey-editor-1280');
  await page.setViewportSize({ width: 360, height: 740 });
  // The cursor's line (the broken one) back in view in the shorter editor.
  await page.keyboard.press('End');
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  const frameWidth = await page.locator('#preview-frame').evaluate((f) => f.getBoundingClientRect().width);
  expect(frameWidth).toBeGreaterThan(300);
  expect(frameWidth).toBeLessThanOrEqual(360);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-survey-editor-360.png'), fullPage: true });
  await noSeriousViolations(page, 'console-survey-editor-360');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Fixed: no problems left.
  await page.locator('.cm-content').focus();
  await page.keyboard.press('Control+z');
  await noProblems(page);

  // The preview in Georgian, with the template's Georgian texts.
  const languages = await page
    .locator('#preview-language option')
    .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  expect(languages).toEqual(expect.arrayContaining(['en', 'pl', 'ka', 'uk', 'ru']));
  expect(languages[0]).toBe('en');
  await page.selectOption('#preview-language', 'ka');
  await page.waitForFunction(() => {
    const doc = document.querySelector<HTMLIFrameElement>('#preview-frame')?.contentDocument;
    return (
      doc?.documentElement?.lang === 'ka' && doc.querySelector('#tv-survey[data-state="drawn"]') !== null
    );
  });
  const georgian = (await frame.locator('#tv-survey').textContent()) ?? '';
  expect(georgian).toContain('მოკლე გამოკითხვა კმაყოფილების შესახებ');
  expect(georgian).not.toContain('Quick satisfaction check');
  expect(await page.getAttribute('#preview-frame', 'title')).toContain('ქართული');

  // Publish, confirmed: version 1, as the API has it.
  await page.click('#publish');
  expect(await page.locator('#publish-question').textContent()).toContain('version 1');
  await page.click('#publish-confirmed');
  await page.waitForFunction(
    () => document.querySelector('#save-status')?.textContent === 'Published as version 1.',
  );
  const version = await ctx.http.get(`/api/v1/surveys/${id}/versions/1`).set('Authorization', bearer(admin));
  expect(version.status).toBe(200);
  expect(version.body.version).toBe(1);
  expect(version.body.definition.pages[0].elements[0]).toEqual({
    ...detail.body.draft.definition.pages[0].elements[0],
    showOtherItem: false,
  });
  await page.locator('#versions-table tr[data-version="1"]').waitFor();

  // A changed draft, compared with version 1 and saved.
  const titleLine = lineOf(text, '"default": "Quick satisfaction check"');
  await placeCursor(page, titleLine, text.split('\n')[titleLine - 1]!.slice(-2));
  await page.keyboard.type(' 2026');
  await page.keyboard.press('Escape');
  expect(await page.locator('#save-status').textContent()).toBe('Unsaved changes.');
  await noProblems(page);
  await page.selectOption('#diff-from', '1');
  await page.selectOption('#diff-to', 'draft');
  await page.click('#show-diff');
  const added = page.locator('#diff-output ins');
  const removed = page.locator('#diff-output del');
  expect(await added.allTextContents()).toEqual(['+       "default": "Quick satisfaction check 2026",']);
  expect(await removed.allTextContents()).toEqual(['−       "default": "Quick satisfaction check",']);
  expect(await page.locator('#diff-summary').textContent()).toBe('Lines added: 1, lines removed: 1.');
  await page
    .locator('#diff-output')
    .screenshot({ path: path.join(ARTIFACTS, 'console-survey-diff-1280.png') });
  await page.click('#save-draft');
  await page.waitForFunction(() =>
    /^Draft saved at /.test(document.querySelector('#save-status')?.textContent ?? ''),
  );
  const saved = await ctx.http.get(`/api/v1/surveys/${id}`).set('Authorization', bearer(admin));
  expect(saved.body.draft.definition.title.default).toBe('Quick satisfaction check 2026');
  expect(saved.body.latestVersion).toBe(1);

  // Someone else saves the draft meanwhile: the next save here is refused, not written over theirs.
  const elsewhere = await ctx.http
    .put(`/api/v1/surveys/${id}/draft`)
    .set('Authorization', bearer(admin))
    .send({
      definition: { ...saved.body.draft.definition, title: { default: 'Edited elsewhere' } },
      revision: saved.body.draft.revision,
    });
  expect(elsewhere.status).toBe(200);
  await placeCursor(page, titleLine, text.split('\n')[titleLine - 1]!.slice(-2));
  await page.keyboard.type('!');
  await page.keyboard.press('Escape');
  await page.click('#save-draft');
  await page.waitForFunction(() =>
    /^Not saved: someone else saved this draft/.test(
      document.querySelector('#save-status')?.textContent ?? '',
    ),
  );
  const kept = await ctx.http.get(`/api/v1/surveys/${id}`).set('Authorization', bearer(admin));
  expect(kept.body.draft.definition.title.default).toBe('Edited elsewhere');

  // Reloaded, the page shows that draft; someone saves again before it is published from here:
  // the publish is refused rather than freezing a change nobody here has seen.
  await page.reload();
  await page.locator('#publish').waitFor();
  await page.locator('#versions-table tr[data-version="1"]').waitFor();
  const again = await ctx.http
    .put(`/api/v1/surveys/${id}/draft`)
    .set('Authorization', bearer(admin))
    .send({
      definition: { ...kept.body.draft.definition, title: { default: 'Not reviewed' } },
      revision: kept.body.draft.revision,
    });
  expect(again.status).toBe(200);
  await page.click('#publish');
  expect(await page.locator('#publish-question').textContent()).toContain('version 2');
  await page.click('#publish-confirmed');
  await page.waitForFunction(() =>
    /^Version 2 was not published: someone else saved this draft/.test(
      document.querySelector('#save-status')?.textContent ?? '',
    ),
  );
  const unpublished = await ctx.http.get(`/api/v1/surveys/${id}`).set('Authorization', bearer(admin));
  expect(unpublished.body.latestVersion).toBe(1);

  // Every change made in the console is in the audit log, by the person who made it.
  const audit = await ctx.http
    .get(`/api/v1/organisations/e2e-admin/audit?resourceId=${id}`)
    .set('Authorization', bearer(admin));
  expect(audit.status).toBe(200);
  const lines = audit.body.items as Array<{ action: string; actor: { kind: string; name?: string } }>;
  const byPerson = lines.filter((l) => l.actor.kind === 'person').map((l) => l.action);
  expect(byPerson).toEqual(
    expect.arrayContaining(['survey.created', 'survey.draft-changed', 'survey.published']),
  );
  expect(lines.filter((l) => l.action === 'survey.published')).toHaveLength(1);

  expect(seen).toEqual({ outside: [], refused: [] });
  expect(errors).toEqual([]);
  await context.close();
});

it('serves the preview frame under the content security policy, with survey-core’s texts for the language', async () => {
  const page = await ctx.http.get('/console/preview?lang=ka');
  expect(page.status).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  expect(page.text).toContain('<html lang="ka">');
  expect(page.text).toContain('src="/s/assets/i18n/georgian.min.js"');
  expect(page.text).toContain('src="/console/preview.js"');
  expect(page.text).not.toMatch(/<script>/);
  const odd = await ctx.http.get('/console/preview?lang=%3Cx%3E');
  expect(odd.text).toContain('<html lang="en">');
  const script = await ctx.http.get('/console/preview.js');
  expect(script.status).toBe(200);
  expect(script.text).toContain('event.origin !== window.location.origin');
});
