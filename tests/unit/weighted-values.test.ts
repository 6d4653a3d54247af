import { BUILT_IN_INDICATORS, type IndicatorDefinition } from '../../src/modules/catalogue/catalogue';
import { studentTQuantile } from '../../src/modules/catalogue/statistics';
import { computeIndicator, type IndicatorStats } from '../../src/modules/indicators/aggregation';
import { rake, type Margins, type Respondent } from '../../src/modules/weighting/raking';
import {
  respondentCategories,
  weightAll,
  weightedIndicator,
  type WeightedAnswer,
  type WeightingRespondent,
} from '../../src/modules/weighting/weighted-values';

const byId = (id: string) => BUILT_IN_INDICATORS.find((d) => d.id === id)!;
/** TP01: share of very or fairly satisfied on the five-point satisfaction scale. */
const TP01 = byId('TP01');
const NPS = byId('NPS');
/** A mean of a 1–5 rating, with the usual excluded answers. */
const RATING: IndicatorDefinition = {
  id: 'RATING',
  title: { default: 'Rating' },
  kind: 'mean',
  scale: [5, 4, 3, 2, 1],
  positive: [],
  excluded: ['dont_know', 'not_applicable'],
  minN: 10,
  builtIn: false,
};

/** mulberry32: a small seeded generator, so every run draws the same cases. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const integer = (random: () => number, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1));

function shuffle<T>(random: () => number, list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** The answers behind a count table, each with the given weight, in a random order. */
function answersOf(
  random: () => number,
  counts: Record<string, number>,
  excluded: Record<string, number>,
  numeric: boolean,
  weight = 1,
): WeightedAnswer[] {
  const list: WeightedAnswer[] = [];
  for (const [k, c] of Object.entries(counts))
    for (let i = 0; i < c; i++) list.push({ value: numeric ? Number(k) : k, weight });
  for (const [k, c] of Object.entries(excluded)) for (let i = 0; i < c; i++) list.push({ value: k, weight });
  return shuffle(random, list);
}

/** A random count table over a definition's scale, with some scale values absent. */
function randomStats(random: () => number, def: IndicatorDefinition): IndicatorStats {
  const counts: Record<string, number> = {};
  for (const s of def.scale) if (random() < 0.8) counts[String(s)] = integer(random, 0, 40);
  const excluded: Record<string, number> = {};
  if (random() < 0.6) excluded.dont_know = integer(random, 0, 8);
  return { indicatorId: def.id, counts, excluded, methods: [] };
}

describe('weightedIndicator with equal weights is the unweighted indicator', () => {
  const random = seeded(20240611);
  const cases: Array<[string, IndicatorDefinition, boolean]> = [
    ['share', TP01, false],
    ['nps', NPS, true],
    ['mean', RATING, true],
  ];

  test.each(cases)('%s over 120 random count tables, exactly', (_kind, def, numeric) => {
    for (let round = 0; round < 120; round++) {
      const stats = randomStats(random, def);
      const answered =
        Object.values(stats.counts).reduce((a, b) => a + b, 0) +
        Object.values(stats.excluded).reduce((a, b) => a + b, 0);
      const population = round % 3 === 0 ? null : answered + integer(random, 0, 3 * answered);
      const expected = computeIndicator(def, stats, population);
      const got = weightedIndicator(
        def,
        answersOf(random, stats.counts, stats.excluded, numeric),
        population === null ? {} : { population },
      );
      expect(got.n).toBe(expected.n);
      expect(got.effectiveN).toBe(expected.n);
      expect(got.weightSum).toBe(expected.n);
      expect([got.value, got.low, got.high]).toEqual([expected.value, expected.low, expected.high]);
    }
  });

  test('fixed tables, including the boundaries', () => {
    const tables: Array<[IndicatorDefinition, Record<string, number>, Record<string, number>]> = [
      [TP01, { very_satisfied: 3, fairly_satisfied: 4, neither: 1, very_dissatisfied: 2 }, {}],
      [TP01, { neither: 10 }, { dont_know: 2 }],
      [TP01, { very_satisfied: 10 }, {}],
      [TP01, { fairly_satisfied: 70, fairly_dissatisfied: 30 }, { not_applicable: 5 }],
      [NPS, { '10': 10 }, {}],
      [NPS, { '0': 3, '6': 2 }, { dont_know: 1 }],
      [NPS, { '10': 5, '9': 4, '8': 6, '7': 1, '5': 3, '1': 2 }, {}],
      [RATING, { '4': 1 }, {}],
      [RATING, { '3': 7 }, {}],
      [RATING, { '1': 2, '2': 3, '5': 9 }, { dont_know: 4 }],
    ];
    const random = seeded(7);
    for (const [def, counts, excluded] of tables) {
      const stats = { indicatorId: def.id, counts, excluded, methods: [] };
      const expected = computeIndicator(def, stats, null);
      const got = weightedIndicator(def, answersOf(random, counts, excluded, def.kind !== 'share'));
      expect([got.n, got.value, got.low, got.high]).toEqual([
        expected.n,
        expected.value,
        expected.low,
        expected.high,
      ]);
    }
  });

  test('a common weight other than 1 changes nothing but the weight sum', () => {
    const random = seeded(99);
    for (const def of [TP01, NPS, RATING]) {
      const stats = randomStats(random, def);
      stats.counts[String(def.scale[0])] = 12;
      const expected = computeIndicator(def, stats, null);
      const got = weightedIndicator(
        def,
        answersOf(random, stats.counts, stats.excluded, def.kind !== 'share', 2.7),
      );
      expect(got.effectiveN).toBeCloseTo(expected.n, 9);
      for (const key of ['value', 'low', 'high'] as const) expect(got[key]!).toBeCloseTo(expected[key]!, 9);
    }
  });
});

