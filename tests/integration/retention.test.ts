import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import mongoose from 'mongoose';
import { JobName } from '../../src/queue/jobs';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';
import { expectDocumentedAt } from '../support/contract';
import { drain, startTestWorker } from '../support/worker';

/**
 * Retention on real servers: raw responses of a period older than the organisation's setting are
 * deleted by the daily job, while its indicator values, weighted figures and campaign counts stay,
 * also through a full rebuild; recent periods are untouched.
 */
let ctx: TestContext;
let worker: Worker;
let admin: string;
let old: { id: string; slug: string };
let recent: { id: string; slug: string };

const responses = () => mongoose.connection.db!.collection('responses');
const answer = (i: number) => ({
  overall_satisfaction: i % 3 ? 'fairly_satisfied' : 'very_dissatisfied',
  recommend: i % 11,
});

async function values(period: string) {
  const res = await ctx.http.get(`/api/v1/indicators?period=${period}`).set('Authorization', bearer(admin));
  return (res.body.items as Array<Record<string, unknown>>).map(({ computedAt: _c, ...v }) => v);
}

beforeAll(async () => {
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: '50' });
  worker = startTestWorker(ctx);
  admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'elblag', { housingStock: 4000 }))
    .adminKey;
  old = (await createCampaignViaApi(ctx, admin, { template: 'pulse', campaign: { period: '2024' } }))
    .campaign;
  recent = (await createCampaignViaApi(ctx, admin, { template: 'pulse', campaign: { period: '2026' } }))
    .campaign;
  for (let i = 0; i < 14; i++) {
    const slug = i < 10 ? old.slug : recent.slug;
    const res = await ctx.http
      .post(`/api/v1/public/campaigns/${slug}/responses`)
      .send({ submissionId: randomUUID(), locale: 'en', answers: answer(i) });
    expect(res.status).toBe(201);
  }
  for (let i = 0; i < 4; i++) {
    const res = await ctx.http
      .post(`/api/v1/campaigns/${old.id}/entries`)
      .set('Authorization', bearer(admin))
      .send({ mode: 'telephone', submissionId: randomUUID(), locale: 'en', answers: answer(i + 1) });
    expect(res.status).toBe(201);
  }
  await ctx.http
    .put('/api/v1/organisations/elblag/margins/2024')
    .set('Authorization', bearer(admin))
    .send({ variables: { mode: { online: 3000, telephone: 1000 } } });
  await drain(ctx.runtime.queues.aggregation);
}, 120_000);

afterAll(async () => {
  await worker.close();
  await ctx.close();
});

it('is a setting admins change, audited', async () => {
  const path = '/api/v1/organisations/elblag/retention';
  const before = await ctx.http.get(path).set('Authorization', bearer(admin));
  await expectDocumentedAt(ctx, before, 'get', path);
  expect(before.body.months).toBeNull();
  const bad = await ctx.http.put(path).set('Authorization', bearer(admin)).send({ months: 0 });
  expect(bad.status).toBe(422);
  const set = await ctx.http.put(path).set('Authorization', bearer(admin)).send({ months: 12 });
  await expectDocumentedAt(ctx, set, 'put', path);
  expect(set.body.months).toBe(12);
  const log = await ctx.http
    .get('/api/v1/organisations/elblag/audit?action=organisation.retention-changed')
    .set('Authorization', bearer(admin));
  expect(log.body.items).toHaveLength(1);
  expect(log.body.items[0]).toMatchObject({ before: { months: null }, after: { months: 12 } });
});

it('deletes old periods’ responses and keeps their values, also through a rebuild', async () => {
  const valuesBefore = await values('2024');
  const total = valuesBefore.find((v) => v.indicator === 'TP01' && v.segment === '*')!;
  expect(total.n).toBe(14);
  expect(total.weighted).toMatchObject({ status: 'weighted', variables: ['mode'] });
  const recentBefore = await values('2026');
  const campaignBefore = await ctx.http
    .get(`/api/v1/campaigns/${old.id}`)
    .set('Authorization', bearer(admin));

  // The 2024 answers are two years old; the 2026 ones are new.
  const twoYearsAgo = new Date(Date.now() - 730 * 24 * 3600 * 1000);
  await responses().updateMany({ period: '2024' }, { $set: { completedAt: twoYearsAgo } });
  await ctx.runtime.queues.enqueue(JobName.retention, {});
  await drain(ctx.runtime.queues.aggregation);

  expect(await responses().countDocuments({ period: '2024' })).toBe(0);
  expect(await responses().countDocuments({ period: '2026' })).toBe(4);
  expect(await values('2024')).toEqual(valuesBefore);
  const campaignAfter = await ctx.http.get(`/api/v1/campaigns/${old.id}`).set('Authorization', bearer(admin));
  expect(campaignAfter.body.counts).toEqual(campaignBefore.body.counts);
  const log = await ctx.http
    .get('/api/v1/organisations/elblag/audit?action=responses.purged')
    .set('Authorization', bearer(admin));
  expect(log.body.items).toEqual([
    expect.objectContaining({
      resource: { type: 'period', id: '2024' },
      after: expect.objectContaining({ responses: 14 }),
    }),
  ]);

  // The nightly rebuild recounts from the responses: the archived period keeps its counts.
  await ctx.runtime.queues.enqueue(JobName.fullRebuild, {});
  await drain(ctx.runtime.queues.aggregation);
  expect(await values('2024')).toEqual(valuesBefore);
  expect(await values('2026')).toEqual(recentBefore);
  // Running again finds nothing more to delete.
  await ctx.runtime.queues.enqueue(JobName.retention, {});
  await drain(ctx.runtime.queues.aggregation);
  expect(await responses().countDocuments({ period: '2026' })).toBe(4);
});

it('settles a claim that still names its response before the response is deleted', async () => {
  // A place under a response limit whose claim still names its response, as claims taken before
  // claims were settled on storing do: the daily job must settle it, not take the deleted response
  // for an answer never stored and give the place back later.
  const limited = (
    await createCampaignViaApi(ctx, admin, {
      template: 'pulse',
      campaign: { period: '2023', responseLimit: 3 },
    })
  ).campaign;
  const res = await ctx.http
    .post(`/api/v1/public/campaigns/${limited.slug}/responses`)
    .send({ submissionId: randomUUID(), locale: 'en', answers: answer(1) });
  expect(res.status).toBe(201);
  await drain(ctx.runtime.queues.aggregation);
  const claims = mongoose.connection.db!.collection('campaign_claims');
  const place = { campaignId: new mongoose.Types.ObjectId(limited.id), kind: 'slot' };
  expect(await claims.countDocuments(place)).toBe(1);
  await claims.updateOne(place, { $set: { holder: new mongoose.Types.ObjectId(res.body.id as string) } });

  const threeYearsAgo = new Date(Date.now() - 1095 * 24 * 3600 * 1000);
  await responses().updateMany({ period: '2023' }, { $set: { completedAt: threeYearsAgo } });
  await ctx.runtime.queues.enqueue(JobName.retention, {});
  await drain(ctx.runtime.queues.aggregation);

  expect(await responses().countDocuments({ period: '2023' })).toBe(0);
  const after = await claims.find(place).toArray();
  expect(after).toEqual([expect.objectContaining({ holder: null, unstoredSince: null })]);
});
