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
import { drain, startTestWorker } from '../support/worker';
import {
  AggregationState,
  IndicatorValue,
  markValuesChanged,
  valuesChangedAt,
} from '../../src/modules/indicators/indicator-value.model';
import mongoose from 'mongoose';
import { SurveyResponse } from '../../src/modules/responses/response.model';

/**
 * Scores through the API: own indicators, benchmarks with suppression, trends, CSV, and raw
 * exports, across organisations that must not see each other's raw data.
 */
let ctx: TestContext;
let worker: Worker;
const orgs: Record<string, { admin: string; analyst: string; surveyId: string; campaign: string }> = {};

async function answer(slug: string, n: number, positiveEvery: number) {
  for (let i = 0; i < n; i++) {
    const overall = i % positiveEvery === 0 ? 'very_satisfied' : 'fairly_dissatisfied';
    const res = await ctx.http.post(`/api/v1/public/campaigns/${slug}/responses`).send({
      submissionId: randomUUID(),
      locale: 'en',
      answers: {
        overall_satisfaction: overall,
        recommend: i % 11,
        comments: i === 0 ? '=HYPERLINK("x")' : undefined,
      },
    });
    if (res.status !== 201) throw new Error(res.text);
  }
}

beforeAll(async () => {
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: '50' });
  worker = startTestWorker(ctx);
  const platform = await createPlatformKey();
  // Three cities measure TP01 in 2026; "small" has fewer answers than the minimum n of 10.
  for (const [slug, n, every, stock] of [
    ['alpha', 30, 2, 900],
    ['beta', 20, 4, 15000],
    ['small', 6, 1, 800],
  ] as const) {
    const org = await createOrganisationViaApi(ctx, platform, slug, { housingStock: stock });
    const analyst = await issueKeyViaApi(ctx, org.adminKey, slug, 'analyst');
    const { campaign, surveyId } = await createCampaignViaApi(ctx, org.adminKey, {
      template: 'pulse',
      campaign: { period: '2026' },
    });
    orgs[slug] = { admin: org.adminKey, analyst, surveyId, campaign: campaign.slug };
    await answer(campaign.slug, n, every);
  }
  // Alpha also measured 2025, for the trend.
  const { campaign } = await createCampaignViaApi(ctx, orgs.alpha!.admin, {
    template: 'pulse',
    campaign: { period: '2025' },
  });
  await answer(campaign.slug, 12, 3);
  await drain(ctx.runtime.queues.aggregation);
  await new Promise((r) => setTimeout(r, 300));
}, 120000);

afterAll(async () => {
  await worker.close();
  await ctx.close();
});

const get = (path: string, key: string) => ctx.http.get(path).set('Authorization', bearer(key));

it('an organisation sees its own indicators, small n included but flagged', async () => {
  const res = await get('/api/v1/indicators?period=2026&indicator=TP01', orgs.small!.analyst);
  expect(res.status).toBe(200);
  const total = res.body.items.find((v: { segment: string }) => v.segment === '*');
  expect(total).toMatchObject({ indicator: 'TP01', n: 6, value: 1, suppressed: 'primary' });
  // Wilson at 6/6 with the finite population correction for 800 dwellings: z scaled by sqrt((N−n)/(N−1)).
  const z = 1.959964 * Math.sqrt((800 - 6) / 799);
  expect(total.low).toBeCloseTo(1 / (1 + (z * z) / 6), 9);
  expect(total.low).toBeGreaterThan(0.6097);
  expect(total.responseRate).toBeCloseTo(6 / 800, 9);
  expect(total).toMatchObject({ responses: 6, populationIgnored: false });
  expect(total.baseRate).toBeCloseTo(6 / 800, 9);
});

it('benchmarks hide values under the minimum n from others and rank the caller', async () => {
  const res = await get('/api/v1/benchmarks/TP01?period=2026', orgs.alpha!.analyst);
  expect(res.status).toBe(200);
  const bySlug = Object.fromEntries(res.body.organisations.map((o: { slug: string }) => [o.slug, o]));
  expect(bySlug.small).toMatchObject({ suppressed: true, value: null, n: null, low: null });
  expect(bySlug.alpha).toMatchObject({ you: true, n: 30, value: 0.5 });
  expect(bySlug.beta).toMatchObject({ suppressed: false, n: 20, value: 0.25 });
  expect(res.body.summary).toMatchObject({ count: 2, min: 0.25, max: 0.5, median: 0.375 });
  expect(res.body.you.percentileRank).toBe(75);
  expect(res.body.quantileMethod).toMatch(/type 7/);

  const small = await get('/api/v1/benchmarks/TP01?period=2026', orgs.small!.analyst);
  expect(small.body.you).toMatchObject({ n: 6, suppressed: 'primary' });
  expect(small.body.organisations.find((o: { slug: string }) => o.slug === 'small')).toMatchObject({
    you: true,
    value: 1,
  });

  const peers = await get('/api/v1/benchmarks/TP01?period=2026&peerGroup=size', orgs.alpha!.analyst);
  expect(peers.body.organisations.map((o: { slug: string }) => o.slug).sort()).toEqual(['alpha', 'small']);
  const explicit = await get(
    '/api/v1/benchmarks/TP01?period=2026&organisations=alpha,beta',
    orgs.alpha!.analyst,
  );
  expect(explicit.body.peerGroup).toBe('explicit');
  expect(explicit.body.organisations).toHaveLength(2);
  expect((await get('/api/v1/benchmarks/NOPE?period=2026', orgs.alpha!.analyst)).status).toBe(404);
  expect((await get('/api/v1/benchmarks/TP01', orgs.alpha!.analyst)).status).toBe(422);
});

