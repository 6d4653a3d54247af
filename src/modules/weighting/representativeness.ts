/**
 * Does the sample look like the population? Respondent counts per category compared with the
 * population margins, with Pearson's chi-square goodness-of-fit test per variable. Pure.
 */
import { ValidationError } from '../../errors';
import { marginProblems, type Margins } from './raking';
import { pointerSegment } from '../../json-pointer';

/** Respondent counts: variable → category → number of respondents. */
export type RespondentCounts = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** One category of a variable. */
export interface CategoryCheck {
  category: string;
  population: number;
  /** Share of the population in the category, 0..1. */
  populationShare: number;
  respondents: number;
  /** Share of the respondents in the category, 0..1; null with no respondents. */
  respondentShare: number | null;
  /** Respondent share minus population share, in percentage points; null with no respondents. */
  differencePoints: number | null;
  /** Respondents expected from the population share, n·share. */
  expected: number;
}

/** One variable: its categories and the goodness-of-fit test. */
export interface VariableCheck {
  variable: string;
  /** Respondents counted on this variable. */
  n: number;
  categories: CategoryCheck[];
  /** Pearson's Σ (observed − expected)²/expected; null with no respondents or one category. */
  chiSquare: number | null;
  /** Categories with a population, less one; null where chiSquare is. */
  df: number | null;
  /** P(χ² ≥ chiSquare) under the population shares; null where chiSquare is. */
  pValue: number | null;
  /**
   * Categories expecting fewer than 5 respondents: with any, the chi-square approximation is
   * rough and the p-value should be read with care (Cochran's rule of thumb).
   */
  lowExpected: number;
}

/**
 * ln Γ(a) for a positive multiple of ½, exactly as a sum: Γ(m) = (m − 1)! and
 * Γ(m + ½) = √π·Π_{i=1..m} (2i − 1)/2. Chi-square's shape a = df/2 is always such a number.
 */
function logGammaOfHalfInteger(a: number): number {
  const twice = Math.round(2 * a);
  if (twice < 1 || Math.abs(twice - 2 * a) > 1e-9)
    throw new RangeError(`a must be a multiple of ½, got ${a}`);
  if (twice % 2 === 0) {
    let sum = 0;
    for (let i = 2; i < twice / 2; i++) sum += Math.log(i);
    return sum;
  }
  let sum = 0.5 * Math.log(Math.PI);
  for (let i = 1; i <= (twice - 1) / 2; i++) sum += Math.log((2 * i - 1) / 2);
  return sum;
}

const EPSILON = 1e-15;
const TINY = 1e-300;
const MAX_TERMS = 10_000;

/**
 * The regularised upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a), for a a positive
 * multiple of ½. Below x = a + 1 the power series of the lower function P(a, x) converges fast and
 * Q = 1 − P; above it the continued fraction for Q itself does (evaluated with the modified Lentz
 * method), which also avoids losing Q's small values to the cancellation in 1 − P.
 *
 * @throws RangeError when a is not a positive multiple of ½ or x is negative or not a number
 */
export function regularisedGammaQ(a: number, x: number): number {
  if (!(x >= 0)) throw new RangeError(`x must be 0 or more, got ${x}`);
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  const front = Math.exp(-x + a * Math.log(x) - logGammaOfHalfInteger(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= MAX_TERMS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return Math.max(0, 1 - sum * front);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPSILON) break;
  }
  return Math.min(1, front * h);
}

/**
 * P(X ≥ x) for X chi-square distributed with `df` degrees of freedom: Q(df/2, x/2).
 *
 * @param x - the statistic, 0 or more
 * @param df - degrees of freedom, a positive integer
 * @throws RangeError for a df that is not a positive integer or a negative x
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`df must be a positive integer, got ${df}`);
  return regularisedGammaQ(df / 2, x / 2);
}

/**
 * Compares respondent counts with population margins, variable by variable: each category's
 * population and respondent shares and their difference in percentage points, and Pearson's
 * chi-square goodness-of-fit statistic Σ (O − E)²/E with E = n·(population share), its degrees of
 * freedom (categories with a population, less one) and p-value. A small p-value says the sample's
 * mix differs from the population's by more than chance, so weighting on that variable matters.
 *
 * Variables are reported in the order of `respondents`; categories in the order of the margins,
 * a category without respondents counting 0.
 *
 * @throws ValidationError (paths into `{margins, respondents}`) for invalid margins, a variable or
 * category of the respondents absent from the margins, a count that is not a non-negative integer,
 * or respondents in a category whose population is zero
 */
export function checkRepresentativeness(margins: Margins, respondents: RespondentCounts): VariableCheck[] {
  const problems = marginProblems(margins, '/margins');
  for (const [variable, counts] of Object.entries(respondents)) {
    const at = `/respondents/${pointerSegment(variable)}`;
    const population = Object.hasOwn(margins, variable) ? margins[variable] : undefined;
    if (!population) {
      problems.push({ path: at, message: `no margins for ${variable} (${Object.keys(margins).join(', ')})` });
      continue;
    }
    for (const [category, count] of Object.entries(counts)) {
      const where = `${at}/${pointerSegment(category)}`;
      if (!Object.hasOwn(population, category))
        problems.push({
          path: where,
          message: `"${category}" is not a category of ${variable} in the margins`,
        });
      else if (!Number.isInteger(count) || count < 0)
        problems.push({ path: where, message: 'must be a whole number, 0 or more' });
      else if (count > 0 && population[category] === 0)
        problems.push({ path: where, message: 'has respondents but a population of zero' });
    }
  }
  if (problems.length) throw new ValidationError('the respondent counts do not match the margins', problems);

  return Object.entries(respondents).map(([variable, counts]) => {
    const population = margins[variable]!;
    const total = Object.values(population).reduce((s, v) => s + v, 0);
    const n = Object.values(counts).reduce((s, v) => s + v, 0);
    let chiSquare = 0;
    let withPopulation = 0;
    let lowExpected = 0;
    const categories = Object.entries(population).map(([category, count]): CategoryCheck => {
      const populationShare = count / total;
      const observed = Object.hasOwn(counts, category) ? counts[category]! : 0;
      const expected = n * populationShare;
      if (count > 0) {
        withPopulation++;
        if (n > 0) chiSquare += (observed - expected) ** 2 / expected;
        if (n > 0 && expected < 5) lowExpected++;
      }
      const respondentShare = n > 0 ? observed / n : null;
      return {
        category,
        population: count,
        populationShare,
        respondents: observed,
        respondentShare,
        differencePoints: respondentShare === null ? null : 100 * (respondentShare - populationShare),
        expected,
      };
    });
    const df = withPopulation - 1;
    const tested = n > 0 && df >= 1;
    return {
      variable,
      n,
      categories,
      chiSquare: tested ? chiSquare : null,
      df: tested ? df : null,
      pValue: tested ? chiSquareSurvival(chiSquare, df) : null,
      lowExpected,
    };
  });
}
