/**
 * Weighting survey respondents to known population margins by raking (iterative proportional
 * fitting), and the quantities that tell how much the weights cost in precision.
 *
 * Everything here is pure and synchronous: the same respondents and margins always give the same
 * weights, whichever process computes them.
 */
import { ValidationError, type ErrorDetail } from '../../errors';
import { Z95, type IntervalOptions, type ProportionInterval } from '../catalogue/statistics';
import { pointerSegment } from '../../json-pointer';

/** Population margins: variable → category → population count (or share of the population). */
export type Margins = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** One respondent: the category they belong to on each weighting variable, and a base weight. */
export interface Respondent {
  /** Variable → category. Variables without margins are ignored. */
  categories: Readonly<Record<string, string>>;
  /** Design (base) weight the raking starts from; 1 when absent. Must be positive. */
  weight?: number;
}

/** Caps on the raked weights, as multiples of the mean weight. */
export interface TrimOptions {
  /** Lowest allowed weight as a multiple of the mean, in [0, 1] (e.g. 0.3). */
  min?: number;
  /** Highest allowed weight as a multiple of the mean, at least 1 (e.g. 3). */
  max?: number;
}

/** How raking runs. */
export interface RakeOptions {
  /** Most full passes over all variables, per raking phase; default 100. */
  maxIterations?: number;
  /**
   * Raking stops once the largest relative margin discrepancy, |weighted − target| / target over
   * every category of every variable, is at most this; default 1e-6.
   */
  tolerance?: number;
  /** Weight caps applied after convergence; the sample is then raked again with the caps held. */
  trim?: TrimOptions;
}

/** The raking result. */
export interface RakeResult {
  /** One weight per respondent, in input order. */
  weights: number[];
  /** Whether every margin is met within the tolerance (with the caps held, when trimming). */
  converged: boolean;
  /** Full passes over all variables, over both phases when trimming. */
  iterations: number;
  /** Variable → the largest relative discrepancy left among its categories. */
  discrepancies: Record<string, number>;
  /** Respondents whose final weight sits at a cap. */
  trimmed: number;
  /** Kish design effect of weighting, n·Σw²/(Σw)². */
  designEffect: number;
  /** Kish effective sample size, (Σw)²/Σw². */
  effectiveN: number;
  /** Number of respondents. */
  n: number;
  /** The weights' sum: the population total for count margins, n for share margins. */
  total: number;
  /** Whether the margins were read as population counts or as shares. */
  scale: 'counts' | 'shares';
}

/** Relative difference tolerated between the totals of different variables' margins. */
export const TOTAL_TOLERANCE = 0.005;
/** Most problems listed in one error, so a wholly wrong upload still gets a readable answer. */
const MAX_DETAILS = 50;

/** The total of one variable's margins. */
function totalOf(categories: Readonly<Record<string, number>>): number {
  return Object.values(categories).reduce((sum, v) => sum + v, 0);
}

/**
 * Problems with a set of margins on their own: no variables, a variable without categories, a
 * count that is negative or not finite, a variable totalling zero, or variables whose totals
 * differ from the first variable's by more than {@link TOTAL_TOLERANCE} (relative). The margins of
 * different variables describe the same population, so their totals must agree.
 *
 * @param margins - the margins to check
 * @param base - the JSON Pointer of the margins in the request (`/margins`, `/variables`)
 * @returns every problem found, each at `{base}/{variable}` or `{base}/{variable}/{category}`
 */
