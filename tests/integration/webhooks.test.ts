import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import { createLogger } from '../../src/logger';
import { createRedis } from '../../src/queue/connections';
import { JobName } from '../../src/queue/jobs';
import { createQueues } from '../../src/queue/queues';
import type { DomainEvent } from '../../src/modules/webhooks/events';
import { verify } from '../../src/modules/webhooks/signing';
import { Webhook } from '../../src/modules/webhooks/webhook.model';
import { WebhookDelivery } from '../../src/modules/webhooks/webhook-delivery.model';
import { createEventSink } from '../../src/modules/webhooks/webhooks.service';
import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { drain, startTestWorker } from '../support/worker';

/**
 * Webhooks end to end on the real servers: registration over HTTP, events emitted through the
 * sink, delivery jobs run by an in-process worker, and a real receiver that checks every
 * signature with the exported helper.
 */
let ctx: TestContext;
let worker: Worker;
let sink: ReturnType<typeof createEventSink>;
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
let platform = '';
const a = { id: '', admin: '', analyst: '', coordinator: '' };
const b = { id: '', admin: '' };

/** What the receiver saw on one path. */
interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  verified: boolean;
}

/** The test's receiver: answers each path with a status chosen per request, verifying each. */
const receiver = {
  server: http.createServer(),
  base: '',
  received: new Map<string, Received[]>(),
  secrets: new Map<string, string>(),
  answers: new Map<string, (n: number) => number>(),
  /** A path whose answers wait until the promise settles. */
  holds: new Map<string, Promise<unknown>>(),
  on(path: string) {
    return this.received.get(path) ?? [];
  },
};

receiver.server.on('request', (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const path = req.url ?? '/';
    const body = Buffer.concat(chunks).toString('utf8');
    const secret = receiver.secrets.get(path) ?? '';
    const list = receiver.received.get(path) ?? [];
    list.push({ headers: req.headers, body, verified: verify(secret, req.headers, body) });
    receiver.received.set(path, list);
    await receiver.holds.get(path);
    const status = receiver.answers.get(path)?.(list.length) ?? 200;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
  });
});

async function as(key: string, method: 'get' | 'post' | 'delete', path: string, body?: object) {
  const req = ctx.http[method](path).set('Authorization', bearer(key));
  return body === undefined ? req : req.send(body);
}

/** Registers an endpoint on the receiver's `path`; returns its id and remembers its secret. */
async function register(key: string, path: string, events: string[], answer?: (n: number) => number) {
  const res = await as(key, 'post', '/api/v1/webhooks', { url: `${receiver.base}${path}`, events });
  expect(res.status).toBe(201);
  receiver.secrets.set(path, res.body.secret);
  if (answer) receiver.answers.set(path, answer);
  return res.body.id as string;
}

/** A delivery as the log shows it. */
interface DeliveryView {
  id: string;
  event: { id: string; type: string };
  status: string;
  attempts: Array<{ at: string; httpStatus: number | null; error: string | null; durationMs: number }>;
  createdAt: string;
  completedAt: string | null;
  note: string | null;
}

async function deliveries(key: string, id: string, query = '') {
  const res = await as(key, 'get', `/api/v1/webhooks/${id}/deliveries${query}`);
  expect(res.status).toBe(200);
  return res.body as { items: DeliveryView[]; nextCursor: string | null };
}

/** Emits an event and waits until every job it caused (retries included) has finished. */
async function emitAndSettle(event: DomainEvent) {
  await sink.emit(event);
  await drain(ctx.runtime.queues.aggregation, 60_000);
}

beforeAll(async () => {
  await new Promise<void>((r) => receiver.server.listen(0, '127.0.0.1', r));
  receiver.base = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
  ctx = await createTestContext({ WEBHOOK_RETRY_DELAY_MS: '100', WEBHOOK_MAX_FAILURES: '3' });
  worker = startTestWorker(ctx);
  sink = createEventSink({ queues: ctx.runtime.queues, logger, config: ctx.config });
  platform = await createPlatformKey();
  const orgA = await createOrganisationViaApi(ctx, platform, 'hook-a');
  a.id = orgA.id;
  a.admin = orgA.adminKey;
  a.analyst = await issueKeyViaApi(ctx, a.admin, 'hook-a', 'analyst');
  a.coordinator = await issueKeyViaApi(ctx, a.admin, 'hook-a', 'coordinator');
  const orgB = await createOrganisationViaApi(ctx, platform, 'hook-b');
  b.id = orgB.id;
  b.admin = orgB.adminKey;
});

afterAll(async () => {
  await worker?.close();
  await ctx?.close();
  await new Promise((r) => receiver.server.close(r));
});

