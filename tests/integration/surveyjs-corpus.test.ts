import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Model, type Question } from 'survey-core';
import { generateAnswers, valueFor } from '../support/answer-generator';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';

/** A SurveyJS definition written here to exercise documented features (see its README). */
interface CorpusCase {
  about: string;
  definition: Record<string, unknown>;
  hints?: Record<string, unknown>;
}

const dir = path.join(__dirname, '../fixtures/surveyjs-corpus');
const corpus: Array<[string, CorpusCase]> = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CorpusCase]);

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

const CHOICE = new Set(['radiogroup', 'dropdown', 'checkbox', 'tagbox']);

/** A question skip logic hides under `data`, with a value its type would take. */
function hiddenQuestion(definition: Record<string, unknown>, data: Record<string, unknown>) {
  const model = new Model(definition);
  model.data = data;
  for (const q of model.getAllQuestions(false, false, false) as Question[]) {
    // Hidden by skip logic; a question hidden outright (visible: false) is a hidden field.
    if (q.isVisible && q.isParentVisible) continue;
    if (!q.visible && !q.visibleIf) continue;
    if (
      ['html', 'image', 'expression', 'paneldynamic', 'matrixdynamic', 'matrixdropdown'].includes(q.getType())
    )
      continue;
    if (q.getValueName() in data) continue;
    const value = valueFor(q, {});
    // An empty value is no answer at all (a hidden tag box without choices offers only []).
    if (value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0))
      return { name: q.getValueName(), value };
  }
  return null;
}

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

  const unknown = await submit(campaign.slug, { ...answers.data, no_such_question_here: 'x' }, locale);
  expect(unknown.status).toBe(422);
  expect(unknown.body.error.details.map((d: { path: string }) => d.path)).toContain(
    '/answers/no_such_question_here',
  );
  tampered.unknown++;

  const model = new Model(definition);
  model.data = answers.data;
  // Questions that accept values beyond their choices by design are left out.
  const choice = (model.getAllQuestions(true, false, false) as Question[]).find((q) => {
    const any = q as unknown as Record<string, unknown>;
    return (
      CHOICE.has(q.getType()) &&
      !any.choicesFromQuestion &&
      !any.showOtherItem &&
      !any.allowCustomChoices &&
      !any.choicesLazyLoadEnabled
    );
  });
  if (choice) {
    const name = choice.getValueName();
    const bad = ['checkbox', 'tagbox'].includes(choice.getType()) ? ['not-offered-zz'] : 'not-offered-zz';
    const res = await submit(campaign.slug, { ...answers.data, [name]: bad }, locale);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path).join(' ')).toContain(
      `/answers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    );
    tampered.choice++;
  }

  const hidden = definition.clearInvisibleValues === 'none' ? null : hiddenQuestion(definition, answers.data);
  if (hidden) {
    const res = await submit(campaign.slug, { ...answers.data, [hidden.name]: hidden.value }, locale);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(
      `/answers/${hidden.name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    );
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
