import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { expectDocumentedAt } from '../support/contract';

/**
 * Weighting over HTTP: the sample-size planner, population margins (JSON and CSV), the
 * representativeness check and raking with stored margins, each answer checked against the
 * served OpenAPI document.
 */
let ctx: TestContext;
const keys: Record<string, string> = {};
const M = '/api/v1/organisations/kutno/margins';

async function as(key: string, method: 'get' | 'put' | 'post', path: string, body?: object) {
  const req = ctx.http[method](path).set('Authorization', bearer(key));
  const res = await (body === undefined ? req : req.send(body));
  await expectDocumentedAt(ctx, res, method, path);
  return res;
}

async function csv(key: string, path: string, text: string) {
  const res = await ctx.http
    .put(path)
    .set('Authorization', bearer(key))
    .set('Content-Type', 'text/csv')
    .send(text);
  await expectDocumentedAt(ctx, res, 'put', path);
  return res;
}

const margins = {
  tenure: { rented: 900, shared: 100 },
  age_band: { '16-34': 250, '35-54': 375, '55+': 375 },
};

beforeAll(async () => {
  ctx = await createTestContext();
  const platform = await createPlatformKey();
  for (const slug of ['kutno', 'outsider']) {
    const org = await createOrganisationViaApi(ctx, platform, slug, { housingStock: 1000 });
    keys[slug] = org.adminKey;
    keys[`${slug}-analyst`] = await issueKeyViaApi(ctx, org.adminKey, slug, 'analyst');
  }
  keys.platform = platform;
});
afterAll(async () => {
  await ctx.close();
});

describe('sample-size planner', () => {
  it('plans with the default band and checks the responses achieved', async () => {
    const res = await as(keys['kutno-analyst']!, 'post', '/api/v1/sample-size', {
      population: 1000,
      responseRate: 0.25,
      achieved: 250,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      marginOfError: 0.05,
      marginFromBands: true,
      responsesNeeded: 278,
      invitationsNeeded: 1000,
      unreachable: true,
      achieved: { responses: 250, met: false, shortBy: 28 },
    });
    expect(res.body.achieved.marginOfError).toBeGreaterThan(0.05);
    const platform = await as(keys.platform!, 'post', '/api/v1/sample-size', {
      population: 7271,
      marginOfError: 0.04,
    });
    expect(platform.body.responsesNeeded).toBe(555);
  });

  it('refuses impossible input', async () => {
    const res = await as(keys.kutno!, 'post', '/api/v1/sample-size', { population: 100, achieved: 101 });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: '/achieved', message: expect.any(String) }]);
    const bad = await as(keys.kutno!, 'post', '/api/v1/sample-size', { population: 0 });
    expect(bad.status).toBe(422);
    // A margin or a response rate so small that no count could meet it (once answered with nulls
    // where the document promises numbers).
    for (const [field, body] of [
      ['/marginOfError', { population: 1, marginOfError: 5e-324, achieved: 1 }],
      ['/responseRate', { population: 1000, responseRate: 5e-324 }],
    ] as const) {
      const tiny = await as(keys.kutno!, 'post', '/api/v1/sample-size', body);
      expect(tiny.status).toBe(422);
      expect(tiny.body.error.details.map((d: { path: string }) => d.path)).toEqual([field]);
    }
    // The smallest margin taken still yields whole numbers throughout.
    const smallest = await as(keys.kutno!, 'post', '/api/v1/sample-size', {
      population: 100000000,
      marginOfError: 0.001,
      responseRate: 0.001,
      achieved: 1,
    });
    expect(smallest.status).toBe(200);
    expect(Number.isInteger(smallest.body.responsesNeeded)).toBe(true);
    expect(Number.isInteger(smallest.body.achieved.shortBy)).toBe(true);
  });
});