describe('registration', () => {
  it('shows the secret once and never again, and does not store it', async () => {
    const created = await as(a.admin, 'post', '/api/v1/webhooks', {
      url: `${receiver.base}/registered`,
      events: ['return.queried'],
      description: 'ERP integration',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      organisationId: a.id,
      url: `${receiver.base}/registered`,
      events: ['return.queried'],
      description: 'ERP integration',
      enabled: true,
      consecutiveFailures: 0,
    });
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const one = await as(a.admin, 'get', `/api/v1/webhooks/${created.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body.secret).toBeUndefined();
    expect(one.text).not.toContain(secret);
    const list = await as(a.admin, 'get', '/api/v1/webhooks');
    expect(list.status).toBe(200);
    expect(list.body.items.map((w: { id: string }) => w.id)).toContain(created.body.id);
    expect(list.text).not.toContain(secret);

    const stored = await Webhook.findById(created.body.id).lean();
    expect(JSON.stringify(stored)).not.toContain(secret.slice('whsec_'.length));
  });

  it('lets coordinators register, not analysts', async () => {
    const body = { url: `${receiver.base}/coordinated`, events: ['return.signed_off'] };
    expect((await as(a.coordinator, 'post', '/api/v1/webhooks', body)).status).toBe(201);
    expect((await as(a.analyst, 'post', '/api/v1/webhooks', body)).status).toBe(403);
    expect((await as(a.analyst, 'get', '/api/v1/webhooks')).status).toBe(403);
  });

  it.each([
    ['a non-http scheme', { url: 'ftp://example.org/hook', events: ['return.queried'] }, '/url'],
    ['credentials in the URL', { url: 'https://me:pw@example.org/hook', events: ['return.queried'] }, '/url'],
    ['a relative URL', { url: '/hook', events: ['return.queried'] }, '/url'],
    ['an unknown event', { url: 'https://example.org/hook', events: ['survey.deleted'] }, '/events/0'],
    ['no events', { url: 'https://example.org/hook', events: [] }, '/events'],
  ])('refuses %s with a 422 and a path', async (_name, body, path) => {
    const res = await as(a.admin, 'post', '/api/v1/webhooks', body);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await ctx.http.get('/api/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/webhooks',
        '/api/v1/webhooks/{id}',
        '/api/v1/webhooks/{id}/enable',
        '/api/v1/webhooks/{id}/deliveries',
      ]),
    );
  });
});

describe('delivery', () => {
  let signedOffHook = '';

  beforeAll(async () => {
    signedOffHook = await register(a.admin, '/a', ['return.signed_off', 'indicator_values.updated']);
  });

  it('POSTs a signed body carrying the event, and logs it', async () => {
    await emitAndSettle({
      type: 'return.signed_off',
      organisationIds: [a.id],
      data: { group: 'gwd-housing', period: '2025' },
    });
    const got = receiver.on('/a');
    expect(got).toHaveLength(1);
    const [request] = got;
    expect(request!.verified).toBe(true);
    expect(request!.headers['webhook-event']).toBe('return.signed_off');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-signature']).toMatch(/^v1=[a-f0-9]{64}$/);
    expect(Math.abs(Number(request!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    const body = JSON.parse(request!.body);
    expect(body).toEqual({
      id: expect.stringMatching(/^[a-f0-9]{24}$/),
      type: 'return.signed_off',
      createdAt: expect.any(String),
      data: { group: 'gwd-housing', period: '2025' },
    });

    const log = await deliveries(a.admin, signedOffHook);
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({
      id: request!.headers['webhook-id'],
      event: { id: body.id, type: 'return.signed_off' },
      status: 'delivered',
      attempts: [{ httpStatus: 200, error: null, durationMs: expect.any(Number) }],
    });
    const hook = await as(a.admin, 'get', `/api/v1/webhooks/${signedOffHook}`);
    expect(hook.body.lastDeliveredAt).not.toBeNull();
  });

  it('fails verification for a tampered body or an old timestamp', () => {
    const [request] = receiver.on('/a');
    const secret = receiver.secrets.get('/a')!;
    const stamp = Number(request!.headers['webhook-timestamp']);
    expect(verify(secret, request!.headers, request!.body, 300, stamp)).toBe(true);
    expect(verify(secret, request!.headers, request!.body.replace('2025', '2026'), 300, stamp)).toBe(false);
    expect(verify(secret, request!.headers, request!.body, 300, stamp + 301)).toBe(false);
    expect(verify(receiver.secrets.get('/registered') ?? 'x', request!.headers, request!.body)).toBe(false);
  });

  it('sends only the subscribed event types', async () => {
    await emitAndSettle({ type: 'plan.review_due', organisationIds: [a.id], data: { plan: 'p1' } });
    expect(receiver.on('/a')).toHaveLength(1);
  });

  it('retries after a 500 and logs both attempts', async () => {
    const id = await register(a.admin, '/flaky', ['return.queried'], (n) => (n === 1 ? 500 : 200));
    await emitAndSettle({ type: 'return.queried', organisationIds: [a.id], data: { query: 'q1' } });
    const got = receiver.on('/flaky');
    expect(got).toHaveLength(2);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(got[1]!.headers['webhook-id']).toBe(got[0]!.headers['webhook-id']);
    expect(got[1]!.body).toBe(got[0]!.body);
    const log = await deliveries(a.admin, id);
    expect(log.items).toHaveLength(1);
    expect(log.items[0]!.status).toBe('delivered');
    expect(log.items[0]!.attempts.map((t) => t.httpStatus)).toEqual([500, 200]);
    const [first, second] = log.items[0]!.attempts;
    expect(Date.parse(second!.at) - Date.parse(first!.at)).toBeGreaterThanOrEqual(90);
  });

  it('keeps organisations apart', async () => {
    await register(b.admin, '/b', ['return.signed_off']);
    const before = receiver.on('/a').length;
    await emitAndSettle({ type: 'return.signed_off', organisationIds: [a.id], data: { period: '2026' } });
    expect(receiver.on('/b')).toHaveLength(0);
    expect(receiver.on('/a')).toHaveLength(before + 1);
    await emitAndSettle({ type: 'return.signed_off', organisationIds: [b.id], data: { period: '2026' } });
    expect(receiver.on('/b')).toHaveLength(1);
    expect(receiver.on('/b')[0]!.verified).toBe(true);
    expect(receiver.on('/a')).toHaveLength(before + 1);
    // One event for two organisations reaches both.
    await emitAndSettle({
      type: 'return.signed_off',
      organisationIds: [a.id, b.id],
      data: { period: '2027' },
    });
    expect(receiver.on('/b')).toHaveLength(2);
    expect(receiver.on('/a')).toHaveLength(before + 2);
  });

  it('never throws from emit', async () => {
    await expect(
      sink.emit({ type: 'return.queried', organisationIds: ['not-an-id', ''], data: {} }),
    ).resolves.toBeUndefined();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(
      sink.emit({ type: 'return.signed_off', organisationIds: [a.id], data: circular }),
    ).resolves.toBeUndefined();
  });
});

describe('failures', () => {
  let downHook = '';
  const calls = () => receiver.on('/down').length;

  beforeAll(async () => {
    downHook = await register(a.admin, '/down', ['plan.review_due'], () => 500);
  });

  it(`disables an endpoint after WEBHOOK_MAX_FAILURES failed deliveries and sends it nothing more`, async () => {
    for (let i = 1; i <= 3; i++) {
      await emitAndSettle({ type: 'plan.review_due', organisationIds: [a.id], data: { plan: `p${i}` } });
      expect(calls()).toBe(6 * i);
      const hook = await as(a.admin, 'get', `/api/v1/webhooks/${downHook}`);
      expect(hook.body.consecutiveFailures).toBe(i);
      expect(hook.body.enabled).toBe(i < 3);
    }
    const hook = await as(a.admin, 'get', `/api/v1/webhooks/${downHook}`);
    expect(hook.body.disabledAt).not.toBeNull();
    expect(hook.body.disabledReason).toMatch(/3 deliveries in a row failed/);
    const log = await deliveries(a.admin, downHook);
    expect(log.items).toHaveLength(3);
    for (const d of log.items) {
      expect(d.status).toBe('failed');
      expect(d.attempts).toHaveLength(6);
      expect(d.attempts.every((t) => t.httpStatus === 500)).toBe(true);
    }

    await emitAndSettle({ type: 'plan.review_due', organisationIds: [a.id], data: { plan: 'p4' } });
    expect(calls()).toBe(18);
    expect((await deliveries(a.admin, downHook)).items).toHaveLength(3);
  });

  it('pages the log newest first', async () => {
    const first = await deliveries(a.admin, downHook, '?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe(first.items[1]!.id);
    const second = await deliveries(a.admin, downHook, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const plans = [...first.items, ...second.items].map((d) => d.createdAt as string);
    expect([...plans].sort().reverse()).toEqual(plans);
  });

  it('enables it again with a fresh count', async () => {
    const enabled = await as(a.admin, 'post', `/api/v1/webhooks/${downHook}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledAt: null, consecutiveFailures: 0 });
    receiver.answers.set('/down', () => 200);
    await emitAndSettle({ type: 'plan.review_due', organisationIds: [a.id], data: { plan: 'p5' } });
    expect(calls()).toBe(19);
    expect(receiver.on('/down')[18]!.verified).toBe(true);
    const log = await deliveries(a.admin, downHook);
    expect(log.items[0]).toMatchObject({ status: 'delivered', event: { type: 'plan.review_due' } });
  });

  it('skips a pending delivery whose endpoint was deleted', async () => {
    const id = await register(a.admin, '/gone', ['indicator_values.updated'], () => 503);
    // The first attempt is held open until the endpoint is deleted; its retry finds it gone.
    let release: (value?: unknown) => void = () => undefined;
    receiver.holds.set('/gone', new Promise((r) => (release = r)));
    await sink.emit({ type: 'indicator_values.updated', organisationIds: [a.id], data: { period: '2025' } });
    const deadline = Date.now() + 4000;
    while (receiver.on('/gone').length < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect((await as(a.admin, 'delete', `/api/v1/webhooks/${id}`)).status).toBe(204);
    release();
    await drain(ctx.runtime.queues.aggregation, 60_000);
    expect(receiver.on('/gone')).toHaveLength(1);
    const [delivery] = await WebhookDelivery.find({ endpointId: id }).lean();
    expect(delivery).toMatchObject({ status: 'skipped', note: 'the endpoint was deleted' });
    expect(delivery!.attempts).toHaveLength(1);
    expect((await as(a.admin, 'get', `/api/v1/webhooks/${id}`)).status).toBe(404);
  });
});

