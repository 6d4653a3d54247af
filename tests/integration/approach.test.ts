import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { expectDocumentedAt } from '../support/contract';
import { parsePdf } from '../support/pdf';
import { drain, startTestWorker } from '../support/worker';

/**
 * The summary of approach over HTTP: figures from answers submitted online and entered by staff,
 * the required sample size from the housing stock, representativeness against stored margins,
 * weighting, the landlord's statements, tenant isolation, and the printed PDF.
 */
let ctx: TestContext;
let worker: Worker;
const keys: Record<string, string> = {};
const A = '/api/v1/organisations/hove/approach/2026';
const DAY = 24 * 3600 * 1000;
const campaigns: Array<{ id: string; slug: string; opensAt: string; closesAt: string }> = [];

async function as(key: string, method: 'get' | 'put', path: string, body?: object) {
  const req = ctx.http[method](path).set('Authorization', bearer(key));
  const res = await (body === undefined ? req : req.send(body));
  await expectDocumentedAt(ctx, res, method, path);
  return res;
}

async function pdf(key: string, path: string) {
  const res = await ctx.http
    .get(path)
    .set('Authorization', bearer(key))
    .buffer(true)
    .parse((stream, done) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => done(null, Buffer.concat(chunks)));
    });
  return res;
}

const answers = (i: number) => ({
  overall_satisfaction: i % 2 ? 'very_satisfied' : 'fairly_dissatisfied',
  recommend: i % 11,
});

beforeAll(async () => {
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: '50' });
  worker = startTestWorker(ctx);
  const platform = await createPlatformKey();
  keys.platform = platform;
  for (const slug of ['hove', 'outsider']) {
    const org = await createOrganisationViaApi(ctx, platform, slug, { housingStock: 1000 });
    keys[slug] = org.adminKey;
  }
  keys.analyst = await issueKeyViaApi(ctx, keys.hove!, 'hove', 'analyst');
  keys.interviewer = await issueKeyViaApi(ctx, keys.hove!, 'hove', 'interviewer');

  const now = Date.now();
  for (const [segment, closesIn] of [
    ['', 10],
    ['estate:North', 20],
  ] as const) {
    const opensAt = new Date(now - DAY).toISOString();
    const closesAt = new Date(now + closesIn * DAY).toISOString();
    const { campaign } = await createCampaignViaApi(ctx, keys.hove!, {
      template: 'pulse',
      campaign: { period: '2026', opensAt, closesAt, ...(segment ? { segment } : {}) },
    });
    campaigns.push({ id: campaign.id, slug: campaign.slug, opensAt, closesAt });
  }
  // Six answers online (four and two), three telephone interviews entered by staff.
  for (const [c, n] of [
    [campaigns[0]!, 4],
    [campaigns[1]!, 2],
  ] as const)
    for (let i = 0; i < n; i++) {
      const res = await ctx.http
        .post(`/api/v1/public/campaigns/${c.slug}/responses`)
        .send({ submissionId: randomUUID(), locale: 'en', answers: answers(i) });
      if (res.status !== 201) throw new Error(res.text);
    }
  for (const [i, key] of [keys.hove!, keys.interviewer!, keys.interviewer!].entries()) {
    const res = await ctx.http
      .post(`/api/v1/campaigns/${campaigns[0]!.id}/entries`)
      .set('Authorization', bearer(key))
      .send({ mode: 'telephone', submissionId: randomUUID(), answers: answers(i), locale: 'en' });
    if (res.status !== 201) throw new Error(res.text);
  }
  await drain(ctx.runtime.queues.aggregation);
}, 120000);

afterAll(async () => {
  await worker.close();
  await ctx.close();
});

