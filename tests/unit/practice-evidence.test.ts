import {
  NOISE,
  aroundPeriod,
  periodRange,
  reportedChange,
  standardError,
  surveyChange,
} from '../../src/modules/practices/evidence';

describe('periodRange', () => {
  it('turns periods into months', () => {
    expect(periodRange('2025')).toEqual({ start: 2025 * 12, end: 2025 * 12 + 11 });
    expect(periodRange('2025-H2')).toEqual({ start: 2025 * 12 + 6, end: 2025 * 12 + 11 });
    expect(periodRange('2025-Q1')).toEqual({ start: 2025 * 12, end: 2025 * 12 + 2 });
    expect(periodRange('2025-03')).toEqual({ start: 2025 * 12 + 2, end: 2025 * 12 + 2 });
    expect(periodRange('2025-Q5')).toBeNull();
  });
});

describe('aroundPeriod', () => {
  const yearly = ['2025', '2022', '2024', '2023'].map((period) => ({ period }));

  it('takes the latest before, the earliest at or after, and the latest of all', () => {
    expect(aroundPeriod(yearly, '2024')).toEqual({
      before: { period: '2023' },
      after: { period: '2024' },
      latest: { period: '2025' },
    });
  });

  it('leaves latest empty when it is the after value, and after empty when nothing follows', () => {
    expect(aroundPeriod(yearly, '2025').latest).toBeNull();
    expect(aroundPeriod(yearly, '2026')).toEqual({ before: { period: '2025' }, after: null, latest: null });
    expect(aroundPeriod(yearly, '2022').before).toBeNull();
  });

  it('a period overlapping the practice’s start is neither before nor after', () => {
    const mixed = ['2023', '2024', '2025'].map((period) => ({ period }));
    expect(aroundPeriod(mixed, '2024-Q3')).toEqual({
      before: { period: '2023' },
      after: { period: '2025' },
      latest: null,
    });
    // Quarters around a yearly practice period.
    const quarters = ['2023-Q4', '2024-Q1', '2024-Q2'].map((period) => ({ period }));
    expect(aroundPeriod(quarters, '2024')).toEqual({
      before: { period: '2023-Q4' },
      after: { period: '2024-Q1' },
      latest: { period: '2024-Q2' },
    });
  });
});

describe('surveyChange', () => {
  it('recovers the standard error from a 95% interval', () => {
    expect(standardError(0.5, 0.7)).toBeCloseTo(0.1 / 1.96, 4);
  });

  it('a share that moved more than the combined noise', () => {
    // Before 60% of 200 and after 70% of 210, with Wald intervals built here from the
    // standard errors, so the threshold must come back as 1.96·sqrt(se1² + se2²).
    const se1 = Math.sqrt((0.6 * 0.4) / 200);
    const se2 = Math.sqrt((0.7 * 0.3) / 210);
    const before = { value: 0.6, low: 0.6 - 1.96 * se1, high: 0.6 + 1.96 * se1 };
    const after = { value: 0.7, low: 0.7 - 1.96 * se2, high: 0.7 + 1.96 * se2 };
    const expected = 1.96 * Math.sqrt(se1 ** 2 + se2 ** 2);
    // se1 = 0.034641, se2 = 0.031623: threshold = 0.091930, and the change of 0.10 exceeds it.
    expect(expected).toBeCloseTo(0.09193, 5);
    const change = surveyChange(before, after, 1.96)!;
    expect(change.difference).toBeCloseTo(0.1, 10);
    expect(change.threshold).toBeCloseTo(expected, 10);
    expect(change.beyondNoise).toBe(true);
    expect(change.noise).toBe(NOISE.sampling);
  });

  it('a smaller change stays within the noise; the threshold is the half-widths combined', () => {
    // Half-widths 0.10 and 0.09: sqrt(0.01 + 0.0081) = 0.134536 > |0.06|.
    const change = surveyChange({ value: 0.6, low: 0.5, high: 0.7 }, { value: 0.66, low: 0.57, high: 0.75 })!;
    expect(change.threshold).toBeCloseTo(0.134536, 5);
    expect(change.difference).toBeCloseTo(0.06, 10);
    expect(change.beyondNoise).toBe(false);
  });

  it('NPS on its −100..100 scale, and a fall counts like a rise', () => {
    // Half-widths 10 and 8: sqrt(164) = 12.806; |−15| > 12.806.
    const change = surveyChange({ value: 35, low: 27, high: 43 }, { value: 20, low: 10, high: 30 })!;
    expect(change.difference).toBe(-15);
    expect(change.threshold).toBeCloseTo(12.806248, 5);
    expect(change.beyondNoise).toBe(true);
  });

  it('without an interval nothing is said about noise; without a value there is no change', () => {
    expect(surveyChange({ value: 0.5, low: null, high: null }, { value: 0.7, low: 0.6, high: 0.8 })).toEqual({
      difference: 0.7 - 0.5,
      noise: NOISE.unknown,
      threshold: null,
      beyondNoise: null,
    });
    expect(
      surveyChange({ value: null, low: null, high: null }, { value: 0.7, low: 0.6, high: 0.8 }),
    ).toBeNull();
  });
});

describe('reportedChange', () => {
  it('a census figure has no sampling noise', () => {
    expect(reportedChange({ value: 0.042 }, { value: 0.031 })).toEqual({
      difference: 0.031 - 0.042,
      noise: 'none (reported figure)',
      threshold: null,
      beyondNoise: null,
    });
    expect(reportedChange({ value: null }, { value: 1 })).toBeNull();
  });
});
