/**
 * The evidence shown beside a practice: its organisation's values of each linked indicator
 * before and after the practice's period, and whether the change is larger than the noise.
 * Pure, so the rules can be checked on worked examples.
 */

import { Z95 } from '../catalogue/statistics';

/** A period as a range of months since year 0: `2025` is Jan–Dec, `2025-H2` Jul–Dec, `2025-Q1` Jan–Mar. */
export interface PeriodRange {
  start: number;
  end: number;
}

const PERIOD = /^(\d{4})(?:-(?:H([12])|Q([1-4])|(0[1-9]|1[0-2])))?$/;

/** The months a period covers, or null for a string that is not a period. */
export function periodRange(period: string): PeriodRange | null {
  const m = PERIOD.exec(period);
  if (!m) return null;
  const year = Number(m[1]) * 12;
  if (m[2]) return { start: year + (Number(m[2]) - 1) * 6, end: year + Number(m[2]) * 6 - 1 };
  if (m[3]) return { start: year + (Number(m[3]) - 1) * 3, end: year + Number(m[3]) * 3 - 1 };
  if (m[4]) return { start: year + Number(m[4]) - 1, end: year + Number(m[4]) - 1 };
  return { start: year, end: year + 11 };
}

/** The values of one indicator around a practice's period. */
export interface AroundPeriod<V> {
  /** The latest value whose period ended before the practice's period began. */
  before: V | null;
  /** The earliest value whose period begins at or after the start of the practice's period. */
  after: V | null;
  /** The latest value of all, when it is later than `after`. */
  latest: V | null;
}

/**
 * Picks the values before and after a practice's period. A value whose period overlaps the
 * practice's without starting at or after it (the year 2025 around a practice of 2025-Q3)
 * describes a mix of before and after, so it is neither.
 */
export function aroundPeriod<V extends { period: string }>(
  values: readonly V[],
  period: string,
): AroundPeriod<V> {
  const practice = periodRange(period);
  if (!practice) return { before: null, after: null, latest: null };
  const dated = values
    .map((v) => ({ v, r: periodRange(v.period) }))
    .filter((x): x is { v: V; r: PeriodRange } => x.r !== null);
  // Ties between granularities: before, the shorter recent period; after, the shorter early one.
  const byEnd = [...dated].sort((a, b) => a.r.end - b.r.end || a.r.start - b.r.start);
  const byStart = [...dated].sort((a, b) => a.r.start - b.r.start || a.r.end - b.r.end);
  const before = byEnd.filter((x) => x.r.end < practice.start).at(-1)?.v ?? null;
  const after = byStart.find((x) => x.r.start >= practice.start) ?? null;
  const last = byEnd.at(-1);
  const latest = after && last && last.r.end > after.r.end ? last.v : null;
  return { before, after: after?.v ?? null, latest };
}

/** A survey value with its 95% interval, as published. */
export interface IntervalValue {
  value: number | null;
  low: number | null;
  high: number | null;
}

/**
 * The standard error recovered from a 95% interval: its half-width over z (1.96). Wilson
 * intervals of shares are slightly asymmetric; half their width is the usual approximation.
 */
export function standardError(low: number, high: number, z = Z95): number {
  return (high - low) / (2 * z);
}

/** How a change compares with the noise of its values. */
export interface Change {
  /** after − before, in the value's unit. */
  difference: number;
  /** What noise the values carry. */
  noise: string;
  /** The smallest |difference| that is beyond the noise; null when there is no such bound. */
  threshold: number | null;
  /** |difference| > threshold; null when it cannot be said. */
  beyondNoise: boolean | null;
}

/** Noise labels, also used in the API's description. */
export const NOISE = {
  sampling: 'sampling (95% intervals)',
  unknown: 'unknown (no interval)',
  none: 'none (reported figure)',
} as const;

/**
 * The change between two survey values and whether it is beyond sampling noise: the difference
 * of two independent estimates has the standard error sqrt(se1² + se2²), and the change counts
 * when |d| > z·sqrt(se1² + se2²). With se = half-width/z this is |d| > sqrt(h1² + h2²), the two
 * half-widths combined. Null when either value is missing.
 */
export function surveyChange(before: IntervalValue, after: IntervalValue, z = Z95): Change | null {
  if (before.value === null || after.value === null) return null;
  const difference = after.value - before.value;
  if (before.low === null || before.high === null || after.low === null || after.high === null)
    return { difference, noise: NOISE.unknown, threshold: null, beyondNoise: null };
  const se1 = standardError(before.low, before.high, z);
  const se2 = standardError(after.low, after.high, z);
  const threshold = z * Math.sqrt(se1 * se1 + se2 * se2);
  return { difference, noise: NOISE.sampling, threshold, beyondNoise: Math.abs(difference) > threshold };
}

/**
 * The change between two reported figures. They are counts of every case (a census), not a
 * sample, so there is no sampling noise to compare with: whether a change matters is left to
 * the reader and `beyondNoise` is null.
 */
export function reportedChange(
  before: { value: number | null },
  after: { value: number | null },
): Change | null {
  if (before.value === null || after.value === null) return null;
  return { difference: after.value - before.value, noise: NOISE.none, threshold: null, beyondNoise: null };
}