describe('another organisation', () => {
  let hook = '';
  beforeAll(async () => {
    hook = await register(a.admin, '/private', ['return.queried']);
  });

  it.each([
    ['get', ''],
    ['get', '/deliveries'],
    ['post', '/enable'],
    ['delete', ''],
  ] as const)('answers %s %s with the 404 of a missing endpoint', async (method, suffix) => {
    const theirs = await as(b.admin, method, `/api/v1/webhooks/${hook}${suffix}`);
    const missing = await as(b.admin, method, `/api/v1/webhooks/${'0'.repeat(24)}${suffix}`);
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.body.error.code).toBe(missing.body.error.code);
    expect(theirs.body.error.message).toBe(missing.body.error.message);
  });

  it('does not list it, and the endpoint is untouched', async () => {
    const list = await as(b.admin, 'get', '/api/v1/webhooks');
    expect(list.body.items.every((w: { organisationId: string }) => w.organisationId === b.id)).toBe(true);
    expect((await as(a.admin, 'get', `/api/v1/webhooks/${hook}`)).body.enabled).toBe(true);
  });

  it('lets platform keys see every organisation’s endpoints', async () => {
    const list = await as(platform, 'get', '/api/v1/webhooks?limit=200');
    const owners = new Set(list.body.items.map((w: { organisationId: string }) => w.organisationId));
    expect(owners).toEqual(new Set([a.id, b.id]));
    expect((await as(platform, 'get', `/api/v1/webhooks/${hook}`)).status).toBe(200);
  });
});

