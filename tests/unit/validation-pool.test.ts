import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkAnswersOffThread,
  closeValidation,
  startValidation,
  validationThreadIds,
} from '../../src/validation/validation-pool';
import { validTsm } from '../../scripts/tsm-answers';

const root = path.resolve(__dirname, '../..');
const template = JSON.parse(readFileSync(path.join(root, 'surveys', 'tsm-perception.json'), 'utf8')) as {
  definition: unknown;
};
const definition = JSON.stringify(template.definition);
const files = { fileBytes: 1_000_000, responseBytes: 10_000_000, types: ['image/*'] };

afterAll(async () => {
  await closeValidation();
});

describe('validation threads', () => {
  it('all start with the API and serve a burst of checks without another thread starting', async () => {
    expect(validationThreadIds()).toEqual([]);
    startValidation();
    const started = validationThreadIds();
    expect(started).toHaveLength(2);

    const checks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        checkAnswersOffThread(
          'tsm:1',
          definition,
          { ...validTsm(), overall_satisfaction: i % 2 ? 'very_satisfied' : 'not_a_choice' },
          'en',
          files,
        ),
      ),
    );
    // survey-core judged each one: the valid answers pass, the others name their question.
    expect(checks.filter((c) => c.errors.length === 0)).toHaveLength(10);
    for (const c of checks.filter((c) => c.errors.length))
      expect(c.errors.map((e) => e.path)).toEqual(['/answers/overall_satisfaction']);
    expect(validationThreadIds()).toEqual(started);
  }, 60000);
});
