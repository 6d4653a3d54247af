import {
  checkAnswersOffThread,
  closeValidation,
  startValidation,
  validationTasksCompleted,
  validationThreadIds,
} from '../../src/validation/validation-pool';
import { checkAnswersBatch, NEEDS_DEFINITION } from '../../src/validation/validation.worker';
import { tsmDefinition, validTsm } from '../../scripts/tsm-answers';

const definition = JSON.stringify(tsmDefinition());
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

describe('answer checks in batches', () => {
  it('a burst goes to the threads in fewer tasks than checks, each check judged on its own', async () => {
    startValidation();
    const before = validationTasksCompleted();
    const broken = '{"pages": [';
    const settled = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        i === 25
          ? checkAnswersOffThread('broken:1', broken, validTsm(), 'en', files)
          : checkAnswersOffThread(
              'tsm:1',
              definition,
              { ...validTsm(), repair_time: i % 3 ? 'very_satisfied' : 'sometimes' },
              'en',
              files,
            ),
      ),
    );
    // The definition that does not parse fails its own check only.
    expect(settled.map((s) => s.status).filter((s) => s === 'rejected')).toEqual(['rejected']);
    expect(settled[25]!.status).toBe('rejected');
    settled.forEach((s, i) => {
      if (i === 25 || s.status !== 'fulfilled') return;
      expect([i, s.value.errors.map((e) => e.path)]).toEqual([i, i % 3 ? [] : ['/answers/repair_time']]);
    });
    expect(validationTasksCompleted() - before).toBeLessThan(20);
  }, 60000);

  it('the thread function answers every task of a batch in its place', () => {
    const text = definition;
    const outcomes = checkAnswersBatch([
      { key: 'batch:1', definition: text, answers: validTsm(), lang: 'en', files },
      { key: 'batch:2', definition: '[1,', answers: validTsm(), lang: 'en', files },
      { key: 'batch:3', answers: validTsm(), lang: 'en', files },
      { key: 'batch:1', answers: { ...validTsm(), overall_satisfaction: 'never' }, lang: 'pl', files },
    ]);
    expect(outcomes).toHaveLength(4);
    expect(outcomes[0]).toEqual({ errors: [], answers: expect.objectContaining(validTsm()) });
    expect(outcomes[1]).toEqual({ failed: expect.stringMatching(/JSON/) });
    expect(outcomes[2]).toBe(NEEDS_DEFINITION);
    expect(outcomes[3]).toEqual({
      errors: [expect.objectContaining({ path: '/answers/overall_satisfaction' })],
      answers: {},
    });
  });
});

describe('closing the threads', () => {
  it('settles every check still waiting and starts no thread afterwards', async () => {
    startValidation();
    const checks = Array.from({ length: 30 }, () =>
      checkAnswersOffThread('tsm:1', definition, validTsm(), 'en', files),
    );
    const outcomes = Promise.allSettled(checks);
    await closeValidation();
    const settled = await outcomes;
    expect(settled).toHaveLength(30);
    for (const s of settled) {
      if (s.status === 'rejected') continue;
      expect(s.value.errors).toEqual([]);
    }
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);
    expect(validationThreadIds()).toEqual([]);
  }, 60000);
});
