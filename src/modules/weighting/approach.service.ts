/**
 * The "summary of approach" a landlord publishes with its tenant perception measures (Regulator
 * of Social Housing, Tenant Satisfaction Measures): what the service knows from its own data
 * (responses, modes, timing, sample size, representativeness, weighting) beside what only the
 * landlord can state (sampling, contractor, exclusions, incentives, other issues).
 */
import type { Types } from 'mongoose';
import type { AuthContext } from '../../http/context';
import { Campaign, Invitation, type CampaignDoc } from '../campaigns/campaign.model';
import { IndicatorValue } from '../indicators/indicator-value.model';
import { getOrganisation } from '../organisations/organisations.service';
import { MODES, addModeCounts, type Mode, type ModeCounts } from '../responses/modes';
import { SurveyResponse } from '../responses/response.model';
import { latestState } from '../responses/unit-state';
import {
  Approach,
  OVERRIDABLE,
  approachId,
  type ApproachDoc,
  type Overridable,
  type SamplingMethod,
} from './approach.model';
import { Margin, marginId, marginsOf, type MarginDoc } from './margin.model';
import type { Margins } from './raking';
import { checkRepresentativeness, type CategoryCheck } from './representativeness';
import { planSampleSize } from './sample-size';
import { WEIGHTING_METHOD, type WeightedFigure } from './weighted-publication';
import { respondentCategories } from './weighted-values';

/** The items of the regulator's summary of approach, in the order it lists them. */
export const APPROACH_ITEMS = [
  'achieved',
  'timing',
  'modes',
  'sampling',
  'representativeness',
  'weighting',
  'contractor',
  'exclusions',
  'missedSampleReason',
  'incentives',
  'otherIssues',
] as const;

/** One of {@link APPROACH_ITEMS}. */
export type ApproachItem = (typeof APPROACH_ITEMS)[number];

/** Below this p-value a variable's respondent mix is said to differ from the population's. */
export const REPRESENTATIVENESS_ALPHA = 0.05;

/** The required sample size for the organisation's housing stock, and whether it was reached. */
export interface SampleTarget {
  population: number;
  /** Target half-width of the 95% interval, from the TSM bands. */
  marginOfError: number;
  responsesNeeded: number;
  met: boolean;
  shortBy: number;
  /** Half-width reached by the responses; null with none, 0 for a census. */
  achievedMargin: number | null;
}

/** One campaign of the period as the timing item lists it. */
export interface CampaignTiming {
  id: string;
  slug: string;
  title: string;
  segment: string;
  access: 'open' | 'invite';
  opensAt: string;
  closesAt: string | null;
  housingStock: number | null;
  responses: number;
  byMode: ModeCounts;
}

/** A variable of the representativeness check, with the respondents it could not place. */
export interface VariableAssessment {
  variable: string;
  /** Respondents counted on this variable. */
  n: number;
  /** Respondents whose category on this variable is unknown (a question left unanswered). */
  unknown: number;
  /** Respondents in a category the margins do not have (or give no population). */
  outsideMargins: number;
  categories: CategoryCheck[];
  chiSquare: number | null;
  df: number | null;
  pValue: number | null;
  lowExpected: number;
  /** `differs` below {@link REPRESENTATIVENESS_ALPHA}; `untested` without a p-value. */
  assessment: 'consistent' | 'differs' | 'untested';
}

/** The representativeness item: respondents compared with the period's population margins. */
export interface RepresentativenessView {
  checked: boolean;
  /** Why nothing was checked; null when checked. */
  reason: string | null;
  /** The characteristics considered: the variables of the margins. */
  characteristics: string[];
  /** Responses of the period read for the check. */
  respondents: number;
  alpha: number;
  variables: VariableAssessment[];
}

/** The weighting item, summarised over the organisation's published values of the period. */
export interface WeightingSummary {
  /** `pending`: margins are stored but the published values are not weighted yet. */
  status: 'weighted' | 'not-weighted' | 'pending' | 'none';
  applied: boolean;
  marginsStored: boolean;
  variables: string[];
  /** Caps of the weights, × the mean weight. */
  trim: { min: number; max: number } | null;
  /** Whether raking converged for every weighted value; null when nothing is weighted. */
  converged: boolean | null;
  designEffect: { min: number; max: number } | null;
  effectiveN: { min: number; max: number } | null;
  /** Values of the whole organisation published for the period, and how many are weighted. */
  indicators: number;
  weightedIndicators: number;
  method: string | null;
  /** Why the values could not be weighted (status `not-weighted`). */
  reason: string | null;
  computedAt: string | null;
}

