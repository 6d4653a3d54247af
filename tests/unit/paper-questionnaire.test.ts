import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Model, type ItemValue, type Question } from 'survey-core';
import 'survey-core/i18n';
import {
  paperAnswerList,
  paperLayout,
  paperPhrase,
  paperQuestionnairePdf,
  paperQuestionnairesPdf,
  type PaperQuestion,
} from '../../src/modules/paper/questionnaire';
import { listTemplates, type Template } from '../../src/modules/surveys/templates';
import { parsePdf, type ParsedPdf } from '../support/pdf';

const LINK = 'https://ankiety.example.pl/s/k7qxm2pd9a';

/** PDF text without white space: line breaks fall wherever the layout puts them. */
function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

function allText(parsed: ParsedPdf): string {
  return squash(parsed.pages.join(' '));
}

function questions(definition: Record<string, unknown>, lang: string): PaperQuestion[] {
  return paperLayout(definition, lang).filter((item): item is PaperQuestion => item.kind === 'question');
}

/** A text of the definition in `lang`, read from survey-core's localisable string, else the default one. */
function textIn(loc: { getLocaleText(locale: string): string }, lang: string, fallback: string): string {
  return loc.getLocaleText(lang) || loc.getLocaleText('') || fallback;
}

/** What a tenant answers, numbered as printed: every question but html, expressions and images. */
function answeredQuestions(definition: Record<string, unknown>): Question[] {
  return new Model(definition)
    .getAllQuestions(false, false, false)
    .filter((q) => !['html', 'expression', 'image'].includes(q.getType()));
}

/** The first template language, and another one chosen so that the templates together cover several. */
function twoLanguages(template: Template, index: number): [string, string] {
  const [first, ...others] = template.languages;
  return [first!, others[index % others.length] ?? first!];
}

const templateCases = listTemplates().flatMap((template, index) =>
  twoLanguages(template, index).map((lang) => [template.slug, lang, template] as const),
);

describe('built-in templates on paper', () => {
  it('covers every template in surveys/ in two of its languages', () => {
    const files = readdirSync(path.join(__dirname, '../../surveys')).filter((f) => f.endsWith('.json'));
    expect(new Set(templateCases.map(([slug]) => slug)).size).toBe(files.length);
    expect(new Set(templateCases.map(([, lang]) => lang))).toEqual(new Set(['en', 'pl', 'ka', 'uk']));
  });

  it.each(templateCases)(
    '%s in %s prints every numbered title and its routing',
    async (_slug, lang, template) => {
      const definition = template.definition;
      const pdf = await paperQuestionnairePdf({ definition, lang, title: 'Survey', serial: '000042' });
      const parsed = await parsePdf(pdf);
      const text = allText(parsed);

      const asked = answeredQuestions(definition);
      const numberOf = (q: Question) => asked.indexOf(q) + 1;
      const choiceText = (item: ItemValue) => textIn(item.locText, lang, String(item.value));
      for (const q of asked) {
        expect(text).toContain(squash(`${numberOf(q)}. ${textIn(q.locTitle, lang, q.name)}`));
      }

      // The templates' skip logic: "{source} = 'value'" on a single-answer question.
      const conditionOf = (q: Question) => /^\{(\w+)\} = '(\w+)'$/.exec(q.visibleIf ?? '');
      const expected: string[] = [];
      for (const q of asked.filter((candidate) => candidate.visibleIf)) {
        const [, sourceName, value] = conditionOf(q) ?? [];
        expect(sourceName).toBeDefined();
        const source = asked.find((candidate) => candidate.name === sourceName)!;
        const chosen = (source as unknown as { choices: ItemValue[] }).choices.find(
          (c) => c.value === value,
        )!;
        expected.push(
          paperPhrase(lang, 'onlyIf', {
            m: numberOf(source),
            answer: paperAnswerList(lang, [choiceText(chosen)]),
          }),
        );
      }
      for (const source of asked) {
        const dependants = asked.filter((q) => conditionOf(q)?.[1] === source.name);
        if (dependants.length === 0) continue;
        const shownFor = new Set(dependants.map((q) => conditionOf(q)![2]));
        // Skip to the first question after the source that the other answers do not hide.
        let next = asked.indexOf(source) + 1;
        while (next < asked.length && dependants.includes(asked[next]!)) next++;
        const others = (source as unknown as { choices: ItemValue[] }).choices.filter(
          (c) => !shownFor.has(c.value),
        );
        const answer = paperAnswerList(lang, others.map(choiceText));
        expected.push(
          next < asked.length
            ? paperPhrase(lang, 'goTo', { answer, n: next + 1 })
            : paperPhrase(lang, 'goToEnd', { answer }),
        );
      }
      for (const line of expected) expect(text).toContain(squash(line));
    },
  );
});