export function marginProblems(margins: Margins, base: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const variables = Object.keys(margins);
  if (!variables.length) return [{ path: base || '/', message: 'give the margins of at least one variable' }];
  let reference: { variable: string; total: number } | null = null;
  for (const variable of variables) {
    const at = `${base}/${pointerSegment(variable)}`;
    const categories = margins[variable]!;
    if (!Object.keys(categories).length) {
      problems.push({ path: at, message: 'a variable needs at least one category' });
      continue;
    }
    let valid = true;
    for (const [category, value] of Object.entries(categories)) {
      if (!Number.isFinite(value) || value < 0) {
        problems.push({
          path: `${at}/${pointerSegment(category)}`,
          message: 'must be a finite number, 0 or more',
        });
        valid = false;
      }
    }
    if (!valid) continue;
    const total = totalOf(categories);
    if (total <= 0) {
      problems.push({ path: at, message: 'the categories total zero' });
      continue;
    }
    if (!reference) reference = { variable, total };
    else if (Math.abs(total - reference.total) > TOTAL_TOLERANCE * reference.total)
      problems.push({
        path: at,
        message: `totals ${total}, but ${reference.variable} totals ${reference.total}; the margins of every variable must describe the same population (0.5% difference tolerated)`,
      });
  }
  return problems;
}

/**
 * Whether margins are shares rather than counts: every variable totals 1 (within
 * {@link TOTAL_TOLERANCE}). A population of one dwelling is not a case worth weighting.
 */
export function marginScale(margins: Margins): 'counts' | 'shares' {
  return Object.values(margins).every((c) => Math.abs(totalOf(c) - 1) <= TOTAL_TOLERANCE)
    ? 'shares'
    : 'counts';
}

/** Kish's design effect and effective sample size of a set of weights. */
export function kish(weights: readonly number[]): { designEffect: number; effectiveN: number } {
  let sum = 0;
  let squares = 0;
  for (const w of weights) {
    sum += w;
    squares += w * w;
  }
  if (!weights.length || squares === 0) return { designEffect: 1, effectiveN: 0 };
  return { designEffect: (weights.length * squares) / (sum * sum), effectiveN: (sum * sum) / squares };
}

/** A variable prepared for raking: each respondent's category index, and each category's target. */
interface Prepared {
  name: string;
  categories: string[];
  of: Int32Array;
  targets: number[];
}

function throwIf(problems: ErrorDetail[], message: string): void {
  if (problems.length)
    throw new ValidationError(
      message,
      problems
        .slice(0, MAX_DETAILS)
        .concat(
          problems.length > MAX_DETAILS
            ? [{ path: '/', message: `and ${problems.length - MAX_DETAILS} more problems` }]
            : [],
        ),
    );
}

/**
 * Checks the input and indexes it: each respondent's category per variable, and the target
 * weighted total of each category (every variable scaled to the same total, so small differences
 * between the variables' totals cannot stop convergence).
 */
function prepare(respondents: readonly Respondent[], margins: Margins, total: number): Prepared[] {
  const problems = marginProblems(margins, '/margins');
  if (!respondents.length) problems.push({ path: '/respondents', message: 'there are no respondents' });
  throwIf(problems, 'the margins cannot be used');

  const variables: Prepared[] = Object.entries(margins).map(([name, categories]) => {
    const list = Object.keys(categories);
    const scale = total / totalOf(categories);
    return {
      name,
      categories: list,
      of: new Int32Array(respondents.length),
      targets: list.map((c) => categories[c]! * scale),
    };
  });
  respondents.forEach((r, i) => {
    if (r.weight !== undefined && !(Number.isFinite(r.weight) && r.weight > 0))
      problems.push({ path: `/respondents/${i}/weight`, message: 'a base weight must be a positive number' });
    for (const v of variables) {
      const category = Object.hasOwn(r.categories, v.name) ? r.categories[v.name] : undefined;
      const index = category === undefined ? -1 : v.categories.indexOf(category);
      if (index >= 0) v.of[i] = index;
      else
        problems.push({
          path: `/respondents/${i}/${pointerSegment(v.name)}`,
          message:
            category === undefined
              ? `has no category of ${v.name}`
              : `"${category}" is not a category of ${v.name} in the margins (${v.categories.join(', ')})`,
        });
    }
  });
  throwIf(problems, 'the respondents do not match the margins');

  for (const v of variables) {
    const counts = new Array<number>(v.categories.length).fill(0);
    for (const index of v.of) counts[index]!++;
    v.categories.forEach((category, c) => {
      const at = `/margins/${pointerSegment(v.name)}/${pointerSegment(category)}`;
      if (counts[c] === 0 && v.targets[c]! > 0)
        problems.push({
          path: at,
          message:
            'no respondent is in this category, so its margin cannot be reached; merge it with a neighbouring category',
        });
      else if (counts[c]! > 0 && v.targets[c] === 0)
        problems.push({
          path: at,
          message: `the population count is zero but ${counts[c]} respondents are in this category`,
        });
    });
  }
  throwIf(problems, 'the margins cannot be reached with these respondents');
  return variables;
}

