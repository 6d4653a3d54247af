import { Types } from 'mongoose';
import { NotFoundError, ValidationError } from '../../errors';
import type { AuthContext } from '../../http/context';
import { loadCatalogue } from '../catalogue/indicator-definitions.service';
import { SharedCache } from '../../shared-cache';
import { IndicatorValue, valuesChangedAt, type IndicatorValueDoc } from './indicator-value.model';
import { freezeDeep } from '../../http/serialised';
import { distributionSummary, percentileRank } from '../catalogue/statistics';
import { Organisation, peerAttributes, type OrganisationDoc } from '../organisations/organisation.model';

/** How quartiles are computed; stated in every benchmark so readers can reproduce it. */
export const QUANTILE_METHOD =
  'Hyndman-Fan type 7 (linear interpolation between order statistics, as R and NumPy default)';

/** Housing-stock bands of the TSM sample-size rules. */
export function stockBand(units: number | null | undefined): string | null {
  if (units === null || units === undefined) return null;
  if (units < 2500) return 'under-2500';
  if (units < 10000) return '2500-9999';
  return '10000-plus';
}

const CACHE_ENTRIES = 1000;
/** One collator for all sorting: `localeCompare` builds a new one per call, which is slow. */
const byName = new Intl.Collator('en');
const values = new SharedCache<IndicatorValueDoc[]>(CACHE_ENTRIES);
const organisations = new SharedCache<IndicatorValueDoc['organisation'] | null>(CACHE_ENTRIES);
const ORGANISATION_TTL_MS = 5000;

/**
 * The caller's organisation as peer groups read it, from its own value when there is one, else
 * from the organisation record: a caller who measured nothing that period still compares with
 * its region, size or type, not with everyone.
 */
function callerOrganisation(
  caller: AuthContext,
  mine: IndicatorValueDoc | null,
): Promise<IndicatorValueDoc['organisation'] | null> {
  if (mine?.organisation) return Promise.resolve(mine.organisation);
  const id = caller.organisationId;
  if (!id) return Promise.resolve(null);
  return organisations.forMs(id, ORGANISATION_TTL_MS, async () => {
    const org = await Organisation.findById(id).lean<OrganisationDoc>();
    return org ? peerAttributes(org) : null;
  });
}
const results = new SharedCache<unknown>(CACHE_ENTRIES);

/**
 * Memoises a computed answer per caller and query until the values change. The answer is
 * frozen, so the HTTP layer serialises and compresses it once for all callers that reuse it.
 */
async function memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
  const stamp = await valuesChangedAt();
  return results.untilChanged(key, stamp, () => compute().then(freezeDeep)) as Promise<T>;
}

/**
 * Stored values matching a filter, cached until the aggregation next changes any value: a
 * benchmark read costs one small lookup, whatever the number of responses or organisations.
 */
async function cachedValues(filter: {
  indicatorId: string;
  period?: string;
  segment: string;
}): Promise<IndicatorValueDoc[]> {
  const stamp = await valuesChangedAt();
  return values.untilChanged(JSON.stringify(filter), stamp, () =>
    IndicatorValue.find(filter).lean<IndicatorValueDoc[]>().exec(),
  );
}

/** Is a value publishable to other organisations? */
const published = (v: Pick<IndicatorValueDoc, 'suppressed' | 'value'>) =>
  !v.suppressed && v.value !== null && v.value !== undefined;

/** An organisation's own value: everything, small n flagged rather than hidden. */
export function ownValueView(v: IndicatorValueDoc) {
  return {
    indicator: v.indicatorId,
    kind: v.kind,
    period: v.period,
    segment: v.segment,
    n: v.n,
    excluded: v.excluded,
    value: v.value ?? null,
    low: v.low ?? null,
    high: v.high ?? null,
    responses: v.responses ?? null,
    responseRate: v.responseRate ?? null,
    baseRate: v.baseRate ?? null,
    population: v.population ?? null,
    populationIgnored: v.populationIgnored ?? false,
    distribution: JSON.parse(v.distribution) as Record<string, number>,
    minN: v.minN,
    suppressed: v.suppressed ?? null,
    methodChanged: v.methods.length > 1,
    computedAt: v.computedAt.toISOString(),
  };
}

/** The caller's own indicator values, filtered. */
export async function ownIndicators(
  caller: AuthContext,
  q: { period?: string; segment?: string; indicator?: string },
) {
  const filter: Record<string, unknown> = { organisationId: new Types.ObjectId(caller.organisationId!) };
  if (q.period) filter.period = q.period;
  if (q.segment) filter.segment = q.segment;
  if (q.indicator) filter.indicatorId = q.indicator;
  const docs = await IndicatorValue.find(filter)
    .sort({ indicatorId: 1, period: 1, segment: 1 })
    .lean<IndicatorValueDoc[]>();
  return { items: docs.map(ownValueView) };
}

/** Which organisations an analyst compares with. */
export interface PeerQuery {
  peerGroup: 'all' | 'size' | 'region' | 'type' | 'country';
  organisations?: string[];
}

