import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import mongoose from 'mongoose';
import supertest from 'supertest';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { startRedis, type LocalServer } from '../../src/local-services/servers';
import { createLogger } from '../../src/logger';
import { drainInbox, unreflectedResponses } from '../../src/modules/indicators/aggregation.service';
import { JobName } from '../../src/queue/jobs';
import { openRuntime } from '../../src/runtime';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  databaseUri,
  serviceUrls,
  type TestContext,
} from '../support/harness';
import { drain, startTestWorker } from '../support/worker';

const root = path.resolve(__dirname, '../..');
const SAT = ['very_satisfied', 'fairly_satisfied', 'neither', 'fairly_dissatisfied', 'very_dissatisfied'];
const values = () => mongoose.connection.db!.collection('indicator_values');
const responses = () => mongoose.connection.db!.collection('responses');

/** TP01 over the stored responses, counted here without the service's code. */
async function plainTp01(campaignId: string) {
  const docs = await responses()
    .find({ campaignId: new mongoose.Types.ObjectId(campaignId) })
    .toArray();
  const base = docs.filter((d) => SAT.includes(d.answers.overall_satisfaction)).length;
  const positive = docs.filter((d) =>
    ['very_satisfied', 'fairly_satisfied'].includes(d.answers.overall_satisfaction),
  ).length;
  return { base, positive };
}

describe('a worker killed in the middle of a job', () => {
  let ctx: TestContext;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await ctx.close();
  });

  function startWorkerProcess(): ChildProcess {
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      MONGODB_URI: databaseUri(serviceUrls().mongodbUri, ctx.dbName),
      REDIS_URL: ctx.runtime.redisUrl,
      QUEUE_PREFIX: ctx.config.queuePrefix,
      WORKER_LOCK_MS: '3000',
      WORKER_CONCURRENCY: '1',
    };
    // `--import tsx` keeps the worker in this one process, so SIGKILL really kills it.
    return spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], {
      cwd: root,
      env: { ...env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }

  it('is retried by the next worker and the numbers equal a recomputation', async () => {
    const admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'crashy')).adminKey;
    const { campaign, surveyId } = await createCampaignViaApi(ctx, admin);
    const orgId = (await ctx.http.get('/api/v1/organisations').set('Authorization', bearer(admin))).body
      .items[0].id;
    // A backlog big enough that counting it takes a while.
    const docs = Array.from({ length: 30000 }, (_, i) => ({
      _id: new mongoose.Types.ObjectId(),
      campaignId: new mongoose.Types.ObjectId(campaign.id),
      organisationId: new mongoose.Types.ObjectId(orgId),
      surveyId: new mongoose.Types.ObjectId(surveyId),
      version: 1,
      period: '2026',
      segment: '',
      submissionId: randomUUID(),
      locale: 'en',
      channel: 'link',
      answers: { overall_satisfaction: SAT[(i * 7) % 5], recommend: i % 11 },
      completedAt: new Date(),
      durationSeconds: null,
    }));
    for (let i = 0; i < docs.length; i += 2500) await responses().insertMany(docs.slice(i, i + 2500));
    const inbox = docs.map((d) => ({
      _id: d._id,
      campaignId: d.campaignId,
      organisationId: d.organisationId,
      period: d.period,
      surveyId: d.surveyId,
      version: 1,
      segment: '',
      answers: d.answers,
      at: new Date(),
    }));
    for (let i = 0; i < inbox.length; i += 2500)
      await mongoose.connection.db!.collection('aggregation_inbox').insertMany(inbox.slice(i, i + 2500));

    const queue = ctx.runtime.queues.aggregation;
    await queue.add(JobName.drain, {});
    child = startWorkerProcess();
    const deadline = Date.now() + 60000;
    while ((await queue.getActiveCount()) === 0) {
      if (Date.now() > deadline) throw new Error('the worker never started the job');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    expect(await values().countDocuments({ indicatorId: 'TP01', segment: '*' })).toBe(0);

    child = startWorkerProcess();
    expect(await drain(queue, 120000)).toBe(0);
    const tp01 = await values().findOne({ indicatorId: 'TP01', segment: '*' });
    const plain = await plainTp01(campaign.id);
    expect(tp01!.n).toBe(plain.base);
    expect(tp01!.n).toBe(30000);
    expect(Math.abs(tp01!.value - plain.positive / plain.base)).toBeLessThan(1e-12);
    expect(await unreflectedResponses()).toBe(0);
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    child = null;
  }, 240000);
});