/** Weighted totals of a variable's categories. */
function sums(v: Prepared, weights: Float64Array): number[] {
  const s = new Array<number>(v.categories.length).fill(0);
  for (let i = 0; i < weights.length; i++) s[v.of[i]!]! += weights[i]!;
  return s;
}

/** The largest relative discrepancy of each variable. */
function discrepanciesOf(variables: Prepared[], weights: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of variables) {
    const s = sums(v, weights);
    let worst = 0;
    v.targets.forEach((t, c) => {
      if (t > 0) worst = Math.max(worst, Math.abs(s[c]! - t) / t);
    });
    out[v.name] = worst;
  }
  return out;
}

/**
 * The factor f with Σ clamp(f·wᵢ, lo, hi) = target over a category's members. The sum is
 * continuous and non-decreasing in f and linear between the points where a weight meets a cap,
 * so walking those points in order finds the segment holding the target, then f exactly. When even
 * every member at a cap cannot reach the target, the nearest cap is returned (the discrepancy is
 * reported by the caller).
 */
function cappedFactor(members: number[], target: number, lo: number, hi: number): number {
  // Shortcuts first: most categories need no cap at all, and a category that cannot reach its
  // target goes straight to the cap instead of being sorted on every pass.
  let sum = 0;
  let least = Number.POSITIVE_INFINITY;
  let most = 0;
  for (const w of members) {
    sum += w;
    least = Math.min(least, w);
    most = Math.max(most, w);
  }
  const plain = target / sum;
  if (plain * least >= lo && plain * most <= hi) return plain;
  if (target >= members.length * hi) return hi / least;
  if (target <= members.length * lo) return lo / most;
  // Solve on the current segment and move to the segment the answer falls in: a fixed point is
  // the exact answer, usually reached in two or three steps. The walk below is the fallback.
  let f = plain;
  for (let step = 0; step < 8; step++) {
    let held = 0;
    let free = 0;
    for (const w of members) {
      const x = f * w;
      if (x <= lo) held += lo;
      else if (x >= hi) held += hi;
      else free += w;
    }
    if (free === 0) break;
    const next = (target - held) / free;
    if (Math.abs(next - f) <= 1e-14 * f) return next;
    f = next;
  }
  const events: Array<{ at: number; weight: number; enters: boolean }> = [];
  for (const w of members) {
    events.push({ at: lo / w, weight: w, enters: true });
    events.push({ at: hi / w, weight: w, enters: false });
  }
  events.sort((a, b) => a.at - b.at);
  let atLow = members.length;
  let atHigh = 0;
  let free = 0;
  // Written so that an absent upper cap (hi = ∞) with no weight at it adds nothing, not NaN.
  const held = () => atLow * lo + (atHigh ? atHigh * hi : 0);
  for (const e of events) {
    if (held() + (free ? e.at * free : 0) >= target) return free > 0 ? (target - held()) / free : e.at;
    if (e.enters) {
      atLow--;
      free += e.weight;
    } else {
      atHigh++;
      free -= e.weight;
    }
  }
  return events.length ? events[events.length - 1]!.at : 1;
}

/**
 * Full passes of raking until the margins are met within the tolerance or the passes run out.
 * With caps, each category is scaled by the one factor that meets its target with every weight
 * kept inside [lo, hi] (the Kullback–Leibler projection onto that margin within the caps).
 */
