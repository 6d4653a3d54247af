import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILT_IN_INDICATORS } from '../../src/modules/catalogue/catalogue';
import { checkContent, type SurveyContent } from '../../src/modules/surveys/surveys.service';
import type { Template } from '../../src/modules/surveys/templates';

/** One broken survey content and the error a person would need to see to fix it. */
interface BrokenCase {
  description: string;
  content: SurveyContent;
  expect: { path: string; message: string };
}

const catalogue = new Map(BUILT_IN_INDICATORS.map((d) => [d.id, d]));

function readJsonDir<T>(dir: string): Array<[string, T]> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as T]);
}

const fixtures = readJsonDir<BrokenCase>(path.join(__dirname, '../fixtures/broken-definitions'));
const templates = readJsonDir<Template>(path.join(__dirname, '../../surveys'));

describe('broken definition corpus', () => {
  it('holds at least 30 cases, each named NN-kebab-description.json', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    for (const [file] of fixtures) expect(file).toMatch(/^\d{2}-[a-z0-9]+(-[a-z0-9]+)*\.json$/);
  });

  it.each(fixtures)('%s is refused where the fix belongs', async (_file, fixture) => {
    const { errors } = await checkContent(fixture.content, catalogue);
    expect(errors).toContainEqual(
      expect.objectContaining({
        path: fixture.expect.path,
        message: expect.stringContaining(fixture.expect.message),
      }),
    );
  });
});

describe('built-in templates', () => {
  it.each(templates)('%s passes with no errors and lists its questions', async (_file, template) => {
    const { definition, indicatorMapping, languages } = template;
    const { errors, questions } = await checkContent({ definition, indicatorMapping, languages }, catalogue);
    expect(errors).toEqual([]);
    expect(questions.length).toBeGreaterThan(0);
  });
});
