import {
  combineStats,
  computeIndicator,
  prepareMapping,
  StatsAccumulator,
} from '../../src/modules/indicators/aggregation';
import {
  BUILT_IN_INDICATORS,
  SATISFACTION_SCALE,
  type IndicatorDefinition,
} from '../../src/modules/catalogue/catalogue';
import { meanFromCounts, npsIndicator, shareIndicator } from '../../src/modules/catalogue/statistics';

const catalogue = new Map(BUILT_IN_INDICATORS.map((d) => [d.id, d]));
const TP01 = catalogue.get('TP01')!;
const NPS = catalogue.get('NPS')!;
const RATING: IndicatorDefinition = {
  id: 'RATING',
  title: { default: 'Rating' },
  kind: 'mean',
  scale: [1, 2, 3, 4, 5],
  positive: [],
  excluded: ['dont_know'],
  minN: 5,
  builtIn: false,
};

const stats = (counts: Record<string, number>, excluded: Record<string, number> = {}) => ({
  indicatorId: 'x',
  counts,
  excluded,
  methods: ['m'],
});

describe('computeIndicator', () => {
  it('a share is the Wilson share of the positive answers, the base excluding don’t know', () => {
    const s = stats(
      { very_satisfied: 12, fairly_satisfied: 8, neither: 5, very_dissatisfied: 5 },
      { dont_know: 4 },
    );
    const r = computeIndicator(TP01, s, 400, 40);
    const expected = shareIndicator({ positive: 20, base: 30, excluded: 4 }, { population: 400 });
    expect(r).toMatchObject({
      n: 30,
      excludedCount: 4,
      value: expected.value,
      low: expected.low,
      high: expected.high,
    });
    // Two rates: the survey's responses over the stock, and the indicator's base over the stock.
    expect(r.responses).toBe(40);
    expect(r.responseRate).toBeCloseTo(40 / 400, 12);
    expect(r.baseRate).toBeCloseTo(30 / 400, 12);
    expect(r.populationIgnored).toBe(false);
  });

  it('NPS groups 0–10 answers as detractors, passives and promoters', () => {
    const s = stats({ '10': 4, '9': 2, '8': 3, '7': 1, '6': 2, '0': 3 });
    const r = computeIndicator(NPS, s, null);
    const { n, value, low, high } = npsIndicator({ promoters: 6, passives: 4, detractors: 5 });
    expect(r).toMatchObject({ n, value, low, high, excludedCount: 0 });
    expect(r.value).toBeCloseTo((100 * (6 - 5)) / 15, 12);
    expect(r.responseRate).toBeNull();
  });

  it('a mean carries the finite population correction when the stock is known', () => {
    const s = stats({ '1': 2, '3': 4, '5': 6 });
    const r = computeIndicator(RATING, s, 30);
    expect(r).toMatchObject({ n: 12, population: 30 });
    const corrected = meanFromCounts({ '1': 2, '3': 4, '5': 6 }, { population: 30 });
    expect(r.low).toBeCloseTo(corrected.low!, 12);
    expect(r.high).toBeCloseTo(corrected.high!, 12);
    const plain = meanFromCounts({ '1': 2, '3': 4, '5': 6 });
    expect(r.high! - r.value!).toBeLessThan(plain.high! - plain.value!);
  });

  it('ignores a housing stock below the responses, and says so', () => {
    const r = computeIndicator(RATING, stats({ '4': 8 }), 7, 9);
    expect(r).toMatchObject({
      population: null,
      populationIgnored: true,
      responseRate: null,
      baseRate: null,
    });
    expect(r.value).toBe(4);
  });
});

