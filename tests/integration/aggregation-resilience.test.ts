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
import {
  drainInbox,
  fullRebuild,
  lockedReconcile,
  methodsOutdated,
  unreflectedResponses,
} from '../../src/modules/indicators/aggregation.service';
import { METHOD_HASH_VERSION } from '../../src/modules/indicators/aggregation';
import { rebuildIfMethodsChanged } from '../../workers/handlers';
import { Organisation } from '../../src/modules/organisations/organisation.model';
import { PendingAnswer } from '../../src/modules/responses/inbox.model';
import { unwrittenInboxEntries } from '../../src/modules/responses/responses.service';
import { UnitHead, unitHeadId } from '../../src/modules/responses/unit-state';
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

  /** Organisations of their own, each with a campaign, and a way to answer them. */
  async function organisations(prefix: string, count: number) {
    const platform = await createPlatformKey();
    const orgs: Array<{ id: string; campaign: { id: string; slug: string } }> = [];
    for (let i = 0; i < count; i++) {
      const org = await createOrganisationViaApi(ctx, platform, `${prefix}-${i}`);
      const { campaign } = await createCampaignViaApi(ctx, org.adminKey);
      orgs.push({ id: org.id, campaign });
    }
    let sent = 0;
    const send = async (org: (typeof orgs)[number]) => {
      const res = await ctx.http.post(`/api/v1/public/campaigns/${org.campaign.slug}/responses`).send({
        submissionId: randomUUID(),
        locale: 'en',
        answers: { overall_satisfaction: SAT[sent++ % 5] },
      });
      expect(res.status).toBe(201);
    };
    return { orgs, send };
  }

  /** Every organisation's published TP01 equals a count of its stored responses. */
  async function expectExact(orgs: Array<{ id: string; campaign: { id: string } }>) {
    for (const org of orgs) {
      const plain = await plainTp01(org.campaign.id);
      const tp01 = await values().findOne({
        organisationId: new mongoose.Types.ObjectId(org.id),
        indicatorId: 'TP01',
        segment: '*',
      });
      expect({ org: org.id, n: tp01?.n }).toEqual({ org: org.id, n: plain.base });
      expect(Math.abs(tp01!.value - plain.positive / plain.base)).toBeLessThan(1e-12);
    }
    expect(await unreflectedResponses()).toBe(0);
    expect(await mongoose.connection.db!.collection('aggregation_inbox').countDocuments()).toBe(0);
  }

  it('count answers spread over many organisations exactly, each unit once, also when drains overlap', async () => {
    const { orgs, send } = await organisations('spread', 11);
    for (let round = 0; round < 3; round++) {
      for (const [i, org] of orgs.entries()) for (let k = 0; k <= (i + round) % 3; k++) await send(org);
      const [a, b] = await Promise.all([drainInbox(), drainInbox()]);
      // Between them the two drains counted every answer of the round once.
      expect(a.units + b.units).toBeGreaterThanOrEqual(orgs.length);
    }
    const last = await drainInbox();
    expect(last.counted).toBe(0);
    await expectExact(orgs);
  }, 180000);

  it('finishes every other unit when one unit fails, reports the failure, and the next drain completes it', async () => {
    const { orgs, send } = await organisations('failing', 9);
    for (const org of orgs) await send(org);
    await drainInbox();
    for (const org of orgs) {
      await send(org);
      await send(org);
    }
    const failing = orgs[4]!.id;
    const findById = Organisation.findById.bind(Organisation);
    const spy = jest
      .spyOn(Organisation, 'findById')
      .mockImplementation(((id: unknown, ...rest: never[]) =>
        String(id) === failing
          ? { lean: () => Promise.reject(new Error('database went away for this unit')) }
          : findById(id, ...rest)) as never);
    try {
      await expect(drainInbox()).rejects.toThrow('database went away for this unit');
    } finally {
      spy.mockRestore();
    }
    // Every other organisation was counted and published in that drain.
    const others = orgs.filter((o) => o.id !== failing);
    for (const org of others) {
      const tp01 = await values().findOne({
        organisationId: new mongoose.Types.ObjectId(org.id),
        indicatorId: 'TP01',
        segment: '*',
      });
      expect({ org: org.id, n: tp01?.n }).toEqual({ org: org.id, n: 3 });
    }
    const shown = await values().findOne({
      organisationId: new mongoose.Types.ObjectId(failing),
      indicatorId: 'TP01',
      segment: '*',
    });
    expect(shown?.n).toBe(1);
    // Its answers were counted and left the inbox: a drain has nothing to do, the reconcile
    // publishes what the head says is behind.
    const next = await drainInbox();
    expect(next).toMatchObject({ counted: 0, units: 0 });
    expect((await values().findOne({ _id: shown!._id }))?.n).toBe(1);
    const mended = await lockedReconcile((_name, run) => run());
    expect(mended.published).toEqual([{ organisationId: failing, period: expect.any(String) }]);
    await expectExact(orgs);
    expect((await lockedReconcile((_name, run) => run())).published).toEqual([]);
  }, 180000);

  it('after an upgrade that hashes methods another way, one rebuild is queued and then marks them current', async () => {
    const { orgs, send } = await organisations('hashes', 1);
    await send(orgs[0]!);
    await drainInbox();
    const state = mongoose.connection.db!.collection<{ _id: string }>('aggregation_state');
    // Values counted by a version that made hashes another way (or before versions were recorded).
    await state.deleteOne({ _id: 'methods' });
    expect(await methodsOutdated()).toBe(true);
    const logger = createLogger('silent');
    expect(await rebuildIfMethodsChanged(ctx.runtime.queues, logger)).toBe(true);
    const job = await ctx.runtime.queues.aggregation.getJob(`method-hashes-${METHOD_HASH_VERSION}`);
    expect(job?.name).toBe(JobName.fullRebuild);
    await job!.remove();
    await fullRebuild();
    expect(await state.findOne({ _id: 'methods' })).toMatchObject({ version: METHOD_HASH_VERSION });
    expect(await methodsOutdated()).toBe(false);
    expect(await rebuildIfMethodsChanged(ctx.runtime.queues, logger)).toBe(false);
    await expectExact(orgs);
  }, 60000);

  it('a rebuild that lost its lock to a drain leaves the drain’s newer values published', async () => {
    const { orgs, send } = await organisations('rebuild-race', 3);
    await send(orgs[0]!);
    await send(orgs[1]!);
    await drainInbox();
    // The rebuild stops after writing its revisions, before it replaces the published values.
    let reached!: () => void;
    let release!: () => void;
    const atGate = new Promise<void>((r) => (reached = r));
    const gate = new Promise<void>((r) => (release = r));
    const find = Organisation.find.bind(Organisation) as (...args: unknown[]) => { lean(): unknown };
    const spy = jest.spyOn(Organisation, 'find').mockImplementationOnce(((...args: unknown[]) => ({
      lean: async () => {
        reached();
        await gate;
        return find(...args).lean();
      },
    })) as never);
    try {
      const rebuilding = fullRebuild();
      await atGate;
      // Meanwhile a drain (the lock no longer held) counts and publishes a new answer, and the
      // first answer of an organisation the rebuild has not seen.
      await send(orgs[0]!);
      await send(orgs[2]!);
      expect(await drainInbox()).toMatchObject({ counted: 2 });
      release();
      await rebuilding;
    } finally {
      spy.mockRestore();
    }
    await expectExact(orgs);
  }, 60000);

  it('counts an answer whose inbox entry could not be written: stored is stored, and the entry follows', async () => {
    const { orgs, send } = await organisations('inbox-lost', 1);
    const org = orgs[0]!;
    await send(org);
    await drainInbox();
    // The response is stored, then the database drops the inbox entry's write.
    const spy = jest
      .spyOn(PendingAnswer.collection, 'insertMany')
      .mockRejectedValueOnce(new Error('connection reset'));
    const body = { submissionId: randomUUID(), locale: 'en', answers: { overall_satisfaction: SAT[0] } };
    const url = `/api/v1/public/campaigns/${org.campaign.slug}/responses`;
    try {
      const first = await ctx.http.post(url).send(body);
      expect(first.status).toBe(201);
      // The tenant's page sends it again (as after a lost answer): the response is there already.
      const again = await ctx.http.post(url).send(body);
      expect(again.status).toBe(200);
    } finally {
      spy.mockRestore();
    }
    const deadline = Date.now() + 10_000;
    while (unwrittenInboxEntries() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(unwrittenInboxEntries()).toBe(0);
    expect(await drainInbox()).toMatchObject({ counted: 1 });
    expect((await plainTp01(org.campaign.id)).base).toBe(2);
    await expectExact(orgs);
  }, 60000);

  it('counts once an answer whose inbox write was stored but reported failed, even after a drain took it', async () => {
    const { orgs, send } = await organisations('inbox-lost-reply', 1);
    const org = orgs[0]!;
    await send(org);
    await drainInbox();
    // The entry is stored, but the answer to the write is lost (a connection cut after the commit).
    const collection = PendingAnswer.collection;
    const insertMany = collection.insertMany.bind(collection) as (...args: unknown[]) => Promise<unknown>;
    const spy = jest.spyOn(collection, 'insertMany').mockImplementationOnce((async (...args: unknown[]) => {
      await insertMany(...args);
      throw new Error('connection reset');
    }) as never);
    try {
      const res = await ctx.http.post(`/api/v1/public/campaigns/${org.campaign.slug}/responses`).send({
        submissionId: randomUUID(),
        locale: 'en',
        answers: { overall_satisfaction: SAT[1] },
      });
      expect(res.status).toBe(201);
    } finally {
      spy.mockRestore();
    }
    // A drain counts the entry and removes it before the background write comes round.
    expect(await drainInbox()).toMatchObject({ counted: 1 });
    const deadline = Date.now() + 10_000;
    while (unwrittenInboxEntries() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(unwrittenInboxEntries()).toBe(0);
    expect(await drainInbox()).toMatchObject({ counted: 0 });
    await expectExact(orgs);
  }, 60000);

  it('keeps the answers of a unit whose head could not be moved, and the next drain publishes them', async () => {
    const { orgs, send } = await organisations('head', 7);
    for (const org of orgs) await send(org);
    const first = await drainInbox();
    const failing = { organisationId: orgs[3]!.id, period: first.published[0]!.period };
    for (const org of orgs) {
      await send(org);
      await send(org);
    }
    const failingHead = unitHeadId(failing).toHexString();
    const updateOne = UnitHead.updateOne.bind(UnitHead) as (...args: unknown[]) => unknown;
    const spy = jest
      .spyOn(UnitHead, 'updateOne')
      .mockImplementation(((...args: unknown[]) =>
        String((args[0] as { _id?: unknown })._id) === failingHead
          ? Promise.reject(new Error('head write lost'))
          : updateOne(...args)) as never);
    try {
      await expect(drainInbox()).rejects.toThrow('head write lost');
    } finally {
      spy.mockRestore();
    }
    const tp01 = (org: string) =>
      values().findOne({
        organisationId: new mongoose.Types.ObjectId(org),
        indicatorId: 'TP01',
        segment: '*',
      });
    for (const org of orgs.filter((o) => o.id !== failing.organisationId))
      expect({ org: org.id, n: (await tp01(org.id))?.n }).toEqual({ org: org.id, n: 3 });
    expect((await tp01(failing.organisationId))?.n).toBe(1);
    // Its two answers are counted in a revision but still waiting in the inbox, so the next drain
    // sees the unit: it counts nothing again and publishes what was counted.
    const inbox = mongoose.connection.db!.collection('aggregation_inbox');
    expect(
      await inbox.countDocuments({ organisationId: new mongoose.Types.ObjectId(failing.organisationId) }),
    ).toBe(2);
    expect(await inbox.countDocuments()).toBe(2);
    const next = await drainInbox();
    expect(next).toMatchObject({ counted: 0, units: 1, published: [failing] });
    await expectExact(orgs);
    expect(await drainInbox()).toMatchObject({ counted: 0, units: 0, published: [] });
  }, 180000);
});
