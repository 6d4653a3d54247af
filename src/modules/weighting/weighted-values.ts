/**
 * Weighted indicator values: the counterparts of the catalogue's share, NPS and mean computed
 * from respondent-level answers and the weights raking gave them, and the step that turns stored
 * responses into raking input.
 *
 * Pure and synchronous like the unweighted statistics, so a recomputation from the same answers
 * and weights always yields the same numbers.
 */
import { ValidationError, type ErrorDetail } from '../../errors';
import type { IndicatorDefinition } from '../catalogue/catalogue';
import { npsCategory, studentTQuantile, Z95 } from '../catalogue/statistics';
import {
  kish,
  rake,
  weightedShare,
  type Margins,
  type RakeOptions,
  type RakeResult,
  type Respondent,
} from './raking';
import { pointerSegment } from '../../json-pointer';

/** One respondent's answer to an indicator, with the respondent's weight. */
export interface WeightedAnswer {
  /** The answer already mapped onto the indicator: a value of its scale or one of its excluded answers. */
  value: string | number;
  /** The respondent's weight, positive and finite. */
  weight: number;
}

/** Options of {@link weightedIndicator}. */
export interface WeightedValueOptions {
  /**
   * Size N of the population the respondents were drawn from (the housing stock). When given, the
   * finite population correction is applied, as in the unweighted indicators.
   */
  population?: number;
  /**
   * Normal critical value; defaults to {@link Z95}. For a mean, giving it switches from the t
   * interval to a normal interval, as in the unweighted mean.
   */
  z?: number;
}