function rakePasses(
  variables: Prepared[],
  weights: Float64Array,
  maxIterations: number,
  tolerance: number,
  caps: { lo: number; hi: number } | null,
): { iterations: number; converged: boolean } {
  const byCategory = caps
    ? variables.map((v) => {
        const members: number[][] = v.categories.map(() => []);
        v.of.forEach((c, i) => members[c]!.push(i));
        return members;
      })
    : null;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    variables.forEach((v, k) => {
      if (!caps) {
        const s = sums(v, weights);
        const factors = v.targets.map((t, c) => (s[c]! > 0 ? t / s[c]! : 1));
        for (let i = 0; i < weights.length; i++) weights[i]! *= factors[v.of[i]!]!;
        return;
      }
      byCategory![k]!.forEach((members, c) => {
        if (!members.length) return;
        const f = cappedFactor(
          members.map((i) => weights[i]!),
          v.targets[c]!,
          caps.lo,
          caps.hi,
        );
        for (const i of members) weights[i] = Math.min(caps.hi, Math.max(caps.lo, f * weights[i]!));
      });
    });
    const worst = Math.max(...Object.values(discrepanciesOf(variables, weights)));
    if (worst <= tolerance) return { iterations: iteration, converged: true };
  }
  return { iterations: maxIterations, converged: false };
}

/**
 * Rakes respondents to population margins by iterative proportional fitting: the weights of each
 * variable's categories are scaled in turn to meet that variable's margins, pass after pass, until
 * the largest relative discrepancy over all categories is within `tolerance`.
 *
 * Margins are counts (weights then sum to the population total, the first variable's total) or
 * shares, each variable totalling 1 (weights then sum to n). Variables whose totals differ by up
 * to 0.5% are each scaled to the first variable's total; larger differences are an error.
 *
 * Trimming, when `trim` is given, starts once raking has converged (or used its passes): weights
 * outside [min·mean, max·mean] are set to the cap, and the sample is raked again with the caps
 * held, each category scaled by the one factor that meets its margin while keeping every weight
 * inside the caps. Because the weights always total the population, the mean and so the caps do
 * not move while raking; holding them during the second phase means no weight can leave them
 * again, so one trim-and-rake round is enough. Caps too tight for the margins leave
 * `converged` false with the discrepancies that remain.
 *
 * Non-convergence is a result, not an error: `converged` is false and `discrepancies` tells how
 * far each variable is from its margins.
 *
 * @throws ValidationError (paths into `{respondents, margins, options}`) when margins are empty,
 * negative or inconsistent between variables, a respondent lacks a variable or has a category
 * absent from the margins, a margin category has no respondents (it could never be reached) or
 * has respondents but a population of zero, a base weight is not positive, or the trim caps are
 * outside min ≤ 1 ≤ max
 */
export function rake(
  respondents: readonly Respondent[],
  margins: Margins,
  options: RakeOptions = {},
): RakeResult {
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  const optionProblems: ErrorDetail[] = [];
  if (!Number.isInteger(maxIterations) || maxIterations < 1)
    optionProblems.push({ path: '/options/maxIterations', message: 'must be a positive integer' });
  if (!(tolerance > 0)) optionProblems.push({ path: '/options/tolerance', message: 'must be positive' });
  const { min = 0, max = Number.POSITIVE_INFINITY } = options.trim ?? {};
  if (!(min >= 0 && min <= 1))
    optionProblems.push({
      path: '/options/trim/min',
      message: 'must be between 0 and 1 (a multiple of the mean weight)',
    });
  if (!(max >= 1))
    optionProblems.push({
      path: '/options/trim/max',
      message: 'must be at least 1 (a multiple of the mean weight)',
    });
  throwIf(optionProblems, 'the raking options are invalid');

  const scale = marginScale(margins);
  const first = Object.values(margins)[0];
  const total = scale === 'shares' ? respondents.length : first ? totalOf(first) : 0;
  const variables = prepare(respondents, margins, total);

  const weights = Float64Array.from(respondents, (r) => r.weight ?? 1);
  // Starting from base weights scaled to the total keeps the first pass's factors near 1.
  const start = weights.reduce((s, w) => s + w, 0);
  for (let i = 0; i < weights.length; i++) weights[i]! *= total / start;

  let { iterations, converged } = rakePasses(variables, weights, maxIterations, tolerance, null);
  let trimmed = 0;
  if (options.trim && (min > 0 || Number.isFinite(max))) {
    const mean = total / respondents.length;
    const caps = { lo: min * mean, hi: max * mean };
    const outside = weights.some((w) => w < caps.lo || w > caps.hi);
    if (outside) {
      for (let i = 0; i < weights.length; i++) weights[i] = Math.min(caps.hi, Math.max(caps.lo, weights[i]!));
      const second = rakePasses(variables, weights, maxIterations, tolerance, caps);
      iterations += second.iterations;
      converged = second.converged;
    }
    const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * mean;
    trimmed = weights.reduce((count, w) => count + (near(w, caps.lo) || near(w, caps.hi) ? 1 : 0), 0);
  }
  const result = Array.from(weights);
  return {
    weights: result,
    converged,
    iterations,
    discrepancies: discrepanciesOf(variables, weights),
    trimmed,
    ...kish(result),
    n: respondents.length,
    total: result.reduce((s, w) => s + w, 0),
    scale,
  };
}

