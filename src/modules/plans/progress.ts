import { surveyChange } from '../practices/evidence';

/** A measured value, with its 95% interval where it comes from a sample. */
export interface Measurement {
  period: string;
  value: number;
  low: number | null;
  high: number | null;
}

/**
 * How a goal stands. `withheld`: the baseline is not published to the caller (suppressed), so
 * neither is the progress from it.
 */
export type ProgressStatus = 'achieved' | 'on_track' | 'off_track' | 'not_yet_measured' | 'withheld';

/** The result of {@link goalProgress}. */
export interface Progress {
  status: ProgressStatus;
  /** The latest value measured after the baseline, up to the target period. */
  latest: Measurement | null;
  /** Share of the way from baseline to target covered (may be negative or above 1). */
  covered: number | null;
  /** Share of the time from baseline to target period that has passed at the latest value. */
  elapsed: number | null;
  /**
   * Whether the change from the baseline is larger than sampling noise: both intervals known and
   * |difference| > 1.96·√(se₁² + se₂²). Null when a value has no interval (a reported census
   * figure has no sampling noise, so the question does not arise).
   */
  beyondNoise: boolean | null;
}

/**
 * A period as a point in time, in years: the middle of the year, half, quarter or month it
 * names (2025 → 2025.5, 2025-H1 → 2025.25, 2025-Q4 → 2025.875, 2025-03 → 2025 + 2.5/12).
 */
export function periodMidpoint(period: string): number {
  const m = /^(\d{4})(?:-(H[12]|Q[1-4]|\d{2}))?$/.exec(period);
  if (!m) throw new RangeError(`not a period: ${period}`);
  const year = Number(m[1]);
  const sub = m[2];
  if (!sub) return year + 0.5;
  if (sub.startsWith('H')) return year + (Number(sub[1]) - 0.5) / 2;
  if (sub.startsWith('Q')) return year + (Number(sub[1]) - 0.5) / 4;
  return year + (Number(sub) - 0.5) / 12;
}

/** Is the difference of two measurements larger than their combined sampling noise? (The rule good-practice evidence uses.) */
export function changeBeyondNoise(a: Measurement, b: Measurement): boolean | null {
  return surveyChange(a, b)?.beyondNoise ?? null;
}

/**
 * How a goal stands, from its baseline, its target and the values measured since:
 * - not yet measured: no value in a period after the baseline's (up to the target period);
 * - achieved: the latest such value reaches the target in the goal's direction;
 * - on track: not achieved, the target period not reached, and the share of the way covered is
 *   at least the share of the time elapsed (both measured from the baseline period);
 * - off track: otherwise (also when the target period has passed without reaching the target).
 * The goal's direction is the indicator's, or, for neutral indicators, the way from baseline to
 * target.
 */
export function goalProgress(goal: {
  baseline: Measurement;
  target: { value: number; period: string };
  direction: 'higher' | 'lower' | 'neutral';
  measurements: readonly Measurement[];
}): Progress {
  const { baseline, target } = goal;
  const start = periodMidpoint(baseline.period);
  const end = periodMidpoint(target.period);
  const later = goal.measurements
    .filter((m) => {
      const t = periodMidpoint(m.period);
      return t > start && t <= end;
    })
    .sort((a, b) => periodMidpoint(a.period) - periodMidpoint(b.period));
  const latest = later.at(-1) ?? null;
  if (!latest)
    return { status: 'not_yet_measured', latest: null, covered: null, elapsed: null, beyondNoise: null };
  const up =
    goal.direction === 'higher' ? true : goal.direction === 'lower' ? false : target.value >= baseline.value;
  const achieved = up ? latest.value >= target.value : latest.value <= target.value;
  const span = target.value - baseline.value;
  const covered = span === 0 ? (achieved ? 1 : 0) : (latest.value - baseline.value) / span;
  const elapsed = end > start ? (periodMidpoint(latest.period) - start) / (end - start) : 1;
  const status: ProgressStatus = achieved
    ? 'achieved'
    : elapsed < 1 && covered >= elapsed
      ? 'on_track'
      : 'off_track';
  return { status, latest, covered, elapsed, beyondNoise: changeBeyondNoise(baseline, latest) };
}