describe('weightedIndicator, worked by hand', () => {
  // Four respondents with weights 1, 1, 2, 2 (and a fifth, weight 3, who does not know).
  // Σw = 6, Σw² = 1 + 1 + 4 + 4 = 10, n_eff = 6²/10 = 3.6.
  const z = 1.959964;
  const z2 = z * z; // 3.841458881296

  test('share: (1 + 2)/6 = 0.5 with the Wilson interval at n = 3.6', () => {
    const answers = [
      { value: 'very_satisfied', weight: 1 },
      { value: 'fairly_dissatisfied', weight: 1 },
      { value: 'fairly_satisfied', weight: 2 },
      { value: 'neither', weight: 2 },
      { value: 'dont_know', weight: 3 },
    ];
    const got = weightedIndicator(TP01, answers);
    expect(got).toMatchObject({ n: 4, weightSum: 6 });
    expect(got.effectiveN).toBeCloseTo(3.6, 12);
    expect(got.value).toBe(0.5);
    // At p = ½ the Wilson centre is ½: (½ + z²/7.2)/(1 + z²/3.6) = ½.
    // Half-width z·sqrt(0.25/3.6 + z²/(4·3.6²))/(1 + z²/3.6) = 1.959964·sqrt(0.069444 + 0.074102)/2.067072
    // = 0.359244.
    const half = (z * Math.sqrt(0.25 / 3.6 + z2 / (4 * 3.6 * 3.6))) / (1 + z2 / 3.6);
    expect(got.low).toBeCloseTo(0.5 - half, 12);
    expect(got.high).toBeCloseTo(0.5 + half, 12);
    expect(got.low).toBeCloseTo(0.140756, 6);
    expect(got.high).toBeCloseTo(0.859244, 6);

    // A housing stock of 10 scales z by sqrt((10 − 4)/(10 − 1)) (n = 4 respondents in the base, not
    // 3.6, and not 5: the one who does not know is outside the base).
    const zf = z * Math.sqrt(6 / 9);
    const zf2 = zf * zf;
    const centre = (0.5 + zf2 / 7.2) / (1 + zf2 / 3.6);
    const halfF = (zf * Math.sqrt(0.25 / 3.6 + zf2 / (4 * 3.6 * 3.6))) / (1 + zf2 / 3.6);
    const corrected = weightedIndicator(TP01, answers, { population: 10 });
    expect(corrected.low).toBeCloseTo(centre - halfF, 12);
    expect(corrected.high).toBeCloseTo(centre + halfF, 12);
    expect(corrected.low).toBeCloseTo(0.177635, 6);
    // The stock must hold everyone who answered, "don't know" included.
    expect(() => weightedIndicator(TP01, answers, { population: 4 })).toThrow(RangeError);
  });

  test('nps: P = 3/6, D = 2/6, NPS = 16.67 with the adjusted Wald interval at n = 3.6', () => {
    const answers = [
      { value: 10, weight: 1 }, // promoter
      { value: 9, weight: 2 }, // promoter
      { value: 7, weight: 1 }, // passive
      { value: 3, weight: 2 }, // detractor
    ];
    const got = weightedIndicator(NPS, answers);
    expect(got.value).toBeCloseTo(100 * (3 / 6 - 2 / 6), 12);
    // P' = (0.5·3.6 + 0.75)/6.6 = 2.55/6.6, D' = (1/3·3.6 + 0.75)/6.6 = 1.95/6.6.
    // Centre 100·0.6/6.6 = 9.0909; half-width z·100·sqrt((4.5/6.6 − (0.6/6.6)²)/6.6) = 62.6127.
    const p = 2.55 / 6.6;
    const d = 1.95 / 6.6;
    const centre = 100 * (p - d);
    const half = z * 100 * Math.sqrt((p + d - (p - d) ** 2) / 6.6);
    expect(got.low).toBeCloseTo(centre - half, 10);
    expect(got.high).toBeCloseTo(centre + half, 10);
    expect(got.low).toBeCloseTo(-53.5218, 4);
    expect(got.high).toBeCloseTo(71.7036, 4);
  });

  test('mean: 15/6 = 2.5 with s² = 13.5/(6 − 10/6) and t at 2.6 degrees of freedom', () => {
    const answers = [
      { value: 5, weight: 1 },
      { value: 4, weight: 1 },
      { value: 2, weight: 2 },
      { value: 1, weight: 2 },
      { value: 'not_applicable', weight: 1 },
    ];
    const got = weightedIndicator(RATING, answers);
    // Σwx = 5 + 4 + 4 + 2 = 15, m = 2.5.
    expect(got.value).toBe(2.5);
    // Σw(x − m)² = 6.25 + 2.25 + 2·0.25 + 2·2.25 = 13.5; divisor 6 − 10/6 = 13/3, so s² = 40.5/13,
    // the same as 13.5/6 · 3.6/2.6.
    const s = Math.sqrt(40.5 / 13);
    expect(s * s).toBeCloseTo((13.5 / 6) * (3.6 / 2.6), 12);
    const t = studentTQuantile(0.975, 2.6);
    // Between the tabulated t(0.975) of 2 and 3 degrees of freedom.
    expect(t).toBeGreaterThan(3.182446);
    expect(t).toBeLessThan(4.302653);
    const half = (t * s) / Math.sqrt(3.6);
    expect(got.low).toBeCloseTo(2.5 - half, 12);
    expect(got.high).toBeCloseTo(2.5 + half, 12);
    // With z the interval is normal: 1.959964·1.765045/1.897367 = 1.823272.
    const normal = weightedIndicator(RATING, answers, { z });
    expect(normal.high! - 2.5).toBeCloseTo((z * s) / Math.sqrt(3.6), 12);
  });

  test('an empty base gives nulls, one answer gives a mean without bounds', () => {
    for (const def of [TP01, NPS, RATING])
      expect(weightedIndicator(def, [{ value: 'dont_know', weight: 2 }])).toEqual({
        value: null,
        low: null,
        high: null,
        n: 0,
        effectiveN: 0,
        weightSum: 0,
      });
    expect(weightedIndicator(RATING, [{ value: '4', weight: 3 }])).toMatchObject({
      value: 4,
      low: null,
      high: null,
      n: 1,
      effectiveN: 1,
    });
  });

  test('rejects bad weights, answers off the scale and a bad z', () => {
    expect(() => weightedIndicator(TP01, [{ value: 'neither', weight: 0 }])).toThrow(RangeError);
    expect(() => weightedIndicator(TP01, [{ value: 'neither', weight: Number.NaN }])).toThrow(RangeError);
    expect(() => weightedIndicator(TP01, [{ value: 'meh', weight: 1 }])).toThrow(/neither on the scale/);
    expect(() => weightedIndicator(NPS, [{ value: 11, weight: 1 }])).toThrow(RangeError);
    expect(() => weightedIndicator(RATING, [{ value: 3, weight: 1 }], { z: 0 })).toThrow(RangeError);
  });
});

