import { Types } from 'mongoose';
import type { Logger } from 'pino';
import { JobName, bucketJobId } from '../../queue/jobs';
import type { LockRunner } from '../../queue/lock';
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
import {
  AggregationState,
  BucketStat,
  BucketState,
  IndicatorValue,
  bucketStatId,
  indicatorValueId,
  markValuesChanged,
} from './indicator-value.model';

/** One bucket: the unit a recompute reads and replaces. */
export interface Bucket {
  organisationId: string;
  surveyId: string;
  period: string;
  segment: string;
}

/** Reconcile looks this far behind its last run, for responses that were written late. */
const RECONCILE_OVERLAP_MS = 10 * 60 * 1000;
const BULK_BATCH = 500;

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

function bucketFilter(b: Bucket) {
  return {
    organisationId: new Types.ObjectId(b.organisationId),
    surveyId: new Types.ObjectId(b.surveyId),
    period: b.period,
    segment: b.segment,
  };
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

/** The documents replacing a bucket's statistics and its recorded response count. */
function bucketDocs(
  b: Bucket,
  stats: IndicatorStats[],
  responses: number,
  population: number | null,
  at: Date,
) {
  const key = bucketFilter(b);
  const statDocs = stats.map((s) => ({
    _id: bucketStatId(b, s.indicatorId),
    ...key,
    indicatorId: s.indicatorId,
    stats: JSON.stringify({ counts: s.counts, excluded: s.excluded, methods: s.methods }),
    population,
    computedAt: at,
  }));
  const stateDoc = { _id: bucketStatId(b), ...key, responses, computedAt: at };
  return { statDocs, stateDoc };
}

/** Upserts by _id, setting every other field (an update, not a replacement, so the _id is kept). */
function upserts<D extends { _id: string }>(docs: D[]) {
  return docs.map(({ _id, ...rest }) => ({
    updateOne: { filter: { _id }, update: { $set: rest }, upsert: true },
  }));
}

/** Inserts documents built here, as they are, in bounded batches. */
async function insertRaw(
  model: { collection: { insertMany: (docs: never[], opts: { ordered: boolean }) => Promise<unknown> } },
  docs: unknown[],
): Promise<void> {
  for (let i = 0; i < docs.length; i += BULK_BATCH) {
    await model.collection.insertMany(docs.slice(i, i + BULK_BATCH) as never[], { ordered: false });
  }
}

/**
 * Runs write operations in bounded batches (one round trip each), on the driver directly:
 * the documents are built here, complete with their key as _id, and must be written as is.
 */
async function bulk(
  model: { collection: { bulkWrite: (ops: never[], opts: { ordered: boolean }) => Promise<unknown> } },
  ops: unknown[],
): Promise<void> {
  for (let i = 0; i < ops.length; i += BULK_BATCH) {
    await model.collection.bulkWrite(ops.slice(i, i + BULK_BATCH) as never[], { ordered: false });
  }
}

/**
 * Recomputes one bucket from its responses and replaces the derived documents: the same
 * input always gives the same numbers, so a retried or duplicated job counts nothing twice.
 * Cost grows with the bucket, not with the collection.
 */
export async function recomputeBucket(
  b: Bucket,
  opts: { catalogue?: Map<string, IndicatorDefinition>; logger?: Logger; lock?: LockRunner } = {},
): Promise<{ responses: number; indicators: number; ms: number }> {
  const started = Date.now();
  const cat = opts.catalogue ?? (await loadCatalogue());
  const mappings = new MappingCache(cat);
  const acc = new StatsAccumulator();
  const at = new Date();
  let responses = 0;
  const cursor = SurveyResponse.find(bucketFilter(b), { surveyId: 1, version: 1, answers: 1 })
    .lean()
    .cursor({ batchSize: 1000 });
  for await (const r of cursor) {
    acc.add(r.answers as Record<string, unknown>, await mappings.get(r.surveyId, r.version));
    responses++;
  }
  const read = Date.now();
  const stats = acc.result();
  const { statDocs, stateDoc } = bucketDocs(b, stats, responses, await bucketPopulation(b), at);
  await bulk(BucketStat, upserts(statDocs));
  await BucketStat.deleteMany({ ...bucketFilter(b), indicatorId: { $nin: stats.map((s) => s.indicatorId) } });
  // Rollups of one organisation and period run one at a time: two concurrent recomputes of
  // its buckets must not let the one that read older statistics write last.
  const lock = opts.lock ?? ((_key, fn) => fn());
  await lock(`rollup:${b.organisationId}:${b.period}`, () =>
    rollupOrganisationPeriod(b.organisationId, b.period, cat, at),
  );
  await bulk(BucketState, upserts([stateDoc]));
  const result = { responses, indicators: stats.length, ms: Date.now() - started };
  opts.logger?.info({ bucket: b, ...result, readMs: read - started }, 'bucket recomputed');
  return result;
}

/** A bucket's statistics row as stored (or as just computed by a rebuild). */
interface StatRow {
  segment: string;
  indicatorId: string;
  stats: IndicatorStats;
  population: number | null;
}

/**
 * An organisation's published values for one period from its bucket statistics: per
 * segment and for the whole organisation (`*`), with suppression applied across them.
 */
function organisationValues(
  org: OrganisationDoc,
  period: string,
  rows: StatRow[],
  catalogue: Map<string, IndicatorDefinition>,
  at: Date,
) {
  const byIndicator = new Map<string, StatRow[]>();
  for (const row of rows)
    byIndicator.set(row.indicatorId, [...(byIndicator.get(row.indicatorId) ?? []), row]);
  const docs = [];
  for (const [indicatorId, list] of byIndicator) {
    const def = catalogue.get(indicatorId);
    if (!def) continue;
    const segments = new Map<string, { stats: IndicatorStats[]; population: number | null }>();
    for (const row of list) {
      const seg = segments.get(row.segment) ?? { stats: [], population: null };
      seg.stats.push(row.stats);
      if (typeof row.population === 'number') seg.population = Math.max(seg.population ?? 0, row.population);
      segments.set(row.segment, seg);
    }
    const cells = [...segments.entries()].map(([segment, s]) => ({
      segment,
      stats: combineStats(s.stats),
      population: s.population,
    }));
    cells.push({
      segment: '*',
      stats: combineStats(list.map((r) => r.stats)),
      population: org.housingStock ?? null,
    });
    const results = cells.map((c) => ({ ...c, result: computeIndicator(def, c.stats, c.population) }));
    const suppression = suppressSegments(
      results.map((r) => ({ segment: r.segment, n: r.result.n })),
      def.minN,
    );
    for (const r of results) {
      docs.push({
        _id: indicatorValueId(org._id.toHexString(), indicatorId, period, r.segment),
        organisationId: org._id,
        indicatorId,
        period,
        segment: r.segment,
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
      });
    }
  }
  return docs;
}

function parseRow(row: {
  segment?: string | null;
  indicatorId: string;
  stats: string;
  population?: number | null;
}): StatRow {
  return {
    segment: row.segment ?? '',
    indicatorId: row.indicatorId,
    stats: {
      indicatorId: row.indicatorId,
      ...(JSON.parse(row.stats) as Omit<IndicatorStats, 'indicatorId'>),
    },
    population: row.population ?? null,
  };
}

/** Recomputes and replaces an organisation's published values for one period. */
export async function rollupOrganisationPeriod(
  organisationId: string,
  period: string,
  catalogue: Map<string, IndicatorDefinition>,
  at = new Date(),
): Promise<void> {
  const orgId = new Types.ObjectId(organisationId);
  const org = await Organisation.findById(orgId).lean<OrganisationDoc>();
  if (!org) return;
  const rows = (await BucketStat.find({ organisationId: orgId, period }).lean()).map(parseRow);
  const docs = organisationValues(org, period, rows, catalogue, at);
  await bulk(IndicatorValue, upserts(docs));
  const keep = new Set(docs.map((d) => `${d.indicatorId}\u0000${d.segment}`));
  const existing = await IndicatorValue.find(
    { organisationId: orgId, period },
    { indicatorId: 1, segment: 1 },
  ).lean();
  const stale = existing.filter((e) => !keep.has(`${e.indicatorId}\u0000${e.segment}`)).map((e) => e._id);
  if (stale.length) await IndicatorValue.deleteMany({ _id: { $in: stale } });
  await markValuesChanged();
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
  const buckets = new Map<string, { bucket: Bucket; acc: StatsAccumulator; count: number }>();
  let responses = 0;
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
        count: 0,
      };
      buckets.set(key, entry);
    }
    entry.acc.add(r.answers as Record<string, unknown>, await mappings.get(r.surveyId, r.version));
    entry.count++;
    responses++;
  }
  // Everything below is computed in memory from the accumulators and written in bulk.
  const populations = new Map<string, number>();
  for (const c of await Campaign.find(
    { housingStock: { $ne: null } },
    { organisationId: 1, surveyId: 1, period: 1, segment: 1, housingStock: 1 },
  ).lean()) {
    const key = `${c.organisationId.toHexString()}|${c.surveyId.toHexString()}|${c.period}|${c.segment}`;
    populations.set(key, Math.max(populations.get(key) ?? 0, c.housingStock as number));
  }
  const statDocs = [];
  const stateDocs = [];
  const rowsByOrgPeriod = new Map<string, { organisationId: string; period: string; rows: StatRow[] }>();
  for (const [key, { bucket, acc, count }] of buckets) {
    const stats = acc.result();
    const population = populations.get(key) ?? null;
    const written = bucketDocs(bucket, stats, count, population, at);
    statDocs.push(...written.statDocs);
    stateDocs.push(written.stateDoc);
    const group = rowsByOrgPeriod.get(`${bucket.organisationId}|${bucket.period}`) ?? {
      organisationId: bucket.organisationId,
      period: bucket.period,
      rows: [],
    };
    for (const s of stats)
      group.rows.push({ segment: bucket.segment, indicatorId: s.indicatorId, stats: s, population });
    rowsByOrgPeriod.set(`${bucket.organisationId}|${bucket.period}`, group);
  }
  // A rebuild replaces every derived document: clearing and inserting costs two passes,
  // where an upsert per document makes some servers (FerretDB) scan once per write.
  await BucketStat.deleteMany({});
  await insertRaw(BucketStat, statDocs);
  await BucketState.deleteMany({});
  await insertRaw(BucketState, stateDocs);
  const orgs = new Map(
    (await Organisation.find({}).lean<OrganisationDoc[]>()).map((o) => [o._id.toHexString(), o]),
  );
  const valueDocs = [];
  for (const { organisationId, period, rows } of rowsByOrgPeriod.values()) {
    const org = orgs.get(organisationId);
    if (org) valueDocs.push(...organisationValues(org, period, rows, catalogue, at));
  }
  await IndicatorValue.deleteMany({});
  await insertRaw(IndicatorValue, valueDocs);
  await markValuesChanged();
  const result = { responses, buckets: buckets.size, ms: Date.now() - started };
  logger?.info(result, 'full rebuild done');
  return result;
}

