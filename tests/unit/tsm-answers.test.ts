import { validateAnswers } from '../../src/modules/responses/answer-validator';
import { checkAnswers } from '../../src/validation/validation.worker';
import { tsmAnswerSets, tsmDefinition } from '../../scripts/tsm-answers';

/**
 * The submission benchmark posts these sets: each must be one a tenant could give (survey-core
 * accepts it and keeps every answer), and they must differ as tenants' answers do, or the
 * benchmark measures a check that meets the same answers every time.
 */
const definition = tsmDefinition();
const files = { fileBytes: 1_000_000, responseBytes: 10_000_000, types: ['image/*'] };

describe('TSM answer sets of the submission benchmark', () => {
  const sets = tsmAnswerSets(300);

  it('are each accepted whole by a reused model, which judges them as a fresh one', () => {
    const text = JSON.stringify(definition);
    for (const [i, answers] of sets.entries()) {
      const reused = checkAnswers({ key: 'tsm-sets', definition: text, answers, lang: 'en', files });
      expect([i, reused]).toEqual([i, { errors: [], answers }]);
      if (i % 10 === 0) {
        expect([i, validateAnswers(structuredClone(definition), answers, 'en', files)]).toEqual([i, reused]);
      }
    }
  });

  it('differ as tenants do: skip logic taken both ways, optional questions left out, comments', () => {
    expect(new Set(sets.map((s) => JSON.stringify(s))).size).toBeGreaterThan(290);
    const repaired = sets.filter((s) => s.had_repair === 'yes');
    const notRepaired = sets.filter((s) => s.had_repair === 'no');
    expect(repaired.length).toBeGreaterThan(50);
    expect(notRepaired.length).toBeGreaterThan(50);
    expect(notRepaired.some((s) => 'repairs_overall' in s || 'repair_time' in s)).toBe(false);
    expect(repaired.filter((s) => 'repairs_overall' in s).length).toBeGreaterThan(repaired.length / 2);
    expect(sets.filter((s) => !('home_safe' in s)).length).toBeGreaterThan(20);
    expect(sets.filter((s) => 'comments' in s).length).toBeGreaterThan(20);
    for (const s of sets) expect(s.overall_satisfaction).toEqual(expect.any(String));
  });

  it('are the same for the same seed and differ for another', () => {
    expect(tsmAnswerSets(50)).toEqual(sets.slice(0, 50));
    expect(tsmAnswerSets(50, 7)).not.toEqual(sets.slice(0, 50));
  });
});
