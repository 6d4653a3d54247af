import { Types } from 'mongoose';
import type { Logger } from 'pino';
import { canonicalJson } from '../../canonical-json';
import { bulkUpdate } from '../../db/bulk-update';
import { isDuplicateKey, upsertRetrying } from '../../db/upsert';
import type { LockRunner } from '../../queue/lock';
import { Campaign } from '../campaigns/campaign.model';
import { Organisation, peerAttributes, type OrganisationDoc } from '../organisations/organisation.model';
import { SurveyResponse } from '../responses/response.model';
import type { MappingEntry } from '../surveys/indicator-mapping';
import { pinnedVersion } from '../surveys/surveys.service';
import {
  combineStats,
  computeIndicator,
  METHOD_HASH_VERSION,
  prepareMapping,
  StatsAccumulator,
  suppressSegments,
  type IndicatorStats,
  type VersionMapping,
} from './aggregation';
import { PendingAnswer, type PendingDoc } from '../responses/inbox.model';
import { addModeCounts, type Mode, type ModeCounts } from '../responses/modes';
import {
  UnitHead,
  UnitState,
  archivedUnits,
  NOTHING_COUNTED_YET,
  unitStandings,
  type UnitStanding,
  latestState as latestStored,
  readHead,
  readHeads,
  type Head,
  unitHeadId,
  unitId,
  unitStateId,
  EMPTY_STATE,
  type StoredState,
  type UnitKey,
} from '../responses/unit-state';
import type { IndicatorDefinition } from '../catalogue/catalogue';
import { loadCatalogue } from '../catalogue/indicator-definitions.service';
import {
  AggregationState,
  IndicatorValue,
  indicatorValueId,
  markValuesChanged,
} from './indicator-value.model';

/** Sufficient statistics of one survey × segment of a unit. */
export interface UnitBucket {
  surveyId: string;
  segment: string;
  responses: number;
  /** Housing stock of the bucket's campaigns, when given. */
  population: number | null;
  stats: IndicatorStats[];
}

/** A unit's counts at one revision (revision 0: nothing counted yet, never stored). */
interface State {
  rev: number;
  buckets: UnitBucket[];
  responses: number;
  applied: string[];
  /** Responses counted per campaign. */
  campaigns: Record<string, number>;
  /** Responses counted per campaign and mode. */
  modes: Record<string, ModeCounts>;
}

function parsed(s: StoredState): State {
  return { ...s, buckets: JSON.parse(s.buckets) as UnitBucket[] };
}

const EMPTY: State = parsed(EMPTY_STATE);
/** One drain reads at most this many inbox entries; the rest wait for the next. */
const DRAIN_BATCH = 5000;
/** A step that keeps losing the race for its next revision gives up and is retried later. */
const MAX_ATTEMPTS = 8;
const BULK_BATCH = 2000;
/**
 * Units of one drain stepped at once. A unit's step is a dozen round trips to the database that
 * touch only that unit's documents, so several overlap: the database works while Node waits.
 */
const UNITS_AT_ONCE = 4;
/** A rebuild treats responses completed this long before it began as possibly still arriving. */
const RECENT_MS = 60_000;

/** Everything a step needs that does not change while it runs. */
interface StepContext {
  catalogue: Map<string, IndicatorDefinition>;
  mappings: MappingCache;
  logger?: Logger;
}

/** Prepared mappings of survey versions, per step or job (the versions themselves are cached for good). */
export class MappingCache {
  private readonly cache = new Map<string, Promise<VersionMapping>>();
  constructor(private readonly catalogue: Map<string, IndicatorDefinition>) {}

