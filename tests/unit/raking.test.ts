import { ValidationError } from '../../src/errors';
import { wilsonInterval, Z95 } from '../../src/modules/catalogue/statistics';
import { kish, rake, weightedShare, type Margins, type Respondent } from '../../src/modules/weighting/raking';

/** Respondents with the given cell counts: [categories, how many]. */
function cells(list: Array<[Record<string, string>, number]>): Respondent[] {
  return list.flatMap(([categories, count]) => Array.from({ length: count }, () => ({ categories })));
}

/** Weighted totals of one variable's categories. */
function weighted(respondents: Respondent[], weights: number[], variable: string): Record<string, number> {
  const out: Record<string, number> = {};
  respondents.forEach((r, i) => {
    const c = r.categories[variable]!;
    out[c] = (out[c] ?? 0) + weights[i]!;
  });
  return out;
}

function expectMarginsMet(respondents: Respondent[], weights: number[], margins: Margins, tolerance: number) {
  for (const [variable, categories] of Object.entries(margins)) {
    const got = weighted(respondents, weights, variable);
    for (const [category, target] of Object.entries(categories))
      expect(Math.abs(got[category]! - target) / target).toBeLessThanOrEqual(tolerance);
  }
}

/** A small deterministic generator, so the larger examples are the same on every run. */
function lcg(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function pick<T>(random: () => number, options: Array<[T, number]>): T {
  let u = random();
  for (const [value, p] of options) {
    if (u < p) return value;
    u -= p;
  }
  return options[options.length - 1]![0];
}

function validationPaths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).details.map((d) => d.path);
  }
  throw new Error('expected a ValidationError');
}

describe('raking, two variables', () => {
  // Respondents by sex and age: men young 20, men old 30, women young 40, women old 10.
  // Population: 400 men, 600 women; 500 young, 500 old.
  const respondents = cells([
    [{ sex: 'm', age: 'young' }, 20],
    [{ sex: 'm', age: 'old' }, 30],
    [{ sex: 'f', age: 'young' }, 40],
    [{ sex: 'f', age: 'old' }, 10],
  ]);
  const margins = { sex: { m: 400, f: 600 }, age: { young: 500, old: 500 } };

  it('converges to the table with the margins and the sample’s odds ratio', () => {
    // IPF keeps the cross-product ratio of the table: fitted cells t (men young), 400 − t,
    // 500 − t and 100 + t must satisfy t(100 + t) / ((400 − t)(500 − t)) = (20·10)/(30·40) = 1/6,
    // i.e. 6t² + 600t = t² − 900t + 200000, t² + 300t − 40000 = 0, t = (−300 + √250000)/2 = 100.
    const t = (-300 + Math.sqrt(300 * 300 + 4 * 40000)) / 2;
    expect(t).toBe(100);
    const expected = {
      'm|young': t / 20,
      'm|old': (400 - t) / 30,
      'f|young': (500 - t) / 40,
      'f|old': (100 + t) / 10,
    };
    expect(expected).toEqual({ 'm|young': 5, 'm|old': 10, 'f|young': 10, 'f|old': 20 });

    const result = rake(respondents, margins, { tolerance: 1e-10 });
    expect(result.converged).toBe(true);
    result.weights.forEach((w, i) => {
      const { sex, age } = respondents[i]!.categories;
      expect(w).toBeCloseTo(expected[`${sex}|${age}` as keyof typeof expected], 6);
    });
    expect(result.total).toBeCloseTo(1000, 6);
    expect(result.scale).toBe('counts');
    expect(result.n).toBe(100);
    // Σw = 1000, Σw² = 20·25 + 30·100 + 40·100 + 10·400 = 11500.
    expect(result.effectiveN).toBeCloseTo(1000 ** 2 / 11500, 6);
    expect(result.designEffect).toBeCloseTo((100 * 11500) / 1000 ** 2, 6);
    expect(result.discrepancies.sex).toBeLessThanOrEqual(1e-10);
    expect(result.trimmed).toBe(0);
  });

  it('with share margins, weights sum to n', () => {
    const result = rake(respondents, { sex: { m: 0.4, f: 0.6 }, age: { young: 0.5, old: 0.5 } });
    expect(result.scale).toBe('shares');
    expect(result.total).toBeCloseTo(100, 6);
    expect(result.weights[0]).toBeCloseTo(0.5, 5);
  });

  it('starts from base weights', () => {
    // One variable: a category's weights are its base weights scaled to its margin.
    const r: Respondent[] = [
      { categories: { sex: 'm' }, weight: 1 },
      { categories: { sex: 'm' }, weight: 3 },
      { categories: { sex: 'f' }, weight: 2 },
    ];
    const result = rake(r, { sex: { m: 40, f: 60 } });
    expect(result.weights).toEqual([10, 30, 60].map((w) => expect.closeTo(w, 9)));
    expect(result.iterations).toBe(1);
  });
});

