import { Types } from 'mongoose';
import type { Logger } from 'pino';
import { bulkUpdate } from '../../db/bulk-update';
import { JobName } from '../../queue/jobs';
import type { Queues } from '../../queue/queues';
import type { IndicatorDefinition } from '../catalogue/catalogue';
import { loadCatalogue } from '../catalogue/indicator-definitions.service';
import { MappingCache } from '../indicators/aggregation.service';
import {
  IndicatorValue,
  markValuesChanged,
  type IndicatorValueDoc,
} from '../indicators/indicator-value.model';
import { SurveyResponse } from '../responses/response.model';
import { UnitHead, unitHeadId } from '../responses/unit-state';
import { answerFor, mapAnswer } from '../surveys/indicator-mapping';
import { DEFAULT_TRIM, Margin, marginId, marginsOf, type MarginDoc } from './margin.model';
import { respondentCategories, weightAll, weightedIndicator, type WeightedAnswer } from './weighted-values';

/** The method statement carried by every weighted number. */
export const WEIGHTING_METHOD =
  'Raking (iterative proportional fitting) of respondents to the population margins of the period, weights capped at trim × the mean and raked again; intervals use Kish’s effective sample size; suppression follows the unweighted n';

/** What a published value carries of its weighting. */
export type WeightedFigure =
  | {
      status: 'weighted';
      value: number | null;
      low: number | null;
      high: number | null;
      /** Respondents in the base (unweighted). */
      n: number;
      effectiveN: number;
      method: string;
      variables: string[];
      trim: { min: number; max: number };
      converged: boolean;
      iterations: number;
      trimmed: number;
      designEffect: number;
      /** Respondents whose category on a weighting variable is unknown (given the mean weight). */
      unknown: number;
      /** Responses of the organisation and period the weights were computed from. */
      respondents: number;
      computedAt: string;
    }
  | { status: 'not-weighted'; reason: string; variables: string[]; respondents: number; computedAt: string };

/** An organisation's period whose values are weighted. */
export interface WeightingUnit {
  organisationId: string;
  period: string;
}

/** Of these units, those with population margins stored (one read of the small margins collection). */
export async function unitsWithMargins(units: readonly WeightingUnit[]): Promise<WeightingUnit[]> {
  if (!units.length) return [];
  const ids = units.map((u) => marginId(u.organisationId, u.period));
  const found = new Set(
    (await Margin.find({ _id: { $in: ids } }, { _id: 1 }).lean<Array<{ _id: string }>>()).map((d) => d._id),
  );
  return units.filter((u) => found.has(marginId(u.organisationId, u.period)));
}

/** How long a unit's reweighting waits for more answers: a burst is weighted once. */
export const REWEIGHT_DELAY_MS = 2000;

/** Queues the weighting of a unit, collapsed with any request already waiting for it. */
export function requestReweight(queues: Queues, u: WeightingUnit): Promise<unknown> {
  return queues.enqueue(
    JobName.reweight,
    { organisationId: u.organisationId, period: u.period },
    {
      deduplication: { id: `reweight|${u.organisationId}|${u.period}`, ttl: REWEIGHT_DELAY_MS },
      delay: REWEIGHT_DELAY_MS,
    },
  );
}

/** Every unit with margins (after a full rebuild, which replaces all published values). */
export async function allWeightingUnits(): Promise<WeightingUnit[]> {
  const docs = await Margin.find({}, { organisationId: 1, period: 1 }).lean<MarginDoc[]>();
  return docs.map((d) => ({ organisationId: d.organisationId.toHexString(), period: d.period }));
}

/** One respondent as weighting reads it: categories, and the mapped answers per indicator and segment. */
interface Respondent {
  categories: Record<string, string> | null;
  segment: string;
  answers: Array<{ indicatorId: string; value: string | number }>;
}

async function respondentsOf(
  u: WeightingUnit,
  variables: string[],
  catalogue: Map<string, IndicatorDefinition>,
) {
  const mappings = new MappingCache(catalogue);
  const out: Respondent[] = [];
  const cursor = SurveyResponse.find(
    { organisationId: new Types.ObjectId(u.organisationId), period: u.period },
    { surveyId: 1, version: 1, segment: 1, mode: 1, answers: 1 },
  )
    .lean()
    .cursor({ batchSize: 2000 });
  for await (const r of cursor) {
    const answers = r.answers as Record<string, unknown>;
    const segment = r.segment ?? '';
    const mapping = await mappings.get(r.surveyId, r.version);
    const mapped: Respondent['answers'] = [];
    for (const { entry, indicator } of mapping.entries) {
      const m = mapAnswer(answerFor(answers, entry), entry, indicator);
      if (m) mapped.push({ indicatorId: indicator.id, value: m.value });
    }
    out.push({
      categories: respondentCategories(answers, { segment, mode: r.mode ?? 'online' }, variables),
      segment,
      answers: mapped,
    });
  }
  return out;
}