describe('population margins', () => {
  it('stores JSON margins and reads them back; analysts read, only admins write', async () => {
    const put = await as(keys.kutno!, 'put', `${M}/2025`, { variables: margins });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      organisation: { slug: 'kutno' },
      period: '2025',
      variables: margins,
      scale: 'counts',
      total: 1000,
    });
    const get = await as(keys['kutno-analyst']!, 'get', `${M}/2025`);
    expect(get.status).toBe(200);
    expect(get.body.variables).toEqual(margins);
    expect(Object.keys(get.body.variables.age_band)).toEqual(['16-34', '35-54', '55+']);
    const denied = await as(keys['kutno-analyst']!, 'put', `${M}/2025`, { variables: margins });
    expect(denied.status).toBe(403);
  });

  it('refuses totals that disagree and stores nothing', async () => {
    const res = await as(keys.kutno!, 'put', `${M}/2024`, {
      variables: { tenure: { rented: 900, shared: 100 }, age_band: { young: 300, old: 800 } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['/variables/age_band']);
    expect((await as(keys.kutno!, 'get', `${M}/2024`)).status).toBe(404);
  });

  it('takes a CSV upload, reports row errors and stores nothing on error', async () => {
    const bad = 'variable,category,count\ntenure,rented,900\ntenure,shared,lots\n,owner,5\ntenure,rented,1\n';
    const res = await csv(keys.kutno!, `${M}/2026/csv`, bad);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      '/rows/3/count',
      '/rows/4/variable',
      '/rows/5/category',
    ]);
    expect((await as(keys.kutno!, 'get', `${M}/2026`)).status).toBe(404);

    const nul = await csv(keys.kutno!, `${M}/2026/csv`, 'variable,category,count\ntenure,rent\u0000ed,900\n');
    expect([nul.status, nul.body.error.details[0].message]).toEqual([422, expect.stringMatching(/NUL/)]);
    const columns = await csv(keys.kutno!, `${M}/2026/csv`, 'variable,group,count\ntenure,rented,900\n');
    expect(columns.status).toBe(422);
    expect(columns.body.error.details[0].path).toBe('/columns');

    const good =
      'variable;category;count\ntenure;rented;720\ntenure;shared;80\narea;north;300,5\narea;south;499,5\n';
    const ok = await csv(keys.kutno!, `${M}/2026/csv`, good);
    expect(ok.status).toBe(200);
    expect(ok.body.variables).toEqual({
      tenure: { rented: 720, shared: 80 },
      area: { north: 300.5, south: 499.5 },
    });
    // The download is the upload format.
    const download = await ctx.http
      .get(`${M}/2026`)
      .set('Authorization', bearer(keys.kutno!))
      .set('Accept', 'text/csv');
    expect(download.status).toBe(200);
    expect(download.text).toBe(
      'variable,category,count\r\ntenure,rented,720\r\ntenure,shared,80\r\narea,north,300.5\r\narea,south,499.5\r\n',
    );

    const json = await ctx.http
      .put(`${M}/2026/csv`)
      .set('Authorization', bearer(keys.kutno!))
      .set('Content-Type', 'application/json')
      .send({ variables: margins });
    expect(json.status).toBe(415);
  });

  it('lists periods', async () => {
    const res = await as(keys['kutno-analyst']!, 'get', M);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { period: string }) => i.period)).toEqual(['2025', '2026']);
    expect(res.body.items[0]).toMatchObject({
      variables: ['tenure', 'age_band'],
      total: 1000,
      scale: 'counts',
    });
  });

  it('answers 404 for another organisation’s margins, as for missing ones', async () => {
    for (const key of [keys.outsider!, keys['outsider-analyst']!]) {
      expect((await as(key, 'get', `${M}/2025`)).status).toBe(404);
      expect((await as(key, 'get', M)).status).toBe(404);
      expect(
        (await as(key, 'post', `${M}/2025/check`, { respondents: { tenure: { rented: 1 } } })).status,
      ).toBe(404);
    }
    expect((await as(keys.outsider!, 'put', `${M}/2025`, { variables: margins })).status).toBe(404);
    expect(
      (await csv(keys.outsider!, `${M}/2025/csv`, 'variable,category,count\ntenure,rented,1\n')).status,
    ).toBe(404);
    // Kutno's margins are unchanged.
    expect((await as(keys.kutno!, 'get', `${M}/2025`)).body.variables).toEqual(margins);
  });
});