describe('method fingerprints', () => {
  const definition = (visibleIf?: string, pageVisibleIf?: string) => ({
    pages: [
      {
        name: 'p1',
        visibleIf: pageVisibleIf,
        elements: [
          { type: 'boolean', name: 'tenant' },
          {
            type: 'radiogroup',
            name: 'overall',
            visibleIf,
            choices: SATISFACTION_SCALE,
          },
        ],
      },
    ],
  });
  /** The method hash of `question` measuring TP01 in `def`. */
  const methodOf = (question: string) => (def: Record<string, unknown>) =>
    prepareMapping(def, [{ question, indicator: 'TP01' }], catalogue).entries[0]!.method;
  const method = methodOf('overall');

  it('change when who is asked changes: the question’s condition or its page’s', () => {
    const plain = method(definition());
    expect(method(definition('{tenant} = true'))).not.toBe(plain);
    expect(method(definition(undefined, '{tenant} = true'))).not.toBe(plain);
    expect(method(definition('{tenant} = true'))).not.toBe(method(definition('{tenant} = false')));
  });

  it('stay the same when nothing about the question changed', () => {
    expect(method(definition('{tenant} = true'))).toBe(method(definition('{tenant} = true')));
    expect(method(definition())).toBe(method(structuredClone(definition())));
  });

  /** A repairs question asked of those who had a repair, on the second page. */
  const routed = (opts: {
    filterTitle?: string;
    calc?: string;
    triggers?: unknown[];
    filterVisibleIf?: string;
    unrelated?: string;
  }) => ({
    calculatedValues: [{ name: 'recent', expression: opts.calc ?? "{had_repair} = 'yes'" }],
    triggers: opts.triggers ?? [],
    pages: [
      {
        name: 'p1',
        elements: [
          { type: 'boolean', name: 'tenant' },
          {
            type: 'radiogroup',
            name: 'had_repair',
            title: opts.filterTitle ?? 'Have you had a repair in the last 12 months?',
            visibleIf: opts.filterVisibleIf,
            choices: ['yes', 'no'],
          },
          { type: 'text', name: 'unrelated', title: opts.unrelated ?? 'Anything else?' },
        ],
      },
      {
        name: 'p2',
        elements: [
          {
            type: 'radiogroup',
            name: 'repairs',
            visibleIf: '{recent} = true',
            choices: SATISFACTION_SCALE,
          },
        ],
      },
    ],
  });
  const repairs = methodOf('repairs');
  const tenant = methodOf('tenant');

  it('change when what a condition reads changes: the filter question’s wording, who is asked it, a calculated value', () => {
    const plain = repairs(routed({}));
    expect(repairs(routed({}))).toBe(plain);
    // The filter question now asks about three months: a different group answers the repairs question.
    expect(repairs(routed({ filterTitle: 'Have you had a repair in the last 3 months?' }))).not.toBe(plain);
    expect(repairs(routed({ filterVisibleIf: '{tenant} = true' }))).not.toBe(plain);
    expect(repairs(routed({ calc: "{had_repair} = 'yes' and {tenant} = true" }))).not.toBe(plain);
    // A question no condition reads changes nothing.
    expect(repairs(routed({ unrelated: 'Any other comments?' }))).toBe(plain);
  });

  it('change when a trigger may end the survey, or skip, before the question’s page', () => {
    const plain = repairs(routed({}));
    const complete = [{ type: 'complete', expression: "{had_repair} = 'no'" }];
    expect(repairs(routed({ triggers: complete }))).not.toBe(plain);
    expect(
      repairs(routed({ triggers: [{ type: 'skip', expression: '{tenant} = false', gotoName: 'x' }] })),
    ).not.toBe(plain);
    // Everyone who starts sees the first page: its questions keep their hashes.
    expect(tenant(routed({ triggers: complete }))).toBe(tenant(routed({})));
    // A trigger that only sets a value does not route anyone.
    expect(
      repairs(routed({ triggers: [{ type: 'setvalue', expression: '{tenant} = true', setToName: 'x' }] })),
    ).toBe(plain);
  });
});

describe('combineStats', () => {
  it('adds counts and keeps every method once', () => {
    const a = { indicatorId: 'TP01', counts: { x: 1 }, excluded: { dont_know: 2 }, methods: ['b'] };
    const b = { indicatorId: 'TP01', counts: { x: 2, y: 1 }, excluded: {}, methods: ['a', 'b'] };
    expect(combineStats([a, b])).toEqual({
      indicatorId: 'TP01',
      counts: { x: 3, y: 1 },
      excluded: { dont_know: 2 },
      methods: ['a', 'b'],
      // Statistics counted before modes were recorded are online answers.
      modes: { online: 4 },
    });
  });

  it('adds the base per mode, reading statistics without modes as online', () => {
    const acc = new StatsAccumulator();
    const mapping = {
      entries: [
        {
          entry: { indicator: 'TP01', question: 'q' },
          indicator: {
            id: 'TP01',
            title: { default: 'x' },
            kind: 'share' as const,
            scale: ['yes', 'no'],
            positive: ['yes'],
            excluded: ['dont_know'],
            minN: 1,
            builtIn: true,
          },
          method: 'm',
        },
      ],
    };
    acc.add({ q: 'yes' }, mapping, 'paper');
    acc.add({ q: 'no' }, mapping, 'telephone');
    acc.add({ q: 'dont_know' }, mapping, 'telephone');
    acc.add({ q: 'yes' }, mapping);
    const [counted] = acc.result();
    expect(counted!.modes).toEqual({ paper: 1, telephone: 1, online: 1 });
    const old = { indicatorId: 'TP01', counts: { yes: 2 }, excluded: {}, methods: ['m'] };
    expect(combineStats([counted!, old]).modes).toEqual({ online: 3, paper: 1, telephone: 1 });
  });
});
