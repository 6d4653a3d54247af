import { validateAnswers } from '../../src/modules/responses/answer-validator';
import { checkAnswers, isReusableDefinition, NEEDS_DEFINITION } from '../../src/validation/validation.worker';
import { generateAnswers, loadCorpus, tamperings } from '../support/answer-generator';

/**
 * A pinned version's survey-core model is built once and reused for answer set after answer set.
 * That is only right if a reused model judges exactly as a fresh one: checked here over the whole
 * SurveyJS corpus, with complete, empty, partial and tampered answer sets in changing order.
 */
const files = { fileBytes: 2_000_000, responseBytes: 5_000_000, types: ['image/*', 'application/pdf'] };
const corpus = loadCorpus();

describe('a reused model judges as a fresh one', () => {
  it.each(corpus)('%s', (name, c) => {
    const text = JSON.stringify(c.definition);
    const { data } = generateAnswers(structuredClone(c.definition), c.hints as never);
    const t = tamperings(structuredClone(c.definition), data);
    const keys = Object.keys(data);
    const sets: Array<Record<string, unknown>> = [
      data,
      {},
      t.unknown.answers,
      ...(t.choice ? [t.choice.answers] : []),
      ...(t.hidden ? [t.hidden.answers] : []),
      Object.fromEntries(keys.slice(0, Math.ceil(keys.length / 2)).map((k) => [k, data[k]])),
    ];
    const order = [...sets, ...[...sets].reverse(), ...sets];
    for (const [i, answers] of order.entries()) {
      const fresh = validateAnswers(structuredClone(c.definition), answers, i % 2 ? 'pl' : 'en', files);
      const reused = checkAnswers({ key: name, definition: text, answers, lang: i % 2 ? 'pl' : 'en', files });
      expect([i, reused]).toEqual([i, fresh]);
      // The next check may come without the text: the thread still has the model when it is reusable.
      const again = checkAnswers({ key: name, answers, lang: i % 2 ? 'pl' : 'en', files });
      if (isReusableDefinition(text)) expect([i, again]).toEqual([i, fresh]);
      else expect(again).toBe(NEEDS_DEFINITION);
    }
  });

  it('only definitions with dynamic panels or matrices are rebuilt every time', () => {
    const rebuilt = corpus
      .filter(([, c]) => !isReusableDefinition(JSON.stringify(c.definition)))
      .map(([name]) => name);
    expect(rebuilt.length).toBeGreaterThan(0);
    for (const name of rebuilt) {
      const text = JSON.stringify(corpus.find(([n]) => n === name)![1].definition);
      expect(text).toMatch(/"type":"(paneldynamic|matrixdynamic)"/);
    }
    expect(rebuilt.length).toBeLessThan(corpus.length / 2);
  });
});
