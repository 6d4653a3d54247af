import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import mongoose from 'mongoose';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ METRICS_TOKEN, TRUST_PROXY: '1' });
});
afterAll(async () => {
  await ctx.close();
});

describe('operations endpoints', () => {
  it('GET /healthz answers 200', async () => {
    const res = await ctx.http.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GET /readyz answers 200 when MongoDB and Redis answer', async () => {
    const res = await ctx.http.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ mongodb: 'ok', redis: 'ok' });
  });

  it('GET /metrics needs the scrape token or a platform key', async () => {
    expect((await ctx.http.get('/metrics')).status).toBe(401);
    expect(
      (await ctx.http.get('/metrics').set('Authorization', 'Bearer not-the-token-at-all-000')).status,
    ).toBe(401);
    const admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'metrics-city')).adminKey;
    const forbidden = await ctx.http.get('/metrics').set('Authorization', bearer(admin));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    const platform = await ctx.http.get('/metrics').set('Authorization', bearer(await createPlatformKey()));
    expect(platform.status).toBe(200);
    expect(platform.text).toMatch(/process_cpu_seconds_total/);
  });

  it('sends HSTS only on requests that came over HTTPS', async () => {
    const plain = await ctx.http.get('/healthz');
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    const secure = await ctx.http.get('/healthz').set('X-Forwarded-Proto', 'https');
    expect(secure.headers['strict-transport-security']).toMatch(/max-age=31536000/);
  });

  it('a gzip body that does not decompress is a 400 in the contract shape', async () => {
    const bad = Buffer.concat([gzipSync(Buffer.from('{"a":1}')).subarray(0, 12), Buffer.from('garbage!')]);
    const res = await ctx.http
      .post('/api/v1/public/campaigns/abcd/responses')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(bad);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_BODY');
  });

  it('a NUL character in any text of a JSON body is a 422 naming where, and stores nothing', async () => {
    const admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'nul-town')).adminKey;
    const { campaign } = await createCampaignViaApi(ctx, admin, { template: 'pulse' });
    const url = `/api/v1/public/campaigns/${campaign.slug}/responses`;
    const responses = () => mongoose.connection.db!.collection('responses').countDocuments();
    const before = await responses();
    // An anonymous tenant's comment: PostgreSQL under FerretDB cannot store U+0000 (it was a 500).
    const nul = await ctx.http.post(url).send({
      submissionId: randomUUID(),
      locale: 'en',
      answers: { overall_satisfaction: 'fairly_satisfied', comments: 'ok\u0000' },
    });
    expect([nul.status, nul.body.error.details]).toEqual([
      422,
      [{ path: '/answers/comments', message: expect.stringMatching(/NUL/) }],
    ]);
    const key = await ctx.http
      .post('/api/v1/surveys')
      .set('Authorization', bearer(admin))
      .set('Content-Type', 'application/json')
      .send('{"slug":"nul-survey","template":"pulse","title":{"p\\u0000l":"x"},"x":["a\\u0000"]}');
    expect(key.status).toBe(422);
    expect(key.body.error.details.map((d: { path: string }) => d.path)).toEqual(['/title/p\u0000l', '/x/0']);
    expect(await responses()).toBe(before);
    // A backslash followed by "u0000" is ordinary text.
    const text = await ctx.http.post(url).send({
      submissionId: randomUUID(),
      locale: 'en',
      answers: { overall_satisfaction: 'fairly_satisfied', comments: 'C:\\u0000 is a path' },
    });
    expect(text.status).toBe(201);
    expect(await responses()).toBe(before + 1);
  });

  it('a path that is not valid percent-encoding is a 400 in the contract shape', async () => {
    for (const [method, path] of [
      ['get', '/s/%ZZ'],
      ['get', '/api/v1/public/campaigns/%ZZ'],
      ['post', '/api/v1/public/campaigns/%E0/responses'],
    ] as const) {
      const res = await ctx.http[method](path).set('Content-Type', 'application/json').send('{}');
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 400,
        code: 'BAD_REQUEST',
      });
      expect(typeof res.body.error.requestId).toBe('string');
    }
  });

  it('GET /metrics exposes the latency histogram and queue depth', async () => {
    await ctx.http.get('/healthz');
    const res = await ctx.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/healthz"/);
    expect(res.text).toMatch(/queue_jobs\{queue="aggregation",state="waiting"\} 0/);
  });

  it('serves an OpenAPI 3.1 document that lists its own routes', async () => {
    const res = await ctx.http.get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
    expect(res.body.paths['/readyz'].get.responses['503']).toBeDefined();
    // Any route reading the database or Redis may answer 503 while they are away; any POST, PUT
    // or PATCH reads a JSON body if one is sent, whether it takes one or not.
    const operations = Object.entries(res.body.paths as Record<string, Record<string, { responses: object }>>)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThan(50);
    expect(operations.filter((o) => !('503' in o.op.responses)).map((o) => `${o.method} ${o.path}`)).toEqual(
      [],
    );
    const publish = res.body.paths['/api/v1/surveys/{id}/versions'].post.responses;
    expect(Object.keys(publish)).toEqual(expect.arrayContaining(['400', '413', '415']));
    // A body whose fields are all optional may be left out; one with a required field may not.
    expect(res.body.paths['/api/v1/surveys/{id}/versions'].post.requestBody.required).toBe(false);
    expect(res.body.paths['/api/v1/surveys/{id}/draft'].put.requestBody.required).toBe(true);
    expect(res.body.components.schemas.Error.properties.error.required).toEqual([
      'code',
      'message',
      'details',
    ]);
  });

  it('renders the API reference from local assets', async () => {
    const page = await ctx.http.get('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    const asset = await ctx.http.get('/docs/assets/swagger-ui-bundle.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });
});