/**
 * Finds buckets whose responses are not all reflected (for example answers stored while
 * Redis was down, so no recompute was queued) and queues them. It looks only at responses
 * written since its previous run (with an overlap for late writes), then compares each
 * touched bucket's response count with the count its last recompute read: the cost follows
 * recent traffic and bucket sizes, not the whole collection. The first run checks everything.
 */
export async function reconcile(deps: { queues: Queues; logger?: Logger }): Promise<Bucket[]> {
  const runStarted = new Date();
  const state = await AggregationState.findById('reconcile').lean();
  const since = state?.checkedUntil ? new Date(state.checkedUntil.getTime() - RECONCILE_OVERLAP_MS) : null;
  const filter = since
    ? { _id: { $gte: Types.ObjectId.createFromTime(Math.floor(since.getTime() / 1000)) } }
    : {};
  const touched = new Map<string, Bucket>();
  const cursor = SurveyResponse.find(filter, { organisationId: 1, surveyId: 1, period: 1, segment: 1 })
    .lean()
    .cursor({ batchSize: 2000 });
  for await (const r of cursor) {
    const bucket = {
      organisationId: r.organisationId.toHexString(),
      surveyId: r.surveyId.toHexString(),
      period: r.period,
      segment: r.segment ?? '',
    };
    touched.set(bucketJobId(bucket), bucket);
  }
  const behind: Bucket[] = [];
  for (const bucket of touched.values()) {
    const [count, recorded] = await Promise.all([
      SurveyResponse.countDocuments(bucketFilter(bucket)),
      BucketState.findById(bucketStatId(bucket), { responses: 1 }).lean(),
    ]);
    if (count !== (recorded?.responses ?? -1)) behind.push(bucket);
  }
  for (const bucket of behind) {
    await deps.queues.aggregation.add(JobName.recomputeBucket, bucket, {
      deduplication: { id: bucketJobId(bucket), ttl: 1000 },
    });
  }
  // $set with upsert keeps the filter's _id on every MongoDB-compatible server; a replacement upsert may not.
  await AggregationState.updateOne(
    { _id: 'reconcile' },
    { $set: { checkedUntil: runStarted } },
    { upsert: true },
  );
  if (behind.length)
    deps.logger?.info({ buckets: behind.length, checked: touched.size }, 'reconcile queued buckets');
  return behind;
}

/** Buckets whose stored responses outnumber what their last recompute read (all of them: for checks and tests). */
export async function unreflectedResponses(): Promise<number> {
  const groups = await SurveyResponse.aggregate<{
    _id: { o: Types.ObjectId; s: Types.ObjectId; p: string; g: string };
    n: number;
  }>([
    {
      $group: { _id: { o: '$organisationId', s: '$surveyId', p: '$period', g: '$segment' }, n: { $sum: 1 } },
    },
  ]);
  let missing = 0;
  for (const g of groups) {
    const recorded = await BucketState.findById(
      bucketStatId({
        organisationId: g._id.o.toHexString(),
        surveyId: g._id.s.toHexString(),
        period: g._id.p,
        segment: g._id.g ?? '',
      }),
    ).lean();
    missing += g.n - (recorded?.responses ?? 0);
  }
  return missing;
}
