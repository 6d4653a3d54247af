/**
 * The statistics behind every published number: intervals for shares, NPS and means, the
 * distribution summaries used for peer comparison, and small-cell suppression.
 *
 * Everything here is pure and synchronous so that a recomputation from the same counts always
 * yields the same numbers, whichever worker runs it.
 */

/** Two-sided 95% standard normal critical value, the default `z` everywhere in this module. */
export const Z95 = 1.959964;

/** A proportion with its confidence interval, all on the 0..1 scale. */
export interface ProportionInterval {
  p: number;
  low: number;
  high: number;
}

/** Options shared by the interval functions. */
export interface IntervalOptions {
  /** Normal critical value; defaults to {@link Z95}. */
  z?: number;
  /**
   * Size N of the finite population the respondents were drawn from (for a landlord: its housing
   * stock). When given, the finite population correction is applied and the response rate reported.
   */
  population?: number;
}

/** Answer counts for a share indicator ("satisfied or very satisfied" out of those who answered). */
export interface ShareCounts {
  /** Answers that count as positive. */
  positive: number;
  /** Answers that count towards the base (positive and not positive). */
  base: number;
  /** Answers outside the base, such as "don't know" or "not applicable". */
  excluded: number;
}

/** A share indicator ready for publication; value and bounds are proportions in 0..1. */
export interface ShareIndicator {
  n: number;
  value: number | null;
  low: number | null;
  high: number | null;
  excluded: number;
  /** Respondents who answered the question at all, over the population; only when it is known. */
  responseRate?: number;
}

/** Answer counts for a Net Promoter Score question, already classified by {@link npsCategory}. */
export interface NpsCounts {
  promoters: number;
  passives: number;
  detractors: number;
  /** Answers outside the base, such as "don't know". */
  excluded?: number;
}

/** An NPS indicator ready for publication; value and bounds are on the −100..100 scale. */
export interface NpsIndicator {
  n: number;
  value: number | null;
  low: number | null;
  high: number | null;
  excluded: number;
  /** Respondents who answered the question at all, over the population; only when it is known. */
  responseRate?: number;
}

/** Category of a 0..10 likelihood-to-recommend answer. */
export type NpsCategory = 'promoter' | 'passive' | 'detractor';

/** A mean with its confidence interval and the sample standard deviation. */
export interface MeanIndicator {
  n: number;
  value: number | null;
  low: number | null;
  high: number | null;
  sd: number | null;
}

/** Five-number summary used to show where an organisation sits among its peers. */
export interface DistributionSummary {
  count: number;
  min: number | null;
  q1: number | null;
  median: number | null;
  q3: number | null;
  max: number | null;
}

/** One cell of a table about to be published, with its own minimum base. */
export interface SuppressionCell {
  key: string;
  n: number;
  minN: number;
  /**
   * A size of the part that answers do not change (its housing stock), by which the secondary
   * cell is chosen; null or absent when unknown.
   */
  size?: number | null;
}

/** Why a cell is withheld, or `null` when it may be published. */
export type SuppressionReason = 'primary' | 'secondary' | null;

function assertCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

function assertFinite(values: readonly number[], name: string): void {
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`${name} must contain finite numbers only`);
  }
}

function resolveZ(z: number | undefined): number {
  const resolved = z ?? Z95;
  if (!Number.isFinite(resolved) || resolved <= 0) {
    throw new RangeError(`z must be a positive finite number, got ${resolved}`);
  }
  return resolved;
}

/**
 * sqrt((N − n)/(N − 1)), the factor by which sampling without replacement shrinks a standard error.
 * Checked here so that every indicator rejects an impossible population the same way.
 */
