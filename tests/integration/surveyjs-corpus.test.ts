import { randomUUID } from 'node:crypto';
import { Model } from 'survey-core';
import { generateAnswers, loadCorpus, tamperings } from '../support/answer-generator';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';

const corpus = loadCorpus();

let ctx: TestContext;
let admin: string;
const tampered = { choice: 0, unknown: 0, hidden: 0 };

beforeAll(async () => {
  ctx = await createTestContext({ RATE_LIMIT_PER_MINUTE: '1000000' });
  admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'corpus')).adminKey;
});
afterAll(async () => {
  await ctx.close();
});

const submit = (slug: string, answers: Record<string, unknown>, locale: string) =>
  ctx.http
    .post(`/api/v1/public/campaigns/${slug}/responses`)
    .send({ submissionId: randomUUID(), locale, answers });

async function runCase(definition: Record<string, unknown>, hints: Record<string, unknown>, tamper: boolean) {
  const check = await ctx.http
    .post('/api/v1/surveys/validate')
    .set('Authorization', bearer(admin))
    .send({ definition });
  expect({ status: check.status, errors: check.body.error?.details }).toEqual({
    status: 200,
    errors: undefined,
  });

  const { campaign } = await createCampaignViaApi(ctx, admin, { definition });
  const locale = (campaign.languages as string[])[0]!;
  const answers = generateAnswers(definition, hints);
  expect(answers.errors).toEqual([]);
  const ok = await submit(campaign.slug, answers.data, locale);
  expect({ status: ok.status, details: ok.body.error?.details }).toEqual({ status: 201, details: undefined });
  if (!tamper) return;

  const ways = tamperings(definition, answers.data);
  const unknown = await submit(campaign.slug, ways.unknown.answers, locale);
  expect(unknown.status).toBe(422);
  expect(unknown.body.error.details.map((d: { path: string }) => d.path)).toContain(ways.unknown.path);
  tampered.unknown++;

  if (ways.choice) {
    const res = await submit(campaign.slug, ways.choice.answers, locale);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path).join(' ')).toContain(ways.choice.path);
    tampered.choice++;
  }

  if (ways.hidden) {
    const res = await submit(campaign.slug, ways.hidden.answers, locale);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(ways.hidden.path);
    tampered.hidden++;
  }
}

describe('SurveyJS corpus written here', () => {
  it('holds at least 60 definitions', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
  });

  it.each(corpus)('%s validates, runs, is answered; tampered answers are refused', async (_f, c) => {
    await runCase(c.definition, c.hints ?? {}, true);
  });

  it.each(corpus)('%s as survey-core serialises it (toJSON) runs the same way', async (_f, c) => {
    const json = new Model(structuredClone(c.definition)).toJSON() as Record<string, unknown>;
    await runCase(json, c.hints ?? {}, false);
  });

  it('tampered every way at least ten times over the corpus', () => {
    expect(tampered.unknown).toBeGreaterThanOrEqual(corpus.length);
    expect(tampered.choice).toBeGreaterThanOrEqual(10);
    expect(tampered.hidden).toBeGreaterThanOrEqual(10);
  });
});
