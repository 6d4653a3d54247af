import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import {
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';
import { freePort, spawnApiChild, stopChildren, waitFor, type Child } from '../support/children';

/**
 * The API started as in production (`src/server.ts`, its own process) while Redis is down: it
 * keeps running and stores tenants' answers; readiness names Redis. (A Redis outage after the
 * start is covered in readiness.test.ts and aggregation-resilience.test.ts.)
 */
let ctx: TestContext;
const children: Child[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await stopChildren(children);
  await ctx.close();
});

it('starts and takes answers while Redis is down', async () => {
  const admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'no-redis-town')).adminKey;
  const { campaign } = await createCampaignViaApi(ctx, admin, { template: 'pulse' });
  // Nothing listens on this port: connections are refused, as with a stopped Redis.
  const redisPort = await freePort();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = spawnApiChild(children, ctx, port, { REDIS_URL: `redis://127.0.0.1:${redisPort}` });
  await waitFor('the API', api, async () => ((await fetch(`${url}/healthz`)).status === 200 ? true : null));
  // The rate limiter's scripts fail to load within a second or two of the start; that failure
  // used to end the process.
  await new Promise((r) => setTimeout(r, 5000));
  expect({ exitCode: api.process.exitCode, signal: api.process.signalCode }).toEqual({
    exitCode: null,
    signal: null,
  });

  const ready = await fetch(`${url}/readyz`);
  expect(ready.status).toBe(503);
  const readiness = (await ready.json()) as { error: { details: Array<{ path: string }> } };
  expect(readiness.error.details.map((d) => d.path)).toContain('/redis');

  const submissionId = randomUUID();
  const answer = await fetch(`${url}/api/v1/public/campaigns/${campaign.slug}/responses`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      submissionId,
      locale: 'en',
      answers: { overall_satisfaction: 'fairly_satisfied' },
    }),
  });
  expect(answer.status).toBe(201);
  expect(await mongoose.connection.db!.collection('responses').countDocuments({ submissionId })).toBe(1);
  expect(api.process.exitCode).toBeNull();
}, 90_000);