function finitePopulationFactor(n: number, population: number): number {
  if (!Number.isInteger(population) || population < 1) {
    throw new RangeError(`population must be a positive integer, got ${population}`);
  }
  if (population < n) {
    throw new RangeError(`population (${population}) must be at least the sample size (${n})`);
  }
  // N = n is a census; tested first because N = n = 1 would otherwise give 0/0.
  if (population === n) return 0;
  return Math.sqrt((population - n) / (population - 1));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * Wilson score interval for a proportion x/n.
 *
 * The interval is the set of true proportions π not rejected by the score test
 * |p − π| ≤ z·sqrt(π(1 − π)/n), which in closed form has
 * centre = (p + z²/2n)/(1 + z²/n) and half-width = z·sqrt(p(1 − p)/n + z²/4n²)/(1 + z²/n).
 * Unlike the Wald interval it stays inside [0, 1] and does not collapse to zero width at 0/n or n/n;
 * the result is clamped to [0, 1] only to absorb rounding.
 *
 * Finite population correction: when `population` N is given, the variance of p at π,
 * π(1 − π)/n, is multiplied by fpc² = (N − n)/(N − 1) and the score test is inverted as before.
 * That is the same as replacing z by z·fpc throughout the closed form: the z²/2n and z²/n terms of
 * the centre shrink by fpc², and the root becomes z·sqrt(fpc²·p(1 − p)/n + fpc⁴·z²/4n²). Scaling
 * only the terms under the root would leave the centre pulled towards ½, so a census (N = n)
 * would yield a zero-width interval at the wrong place; inverting the corrected test instead
 * collapses it to the point p, and for N much larger than n it tends to the plain Wilson interval.
 *
 * @param x - number of positive answers, an integer in 0..n
 * @param n - size of the base, a positive integer
 * @param opts - `z` (default {@link Z95}) and the optional population size N (an integer ≥ n)
 * @throws RangeError when n ≤ 0, x or n is not an integer, x is outside 0..n, z is not positive
 * or the population is smaller than n
 */
export function wilsonInterval(x: number, n: number, opts: IntervalOptions = {}): ProportionInterval {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`n must be a positive integer, got ${n}`);
  if (!Number.isInteger(x) || x < 0 || x > n) {
    throw new RangeError(`x must be an integer between 0 and n (${n}), got ${x}`);
  }
  const fpc = opts.population === undefined ? 1 : finitePopulationFactor(n, opts.population);
  const z = resolveZ(opts.z) * fpc;
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const halfWidth = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // At 0/n and n/n the outer bound is exactly 0 or 1 in theory; rounding could leave it a hair off.
  const low = x === 0 ? 0 : clamp(centre - halfWidth, 0, 1);
  const high = x === n ? 1 : clamp(centre + halfWidth, 0, 1);
  return { p, low, high };
}

/**
 * A share indicator: the proportion of positive answers among the base, with its Wilson interval
 * (see {@link wilsonInterval}, including the finite population correction when `population` is
 * given).
 *
 * `responseRate` is (base + excluded)/population: everyone who answered the question at all, even
 * with "don't know", over the housing stock. It is present only when the population is given.
 * An empty base yields `null` value and bounds rather than an error, because a segment without
 * answers is an ordinary state of a running survey.
 *
 * @param counts - positive answers, base and excluded answers, all non-negative integers
 * @param opts - `z` (default {@link Z95}) and the optional population size
 * @throws RangeError when a count is invalid, positive exceeds base, or base + excluded exceeds the
 * population (a response rate above 100% means the stock figure is wrong, and publishing it would
 * mislead)
 */
export function shareIndicator(counts: ShareCounts, opts: IntervalOptions = {}): ShareIndicator {
  const { positive, base, excluded } = counts;
  assertCount(positive, 'positive');
  assertCount(base, 'base');
  assertCount(excluded, 'excluded');
  if (positive > base) throw new RangeError(`positive (${positive}) cannot exceed base (${base})`);
  const result: ShareIndicator = { n: base, value: null, low: null, high: null, excluded };
  if (opts.population !== undefined) {
    finitePopulationFactor(base + excluded, opts.population);
    result.responseRate = (base + excluded) / opts.population;
  }
  if (base > 0) {
    const interval = wilsonInterval(positive, base, opts);
    result.value = interval.p;
    result.low = interval.low;
    result.high = interval.high;
  }
  return result;
}

/**
 * Classifies a 0..10 likelihood-to-recommend answer: 9–10 promoter, 7–8 passive, 0–6 detractor.
 *
 * @throws RangeError when the score is not an integer between 0 and 10
 */
