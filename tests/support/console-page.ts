import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import type { Page } from 'playwright-core';
import { ARTIFACTS } from './browser';

/** The app on a free loopback port, for a browser to open. */
export async function listen(app: Express): Promise<{ server: http.Server; base: string }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Every request a page makes that leaves `base`'s host, and every content security policy refusal. */
export function watch(page: Page, base: string): { outside: string[]; refused: string[] } {
  const seen = { outside: [] as string[], refused: [] as string[] };
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith('blob:') && !url.startsWith('data:')) seen.outside.push(url);
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.refused.push(m.text());
  });
  return seen;
}

/**
 * axe-core in a page that keeps its content security policy: evaluated through the debugging
 * protocol rather than added as a script tag, which the policy would refuse. Fails on any
 * serious or critical violation; the whole report is kept in tests/artifacts. `exclude` leaves
 * out parts of the page (CSS selectors).
 */
export async function noSeriousViolations(page: Page, label: string, exclude: string[] = []): Promise<void> {
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async (excluded) => {
    const axe = (
      window as unknown as { axe: { run: (context: unknown) => Promise<{ violations: unknown[] }> } }
    ).axe;
    const context = { include: [['html']], exclude: excluded.map((e) => [e]) };
    return (await axe.run(context)).violations as Array<{ id: string; impact: string; nodes: unknown[] }>;
  }, exclude);
  writeFileSync(path.join(ARTIFACTS, `axe-${label}.json`), JSON.stringify(violations, null, 2));
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id} (${v.nodes.length})`)).toEqual([]);
}