describe('representativeness check', () => {
  it('compares respondent counts with the stored margins', async () => {
    const res = await as(keys['kutno-analyst']!, 'post', `${M}/2025/check`, {
      respondents: { tenure: { rented: 80, shared: 20 } },
    });
    expect(res.status).toBe(200);
    const [tenure] = res.body.variables;
    expect(tenure.variable).toBe('tenure');
    expect(tenure.chiSquare).toBeCloseTo(100 / 90 + 10, 9);
    expect(tenure.df).toBe(1);
    expect(tenure.pValue).toBeLessThan(0.001);
    expect(tenure.categories[1]).toMatchObject({ category: 'shared', respondentShare: 0.2 });
    expect(tenure.categories[1].differencePoints).toBeCloseTo(10, 9);

    const unknown = await as(keys.kutno!, 'post', `${M}/2025/check`, {
      respondents: { tenure: { owner: 4 } },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0].path).toBe('/respondents/tenure/owner');
    expect((await as(keys.kutno!, 'post', `${M}/2023/check`, { respondents: { tenure: {} } })).status).toBe(
      404,
    );
  });
});

describe('raking', () => {
  // 100 respondents: rented young 20, rented middle 30, rented old 30, shared young 5, shared old 15.
  const respondents = [
    ...Array.from({ length: 20 }, () => ({ tenure: 'rented', age_band: '16-34' })),
    ...Array.from({ length: 30 }, () => ({ tenure: 'rented', age_band: '35-54' })),
    ...Array.from({ length: 30 }, () => ({ tenure: 'rented', age_band: '55+', flat: '4a' })),
    ...Array.from({ length: 5 }, () => ({ tenure: 'shared', age_band: '16-34' })),
    ...Array.from({ length: 15 }, () => ({ tenure: 'shared', age_band: '55+' })),
  ];

  it('rakes to the stored margins of the caller’s organisation', async () => {
    const res = await as(keys['kutno-analyst']!, 'post', '/api/v1/weighting/rake', {
      respondents,
      organisation: 'kutno',
      period: '2025',
    });
    expect(res.status).toBe(200);
    expect(res.body.converged).toBe(true);
    expect(res.body.weights).toHaveLength(100);
    expect(res.body.source).toEqual({ organisation: 'kutno', period: '2025' });
    expect(res.body.total).toBeCloseTo(1000, 6);
    const sum = (from: number, to: number) =>
      (res.body.weights as number[]).slice(from, to).reduce((s, w) => s + w, 0);
    // Shared owners (the last 20) carry 100 of 1,000; the 16-34s (first 20 and 80-84) carry 250.
    expect(sum(80, 100)).toBeCloseTo(100, 4);
    expect(sum(0, 20) + sum(80, 85)).toBeCloseTo(250, 4);
    expect(res.body.effectiveN).toBeCloseTo(100 / res.body.designEffect, 9);
  });

  it('rakes to margins in the request, with caps and base weights', async () => {
    const res = await as(keys.kutno!, 'post', '/api/v1/weighting/rake', {
      respondents,
      baseWeights: respondents.map((_, i) => (i % 2 ? 1 : 2)),
      margins: { tenure: { rented: 0.9, shared: 0.1 } },
      options: { trim: { min: 0.3, max: 3 } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ scale: 'shares', source: null, converged: true });
    expect(res.body.total).toBeCloseTo(100, 6);
  });

  it('reports unreachable categories and mismatched requests with paths', async () => {
    const noShared = respondents.filter((r) => r.tenure === 'rented');
    const unreachable = await as(keys.kutno!, 'post', '/api/v1/weighting/rake', {
      respondents: noShared,
      organisation: 'kutno',
      period: '2025',
    });
    expect(unreachable.status).toBe(422);
    expect(unreachable.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      '/margins/tenure/shared',
    ]);

    const both = await as(keys.kutno!, 'post', '/api/v1/weighting/rake', {
      respondents,
      margins,
      organisation: 'kutno',
      period: '2025',
    });
    expect(both.status).toBe(422);
    const weights = await as(keys.kutno!, 'post', '/api/v1/weighting/rake', {
      respondents,
      margins,
      baseWeights: [1, 2],
    });
    expect(weights.body.error.details[0].path).toBe('/baseWeights');
  });

  it('answers 404 for another organisation’s stored margins', async () => {
    const res = await as(keys['outsider-analyst']!, 'post', '/api/v1/weighting/rake', {
      respondents,
      organisation: 'kutno',
      period: '2025',
    });
    expect(res.status).toBe(404);
  });
});