/** The summary of approach of an organisation's period. */
export interface ApproachView {
  organisation: { id: string; slug: string; name: string; housingStock: number | null };
  period: string;
  achieved: { responses: number; byMode: ModeCounts; target: SampleTarget | null };
  timing: { from: string | null; to: string | null; ongoing: boolean; campaigns: CampaignTiming[] };
  modes: Array<{ mode: Mode; responses: number; share: number }>;
  sampling: {
    method: SamplingMethod | null;
    description: string | null;
    population: number | null;
    campaigns: { open: number; invite: number };
    invitations: { issued: number; used: number };
    segments: string[];
    languages: string[];
    doubleEntry: boolean;
  };
  representativeness: RepresentativenessView;
  weighting: WeightingSummary;
  contractor: { status: 'not-stated' | 'in-house' | 'external'; name: string | null };
  exclusions: string | null;
  missedSampleReason: string | null;
  incentives: string | null;
  otherIssues: string | null;
  notes: string | null;
  overrides: Record<Overridable, string | null>;
  /** Items the regulator asks for that are still empty. */
  missing: ApproachItem[];
  /** Problems a reader of the summary should know about, in words. */
  warnings: string[];
  /** When the landlord's statements were last changed; null before any. */
  statedAt: string | null;
  generatedAt: string;
}

/** The landlord's statements, as the PUT body carries them: absent leaves a field as it is. */
export interface ApproachInput {
  sampling?: { method?: SamplingMethod | null; description?: string | null };
  /** A name, or null when the survey was run in house. */
  contractor?: string | null;
  exclusions?: string | null;
  missedSampleReason?: string | null;
  incentives?: string | null;
  otherIssues?: string | null;
  notes?: string | null;
  overrides?: Partial<Record<Overridable, string | null>>;
}

/** Mode counts of several campaigns added up. */
export function sumModes(perCampaign: Iterable<ModeCounts>): ModeCounts {
  let total: ModeCounts = {};
  for (const counts of perCampaign) total = addModeCounts(total, counts);
  return total;
}

/**
 * The required sample size for a population and whether `responses` reach it, or null when the
 * population is unknown or smaller than the responses (then it cannot be the population surveyed).
 */
export function sampleTarget(population: number | null, responses: number): SampleTarget | null {
  if (population === null || population < 1 || responses > population) return null;
  const plan = planSampleSize({ population, achieved: responses });
  return {
    population,
    marginOfError: plan.marginOfError,
    responsesNeeded: plan.responsesNeeded,
    met: plan.achieved!.met,
    shortBy: plan.achieved!.shortBy,
    achievedMargin: plan.achieved!.marginOfError,
  };
}

/**
 * The survey's fieldwork window: the earliest opening to the latest closing of its campaigns,
 * `to` null while any campaign has no closing date; `ongoing` while any still accepts answers.
 */
export function timingOf(
  campaigns: ReadonlyArray<{ opensAt: Date; closesAt?: Date | null }>,
  now: Date,
): { from: string | null; to: string | null; ongoing: boolean } {
  if (!campaigns.length) return { from: null, to: null, ongoing: false };
  const from = Math.min(...campaigns.map((c) => c.opensAt.getTime()));
  const openEnded = campaigns.some((c) => !c.closesAt);
  const to = openEnded ? null : Math.max(...campaigns.map((c) => c.closesAt!.getTime()));
  return {
    from: new Date(from).toISOString(),
    to: to === null ? null : new Date(to).toISOString(),
    ongoing: campaigns.some((c) => c.opensAt <= now && (!c.closesAt || c.closesAt > now)),
  };
}

function range(values: number[]): { min: number; max: number } | null {
  return values.length ? { min: Math.min(...values), max: Math.max(...values) } : null;
}

/**
 * The weighting item from the weighted figures of the published values (null where a value
 * carries none): applied when any value is weighted, with the variables, caps, design effects and
 * effective sample sizes seen across them.
 */