describe('property: weighted shares of raked respondents against a recomputation from first principles', () => {
  const SCALE = ['very_satisfied', 'fairly_satisfied', 'neither', 'fairly_dissatisfied', 'very_dissatisfied'];
  const POSITIVE = new Set(['very_satisfied', 'fairly_satisfied']);

  /** A category drawn with probabilities proportional to `odds`. */
  function draw(random: () => number, odds: number[]): number {
    let u = random() * odds.reduce((a, b) => a + b, 0);
    for (let i = 0; i < odds.length; i++) {
      u -= odds[i]!;
      if (u < 0) return i;
    }
    return odds.length - 1;
  }

  test('300 random samples', () => {
    const random = seeded(424242);
    let converged = 0;
    const cases = 300;
    for (let round = 0; round < cases; round++) {
      const variables = Array.from({ length: integer(random, 2, 3) }, (_, v) => ({
        name: `v${v}`,
        categories: Array.from({ length: integer(random, 2, 4) }, (_, c) => `c${c}`),
      }));
      const n = integer(random, 20, 300);
      // Skewed sampling odds make the sample unlike the population, so the weights differ.
      const odds = variables.map((v) => v.categories.map(() => 0.2 + random()));
      const respondents: Respondent[] = Array.from({ length: n }, (_, i) => ({
        categories: Object.fromEntries(
          // The first respondents cover every category, so every margin can be reached.
          variables.map((v, k) => [
            v.name,
            v.categories[i < v.categories.length ? i : draw(random, odds[k]!)]!,
          ]),
        ),
      }));
      // Margins as counts with one total (or, now and then, as shares). Mostly they are the sample's
      // totals under a hidden random weighting, so that weights meeting them exist; now and then each
      // variable's shares are drawn on their own, which the sample may not be able to meet, and the
      // weights are then trimmed so that none can vanish.
      const shares = round % 5 === 0;
      const independent = round % 7 === 3;
      const total = shares ? 1 : integer(random, 500, 50_000);
      const factors = variables.map((v) => v.categories.map(() => 0.5 + 1.5 * random()));
      const hidden = respondents.map(
        (r) =>
          variables.reduce((w, v, k) => w * factors[k]![v.categories.indexOf(r.categories[v.name]!)]!, 1) *
          (0.7 + 0.6 * random()),
      );
      const margins: Margins = Object.fromEntries(
        variables.map((v) => {
          const raw = v.categories.map((c) =>
            independent
              ? 0.3 + random()
              : respondents.reduce((s, r, i) => s + (r.categories[v.name] === c ? hidden[i]! : 0), 0),
          );
          const sum = raw.reduce((a, b) => a + b, 0);
          return [v.name, Object.fromEntries(v.categories.map((c, j) => [c, (raw[j]! * total) / sum]))];
        }),
      );
      const trim = round % 3 === 0 || independent ? { trim: { min: 0.1, max: 10 } } : {};
      const raked = rake(respondents, margins, { maxIterations: 500, ...trim });

      if (raked.converged) {
        converged++;
        for (const v of variables)
          for (const c of v.categories) {
            // Margins given as shares are met as shares of n.
            const target = margins[v.name]![c]! * (shares ? n : 1);
            const got = respondents.reduce(
              (s, r, i) => s + (r.categories[v.name] === c ? raked.weights[i]! : 0),
              0,
            );
            expect(Math.abs(got - target) / target).toBeLessThanOrEqual(1e-6);
          }
      }

      const answers = raked.weights.map((weight) => ({
        value: random() < 0.1 ? 'dont_know' : SCALE[draw(random, [3, 4, 2, 1.5, 1])]!,
        weight,
      }));
      const population = round % 2 === 0 ? n + integer(random, 0, 5 * n) : undefined;
      const got = weightedIndicator(TP01, answers, population === undefined ? {} : { population });

      // From first principles: the base leaves out "don't know"; p = Σw(positive)/Σw;
      // n_eff = (Σw)²/Σw²; Wilson at n_eff, with z scaled by sqrt((N − n)/(N − 1)), n the base count.
      const base = answers.filter((a) => a.value !== 'dont_know');
      const sumW = base.reduce((s, a) => s + a.weight, 0);
      const sumW2 = base.reduce((s, a) => s + a.weight * a.weight, 0);
      const sumPositive = base.reduce((s, a) => s + (POSITIVE.has(a.value) ? a.weight : 0), 0);
      expect(got.n).toBe(base.length);
      expect(got.weightSum).toBeCloseTo(sumW, 9);
      if (!base.length) {
        expect([got.value, got.low, got.high]).toEqual([null, null, null]);
        continue;
      }
      const nEff = (sumW * sumW) / sumW2;
      const m = base.length;
      const z =
        1.959964 *
        (population === undefined
          ? 1
          : population === m
            ? 0
            : Math.sqrt((population - m) / (population - 1)));
      const p = sumPositive / sumW;
      const centre = (p + (z * z) / (2 * nEff)) / (1 + (z * z) / nEff);
      const half = (z * Math.sqrt((p * (1 - p)) / nEff + (z * z) / (4 * nEff * nEff))) / (1 + (z * z) / nEff);
      expect(Math.abs(got.effectiveN - nEff)).toBeLessThanOrEqual(1e-9 * nEff);
      expect(Math.abs(got.value! - p)).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(got.low! - Math.max(0, centre - half))).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(got.high! - Math.min(1, centre + half))).toBeLessThanOrEqual(1e-9);
    }
    // Nearly every sample converges, so the margin check above is not vacuous.
    expect(converged).toBeGreaterThan(cases * 0.9);
  });
});