/** q1 yes/no, q2 only after "no", q3 for everyone, q4 on a condition too complex to print. */
const SKIP_SURVEY = {
  pages: [
    {
      name: 'one',
      elements: [
        {
          type: 'radiogroup',
          name: 'q1',
          title: { default: 'Do you have a balcony?', pl: 'Czy ma Pan/Pani balkon?' },
          choices: [
            { value: 'yes', text: { default: 'Yes', pl: 'Tak' } },
            { value: 'no', text: { default: 'No', pl: 'Nie' } },
          ],
        },
        {
          type: 'comment',
          name: 'q2',
          title: { default: 'Would you like one?', pl: 'Czy chciałby Pan/chciałaby Pani go mieć?' },
          visibleIf: "{q1} = 'no'",
        },
        {
          type: 'checkbox',
          name: 'q3',
          title: { default: 'What do you grow?', pl: 'Co Pan/Pani uprawia?' },
          choices: [
            { value: 'flowers', text: { default: 'Flowers', pl: 'Kwiaty' } },
            { value: 'herbs', text: { default: 'Herbs', pl: 'Zioła' } },
          ],
        },
        {
          type: 'comment',
          name: 'q4',
          title: { default: 'Tell us more', pl: 'Prosimy o więcej szczegółów' },
          visibleIf: "{q3} contains 'herbs' or {q1} = 'yes'",
        },
      ],
    },
  ],
};