describe('figures from the service’s data', () => {
  it('counts responses per mode, plans the sample size from the housing stock and dates the fieldwork', async () => {
    const res = await as(keys.analyst!, 'get', A);
    expect(res.status).toBe(200);
    expect(res.body.organisation).toMatchObject({ slug: 'hove', housingStock: 1000 });
    expect(res.body.achieved).toEqual({
      responses: 9,
      byMode: { online: 6, telephone: 3 },
      target: {
        population: 1000,
        marginOfError: 0.05,
        responsesNeeded: 278,
        met: false,
        shortBy: 269,
        achievedMargin: expect.any(Number),
      },
    });
    expect(res.body.achieved.target.achievedMargin).toBeGreaterThan(0.3);
    expect(res.body.modes).toEqual([
      { mode: 'online', responses: 6, share: 6 / 9 },
      { mode: 'telephone', responses: 3, share: 3 / 9 },
    ]);
    expect(res.body.timing).toMatchObject({
      from: campaigns[0]!.opensAt,
      to: campaigns[1]!.closesAt,
      ongoing: true,
    });
    expect(
      res.body.timing.campaigns.map((c: { responses: number; byMode: object; segment: string }) => [
        c.segment,
        c.responses,
        c.byMode,
      ]),
    ).toEqual([
      ['', 7, { online: 4, telephone: 3 }],
      ['estate:North', 2, { online: 2 }],
    ]);
    expect(res.body.sampling).toMatchObject({
      method: null,
      population: 1000,
      campaigns: { open: 2, invite: 0 },
      segments: ['estate:North'],
    });
    expect(res.body.representativeness).toMatchObject({ checked: false, variables: [] });
    expect(res.body.weighting).toMatchObject({ status: 'none', applied: false, marginsStored: false });
    expect(res.body.contractor).toEqual({ status: 'not-stated', name: null });
    expect(res.body.missing).toEqual([
      'sampling',
      'representativeness',
      'contractor',
      'exclusions',
      'missedSampleReason',
      'incentives',
      'otherIssues',
    ]);
    expect(res.body.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/not met \(9 achieved\) and no reason is stated/)]),
    );
    expect(res.body.statedAt).toBeNull();
  });

  it('answers for a period without campaigns, with everything empty', async () => {
    const res = await as(keys.hove!, 'get', '/api/v1/organisations/hove/approach/2025');
    expect(res.status).toBe(200);
    expect(res.body.achieved).toMatchObject({ responses: 0, byMode: {}, target: { met: false } });
    expect(res.body.timing).toEqual({ from: null, to: null, ongoing: false, campaigns: [] });
    expect(res.body.missing).toEqual(expect.arrayContaining(['achieved', 'timing', 'modes']));
  });

  it('checks representativeness and reports weighting once margins are stored', async () => {
    const margins = await as(keys.hove!, 'put' as const, '/api/v1/organisations/hove/margins/2026', {
      variables: { mode: { online: 600, telephone: 400 } },
    });
    expect(margins.status).toBe(200);
    await drain(ctx.runtime.queues.aggregation);

    const res = await as(keys.platform!, 'get', A);
    expect(res.status).toBe(200);
    const r = res.body.representativeness;
    expect(r).toMatchObject({ checked: true, reason: null, characteristics: ['mode'], respondents: 9 });
    const [mode] = r.variables;
    expect(mode).toMatchObject({ variable: 'mode', n: 9, unknown: 0, outsideMargins: 0, df: 1 });
    // Expected 5.4 online and 3.6 by telephone: 0.36/5.4 + 0.36/3.6.
    expect(mode.chiSquare).toBeCloseTo(0.36 / 5.4 + 0.36 / 3.6, 9);
    expect(mode.assessment).toBe('consistent');
    expect(mode.categories.map((c: { category: string; respondents: number }) => c.respondents)).toEqual([
      6, 3,
    ]);
    expect(res.body.missing).not.toContain('representativeness');

    expect(res.body.weighting).toMatchObject({
      status: 'weighted',
      applied: true,
      marginsStored: true,
      variables: ['mode'],
      trim: { min: 0.2, max: 5 },
      converged: true,
    });
    expect(res.body.weighting.weightedIndicators).toBeGreaterThan(0);
    expect(res.body.weighting.method).toMatch(/Raking/);
    expect(res.body.weighting.designEffect.min).toBeGreaterThanOrEqual(1);
  });
});

