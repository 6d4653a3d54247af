import { ValidationError } from '../../src/errors';
import { Z95 } from '../../src/modules/catalogue/statistics';
import {
  checkRepresentativeness,
  chiSquareSurvival,
  regularisedGammaQ,
} from '../../src/modules/weighting/representativeness';
import {
  marginOfErrorFor,
  planSampleSize,
  requiredMarginOfError,
} from '../../src/modules/weighting/sample-size';

describe('sample size', () => {
  it('N = 1,000 at ±5%: n₀ ≈ 384.15, n = 278', () => {
    // n₀ = z²·¼/e² = 1.959964² · 0.25 / 0.0025 = 3.841459 · 100 = 384.1459 (384.16 with z = 1.96);
    // n = 384.1459 / (1 + 383.1459/1000) = 384.1459 / 1.3831459 = 277.73, rounded up 278.
    const plan = planSampleSize({ population: 1000 });
    expect(plan.marginOfError).toBe(0.05);
    expect(plan.marginFromBands).toBe(true);
    expect(plan.unadjusted).toBeCloseTo(384.1459, 3);
    expect((1.96 * 1.96 * 0.25) / 0.0025).toBeCloseTo(384.16, 9);
    expect(plan.responsesNeeded).toBe(278);
    expect(plan.invitationsNeeded).toBeNull();
    expect(plan.unreachable).toBe(false);
    expect(plan.achieved).toBeUndefined();
  });

  it('N = 7,271 at ±4%: n₀ ≈ 600.23, n = 555', () => {
    // n₀ = 3.841459 · 0.25 / 0.0016 = 600.228; n = 600.228 / (1 + 599.228/7271) = 600.228 / 1.082414 = 554.53.
    const plan = planSampleSize({ population: 7271 });
    expect(plan.marginOfError).toBe(0.04);
    expect(plan.unadjusted).toBeCloseTo(600.228, 3);
    expect(plan.responsesNeeded).toBe(555);
  });

  it('a small estate of 50 homes: n = 45', () => {
    // n = 384.1459 / (1 + 383.1459/50) = 384.1459 / 8.662918 = 44.34, rounded up 45.
    expect(planSampleSize({ population: 50 }).responsesNeeded).toBe(45);
  });

  it('follows the margin bands by housing stock', () => {
    expect([1, 2499, 2500, 24_999, 25_000, 200_000].map(requiredMarginOfError)).toEqual([
      0.05, 0.05, 0.04, 0.04, 0.03, 0.03,
    ]);
    // An explicit target wins: N = 25,000 at ±3%: n₀ = 1067.07, n = 1067.07/(1 + 1066.07/25000) = 1023.4 → 1024.
    const plan = planSampleSize({ population: 25_000 });
    expect(plan.responsesNeeded).toBe(1024);
    expect(planSampleSize({ population: 25_000, marginOfError: 0.05 }).marginFromBands).toBe(false);
  });

  it('invitations at a response rate, capped at N with a flag when out of reach', () => {
    // 278 / 0.4 = 695 invitations.
    const reachable = planSampleSize({ population: 1000, responseRate: 0.4 });
    expect(reachable.invitationsNeeded).toBe(695);
    expect(reachable.unreachable).toBe(false);
    // 278 / 0.25 = 1112 > 1000 homes.
    const short = planSampleSize({ population: 1000, responseRate: 0.25 });
    expect(short.invitationsNeeded).toBe(1000);
    expect(short.unreachable).toBe(true);
  });

  it('the margin achieved and whether it meets the target', () => {
    // e = 1.959964 · sqrt(0.25/278 · 722/999) = 1.959964 · 0.0254937 = 0.049967.
    const met = planSampleSize({ population: 1000, achieved: 278 });
    expect(met.achieved).toEqual({
      responses: 278,
      marginOfError: expect.closeTo(Z95 * Math.sqrt((0.25 / 278) * (722 / 999)), 12),
      met: true,
      shortBy: 0,
    });
    expect(met.achieved!.marginOfError).toBeCloseTo(0.049967, 6);
    const short = planSampleSize({ population: 1000, achieved: 277 });
    expect(short.achieved!.met).toBe(false);
    expect(short.achieved!.shortBy).toBe(1);
    expect(short.achieved!.marginOfError).toBeGreaterThan(0.05);
    expect(planSampleSize({ population: 1000, achieved: 0 }).achieved!.marginOfError).toBeNull();
    expect(marginOfErrorFor(1000, 1000)).toBe(0);
  });

  it('refuses more responses than homes', () => {
    expect(() => planSampleSize({ population: 100, achieved: 101 })).toThrow(ValidationError);
  });
});