describe('routing written out from skip logic', () => {
  it.each([
    [
      'en',
      'If “Yes”, go to question 3',
      'Answer only if you answered “No” to question 1',
      'Answer only if it applies to you',
    ],
    [
      'pl',
      'Jeśli „Tak”, przejdź do pytania 3',
      'Odpowiedz tylko, jeśli w pytaniu 1 zaznaczono „Nie”',
      'Proszę odpowiedzieć tylko, jeśli to Pana/Pani dotyczy',
    ],
  ])('prints the skip and the conditions in %s', async (lang, skip, onlyIf, fallback) => {
    const layout = questions(SKIP_SURVEY, lang);
    expect(layout.map((q) => [q.number, q.name])).toEqual([
      [1, 'q1'],
      [2, 'q2'],
      [3, 'q3'],
      [4, 'q4'],
    ]);
    expect(layout[0]!.skips).toEqual([{ answers: [lang === 'pl' ? 'Tak' : 'Yes'], to: 3, text: skip }]);
    expect(layout[1]!.condition).toEqual({ on: 1, text: onlyIf });
    expect(layout[2]!.condition).toBeNull();
    expect(layout[3]!.condition).toEqual({ on: null, text: fallback });

    const parsed = await parsePdf(
      await paperQuestionnairePdf({ definition: SKIP_SURVEY, lang, title: 'Balkony' }),
    );
    const text = allText(parsed);
    expect(text).toContain(squash(skip));
    expect(text).toContain(squash(onlyIf));
    expect(text).toContain(squash(fallback));
  });

  const routed = (elements: unknown[], lang = 'en') => questions({ elements }, lang);
  const yesNo = (name: string) => ({ type: 'radiogroup', name, choices: ['yes', 'no', 'maybe'] });

  it('reads =, ==, !=, anyof and noneof on a single-answer question', () => {
    const layout = routed([
      yesNo('a'),
      { type: 'text', name: 'b', visibleIf: "{a} == 'yes'" },
      { type: 'text', name: 'c', visibleIf: "{a} != 'no'" },
      { type: 'text', name: 'd', visibleIf: "{a} anyof ['no', 'maybe']" },
      { type: 'text', name: 'e', visibleIf: "{a} noneof ['yes']" },
    ]);
    expect(layout.slice(1).map((q) => q.condition?.text)).toEqual([
      'Answer only if you answered “yes” to question 1',
      'Answer only if you answered “yes” or “maybe” to question 1',
      'Answer only if you answered “no” or “maybe” to question 1',
      'Answer only if you answered “no” or “maybe” to question 1',
    ]);
    // "maybe" hides b only; "no" hides b and c; "yes" goes straight on.
    expect(layout[0]!.skips.map((s) => s.text)).toEqual([
      'If “maybe”, go to question 3',
      'If “no”, go to question 4',
    ]);
  });

  it('reads a boolean, a rating compared with a number, and a page condition that skips to the end', () => {
    const layout = questions(
      {
        pages: [
          {
            elements: [
              { type: 'boolean', name: 'lift', title: 'Is there a lift?' },
              { type: 'rating', name: 'lift_score', visibleIf: '{lift} = true', rateMin: 1, rateMax: 5 },
              { type: 'comment', name: 'why', visibleIf: '{lift_score} < 3' },
            ],
          },
          {
            visibleIf: '{lift} = false',
            elements: [
              { type: 'text', name: 'stairs' },
              { type: 'text', name: 'floor' },
            ],
          },
        ],
      },
      'en',
    );
    expect(layout.map((q) => q.condition?.text ?? null)).toEqual([
      null,
      'Answer only if you answered “Yes” to question 1',
      'Answer only if you answered “1” or “2” to question 2',
      'Answer only if you answered “No” to question 1',
      'Answer only if you answered “No” to question 1',
    ]);
    // "No" hides the rating and, with it unanswered, the question about a low rating.
    expect(layout[0]!.skips.map((s) => s.text)).toEqual(['If “No”, go to question 4']);
    expect(layout[1]!.skips.map((s) => s.text)).toEqual(['If “3”, “4” or “5”, go to question 4']);
    expect(layout.slice(2).flatMap((q) => q.skips)).toEqual([]);
    const tail = questions(
      {
        elements: [
          { type: 'boolean', name: 'lift' },
          { type: 'text', name: 'stairs', visibleIf: '{lift} = false' },
        ],
      },
      'pl',
    );
    expect(tail[0]!.skips.map((s) => s.text)).toEqual(['Jeśli „Tak”, przejdź na koniec ankiety']);
  });

  it('reads notempty, number comparisons, and "contains" on a multiple-answer question', () => {
    const layout = routed([
      { type: 'text', name: 'people', inputType: 'number' },
      { type: 'text', name: 'children', visibleIf: '{people} >= 2' },
      { type: 'text', name: 'rooms' },
      { type: 'comment', name: 'rooms_note', visibleIf: '{rooms} notempty' },
      { type: 'checkbox', name: 'pets', choices: ['cat', 'dog', 'fish'] },
      { type: 'text', name: 'walks', visibleIf: "{pets} contains 'dog'" },
    ]);
    expect(layout.map((q) => q.condition?.text ?? null)).toEqual([
      null,
      'Answer only if your answer to question 1 was 2 or more',
      null,
      'Answer only if you answered question 3',
      null,
      'Answer only if you answered “dog” to question 5',
    ]);
    expect(layout[0]!.skips.map((s) => s.text)).toEqual(['If less than 2, go to question 3']);
  });

  it.each([
    ['several questions', "{a} = 'yes' and {b} = 'x'"],
    ['a function', 'age({a}) > 18'],
    ['an "or" across questions', "{a} = 'yes' or {b} notempty"],
    ['a later question', "{z} = 'yes'"],
    ['a calculated value', '{total} > 3'],
    ['"allof" on a checkbox', "{c} allof ['x', 'y']"],
    ['a row of a matrix', "{m.r1} = 'good'"],
  ])('falls back to "Answer only if it applies to you" for %s', (_label, condition) => {
    const layout = routed([
      yesNo('a'),
      { type: 'text', name: 'b' },
      { type: 'checkbox', name: 'c', choices: ['x', 'y'] },
      { type: 'matrix', name: 'm', rows: ['r1'], columns: ['good', 'bad'] },
      { type: 'text', name: 'target', visibleIf: condition },
      yesNo('z'),
    ]);
    expect(layout[4]!.condition).toEqual({ on: null, text: 'Answer only if it applies to you' });
    expect(layout.flatMap((q) => q.skips)).toEqual([]);
  });
});

