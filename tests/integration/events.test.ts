import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import { verify } from '../../src/modules/webhooks/signing';
import { JobName } from '../../src/queue/jobs';
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

/**
 * The events the service raises reach subscribed endpoints through the real flows: a queried and
 * a signed-off return (to the member and the group's coordinators), new indicator values after
 * tenants answer, and a plan review that has come due (once).
 */
let ctx: TestContext;
let worker: Worker;
const city = { admin: '', id: '' };
let coordinator = '';
const received: Array<{ path: string; type: string; data: Record<string, unknown>; verified: boolean }> = [];
const secrets = new Map<string, string>();
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const event = JSON.parse(body) as { type: string; data: Record<string, unknown> };
    received.push({
      path: req.url ?? '',
      type: event.type,
      data: event.data,
      verified: verify(secrets.get(req.url ?? '') ?? '', req.headers, body),
    });
    res.writeHead(204).end();
  });
});
let base = '';

async function as(key: string, method: 'get' | 'put' | 'post', path: string, body?: object) {
  const req = ctx.http[method](path).set('Authorization', bearer(key));
  return body === undefined ? req : req.send(body);
}

async function subscribe(key: string, path: string, events: string[]) {
  const res = await as(key, 'post', '/api/v1/webhooks', { url: `${base}${path}`, events });
  expect(res.status).toBe(201);
  secrets.set(path, res.body.secret);
}

const settle = () => drain(ctx.runtime.queues.aggregation, 60_000);
const seen = (path: string, type: string) => received.filter((r) => r.path === path && r.type === type);

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx = await createTestContext({ WEBHOOK_RETRY_DELAY_MS: '100', AGGREGATION_DELAY_MS: '50' });
  worker = startTestWorker(ctx);
  const platform = await createPlatformKey();
  const org = await createOrganisationViaApi(ctx, platform, 'ev-city');
  city.admin = org.adminKey;
  city.id = org.id;
  const centre = await createOrganisationViaApi(ctx, platform, 'ev-centre', { type: 'resource_centre' });
  coordinator = await issueKeyViaApi(ctx, centre.adminKey, 'ev-centre', 'coordinator');
  await subscribe(city.admin, '/city', [
    'return.queried',
    'return.signed_off',
    'indicator_values.updated',
    'plan.review_due',
  ]);
  await subscribe(coordinator, '/centre', ['return.signed_off', 'plan.review_due']);
  await as(coordinator, 'post', '/api/v1/groups', {
    slug: 'ev-group',
    name: 'Events',
    indicators: ['PL_VACANT'],
    calendar: [
      {
        period: '2025',
        opens: '2020-01-01T00:00:00Z',
        closes: '2099-01-01T00:00:00Z',
        signOffBy: '2099-06-01T00:00:00Z',
      },
    ],
  });
  await as(coordinator, 'post', '/api/v1/groups/ev-group/invitations', { organisation: 'ev-city' });
  await as(city.admin, 'post', '/api/v1/groups/ev-group/membership');
});
afterAll(async () => {
  await worker?.close();
  await ctx?.close();
  await new Promise((r) => server.close(r));
});

describe('events to webhooks', () => {
  it('a queried and a signed-off return reach the member and the coordinators that subscribed', async () => {
    const url = '/api/v1/groups/ev-group/returns/ev-city/2025';
    await as(city.admin, 'put', url, {
      figures: [{ indicator: 'PL_VACANT', numerator: 40, denominator: 1000 }],
    });
    await as(city.admin, 'post', `${url}/submit`, {});
    const queried = await as(coordinator, 'post', `${url}/queries`, {
      figure: 'PL_VACANT',
      message: 'sure?',
    });
    const queryId = queried.body.queries[0].id;
    await as(city.admin, 'post', `${url}/queries/${queryId}/messages`, { message: 'yes' });
    await as(city.admin, 'post', `${url}/submit`, {});
    await as(coordinator, 'post', `${url}/queries/${queryId}/close`);
    expect((await as(coordinator, 'post', `${url}/sign-off`)).status).toBe(200);
    await settle();
    expect(seen('/city', 'return.queried')).toHaveLength(1);
    expect(seen('/city', 'return.queried')[0]!.data).toMatchObject({
      group: 'ev-group',
      organisation: 'ev-city',
      period: '2025',
      figure: 'PL_VACANT',
    });
    expect(seen('/centre', 'return.queried')).toHaveLength(0);
    expect(seen('/city', 'return.signed_off')).toHaveLength(1);
    expect(seen('/centre', 'return.signed_off')).toHaveLength(1);
    expect(received.every((r) => r.verified)).toBe(true);
  });

  it('tenants’ answers raise indicator_values.updated for their organisation once counted', async () => {
    const { campaign } = await createCampaignViaApi(ctx, city.admin, { campaign: { period: '2025' } });
    for (let i = 0; i < 3; i++) {
      const res = await ctx.http.post(`/api/v1/public/campaigns/${campaign.slug}/responses`).send({
        submissionId: randomUUID(),
        locale: 'en',
        answers: { overall_satisfaction: 'very_satisfied' },
      });
      expect(res.status).toBe(201);
    }
    // The drain is debounced; wait for it, then for the delivery it queued.
    for (let i = 0; i < 40 && !seen('/city', 'indicator_values.updated').length; i++) {
      await settle();
      await new Promise((r) => setTimeout(r, 100));
    }
    const updates = seen('/city', 'indicator_values.updated');
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates[0]!.data).toEqual({ organisationId: city.id, period: '2025' });
  });

  it('a plan whose review has come due is announced once, to its organisation and the coordinators', async () => {
    const plan = await as(city.admin, 'post', '/api/v1/plans', {
      title: 'Plan',
      group: 'ev-group',
      nextReviewAt: '2021-01-01T00:00:00Z',
    });
    expect(plan.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      await ctx.runtime.queues.enqueue(JobName.webhookSweep, {});
      await settle();
    }
    await settle();
    for (const path of ['/city', '/centre']) {
      expect(seen(path, 'plan.review_due')).toHaveLength(1);
      expect(seen(path, 'plan.review_due')[0]!.data).toMatchObject({ planId: plan.body.id });
    }
  });
});
