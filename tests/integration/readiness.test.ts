import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { buildApp } from '../../src/app';
import { toAppError } from '../../src/http/error-handler';
import { expectDocumentedAt } from '../support/contract';
import { loadConfig } from '../../src/config';
import { OUTAGE_OPTIONS } from '../../src/db/connection';
import { startMongo, startRedis, type LocalServer } from '../../src/local-services/servers';
import { keepRecurringJobs } from '../../src/queue/schedules';
import { createLogger } from '../../src/logger';
import { openRuntime, type Runtime } from '../../src/runtime';
import { ApiKey } from '../../src/modules/organisations/api-key.model';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  databaseUri,
  invitePersonViaApi,
  serviceUrls,
  type TestContext,
} from '../support/harness';

/**
 * Freezes a server (SIGSTOP: its connections stay open, nothing answers) and waits until every
 * thread of it has stopped, so the next request cannot be served by a thread still running.
 */
async function freeze(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  const deadline = Date.now() + 5000;
  for (;;) {
    const states = readdirSync(`/proc/${pid}/task`).map(
      (t) => readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8').split(') ')[1]![0],
    );
    if (states.every((st) => st === 'T' || st === 't')) return;
    if (Date.now() > deadline)
      throw new Error(`process ${pid} did not stop: thread states ${states.join('')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// This file stops and restarts a Redis of its own, so the shared one is never disturbed.
let redis: LocalServer & { url: string };
let runtime: Runtime;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'readiness-'));
  redis = await startRedis({ dir });
  const config = loadConfig({ NODE_ENV: 'test', QUEUE_PREFIX: 'readiness' });
  runtime = await openRuntime(config, createLogger('silent'), {
    mongodbUri: databaseUri(serviceUrls().mongodbUri, 'test_readiness'),
    redisUrl: redis.url,
  });
});

afterAll(async () => {
  await runtime.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitForStatus(http: ReturnType<typeof supertest>, status: number, ms = 15000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await http.get('/readyz');
    if (last.status === status) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last!;
}

it('readyz turns 503 naming Redis when Redis stops, and 200 again when it is back', async () => {
  const http = supertest(buildApp(runtime));
  expect((await http.get('/readyz')).status).toBe(200);

  await redis.stop();
  const down = await waitForStatus(http, 503);
  expect(down.status).toBe(503);
  expect(down.body.error.code).toBe('NOT_READY');
  expect(down.body.error.message).toMatch(/redis/);
  expect(down.body.error.details.map((d: { path: string }) => d.path)).toEqual(['/redis']);

  redis = await startRedis({ dir, port: redis.port });
  const up = await waitForStatus(http, 200);
  expect(up.status).toBe(200);
  expect(up.body.checks.redis).toBe('ok');
});

it('while Redis is down, revoking an admin key is a 503 in the error shape and revokes nothing', async () => {
  const http = supertest(buildApp(runtime));
  const platform = await createPlatformKey();
  const slug = `redis-down-${Date.now().toString(36)}`;
  const created = await http
    .post('/api/v1/organisations')
    .set('Authorization', bearer(platform))
    .send({ slug, name: 'Redis Down', country: 'PL', type: 'city' });
  expect(created.status).toBe(201);
  const admin = created.body.adminKey.key as string;
  const deputy = await http
    .post(`/api/v1/organisations/${slug}/api-keys`)
    .set('Authorization', bearer(admin))
    .send({ role: 'admin', label: 'deputy' });
  expect(deputy.status).toBe(201);

  await redis.stop();
  try {
    const res = await http.delete(`/api/v1/api-keys/${deputy.body.id}`).set('Authorization', bearer(admin));
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('UNAVAILABLE');
    expect(res.body.error.message).toMatch(/Redis/);
    const stored = await ApiKey.findById(deputy.body.id).lean();
    expect(stored!.revokedAt ?? null).toBeNull();
  } finally {
    redis = await startRedis({ dir, port: redis.port });
  }
  await waitForStatus(http, 200);
  const res = await http.delete(`/api/v1/api-keys/${deputy.body.id}`).set('Authorization', bearer(admin));
  expect(res.status).toBe(200);
  expect(res.body.revokedAt).not.toBeNull();
});

it('while Redis is down, a request with a console session is a 503 within a second', async () => {
  const http = supertest(buildApp(runtime));
  const asContext = { http } as unknown as TestContext;
  const slug = `sessions-${Date.now().toString(36)}`;
  const admin = (await createOrganisationViaApi(asContext, await createPlatformKey(), slug)).adminKey;
  const email = `${slug}@example.test`;
  const password = 'a long enough password';
  await invitePersonViaApi(asContext, admin, slug, { name: 'Ola', email, role: 'analyst' }, password);
  const agent = supertest.agent(buildApp(runtime));
  expect((await agent.post('/api/v1/session').send({ email, password })).status).toBe(201);
  expect((await agent.get('/api/v1/session')).status).toBe(200);

  await redis.stop();
  try {
    await waitForStatus(http, 503);
    for (const request of [
      () => agent.get('/api/v1/session'),
      () => agent.post('/api/v1/session').send({ email, password }),
    ]) {
      const t0 = Date.now();
      const res = await request();
      const took = Date.now() - t0;
      expect([res.status, res.body.error?.code, res.headers['retry-after']]).toEqual([
        503,
        'SESSIONS_UNAVAILABLE',
        '5',
      ]);
      // It used to wait for the connection's reconnection attempt, then answer 500 after about 3 s.
      expect(took).toBeLessThan(1000);
    }
  } finally {
    redis = await startRedis({ dir, port: redis.port });
  }
  await waitForStatus(http, 200);
  // The restarted Redis keeps nothing (no persistence): the session is gone, a new sign-in works.
  expect((await agent.get('/api/v1/session')).status).toBe(401);
  expect((await agent.post('/api/v1/session').send({ email, password })).status).toBe(201);
});

it('while Redis keeps its connections but does not answer, submissions are stored at once', async () => {
  const http = supertest(buildApp(runtime));
  const asContext = { http } as unknown as TestContext;
  const slug = `frozen-${Date.now().toString(36)}`;
  const admin = (await createOrganisationViaApi(asContext, await createPlatformKey(), slug)).adminKey;
  const { campaign } = await createCampaignViaApi(asContext, admin, { template: 'pulse' });
  const answer = () =>
    http
      .post(`/api/v1/public/campaigns/${campaign.slug}/responses`)
      .send({
        submissionId: randomUUID(),
        locale: 'en',
        answers: { overall_satisfaction: 'fairly_satisfied' },
      })
      .timeout(10000);
  expect((await answer()).status).toBe(201);
  // That answer's drain runs after the aggregation delay; answers stored before then need no
  // nudge. Past it, the first answer below must send one.
  await new Promise((r) => setTimeout(r, runtime.config.aggregationDelayMs + 100));
  // Queue writes this process sends while Redis is frozen.
  const queues = runtime.queues;
  const enqueue = queues.enqueue.bind(queues);
  let sent = 0;
  queues.enqueue = (...args) => {
    sent += 1;
    return enqueue(...args);
  };
  // A frozen Redis: its connections stay open, nothing answers. The rate limiter's count used to
  // wait for ever.
  await freeze(redis.pid);
  try {
    for (let i = 0; i < 6; i++) {
      const t0 = Date.now();
      const res = await answer();
      expect(res.status).toBe(201);
      expect(Date.now() - t0).toBeLessThan(2000);
    }
    // One nudge waits on Redis; the answers after it share the one sent when it settles. Each
    // answer used to leave a queue write waiting, all sent at once when Redis woke.
    expect(sent).toBe(1);
  } finally {
    process.kill(redis.pid, 'SIGCONT');
    await waitForStatus(http, 200);
    queues.enqueue = enqueue;
  }
  expect(sent).toBeLessThanOrEqual(2);
});

const SCHEDULES = [
  'scheduled-full-rebuild',
  'scheduled-reconcile',
  'scheduled-retention',
  'scheduled-webhook-sweep',
];

/** The recurring jobs registered in Redis now, by name. */
const schedules = async () =>
  (await runtime.queues.aggregation.getJobSchedulers()).map((s) => s.key ?? s.name).sort();

/** The recurring jobs once all are back, or what was there when `ms` ran out. */
async function schedulesBack(ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await schedules().catch(() => []);
    if (seen.length === SCHEDULES.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

it('re-registers the recurring jobs when Redis is flushed under a live connection', async () => {
  // A flush (FLUSHALL by an operator, a failover to an empty replica) leaves the connection up:
  // only the periodic registration brings the schedules back. Every 300 ms here, every minute in
  // production.
  const stop = await keepRecurringJobs(
    runtime.queues,
    runtime.producer,
    runtime.config,
    createLogger('silent'),
    300,
  );
  try {
    expect(await schedules()).toEqual(SCHEDULES);
    await runtime.producer.flushall();
    expect(await schedules()).toEqual([]);
    expect(await schedulesBack(10000)).toEqual(SCHEDULES);
  } finally {
    stop();
  }
});

it('re-registers the recurring jobs when Redis comes back empty', async () => {
  const stop = await keepRecurringJobs(
    runtime.queues,
    runtime.producer,
    runtime.config,
    createLogger('silent'),
  );
  try {
    expect(await schedules()).toEqual(SCHEDULES);
    // No persistence: the restarted Redis has forgotten every schedule.
    await redis.stop();
    redis = await startRedis({ dir, port: redis.port });
    expect(await schedulesBack(20000)).toEqual(SCHEDULES);
  } finally {
    stop();
  }
});

describe('the database stopped', () => {
  // The database as the run's other tests have it (FERRETDB_BACKEND).
  const backend = loadConfig().ferretdbBackend;
  let mongo: LocalServer & { uri: string };
  let own: Runtime;
  let mongoDir: string;

  beforeAll(async () => {
    mongoDir = mkdtempSync(path.join(os.tmpdir(), 'db-outage-'));
    mongo = await startMongo({ dir: mongoDir, backend });
  });
  afterAll(async () => {
    await mongo.stop();
    rmSync(mongoDir, { recursive: true, force: true });
  });

  it('answers 503 in the error shape at once, and serves again when the database is back', async () => {
    // The shared connection is mongoose's default one: this test gives it to its own server.
    await runtime.close();
    own = await openRuntime(
      loadConfig({ NODE_ENV: 'test', QUEUE_PREFIX: 'db-outage' }),
      createLogger('silent'),
      {
        mongodbUri: `${mongo.uri}/outage`,
        redisUrl: redis.url,
      },
    );
    runtime = own;
    const http = supertest(buildApp(own));
    const platform = await createPlatformKey();
    expect((await http.get('/api/v1/organisations').set('Authorization', bearer(platform))).status).toBe(200);
    // A campaign with one answer: its definition is then cached, so answers reach the insert.
    const asContext = { http } as unknown as TestContext;
    const admin = (await createOrganisationViaApi(asContext, platform, 'outage-town')).adminKey;
    const { campaign } = await createCampaignViaApi(asContext, admin, { template: 'pulse' });
    const answer = (submissionId: string) =>
      http.post(`/api/v1/public/campaigns/${campaign.slug}/responses`).send({
        submissionId,
        locale: 'en',
        answers: { overall_satisfaction: 'fairly_satisfied' },
      });
    expect((await answer(randomUUID())).status).toBe(201);

    await mongo.stop();
    // Answers that arrive together while the database is away: each is refused, none is
    // reported stored.
    const lost = Array.from({ length: 6 }, () => randomUUID());
    const t1 = Date.now();
    const refused = await Promise.all(lost.map(answer));
    expect(refused.map((r) => [r.status, r.body.error?.code])).toEqual(
      lost.map(() => [503, 'DATABASE_UNAVAILABLE']),
    );
    expect(Date.now() - t1).toBeLessThan(2500);
    const t0 = Date.now();
    const down = await http.get('/api/v1/organisations').set('Authorization', bearer(platform));
    const took = Date.now() - t0;
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('DATABASE_UNAVAILABLE');
    expect(down.headers['retry-after']).toBe('5');
    await expectDocumentedAt({ http } as unknown as TestContext, down, 'get', '/api/v1/organisations');
    // It used to wait for the driver's 5 s server selection and then answer 500.
    expect(took).toBeLessThan(2500);
    const ready = await http.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error.details.map((d: { path: string }) => d.path)).toContain('/mongodb');

    mongo = await startMongo({ dir: mongoDir, port: mongo.port, backend });
    const deadline = Date.now() + 30000;
    let last = 0;
    while (Date.now() < deadline) {
      last = (await http.get('/api/v1/organisations').set('Authorization', bearer(platform))).status;
      if (last === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(last).toBe(200);
    // Only the answer given before the outage is stored; a refused one sent again is stored now.
    expect(await mongoose.connection.db!.collection('responses').countDocuments()).toBe(1);
    expect((await answer(lost[0]!)).status).toBe(201);
    expect(await mongoose.connection.db!.collection('responses').countDocuments()).toBe(2);

    // A database that keeps its connections open but stops answering (a frozen host): the driver
    // notices within its heartbeat and fails what is in flight. With the driver's defaults the
    // request waited about 40 s.
    await freeze(mongo.pid);
    try {
      const t2 = Date.now();
      const frozen = await http
        .get('/api/v1/organisations')
        .set('Authorization', bearer(platform))
        .timeout(20000);
      expect([frozen.status, frozen.body.error?.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
      expect(Date.now() - t2).toBeLessThan(10000);
    } finally {
      process.kill(mongo.pid, 'SIGCONT');
    }
    const back = Date.now() + 30000;
    while (Date.now() < back) {
      last = (await http.get('/api/v1/organisations').set('Authorization', bearer(platform))).status;
      if (last === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(last).toBe(200);
  }, 120000);

  it("maps a cursor's next batch cut off by a frozen database to 503, not an internal error", async () => {
    const client = await new mongoose.mongo.MongoClient(mongo.uri, OUTAGE_OPTIONS).connect();
    const scratch = client.db('outage').collection('frozen_cursor');
    await scratch.insertMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const cursor = scratch.find({}, { batchSize: 1 });
    await cursor.next();
    await freeze(mongo.pid);
    let failure: unknown;
    try {
      // The driver retries a whole read, never a cursor's next batch: a failed heartbeat cuts it
      // off with an error of its own, which used to be answered 500.
      failure = await cursor.toArray().then(
        () => new Error('the frozen database answered'),
        (err: unknown) => err,
      );
    } finally {
      process.kill(mongo.pid, 'SIGCONT');
      await client.close(true);
    }
    const mapped = toAppError(failure);
    expect([mapped.status, mapped.code, (failure as Error).message]).toEqual([
      503,
      'DATABASE_UNAVAILABLE',
      expect.stringMatching(/./),
    ]);
  }, 60000);
});
