import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import { JobName } from '../../src/queue/jobs';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';
import { drain, startTestWorker } from '../support/worker';

/**
 * Answers ask the worker to count them with a drain job. A burst needs one: while the drain this
 * API queued is still due comfortably after an answer is stored, that answer queues nothing more,
 * and the drain still counts every one of them.
 */
const DELAY_MS = 1500;
let ctx: TestContext;
let worker: Worker;
let admin: string;
let slug: string;
/** The drain jobs the API asked for. */
let drains = 0;

beforeAll(async () => {
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: String(DELAY_MS) });
  admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'elblag')).adminKey;
  slug = (await createCampaignViaApi(ctx, admin, { template: 'pulse' })).campaign.slug;
  const queues = ctx.runtime.queues;
  const enqueue = queues.enqueue.bind(queues);
  queues.enqueue = (name, data, extra) => {
    if (name === JobName.drain) drains++;
    return enqueue(name, data, extra);
  };
  worker = startTestWorker(ctx);
});

afterAll(async () => {
  await worker.close();
  await ctx.close();
});

async function answer(): Promise<void> {
  const res = await ctx.http.post(`/api/v1/public/campaigns/${slug}/responses`).send({
    submissionId: randomUUID(),
    locale: 'en',
    answers: { overall_satisfaction: 'very_satisfied', recommend: 9 },
  });
  expect(res.status).toBe(201);
}

async function publishedN(): Promise<number | undefined> {
  const res = await ctx.http.get('/api/v1/indicators?indicator=TP01').set('Authorization', bearer(admin));
  expect(res.status).toBe(200);
  const total = (res.body.items as Array<{ segment: string; n: number }>).find((v) => v.segment === '*');
  return total?.n;
}

it('queues one drain for a burst of answers, and it counts them all', async () => {
  const started = Date.now();
  for (let i = 0; i < 8; i++) await answer();
  // The burst fits well inside the delay; else this test says nothing about skipping.
  expect(Date.now() - started).toBeLessThan(DELAY_MS - 300);
  // The first answer's nudge is still in flight when the second arrives; from then on, none.
  expect(drains).toBeGreaterThanOrEqual(1);
  expect(drains).toBeLessThanOrEqual(2);
  expect(await drain(ctx.runtime.queues.aggregation)).toBe(0);
  expect(await publishedN()).toBe(8);
});

it('nudges again once the queued drain has run, so a later answer is counted too', async () => {
  const before = drains;
  await answer();
  expect(drains).toBe(before + 1);
  expect(await drain(ctx.runtime.queues.aggregation)).toBe(0);
  expect(await publishedN()).toBe(9);
});
