import {
  completeEntries,
  keptValueMap,
  landing,
  listTargets,
  mappingWarnings,
  parseMapping,
  targetKey,
  type Indicator,
} from '../../console/pages/admin/mapping-model';

const SATISFACTION = [
  'very_satisfied',
  'fairly_satisfied',
  'neither',
  'fairly_dissatisfied',
  'very_dissatisfied',
];

const catalogue = new Map<string, Indicator>([
  [
    'TP01',
    {
      id: 'TP01',
      title: { default: 'Overall satisfaction' },
      kind: 'share',
      scale: SATISFACTION,
      positive: SATISFACTION.slice(0, 2),
      excluded: ['dont_know', 'not_applicable'],
    },
  ],
  [
    'TP02',
    {
      id: 'TP02',
      title: { default: 'Repairs' },
      kind: 'share',
      scale: SATISFACTION,
      positive: SATISFACTION.slice(0, 2),
      excluded: ['dont_know', 'not_applicable'],
    },
  ],
  [
    'CSAT',
    {
      id: 'CSAT',
      title: { default: 'CSAT' },
      kind: 'share',
      scale: [5, 4, 3, 2, 1],
      positive: [5, 4],
      excluded: ['dont_know', 'not_applicable'],
    },
  ],
  [
    'NPS',
    {
      id: 'NPS',
      title: { default: 'NPS' },
      kind: 'nps',
      scale: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
      positive: [10, 9],
      excluded: ['dont_know', 'not_applicable'],
    },
  ],
]);

const definition = {
  locale: 'en',
  pages: [
    {
      name: 'p1',
      elements: [
        {
          type: 'radiogroup',
          name: 'overall',
          title: { default: 'How satisfied are you overall?', pl: 'Jak bardzo jesteś zadowolony?' },
          choices: [
            { value: 'very_satisfied', text: 'Very satisfied' },
            { value: 'fairly_satisfied', text: 'Fairly satisfied' },
            { value: 'neither', text: 'Neither' },
            { value: 'fairly_dissatisfied', text: 'Fairly dissatisfied' },
            { value: 'very_dissatisfied', text: 'Very dissatisfied' },
          ],
          showDontKnowItem: true,
        },
        { type: 'rating', name: 'stars', title: 'Stars', rateMin: 1, rateMax: 5 },
        { type: 'comment', name: 'why' },
        { type: 'checkbox', name: 'topics', choices: ['a', 'b'] },
        {
          type: 'panel',
          name: 'inner',
          elements: [{ type: 'boolean', name: 'safe', title: 'Do you feel safe?' }],
        },
      ],
    },
    {
      name: 'p2',
      elements: [
        {
          type: 'matrix',
          name: 'grid',
          title: 'Services',
          columns: [
            { value: 'good', text: 'Good' },
            { value: 'bad', text: 'Bad' },
          ],
          rows: [
            { value: 'repairs', text: 'Repairs' },
            { value: 'cleaning', text: 'Cleaning' },
          ],
        },
        { type: 'text', name: 'age', inputType: 'number' },
        { type: 'text', name: 'email', inputType: 'email' },
        {
          type: 'multipletext',
          name: 'counts',
          items: [{ name: 'adults', inputType: 'number' }, { name: 'note' }],
        },
      ],
    },
  ],
};

describe('listing what can measure an indicator', () => {
  const targets = listTargets(definition);

  it('lists single-answer questions, grid rows and numeric inputs in survey order, and nothing else', () => {
    expect(targets.map((t) => [t.question, t.row ?? t.item ?? null])).toEqual([
      ['overall', null],
      ['stars', null],
      ['safe', null],
      ['grid', 'repairs'],
      ['grid', 'cleaning'],
      ['age', null],
      ['counts', 'adults'],
    ]);
  });

  it('gives each its answers: choices with the extra items, rating values, grid columns', () => {
    const overall = targets.find((t) => t.question === 'overall')!;
    expect(overall.values!.map((v) => v.value)).toEqual([...SATISFACTION, 'dontknow']);
    expect(overall.values![0]).toEqual({ value: 'very_satisfied', text: 'Very satisfied' });
    expect(targets.find((t) => t.question === 'stars')!.values!.map((v) => v.value)).toEqual([1, 2, 3, 4, 5]);
    expect(targets.find((t) => t.question === 'safe')!.values!.map((v) => v.value)).toEqual([true, false]);
    const repairs = targets.find((t) => t.row === 'repairs')!;
    expect(repairs.part).toBe('Repairs');
    expect(repairs.values!.map((v) => v.value)).toEqual(['good', 'bad']);
    expect(targets.find((t) => t.question === 'age')!.values).toBeNull();
  });

  it('reads titles in the requested language', () => {
    expect(listTargets(definition, 'pl')[0]!.title).toBe('Jak bardzo jesteś zadowolony?');
    expect(listTargets(definition)[0]!.title).toBe('How satisfied are you overall?');
  });

  it('has nothing for what is not a definition', () => {
    expect(listTargets(null)).toEqual([]);
    expect(listTargets('text')).toEqual([]);
    expect(listTargets({})).toEqual([]);
  });

  it('keys a grid row the same whether the row is written as a number or as text', () => {
    expect(targetKey({ question: 'grid', row: 1 })).toBe(targetKey({ question: 'grid', row: '1' }));
    expect(targetKey({ question: 'grid', row: 1 })).not.toBe(targetKey({ question: 'grid' }));
  });
});