describe('respondentCategories', () => {
  const extra = { segment: 'north', mode: 'letter' };

  test('reads the segment, the mode and scalar answers as text', () => {
    expect(
      respondentCategories({ age: '35-54', household: 3, disabled: false }, extra, [
        'segment',
        'mode',
        'age',
        'household',
        'disabled',
      ]),
    ).toEqual({ segment: 'north', mode: 'letter', age: '35-54', household: '3', disabled: 'false' });
  });

  test('segment and mode come from the response, not from questions of the same name', () => {
    expect(respondentCategories({ segment: 'south', mode: 'phone' }, extra, ['segment', 'mode'])).toEqual({
      segment: 'north',
      mode: 'letter',
    });
  });

  test('a missing, blank, non-finite, array or object answer is unknown', () => {
    for (const answers of [
      {},
      { age: null },
      { age: '' },
      { age: '  ' },
      { age: Number.NaN },
      { age: ['a', 'b'] },
      { age: { text: 'x' } },
    ])
      expect(respondentCategories(answers, extra, ['segment', 'age'])).toBeNull();
    expect(respondentCategories({ age: 'x' }, { segment: '', mode: 'link' }, ['segment', 'age'])).toBeNull();
    // Inherited properties are not answers.
    expect(respondentCategories({}, extra, ['toString'])).toBeNull();
  });

  test('no variables: an empty record', () => {
    expect(respondentCategories({ age: 'x' }, extra, [])).toEqual({});
  });
});