export function summariseWeighting(
  figures: ReadonlyArray<WeightedFigure | null | undefined>,
  margins: Margins | null,
): WeightingSummary {
  const present = figures.filter((f): f is WeightedFigure => !!f);
  const weighted = present.filter((f) => f.status === 'weighted');
  const refused = present.filter((f) => f.status === 'not-weighted');
  const variables = new Set<string>();
  for (const f of weighted.length ? weighted : refused) for (const v of f.variables) variables.add(v);
  if (!variables.size && margins) for (const v of Object.keys(margins)) variables.add(v);
  const latest = present.map((f) => f.computedAt).sort();
  const status = weighted.length
    ? 'weighted'
    : refused.length
      ? 'not-weighted'
      : margins
        ? 'pending'
        : 'none';
  const first = weighted[0];
  return {
    status,
    applied: weighted.length > 0,
    marginsStored: margins !== null,
    variables: [...variables],
    trim: first ? { min: first.trim.min, max: first.trim.max } : null,
    converged: weighted.length ? weighted.every((f) => f.converged) : null,
    designEffect: range(weighted.map((f) => f.designEffect)),
    effectiveN: range(weighted.map((f) => f.effectiveN)),
    indicators: figures.length,
    weightedIndicators: weighted.length,
    method: weighted.length ? (first!.method ?? WEIGHTING_METHOD) : null,
    reason: status === 'not-weighted' ? refused[0]!.reason : null,
    computedAt: latest.length ? latest[latest.length - 1]! : null,
  };
}

