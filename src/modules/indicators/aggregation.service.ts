import { Types } from 'mongoose';
import type { Logger } from 'pino';
import { JobName, bucketJobId } from '../../queue/jobs';
import type { Queues } from '../../queue/queues';
import { Campaign } from '../campaigns/campaign.model';
import { Organisation, type OrganisationDoc } from '../organisations/organisation.model';
import { SurveyResponse } from '../responses/response.model';
import type { MappingEntry } from '../surveys/indicator-mapping';
import { SurveyVersion } from '../surveys/survey.model';
import {
  combineStats,
  computeIndicator,
  prepareMapping,
  StatsAccumulator,
  suppressSegments,
  type IndicatorStats,
  type VersionMapping,
} from './aggregation';
import type { IndicatorDefinition } from './catalogue';
import { loadCatalogue } from './indicator-definitions.service';
import { BucketStat, IndicatorValue } from './indicator-value.model';

/** One bucket: the unit a recompute reads and replaces. */
export interface Bucket {
  organisationId: string;
  surveyId: string;
  period: string;
  segment: string;
}

const MARK_CHUNK = 1000;

/** Loads and caches the mapping of survey versions while responses stream past. */
class MappingCache {
  private readonly cache = new Map<string, Promise<VersionMapping>>();
  constructor(private readonly catalogue: Map<string, IndicatorDefinition>) {}