export function npsCategory(score: number): NpsCategory {
  if (!Number.isInteger(score) || score < 0 || score > 10) {
    throw new RangeError(`an NPS score must be an integer between 0 and 10, got ${score}`);
  }
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

/**
 * Net Promoter Score 100·(P − D), P and D being the promoter and detractor shares among
 * n = promoters + passives + detractors (excluded answers are not in n), with the adjusted Wald
 * interval that Rocks (2016, "Interval estimation for the Net Promoter Score", The American
 * Statistician 70(4)) found to keep its coverage at small n: add 3 to n and ¾ to promoters and to
 * detractors, P' = (promoters + ¾)/(n + 3), D' = (detractors + ¾)/(n + 3), and take
 * 100·(P' − D') ± z·100·sqrt((P' + D' − (P' − D')²)/(n + 3)). The plain Wald interval, centred on
 * the raw score with the variance P + D − (P − D)², has zero width when every answer falls in one
 * category (10 promoters out of 10 would be "100 ± 0"); the adjusted one does not.
 *
 * With `population` N, as for the Wilson interval, z becomes z·fpc throughout, fpc being the finite
 * population correction sqrt((N − n)/(N − 1)): the half-width shrinks by fpc and the added counts,
 * which stand for the z²-sized adjustment, by fpc² (3·fpc² to n, ¾·fpc² to each group). At a
 * census (N = n) the interval is the score itself. The interval is clamped to [−100, 100] and, at
 * the very small n where the adjusted centre lies far from the raw score, widened to contain the
 * published value.
 *
 * @param counts - promoters, passives, detractors and optional excluded answers, non-negative
 * integers
 * @param opts - `z` (default {@link Z95}) and the optional population size, which also yields
 * `responseRate` = (n + excluded)/population
 * @throws RangeError when a count is invalid or n + excluded exceeds the population
 */
export function npsIndicator(counts: NpsCounts, opts: IntervalOptions = {}): NpsIndicator {
  const { promoters, passives, detractors } = counts;
  const excluded = counts.excluded ?? 0;
  assertCount(promoters, 'promoters');
  assertCount(passives, 'passives');
  assertCount(detractors, 'detractors');
  assertCount(excluded, 'excluded');
  const n = promoters + passives + detractors;
  const z = resolveZ(opts.z);
  const result: NpsIndicator = { n, value: null, low: null, high: null, excluded };
  let fpc = 1;
  if (opts.population !== undefined) {
    finitePopulationFactor(n + excluded, opts.population);
    fpc = finitePopulationFactor(n, opts.population);
    result.responseRate = (n + excluded) / opts.population;
  }
  if (n === 0) return result;
  const value = (100 * (promoters - detractors)) / n;
  const shrink = fpc * fpc;
  const adjusted = n + 3 * shrink;
  const p = (promoters + 0.75 * shrink) / adjusted;
  const d = (detractors + 0.75 * shrink) / adjusted;
  const centre = 100 * (p - d);
  const halfWidth = z * fpc * 100 * Math.sqrt((p + d - (p - d) ** 2) / adjusted);
  result.value = value;
  result.low = Math.min(value, clamp(centre - halfWidth, -100, 100));
  result.high = Math.max(value, clamp(centre + halfWidth, -100, 100));
  return result;
}

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, about 15 significant digits). */
function logGamma(x: number): number {
  if (x < 0.5) {
    // The series is accurate only for x ≥ ½; reflection Γ(x)Γ(1 − x) = π/sin(πx) covers the rest.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const shifted = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0] ?? 0;
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) {
    sum += (LANCZOS_COEFFICIENTS[i] ?? 0) / (shifted + i);
  }
  const t = shifted + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

const TINY = 1e-300;
const CONTINUED_FRACTION_EPSILON = 1e-15;
const CONTINUED_FRACTION_MAX_TERMS = 100_000;

/** Continued fraction for the incomplete beta function, evaluated with the modified Lentz method. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const avoidZero = (value: number): number => (Math.abs(value) < TINY ? TINY : value);
  let c = 1;
  let d = 1 / avoidZero(1 - ((a + b) * x) / (a + 1));
  let result = d;
  for (let m = 1; m <= CONTINUED_FRACTION_MAX_TERMS; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 / avoidZero(1 + even * d);
    c = avoidZero(1 + even / c);
    result *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 / avoidZero(1 + odd * d);
    c = avoidZero(1 + odd / c);
    const step = d * c;
    result *= step;
    if (Math.abs(step - 1) < CONTINUED_FRACTION_EPSILON) return result;
  }
  throw new RangeError(`incomplete beta did not converge for a = ${a}, b = ${b}`);
}

/**
 * Regularized incomplete beta I_x(a, b). Takes 1 − x separately because callers can compute it
 * without the cancellation that 1 − x suffers when x is close to 1 (large degrees of freedom).
 */
function regularizedIncompleteBeta(x: number, oneMinusX: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (oneMinusX <= 0) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(oneMinusX);
  // The continued fraction converges quickly only below this point; beyond it use the symmetry
  // I_x(a, b) = 1 − I_{1−x}(b, a).
  if (x < (a + 1) / (a + b + 2)) {
    return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  }
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, oneMinusX)) / b;
}