/** A weighted share with its interval. */
export interface WeightedShare extends ProportionInterval {
  /** Respondents in the base. */
  n: number;
  /** Kish effective sample size of their weights, the n the interval uses. */
  effectiveN: number;
}

/**
 * The weighted proportion of positive answers, Σ weights of positives / Σ weights, with a Wilson
 * score interval that uses Kish's effective sample size n_eff = (Σw)²/Σw² in place of n: unequal
 * weights make an estimate less precise than n equally weighted answers, and n_eff is the number
 * of equally weighted answers that would be as precise. With equal weights n_eff = n and the
 * interval is the plain Wilson interval of the catalogue's statistics.
 *
 * With `population` N (the housing stock) the finite population correction sqrt((N − n)/(N − 1))
 * scales z, as in the catalogue's Wilson interval, with n the number of respondents (the share of
 * the population actually asked, which weighting does not change).
 *
 * @param answers - each base respondent's answer (positive or not) and weight (positive)
 * @param opts - `z` (default {@link Z95}) and the optional population size N ≥ n
 * @returns the share and its bounds in 0..1, n and n_eff; an empty base gives `p`, `low` and `high`
 * as NaN
 * @throws RangeError for a weight that is not positive and finite, or N below n
 */
export function weightedShare(
  answers: ReadonlyArray<{ positive: boolean; weight: number }>,
  opts: IntervalOptions = {},
): WeightedShare {
  let sum = 0;
  let positive = 0;
  for (const a of answers) {
    if (!(Number.isFinite(a.weight) && a.weight > 0))
      throw new RangeError(`weights must be positive, got ${a.weight}`);
    sum += a.weight;
    if (a.positive) positive += a.weight;
  }
  const n = answers.length;
  const { effectiveN } = kish(answers.map((a) => a.weight));
  if (n === 0) return { p: Number.NaN, low: Number.NaN, high: Number.NaN, n, effectiveN };
  let fpc = 1;
  if (opts.population !== undefined) {
    const N = opts.population;
    if (!Number.isInteger(N) || N < n)
      throw new RangeError(`population must be an integer of at least n (${n})`);
    fpc = N === n ? 0 : Math.sqrt((N - n) / (N - 1));
  }
  const z = (opts.z ?? Z95) * fpc;
  const p = positive / sum;
  const z2 = z * z;
  const denominator = 1 + z2 / effectiveN;
  const centre = (p + z2 / (2 * effectiveN)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / effectiveN + z2 / (4 * effectiveN * effectiveN))) / denominator;
  const low = positive === 0 ? 0 : Math.min(1, Math.max(0, centre - half));
  const high = positive === sum ? 1 : Math.min(1, Math.max(0, centre + half));
  return { p, low, high, n, effectiveN };
}