it('the trend shows the caller per period beside the peer median', async () => {
  const res = await get('/api/v1/benchmarks/TP01/trend', orgs.alpha!.analyst);
  expect(res.status).toBe(200);
  expect(res.body.points.map((p: { period: string }) => p.period)).toEqual(['2025', '2026']);
  const [p2025, p2026] = res.body.points;
  // The same median as the benchmark's summary: published values of the group, the caller's included.
  expect(p2025).toMatchObject({
    n: 12,
    value: 4 / 12,
    peerCount: 1,
    peerMedian: 4 / 12,
    methodChanged: false,
  });
  expect(p2026).toMatchObject({ n: 30, value: 0.5, peerCount: 2, peerMedian: 0.375, methodChanged: false });
  const bench = await get('/api/v1/benchmarks/TP01?period=2026', orgs.alpha!.analyst);
  expect(bench.body.summary.median).toBe(p2026.peerMedian);
});

it('a peer group applies also when the caller measured nothing in that period', async () => {
  // Beta (10,000+ dwellings) did not survey in 2025; only alpha (under 2,500) did.
  const size = await get('/api/v1/benchmarks/TP01?period=2025&peerGroup=size', orgs.beta!.analyst);
  expect(size.status).toBe(200);
  expect(size.body.you).toBeNull();
  expect(size.body.peerGroup).toBe('size');
  expect(size.body.organisations).toEqual([]);
  expect(size.body.summary.count).toBe(0);
  const all = await get('/api/v1/benchmarks/TP01?period=2025', orgs.beta!.analyst);
  expect(all.body.organisations.map((o: { slug: string }) => o.slug)).toEqual(['alpha']);
});

it('every score endpoint answers CSV when asked', async () => {
  const indicators = await get('/api/v1/indicators?period=2026', orgs.alpha!.analyst).set(
    'Accept',
    'text/csv',
  );
  expect(indicators.headers['content-type']).toMatch(/text\/csv/);
  const lines = indicators.text.trim().split('\r\n');
  expect(lines[0]).toBe(
    'indicator,period,segment,n,excluded,value,low,high,responses,responseRate,baseRate,suppressed,population,populationIgnored',
  );
  expect(lines.some((l) => l.startsWith('TP01,2026,*,30,0,0.5,'))).toBe(true);
  // The CSV says, as the JSON does, which stock the interval used and whether a stock was dropped.
  const json = await get('/api/v1/indicators?period=2026', orgs.alpha!.analyst);
  for (const item of json.body.items as Array<Record<string, unknown>>) {
    const row = lines.find((l) => l.startsWith(`${item.indicator},${item.period},${item.segment},`))!;
    const cells = row.split(',');
    expect([item.indicator, cells[12], cells[13]]).toEqual([
      item.indicator,
      item.population === null ? '' : String(item.population),
      String(item.populationIgnored),
    ]);
  }
  const bench = await get('/api/v1/benchmarks/TP01?period=2026', orgs.beta!.analyst).set(
    'Accept',
    'text/csv',
  );
  const benchRows = bench.text.trim().split('\r\n');
  expect(benchRows[0]).toBe(
    'row,slug,name,country,region,type,stockBand,n,value,low,high,numerator,denominator,comment,suppressed,you,percentileRank',
  );
  expect(bench.text).toContain('small');
  expect(bench.text).not.toMatch(/small,[^\r\n]*,1,/);
  // The caller's row carries its percentile rank; the summary follows, one statistic a row.
  expect(benchRows.find((r) => r.startsWith('organisation,beta,'))).toMatch(/,true,25$/);
  expect(benchRows.slice(-6).map((r) => r.split(',')[0])).toEqual([
    'count',
    'min',
    'q1',
    'median',
    'q3',
    'max',
  ]);
  expect(benchRows.find((r) => r.startsWith('median,'))).toBe('median,,,,,,,,0.375,,,,,,,,');
  const trend = await get('/api/v1/benchmarks/TP01/trend', orgs.alpha!.analyst).set('Accept', 'text/csv');
  expect(trend.text.split('\r\n')[0]).toBe(
    'period,n,value,low,high,suppressed,peerMedian,peerCount,methodChanged',
  );
});