describe('weightAll', () => {
  // Population 1000: 400 men and 600 women; 500 young and 500 old.
  const margins: Margins = { sex: { m: 400, f: 600 }, age: { young: 500, old: 500 } };
  const known = (sex: string, age: string) => ({ categories: { sex, age } });
  const sample: WeightingRespondent[] = [
    known('m', 'young'),
    known('m', 'old'),
    known('m', 'old'),
    known('f', 'young'),
    known('f', 'young'),
    known('f', 'young'),
    known('f', 'old'),
    { categories: null },
    known('m', 'young'),
    { categories: { sex: 'f' } }, // no age: unknown too
  ];

  test('unknown respondents get the mean weight of the raked ones; the total is the population', () => {
    const result = weightAll(sample, margins);
    if (!result.ok) throw new Error(result.reason);
    expect(result.unknown).toBe(2);
    expect(result.rake.n).toBe(8);
    expect(result.rake.converged).toBe(true);
    const { weights } = result;
    expect(weights).toHaveLength(10);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1000, 9);
    const rakedIndices = [0, 1, 2, 3, 4, 5, 6, 8];
    const meanRaked = rakedIndices.reduce((s, i) => s + weights[i]!, 0) / rakedIndices.length;
    // 1000 over 10 respondents.
    expect(meanRaked).toBeCloseTo(100, 9);
    expect(weights[7]).toBeCloseTo(meanRaked, 9);
    expect(weights[9]).toBeCloseTo(meanRaked, 9);
    // The raked respondents carry 8/10 of the population, spread as the margins say.
    const sum = (pick: (c: Record<string, string>) => boolean) =>
      rakedIndices.reduce((s, i) => s + (pick(sample[i]!.categories!) ? weights[i]! : 0), 0);
    // Within raking's default tolerance, 1e-6 relative.
    const targets: Array<[(c: Record<string, string>) => boolean, number]> = [
      [(c) => c.sex === 'm', 400 * 0.8],
      [(c) => c.sex === 'f', 600 * 0.8],
      [(c) => c.age === 'young', 500 * 0.8],
      [(c) => c.age === 'old', 500 * 0.8],
    ];
    for (const [pick, target] of targets)
      expect(Math.abs(sum(pick) - target) / target).toBeLessThanOrEqual(1e-6);
  });

  test('without unknown respondents the weights are the raking weights', () => {
    const all = sample.filter((r) => r.categories?.age !== undefined);
    const result = weightAll(all, margins);
    if (!result.ok) throw new Error(result.reason);
    expect(result.unknown).toBe(0);
    expect(result.weights).toEqual(rake(all as Respondent[], margins).weights);
  });

  test('margins as shares: weights sum to the number of respondents, unknown ones weigh 1', () => {
    const shares: Margins = { sex: { m: 0.4, f: 0.6 }, age: { young: 0.5, old: 0.5 } };
    const result = weightAll(sample, shares);
    if (!result.ok) throw new Error(result.reason);
    expect(result.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(10, 9);
    expect(result.weights[7]).toBeCloseTo(1, 12);
  });

  test('base weights: an unknown respondent keeps its share of them', () => {
    const weighted = sample.map((r, i) => ({ ...r, weight: i === 7 ? 3 : 1 }));
    const result = weightAll(weighted, margins);
    if (!result.ok) throw new Error(result.reason);
    // Base weights total 12; respondent 7 holds 3/12 of the population.
    expect(result.weights[7]).toBeCloseTo(250, 9);
    expect(result.weights[9]).toBeCloseTo(1000 / 12, 9);
    expect(result.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1000, 9);
  });

  test('a category absent from the margins is reported, not thrown, at its place in the input', () => {
    const bad = [...sample, known('x', 'old')];
    const result = weightAll(bad, margins);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.unknown).toBe(2);
    expect(result.reason).toMatch(/"x" is not a category of sex/);
    expect(result.details.map((d) => d.path)).toEqual(['/respondents/10/sex']);
    expect(result.reason).toContain('/respondents/10/sex');
  });

  test('a margin category without respondents is reported', () => {
    const result = weightAll(
      sample.filter((r) => r.categories?.sex !== 'm'),
      margins,
    );
    expect(result).toMatchObject({ ok: false, details: [{ path: '/margins/sex/m' }] });
  });

  test('margins the sample cannot meet: vanished weights are refused, trimmed ones are a result', () => {
    // Every man is young, so 90% men and 90% old cannot both hold; unchecked, raking pushes a
    // weight down pass after pass until it is zero.
    const cornered = [known('m', 'young'), known('f', 'old'), known('f', 'young')];
    const impossible: Margins = { sex: { m: 900, f: 100 }, age: { young: 100, old: 900 } };
    const refused = weightAll(cornered, impossible, { maxIterations: 2000 });
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining('to zero') });
    const trimmed = weightAll(cornered, impossible, { maxIterations: 2000, trim: { min: 0.3, max: 3 } });
    if (!trimmed.ok) throw new Error(trimmed.reason);
    expect(trimmed.rake.converged).toBe(false);
    expect(Math.min(...trimmed.weights)).toBeGreaterThan(0);
  });

  test('no respondent with known categories, or a bad base weight, is reported', () => {
    expect(weightAll([{ categories: null }, { categories: { sex: 'm' } }], margins)).toMatchObject({
      ok: false,
      unknown: 2,
      reason: expect.stringContaining('no respondent has a known category'),
    });
    expect(weightAll([{ categories: null, weight: -1 }, ...sample], margins)).toMatchObject({
      ok: false,
      details: [{ path: '/respondents/0/weight' }],
    });
    expect(weightAll(sample, {})).toMatchObject({ ok: false });
  });
});