describe('the landlord’s statements', () => {
  it('stores partial updates, round-trips them and empties `missing`', async () => {
    const first = await as(keys.hove!, 'put', A, {
      sampling: { method: 'census', description: 'Every household was invited by posters and a link.' },
      contractor: '  Acme Research Ltd ',
    });
    expect(first.status).toBe(200);
    expect(first.body.sampling).toMatchObject({
      method: 'census',
      description: 'Every household was invited by posters and a link.',
    });
    expect(first.body.contractor).toEqual({ status: 'external', name: 'Acme Research Ltd' });
    expect(first.body.missing).toEqual(['exclusions', 'missedSampleReason', 'incentives', 'otherIssues']);

    const second = await as(keys.hove!, 'put', A, {
      exclusions: 'Households in temporary accommodation (14), as the survey covers general needs only.',
      missedSampleReason: 'The survey opened late; a second wave runs in the autumn.',
      incentives: 'A prize draw for five £50 shopping vouchers.',
      otherIssues: 'None',
      overrides: { timing: 'Fieldwork ran in two waves.' },
    });
    expect(second.status).toBe(200);
    expect(second.body.missing).toEqual([]);
    expect(second.body.warnings.join(' ')).not.toMatch(/no reason is stated/);

    const read = await as(keys.analyst!, 'get', A);
    expect(read.body).toMatchObject({
      sampling: { method: 'census' },
      contractor: { status: 'external', name: 'Acme Research Ltd' },
      exclusions: 'Households in temporary accommodation (14), as the survey covers general needs only.',
      missedSampleReason: 'The survey opened late; a second wave runs in the autumn.',
      incentives: 'A prize draw for five £50 shopping vouchers.',
      otherIssues: 'None',
      notes: null,
      overrides: {
        achieved: null,
        timing: 'Fieldwork ran in two waves.',
        modes: null,
        representativeness: null,
        weighting: null,
      },
      missing: [],
    });
    expect(Date.parse(read.body.statedAt)).not.toBeNaN();
  });

  it('clears a field with null; a null contractor states the survey was run in house', async () => {
    const cleared = await as(keys.hove!, 'put', A, {
      incentives: null,
      contractor: null,
      overrides: { timing: null },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.incentives).toBeNull();
    expect(cleared.body.contractor).toEqual({ status: 'in-house', name: null });
    expect(cleared.body.overrides.timing).toBeNull();
    expect(cleared.body.missing).toEqual(['incentives']);
    // The other statements are untouched.
    expect(cleared.body.otherIssues).toBe('None');

    const restored = await as(keys.hove!, 'put', A, {
      incentives: 'None',
      contractor: 'Acme Research Ltd',
    });
    expect(restored.body.missing).toEqual([]);
  });

  it('refuses bodies that break the schema, with paths', async () => {
    const bad = await as(keys.hove!, 'put', A, {
      sampling: { method: 'snowball' },
      contractor: '',
      exclusions: 'x'.repeat(2001),
      incentives: '   ',
      overrides: { summary: 'no such item' },
      colour: 'red',
    });
    expect(bad.status).toBe(422);
    const paths = new Set(bad.body.error.details.map((d: { path: string }) => d.path));
    expect([...paths].sort()).toEqual(
      [
        '/colour',
        '/contractor',
        '/exclusions',
        '/incentives',
        '/overrides/summary',
        '/sampling/method',
      ].sort(),
    );
    const empty = await as(keys.hove!, 'put', A, {});
    expect(empty.status).toBe(422);
    const period = await as(keys.hove!, 'get', '/api/v1/organisations/hove/approach/last-year');
    expect(period.status).toBe(422);
    expect(period.body.error.details[0].path).toBe('/params/period');
    // Nothing changed.
    expect((await as(keys.hove!, 'get', A)).body.contractor.name).toBe('Acme Research Ltd');
  });
});

describe('who may see and state it', () => {
  it('lets analysts read but not write', async () => {
    const res = await as(keys.analyst!, 'put', A, { otherIssues: 'changed' });
    expect(res.status).toBe(403);
    expect((await as(keys.analyst!, 'get', A)).body.otherIssues).toBe('None');
  });

  it('answers 404 to another organisation, for reading, writing and printing', async () => {
    expect((await as(keys.outsider!, 'get', A)).status).toBe(404);
    expect((await as(keys.outsider!, 'put', A, { otherIssues: 'x' })).status).toBe(404);
    const printed = await ctx.http.get(`${A}/pdf`).set('Authorization', bearer(keys.outsider!));
    expect(printed.status).toBe(404);
    expect((await as(keys.hove!, 'get', A)).body.otherIssues).toBe('None');
  });

  it('refuses interviewers and callers without a key', async () => {
    expect((await as(keys.interviewer!, 'get', A)).status).toBe(403);
    expect((await ctx.http.get(A)).status).toBe(401);
  });
});

describe('the printed summary', () => {
  it('prints every heading, the contractor, the statements and the achieved n', async () => {
    const res = await pdf(keys.analyst!, `${A}/pdf`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/pdf/);
    expect(res.headers['content-disposition']).toBe('inline; filename="approach-hove-2026.pdf"');
    const parsed = await parsePdf(res.body as Buffer);
    const text = parsed.pages.join(' ');
    for (const heading of [
      'Summary of approach',
      'Achieved sample size',
      'Timing of the survey',
      'Collection methods',
      'Sampling method',
      'Assessment of representativeness',
      'Weighting',
      'External contractor',
      'Exclusions from the sample',
      'Reason for not meeting the required sample size',
      'Incentives (type and amount)',
      'Other issues likely to have materially affected the results',
    ])
      expect(text).toContain(heading);
    expect(text).toContain('Acme Research Ltd');
    expect(text).toContain('Responses: 9');
    expect(text).toContain('Responses required for a margin of error of ±5% at 95% confidence');
    expect(text).toContain('telephone interview: 3');
    expect(text).toContain('Method: census');
    expect(text).toContain('Households in temporary accommodation (14)');
    expect(text).toContain('The survey opened late');
    expect(text).toContain('Characteristics considered: mode');
    expect(text).toContain('Variables: mode');
    expect(text).not.toContain('not stated');
    expect(parsed.title).toBe('Summary of approach – City of hove – 2026');
  });

  it('prints Polish and Georgian headings, and "not stated" for empty items', async () => {
    const pl = await parsePdf((await pdf(keys.hove!, `${A}/pdf?lang=pl`)).body as Buffer);
    const polish = pl.pages.join(' ');
    for (const heading of [
      'Podsumowanie metodologii badania',
      'Osiągnięta liczebność próby',
      'Metoda doboru próby',
      'Wykonawca zewnętrzny',
      'Zachęty (rodzaj i wartość)',
    ])
      expect(polish).toContain(heading);
    expect(polish).toContain('Liczba odpowiedzi: 9');
    expect(polish).toContain('Acme Research Ltd');

    const empty = await parsePdf(
      (await pdf(keys.hove!, '/api/v1/organisations/hove/approach/2025/pdf?lang=ka')).body as Buffer,
    );
    const georgian = empty.pages.join(' ');
    expect(georgian).toContain('კვლევის მეთოდოლოგიის შეჯამება');
    expect(georgian).toContain('გარე კონტრაქტორი');
    expect(georgian).toContain('არ არის მითითებული');

    const unknown = await ctx.http.get(`${A}/pdf?lang=xx`).set('Authorization', bearer(keys.hove!));
    expect(unknown.status).toBe(422);
  });
});