describe('answer areas', () => {
  const grid = {
    title: 'Services',
    elements: [
      {
        type: 'matrix',
        name: 'services',
        title: 'How satisfied are you with each service?',
        columns: [
          'Very satisfied',
          'Fairly satisfied',
          'Neither satisfied nor dissatisfied',
          'Fairly dissatisfied',
          'Very dissatisfied',
          'Not applicable to my building',
          'Don’t know',
          'Prefer not to say',
        ],
        rows: [
          'Cleaning of the stairwell',
          'Repairs to the lift, the entry phone and the main door',
          'Snow clearing',
        ],
      },
      {
        type: 'matrix',
        name: 'short',
        title: 'Rate the caretaker',
        columns: ['Good', 'Fair', 'Poor'],
        rows: ['Friendliness', 'Reliability'],
      },
      {
        type: 'checkbox',
        name: 'channels',
        title: 'How would you like to hear from us?',
        choices: ['Letter', 'E-mail', 'Text message', 'Notice board'],
        showOtherItem: true,
      },
    ],
  };
  let text: string;

  beforeAll(async () => {
    text = allText(
      await parsePdf(await paperQuestionnairePdf({ definition: grid, lang: 'en', title: 'Services' })),
    );
  });

  it('draws a matrix as a grid with every row and column text', () => {
    const [services, short] = questions(grid, 'en');
    expect(services!.answer).toBe('grid');
    expect(services!.grid!.cells).toEqual(Array(8).fill('box'));
    expect(text).toContain(squash('Tick one box in each row'));
    for (const matrix of grid.elements.slice(0, 2)) {
      for (const label of [...matrix.rows!, ...matrix.columns!]) expect(text).toContain(squash(label));
    }
    expect(short!.grid).toEqual({
      rows: ['Friendliness', 'Reliability'],
      columns: ['Good', 'Fair', 'Poor'],
      cells: ['box', 'box', 'box'],
      onePerRow: true,
    });
  });

  it('asks to tick all that apply on a checkbox question, with a line for "other"', () => {
    const channels = questions(grid, 'en')[2]!;
    expect(channels.answer).toBe('tick-all');
    expect(channels.choices.map((c) => [c.text, c.writeIn])).toEqual([
      ['Letter', false],
      ['E-mail', false],
      ['Text message', false],
      ['Notice board', false],
      ['Other (describe)', true],
    ]);
    expect(text).toContain('Tickallthatapply');
    expect(text).toContain('Other(describe)');
  });

  it('gives each question type a sensible area and numbers only what a tenant answers', () => {
    const layout = paperLayout(
      {
        elements: [
          { type: 'html', name: 'intro', html: '<p>Please answer <b>every</b> question.</p>' },
          { type: 'text', name: 'age', inputType: 'number' },
          { type: 'comment', name: 'note', rows: 5 },
          { type: 'expression', name: 'calc', expression: '1 + 1' },
          { type: 'dropdown', name: 'floor', choices: ['0', '1', '2'] },
          { type: 'tagbox', name: 'issues', choices: ['noise', 'damp'] },
          { type: 'ranking', name: 'order', choices: ['a', 'b'] },
          { type: 'multipletext', name: 'contact', items: [{ name: 'phone', title: 'Phone' }] },
          { type: 'matrixdynamic', name: 'people', columns: [{ name: 'name', title: 'Name' }], rowCount: 1 },
          {
            type: 'paneldynamic',
            name: 'pets',
            templateElements: [{ type: 'text', name: 'kind', title: 'Kind' }],
          },
          { type: 'text', name: 'hidden', visible: false },
        ],
      },
      'en',
    );
    expect(layout[0]).toEqual({ kind: 'text', text: 'Please answer every question.' });
    const printed = layout.filter((i): i is PaperQuestion => i.kind === 'question');
    expect(printed.map((q) => [q.number, q.name, q.answer, q.instruction])).toEqual([
      [1, 'age', 'number', 'Write a number'],
      [2, 'note', 'write', 'Write your answer'],
      [3, 'floor', 'tick-one', 'Tick one box'],
      [4, 'issues', 'tick-all', 'Tick all that apply'],
      [5, 'order', 'rank', 'Number the boxes in order: 1 for the first'],
      [6, 'contact', 'write', 'Write your answer'],
      [7, 'people', 'grid', 'Write your answers in the table'],
      [8, 'pets', 'grid', 'Write your answers in the table'],
    ]);
    expect(printed[1]!.lines).toBe(5);
    expect(printed[5]!.fields).toEqual(['Phone']);
    expect(printed[6]!.grid).toMatchObject({ rows: ['1', '2', '3'], columns: ['Name'], cells: ['write'] });
    expect(printed[7]!.grid).toMatchObject({ rows: ['1', '2', '3'], columns: ['Kind'] });
  });
});

