import { changeBeyondNoise, goalProgress, periodMidpoint } from '../../src/modules/plans/progress';

const m = (period: string, value: number, low: number | null = null, high: number | null = null) => ({
  period,
  value,
  low,
  high,
});

describe('periods as points in time', () => {
  it('places years, halves, quarters and months at their middles', () => {
    expect(periodMidpoint('2025')).toBe(2025.5);
    expect(periodMidpoint('2025-H1')).toBe(2025.25);
    expect(periodMidpoint('2025-H2')).toBe(2025.75);
    expect(periodMidpoint('2025-Q4')).toBe(2025.875);
    expect(periodMidpoint('2025-03')).toBeCloseTo(2025 + 2.5 / 12, 12);
    expect(() => periodMidpoint('25')).toThrow(RangeError);
  });
});

describe('change beyond sampling noise', () => {
  it('compares the difference with 1.96 combined standard errors from the intervals', () => {
    // se = 0.05/1.96 each; combined 1.96·√2·0.05/1.96 = 0.0707: a change of 0.07 is inside, 0.08 beyond.
    expect(changeBeyondNoise(m('2024', 0.6, 0.55, 0.65), m('2025', 0.67, 0.62, 0.72))).toBe(false);
    expect(changeBeyondNoise(m('2024', 0.6, 0.55, 0.65), m('2025', 0.68, 0.63, 0.73))).toBe(true);
    expect(changeBeyondNoise(m('2024', 0.6), m('2025', 0.9))).toBeNull();
  });
});

describe('goal progress', () => {
  const base = {
    baseline: m('2024', 0.06),
    target: { value: 0.03, period: '2026' },
    direction: 'lower' as const,
  };

  it('is not yet measured without a value after the baseline', () => {
    expect(goalProgress({ ...base, measurements: [m('2024', 0.06), m('2023', 0.1)] }).status).toBe(
      'not_yet_measured',
    );
  });

  it('is on track when the way covered keeps up with the time elapsed, off track when it does not', () => {
    // Half the time (2024.5 → 2025.5 of 2024.5 → 2026.5) and 2.0 of 3.0 points: on track.
    const on = goalProgress({ ...base, measurements: [m('2025', 0.04)] });
    expect(on).toMatchObject({ status: 'on_track', elapsed: 0.5 });
    expect(on.covered).toBeCloseTo(2 / 3, 12);
    expect(goalProgress({ ...base, measurements: [m('2025', 0.05)] }).status).toBe('off_track');
    // Going the wrong way is off track.
    expect(goalProgress({ ...base, measurements: [m('2025', 0.07)] }).status).toBe('off_track');
  });

  it('is achieved when the latest value reaches the target, and off track when the target period passed without it', () => {
    expect(goalProgress({ ...base, measurements: [m('2025', 0.05), m('2026', 0.03)] }).status).toBe(
      'achieved',
    );
    expect(goalProgress({ ...base, measurements: [m('2025', 0.03), m('2026', 0.035)] }).status).toBe(
      'off_track',
    );
    // Values after the target period do not count.
    expect(goalProgress({ ...base, measurements: [m('2027', 0.01)] }).status).toBe('not_yet_measured');
  });

  it('takes a neutral indicator’s direction from baseline to target', () => {
    const neutral = {
      baseline: m('2024', 10),
      target: { value: 20, period: '2026' },
      direction: 'neutral' as const,
    };
    expect(goalProgress({ ...neutral, measurements: [m('2025', 21)] }).status).toBe('achieved');
    expect(goalProgress({ ...neutral, measurements: [m('2025', 16)] }).status).toBe('on_track');
  });
});