/**
 * Weights an organisation's period to its population margins and writes the weighted figure
 * beside each published value (`weighted`), or why it could not be weighted; without margins,
 * removes any weighted figure. The unweighted value, its n and its suppression are left as they
 * are. Reads the period's responses (a background job, debounced after answers are counted). A
 * period whose responses were deleted under a retention setting keeps the figures it has.
 */
export async function reweightUnit(
  u: WeightingUnit,
  logger?: Logger,
): Promise<{ values: number; status: 'weighted' | 'not-weighted' | 'no-margins' | 'archived' }> {
  const orgId = new Types.ObjectId(u.organisationId);
  // Responses deleted under a retention setting: the weighted figures computed before stay.
  if (await UnitHead.exists({ _id: unitHeadId(u), archivedAt: { $ne: null } }))
    return { values: 0, status: 'archived' };
  const values = await IndicatorValue.find(
    { organisationId: orgId, period: u.period },
    { _id: 1, indicatorId: 1, segment: 1, population: 1 },
  ).lean<Array<Pick<IndicatorValueDoc, 'indicatorId' | 'segment' | 'population'> & { _id: string }>>();
  const margin = await Margin.findById(marginId(orgId, u.period)).lean<MarginDoc>();
  if (!margin) {
    if (values.length)
      await IndicatorValue.updateMany(
        { _id: { $in: values.map((v) => v._id) } },
        { $set: { weighted: null } },
      );
    return { values: values.length, status: 'no-margins' };
  }
  const catalogue = await loadCatalogue();
  const margins = marginsOf(margin);
  const variables = Object.keys(margins);
  const trim = margin.trim ?? DEFAULT_TRIM;
  const respondents = await respondentsOf(u, variables, catalogue);
  const computedAt = new Date().toISOString();
  const weighting = respondents.length
    ? weightAll(
        respondents.map((r) => ({ categories: r.categories })),
        margins,
        { trim: { min: trim.min, max: trim.max } },
      )
    : ({ ok: false, reason: 'no responses to weight', details: [], unknown: 0 } as const);

  const updates = values.map((v) => {
    let weighted: WeightedFigure;
    if (!weighting.ok) {
      weighted = {
        status: 'not-weighted',
        reason: weighting.reason,
        variables,
        respondents: respondents.length,
        computedAt,
      };
    } else {
      const def = catalogue.get(v.indicatorId);
      const list: WeightedAnswer[] = [];
      respondents.forEach((r, i) => {
        if (v.segment !== '*' && r.segment !== v.segment) return;
        for (const a of r.answers)
          if (a.indicatorId === v.indicatorId) list.push({ value: a.value, weight: weighting.weights[i]! });
      });
      const population = typeof v.population === 'number' ? v.population : undefined;
      const result = def
        ? weightedIndicator(def, list, population !== undefined ? { population } : {})
        : null;
      weighted = result
        ? {
            status: 'weighted',
            value: result.value,
            low: result.low,
            high: result.high,
            n: result.n,
            effectiveN: result.effectiveN,
            method: WEIGHTING_METHOD,
            variables,
            trim: { min: trim.min, max: trim.max },
            converged: weighting.rake.converged,
            iterations: weighting.rake.iterations,
            trimmed: weighting.rake.trimmed,
            designEffect: weighting.rake.designEffect,
            unknown: weighting.unknown,
            respondents: respondents.length,
            computedAt,
          }
        : {
            status: 'not-weighted',
            reason: 'the indicator is not in the catalogue',
            variables,
            respondents: respondents.length,
            computedAt,
          };
    }
    return { updateOne: { filter: { _id: v._id as never }, update: { $set: { weighted } } } };
  });
  if (updates.length) {
    await bulkUpdate(IndicatorValue.collection, updates);
    await markValuesChanged();
  }
  const status = weighting.ok ? 'weighted' : 'not-weighted';
  logger?.info({ unit: `${u.organisationId}|${u.period}`, values: values.length, status }, 'values weighted');
  return { values: values.length, status };
}
