/**
 * How many responses a tenant survey needs, and how many tenants to invite to get them.
 * Pure functions: the planner endpoint and any report use the same arithmetic.
 */
import { ValidationError } from '../../errors';
import { Z95 } from '../catalogue/statistics';

/**
 * The margin of error a survey of a landlord of `population` homes must reach at 95% confidence,
 * following the bands of the Regulator of Social Housing, Tenant Satisfaction Measures: Technical
 * requirements: ±5% below 2,500 homes, ±4% from 2,500 to 24,999, ±3% from 25,000.
 */
export function requiredMarginOfError(population: number): number {
  if (population < 2_500) return 0.05;
  if (population < 25_000) return 0.04;
  return 0.03;
}

/** What the planner needs. */
export interface SampleSizeInput {
  /** Size N of the population surveyed (the housing stock), a positive integer. */
  population: number;
  /** Target half-width of a 95% interval, as a proportion (0.05 is ±5 points); default by N. */
  marginOfError?: number;
  /** Share of invited tenants expected to answer, in (0, 1]. */
  responseRate?: number;
  /** Responses received so far, to compare with the target. */
  achieved?: number;
}

/** The plan. */
export interface SampleSizePlan {
  population: number;
  marginOfError: number;
  /** Whether the margin came from the regulator's bands rather than the request. */
  marginFromBands: boolean;
  confidence: 0.95;
  z: number;
  /** The proportion assumed: ½, where the variance and so the sample needed is largest. */
  p: 0.5;
  /** Responses needed from an infinite population, z²p(1 − p)/e². */
  unadjusted: number;
  /** Responses needed with the finite population correction, n₀/(1 + (n₀ − 1)/N), rounded up. */
  responsesNeeded: number;
  responseRate: number | null;
  /** Invitations needed at the response rate, ceil(n / rate), at most N; null without a rate. */
  invitationsNeeded: number | null;
  /** Even inviting all N homes is not expected to yield enough responses at that rate. */
  unreachable: boolean;
  /** Only with `achieved`. */
  achieved?: {
    responses: number;
    /** Margin of error reached, z·sqrt(p(1 − p)/n · (N − n)/(N − 1)); null with no responses. */
    marginOfError: number | null;
    met: boolean;
    /** Responses still missing to reach the target (0 when met). */
    shortBy: number;
  };
}

const P = 0.5;

/**
 * Margin of error of a share estimated from `n` responses out of a population of N, in the worst
 * case p = ½ and with the finite population correction: z·sqrt(p(1 − p)/n · (N − n)/(N − 1)).
 * A census (n = N) has none.
 */
export function marginOfErrorFor(n: number, population: number, z = Z95): number {
  if (n >= population) return 0;
  return z * Math.sqrt(((P * (1 - P)) / n) * ((population - n) / (population - 1)));
}

/**
 * Plans a survey: the responses needed for the target margin of error at 95% confidence and
 * p = ½ (the worst case), n₀ = z²p(1 − p)/e², corrected for the finite population as
 * n = n₀/(1 + (n₀ − 1)/N) and rounded up; the invitations needed at the expected response rate,
 * ceil(n / rate), capped at N with `unreachable` set when even N would not be enough; and, given
 * the responses achieved, the margin they reach and whether it meets the target.
 *
 * @throws ValidationError (paths into the input) when `achieved` exceeds the population
 */
export function planSampleSize(input: SampleSizeInput): SampleSizePlan {
  const { population: N } = input;
  if (input.achieved !== undefined && input.achieved > N)
    throw new ValidationError('more responses than homes', [
      { path: '/achieved', message: `cannot exceed the population (${N})` },
    ]);
  const e = input.marginOfError ?? requiredMarginOfError(N);
  const z = Z95;
  const unadjusted = (z * z * P * (1 - P)) / (e * e);
  const responsesNeeded = Math.min(N, Math.ceil(unadjusted / (1 + (unadjusted - 1) / N)));
  const rate = input.responseRate ?? null;
  const wanted = rate === null ? null : Math.ceil(responsesNeeded / rate);
  const plan: SampleSizePlan = {
    population: N,
    marginOfError: e,
    marginFromBands: input.marginOfError === undefined,
    confidence: 0.95,
    z,
    p: P,
    unadjusted,
    responsesNeeded,
    responseRate: rate,
    invitationsNeeded: wanted === null ? null : Math.min(wanted, N),
    unreachable: wanted !== null && wanted > N,
  };
  if (input.achieved !== undefined) {
    // The margin falls as n grows and responsesNeeded is the least n reaching the target, so
    // comparing counts decides "met" without floating-point ties at the boundary.
    plan.achieved = {
      responses: input.achieved,
      marginOfError: input.achieved === 0 ? null : marginOfErrorFor(input.achieved, N, z),
      met: input.achieved >= responsesNeeded,
      shortBy: Math.max(0, responsesNeeded - input.achieved),
    };
  }
  return plan;
}