/** A weighted indicator value with its interval, on the scale of the unweighted value. */
export interface WeightedValue {
  /** Share as a proportion in 0..1, NPS in −100..100, or the mean on the indicator's scale. */
  value: number | null;
  low: number | null;
  high: number | null;
  /** Respondents in the base (unweighted; excluded answers such as "don't know" are not in it). */
  n: number;
  /** Kish effective sample size of the base's weights, (Σw)²/Σw²: the n the interval uses. */
  effectiveN: number;
  /** Sum of the base's weights. */
  weightSum: number;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * The base of an indicator: answers on its scale, with the scale's own value. Scale values are
 * matched before excluded ones and both by their text, as answers are mapped for the unweighted
 * counts, so 9 and "9" are the same answer.
 */
function splitBase(
  def: IndicatorDefinition,
  answers: ReadonlyArray<WeightedAnswer>,
): { base: Array<{ value: string | number; weight: number }>; excluded: number } {
  const scale = new Map(def.scale.map((s) => [String(s), s] as const));
  const excludedValues = new Set(def.excluded.map(String));
  const base: Array<{ value: string | number; weight: number }> = [];
  let excluded = 0;
  answers.forEach((a, i) => {
    if (!(Number.isFinite(a.weight) && a.weight > 0))
      throw new RangeError(`the weight of answer ${i} must be positive and finite, got ${a.weight}`);
    const key = String(a.value);
    const onScale = scale.get(key);
    if (onScale !== undefined) base.push({ value: onScale, weight: a.weight });
    else if (excludedValues.has(key)) excluded++;
    else throw new RangeError(`answer ${i} ('${key}') is neither on the scale of ${def.id} nor excluded`);
  });
  return { base, excluded };
}

/**
 * A weighted indicator value from respondent-level answers and weights, on the same scale as the
 * unweighted value (`computeIndicator`): a share as a proportion in 0..1, an NPS in −100..100, a
 * mean on the indicator's scale. Excluded answers ("don't know", "not applicable") leave the base,
 * as they do unweighted. Unequal weights make an estimate less precise than the same number of
 * equally weighted answers, so each interval uses Kish's effective sample size
 * n_eff = (Σw)²/Σw² where the unweighted one uses n; with equal weights n_eff = n and every result
 * is the unweighted one.
 *
 * - share: the weighted proportion Σw(positive)/Σw with a Wilson interval at n_eff (see
 *   `weightedShare`).
 * - nps: 100·(P − D) with P and D the weighted promoter and detractor shares, and the adjusted Wald
 *   interval of the unweighted NPS with n_eff for n: P' = (P·n_eff + ¾)/(n_eff + 3),
 *   D' = (D·n_eff + ¾)/(n_eff + 3), 100·(P' − D') ± z·100·sqrt((P' + D' − (P' − D')²)/(n_eff + 3)),
 *   clamped to [−100, 100] and widened to contain the value (with `population`, 3 and ¾ shrink by
 *   the correction's square, as in the unweighted NPS).
 * - mean: m = Σwx/Σw with s² = Σw(x − m)²/(Σw − Σw²/Σw), which is Σw(x − m)²/Σw · n_eff/(n_eff − 1),
 *   the weighted analogue of the n − 1 divisor, and the half-width t(0.975, n_eff − 1)·s/√n_eff
 *   (z·s/√n_eff when `z` is given). With n_eff = 1 (one answer) there is no spread to estimate and
 *   the bounds are null.
 *
 * With `population` N the half-width (for a share: z) is multiplied by sqrt((N − n)/(N − 1)), n
 * being the number of respondents in the base: weighting changes how much each answer counts, not
 * how much of the population was asked.
 *
 * @param def - the indicator: its kind, scale, positive and excluded answers
 * @param answers - one entry per respondent who answered, in any order
 * @param opts - `population` for the finite population correction, `z` for the critical value
 * @returns the value and bounds (null for an empty base), n, n_eff and the base's weight sum
 * @throws RangeError when a weight is not positive and finite, an answer is neither on the scale
 * nor excluded (or, for NPS and mean, not a valid number), `z` is not positive, or the population
 * is not an integer at least the number of respondents who answered (excluded answers included)
 */
export function weightedIndicator(
  def: IndicatorDefinition,
  answers: ReadonlyArray<WeightedAnswer>,
  opts: WeightedValueOptions = {},
): WeightedValue {
  const z = opts.z ?? Z95;
  if (!(Number.isFinite(z) && z > 0)) throw new RangeError(`z must be a positive finite number, got ${z}`);
  const { base, excluded } = splitBase(def, answers);
  const n = base.length;
  const population = opts.population;
  if (population !== undefined) {
    if (!Number.isInteger(population) || population < 1)
      throw new RangeError(`population must be a positive integer, got ${population}`);
    if (population < n + excluded)
      throw new RangeError(`population (${population}) must be at least the respondents (${n + excluded})`);
  }
  let weightSum = 0;
  let weightSquares = 0;
  for (const a of base) {
    weightSum += a.weight;
    weightSquares += a.weight * a.weight;
  }
  const { effectiveN } = kish(base.map((a) => a.weight));
  const result: WeightedValue = { value: null, low: null, high: null, n, effectiveN, weightSum };
  if (n === 0) return result;
  // A census (N = n) has no sampling error; tested first because N = n = 1 would give 0/0.
  const fpc =
    population === undefined ? 1 : population === n ? 0 : Math.sqrt((population - n) / (population - 1));

  if (def.kind === 'share') {
    const positive = new Set(def.positive.map(String));
    const share = weightedShare(
      base.map((a) => ({ positive: positive.has(String(a.value)), weight: a.weight })),
      { z, ...(population !== undefined ? { population } : {}) },
    );
    return { ...result, value: share.p, low: share.low, high: share.high };
  }

  if (def.kind === 'nps') {
    let promoters = 0;
    let detractors = 0;
    for (const a of base) {
      const category = npsCategory(Number(a.value));
      if (category === 'promoter') promoters += a.weight;
      else if (category === 'detractor') detractors += a.weight;
    }
    // Written as the unweighted NPS writes it, so that weights of 1 give the very same numbers:
    // P·n_eff is computed as (Σw promoters)·n_eff/Σw, which is exactly the count when weights are 1.
    const value = (100 * (promoters - detractors)) / weightSum;
    // With a known stock the added counts shrink by fpc², as in the unweighted NPS (z·fpc throughout).
    const shrink = fpc * fpc;
    const adjusted = effectiveN + 3 * shrink;
    const effectivePromoters = (promoters * effectiveN) / weightSum;
    const effectiveDetractors = (detractors * effectiveN) / weightSum;
    const pAdjusted = (effectivePromoters + 0.75 * shrink) / adjusted;
    const dAdjusted = (effectiveDetractors + 0.75 * shrink) / adjusted;
    const centre = 100 * (pAdjusted - dAdjusted);
    const halfWidth =
      z * fpc * 100 * Math.sqrt((pAdjusted + dAdjusted - (pAdjusted - dAdjusted) ** 2) / adjusted);
    return {
      ...result,
      value,
      low: Math.min(value, clamp(centre - halfWidth, -100, 100)),
      high: Math.max(value, clamp(centre + halfWidth, -100, 100)),
    };
  }

  // Answers grouped by value, in the order the unweighted mean visits its counts, so that weights
  // of 1 repeat its arithmetic step for step.
  const groups: Record<string, { x: number; w: number }> = {};
  for (const a of base) {
    const key = String(a.value);
    const x = Number(a.value);
    if (key.trim() === '' || !Number.isFinite(x))
      throw new RangeError(`answers to a mean must be finite numbers, got '${key}'`);
    const group = Object.hasOwn(groups, key) ? groups[key]! : (groups[key] = { x, w: 0 });
    group.w += a.weight;
  }
  const entries = Object.values(groups);
  let total = 0;
  for (const { x, w } of entries) total += x * w;
  const mean = total / weightSum;
  // With n_eff at 1 (one answer, or one weight dwarfing the rest) no spread can be estimated.
  if (n === 1 || !(effectiveN > 1)) return { ...result, value: mean };
  let squares = 0;
  for (const { x, w } of entries) squares += w * (x - mean) ** 2;
  const sd = Math.sqrt(squares / (weightSum - weightSquares / weightSum));
  const critical = opts.z === undefined ? studentTQuantile(0.975, effectiveN - 1) : z;
  const halfWidth = (critical * fpc * sd) / Math.sqrt(effectiveN);
  if (!Number.isFinite(halfWidth)) return { ...result, value: mean };
  return { ...result, value: mean, low: mean - halfWidth, high: mean + halfWidth };
}

/** The collection context of one response that weighting variables may refer to. */
export interface ResponseContext {
  /** The campaign segment the response belongs to (empty when the campaign has none). */
  segment: string;
  /** How the response was collected (link, QR code, letter, …). */
  mode: string;
}

/** A category read from a stored value: text for a scalar, null (unknown) for anything else. */
function categoryOf(raw: unknown): string | null {
  if (typeof raw === 'string') return raw.trim() === '' ? null : raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : null;
  if (typeof raw === 'boolean') return String(raw);
  return null;
}

/**
 * One response's category on each weighting variable: `segment` is the campaign segment, `mode`
 * the collection mode, and any other variable the answer to the question of that name (these two
 * names take precedence over questions called the same). A string, number or boolean answer is
 * its category as text; a missing, blank, non-finite, array or object answer is unknown, because
 * it names no single category.
 *
 * @param answers - the response's answers, question name → answer
 * @param extra - the response's segment and collection mode
 * @param variables - the weighting variables, usually the keys of the margins
 * @returns variable → category, or null when any variable's category is unknown
 */
export function respondentCategories(
  answers: Readonly<Record<string, unknown>>,
  extra: ResponseContext,
  variables: readonly string[],
): Record<string, string> | null {
  const entries: Array<[string, string]> = [];
  for (const variable of variables) {
    const raw =
      variable === 'segment'
        ? extra.segment
        : variable === 'mode'
          ? extra.mode
          : Object.hasOwn(answers, variable)
            ? answers[variable]
            : undefined;
    const category = categoryOf(raw);
    if (category === null) return null;
    entries.push([variable, category]);
  }
  return Object.fromEntries(entries);
}

/** A respondent to weight: categories as {@link respondentCategories} reads them (null: unknown). */
export interface WeightingRespondent {
  /** Variable → category; null, or lacking a variable of the margins, when a category is unknown. */
  categories: Readonly<Record<string, string>> | null;
  /** Design (base) weight; 1 when absent. Must be positive. */
  weight?: number;
}

/** Weights for every respondent, or why weighting could not be applied. */
export type WeightAllResult =
  | {
      ok: true;
      /** One weight per respondent, in input order, summing to the margins' total. */
      weights: number[];
      /** Respondents with an unknown category, weighted without raking. */
      unknown: number;
      /**
       * Raking of the respondents whose categories are all known, as `rake` returned it: its
       * weights sum to the margins' total before being scaled to those respondents' share of it.
       */
      rake: RakeResult;
    }
  | {
      ok: false;
      /** The problem in words, with every detail, to be recorded where the weighting was asked for. */
      reason: string;
      /** The same problems addressed by JSON Pointer; `/respondents/{i}` uses the input order. */
      details: ErrorDetail[];
      unknown: number;
    };

function failure(message: string, details: ErrorDetail[], unknown: number): WeightAllResult {
  const listed = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  return { ok: false, reason: listed ? `${message} (${listed})` : message, details, unknown };
}

/**
 * Weights every respondent to the margins, including those whose category on some weighting
 * variable is unknown (a question left unanswered, say), which raking alone cannot place.
 *
 * The rule for unknown categories: such respondents take no part in raking and are assumed to be
 * like the population as a whole. They keep their share of the base weights, b_i/Σb of the total,
 * that is the overall adjustment (total over respondents) times their base weight; the respondents
 * with known categories are raked to the margins and scaled to the rest of the total. Without base
 * weights every unknown respondent thus receives the mean weight of the raked ones, the weights
 * sum to the margins' total (n for margins given as shares), and the known respondents meet the
 * margins in proportion to their share of the sample. Raking all respondents instead would need
 * a category invented for the unknown; dropping them would lose their answers.
 *
 * Problems that `rake` reports as a ValidationError (a category absent from the margins, a margin
 * category without respondents, inconsistent margins, invalid options), invalid base weights and
 * the absence of any respondent with known categories are returned as `{ ok: false, reason }`
 * rather than thrown, so a background job can record why weighting was not applied. So is a
 * raking that drove some weight to zero, which would silently drop answers. Otherwise a raking
 * that does not converge is a result (`rake.converged` false), as from `rake`.
 *
 * @param respondents - categories (null when unknown) and optional base weights
 * @param margins - population margins, variable → category → count (or share)
 * @param options - passed to `rake`
 * @throws only errors that are not a ValidationError, which would be a fault rather than bad input
 */
export function weightAll(
  respondents: ReadonlyArray<WeightingRespondent>,
  margins: Margins,
  options: RakeOptions = {},
): WeightAllResult {
  const variables = Object.keys(margins);
  const known: number[] = [];
  const problems: ErrorDetail[] = [];
  respondents.forEach((r, i) => {
    if (r.weight !== undefined && !(Number.isFinite(r.weight) && r.weight > 0))
      problems.push({ path: `/respondents/${i}/weight`, message: 'a base weight must be a positive number' });
    const categories = r.categories;
    if (
      categories &&
      variables.every((v) => Object.hasOwn(categories, v) && typeof categories[v] === 'string')
    )
      known.push(i);
  });
  const unknown = respondents.length - known.length;
  if (problems.length) return failure('the base weights cannot be used', problems, unknown);
  if (!known.length)
    return failure(
      'no respondent has a known category on every weighting variable',
      [{ path: '/respondents', message: `${unknown} respondents, none with every category known` }],
      unknown,
    );

  const raked = known.map((i): Respondent => {
    const r = respondents[i]!;
    return r.weight === undefined
      ? { categories: r.categories! }
      : { categories: r.categories!, weight: r.weight };
  });
  let result: RakeResult;
  try {
    result = rake(raked, margins, options);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    // rake numbers the respondents it was given; report them by their place in the input.
    const details = err.details.map((d) => ({
      ...d,
      path: d.path.replace(/^\/respondents\/(\d+)/, (_, j: string) => `/respondents/${known[Number(j)]}`),
    }));
    return failure(err.message, details, unknown);
  }

  // Margins the respondents cannot meet (a combination of categories the margins all but rule
  // out) can drive weights to zero while raking fails to converge. A weight of zero silently drops
  // an answer, so the weights are refused rather than applied.
  const vanished = result.weights.reduce((count, w) => count + (w > 0 && Number.isFinite(w) ? 0 : 1), 0);
  if (vanished)
    return failure(
      `raking drove ${vanished} of ${known.length} weights to zero: the margins cannot be met with these respondents; merge sparse categories or trim the weights`,
      Object.entries(result.discrepancies).map(([variable, worst]) => ({
        path: `/margins/${pointerSegment(variable)}`,
        message: `largest relative discrepancy ${worst}`,
      })),
      unknown,
    );

  const first = Object.values(margins)[0]!;
  const marginTotal = Object.values(first).reduce((s, v) => s + v, 0);
  // The total rake aimed at, and the total everyone's weights should reach.
  const rakedTotal = result.scale === 'shares' ? known.length : marginTotal;
  const grandTotal = result.scale === 'shares' ? respondents.length : marginTotal;
  let baseAll = 0;
  for (const r of respondents) baseAll += r.weight ?? 1;
  let baseKnown = 0;
  for (const i of known) baseKnown += respondents[i]!.weight ?? 1;
  const factor = (grandTotal * baseKnown) / (baseAll * rakedTotal);
  const weights = respondents.map((r) => (grandTotal * (r.weight ?? 1)) / baseAll);
  known.forEach((i, j) => {
    weights[i] = result.weights[j]! * factor;
  });
  return { ok: true, weights, unknown, rake: result };
}