describe('raking, three variables', () => {
  // A landlord with 8,000 homes: tenure, age band and area; a sample skewed to older renters in the south.
  const margins = {
    tenure: { rented: 7200, shared: 800 },
    age_band: { '16-34': 1600, '35-54': 3200, '55+': 3200 },
    area: { north: 2000, south: 3500, east: 2500 },
  };
  const random = lcg(42);
  const respondents: Respondent[] = Array.from({ length: 600 }, () => ({
    categories: {
      tenure: pick(random, [
        ['rented', 0.95],
        ['shared', 0.05],
      ]),
      age_band: pick(random, [
        ['16-34', 0.1],
        ['35-54', 0.3],
        ['55+', 0.6],
      ]),
      area: pick(random, [
        ['north', 0.2],
        ['south', 0.55],
        ['east', 0.25],
      ]),
      ignored: 'x',
    },
  }));

  it('reproduces every margin to 1e-6', () => {
    const result = rake(respondents, margins);
    expect(result.converged).toBe(true);
    expect(result.iterations).toBeGreaterThan(1);
    expectMarginsMet(respondents, result.weights, margins, 1e-6);
    expect(result.total).toBeCloseTo(8000, 6);
    for (const d of Object.values(result.discrepancies)) expect(d).toBeLessThanOrEqual(1e-6);
    expect(result.designEffect).toBeGreaterThan(1);
    expect(result.effectiveN).toBeCloseTo(600 / result.designEffect, 9);
  });

  it('reports non-convergence with one pass instead of throwing', () => {
    const result = rake(respondents, margins, { maxIterations: 1 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(1);
    // The last variable raked is met exactly; an earlier one is not.
    expect(result.discrepancies.area).toBeLessThan(1e-12);
    expect(Math.max(result.discrepancies.tenure!, result.discrepancies.age_band!)).toBeGreaterThan(1e-6);
  });
});

describe('trimming', () => {
  // Shared owners and the young are both under-represented; young shared owners doubly so, and
  // their raked weights go far above 3 × the mean.
  const respondents = cells([
    [{ tenure: 'rented', age: 'young' }, 7],
    [{ tenure: 'rented', age: 'old' }, 83],
    [{ tenure: 'shared', age: 'young' }, 3],
    [{ tenure: 'shared', age: 'old' }, 7],
  ]);
  const margins = { tenure: { rented: 800, shared: 200 }, age: { young: 250, old: 750 } };

  it('keeps every weight inside the caps and meets the margins again', () => {
    const untrimmed = rake(respondents, margins);
    const mean = 1000 / 100;
    expect(Math.max(...untrimmed.weights)).toBeGreaterThan(3 * mean);

    const result = rake(respondents, margins, { trim: { min: 0.3, max: 3 } });
    expect(result.converged).toBe(true);
    for (const w of result.weights) {
      expect(w).toBeLessThanOrEqual(3 * mean * (1 + 1e-12));
      expect(w).toBeGreaterThanOrEqual(0.3 * mean * (1 - 1e-12));
    }
    expectMarginsMet(respondents, result.weights, margins, 1e-6);
    // The three young shared owners sit at the cap.
    expect(result.trimmed).toBe(3);
    expect(result.weights.slice(90, 93)).toEqual([30, 30, 30].map((w) => expect.closeTo(w, 9)));
    // Trimming buys precision: fewer extreme weights, a smaller design effect.
    expect(result.designEffect).toBeLessThan(untrimmed.designEffect);
  });

  it('reports caps too tight for the margins as not converged', () => {
    // 10 shared owners must carry 200 of 1,000 (2 × the mean each); a cap of 1.5 cannot.
    const result = rake(respondents, margins, { trim: { max: 1.5 } });
    expect(result.converged).toBe(false);
    expect(result.discrepancies.tenure).toBeGreaterThan(0.1);
    for (const w of result.weights) expect(w).toBeLessThanOrEqual(15 * (1 + 1e-12));
  });
});

describe('kish', () => {
  it('gives the effective sample size of weights 1, 1, 2, 2 as 6²/10 = 3.6', () => {
    const { effectiveN, designEffect } = kish([1, 1, 2, 2]);
    expect(effectiveN).toBeCloseTo(3.6, 12);
    expect(designEffect).toBeCloseTo((4 * 10) / 36, 12);
  });
});

describe('raking errors', () => {
  const margins = { tenure: { rented: 900, shared: 100 }, age: { young: 400, old: 600 } };
  const both = (tenure: string, age: string) => ({ categories: { tenure, age } });

  it('names a respondent category absent from the margins', () => {
    const paths = validationPaths(() => rake([both('rented', 'young'), both('owner', 'old')], margins));
    expect(paths).toEqual(['/respondents/1/tenure']);
  });

  it('names a respondent without a weighting variable', () => {
    const paths = validationPaths(() =>
      rake([both('rented', 'young'), { categories: { tenure: 'shared' } }], margins),
    );
    expect(paths).toEqual(['/respondents/1/age']);
  });

  it('names a margin category without respondents, which could never be reached', () => {
    const paths = validationPaths(() => rake([both('rented', 'young'), both('rented', 'old')], margins));
    expect(paths).toEqual(['/margins/tenure/shared']);
  });

  it('refuses totals that differ by more than 0.5% and accepts smaller differences', () => {
    const sample = [both('rented', 'young'), both('shared', 'old'), both('rented', 'old')];
    const paths = validationPaths(() =>
      rake(sample, { tenure: { rented: 900, shared: 100 }, age: { young: 410, old: 600 } }),
    );
    expect(paths).toEqual(['/margins/age']);
    const close = rake(sample, { tenure: { rented: 900, shared: 100 }, age: { young: 404, old: 600 } });
    expect(close.converged).toBe(true);
    // Weights total the first variable's population; the second is scaled to it.
    expect(close.total).toBeCloseTo(1000, 6);
  });

  it('refuses caps on the wrong side of the mean', () => {
    expect(validationPaths(() => rake([both('rented', 'young')], margins, { trim: { min: 1.5 } }))).toContain(
      '/options/trim/min',
    );
  });
});

describe('weighted share', () => {
  it('is the plain Wilson interval with equal weights', () => {
    const answers = Array.from({ length: 100 }, (_, i) => ({ positive: i < 70, weight: 2.5 }));
    const share = weightedShare(answers);
    const plain = wilsonInterval(70, 100);
    expect(share.p).toBeCloseTo(0.7, 12);
    expect(share.effectiveN).toBeCloseTo(100, 9);
    expect(share.low).toBeCloseTo(plain.low, 9);
    expect(share.high).toBeCloseTo(plain.high, 9);
    const corrected = weightedShare(answers, { population: 400 });
    const plainCorrected = wilsonInterval(70, 100, { population: 400 });
    expect(corrected.low).toBeCloseTo(plainCorrected.low, 9);
    expect(corrected.high).toBeCloseTo(plainCorrected.high, 9);
  });

  it('uses the effective n with unequal weights', () => {
    // Weights 1, 1, 2, 2; positives the first 1 and the first 2: p = 3/6 = ½, n_eff = 3.6.
    const share = weightedShare([
      { positive: true, weight: 1 },
      { positive: false, weight: 1 },
      { positive: true, weight: 2 },
      { positive: false, weight: 2 },
    ]);
    const z2 = Z95 * Z95;
    const n = 3.6;
    const centre = (0.5 + z2 / (2 * n)) / (1 + z2 / n);
    const half = (Z95 * Math.sqrt(0.25 / n + z2 / (4 * n * n))) / (1 + z2 / n);
    expect(share.p).toBe(0.5);
    expect(share.n).toBe(4);
    expect(share.effectiveN).toBeCloseTo(3.6, 12);
    expect(share.low).toBeCloseTo(centre - half, 12);
    expect(share.high).toBeCloseTo(centre + half, 12);
  });
});
