import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import { NotFoundError, ValidationError } from '../../errors';
import type { AuthContext } from '../../http/context';
import { afterKey, toKeyPage, type PageRequest } from '../../http/pagination';
import { loadCatalogue } from '../catalogue/indicator-definitions.service';
import { SharedCache } from '../../shared-cache';
import { IndicatorValue, valuesChangedAt, type IndicatorValueDoc } from './indicator-value.model';
import { freezeDeep } from '../../http/serialised';
import { distributionSummary, percentileRank, rankInDirection } from '../catalogue/statistics';
import { figureKey, parseFigureKey, type ReportedIndicator } from '../catalogue/reported-indicators';
import { loadReportedCatalogue } from '../catalogue/reported-indicators.service';
import { groupFor, memberIds, namesVisible, pseudonymKeyOf } from '../groups/groups.service';
import { Organisation, peerAttributes, type OrganisationDoc } from '../organisations/organisation.model';
import { groupFigureValues } from '../returns/reported-values';
import type { ModeCounts } from '../responses/modes';
import { MODE_MIX_THRESHOLD, medianMix, modeMixFlags, modeShares } from './mode-mix';

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
export function callerOrganisation(
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
export const published = (v: Pick<IndicatorValueDoc, 'suppressed' | 'value'>) =>
  !v.suppressed && v.value !== null && v.value !== undefined;

/** The base per collection mode of a value (values published before modes were all online). */
export function nByModeOf(v: Pick<IndicatorValueDoc, 'n' | 'nByMode'>): ModeCounts {
  const stored = v.nByMode as ModeCounts | undefined;
  if (stored && Object.keys(stored).length) return stored;
  return v.n ? { online: v.n } : {};
}

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
    nByMode: nByModeOf(v),
    weighted: (v.weighted as object | null | undefined) ?? null,
    minN: v.minN,
    suppressed: v.suppressed ?? null,
    methodChanged: v.methods.length > 1,
    computedAt: v.computedAt.toISOString(),
  };
}

/** The caller's own indicator values, filtered: a page of them, or all without a limit. */
export async function ownIndicators(
  caller: AuthContext,
  q: { period?: string; segment?: string; indicator?: string } & Partial<PageRequest>,
) {
  const filter: Record<string, unknown> = {
    organisationId: new Types.ObjectId(caller.organisationId!),
    ...afterKey(q.cursor),
  };
  if (q.period) filter.period = q.period;
  if (q.segment) filter.segment = q.segment;
  if (q.indicator) filter.indicatorId = q.indicator;
  if (q.limit === undefined) {
    const all = await IndicatorValue.find(filter)
      .sort({ indicatorId: 1, period: 1, segment: 1 })
      .lean<IndicatorValueDoc[]>();
    return { items: all.map(ownValueView), nextCursor: null };
  }
  // Pages follow the _id (organisation|indicator|period|segment), the key a cursor can name.
  const docs = await IndicatorValue.find(filter)
    .sort({ _id: 1 })
    .limit(q.limit + 1)
    .lean<IndicatorValueDoc[]>();
  return toKeyPage(docs, q.limit, ownValueView);
}

/** Which organisations an analyst compares with; `group:{slug}` is a benchmarking group. */
export interface PeerQuery {
  peerGroup: 'all' | 'size' | 'region' | 'type' | 'country' | `group:${string}`;
  organisations?: string[];
}

/** A benchmarking group as a peer group: its members, and whether the caller sees their names. */
export interface GroupPeers {
  id: string;
  slug: string;
  revision: number;
  members: Set<string>;
  names: boolean;
  /** Key of the members' pseudonyms (see {@link pseudonym}). */
  pseudonymKey: string;
}

/**
 * The group a `group:{slug}` peer group names. Only its members and coordinators may compare
 * with it (anyone else gets 404, as for a missing group). Members see each other's names only
 * when every member agreed; coordinators, who verify the figures, always do.
 */
export async function groupPeers(caller: AuthContext, q: PeerQuery): Promise<GroupPeers | null> {
  if (!q.peerGroup.startsWith('group:')) return null;
  const access = await groupFor(caller, q.peerGroup.slice('group:'.length), { cached: true });
  if (!access.member && !access.coordinatingOrganisation && caller.role !== 'platform')
    throw new NotFoundError('group');
  return {
    id: access.group._id.toHexString(),
    slug: access.group.slug,
    revision: access.group.revision ?? 0,
    members: new Set(memberIds(access.group)),
    names: namesVisible(access.group) || access.coordinatingOrganisation || caller.role === 'platform',
    pseudonymKey: await pseudonymKeyOf(access.group),
  };
}

/**
 * A stable pseudonym of a member inside a group whose members have not agreed to show names: a
 * keyed hash of its id under the group's secret key, since every member can read the others' ids.
 */