  get(surveyId: Types.ObjectId, version: number): Promise<VersionMapping> {
    const key = `${surveyId.toHexString()}:${version}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = SurveyVersion.findOne({ surveyId, version }, { definition: 1, indicatorMapping: 1 })
        .lean()
        .then((v) =>
          v
            ? prepareMapping(
                JSON.parse(v.definition) as Record<string, unknown>,
                JSON.parse(v.indicatorMapping) as MappingEntry[],
                this.catalogue,
              )
            : { entries: [] },
        );
      this.cache.set(key, hit);
    }
    return hit;
  }
}

async function markAggregated(ids: Types.ObjectId[], at: Date): Promise<void> {
  for (let i = 0; i < ids.length; i += MARK_CHUNK) {
    await SurveyResponse.updateMany(
      { _id: { $in: ids.slice(i, i + MARK_CHUNK) } },
      { $set: { aggregatedAt: at } },
    );
  }
}

async function bucketPopulation(b: Bucket): Promise<number | null> {
  const campaigns = await Campaign.find(
    {
      organisationId: new Types.ObjectId(b.organisationId),
      surveyId: new Types.ObjectId(b.surveyId),
      period: b.period,
      segment: b.segment,
    },
    { housingStock: 1 },
  ).lean();
  const stocks = campaigns.map((c) => c.housingStock).filter((s): s is number => typeof s === 'number');
  return stocks.length ? Math.max(...stocks) : null;
}

/** Replaces a bucket's statistics with `stats` (indicators no longer measured disappear). */
async function writeBucketStats(
  b: Bucket,
  stats: IndicatorStats[],
  population: number | null,
  at: Date,
): Promise<void> {
  const key = {
    organisationId: new Types.ObjectId(b.organisationId),
    surveyId: new Types.ObjectId(b.surveyId),
    period: b.period,
    segment: b.segment,
  };
  for (const s of stats) {
    const doc = {
      ...key,
      indicatorId: s.indicatorId,
      stats: JSON.stringify({ counts: s.counts, excluded: s.excluded, methods: s.methods }),
      population,
      computedAt: at,
    };
    await BucketStat.replaceOne({ ...key, indicatorId: s.indicatorId }, doc, { upsert: true });
  }
  await BucketStat.deleteMany({ ...key, indicatorId: { $nin: stats.map((s) => s.indicatorId) } });
}

/**
 * Recomputes one bucket from its responses and replaces the derived documents: the same
 * input always gives the same numbers, so a retried or duplicated job counts nothing twice.
 * Cost grows with the bucket, not with the collection.
 */
export async function recomputeBucket(
  b: Bucket,
  catalogue?: Map<string, IndicatorDefinition>,
): Promise<{ responses: number; indicators: number }> {
  const cat = catalogue ?? (await loadCatalogue());
  const mappings = new MappingCache(cat);
  const acc = new StatsAccumulator();
  const pending: Types.ObjectId[] = [];
  const at = new Date();
  let responses = 0;
  const cursor = SurveyResponse.find(
    {
      organisationId: new Types.ObjectId(b.organisationId),
      surveyId: new Types.ObjectId(b.surveyId),
      period: b.period,
      segment: b.segment,
    },
    { surveyId: 1, version: 1, answers: 1, aggregatedAt: 1 },
  )
    .lean()
    .cursor({ batchSize: 1000 });
  for await (const r of cursor) {
    acc.add(r.answers as Record<string, unknown>, await mappings.get(r.surveyId, r.version));
    if (!r.aggregatedAt) pending.push(r._id);
    responses++;
  }
  const stats = acc.result();
  await writeBucketStats(b, stats, await bucketPopulation(b), at);
  await rollupOrganisationPeriod(b.organisationId, b.period, cat, at);
  await markAggregated(pending, at);
  return { responses, indicators: stats.length };
}

/**
 * Recomputes an organisation's published values for one period from its bucket statistics:
 * per segment and for the whole organisation (`*`), with suppression applied across them.
 */
export async function rollupOrganisationPeriod(
  organisationId: string,
  period: string,
  catalogue: Map<string, IndicatorDefinition>,
  at = new Date(),
): Promise<void> {
  const orgId = new Types.ObjectId(organisationId);
  const org = await Organisation.findById(orgId).lean<OrganisationDoc>();
  if (!org) return;
  const rows = await BucketStat.find({ organisationId: orgId, period }).lean();
  const byIndicator = new Map<string, typeof rows>();
  for (const row of rows)
    byIndicator.set(row.indicatorId, [...(byIndicator.get(row.indicatorId) ?? []), row]);

  const keep: string[] = [];
  for (const [indicatorId, list] of byIndicator) {
    const def = catalogue.get(indicatorId);
    if (!def) continue;
    const parse = (row: (typeof rows)[number]): IndicatorStats => ({
      indicatorId,
      ...(JSON.parse(row.stats) as Omit<IndicatorStats, 'indicatorId'>),
    });
    const segments = new Map<string, { stats: IndicatorStats[]; population: number | null }>();
    for (const row of list) {
      const seg = segments.get(row.segment) ?? { stats: [], population: null };
      seg.stats.push(parse(row));
      if (typeof row.population === 'number') seg.population = Math.max(seg.population ?? 0, row.population);
      segments.set(row.segment, seg);
    }
    const cells = [...segments.entries()].map(([segment, s]) => ({
      segment,
      stats: combineStats(s.stats),
      population: s.population,
    }));
    cells.push({ segment: '*', stats: combineStats(list.map(parse)), population: org.housingStock ?? null });
    const results = cells.map((c) => ({ ...c, result: computeIndicator(def, c.stats, c.population) }));
    const suppression = suppressSegments(
      results.map((r) => ({ segment: r.segment, n: r.result.n })),
      def.minN,
    );

    for (const r of results) {
      const key = { organisationId: orgId, indicatorId, period, segment: r.segment };
      keep.push(`${indicatorId}\u0000${r.segment}`);
      await IndicatorValue.replaceOne(
        key,
        {
          ...key,
          organisation: {
            slug: org.slug,
            name: org.name,
            country: org.country,
            region: org.region,
            type: org.type,
            housingStock: org.housingStock ?? null,
          },
          kind: def.kind,
          n: r.result.n,
          excluded: r.result.excludedCount,
          value: r.result.value,
          low: r.result.low,
          high: r.result.high,
          responseRate: r.result.responseRate,
          population: r.result.population,
          distribution: JSON.stringify(r.result.distribution),
          minN: def.minN,
          suppressed: suppression.get(r.segment) ?? null,
          methods: r.stats.methods,
          computedAt: at,
        },
        { upsert: true },
      );
    }
  }
  const existing = await IndicatorValue.find(
    { organisationId: orgId, period },
    { indicatorId: 1, segment: 1 },
  ).lean();
  const stale = existing
    .filter((e) => !keep.includes(`${e.indicatorId}\u0000${e.segment}`))
    .map((e) => e._id);
  if (stale.length) await IndicatorValue.deleteMany({ _id: { $in: stale } });
}

/**
 * Rebuilds every indicator from every response in one streaming pass. Memory holds one
 * accumulator per bucket, never the responses. Buckets without responses any more lose
 * their statistics.
 */
export async function fullRebuild(
  logger?: Logger,
): Promise<{ responses: number; buckets: number; ms: number }> {
  const started = Date.now();
  const at = new Date();
  const catalogue = await loadCatalogue();
  const mappings = new MappingCache(catalogue);
  const buckets = new Map<string, { bucket: Bucket; acc: StatsAccumulator }>();
  let responses = 0;
  let maxId: Types.ObjectId | null = null;
  const cursor = SurveyResponse.find(
    {},
    { organisationId: 1, surveyId: 1, period: 1, segment: 1, version: 1, answers: 1 },
  )
    .lean()
    .cursor({ batchSize: 2000 });
  for await (const r of cursor) {
    const key = `${r.organisationId.toHexString()}|${r.surveyId.toHexString()}|${r.period}|${r.segment}`;
    let entry = buckets.get(key);
    if (!entry) {
      entry = {
        bucket: {
          organisationId: r.organisationId.toHexString(),
          surveyId: r.surveyId.toHexString(),
          period: r.period,
          segment: r.segment ?? '',
        },
        acc: new StatsAccumulator(),
      };
      buckets.set(key, entry);
    }
    entry.acc.add(r.answers as Record<string, unknown>, await mappings.get(r.surveyId, r.version));
    if (!maxId || r._id.toHexString() > maxId.toHexString()) maxId = r._id;
    responses++;
  }
  const periods = new Map<string, { organisationId: string; period: string }>();
  for (const { bucket, acc } of buckets.values()) {
    await writeBucketStats(bucket, acc.result(), await bucketPopulation(bucket), at);
    periods.set(`${bucket.organisationId}|${bucket.period}`, {
      organisationId: bucket.organisationId,
      period: bucket.period,
    });
  }
  await BucketStat.deleteMany({ computedAt: { $lt: at } });
  for (const { organisationId, period } of periods.values())
    await rollupOrganisationPeriod(organisationId, period, catalogue, at);
  await IndicatorValue.deleteMany({ computedAt: { $lt: at } });
  // Everything up to the newest id read is reflected; a response written during the scan
  // with an older id is still covered by its own recompute job.
  if (maxId)
    await SurveyResponse.updateMany(
      { aggregatedAt: null, _id: { $lte: maxId } },
      { $set: { aggregatedAt: at } },
    );
  const result = { responses, buckets: buckets.size, ms: Date.now() - started };
  logger?.info(result, 'full rebuild done');
  return result;
}

/**
 * Finds responses no recompute has read yet (for example stored while Redis was down) and
 * queues their buckets. Returns the buckets queued.
 */
export async function reconcile(deps: { queues: Queues; logger?: Logger }): Promise<Bucket[]> {
  const groups = await SurveyResponse.aggregate<{
    _id: { o: Types.ObjectId; s: Types.ObjectId; p: string; g: string };
    n: number;
  }>([
    { $match: { aggregatedAt: null } },
    {
      $group: { _id: { o: '$organisationId', s: '$surveyId', p: '$period', g: '$segment' }, n: { $sum: 1 } },
    },
  ]);
  const buckets = groups.map((g) => ({
    organisationId: g._id.o.toHexString(),
    surveyId: g._id.s.toHexString(),
    period: g._id.p,
    segment: g._id.g ?? '',
  }));
  for (const bucket of buckets) {
    await deps.queues.aggregation.add(JobName.recomputeBucket, bucket, {
      deduplication: { id: bucketJobId(bucket), ttl: 1000 },
    });
  }
  if (buckets.length) deps.logger?.info({ buckets: buckets.length }, 'reconcile queued buckets');
  return buckets;
}