describe('Redis stopped during submissions', () => {
  let redis: LocalServer & { url: string };
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'redis-outage-'));
    redis = await startRedis({ dir });
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing: submissions succeed at once, and after the sweep every response is reflected', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      QUEUE_PREFIX: 'outage',
      AGGREGATION_DELAY_MS: '50',
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    const runtime = await openRuntime(config, createLogger('silent'), {
      mongodbUri: databaseUri(serviceUrls().mongodbUri, `test_outage_${Date.now()}`),
      redisUrl: redis.url,
    });
    const ctx = {
      runtime,
      config,
      app: buildApp(runtime),
      http: supertest(buildApp(runtime)),
      dbName: '',
      close: async () => undefined,
    } as TestContext;
    let worker: Worker | null = startTestWorker(ctx);
    try {
      const admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'outage-city')).adminKey;
      const { campaign } = await createCampaignViaApi(ctx, admin);
      const send = (answer: string) =>
        ctx.http
          .post(`/api/v1/public/campaigns/${campaign.slug}/responses`)
          .send({ submissionId: randomUUID(), locale: 'en', answers: { overall_satisfaction: answer } });

      for (const a of SAT.slice(0, 3)) expect((await send(a)).status).toBe(201);
      await drain(runtime.queues.aggregation);

      await worker.close();
      worker = null;
      await redis.stop();
      const slowest = { ms: 0 };
      for (const a of [...SAT, 'very_satisfied']) {
        const t0 = Date.now();
        expect((await send(a)).status).toBe(201);
        slowest.ms = Math.max(slowest.ms, Date.now() - t0);
      }
      // Neither the rate limiter nor the queue waits for Redis to come back (it used to take 1-8 s).
      expect(slowest.ms).toBeLessThan(1500);
      expect(await unreflectedResponses()).toBe(6);

      redis = await startRedis({ dir, port: redis.port });
      worker = startTestWorker(ctx);
      const deadline = Date.now() + 20000;
      while (
        (await runtime.redis.ping().catch(() => 'down')) !== 'PONG' ||
        runtime.producer.status !== 'ready'
      ) {
        if (Date.now() > deadline) throw new Error('redis did not come back');
        await new Promise((r) => setTimeout(r, 100));
      }
      // The sweep (the scheduled reconcile job) counts what waited in the inbox.
      await runtime.queues.aggregation.add(JobName.reconcile, {});
      expect(await drain(runtime.queues.aggregation)).toBe(0);

      const tp01 = await values().findOne({ indicatorId: 'TP01', segment: '*' });
      const plain = await plainTp01(campaign.id);
      expect(plain.base).toBe(9);
      expect(tp01!.n).toBe(9);
      expect(tp01!.value).toBeCloseTo(plain.positive / plain.base, 12);
      expect(await unreflectedResponses()).toBe(0);
    } finally {
      await worker?.close();
      await mongoose.connection.db?.dropDatabase();
      await runtime.close();
    }
  }, 120000);
});

describe('overlapping drains', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('publish exactly the stored n, however they interleave with each other and with submissions', async () => {
    const admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'overlap')).adminKey;
    const { campaign } = await createCampaignViaApi(ctx, admin);
    const send = (i: number) =>
      ctx.http
        .post(`/api/v1/public/campaigns/${campaign.slug}/responses`)
        .send({ submissionId: randomUUID(), locale: 'en', answers: { overall_satisfaction: SAT[i % 5] } });
    let sent = 0;
    for (let round = 0; round < 6; round++) {
      // Three drains at once read the same revision and race for the next one, while answers arrive.
      const results = await Promise.all([
        ...Array.from({ length: 4 }, (_, i) => send(round * 4 + i)),
        drainInbox(),
        drainInbox(),
        drainInbox(),
      ]);
      for (const r of results.slice(0, 4) as Array<{ status: number }>) expect(r.status).toBe(201);
      sent += 4;
    }
    await Promise.all([drainInbox(), drainInbox()]);
    const plain = await plainTp01(campaign.id);
    expect(plain.base).toBe(sent);
    const tp01 = await values().findOne({ indicatorId: 'TP01', segment: '*' });
    expect(tp01!.n).toBe(sent);
    expect(Math.abs(tp01!.value - plain.positive / plain.base)).toBeLessThan(1e-12);
    expect(await unreflectedResponses()).toBe(0);
    expect(await mongoose.connection.db!.collection('aggregation_inbox').countDocuments()).toBe(0);
  }, 120000);
});
