import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureChromium } from '../../src/local-services/binaries';

/** Where browser tests leave screenshots and accessibility reports. */
export const ARTIFACTS = path.resolve(__dirname, '../artifacts');

/** Debian's Chromium, headless, with nothing that reaches out to the network by itself. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = ensureChromium((line) => process.stderr.write(`[e2e] ${line}\n`));
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Clicks the choice whose value is `value` in question `name`. On a narrow phone screen
 * SurveyJS shows a long rating scale (NPS 0–10) as a drop-down list instead of buttons.
 */
export async function choose(page: Page, name: string, value: string | number): Promise<void> {
  const question = page.locator(`[data-name="${name}"]`);
  const button = question.locator(`label:has(input[value="${value}"])`).first();
  if (await button.count()) {
    await button.click();
    return;
  }
  await question.locator('[role="combobox"]').click();
  await page
    .locator('.sv-list__item:visible')
    .filter({ hasText: new RegExp(`^\\s*${value}\\s*$`) })
    .first()
    .click();
}

/** Presses survey-core's Complete button. */
export async function complete(page: Page): Promise<void> {
  await page.locator('.sd-navigation__complete-btn').click();
}

/** Runs axe-core in the page; fails on any serious or critical violation (the report is kept). */
export async function noSeriousA11yViolations(page: Page, label: string): Promise<void> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: () => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> };
      }
    ).axe;
    return axe.run();
  });
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  writeFileSync(path.join(ARTIFACTS, `axe-${label}.json`), JSON.stringify(result.violations, null, 2));
  expect(serious.map((v) => `${v.id} (${v.nodes.length})`)).toEqual([]);
}