describe('page one, serial numbers and batches', () => {
  const pulse = listTemplates().find((t) => t.slug === 'pulse')!;
  const perception = listTemplates().find((t) => t.slug === 'tsm-perception')!;

  it('prints the dwelling code and the link on page one, the serial on every page, and a QR code of the link', async () => {
    const pdf = await paperQuestionnairePdf({
      definition: perception.definition,
      lang: 'pl',
      title: 'Badanie satysfakcji najemców',
      url: LINK,
      dwellingCode: 'KQ7M-2PDA',
      serial: '000123',
    });
    const parsed = await parsePdf(pdf);

    expect(parsed.title).toBe('Badanie satysfakcji najemców');
    expect(parsed.total).toBeGreaterThan(1);
    expect(parsed.pages[0]).toContain('Kod osobisty: KQ7M-2PDA');
    expect(parsed.pages[0]).toContain(LINK);
    expect(parsed.pages[0]).toContain('Zeskanuj, aby odpowiedzieć przez internet');
    expect(parsed.qrCodes[0]).toBe(LINK);
    parsed.pages.forEach((page, index) => {
      expect(page).toContain('Nr formularza 000123');
      expect(page).toContain(`Strona ${index + 1} z ${parsed.total}`);
    });
    expect(parsed.pages.at(-1)).toContain('Dziękujemy');
  });

  it('prints several forms in one PDF, each from a new page with its own code, serial and page numbers', async () => {
    const single = await parsePdf(
      await paperQuestionnairePdf({ definition: pulse.definition, lang: 'uk', title: 'Опитування' }),
    );
    const batch = await parsePdf(
      await paperQuestionnairesPdf(
        { definition: pulse.definition, lang: 'uk', title: 'Опитування', url: LINK },
        [
          { serial: 'A-001', dwellingCode: 'CODE-ONE' },
          { serial: 'A-002', dwellingCode: 'CODE-TWO', url: `${LINK}?t=personal` },
        ],
      ),
    );
    const perForm = single.total;

    expect(batch.total).toBe(2 * perForm);
    expect(batch.pages[0]).toContain('Ваш код: CODE-ONE');
    expect(batch.pages[perForm]).toContain('Ваш код: CODE-TWO');
    expect(batch.pages[perForm]).not.toContain('CODE-ONE');
    expect(batch.qrCodes[0]).toBe(LINK);
    expect(batch.qrCodes[perForm]).toBe(`${LINK}?t=personal`);
    batch.pages.forEach((page, index) => {
      const form = index < perForm ? 'A-001' : 'A-002';
      expect(page).toContain(`№ анкети ${form}`);
      expect(page).toContain(`Сторінка ${(index % perForm) + 1} з ${perForm}`);
    });
  });

  it('prints large print on more pages than normal print', async () => {
    const input = { definition: perception.definition, lang: 'en', title: 'Tenant survey' };
    const normal = await parsePdf(await paperQuestionnairePdf(input));
    const large = await parsePdf(await paperQuestionnairePdf({ ...input, largePrint: true }));

    expect(large.total).toBeGreaterThan(normal.total);
    expect(allText(large)).toContain(
      squash(textIn(answeredQuestions(perception.definition)[0]!.locTitle, 'en', '')),
    );
  });
});

describe('SurveyJS corpus', () => {
  const dir = path.join(__dirname, '../fixtures/surveyjs-corpus');
  const corpus = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map(
      (f) =>
        [
          f,
          JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { definition: Record<string, unknown> },
        ] as const,
    );

  it.each(corpus)(
    '%s lays out with consecutive numbers and routing to later questions only',
    (_file, { definition }) => {
      const layout = questions(definition, 'en');
      expect(layout.map((q) => q.number)).toEqual(layout.map((_, i) => i + 1));
      for (const q of layout) {
        expect(q.title).not.toBe('');
        if (q.condition?.on) expect(q.condition.on).toBeLessThan(q.number);
        for (const skip of q.skips) if (skip.to !== null) expect(skip.to).toBeGreaterThan(q.number + 1);
      }
    },
  );
});