describe('mapping warnings', () => {
  const targets = listTargets(definition);

  it('has none for a mapping where every answer lands', () => {
    const mapping = parseMapping([
      { indicator: 'TP01', question: 'overall', valueMap: { dontknow: 'dont_know' } },
      { indicator: 'CSAT', question: 'stars' },
    ]);
    expect(mappingWarnings(mapping, targets, catalogue)).toEqual([]);
  });

  it('names each answer of a mapped question that lands nowhere', () => {
    const mapping = parseMapping([
      { indicator: 'TP02', question: 'grid', row: 'repairs', valueMap: { good: 'very_satisfied' } },
    ]);
    expect(mappingWarnings(mapping, targets, catalogue)).toEqual([
      {
        kind: 'unmappedAnswer',
        entry: 1,
        question: 'Services – Repairs',
        answer: 'Bad (bad)',
        indicator: 'TP02',
      },
    ]);
  });

  it('names the don’t-know item when it is not mapped to an excluded answer', () => {
    const warnings = mappingWarnings(
      parseMapping([{ indicator: 'TP01', question: 'overall' }]),
      targets,
      catalogue,
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      kind: 'unmappedAnswer',
      answer: expect.stringContaining('dontknow'),
    });
  });

  it('finds questions that are no longer in the definition, and rows that are gone', () => {
    const mapping = parseMapping([
      { indicator: 'TP01', question: 'removed' },
      { indicator: 'TP02', question: 'grid', row: 'lifts' },
    ]);
    expect(mappingWarnings(mapping, targets, catalogue)).toEqual([
      { kind: 'missingQuestion', entry: 1, question: 'removed' },
      { kind: 'missingQuestion', entry: 2, question: 'grid – lifts' },
    ]);
  });

  it('finds an indicator mapped twice, naming the entry that measures it first', () => {
    const mapping = parseMapping([
      { indicator: 'CSAT', question: 'stars' },
      { indicator: 'CSAT', question: 'stars' },
    ]);
    expect(mappingWarnings(mapping, targets, catalogue)).toEqual([
      { kind: 'duplicateIndicator', entry: 2, indicator: 'CSAT', first: 1 },
    ]);
  });

  it('finds unfinished entries, unknown indicators, unfit question types and stale or off-scale value maps', () => {
    const mapping = parseMapping([
      { indicator: '', question: 'stars' },
      { indicator: 'TP99', question: 'stars' },
      { indicator: 'NPS', question: 'safe' },
      { indicator: 'TP01', question: 'age' },
      { indicator: 'CSAT', question: 'stars', valueMap: { '7': 5, '1': 'awful' } },
    ]);
    expect(mappingWarnings(mapping, targets, catalogue)).toEqual([
      { kind: 'incomplete', entry: 1 },
      { kind: 'unknownIndicator', entry: 2, indicator: 'TP99' },
      { kind: 'typeMismatch', entry: 3, type: 'boolean', indicatorKind: 'nps' },
      { kind: 'typeMismatch', entry: 4, type: 'text', indicatorKind: 'share' },
      { kind: 'staleAnswer', entry: 5, answer: '7' },
      { kind: 'notOnScale', entry: 5, value: 'awful', indicator: 'CSAT' },
      { kind: 'unmappedAnswer', entry: 5, question: 'Stars', answer: '1', indicator: 'CSAT' },
    ]);
  });

  it('runs the checks that need no catalogue before the catalogue is loaded', () => {
    const mapping = parseMapping([
      { indicator: 'TP01', question: 'gone' },
      { indicator: 'TP01', question: 'overall' },
      { indicator: 'TP01', question: 'overall' },
    ]);
    expect(mappingWarnings(mapping, targets, null).map((w) => w.kind)).toEqual([
      'missingQuestion',
      'duplicateIndicator',
    ]);
  });
});

describe('editing a mapping', () => {
  it('reads the API’s mapping and leaves out what is not an entry', () => {
    expect(
      parseMapping([
        { indicator: 'TP01', question: 'q', row: 2, valueMap: { a: 'neither', b: { x: 1 } } },
        'junk',
        null,
      ]),
    ).toEqual([{ indicator: 'TP01', question: 'q', row: 2, valueMap: { a: 'neither' } }]);
    expect(parseMapping(undefined)).toEqual([]);
  });

  it('saves only finished entries, without empty value maps', () => {
    expect(
      completeEntries([
        { indicator: 'TP01', question: 'q', valueMap: {} },
        { indicator: '', question: 'q' },
        { indicator: 'CSAT', question: '' },
      ]),
    ).toEqual([{ indicator: 'TP01', question: 'q' }]);
  });

  it('lands an answer through the value map, else as given, else nowhere', () => {
    const tp01 = catalogue.get('TP01')!;
    expect(landing('good', { valueMap: { good: 'very_satisfied' } }, tp01)).toEqual({
      kind: 'scale',
      value: 'very_satisfied',
    });
    expect(landing('neither', {}, tp01)).toEqual({ kind: 'scale', value: 'neither' });
    expect(landing('dont_know', {}, tp01)).toEqual({ kind: 'excluded', value: 'dont_know' });
    expect(landing('5', {}, catalogue.get('CSAT')!)).toEqual({ kind: 'scale', value: 5 });
    expect(landing('meh', {}, tp01)).toBeNull();
  });

  it('keeps the value map entries the new question and indicator still have', () => {
    const [repairs] = listTargets(definition).filter((t) => t.row === 'repairs');
    expect(
      keptValueMap({ good: 'very_satisfied', bad: 4, gone: 'neither' }, repairs, catalogue.get('TP01')),
    ).toEqual({ good: 'very_satisfied' });
    expect(keptValueMap({ gone: 'neither' }, repairs, catalogue.get('TP01'))).toBeUndefined();
  });
});