export function pseudonym(key: string, organisationId: string): string {
  return `member-${createHmac('sha256', key).update(organisationId).digest('hex').slice(0, 6)}`;
}

export function inPeerGroup(
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
    default:
      // Benchmarking groups are filtered by membership before this.
      return true;
  }
}

async function requireIndicator(id: string) {
  const def = (await loadCatalogue()).get(id);
  if (!def) throw new NotFoundError('indicator');
  return def;
}

/** A reported figure key (`BS01`, `RP02.emergency`), or null when the id is a survey indicator. */
async function reportedFigure(id: string) {
  if ((await loadCatalogue()).has(id)) return null;
  const figure = parseFigureKey(id, await loadReportedCatalogue());
  if (!figure) throw new NotFoundError('indicator');
  return figure;
}

function requireGroup(group: GroupPeers | null): GroupPeers {
  if (!group)
    throw new ValidationError('reported indicators are compared within a benchmarking group', [
      { path: '/query/peerGroup', message: 'use peerGroup=group:{slug}' },
    ]);
  return group;
}

/**
 * Where the caller stands among organisations that measured an indicator in a period:
 * the distribution of published values (no league table), each organisation with its value
 * hidden when it is suppressed, and the caller's percentile rank. Reads only the stored
 * indicator values, so its cost does not grow with the number of responses.
 */
export async function benchmark(
  caller: AuthContext,
  indicatorId: string,
  q: PeerQuery & { period: string; segment: string },
) {
  const group = await groupPeers(caller, q);
  const figure = await reportedFigure(indicatorId);
  if (figure) return reportedBenchmark(caller, figure, requireGroup(group), q);
  return memo(JSON.stringify(['benchmark', caller.organisationId, indicatorId, q, group?.revision]), () =>
    computeBenchmark(caller, indicatorId, q, group),
  );
}

/** What a benchmark row shows of an organisation: everything, or a pseudonym inside a group. */
export function identity(
  organisationId: string,
  o: IndicatorValueDoc['organisation'] | null | undefined,
  group: GroupPeers | null,
  you: boolean,
) {
  if (group && !group.names && !you) {
    const name = pseudonym(group.pseudonymKey, organisationId);
    return { slug: name, name, country: '', region: '', type: '', stockBand: null };
  }
  return {
    slug: o?.slug ?? '',
    name: o?.name ?? '',
    country: o?.country ?? '',
    region: o?.region ?? '',
    type: o?.type ?? '',
    stockBand: stockBand(o?.housingStock),
  };
}

async function computeBenchmark(
  caller: AuthContext,
  indicatorId: string,
  q: PeerQuery & { period: string; segment: string },
  group: GroupPeers | null,
) {
  const def = await requireIndicator(indicatorId);
  const docs = await cachedValues({ indicatorId, period: q.period, segment: q.segment });
  const own = docs.find((d) => d.organisationId.toHexString() === caller.organisationId) ?? null;
  const me = await callerOrganisation(caller, own);
  const peers = group
    ? docs.filter((d) => group.members.has(d.organisationId.toHexString()))
    : docs.filter((d) => d === own || inPeerGroup(d, me, q));
  // A coordinator that is not a member sees the group without a row of its own.
  const mine = own && peers.includes(own) ? own : null;
  const values = peers.filter(published).map((d) => d.value as number);
  const summary = distributionSummary(values);
  const myValue = mine?.value ?? null;
  // Mode mixes of the organisations whose values are shown, each against the others'.
  const shown = peers.filter((d) => published(d) || d === mine);
  const mixes = shown.map((d) => modeShares(nByModeOf(d)));
  const flags = new Map(modeMixFlags(mixes).map((f, i) => [shown[i]!, f]));
  const rows = peers.map((d) => {
    const show = published(d) || d === mine;
    return {
      ...identity(d.organisationId.toHexString(), d.organisation, group, d === mine),
      n: show ? d.n : null,
      value: show ? (d.value ?? null) : null,
      low: show ? (d.low ?? null) : null,
      high: show ? (d.high ?? null) : null,
      suppressed: !published(d),
      you: d === mine,
      nByMode: show ? nByModeOf(d) : null,
      modeMixDiffers: show ? (flags.get(d) ?? null) : null,
    };
  });
  return {
    indicator: def.id,
    kind: def.kind,
    direction: 'higher' as const,
    period: q.period,
    segment: q.segment,
    // A caller without an organisation (a platform key) has no region or size: everyone.
    peerGroup: group ? q.peerGroup : q.organisations?.length ? 'explicit' : me ? q.peerGroup : 'all',
    quantileMethod: QUANTILE_METHOD,
    minN: def.minN,
    summary,
    modeMix: {
      peers: medianMix(peers.filter(published).map((d) => modeShares(nByModeOf(d)))),
      threshold: MODE_MIX_THRESHOLD,
    },
    you: mine
      ? {
          ...ownValueView(mine),
          percentileRank: myValue !== null && values.length ? percentileRank(values, myValue) : null,
          modeMixDiffers: flags.get(mine) ?? null,
        }
      : null,
    organisations: rows.sort((a, b) => byName.compare(a.name, b.name)),
  };
}

