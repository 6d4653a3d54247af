import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import mongoose from 'mongoose';
import supertest from 'supertest';
import { buildApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createApiKey } from '../../src/modules/organisations/api-keys.service';
import { openRuntime, type Runtime } from '../../src/runtime';

/** The servers global-setup started (or the URLs given to the run). */
export function serviceUrls(): { mongodbUri: string; redisUrl: string } {
  const mongodbUri = process.env.TEST_MONGODB_URI;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (!mongodbUri || !redisUrl)
    throw new Error('test services are not running: run the tests with `npm test`');
  return { mongodbUri, redisUrl };
}

/** A MongoDB URI with a database name of its own. */
export function databaseUri(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** One test file's world: its own database and queue prefix on the shared servers. */
export interface TestContext {
  runtime: Runtime;
  app: Express;
  config: Readonly<Config>;
  http: ReturnType<typeof supertest>;
  dbName: string;
  close(): Promise<void>;
}

/** Builds the real app against the real servers, isolated by database name and key prefix. */
export async function createTestContext(env: Record<string, string> = {}): Promise<TestContext> {
  const { mongodbUri, redisUrl } = serviceUrls();
  const id = randomBytes(4).toString('hex');
  const dbName = `test_${id}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PUBLIC_BASE_URL: 'http://survey.test',
    QUEUE_PREFIX: `t${id}`,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    ...env,
  });
  const runtime = await openRuntime(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), {
    mongodbUri: databaseUri(mongodbUri, dbName),
    redisUrl,
  });
  const app = buildApp(runtime);
  return {
    runtime,
    app,
    config,
    http: supertest(app),
    dbName,
    async close() {
      await mongoose.connection.db?.dropDatabase().catch(() => undefined);
      const keys = await runtime.redis.keys(`${config.queuePrefix}:*`).catch(() => [] as string[]);
      if (keys.length) await runtime.redis.del(...keys).catch(() => undefined);
      await runtime.close();
    },
  };
}

/** A platform key made the way the CLI makes it (the API never hands one out). */
export async function createPlatformKey(): Promise<string> {
  return (await createApiKey({ organisationId: null, role: 'platform', label: 'test' })).key;
}

/**
 * Invites a person to an organisation through the API and sets their password with the
 * invitation's token, as opening the link would; returns the person's id.
 */
export async function invitePersonViaApi(
  ctx: TestContext,
  adminKey: string,
  org: string,
  person: { name: string; email: string; role: string },
  password: string,
): Promise<string> {
  const invited = await ctx.http
    .post(`/api/v1/organisations/${org}/people`)
    .set('Authorization', bearer(adminKey))
    .send(person);
  if (invited.status !== 201) throw new Error(`person not invited: ${invited.status} ${invited.text}`);
  const token = new URL(invited.body.invitation.url as string).hash.slice(1);
  const accepted = await ctx.http.post('/api/v1/invitations/accept').send({ token, password });
  if (accepted.status !== 200)
    throw new Error(`invitation not accepted: ${accepted.status} ${accepted.text}`);
  return invited.body.person.id as string;
}

/** Creates an organisation through the API; returns it with its admin key. */
export async function createOrganisationViaApi(
  ctx: TestContext,
  platformKey: string,
  slug: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; slug: string; adminKey: string }> {
  const res = await ctx.http
    .post('/api/v1/organisations')
    .set('Authorization', `Bearer ${platformKey}`)
    .send({ slug, name: `City of ${slug}`, country: 'PL', type: 'city', housingStock: 5000, ...extra });
  if (res.status !== 201) throw new Error(`organisation not created: ${res.status} ${res.text}`);
  return { id: res.body.organisation.id, slug, adminKey: res.body.adminKey.key };
}

/** Issues a key of an organisation through the API. */
export async function issueKeyViaApi(
  ctx: TestContext,
  adminKey: string,
  org: string,
  role: 'admin' | 'analyst' | 'coordinator' | 'interviewer',
) {
  const res = await ctx.http
    .post(`/api/v1/organisations/${org}/api-keys`)
    .set('Authorization', `Bearer ${adminKey}`)
    .send({ role });
  if (res.status !== 201) throw new Error(`key not issued: ${res.status} ${res.text}`);
  return res.body.key as string;
}

/** Authorization header value. */
export const bearer = (key: string) => `Bearer ${key}`;

/** Creates and publishes a survey from a template, then starts a campaign; returns both ids. */
export async function createCampaignViaApi(
  ctx: TestContext,
  adminKey: string,
  opts: {
    template?: string;
    definition?: Record<string, unknown>;
    slug?: string;
    campaign?: Record<string, unknown>;
  } = {},
): Promise<{ surveyId: string; campaign: { id: string; slug: string; url: string; [k: string]: unknown } }> {
  const template = opts.template ?? 'pulse';
  const slug =
    opts.slug ?? `${opts.definition ? 'custom' : template}-${Math.random().toString(36).slice(2, 8)}`;
  const survey = await ctx.http
    .post('/api/v1/surveys')
    .set('Authorization', bearer(adminKey))
    .send(opts.definition ? { slug, definition: opts.definition } : { slug, template });
  if (survey.status !== 201) throw new Error(`survey not created: ${survey.text}`);
  const published = await ctx.http
    .post(`/api/v1/surveys/${survey.body.id}/versions`)
    .set('Authorization', bearer(adminKey));
  if (published.status !== 201) throw new Error(`survey not published: ${published.text}`);
  const campaign = await ctx.http
    .post('/api/v1/campaigns')
    .set('Authorization', bearer(adminKey))
    .send({ surveyId: survey.body.id, period: '2026', ...opts.campaign });
  if (campaign.status !== 201) throw new Error(`campaign not created: ${campaign.text}`);
  return { surveyId: survey.body.id, campaign: campaign.body };
}