/** P(T > t) for t ≥ 0 under Student's t with `df` degrees of freedom. */
function studentTUpperTail(t: number, df: number): number {
  const t2 = t * t;
  return 0.5 * regularizedIncompleteBeta(df / (df + t2), t2 / (df + t2), df / 2, 0.5);
}

/**
 * Quantile of Student's t distribution: the t with P(T ≤ t) = `probability` for `df` degrees of
 * freedom.
 *
 * Computed by inverting the exact distribution function, P(T > t) = ½·I_{df/(df+t²)}(df/2, ½) with
 * I the regularized incomplete beta function, by bisection to about 1e-12 relative precision.
 * A lookup table would cover only 95% and integer df; this serves any confidence level and the
 * large bases of a city-wide survey without an approximation switch-over.
 *
 * @param probability - cumulative probability, strictly between 0 and 1 (0.975 for a two-sided 95%
 * interval)
 * @param df - degrees of freedom, a positive finite number (n − 1 for a sample mean)
 * @throws RangeError for a probability outside (0, 1) or a non-positive or non-finite df
 */
export function studentTQuantile(probability: number, df: number): number {
  if (!(probability > 0 && probability < 1)) {
    throw new RangeError(`probability must be strictly between 0 and 1, got ${probability}`);
  }
  if (!Number.isFinite(df) || df <= 0) throw new RangeError(`df must be positive and finite, got ${df}`);
  if (probability === 0.5) return 0;
  if (probability < 0.5) return -studentTQuantile(1 - probability, df);
  const tail = 1 - probability;
  let low = 0;
  let high = 1;
  while (studentTUpperTail(high, df) > tail) {
    low = high;
    high *= 2;
  }
  while (high - low > 1e-12 * high) {
    const middle = (low + high) / 2;
    if (studentTUpperTail(middle, df) > tail) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/**
 * Mean with a confidence interval from the sample standard deviation (divisor n − 1), computed
 * from counts per answer value (`{"1": 4, "5": 10}`), so a bucket's statistics never need the
 * answers themselves.
 *
 * By default the interval uses Student's t with n − 1 degrees of freedom at 95%
 * ({@link studentTQuantile}), which matters for the small bases of a single estate. Passing `z`
 * switches to a normal interval with that critical value instead. With `population` N (the
 * housing stock), the standard error is multiplied by the finite population correction
 * sqrt((N − n)/(N − 1)), as for shares and NPS; a census (N = n) has no sampling error.
 * With one answer there is no spread to estimate, so `sd`, `low` and `high` are `null`; with none,
 * every field but `n` is `null`.
 *
 * @param counts - answer value (a finite number, as text) → number of answers (a non-negative integer)
 * @param opts - `z` for a normal interval, `population` for the finite population correction
 * @throws RangeError when a value is not finite, a count is invalid, `z` is not positive or the
 * population is smaller than n
 */
export function meanFromCounts(
  counts: Readonly<Record<string, number>>,
  opts: IntervalOptions = {},
): MeanIndicator {
  let n = 0;
  let total = 0;
  const entries = Object.entries(counts).map(([k, c]) => {
    const x = Number(k);
    if (k.trim() === '' || !Number.isFinite(x))
      throw new RangeError(`answer values must be finite numbers, got '${k}'`);
    assertCount(c, `count of ${k}`);
    n += c;
    total += x * c;
    return [x, c] as const;
  });
  if (n === 0) return { n, value: null, low: null, high: null, sd: null };
  const fpc = opts.population === undefined ? 1 : finitePopulationFactor(n, opts.population);
  const mean = total / n;
  if (n === 1) return { n, value: mean, low: null, high: null, sd: null };
  // Two passes (mean first, then squared deviations) avoid the cancellation of sum-of-squares.
  let squares = 0;
  for (const [x, c] of entries) squares += c * (x - mean) ** 2;
  const sd = Math.sqrt(squares / (n - 1));
  const critical = opts.z === undefined ? studentTQuantile(0.975, n - 1) : resolveZ(opts.z);
  const halfWidth = (critical * fpc * sd) / Math.sqrt(n);
  return { n, value: mean, low: mean - halfWidth, high: mean + halfWidth, sd };
}

/**
 * {@link meanFromCounts} over a list of answers.
 *
 * @param values - the answers, finite numbers in any order
 * @param opts - `z` for a normal interval, `population` for the finite population correction
 * @throws RangeError when a value is not finite or `z` is not positive
 */
export function meanIndicator(values: readonly number[], opts: IntervalOptions = {}): MeanIndicator {
  assertFinite(values, 'values');
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return meanFromCounts(counts, opts);
}

function elementAt(values: readonly number[], index: number): number {
  const value = values[index];
  if (value === undefined) throw new RangeError(`index ${index} is outside the array`);
  return value;
}

/**
 * Sample quantile by Hyndman & Fan type 7, the default of R's `quantile()` and NumPy's
 * `percentile()`: with h = (n − 1)·q, interpolate linearly between the sorted values at
 * floor(h) and ceil(h) (zero-based). So q = 0 is the minimum, q = 1 the maximum, and [1, 2, 3, 4]
 * has quartiles 1.75, 2.5 and 3.25.
 *
 * @param sortedValues - finite numbers sorted ascending; checked, since an unsorted input would
 * silently give a wrong answer
 * @param q - probability in [0, 1]
 * @throws RangeError when the array is empty, unsorted or not finite, or q is outside [0, 1]
 */
export function quantile(sortedValues: readonly number[], q: number): number {
  if (sortedValues.length === 0) throw new RangeError('quantile of an empty array is undefined');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be between 0 and 1, got ${q}`);
  assertFinite(sortedValues, 'sortedValues');
  for (let i = 1; i < sortedValues.length; i++) {
    if (elementAt(sortedValues, i) < elementAt(sortedValues, i - 1)) {
      throw new RangeError('sortedValues must be sorted ascending');
    }
  }
  const h = (sortedValues.length - 1) * q;
  const lowerIndex = Math.floor(h);
  const lower = elementAt(sortedValues, lowerIndex);
  if (lowerIndex === h) return lower;
  const upper = elementAt(sortedValues, lowerIndex + 1);
  return lower + (h - lowerIndex) * (upper - lower);
}

/**
 * Minimum, quartiles (type 7, see {@link quantile}), median and maximum of a set of values, for
 * showing a distribution instead of a league table. An empty set gives `count` 0 and `null`
 * elsewhere, since a peer group may have no unsuppressed values.
 *
 * @param values - finite numbers in any order; the input array is not modified
 * @throws RangeError when a value is not finite
 */
export function distributionSummary(values: readonly number[]): DistributionSummary {
  assertFinite(values, 'values');
  if (values.length === 0) return { count: 0, min: null, q1: null, median: null, q3: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: elementAt(sorted, 0),
    q1: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    q3: quantile(sorted, 0.75),
    max: elementAt(sorted, sorted.length - 1),
  };
}

/**
 * Percentile rank of x among values, by the mid-rank definition:
 * 100·(number of values strictly below x + ½·number equal to x)/number of values.
 * Counting ties as half below and half above keeps organisations with the same value on the same
 * rank and makes the ranks of a set average 50, so no one is ranked 0 or 100 merely for being tied.
 * x need not be one of the values.
 *
 * @param values - finite numbers in any order
 * @param x - the value to rank
 * @returns a number in [0, 100]
 * @throws RangeError when values is empty or contains a non-finite number, or x is not finite
 */
export function percentileRank(values: readonly number[], x: number): number {
  if (values.length === 0) throw new RangeError('percentile rank among no values is undefined');
  assertFinite(values, 'values');
  if (!Number.isFinite(x)) throw new RangeError(`x must be finite, got ${x}`);
  let below = 0;
  let equal = 0;
  for (const value of values) {
    if (value < x) below++;
    else if (value === x) equal++;
  }
  return (100 * (below + equal / 2)) / values.length;
}

/**
 * Percentile rank in an indicator's direction: for `higher` (better) the share of values below
 * x plus half of those equal ({@link percentileRank}); for `lower` the share above plus half of
 * those equal, so 100 is the best in both cases. `neutral` indicators have no better end; their
 * rank is the plain position from the lowest value.
 *
 * @throws RangeError as {@link percentileRank}
 */
export function rankInDirection(
  values: readonly number[],
  x: number,
  direction: 'higher' | 'lower' | 'neutral',
): number {
  const rank = percentileRank(values, x);
  return direction === 'lower' ? 100 - rank : rank;
}

/**
 * Decides which cells of a table may be shown to other organisations.
 *
 * Primary suppression: a cell whose base n is below its own `minN`.
 *
 * Secondary suppression applies only when `totalKey` names a published total and every other cell
 * is a part of it (the parts' bases add up to the total's). Subtracting the published parts from
 * the total yields the pooled value of the hidden parts, so the hidden parts that hold answers
 * (n > 0: an empty cell hides nothing) must be at least two and together reach the total's minN.
 * Until they do, one more part holding answers is withheld as 'secondary': the unsuppressed one
 * with the smallest `size` (parts of unknown size after those of known size; ties go to the first
 * key in code-unit order, so the choice does not depend on the order of `cells`). If no such part
 * is left, the total itself is suppressed as 'secondary'.
 *
 * The choice follows a size that answers do not change, not n: values are published again as
 * answers arrive, and a choice by n moves between two parts as their counts pass each other. Two
 * such releases, one hiding each part, give the hidden small part away: the part that became
 * published shows what it held, and the total what was added.
 * (A part of small housing stock usually has few answers too, so little is hidden needlessly.)
 *
 * No secondary suppression is needed when the total is suppressed (nothing to subtract from) or
 * when no part holding answers is hidden. Without `totalKey` the cells are treated as unrelated
 * and only primary suppression applies.
 *
 * @param cells - the cells with unique keys, non-negative integer n and non-negative minN
 * @param opts - `totalKey`, the key of the cell holding the published total
 * @returns the reason for every key, `null` for cells that may be published
 * @throws RangeError for duplicate keys, invalid n or minN, or a `totalKey` not among the cells
 */
export function applySuppression(
  cells: readonly SuppressionCell[],
  opts: { totalKey?: string } = {},
): Map<string, SuppressionReason> {
  const reasons = new Map<string, SuppressionReason>();
  for (const cell of cells) {
    if (reasons.has(cell.key)) throw new RangeError(`duplicate cell key '${cell.key}'`);
    assertCount(cell.n, `n of '${cell.key}'`);
    if (!Number.isFinite(cell.minN) || cell.minN < 0) {
      throw new RangeError(`minN of '${cell.key}' must be a non-negative number, got ${cell.minN}`);
    }
    reasons.set(cell.key, cell.n < cell.minN ? 'primary' : null);
  }
  const { totalKey } = opts;
  if (totalKey === undefined) return reasons;
  if (!reasons.has(totalKey)) throw new RangeError(`totalKey '${totalKey}' is not among the cells`);
  if (reasons.get(totalKey) === 'primary') return reasons;

  const total = cells.find((cell) => cell.key === totalKey)!;
  const parts = cells.filter((cell) => cell.key !== totalKey);
  const hidden = parts.filter((cell) => reasons.get(cell.key) !== null && cell.n > 0);
  if (hidden.length === 0) return reasons;
  const sizeOf = (cell: SuppressionCell) =>
    typeof cell.size === 'number' && Number.isFinite(cell.size) ? cell.size : Number.MAX_VALUE;
  const candidates = parts
    .filter((cell) => reasons.get(cell.key) === null && cell.n > 0)
    .sort((a, b) => sizeOf(a) - sizeOf(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let pooled = hidden.reduce((sum, cell) => sum + cell.n, 0);
  let count = hidden.length;
  while (count < 2 || pooled < total.minN) {
    const chosen = candidates.shift();
    if (chosen === undefined) {
      reasons.set(totalKey, 'secondary');
      break;
    }
    reasons.set(chosen.key, 'secondary');
    pooled += chosen.n;
    count++;
  }
  return reasons;
}