it('exports stream only the caller’s own raw responses, as CSV or NDJSON', async () => {
  const csv = await get(
    `/api/v1/responses/export?survey=${orgs.alpha!.surveyId}&period=2026&format=csv`,
    orgs.alpha!.analyst,
  );
  expect(csv.status).toBe(200);
  const rows = csv.text.trim().split('\r\n');
  expect(rows[0]).toBe(
    'responseId,campaignId,version,period,segment,locale,channel,mode,completedAt,overall_satisfaction,recommend,comments',
  );
  expect(rows).toHaveLength(31);
  expect(csv.text).toContain(`'=HYPERLINK(""x"")`);
  const nd = await get(
    `/api/v1/responses/export?survey=${orgs.alpha!.surveyId}&format=ndjson`,
    orgs.alpha!.analyst,
  );
  const lines = nd.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines).toHaveLength(30);
  expect(lines.every((l) => l.answers && l.responseId && !('submissionId' in l))).toBe(true);

  const foreign = await get(`/api/v1/responses/export?survey=${orgs.alpha!.surveyId}`, orgs.beta!.analyst);
  expect(foreign.status).toBe(404);
});

it('an export whose query fails answers 503 in the error shape, not a 200 cut after its header', async () => {
  const lost = new mongoose.mongo.MongoNetworkError('connection reset');
  const failing = { next: () => Promise.reject(lost), close: async () => undefined };
  const find = jest
    .spyOn(SurveyResponse, 'find')
    .mockImplementation((() => ({ sort: () => ({ lean: () => ({ cursor: () => failing }) }) })) as never);
  try {
    for (const format of ['csv', 'ndjson']) {
      const res = await get(
        `/api/v1/responses/export?survey=${orgs.alpha!.surveyId}&format=${format}`,
        orgs.alpha!.analyst,
      );
      expect([format, res.status, res.body.error?.code]).toEqual([format, 503, 'DATABASE_UNAVAILABLE']);
    }
  } finally {
    find.mockRestore();
  }
});

// Last: it adds answers to beta.
it('benchmark reads are encoded once: gzip when asked, 304 for a held ETag, new numbers after aggregation', async () => {
  const path = '/api/v1/benchmarks/TP01?period=2026';
  const first = await get(path, orgs.alpha!.analyst).set('Accept-Encoding', 'gzip');
  expect(first.status).toBe(200);
  expect(first.headers['content-encoding']).toBe('gzip');
  expect(first.headers['content-type']).toMatch(/^application\/json/);
  expect(first.headers.vary).toMatch(/Accept-Encoding/);
  const etag = first.headers.etag as string;
  expect(etag).toMatch(/^W\/"/);
  const plain = await get(path, orgs.alpha!.analyst).set('Accept-Encoding', 'identity');
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(plain.headers.etag).toBe(etag);
  expect(plain.body).toEqual(first.body);
  expect(Number(plain.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(first.body)));

  const held = await get(path, orgs.alpha!.analyst).set('If-None-Match', etag);
  expect(held.status).toBe(304);
  expect(held.text).toBe('');
  // The caller is part of the answer ("you"), so another organisation gets other bytes.
  const other = await get(path, orgs.beta!.analyst);
  expect(other.headers.etag).not.toBe(etag);

  const beta = (body: { organisations: Array<{ slug: string; value: number }> }) =>
    body.organisations.find((o) => o.slug === 'beta')!.value;
  expect(beta(first.body)).toBe(0.25);
  await answer(orgs.beta!.campaign, 20, 1);
  await drain(ctx.runtime.queues.aggregation);
  let after = await get(path, orgs.alpha!.analyst).set('If-None-Match', etag);
  for (let i = 0; i < 40 && after.status === 304; i++) {
    await new Promise((r) => setTimeout(r, 50));
    after = await get(path, orgs.alpha!.analyst).set('If-None-Match', etag);
  }
  expect(after.status).toBe(200);
  expect(after.headers.etag).not.toBe(etag);
  expect(beta(after.body)).toBe(25 / 40);
});

it('the burst of readers after values change reads the stored values once', async () => {
  await markValuesChanged();
  const state = await AggregationState.findById('values').lean();
  const changed = state!.changedAt!.getTime();
  // Readers refresh the change stamp in the background; wait until this process has the new one.
  for (let i = 0; i < 100 && (await valuesChangedAt()) !== changed; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(await valuesChangedAt()).toBe(changed);

  const find = jest.spyOn(IndicatorValue, 'find');
  try {
    const path = '/api/v1/benchmarks/TP01?period=2026';
    const answers = await Promise.all(Array.from({ length: 25 }, () => get(path, orgs.alpha!.analyst)));
    expect(answers.map((a) => a.status)).toEqual(Array(25).fill(200));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(find).toHaveBeenCalledTimes(1);
  } finally {
    find.mockRestore();
  }
});