  get(surveyId: Types.ObjectId | string, version: number): Promise<VersionMapping> {
    const key = `${String(surveyId)}:${version}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = pinnedVersion(surveyId, version).then((v) =>
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

async function stepContext(logger?: Logger): Promise<StepContext> {
  const catalogue = await loadCatalogue();
  return { catalogue, mappings: new MappingCache(catalogue), logger };
}

/* ---------------------------------------------------------------------------------------------
 * Unit states: read by key, written once per revision.
 * ------------------------------------------------------------------------------------------- */

/** The unit's latest revision (see unit-state.ts), its statistics parsed. */
async function latestState(u: UnitKey, from: number): Promise<State> {
  return parsed(await latestStored(u, from));
}

/** Moves the head forward (never back: of two writers the later revision wins). */
async function advanceHead(
  u: UnitKey,
  fields: Partial<{ rev: number; cleaned: number; published: number }>,
): Promise<void> {
  await upsertRetrying(() =>
    UnitHead.updateOne(
      { _id: unitHeadId(u) },
      {
        $max: fields,
        $setOnInsert: { organisationId: new Types.ObjectId(u.organisationId), period: u.period },
      },
      { upsert: true },
    ),
  );
}

/**
 * Writes revision `rev` of a unit. False when another step wrote it first: the caller starts
 * again from that one.
 */
async function writeState(u: UnitKey, state: State): Promise<boolean> {
  try {
    await UnitState.collection.insertOne({
      _id: unitStateId(u, state.rev),
      organisationId: new Types.ObjectId(u.organisationId),
      period: u.period,
      rev: state.rev,
      buckets: JSON.stringify(state.buckets),
      responses: state.responses,
      applied: state.applied,
      campaigns: state.campaigns,
      modes: state.modes,
      at: new Date(),
    });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Removes documents by id, up to `batch` per statement. FerretDB reads the whole collection for
 * a list of ids and tests each document against the list; the bounds of the list, tested first,
 * spare that test to every document outside them. (A drain's batch is read in the order the
 * entries were stored, so its ids, made when the answers came, span a narrow range.)
 */
async function removeByIds(
  model: {
    deleteMany(filter: {
      _id: { $gte: Types.ObjectId; $lte: Types.ObjectId; $in: Types.ObjectId[] };
    }): PromiseLike<unknown>;
  },
  ids: Types.ObjectId[],
  batch = BULK_BATCH,
): Promise<void> {
  const sorted = ids
    .map((id) => ({ id, hex: id.toHexString() }))
    .sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0))
    .map((x) => x.id);
  for (let i = 0; i < sorted.length; i += batch) {
    const some = sorted.slice(i, i + batch);
    await model.deleteMany({ _id: { $gte: some[0]!, $lte: some[some.length - 1]!, $in: some } });
  }
}

/**
 * Removes inbox entries: a drain's batch in one statement, since on FerretDB each statement
 * reads the whole inbox.
 */
function removeEntries(ids: Types.ObjectId[]): Promise<void> {
  return removeByIds(PendingAnswer, ids, DRAIN_BATCH);
}

/**
 * Finishes a revision's bookkeeping: the inbox entries of what it counted are removed.
 * Idempotent, so a step that died half-way is completed by the next one (which must do it before
 * writing a revision of its own: an entry is recognised as counted only by the latest revision).
 */
async function settle(u: UnitKey, state: State): Promise<void> {
  await removeEntries(state.applied.map((id) => new Types.ObjectId(id)));
  await advanceHead(u, { rev: state.rev, cleaned: state.rev });
  await dropOldRevision(u, state.rev);
}

/** Keeps a revision and the one before it (a reader may still stand on it). */
async function dropOldRevision(u: UnitKey, rev: number): Promise<void> {
  if (rev > 2) await UnitState.deleteOne({ _id: unitStateId(u, rev - 2) });
}

/* ---------------------------------------------------------------------------------------------
 * Counting.
 * ------------------------------------------------------------------------------------------- */

/**
 * Housing stock per unit, then per survey and segment, of the campaigns matching `filter` (one
 * unit's, or all of them for a rebuild: one read either way).
 */
async function stocks(filter: Record<string, unknown>): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  const campaigns = await Campaign.find(
    { ...filter, housingStock: { $ne: null } },
    { organisationId: 1, period: 1, surveyId: 1, segment: 1, housingStock: 1 },
  ).lean();
  for (const c of campaigns) {
    if (typeof c.housingStock !== 'number') continue;
    const unit = unitId({ organisationId: c.organisationId.toHexString(), period: c.period });
    const byBucket = out.get(unit) ?? new Map<string, number>();
    const key = `${c.surveyId.toHexString()}|${c.segment ?? ''}`;
    byBucket.set(key, Math.max(byBucket.get(key) ?? 0, c.housingStock));
    out.set(unit, byBucket);
  }
  return out;
}

/** Housing stock per survey and segment of a unit's campaigns. */
async function populations(u: UnitKey): Promise<Map<string, number>> {
  const filter = { organisationId: new Types.ObjectId(u.organisationId), period: u.period };
  return (await stocks(filter)).get(unitId(u)) ?? new Map();
}

/** A response (or its inbox entry) as aggregation reads it. */
interface Counted {
  campaignId: Types.ObjectId;
  surveyId: Types.ObjectId;
  version: number;
  segment?: string | null;
  mode?: string | null;
  answers: unknown;
}

/** Statistics gathered per survey × segment, not yet merged into a unit's buckets. */
type Tally = Map<string, { acc: StatsAccumulator; n: number }>;

async function tally(into: Tally, r: Counted, ctx: StepContext): Promise<void> {
  const key = `${r.surveyId.toHexString()}|${r.segment ?? ''}`;
  let a = into.get(key);
  if (!a) {
    a = { acc: new StatsAccumulator(), n: 0 };
    into.set(key, a);
  }
  a.acc.add(
    r.answers as Record<string, unknown>,
    await ctx.mappings.get(r.surveyId, r.version),
    (r.mode ?? 'online') as Mode,
  );
  a.n++;
}

/** Responses per campaign, and per campaign and mode: `base` with `added` counted in (new objects). */
function perCampaign(
  added: Array<{ campaignId: Types.ObjectId; mode?: string | null }>,
  base: Pick<State, 'campaigns' | 'modes'> = { campaigns: {}, modes: {} },
): Pick<State, 'campaigns' | 'modes'> {
  const campaigns = { ...base.campaigns };
  const modes = { ...base.modes };
  for (const r of added) {
    const id = r.campaignId.toHexString();
    const mode = (r.mode ?? 'online') as Mode;
    campaigns[id] = (campaigns[id] ?? 0) + 1;
    modes[id] = addModeCounts(modes[id] ?? {}, { [mode]: 1 });
  }
  return { campaigns, modes };
}

/** Buckets with a tally added (a new list; `base` is not changed), populations refreshed. */
function merge(base: UnitBucket[], added: Tally, stock: Map<string, number>): UnitBucket[] {
  const byKey = new Map(base.map((b) => [`${b.surveyId}|${b.segment}`, { ...b }]));
  for (const [key, { acc, n }] of added) {
    const [surveyId, segment] = [key.slice(0, 24), key.slice(25)];
    const old = byKey.get(key) ?? { surveyId, segment, responses: 0, population: null, stats: [] };
    const all = [...old.stats, ...acc.result()];
    const ids = [...new Set(all.map((s) => s.indicatorId))].sort();
    byKey.set(key, {
      ...old,
      responses: old.responses + n,
      stats: ids.map((id) => combineStats(all.filter((s) => s.indicatorId === id))),
    });
  }
  return [...byKey.values()]
    .map((b) => ({ ...b, population: stock.get(`${b.surveyId}|${b.segment}`) ?? null }))
    .sort((a, b) => (a.surveyId + a.segment < b.surveyId + b.segment ? -1 : 1));
}

/** The unit's latest revision, its inbox entries of that revision cleared first if need be. */
async function settledState(u: UnitKey, head: Head | null = null): Promise<State> {
  head ??= await readHead(u);
  const current = await latestState(u, head.rev);
  if (head.cleaned < current.rev) await settle(u, current);
  return current;
}

/**
 * Counts `entries` of one unit into its next revision, read as `current`. Entries that revision
 * already lists are skipped. The new revision, holding the counts and the list of what it added,
 * is one insert that only one of two overlapping steps can make: false if this one lost (the
 * caller reads the winner and starts over).
 */
async function countInto(
  u: UnitKey,
  current: State,
  entries: PendingDoc[],
  ctx: StepContext,
  /** The unit's housing stock per survey and segment, when read for a batch of units together. */
  stock?: Map<string, number>,
) {
  const done = new Set(current.applied);
  const fresh = entries.filter((e) => !done.has(e._id.toHexString()));
  if (!fresh.length) {
    const republished = await publishIfBehind(u, current, ctx);
    return { written: true, counted: 0, next: current, republished };
  }
  const added: Tally = new Map();
  for (const e of fresh) await tally(added, e, ctx);
  const next: State = {
    rev: current.rev + 1,
    buckets: merge(current.buckets, added, stock ?? (await populations(u))),
    responses: current.responses + fresh.length,
    applied: fresh.map((e) => e._id.toHexString()),
    ...perCampaign(fresh, current),
  };
  if (!(await writeState(u, next))) return { written: false, counted: 0, next: current, republished: false };
  return { written: true, counted: fresh.length, next, republished: false };
}

/** One unit on its own: used when a revision was lost to an overlapping step. */
async function stepUnit(u: UnitKey, ctx: StepContext): Promise<number> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await settledState(u);
    // Read after the revision: whatever an older revision counted is out of the inbox by now.
    const entries = (await PendingAnswer.find({
      organisationId: new Types.ObjectId(u.organisationId),
      period: u.period,
    })
      .limit(DRAIN_BATCH)
      .lean()) as PendingDoc[];
    const step = await countInto(u, current, entries, ctx);
    if (!step.written) continue;
    if (step.next !== current) {
      await settle(u, step.next);
      await publish(u, step.next, current, ctx);
    }
    return step.counted;
  }
  throw new Error(`aggregation unit ${unitId(u)}: gave up after ${MAX_ATTEMPTS} concurrent writes`);
}

/* ---------------------------------------------------------------------------------------------
 * Publishing: the unit's revision becomes indicator values.
 * ------------------------------------------------------------------------------------------- */

/** A bucket's statistics as one row of the organisation's table. */
interface StatRow {
  segment: string;
  indicatorId: string;
  stats: IndicatorStats;
  population: number | null;
  /** Responses of the bucket the statistics come from. */
  responses: number;
}

function rowsOf(state: State): StatRow[] {
  return state.buckets.flatMap((b) =>
    b.stats.map((s) => ({
      segment: b.segment,
      indicatorId: s.indicatorId,
      stats: s,
      population: b.population,
      responses: b.responses,
    })),
  );
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
    const segments = new Map<
      string,
      { stats: IndicatorStats[]; population: number | null; responses: number }
    >();
    for (const row of list) {
      const seg = segments.get(row.segment) ?? { stats: [], population: null, responses: 0 };
      seg.stats.push(row.stats);
      seg.responses += row.responses;
      if (typeof row.population === 'number') seg.population = Math.max(seg.population ?? 0, row.population);
      segments.set(row.segment, seg);
    }
    const cells = [...segments.entries()].map(([segment, s]) => ({
      segment,
      stats: combineStats(s.stats),
      population: s.population,
      responses: s.responses,
    }));
    cells.push({
      segment: '*',
      stats: combineStats(list.map((r) => r.stats)),
      population: org.housingStock ?? null,
      responses: list.reduce((a, r) => a + r.responses, 0),
    });
    const results = cells.map((c) => ({
      ...c,
      result: computeIndicator(def, c.stats, c.population, c.responses),
    }));
    const suppression = suppressSegments(
      results.map((r) => ({ segment: r.segment, n: r.result.n, stock: r.population })),
      def.minN,
    );
    for (const r of results) {
      docs.push({
        _id: indicatorValueId(org._id.toHexString(), indicatorId, period, r.segment),
        organisationId: org._id,
        indicatorId,
        period,
        segment: r.segment,
        organisation: peerAttributes(org),
        kind: def.kind,
        n: r.result.n,
        excluded: r.result.excludedCount,
        value: r.result.value,
        low: r.result.low,
        high: r.result.high,
        responses: r.result.responses,
        responseRate: r.result.responseRate,
        baseRate: r.result.baseRate,
        population: r.result.population,
        populationIgnored: r.result.populationIgnored,
        distribution: JSON.stringify(r.result.distribution),
        nByMode: r.result.nByMode,
        minN: def.minN,
        suppressed: suppression.get(r.segment) ?? null,
        methods: r.stats.methods,
        computedAt: at,
      });
    }
  }
  return docs;
}

type ValueDoc = ReturnType<typeof organisationValues>[number];

/** Writes values by key: each is set in place (its weighted figures kept) or inserted. */
function writeValues(docs: ValueDoc[]): Promise<void> {
  return bulkUpdate(
    IndicatorValue.collection,
    docs.map(({ _id, ...rest }) => ({
      updateOne: { filter: { _id: _id as never }, update: { $set: rest }, upsert: true },
    })),
  );
}

/** Ids of the values a revision publishes (no statistics needed). */
function valueIds(u: UnitKey, state: State): Set<string> {
  const ids = new Set<string>();
  for (const row of rowsOf(state)) {
    ids.add(indicatorValueId(u.organisationId, row.indicatorId, u.period, row.segment));
    ids.add(indicatorValueId(u.organisationId, row.indicatorId, u.period, '*'));
  }
  return ids;
}

/**
 * Writes a revision's values (each by its key) and removes those `previous` had and it has not.
 * If a newer revision appeared meanwhile it is published too, so the values end at the latest
 * whatever order overlapping steps finish in. False when the organisation no longer exists.
 * `cleaned`: the caller has removed the inbox entries of `state`, and the head's last write
 * records it too.
 */
async function publish(
  u: UnitKey,
  state: State,
  previous: State,
  ctx: StepContext,
  cleaned = 0,
): Promise<boolean> {
  for (let shown = state, before = previous; ;) {
    const org = await Organisation.findById(u.organisationId).lean<OrganisationDoc>();
    if (!org) return false;
    const docs = organisationValues(org, u.period, rowsOf(shown), ctx.catalogue, new Date());
    await writeValues(docs);
    const keep = new Set(docs.map((d) => d._id));
    const gone = [...valueIds(u, before)].filter((id) => !keep.has(id));
    if (gone.length) await IndicatorValue.deleteMany({ _id: { $in: gone } });
    const newer = await latestState(u, shown.rev);
    if (newer.rev === shown.rev) {
      await advanceHead(u, { rev: shown.rev, published: shown.rev, ...(cleaned ? { cleaned } : {}) });
      await markValuesChanged();
      return true;
    }
    [before, shown] = [shown, newer];
  }
}

/**
 * Publishes the latest revision if the head says the values show an older one. True when it
 * published.
 */
async function publishIfBehind(u: UnitKey, current: State, ctx: StepContext): Promise<boolean> {
  const head = await readHead(u);
  return current.rev > 0 && head.published < current.rev && (await publish(u, current, EMPTY, ctx));
}

/**
 * Runs `step` for every item, {@link UNITS_AT_ONCE} at a time. Every step runs to its end even
 * when one fails (each leaves its unit consistent); returns the failures.
 */
async function atOnce<T>(items: T[], step: (item: T) => Promise<void>): Promise<unknown[]> {
  let next = 0;
  const failures: unknown[] = [];
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await step(item).catch((err: unknown) => failures.push(err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(UNITS_AT_ONCE, items.length) }, lane));
  return failures;
}

/** {@link atOnce}, then the first failure thrown. */
async function eachAtOnce<T>(items: T[], step: (item: T) => Promise<void>): Promise<void> {
  const failures = await atOnce(items, step);
  if (failures.length) throw failures[0];
}

/* ---------------------------------------------------------------------------------------------
 * Jobs.
 * ------------------------------------------------------------------------------------------- */

/** Lock name shared by drains and rebuilds: they take turns. */
export const AGGREGATION_LOCK = 'aggregation';

/**
 * Counts every waiting answer into its unit (organisation × period). One drain reads the inbox
 * twice (a small collection): once to learn the units, then, after every unit's latest revision
 * has been read, for the entries themselves; so an entry an older revision counted is already
 * gone. Safe to run twice at once (revisions are fenced), but meant to run under
 * {@link AGGREGATION_LOCK}.
 */
export async function drainInbox(
  opts: { logger?: Logger } = {},
): Promise<{ counted: number; units: number; published: UnitKey[] }> {
  const started = Date.now();
  const ctx = await stepContext(opts.logger);
  const seen = new Set<string>();
  const published = new Map<string, UnitKey>();
  let counted = 0;
  // A backlog (a long Redis outage, a stopped worker) is worked off batch by batch.
  for (let full = true; full;) {
    const units = new Map<string, { u: UnitKey; state: State; entries: PendingDoc[] }>();
    const keys = await PendingAnswer.find({}, { organisationId: 1, period: 1 }).limit(DRAIN_BATCH).lean();
    for (const k of keys) {
      const u = { organisationId: k.organisationId.toHexString(), period: k.period };
      if (!units.has(unitId(u))) units.set(unitId(u), { u, state: EMPTY, entries: [] });
    }
    // Each unit's revision is read by key: on FerretDB's SQLite backend a lookup by _id runs
    // inside SQLite, while a read of several keys at once decodes the whole collection.
    await eachAtOnce([...units.values()], async (unit) => {
      unit.state = await settledState(unit.u);
    });
    const entries = (await PendingAnswer.find({}).limit(DRAIN_BATCH).lean()) as PendingDoc[];
    for (const e of entries)
      units
        .get(unitId({ organisationId: e.organisationId.toHexString(), period: e.period }))
        ?.entries.push(e);
    const written: Array<{ u: UnitKey; before: State; after: State }> = [];
    let added = 0;
    // The housing stock of every unit in the batch, in one read of the campaigns (a filter that
    // FerretDB's SQLite backend evaluates over the whole collection, once rather than per unit).
    const organisations = [...new Set([...units.values()].map(({ u }) => u.organisationId))];
    const stock = await stocks({
      organisationId: { $in: organisations.map((id) => new Types.ObjectId(id)) },
    });
    await eachAtOnce([...units.values()], async ({ u, state, entries: mine }) => {
      seen.add(unitId(u));
      const step = await countInto(u, state, mine, ctx, stock.get(unitId(u)) ?? new Map());
      if (step.republished) published.set(unitId(u), u);
      if (!step.written) added += await stepUnit(u, ctx);
      else if (step.next !== state) {
        written.push({ u, before: state, after: step.next });
        added += step.counted;
      }
    });
    // Each new revision's head moves first; then the entries of the units whose head moved leave
    // the inbox, in a few statements; then each unit is published, its last head write saying its
    // entries are gone. A unit whose head did not move keeps its entries, so the next drain finds
    // it, finishes its bookkeeping and publishes it; one whose publication failed has a head that
    // says so, and the sweep publishes it (publishLagging).
    const moved: typeof written = [];
    const failures = await atOnce(written, async (w) => {
      await advanceHead(w.u, { rev: w.after.rev });
      moved.push(w);
    });
    await removeEntries(moved.flatMap((w) => w.after.applied.map((id) => new Types.ObjectId(id))));
    failures.push(
      ...(await atOnce(moved, async (w) => {
        await dropOldRevision(w.u, w.after.rev);
        await publish(w.u, w.after, w.before, ctx, w.after.rev);
        published.set(unitId(w.u), w.u);
      })),
    );
    if (failures.length) throw failures[0];
    counted += added;
    full = keys.length === DRAIN_BATCH && added > 0;
  }
  if (counted) opts.logger?.info({ counted, units: seen.size, ms: Date.now() - started }, 'answers counted');
  return { counted, units: seen.size, published: [...published.values()] };
}

/**
 * Recomputes every unit from every stored response in one streaming pass (memory: statistics per
 * bucket, never the answers) and writes each unit as a new revision, so the result replaces the
 * incremental counts exactly. Inbox entries of responses the pass counted are listed as applied
 * by that revision (and cleared); responses stored after the pass went by stay in the inbox for
 * the next drain. The published values are then replaced as a whole. Run it under
 * {@link AGGREGATION_LOCK} so no drain counts or publishes meanwhile.
 *
 * Returns how many units it found different from what was counted before (each is logged): on a
 * healthy system, none.
 */
export async function fullRebuild(logger?: Logger): Promise<{
  responses: number;
  units: number;
  mended: number;
  valuesWritten: number;
  valuesRemoved: number;
  ms: number;
}> {
  const started = Date.now();
  const ctx = await stepContext(logger);
  // Which waiting entries the pass counted: those whose response it met. Only responses that
  // waited before the pass or arrived around it can have entries, so only those are remembered.
  const waitingBefore = new Set(
    (await PendingAnswer.find({}, { _id: 1 }).lean()).map((p) => p._id.toHexString()),
  );
  const recentFrom = new Date(started - RECENT_MS);
  // Units whose responses were deleted under a retention setting keep their counts: a recount
  // would find nothing (or only a late entry) and must not replace them.
  const archived = await archivedUnits();
  const units = new Map<
    string,
    { u: UnitKey; tally: Tally; n: number; met: Set<string>; counts: Pick<State, 'campaigns' | 'modes'> }
  >();
  let responses = 0;
  const cursor = SurveyResponse.find(
    {},
    {
      organisationId: 1,
      campaignId: 1,
      surveyId: 1,
      period: 1,
      segment: 1,
      mode: 1,
      version: 1,
      answers: 1,
      completedAt: 1,
    },
  )
    .lean()
    .cursor({ batchSize: 2000 });
  for await (const r of cursor) {
    const u = { organisationId: r.organisationId.toHexString(), period: r.period };
    if (archived.has(unitId(u))) continue;
    let entry = units.get(unitId(u));
    if (!entry) {
      entry = { u, tally: new Map(), n: 0, met: new Set(), counts: { campaigns: {}, modes: {} } };
      units.set(unitId(u), entry);
    }
    await tally(entry.tally, r as Counted, ctx);
    entry.n++;
    entry.counts = perCampaign([r], entry.counts);
    const id = r._id.toHexString();
    if (waitingBefore.has(id) || r.completedAt >= recentFrom) entry.met.add(id);
    responses++;
  }
  // Where every unit stands, from one read of the heads and one of the revisions: a server that
  // reads a whole collection for any lookup (FerretDB's SQLite backend, also by _id) would read
  // the revisions several times per unit otherwise, which grows with the square of the units.
  const { heads, standings: known } = await unitStandings();
  // Units that have a head but no responses any more are reset too.
  for (const u of heads) {
    if (!units.has(unitId(u)) && !archived.has(unitId(u)))
      units.set(unitId(u), {
        u,
        tally: new Map(),
        n: 0,
        met: new Set(),
        counts: { campaigns: {}, modes: {} },
      });
  }
  let mended = 0;
  const written: Array<{ u: UnitKey; state: State }> = [];
  const stockByUnit = await stocks({});
  // Entries of a latest revision not yet settled go before its successor is written (an entry is
  // recognised as counted only by the latest revision).
  await removeEntries(
    [...units.keys()].flatMap((key) => {
      const k = known.get(key);
      return k && k.cleaned < k.rev ? k.applied.map((id) => new Types.ObjectId(id)) : [];
    }),
  );
  // Units whose revision was written from what the one read found; they are settled together.
  const batched: Array<{ u: UnitKey; state: State; stored: UnitStanding['stored'] }> = [];
  for (const { u, tally: counted, n, met, counts } of units.values()) {
    const buckets = merge([], counted, stockByUnit.get(unitId(u)) ?? new Map());
    // Every response the pass met that has, or may still get, an inbox entry is listed as
    // applied by the new revision: the entry is cleared, never counted a second time.
    const waiting = [...met];
    const k = known.has(unitId(u)) ? (known.get(unitId(u)) ?? null) : NOTHING_COUNTED_YET;
    for (let attempt = 1; ; attempt++) {
      // The first attempt starts from the read above; one that lost to another writer reads again.
      const current = attempt === 1 && k ? k : await settledState(u);
      const next: State = { rev: current.rev + 1, buckets, responses: n, applied: waiting, ...counts };
      if (await writeState(u, next)) {
        if (current.responses !== n) {
          mended++;
          logger?.warn(
            { unit: unitId(u), counted: current.responses, stored: n },
            'rebuild: the counted responses differed from the stored ones',
          );
        }
        if (attempt === 1 && k) batched.push({ u, state: next, stored: k.stored });
        else await settle(u, next);
        written.push({ u, state: next });
        break;
      }
      if (attempt >= MAX_ATTEMPTS) throw new Error(`rebuild of ${unitId(u)} kept losing to other writers`);
    }
  }
  // The batched units' entries go now; their heads move once the values are published, and only
  // then their older revisions go (until the head moves, readers step forward from the old one).
  await removeEntries(batched.flatMap(({ state }) => state.applied.map((id) => new Types.ObjectId(id))));
  const orgs = new Map(
    (await Organisation.find({}).lean<OrganisationDoc[]>()).map((o) => [o._id.toHexString(), o]),
  );
  // Archived units are published again from their final counts.
  for (const key of archived) {
    const [organisationId, period] = [key.slice(0, 24), key.slice(25)];
    const u = { organisationId, period };
    written.push({ u, state: await latestState(u, (await readHead(u)).rev) });
  }
  const values = written.flatMap(({ u, state }) => {
    const org = orgs.get(u.organisationId);
    return org ? organisationValues(org, u.period, rowsOf(state), ctx.catalogue, new Date()) : [];
  });
  // No drain publishes meanwhile (they wait for the same lock).
  const replaced = await replaceValues(values);
  const settledHere = new Set(batched.map(({ u }) => unitId(u)));
  for (const { u, state } of written)
    await advanceHead(
      u,
      settledHere.has(unitId(u))
        ? { rev: state.rev, cleaned: state.rev, published: state.rev }
        : { published: state.rev },
    );
  // A drain that ran meanwhile (the lock lost: Redis restarted empty, a renewal failed) may have
  // counted and published a newer revision, which the writes above replaced with this pass's, or
  // a unit's first revision, whose values the removal above took away: such a unit is published
  // again from its latest revision (its head says where that is).
  const rebuiltRev = new Map(written.map(({ u, state }) => [unitId(u), state.rev]));
  for (const head of await readHeads()) {
    const rev = rebuiltRev.get(unitId(head.u)) ?? 0;
    if (head.rev <= rev) continue;
    logger?.warn(
      { unit: unitId(head.u), rebuilt: rev, latest: head.rev },
      'rebuild: a newer revision is published again',
    );
    await publish(head.u, await settledState(head.u, head), EMPTY, ctx);
  }
  // A revision and the one before it stay (a reader may still stand on it), as dropOldRevision keeps.
  const older = batched.flatMap(({ state, stored }) =>
    stored.filter((r) => r.rev < state.rev - 1).map((r) => r.id),
  );
  await removeByIds(UnitState, older);
  // Readers keep what they hold when no value changed (a republished unit has said so itself).
  if (replaced.written || replaced.removed) await markValuesChanged();
  await markMethodsCurrent();
  const result = {
    responses,
    units: units.size,
    mended,
    valuesWritten: replaced.written,
    valuesRemoved: replaced.removed,
    ms: Date.now() - started,
  };
  logger?.info(result, 'full rebuild done');
  return result;
}

/**
 * A value's figures, without when they were computed: equal text, nothing to write. The answer
 * distribution is stored as JSON text whose key order follows the counting; it is compared by
 * content.
 */
function figuresOf({ computedAt: _at, weighted: _w, distribution, ...rest }: Record<string, unknown>) {
  const counts = typeof distribution === 'string' ? (JSON.parse(distribution) as unknown) : distribution;
  return canonicalJson({ ...rest, distribution: counts });
}

/**
 * Makes the published values `values`, never by clearing them: readers meanwhile (an analyst's
 * nightly pull) see each value as it was or as it is now, never a missing one. A value whose
 * figures did not change is not written (a rebuild usually changes few); a changed one is
 * rewritten in place, its weighted figures kept until they are weighted again; a new one is
 * inserted in bulk; a value no unit publishes any more is removed.
 */
async function replaceValues(values: ValueDoc[]): Promise<{ written: number; removed: number }> {
  const next = new Map(values.map((v) => [v._id, v]));
  const stored = new Set<string>();
  const unchanged = new Set<string>();
  const gone: string[] = [];
  const cursor = IndicatorValue.collection.find<Record<string, unknown> & { _id: string }>(
    {},
    { batchSize: BULK_BATCH },
  );
  for await (const old of cursor) {
    const v = next.get(old._id);
    stored.add(old._id);
    if (!v) gone.push(old._id);
    else if (figuresOf(old) === figuresOf(v)) unchanged.add(old._id);
  }
  await writeValues(values.filter((v) => stored.has(v._id) && !unchanged.has(v._id)));
  // New values: inserted in bulk. One a drain published meanwhile (the lock lost) is updated.
  const fresh = values.filter((v) => !stored.has(v._id));
  for (let i = 0; i < fresh.length; i += BULK_BATCH) {
    const batch = fresh.slice(i, i + BULK_BATCH);
    try {
      await IndicatorValue.collection.insertMany(batch as never[], { ordered: false });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await writeValues(batch);
    }
  }
  for (let i = 0; i < gone.length; i += BULK_BATCH)
    await IndicatorValue.deleteMany({ _id: { $in: gone.slice(i, i + BULK_BATCH) } });
  return { written: values.length - unchanged.size, removed: gone.length };
}

/** Records that the stored values carry method hashes made as this code makes them. */
function markMethodsCurrent() {
  return AggregationState.updateOne(
    { _id: 'methods' },
    { $set: { version: METHOD_HASH_VERSION } },
    { upsert: true },
  );
}

/**
 * Whether the stored values carry method hashes made another way than this code makes them (an
 * upgrade changed {@link METHOD_HASH_VERSION}): then a full rebuild counts them again, or trends
 * would flag a method change where only the hashing changed. A database without values is
 * simply marked current.
 */
export async function methodsOutdated(): Promise<boolean> {
  const marker = await AggregationState.findById('methods', { version: 1 }).lean<{ version?: number }>();
  if (marker?.version === METHOD_HASH_VERSION) return false;
  if (await IndicatorValue.exists({})) return true;
  await markMethodsCurrent();
  return false;
}

/**
 * Publishes every unit whose values show an older revision than its head. A drain that failed
 * after counting (the revision written and settled, the inbox entries gone) leaves such a unit,
 * and no later drain sees it before the unit's next answer. One read of the heads, a small
 * collection (one document per organisation and period). A unit that cannot be published is
 * logged and left for the next time. (A drain whose head write failed left the unit's entries in
 * the inbox, for the reconcile's drain to finish.)
 */
export async function publishLagging(opts: { logger?: Logger } = {}): Promise<UnitKey[]> {
  const behind = (await readHeads()).filter((h) => h.published < h.rev);
  if (!behind.length) return [];
  const ctx = await stepContext(opts.logger);
  const mended: UnitKey[] = [];
  await eachAtOnce(behind, async (head) => {
    const u = head.u;
    try {
      const current = await settledState(u, head);
      if (await publish(u, current, EMPTY, ctx)) mended.push(u);
    } catch (err) {
      opts.logger?.warn({ err, unit: unitId(u) }, 'unit not published; trying again at the next reconcile');
    }
  });
  if (mended.length) opts.logger?.info({ units: mended.length }, 'lagging units published');
  return mended;
}

/** Drain under the shared lock. */
export function lockedDrain(lock: LockRunner, logger?: Logger) {
  return lock(AGGREGATION_LOCK, () => drainInbox({ logger }));
}

/**
 * The periodic reconcile under the shared lock: a drain (answers whose nudge was lost), then the
 * units whose publication a failure left behind.
 */
export function lockedReconcile(lock: LockRunner, logger?: Logger) {
  return lock(AGGREGATION_LOCK, async () => {
    const drained = await drainInbox({ logger });
    const mended = await publishLagging({ logger });
    const published = new Map([...drained.published, ...mended].map((u) => [unitId(u), u]));
    return { ...drained, published: [...published.values()] };
  });
}

/** Rebuild under the shared lock. */
export function lockedRebuild(lock: LockRunner, logger?: Logger) {
  return lock(AGGREGATION_LOCK, () => fullRebuild(logger));
}

/**
 * Stored responses not reflected in their unit's latest revision, summed over units (a full
 * pass: for checks and tests, not for the hot path).
 */
export async function unreflectedResponses(): Promise<number> {
  const groups = await SurveyResponse.aggregate<{ _id: { o: Types.ObjectId; p: string }; n: number }>([
    { $group: { _id: { o: '$organisationId', p: '$period' }, n: { $sum: 1 } } },
  ]);
  let missing = 0;
  for (const g of groups) {
    const u = { organisationId: g._id.o.toHexString(), period: g._id.p };
    const state = await latestState(u, (await readHead(u)).rev);
    missing += Math.abs(g.n - state.responses);
  }
  return missing;
}