describe('chi-square survival', () => {
  it.each([
    [3.841, 1, 0.05],
    [6.635, 1, 0.01],
    [5.991, 2, 0.05],
    [7.815, 3, 0.05],
    [11.07, 5, 0.05],
    [18.307, 10, 0.05],
    [31.41, 20, 0.05],
  ])('χ² = %d with %d df has p ≈ %d', (x, df, p) => {
    expect(chiSquareSurvival(x, df)).toBeCloseTo(p, 4);
  });

  it('matches the closed form for 2 df, e^(−x/2), in both branches', () => {
    for (const x of [0.1, 1, 2.5, 4, 10, 60])
      expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 13);
  });

  it('matches the closed form for 3 df, erfc(√(x/2)) + √(2x/π)·e^(−x/2)', () => {
    // Q(3/2, y) = erfc(√y) + 2√(y/π)·e^(−y); at x = 2 (y = 1): erfc(1) = 0.157299207050285.
    expect(chiSquareSurvival(2, 3)).toBeCloseTo(
      0.157299207050285 + 2 * Math.sqrt(1 / Math.PI) * Math.exp(-1),
      12,
    );
  });

  it('is 1 at 0 and tiny far out', () => {
    expect(chiSquareSurvival(0, 4)).toBe(1);
    expect(chiSquareSurvival(200, 1)).toBeLessThan(1e-40);
    expect(regularisedGammaQ(0.5, 0)).toBe(1);
    expect(() => chiSquareSurvival(1, 0)).toThrow(RangeError);
  });
});

describe('representativeness', () => {
  const margins = {
    tenure: { rented: 900, shared: 100 },
    age_band: { '16-34': 250, '35-54': 375, '55+': 375 },
  };

  it('compares shares and tests goodness of fit', () => {
    const [tenure, age] = checkRepresentativeness(margins, {
      tenure: { rented: 80, shared: 20 },
      age_band: { '35-54': 30, '55+': 50 },
    });
    // Expected 90 and 10: χ² = 10²/90 + 10²/10 = 11.111, 1 df.
    expect(tenure!.n).toBe(100);
    expect(tenure!.chiSquare).toBeCloseTo(100 / 90 + 10, 12);
    expect(tenure!.df).toBe(1);
    expect(tenure!.pValue).toBeCloseTo(0.000858, 5);
    expect(tenure!.categories[1]).toEqual({
      category: 'shared',
      population: 100,
      populationShare: 0.1,
      respondents: 20,
      respondentShare: 0.2,
      differencePoints: expect.closeTo(10, 12),
      expected: expect.closeTo(10, 12),
    });
    // The young are missing: counted as 0. Expected 20, 30, 30: χ² = 20 + 0 + 400/30, 2 df, p = e^(−χ²/2).
    expect(age!.categories[0]).toMatchObject({ respondents: 0, respondentShare: 0, differencePoints: -25 });
    expect(age!.chiSquare).toBeCloseTo(20 + 400 / 30, 12);
    expect(age!.pValue).toBeCloseTo(Math.exp(-(20 + 400 / 30) / 2), 12);
    expect(age!.lowExpected).toBe(0);
  });

  it('a sample that mirrors the population passes', () => {
    const [tenure] = checkRepresentativeness(margins, { tenure: { rented: 45, shared: 5 } });
    expect(tenure!.chiSquare).toBe(0);
    expect(tenure!.pValue).toBe(1);
    expect(tenure!.lowExpected).toBe(0);
  });

  it('names variables and categories absent from the margins', () => {
    try {
      checkRepresentativeness(margins, { tenure: { owner: 3 }, area: { north: 4 } });
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect((err as ValidationError).details.map((d) => d.path)).toEqual([
        '/respondents/tenure/owner',
        '/respondents/area',
      ]);
    }
  });
});