describe('while Redis is unreachable', () => {
  it('stores the delivery pending, and the sweep sends it later', async () => {
    const late = await register(a.admin, '/late', ['return.queried']);
    // A producer of its own, connected and then cut: its queues report the outage.
    const producer = createRedis(ctx.runtime.redisUrl, 'producer');
    const cut = createQueues(producer, ctx.config.queuePrefix);
    await cut.aggregation.waitUntilReady();
    const ended = new Promise((r) => producer.once('end', r));
    producer.disconnect();
    await ended;
    try {
      expect(cut.connected()).toBe(false);
      const offline = createEventSink({ queues: cut, logger, config: ctx.config });
      await offline.emit({ type: 'return.queried', organisationIds: [a.id], data: { query: 'q9' } });
    } finally {
      await cut.close();
    }
    await drain(ctx.runtime.queues.aggregation, 60_000);
    expect(receiver.on('/late')).toHaveLength(0);
    const [pending] = await WebhookDelivery.find({ endpointId: late }).lean();
    expect(pending).toMatchObject({ status: 'pending', queuedAt: null, attempts: [] });

    await ctx.runtime.queues.enqueue(JobName.webhookSweep, {});
    await drain(ctx.runtime.queues.aggregation, 60_000);
    expect(receiver.on('/late')).toHaveLength(1);
    expect(receiver.on('/late')[0]!.verified).toBe(true);
    expect(await WebhookDelivery.countDocuments({ status: 'pending' })).toBe(0);
  });
});