describe('error shape', () => {
  const noStack = (text: string) => {
    expect(text).not.toMatch(/\n\s+at /);
    expect(text).not.toMatch(/node_modules|\.ts:\d+/);
  };

  it('malformed JSON is a 400 in the contract shape', async () => {
    const res = await ctx.http
      .post('/api/v1/surveys/validate')
      .set('Content-Type', 'application/json')
      .send('{"a": ');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'MALFORMED_JSON', details: [] });
    expect(typeof res.body.error.message).toBe('string');
    noStack(res.text);
  });

  it('a body over the limit is a 413', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(ctx.config.bodyLimitBytes + 10) });
    const res = await ctx.http
      .post('/api/v1/surveys/validate')
      .set('Content-Type', 'application/json')
      .send(big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    noStack(res.text);
  });

  it('a body that is not JSON is a 415', async () => {
    const res = await ctx.http
      .post('/api/v1/surveys/validate')
      .set('Content-Type', 'text/plain')
      .send('hello');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    noStack(res.text);
  });

  it('an unknown route is a JSON 404, not an HTML page', async () => {
    const res = await ctx.http.get('/no/such/thing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', details: [] });
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
    noStack(res.text);
  });

  it('a known path asked with a method it lacks is a JSON 405 with Allow; OPTIONS lists the methods', async () => {
    const res = await ctx.http.delete('/api/v1/benchmarks/TP01');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(res.body.error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', details: [] });
    const put = await ctx.http.put('/api/v1/surveys').send({});
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
    // A literal path wins over a parameter at the same place: this is not GET /surveys/{id}.
    const validate = await ctx.http.get('/api/v1/surveys/validate');
    expect(validate.status).toBe(405);
    expect(validate.headers.allow).toBe('OPTIONS, POST');
    const options = await ctx.http.options('/api/v1/campaigns/abc');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toMatch(/GET/);
    noStack(res.text);
  });
});

describe('queue dashboard', () => {
  let platform = '';
  let admin = '';
  beforeAll(async () => {
    platform = await createPlatformKey();
    admin = (await createOrganisationViaApi(ctx, platform, 'queue-watch')).adminKey;
  });

  it('is for platform keys only, refusing in the contract shape', async () => {
    const none = await ctx.http.get('/admin/queues');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="queues"/);
    expect(none.body.error).toMatchObject({ code: 'UNAUTHORIZED', details: [] });
    const other = await ctx.http.get('/admin/queues/api/queues').set('Authorization', bearer(admin));
    expect(other.status).toBe(403);
    expect(other.body.error).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('serves its page and its API to a platform key, as Bearer or as the browser prompt’s password', async () => {
    const page = await ctx.http.get('/admin/queues').set('Authorization', bearer(platform));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
    const api = await ctx.http.get('/admin/queues/api/queues').auth('platform', platform);
    expect(api.status).toBe(200);
    expect((api.body.queues as Array<{ name: string }>).map((q) => q.name)).toEqual([
      ctx.runtime.queues.aggregation.name,
    ]);
  });

  it('answers its own refusals in the contract shape, keeping the key its page reads', async () => {
    const missing = await ctx.http
      .get('/admin/queues/api/queues/no-such-queue/1')
      .set('Authorization', bearer(platform));
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/json/);
    expect(missing.body.error).toMatchObject({ code: 'NOT_FOUND', details: [] });
    expect(typeof missing.body.error.message).toBe('string');
    expect(missing.body.error.key).toMatch(/QUEUE_NOT_FOUND/);
    expect(missing.body.error.requestId).toBe(missing.headers['x-request-id']);
  });
});