/** The regulator's items still empty: nothing known from the data and nothing stated. */
export function missingItems(
  view: Pick<
    ApproachView,
    | 'achieved'
    | 'timing'
    | 'sampling'
    | 'representativeness'
    | 'contractor'
    | 'exclusions'
    | 'missedSampleReason'
    | 'incentives'
    | 'otherIssues'
    | 'overrides'
  >,
): ApproachItem[] {
  const stated = (item: Overridable) => view.overrides[item] !== null;
  const empty: Record<ApproachItem, boolean> = {
    achieved: view.achieved.responses === 0 && !stated('achieved'),
    timing: !view.timing.campaigns.length && !stated('timing'),
    modes: view.achieved.responses === 0 && !stated('modes'),
    sampling:
      view.sampling.method === null ||
      (view.sampling.method === 'other' && view.sampling.description === null),
    representativeness: !view.representativeness.checked && !stated('representativeness'),
    // Not weighting is itself a statement; the item always has an answer.
    weighting: false,
    contractor: view.contractor.status === 'not-stated',
    exclusions: view.exclusions === null,
    missedSampleReason: view.achieved.target?.met === false && view.missedSampleReason === null,
    incentives: view.incentives === null,
    otherIssues: view.otherIssues === null,
  };
  return APPROACH_ITEMS.filter((item) => empty[item]);
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

function warningsOf(view: Omit<ApproachView, 'missing' | 'warnings' | 'generatedAt'>): string[] {
  const out: string[] = [];
  const { target, responses } = view.achieved;
  if (view.organisation.housingStock === null)
    out.push(
      'the organisation’s housing stock is not recorded, so the required sample size cannot be checked',
    );
  else if (!target)
    out.push(
      `more responses (${responses}) than homes (${view.organisation.housingStock}): the housing stock recorded cannot be the population surveyed`,
    );
  if (target && !target.met && view.missedSampleReason === null)
    out.push(
      `the required sample size (${target.responsesNeeded} responses for ±${percent(target.marginOfError)}) was not met (${responses} achieved) and no reason is stated`,
    );
  if (view.timing.ongoing) out.push('the survey is still open: the figures may still change');
  const differing = view.representativeness.variables.filter((v) => v.assessment === 'differs');
  if (differing.length && !view.weighting.applied)
    out.push(
      `the respondents differ from the population on ${differing.map((v) => v.variable).join(', ')} and the published values are not weighted`,
    );
  if (view.weighting.status === 'not-weighted')
    out.push(`the published values could not be weighted: ${view.weighting.reason}`);
  return out;
}

/**
 * Respondents of the period compared with its population margins, each variable on its own so a
 * respondent unknown on one variable still counts on the others. Reads the period's responses
 * (only when margins are stored): a report, not a hot path.
 */
async function representativenessOf(
  organisationId: Types.ObjectId,
  period: string,
  margins: Margins | null,
): Promise<RepresentativenessView> {
  const base = { alpha: REPRESENTATIVENESS_ALPHA, respondents: 0, variables: [] };
  if (!margins)
    return {
      ...base,
      checked: false,
      reason: 'no population margins are stored for the period',
      characteristics: [],
    };
  const variables = Object.keys(margins);
  // Maps, not objects: a category may be named like an Object.prototype property.
  const counts = new Map(variables.map((v) => [v, new Map<string, number>()]));
  const unknown = new Map(variables.map((v) => [v, 0]));
  const outside = new Map(variables.map((v) => [v, 0]));
  let respondents = 0;
  const cursor = SurveyResponse.find({ organisationId, period }, { answers: 1, segment: 1, mode: 1 })
    .lean()
    .cursor({ batchSize: 2000 });
  for await (const r of cursor) {
    respondents++;
    const answers = (r.answers ?? {}) as Record<string, unknown>;
    const context = { segment: r.segment ?? '', mode: r.mode ?? 'online' };
    for (const variable of variables) {
      const category = respondentCategories(answers, context, [variable])?.[variable];
      const population = margins[variable]!;
      if (category === undefined) unknown.set(variable, unknown.get(variable)! + 1);
      else if (!Object.hasOwn(population, category) || population[category] === 0)
        outside.set(variable, outside.get(variable)! + 1);
      else {
        const perCategory = counts.get(variable)!;
        perCategory.set(category, (perCategory.get(category) ?? 0) + 1);
      }
    }
  }
  const respondentCounts = Object.fromEntries(
    [...counts].map(([variable, perCategory]) => [variable, Object.fromEntries(perCategory)]),
  );
  const checks = checkRepresentativeness(margins, respondentCounts);
  return {
    ...base,
    checked: true,
    reason: null,
    characteristics: variables,
    respondents,
    variables: checks.map((c) => ({
      variable: c.variable,
      n: c.n,
      unknown: unknown.get(c.variable)!,
      outsideMargins: outside.get(c.variable)!,
      categories: c.categories,
      chiSquare: c.chiSquare,
      df: c.df,
      pValue: c.pValue,
      lowExpected: c.lowExpected,
      assessment:
        c.pValue === null ? 'untested' : c.pValue < REPRESENTATIVENESS_ALPHA ? 'differs' : 'consistent',
    })),
  };
}

/** Personal codes issued and used across the letter campaigns. */
async function invitationsOf(campaigns: CampaignDoc[]): Promise<{ issued: number; used: number }> {
  const ids = campaigns.filter((c) => c.access === 'invite').map((c) => c._id);
  if (!ids.length) return { issued: 0, used: 0 };
  const groups = await Invitation.aggregate<{ _id: boolean; n: number }>([
    { $match: { campaignId: { $in: ids } } },
    { $group: { _id: '$used', n: { $sum: 1 } } },
  ]);
  const used = groups.find((g) => g._id === true)?.n ?? 0;
  return { issued: groups.reduce((s, g) => s + g.n, 0), used };
}

const orNull = (value: string | null | undefined) => value ?? null;

/**
 * The summary of approach of an organisation's period: the service's own figures and the
 * landlord's statements, the regulator's items still empty (`missing`) and warnings. Answers for
 * a period without campaigns too, with everything empty. 404 for another organisation.
 */
export async function getApproach(
  caller: AuthContext,
  orgRef: string,
  period: string,
): Promise<ApproachView> {
  const org = await getOrganisation(caller, orgRef);
  const orgId = org._id;
  const [campaigns, state, stated, marginDoc, values] = await Promise.all([
    Campaign.find({ organisationId: orgId, period }).lean<CampaignDoc[]>(),
    latestState({ organisationId: orgId.toHexString(), period }),
    Approach.findById(approachId(orgId, period)).lean<ApproachDoc>(),
    Margin.findById(marginId(orgId, period)).lean<MarginDoc>(),
    IndicatorValue.find({ organisationId: orgId, period, segment: '*' }, { weighted: 1 }).lean<
      Array<{ weighted?: WeightedFigure | null }>
    >(),
  ]);
  const margins = marginDoc ? marginsOf(marginDoc) : null;
  const [representativeness, invitations] = await Promise.all([
    representativenessOf(orgId, period, margins),
    invitationsOf(campaigns),
  ]);

  campaigns.sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime());
  const byMode = sumModes(Object.values(state.modes));
  const responses = state.responses;
  const housingStock = org.housingStock ?? null;
  const now = new Date();

  const overrides = Object.fromEntries(OVERRIDABLE.map((k) => [k, orNull(stated?.overrides?.[k])])) as Record<
    Overridable,
    string | null
  >;
  const contractor: ApproachView['contractor'] =
    !stated || stated.contractor === undefined
      ? { status: 'not-stated', name: null }
      : stated.contractor === null
        ? { status: 'in-house', name: null }
        : { status: 'external', name: stated.contractor };

  const view: Omit<ApproachView, 'missing' | 'warnings' | 'generatedAt'> = {
    organisation: { id: orgId.toHexString(), slug: org.slug, name: org.name, housingStock },
    period,
    achieved: { responses, byMode, target: sampleTarget(housingStock, responses) },
    timing: {
      ...timingOf(campaigns, now),
      campaigns: campaigns.map((c) => {
        const id = c._id.toHexString();
        return {
          id,
          slug: c.slug,
          title: c.title,
          segment: c.segment ?? '',
          access: c.access as 'open' | 'invite',
          opensAt: c.opensAt.toISOString(),
          closesAt: c.closesAt ? c.closesAt.toISOString() : null,
          housingStock: c.housingStock ?? null,
          responses: state.campaigns[id] ?? 0,
          byMode: state.modes[id] ?? {},
        };
      }),
    },
    modes: MODES.filter((m) => (byMode[m] ?? 0) > 0).map((mode) => ({
      mode,
      responses: byMode[mode]!,
      share: byMode[mode]! / responses,
    })),
    sampling: {
      method: orNull(stated?.sampling?.method) as SamplingMethod | null,
      description: orNull(stated?.sampling?.description),
      population: housingStock,
      campaigns: {
        open: campaigns.filter((c) => c.access === 'open').length,
        invite: campaigns.filter((c) => c.access === 'invite').length,
      },
      invitations,
      segments: [...new Set(campaigns.map((c) => c.segment ?? '').filter(Boolean))],
      languages: [...new Set(campaigns.flatMap((c) => c.languages))],
      doubleEntry: campaigns.some((c) => c.doubleEntry),
    },
    representativeness,
    weighting: summariseWeighting(
      values.map((v) => v.weighted ?? null),
      margins,
    ),
    contractor,
    exclusions: orNull(stated?.exclusions),
    missedSampleReason: orNull(stated?.missedSampleReason),
    incentives: orNull(stated?.incentives),
    otherIssues: orNull(stated?.otherIssues),
    notes: orNull(stated?.notes),
    overrides,
    statedAt: stated ? stated.updatedAt.toISOString() : null,
  };
  return { ...view, missing: missingItems(view), warnings: warningsOf(view), generatedAt: now.toISOString() };
}

