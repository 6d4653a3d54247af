import {
  Z95,
  applySuppression,
  distributionSummary,
  meanFromCounts,
  meanIndicator,
  npsCategory,
  npsIndicator,
  percentileRank,
  quantile,
  shareIndicator,
  studentTQuantile,
  wilsonInterval,
} from '../../src/modules/catalogue/statistics';

/** Park–Miller generator: the property checks below must be reproducible from run to run. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

function randomPairs(count: number, seed: number): Array<{ x: number; n: number }> {
  const random = seededRandom(seed);
  const pairs: Array<{ x: number; n: number }> = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(random() * 2000);
    pairs.push({ x: Math.floor(random() * (n + 1)), n });
  }
  return pairs;
}

describe('wilsonInterval', () => {
  it.each([
    [7, 10, 0.3968, 0.8922],
    [70, 100, 0.6042, 0.7811],
    [0, 10, 0, 0.2775],
    [10, 10, 0.7225, 1],
  ])('reproduces the worked check %i/%i → [%f, %f]', (x, n, low, high) => {
    const interval = wilsonInterval(x, n);
    expect(interval.p).toBeCloseTo(x / n, 10);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('gives exactly 0 and 1 as the outer bounds at 0/n and n/n', () => {
    expect(wilsonInterval(0, 37).low).toBe(0);
    expect(wilsonInterval(37, 37).high).toBe(1);
  });

  it('contains p and stays inside [0, 1] for 200 random pairs', () => {
    for (const { x, n } of randomPairs(200, 42)) {
      const { p, low, high } = wilsonInterval(x, n);
      expect(low).toBeGreaterThanOrEqual(0);
      expect(high).toBeLessThanOrEqual(1);
      expect(low).toBeLessThanOrEqual(p);
      expect(p).toBeLessThanOrEqual(high);
    }
  });

  it('has bounds that solve the score equation (p − π)² = z²·π(1 − π)/n', () => {
    for (const { x, n } of randomPairs(200, 7)) {
      const { p, low, high } = wilsonInterval(x, n);
      for (const bound of [low, high]) {
        if (bound === 0 || bound === 1) continue;
        expect((p - bound) ** 2).toBeCloseTo((Z95 * Z95 * bound * (1 - bound)) / n, 12);
      }
    }
  });

  it('is symmetric: the interval for n − x mirrors the one for x', () => {
    for (const { x, n } of randomPairs(200, 3)) {
      const forward = wilsonInterval(x, n);
      const mirrored = wilsonInterval(n - x, n);
      expect(forward.low).toBeCloseTo(1 - mirrored.high, 12);
      expect(forward.high).toBeCloseTo(1 - mirrored.low, 12);
    }
  });

  it('narrows as n grows with p fixed', () => {
    for (let tenths = 0; tenths <= 10; tenths++) {
      let previousWidth = Infinity;
      for (const n of [10, 20, 50, 100, 1000, 10000]) {
        const { low, high } = wilsonInterval((tenths * n) / 10, n);
        expect(high - low).toBeLessThan(previousWidth);
        previousWidth = high - low;
      }
    }
  });

  it('widens with a larger z', () => {
    const narrow = wilsonInterval(30, 80, { z: 1.644854 });
    const wide = wilsonInterval(30, 80, { z: 2.575829 });
    expect(wide.low).toBeLessThan(narrow.low);
    expect(wide.high).toBeGreaterThan(narrow.high);
  });

  describe('finite population correction', () => {
    it('collapses to the point p for a census (N = n)', () => {
      expect(wilsonInterval(7, 10, { population: 10 })).toEqual({ p: 0.7, low: 0.7, high: 0.7 });
      expect(wilsonInterval(1, 1, { population: 1 })).toEqual({ p: 1, low: 1, high: 1 });
      expect(wilsonInterval(0, 5, { population: 5 })).toEqual({ p: 0, low: 0, high: 0 });
    });

    it('equals the plain interval within 1e-9 when N is huge', () => {
      for (const { x, n } of randomPairs(200, 11)) {
        const plain = wilsonInterval(x, n);
        const corrected = wilsonInterval(x, n, { population: 1e12 });
        expect(Math.abs(corrected.low - plain.low)).toBeLessThan(1e-9);
        expect(Math.abs(corrected.high - plain.high)).toBeLessThan(1e-9);
      }
    });

    it('solves the score equation with the variance scaled by (N − n)/(N − 1)', () => {
      const n = 60;
      const population = 150;
      const { p, low, high } = wilsonInterval(20, n, { population });
      const fpcSquared = (population - n) / (population - 1);
      for (const bound of [low, high]) {
        expect((p - bound) ** 2).toBeCloseTo((Z95 * Z95 * fpcSquared * bound * (1 - bound)) / n, 12);
      }
    });

    it('stays inside the plain interval and widens as N grows', () => {
      const plain = wilsonInterval(40, 100);
      let previousWidth = 0;
      for (const population of [100, 101, 120, 200, 1000, 100000]) {
        const { p, low, high } = wilsonInterval(40, 100, { population });
        expect(low).toBeGreaterThanOrEqual(plain.low);
        expect(high).toBeLessThanOrEqual(plain.high);
        expect(low).toBeLessThanOrEqual(p);
        expect(high).toBeGreaterThanOrEqual(p);
        expect(high - low).toBeGreaterThanOrEqual(previousWidth);
        previousWidth = high - low;
      }
    });

    it('rejects a population smaller than n or not an integer', () => {
      expect(() => wilsonInterval(3, 10, { population: 9 })).toThrow(RangeError);
      expect(() => wilsonInterval(3, 10, { population: 10.5 })).toThrow(RangeError);
      expect(() => wilsonInterval(3, 10, { population: 0 })).toThrow(RangeError);
    });
  });

  it.each([
    [0, 0],
    [1, -1],
    [-1, 10],
    [11, 10],
    [1.5, 10],
    [1, 10.5],
    [Number.NaN, 10],
  ])('throws RangeError for x = %p, n = %p', (x, n) => {
    expect(() => wilsonInterval(x, n)).toThrow(RangeError);
  });

  it('throws RangeError for a non-positive z', () => {
    expect(() => wilsonInterval(3, 10, { z: 0 })).toThrow(RangeError);
    expect(() => wilsonInterval(3, 10, { z: -1.96 })).toThrow(RangeError);
  });
});

describe('shareIndicator', () => {
  it('reports the share, its Wilson interval, n and the excluded answers', () => {
    const result = shareIndicator({ positive: 70, base: 100, excluded: 12 });
    expect(result.n).toBe(100);
    expect(result.value).toBeCloseTo(0.7, 10);
    expect(result.low).toBeCloseTo(0.6042, 4);
    expect(result.high).toBeCloseTo(0.7811, 4);
    expect(result.excluded).toBe(12);
    expect(result).not.toHaveProperty('responseRate');
  });

  it('reports the response rate over the population and applies the correction', () => {
    const result = shareIndicator({ positive: 70, base: 100, excluded: 12 }, { population: 400 });
    // 100 in the base and 12 "don't know" answered out of 400 homes.
    expect(result.responseRate).toBeCloseTo(112 / 400, 12);
    const corrected = wilsonInterval(70, 100, { population: 400 });
    expect(result.low).toBeCloseTo(corrected.low, 12);
    expect(result.high).toBeCloseTo(corrected.high, 12);
    expect(result.low).toBeGreaterThan(0.6042);
  });

  it('gives null value and bounds for an empty base, still with the response rate', () => {
    expect(shareIndicator({ positive: 0, base: 0, excluded: 3 }, { population: 50 })).toEqual({
      n: 0,
      value: null,
      low: null,
      high: null,
      excluded: 3,
      responseRate: 0.06,
    });
  });

  it('rejects impossible counts and a population below the respondents', () => {
    expect(() => shareIndicator({ positive: 11, base: 10, excluded: 0 })).toThrow(RangeError);
    expect(() => shareIndicator({ positive: -1, base: 10, excluded: 0 })).toThrow(RangeError);
    expect(() => shareIndicator({ positive: 1, base: 10, excluded: 0.5 })).toThrow(RangeError);
    expect(() => shareIndicator({ positive: 1, base: 10, excluded: 5 }, { population: 12 })).toThrow(
      RangeError,
    );
  });
});

describe('npsCategory', () => {
  it.each([
    [0, 'detractor'],
    [6, 'detractor'],
    [7, 'passive'],
    [8, 'passive'],
    [9, 'promoter'],
    [10, 'promoter'],
  ])('classifies %i as %s', (score, category) => {
    expect(npsCategory(score)).toBe(category);
  });

  it.each([-1, 11, 7.5, Number.NaN])('throws RangeError for %p', (score) => {
    expect(() => npsCategory(score)).toThrow(RangeError);
  });
});

describe('npsIndicator', () => {
  it('matches a hand-computed adjusted Wald example: 50 promoters, 30 passives, 20 detractors', () => {
    // NPS = 100·(0.5 − 0.2) = 30. Adjusted: n' = 103, P' = 50.75/103, D' = 20.75/103,
    // centre = 100·(P' − D') = 29.126214; variance (P' + D' − (P' − D')²)/n' = 0.609342/103,
    // half-width = 1.959964·100·√(0.0059159) = 15.075084, so the interval is [14.051130, 44.201297].
    const result = npsIndicator({ promoters: 50, passives: 30, detractors: 20 });
    expect(result.n).toBe(100);
    expect(result.value).toBeCloseTo(30, 10);
    expect(result.low).toBeCloseTo(14.05113, 4);
    expect(result.high).toBeCloseTo(44.201297, 4);
    expect(result.excluded).toBe(0);
  });

  it('leaves excluded answers out of n and applies the finite population correction', () => {
    // Same counts as above; N = 200 gives fpc² = 100/199 = 0.502513, fpc = 0.708881. Added counts
    // shrink by fpc²: n' = 101.507538, P' = 50.376884/n' = 0.496287, D' = 20.376884/n' = 0.200743,
    // centre 29.554455; half-width 1.959964·0.708881·100·√((P' + D' − (P' − D')²)/n') = 10.767738.
    const result = npsIndicator(
      { promoters: 50, passives: 30, detractors: 20, excluded: 10 },
      { population: 200 },
    );
    expect(result.n).toBe(100);
    expect(result.excluded).toBe(10);
    expect(result.responseRate).toBeCloseTo(110 / 200, 12);
    expect(result.low).toBeCloseTo(18.786717, 4);
    expect(result.high).toBeCloseTo(40.322194, 4);
  });

  it('is the score itself at a census, and narrows towards it as the sample nears the stock', () => {
    // Five promoters out of five homes: nothing is left to estimate.
    expect(npsIndicator({ promoters: 5, passives: 0, detractors: 0 }, { population: 5 })).toMatchObject({
      value: 100,
      low: 100,
      high: 100,
    });
    const mixed = { promoters: 6, passives: 2, detractors: 2 };
    expect(npsIndicator(mixed, { population: 10 })).toMatchObject({ value: 40, low: 40, high: 40 });
    const widths = [11, 20, 100, 100000].map((population) => {
      const { low, high } = npsIndicator(mixed, { population });
      expect(low!).toBeLessThanOrEqual(40);
      expect(high!).toBeGreaterThanOrEqual(40);
      return high! - low!;
    });
    for (let i = 1; i < widths.length; i++) expect(widths[i]!).toBeGreaterThan(widths[i - 1]!);
    // A very large stock gives the interval without the correction.
    const open = npsIndicator(mixed);
    expect(widths.at(-1)!).toBeCloseTo(open.high! - open.low!, 2);
  });

  it('keeps a width when every answer falls in one group, where the Wald interval had none', () => {
    // 10 promoters of 10: Wald says 100 ± 0. Adjusted: centre 76.923077, half-width 29.419526.
    const result = npsIndicator({ promoters: 10, passives: 0, detractors: 0 });
    expect(result.value).toBe(100);
    expect(result.high).toBe(100);
    expect(result.low).toBeCloseTo(47.503551, 4);
  });

  it('clamps the interval to [−100, 100]', () => {
    // P = 0.9, D = 0: centre 69.230769, half-width 31.151543; the top is clamped.
    const result = npsIndicator({ promoters: 9, passives: 1, detractors: 0 });
    expect(result.value).toBeCloseTo(90, 10);
    expect(result.high).toBe(100);
    expect(result.low).toBeCloseTo(38.079227, 4);
    const mirrored = npsIndicator({ promoters: 0, passives: 1, detractors: 9 });
    expect(mirrored.low).toBe(-100);
    expect(mirrored.high).toBeCloseTo(-38.079227, 4);
  });

  it('keeps low ≤ value ≤ high within [−100, 100] for random counts', () => {
    const random = seededRandom(5);
    for (let i = 0; i < 200; i++) {
      const counts = {
        promoters: Math.floor(random() * 50),
        passives: Math.floor(random() * 50),
        detractors: Math.floor(random() * 50) + 1,
      };
      const { value, low, high } = npsIndicator(counts);
      expect(low).not.toBeNull();
      expect(high).not.toBeNull();
      expect(value).not.toBeNull();
      if (low === null || high === null || value === null) continue;
      expect(low).toBeGreaterThanOrEqual(-100);
      expect(high).toBeLessThanOrEqual(100);
      expect(low).toBeLessThanOrEqual(value);
      expect(value).toBeLessThanOrEqual(high);
    }
  });

  it('gives null value and bounds when nobody is in the base', () => {
    expect(npsIndicator({ promoters: 0, passives: 0, detractors: 0, excluded: 2 })).toEqual({
      n: 0,
      value: null,
      low: null,
      high: null,
      excluded: 2,
    });
  });

  it('rejects invalid counts', () => {
    expect(() => npsIndicator({ promoters: -1, passives: 0, detractors: 0 })).toThrow(RangeError);
    expect(() => npsIndicator({ promoters: 1.5, passives: 0, detractors: 0 })).toThrow(RangeError);
    expect(() => npsIndicator({ promoters: 5, passives: 5, detractors: 5 }, { population: 14 })).toThrow(
      RangeError,
    );
  });
});

describe('studentTQuantile', () => {
  it.each([
    [1, 12.706],
    [2, 4.303],
    [5, 2.571],
    [10, 2.228],
    [30, 2.042],
    [1000, 1.962],
  ])('gives the 97.5%% quantile for df = %i as %f', (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 3);
  });

  it('agrees with the closed forms for df = 1 and df = 2', () => {
    for (const probability of [0.6, 0.9, 0.975, 0.995, 0.9999]) {
      // df = 1 is the Cauchy distribution; df = 2 has t = (2p − 1)/√(2p(1 − p)).
      expect(studentTQuantile(probability, 1)).toBeCloseTo(Math.tan(Math.PI * (probability - 0.5)), 8);
      expect(studentTQuantile(probability, 2)).toBeCloseTo(
        (2 * probability - 1) / Math.sqrt(2 * probability * (1 - probability)),
        8,
      );
    }
  });

  it('approaches the normal quantile as df grows', () => {
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(Z95, 5);
  });

  it('is antisymmetric around the median', () => {
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0.025, 7)).toBeCloseTo(-studentTQuantile(0.975, 7), 10);
  });

  it('rejects probabilities outside (0, 1) and non-positive df', () => {
    expect(() => studentTQuantile(0, 5)).toThrow(RangeError);
    expect(() => studentTQuantile(1, 5)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, Infinity)).toThrow(RangeError);
  });
});

describe('meanFromCounts', () => {
  it('equals meanIndicator over the expanded answers', () => {
    const counts = { '1': 3, '2': 1, '4': 6, '5': 10 };
    const values = Object.entries(counts).flatMap(([k, c]) => Array<number>(c).fill(Number(k)));
    expect(meanFromCounts(counts)).toEqual(meanIndicator(values));
  });

  it('applies the finite population correction to the standard error', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, sd 2.138090, t(0.975, 7) = 2.364624.
    // N = 20: fpc = √(12/19) = 0.794719, half-width 2.364624·0.794719·2.138090/√8 = 1.420551.
    const counts = { '2': 1, '4': 3, '5': 2, '7': 1, '9': 1 };
    const plain = meanFromCounts(counts);
    const corrected = meanFromCounts(counts, { population: 20 });
    expect(corrected.value).toBe(5);
    expect(corrected.high! - 5).toBeCloseTo((plain.high! - 5) * Math.sqrt(12 / 19), 10);
    expect(corrected.high! - 5).toBeCloseTo(1.420551, 5);
    // A census has no sampling error.
    expect(meanFromCounts(counts, { population: 8 })).toMatchObject({ low: 5, high: 5 });
    expect(() => meanFromCounts(counts, { population: 7 })).toThrow(RangeError);
  });

  it('rejects answer values that are not numbers and counts that are not whole', () => {
    expect(() => meanFromCounts({ dont_know: 2 })).toThrow(RangeError);
    expect(() => meanFromCounts({ '': 2 })).toThrow(RangeError);
    expect(() => meanFromCounts({ '3': 1.5 })).toThrow(RangeError);
  });
});

describe('meanIndicator', () => {
  it('uses the sample standard deviation and a t interval', () => {
    // Mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sd = √(32/7) = 2.138090.
    // t(0.975, 7) = 2.364624; half-width = 2.364624·2.138090/√8 = 1.787500.
    const result = meanIndicator([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(result.n).toBe(8);
    expect(result.value).toBeCloseTo(5, 10);
    expect(result.sd).toBeCloseTo(2.13809, 4);
    expect(result.low).toBeCloseTo(3.2125, 4);
    expect(result.high).toBeCloseTo(6.7875, 4);
  });

  it('uses a normal interval when z is given', () => {
    // sd = √(32/7); half-width = 1.959964·2.138090/√8 = 1.481598.
    const result = meanIndicator([2, 4, 4, 4, 5, 5, 7, 9], { z: Z95 });
    expect(result.low).toBeCloseTo(5 - 1.4816, 4);
    expect(result.high).toBeCloseTo(5 + 1.4816, 4);
  });

  it('gives a zero-width interval when every value is the same', () => {
    expect(meanIndicator([3, 3, 3])).toEqual({ n: 3, value: 3, low: 3, high: 3, sd: 0 });
  });

  it('has no interval or sd for a single value and nothing for none', () => {
    expect(meanIndicator([4])).toEqual({ n: 1, value: 4, low: null, high: null, sd: null });
    expect(meanIndicator([])).toEqual({ n: 0, value: null, low: null, high: null, sd: null });
  });

  it('rejects non-finite values', () => {
    expect(() => meanIndicator([1, Number.NaN])).toThrow(RangeError);
    expect(() => meanIndicator([1, Infinity])).toThrow(RangeError);
  });
});

describe('quantile', () => {
  it('interpolates linearly (type 7)', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(quantile([1, 2, 3, 4], 0.75)).toBeCloseTo(3.25, 12);
    // h = 3·0.9 = 2.7: 30 + 0.7·(40 − 30).
    expect(quantile([10, 20, 30, 40], 0.9)).toBeCloseTo(37, 12);
  });

  it('returns the extremes at q = 0 and q = 1 and the only value of a singleton', () => {
    expect(quantile([3, 8, 9], 0)).toBe(3);
    expect(quantile([3, 8, 9], 1)).toBe(9);
    expect(quantile([5], 0.3)).toBe(5);
  });

  it('rejects empty, unsorted or non-finite input and q outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([2, 1], 0.5)).toThrow(RangeError);
    expect(() => quantile([1, Number.NaN], 0.5)).toThrow(RangeError);
    expect(() => quantile([1, 2], 1.1)).toThrow(RangeError);
    expect(() => quantile([1, 2], -0.1)).toThrow(RangeError);
  });
});

describe('distributionSummary', () => {
  it('summarises unsorted values', () => {
    expect(distributionSummary([4, 1, 3, 2])).toEqual({
      count: 4,
      min: 1,
      q1: 1.75,
      median: 2.5,
      q3: 3.25,
      max: 4,
    });
    // h = 2·0.25 = 0.5 and 2·0.75 = 1.5 → 1.5 and 2.5.
    expect(distributionSummary([3, 1, 2])).toEqual({ count: 3, min: 1, q1: 1.5, median: 2, q3: 2.5, max: 3 });
  });

  it('does not modify its input', () => {
    const values = [3, 1, 2];
    distributionSummary(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('sorts numerically, not as strings', () => {
    expect(distributionSummary([10, 9, 100]).median).toBe(10);
  });

  it('gives nulls and count 0 for no values', () => {
    expect(distributionSummary([])).toEqual({
      count: 0,
      min: null,
      q1: null,
      median: null,
      q3: null,
      max: null,
    });
  });
});

describe('percentileRank', () => {
  it('counts values below plus half of the ties', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentileRank(values, 3)).toBeCloseTo(50, 12); // (2 + ½)/5
    expect(percentileRank(values, 1)).toBeCloseTo(10, 12); // (0 + ½)/5
    expect(percentileRank(values, 5)).toBeCloseTo(90, 12); // (4 + ½)/5
    expect(percentileRank([1, 2, 2, 2, 5], 2)).toBeCloseTo(50, 12); // (1 + 3/2)/5
  });

  it('ranks values outside the set or between its members', () => {
    expect(percentileRank([1, 2, 3, 4, 5], 0)).toBe(0);
    expect(percentileRank([1, 2, 3, 4, 5], 6)).toBe(100);
    expect(percentileRank([1, 2, 3, 4, 5], 3.5)).toBeCloseTo(60, 12);
  });

  it('averages 50 over the members of any set', () => {
    const random = seededRandom(9);
    const values = Array.from({ length: 60 }, () => Math.floor(random() * 10));
    const ranks = values.map((value) => percentileRank(values, value));
    expect(ranks.reduce((sum, rank) => sum + rank, 0) / ranks.length).toBeCloseTo(50, 10);
  });

  it('rejects an empty set and non-finite input', () => {
    expect(() => percentileRank([], 1)).toThrow(RangeError);
    expect(() => percentileRank([1, 2], Number.NaN)).toThrow(RangeError);
    expect(() => percentileRank([1, Number.NaN], 1)).toThrow(RangeError);
  });
});

describe('applySuppression', () => {
  const reasonsOf = (result: Map<string, 'primary' | 'secondary' | null>) => Object.fromEntries(result);

  it('suppresses nothing when every cell reaches its threshold', () => {
    const result = applySuppression(
      [
        { key: 'total', n: 60, minN: 10 },
        { key: 'a', n: 25, minN: 10 },
        { key: 'b', n: 35, minN: 10 },
      ],
      { totalKey: 'total' },
    );
    expect(reasonsOf(result)).toEqual({ total: null, a: null, b: null });
  });

  it('adds one secondary suppression, the part of smallest housing stock, when one part is small', () => {
    const result = applySuppression(
      [
        { key: 'total', n: 80, minN: 10 },
        { key: 'north', n: 40, minN: 10, size: 900 },
        { key: 'east', n: 4, minN: 10, size: 100 },
        { key: 'south', n: 15, minN: 10, size: 300 },
        { key: 'west', n: 21, minN: 10, size: 500 },
      ],
      { totalKey: 'total' },
    );
    expect(reasonsOf(result)).toEqual({
      total: null,
      north: null,
      east: 'primary',
      south: 'secondary',
      west: null,
    });
  });

  it('judges each part against its own threshold when choosing the secondary cell', () => {
    const result = applySuppression(
      [
        { key: 'total', n: 50, minN: 10 },
        { key: 'zeta', n: 20, minN: 10, size: 500 },
        { key: 'small', n: 2, minN: 10, size: 50 },
        { key: 'alpha', n: 20, minN: 10, size: 400 },
        { key: 'mid', n: 8, minN: 5, size: 200 },
      ],
      { totalKey: 'total' },
    );
    // 'mid' has n 8 but its own threshold is 5, so it is published and is the smallest candidate.
    expect(reasonsOf(result)).toEqual({
      total: null,
      zeta: null,
      small: 'primary',
      alpha: null,
      mid: 'secondary',
    });
  });

  it('without sizes, or between equal ones, chooses by key order, not input order', () => {
    const tied = applySuppression(
      [
        { key: 'total', n: 42, minN: 10 },
        { key: 'zeta', n: 20, minN: 10 },
        { key: 'small', n: 2, minN: 10 },
        { key: 'alpha', n: 20, minN: 10 },
      ],
      { totalKey: 'total' },
    );
    expect(reasonsOf(tied)).toEqual({ total: null, zeta: null, small: 'primary', alpha: 'secondary' });
  });

  it('keeps its secondary choice as answers arrive, so two releases do not give a small part away', () => {
    // Two releases of one organisation's period, one answer apart (it went to 'c'). Had the choice
    // followed n, 'c' (19) would be hidden first and 'a' (20) once 'c' reached 20: the second
    // release would publish 'c', the first 'a', and b = 43 − 20 − 20 = 3 answers.
    const release = (c: number) =>
      reasonsOf(
        applySuppression(
          [
            { key: 'total', n: 20 + 3 + c, minN: 10 },
            { key: 'a', n: 20, minN: 10, size: 600 },
            { key: 'b', n: 3, minN: 10, size: 40 },
            { key: 'c', n: c, minN: 10, size: 450 },
          ],
          { totalKey: 'total' },
        ),
      );
    for (const c of [19, 20, 21, 60])
      expect(release(c)).toEqual({ total: null, a: null, b: 'primary', c: 'secondary' });
    // Parts of unknown size come after those of known size.
    const mixed = applySuppression(
      [
        { key: 'total', n: 60, minN: 10 },
        { key: 'a', n: 12, minN: 10 },
        { key: 'b', n: 3, minN: 10 },
        { key: 'c', n: 45, minN: 10, size: 2000 },
      ],
      { totalKey: 'total' },
    );
    expect(reasonsOf(mixed)).toEqual({ total: null, a: null, b: 'primary', c: 'secondary' });
  });

  it('adds no secondary suppression when two small parts together reach the minimum', () => {
    const result = applySuppression(
      [
        { key: 'total', n: 50, minN: 10 },
        { key: 'a', n: 4, minN: 10 },
        { key: 'b', n: 6, minN: 10 },
        { key: 'c', n: 40, minN: 10 },
      ],
      { totalKey: 'total' },
    );
    expect(reasonsOf(result)).toEqual({ total: null, a: 'primary', b: 'primary', c: null });
  });

  it('hides one more part when the small parts pooled stay under the minimum', () => {
    // total − c − d would give the pooled 8 answers of a and b.
    const result = applySuppression(
      [
        { key: 'total', n: 70, minN: 10 },
        { key: 'a', n: 3, minN: 10 },
        { key: 'b', n: 5, minN: 10 },
        { key: 'c', n: 42, minN: 10, size: 1000 },
        { key: 'd', n: 20, minN: 10, size: 400 },
      ],
      { totalKey: 'total' },
    );
    expect(reasonsOf(result)).toEqual({ total: null, a: 'primary', b: 'primary', c: null, d: 'secondary' });
  });

  it('does not count an empty hidden part (all "don’t know") as protection', () => {
    // 'dk' has no answers in the base; without a second hidden part 'small' = total − big.
    const result = applySuppression(
      [
        { key: 'total', n: 34, minN: 10 },
        { key: 'dk', n: 0, minN: 10 },
        { key: 'small', n: 4, minN: 10 },
        { key: 'big', n: 30, minN: 10 },
      ],
      { totalKey: 'total' },
    );
    expect(reasonsOf(result)).toEqual({ total: null, dk: 'primary', small: 'primary', big: 'secondary' });
  });

  it('suppresses the total when the only part is small but the total is not', () => {
    // The single part equals the total, so publishing the total would reveal it.
    const result = applySuppression(
      [
        { key: 'total', n: 8, minN: 5 },
        { key: 'only', n: 8, minN: 10 },
      ],
      { totalKey: 'total' },
    );
    expect(reasonsOf(result)).toEqual({ total: 'secondary', only: 'primary' });
  });

  it('suppresses the total when every other part is empty', () => {
    const result = applySuppression(
      [
        { key: 'total', n: 12, minN: 10 },
        { key: 'a', n: 6, minN: 10 },
        { key: 'b', n: 0, minN: 0 },
        { key: 'c', n: 6, minN: 5 },
      ],
      { totalKey: 'total' },
    );
    // 'b' is empty and cannot hide anything; 'c' is the smallest usable part.
    expect(reasonsOf(result)).toEqual({ total: null, a: 'primary', b: null, c: 'secondary' });
    const onlyEmpty = applySuppression(
      [
        { key: 'total', n: 12, minN: 10 },
        { key: 'a', n: 6, minN: 10 },
        { key: 'b', n: 0, minN: 0 },
      ],
      { totalKey: 'total' },
    );
    expect(reasonsOf(onlyEmpty)).toEqual({ total: 'secondary', a: 'primary', b: null });
  });

  it('adds nothing when the total itself is suppressed', () => {
    const result = applySuppression(
      [
        { key: 'total', n: 9, minN: 10 },
        { key: 'a', n: 2, minN: 1 },
        { key: 'b', n: 7, minN: 10 },
      ],
      { totalKey: 'total' },
    );
    expect(reasonsOf(result)).toEqual({ total: 'primary', a: null, b: 'primary' });
  });

  it('applies only primary suppression without a total', () => {
    const result = applySuppression([
      { key: 'a', n: 3, minN: 10 },
      { key: 'b', n: 30, minN: 10 },
      { key: 'c', n: 10, minN: 10 },
    ]);
    expect(reasonsOf(result)).toEqual({ a: 'primary', b: null, c: null });
  });

  it('never leaves a small group recoverable beside a published total, alone or pooled', () => {
    const random = seededRandom(21);
    for (let i = 0; i < 200; i++) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, index) => ({
        key: `part-${index}`,
        n: Math.floor(random() * 30),
        minN: 10,
      }));
      const total = { key: 'total', n: parts.reduce((sum, part) => sum + part.n, 0), minN: 10 };
      const result = applySuppression([total, ...parts], { totalKey: 'total' });
      if (result.get('total') !== null) continue;
      const hidden = parts.filter((part) => result.get(part.key) !== null && part.n > 0);
      if (hidden.length === 0) continue;
      expect(hidden.length).toBeGreaterThanOrEqual(2);
      expect(hidden.reduce((sum, part) => sum + part.n, 0)).toBeGreaterThanOrEqual(total.minN);
    }
  });

  it('rejects duplicate keys, an unknown total and invalid n', () => {
    expect(() =>
      applySuppression([
        { key: 'a', n: 1, minN: 10 },
        { key: 'a', n: 2, minN: 10 },
      ]),
    ).toThrow(RangeError);
    expect(() => applySuppression([{ key: 'a', n: 1, minN: 10 }], { totalKey: 'total' })).toThrow(RangeError);
    expect(() => applySuppression([{ key: 'a', n: -1, minN: 10 }])).toThrow(RangeError);
    expect(() => applySuppression([{ key: 'a', n: 1, minN: Number.NaN }])).toThrow(RangeError);
  });
});