function inPeerGroup(
  v: IndicatorValueDoc,
  me: IndicatorValueDoc['organisation'] | null,
  q: PeerQuery,
): boolean {
  if (q.organisations?.length) return q.organisations.includes(v.organisation?.slug ?? '');
  if (!me || q.peerGroup === 'all') return true;
  switch (q.peerGroup) {
    case 'size':
      return stockBand(v.organisation?.housingStock) === stockBand(me.housingStock);
    case 'region':
      return v.organisation?.region === me.region && v.organisation?.country === me.country;
    case 'type':
      return v.organisation?.type === me.type;
    case 'country':
      return v.organisation?.country === me.country;
  }
}

async function requireIndicator(id: string) {
  const def = (await loadCatalogue()).get(id);
  if (!def) throw new NotFoundError('indicator');
  return def;
}

/**
 * Where the caller stands among organisations that measured an indicator in a period:
 * the distribution of published values (no league table), each organisation with its value
 * hidden when it is suppressed, and the caller's percentile rank. Reads only the stored
 * indicator values, so its cost does not grow with the number of responses.
 */
export function benchmark(
  caller: AuthContext,
  indicatorId: string,
  q: PeerQuery & { period: string; segment: string },
) {
  return memo(JSON.stringify(['benchmark', caller.organisationId, indicatorId, q]), () =>
    computeBenchmark(caller, indicatorId, q),
  );
}

async function computeBenchmark(
  caller: AuthContext,
  indicatorId: string,
  q: PeerQuery & { period: string; segment: string },
) {
  const def = await requireIndicator(indicatorId);
  const docs = await cachedValues({ indicatorId, period: q.period, segment: q.segment });
  const mine = docs.find((d) => d.organisationId.toHexString() === caller.organisationId) ?? null;
  const me = await callerOrganisation(caller, mine);
  const peers = docs.filter((d) => d === mine || inPeerGroup(d, me, q));
  const values = peers.filter(published).map((d) => d.value as number);
  const summary = distributionSummary(values);
  const myValue = mine?.value ?? null;
  return {
    indicator: def.id,
    kind: def.kind,
    period: q.period,
    segment: q.segment,
    // A caller without an organisation (a platform key) has no region or size: everyone.
    peerGroup: q.organisations?.length ? 'explicit' : me ? q.peerGroup : 'all',
    quantileMethod: QUANTILE_METHOD,
    minN: def.minN,
    summary,
    you: mine
      ? {
          ...ownValueView(mine),
          percentileRank: myValue !== null && values.length ? percentileRank(values, myValue) : null,
        }
      : null,
    organisations: peers
      .sort((a, b) => byName.compare(a.organisation?.name ?? '', b.organisation?.name ?? ''))
      .map((d) => {
        const show = published(d) || d === mine;
        return {
          slug: d.organisation?.slug ?? '',
          name: d.organisation?.name ?? '',
          country: d.organisation?.country ?? '',
          region: d.organisation?.region ?? '',
          type: d.organisation?.type ?? '',
          stockBand: stockBand(d.organisation?.housingStock),
          n: show ? d.n : null,
          value: show ? (d.value ?? null) : null,
          low: show ? (d.low ?? null) : null,
          high: show ? (d.high ?? null) : null,
          suppressed: !published(d),
          you: d === mine,
        };
      }),
  };
}

/**
 * The caller's value per period beside the peer median of that period, flagging periods
 * where the question or its scale changed (within the period, or from the previous one).
 */
export function trend(caller: AuthContext, indicatorId: string, q: PeerQuery & { segment: string }) {
  return memo(JSON.stringify(['trend', caller.organisationId, indicatorId, q]), () =>
    computeTrend(caller, indicatorId, q),
  );
}

async function computeTrend(caller: AuthContext, indicatorId: string, q: PeerQuery & { segment: string }) {
  const def = await requireIndicator(indicatorId);
  const docs = await cachedValues({ indicatorId, segment: q.segment });
  const own = docs
    .filter((d) => d.organisationId.toHexString() === caller.organisationId)
    .sort((a, b) => a.period.localeCompare(b.period));
  if (!own.length) return { indicator: def.id, segment: q.segment, points: [] };
  let previous: string[] | null = null;
  const points = own.map((mine) => {
    // The same set as the benchmark's summary: the peer group's published values, yours included.
    const peers = docs.filter(
      (d) =>
        d.period === mine.period &&
        (d === mine || inPeerGroup(d, mine.organisation ?? null, q)) &&
        published(d),
    );
    const median = peers.length ? distributionSummary(peers.map((d) => d.value as number)).median : null;
    const changedFromPrevious =
      previous !== null && JSON.stringify(previous) !== JSON.stringify(mine.methods);
    previous = mine.methods;
    return {
      period: mine.period,
      n: mine.n,
      value: mine.value ?? null,
      low: mine.low ?? null,
      high: mine.high ?? null,
      suppressed: mine.suppressed ?? null,
      peerMedian: median,
      peerCount: peers.length,
      methodChanged: mine.methods.length > 1 || changedFromPrevious,
    };
  });
  return { indicator: def.id, segment: q.segment, points };
}

/** Parses a comma-separated list of organisation slugs. */
export function parseOrganisations(list: string | undefined): string[] | undefined {
  if (!list) return undefined;
  const slugs = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (slugs.length > 500)
    throw new ValidationError('too many organisations', [
      { path: '/query/organisations', message: 'at most 500' },
    ]);
  return slugs;
}