/**
 * Stores the landlord's statements for a period, field by field: an absent field is left as it
 * is, null clears it (except `contractor`, where null states the survey was run in house), text
 * is stored without surrounding white space. Returns the summary as {@link getApproach} does.
 */
export async function putApproach(
  caller: AuthContext,
  orgRef: string,
  period: string,
  input: ApproachInput,
): Promise<ApproachView> {
  const org = await getOrganisation(caller, orgRef);
  const set: Record<string, unknown> = { organisationId: org._id, period, updatedBy: caller.keyId };
  const unset: Record<string, ''> = {};
  const text = (path: string, value: string | null | undefined) => {
    if (value === undefined) return;
    if (value === null) unset[path] = '';
    else set[path] = value.trim();
  };
  if (input.sampling) {
    const { method, description } = input.sampling;
    if (method === null) unset['sampling.method'] = '';
    else if (method !== undefined) set['sampling.method'] = method;
    text('sampling.description', description);
  }
  if (input.contractor !== undefined)
    set.contractor = input.contractor === null ? null : input.contractor.trim();
  text('exclusions', input.exclusions);
  text('missedSampleReason', input.missedSampleReason);
  text('incentives', input.incentives);
  text('otherIssues', input.otherIssues);
  text('notes', input.notes);
  for (const key of OVERRIDABLE) text(`overrides.${key}`, input.overrides?.[key]);
  await Approach.updateOne(
    { _id: approachId(org._id, period) },
    Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set },
    { upsert: true },
  );
  return getApproach(caller, org._id.toHexString(), period);
}