/**
 * The benchmark of a reported figure inside a group: the signed-off values of its members, their
 * distribution, and the caller's percentile rank in the indicator's direction (100 is best).
 * n is the denominator where the figure has one.
 */
async function reportedBenchmark(
  caller: AuthContext,
  figure: { def: ReportedIndicator; part: string; tenure: string },
  group: GroupPeers,
  q: { period: string; peerGroup: string },
) {
  const key = figureKey(figure.def.id, figure.part, figure.tenure);
  const docs = (await groupFigureValues(group.id, key)).filter((d) => d.period === q.period);
  const peers = docs.filter((d) => group.members.has(d.organisationId.toHexString()));
  const mine = peers.find((d) => d.organisationId.toHexString() === caller.organisationId) ?? null;
  const values = peers.map((d) => d.value);
  const orgs = await groupOrganisations(group);
  const rows = peers.map((d) => ({
    ...identity(d.organisationId.toHexString(), orgs.get(d.organisationId.toHexString()), group, d === mine),
    n: d.denominator ?? null,
    numerator: d.numerator ?? null,
    denominator: d.denominator ?? null,
    value: d.value,
    comment: d.comment ?? '',
    you: d === mine,
  }));
  return {
    indicator: key,
    kind: figure.def.kind,
    direction: figure.def.direction,
    unit: figure.def.unit,
    period: q.period,
    segment: '*',
    peerGroup: q.peerGroup,
    quantileMethod: QUANTILE_METHOD,
    summary: distributionSummary(values),
    you: mine
      ? {
          value: mine.value,
          numerator: mine.numerator ?? null,
          denominator: mine.denominator ?? null,
          percentileRank: rankInDirection(
            values,
            mine.value,
            figure.def.direction as ReportedIndicator['direction'],
          ),
        }
      : null,
    organisations: rows.sort((a, b) => byName.compare(a.name, b.name)),
  };
}

const memberAttributes = new SharedCache<Map<string, ReturnType<typeof peerAttributes>>>(CACHE_ENTRIES);

/** The members' attributes as benchmarks show them, kept as long as an organisation's. */
export function groupOrganisations(group: GroupPeers) {
  return memberAttributes.forMs(`${group.id}|${group.revision}`, ORGANISATION_TTL_MS, async () => {
    const ids = [...group.members].map((id) => new Types.ObjectId(id));
    const docs = ids.length ? await Organisation.find({ _id: { $in: ids } }).lean<OrganisationDoc[]>() : [];
    return new Map(docs.map((d) => [d._id.toHexString(), peerAttributes(d)]));
  });
}

/**
 * The caller's value per period beside the peer median of that period, flagging periods
 * where the question or its scale changed (within the period, or from the previous one).
 */
export async function trend(caller: AuthContext, indicatorId: string, q: PeerQuery & { segment: string }) {
  const group = await groupPeers(caller, q);
  const figure = await reportedFigure(indicatorId);
  if (figure) return reportedTrend(caller, figure, requireGroup(group));
  return memo(JSON.stringify(['trend', caller.organisationId, indicatorId, q, group?.revision]), () =>
    computeTrend(caller, indicatorId, q, group),
  );
}

/** The caller's signed-off figure per period beside the group's median. */
async function reportedTrend(
  caller: AuthContext,
  figure: { def: ReportedIndicator; part: string; tenure: string },
  group: GroupPeers,
) {
  const key = figureKey(figure.def.id, figure.part, figure.tenure);
  const docs = (await groupFigureValues(group.id, key)).filter((d) =>
    group.members.has(d.organisationId.toHexString()),
  );
  const own = docs
    .filter((d) => d.organisationId.toHexString() === caller.organisationId)
    .sort((a, b) => a.period.localeCompare(b.period));
  const points = own.map((mine) => {
    const peers = docs.filter((d) => d.period === mine.period).map((d) => d.value);
    return {
      period: mine.period,
      n: mine.denominator ?? null,
      value: mine.value,
      low: null,
      high: null,
      suppressed: null,
      peerMedian: distributionSummary(peers).median,
      peerCount: peers.length,
      methodChanged: false,
    };
  });
  return { indicator: key, segment: '*', points };
}

async function computeTrend(
  caller: AuthContext,
  indicatorId: string,
  q: PeerQuery & { segment: string },
  group: GroupPeers | null,
) {
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
        (group
          ? group.members.has(d.organisationId.toHexString())
          : d === mine || inPeerGroup(d, mine.organisation ?? null, q)) &&
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
