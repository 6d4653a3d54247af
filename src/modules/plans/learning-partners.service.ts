import { NotFoundError, ValidationError } from '../../errors';
import type { AuthContext } from '../../http/context';
import { parseFigureKey } from '../catalogue/reported-indicators';
import { loadReportedCatalogue } from '../catalogue/reported-indicators.service';
import { IndicatorValue, type IndicatorValueDoc } from '../indicators/indicator-value.model';
import {
  callerOrganisation,
  groupOrganisations,
  groupPeers,
  identity,
  inPeerGroup,
  published,
  stockBand,
  type PeerQuery,
} from '../indicators/scores.service';
import { searchPractices } from '../practices/practices.service';
import { groupFigureValues } from '../returns/reported-values';
import { indicatorInfo } from './plans.service';
import { changeBeyondNoise } from './progress';

/** How many partners are suggested at most. */
const MAX_PARTNERS = 10;

/** What similarity reads of an organisation. */
type Attributes = { type?: string | null; housingStock?: number | null } | null | undefined;

/** How alike two organisations are: the same type, the same housing-stock band. */
function similarity(a: Attributes, b: Attributes) {
  const sameType = !!a && !!b && a.type === b.type;
  const sameSize =
    !!a &&
    !!b &&
    stockBand(a.housingStock) !== null &&
    stockBand(a.housingStock) === stockBand(b.housingStock);
  return { sameType, sameSize, score: Number(sameType) + Number(sameSize) };
}

/**
 * Organisations to learn from on one indicator: those of the peer group whose value is better
 * than the caller's by more than the noise, the most similar first (same type, same size band),
 * then the largest gap. "More than the noise" is, for survey values, a difference beyond 1.96
 * combined standard errors of both 95% intervals; for reported figures (complete counts, no
 * sampling error) a difference beyond the indicator's change threshold, the size of change the
 * group treats as meaningful. Neutral indicators have no better end and suggest no one.
 */
export async function learningPartners(
  caller: AuthContext,
  indicatorId: string,
  q: PeerQuery & { period: string; segment: string },
) {
  if (!caller.organisationId)
    throw new ValidationError('learning partners are found for an organisation', [
      { path: '/auth', message: 'use a key of an organisation' },
    ]);
  // An unknown indicator is a 404 here; anything else (the database away) keeps its own answer.
  const info = await indicatorInfo(indicatorId).catch((err: unknown) => {
    throw err instanceof ValidationError ? new NotFoundError('indicator') : err;
  });
  const group = await groupPeers(caller, q);
  const meAttrs = await callerOrganisation(caller, null);
  const base = {
    indicator: indicatorId,
    direction: info.direction,
    period: q.period,
    peerGroup: q.peerGroup,
  };
  if (info.direction === 'neutral')
    return { ...base, you: null, partners: [], reason: 'the indicator has no better direction' };
  const better = (mine: number, other: number) => (info.direction === 'higher' ? other > mine : other < mine);

  if (info.reported) {
    if (!group)
      throw new ValidationError('reported indicators are compared within a benchmarking group', [
        { path: '/query/peerGroup', message: 'use peerGroup=group:{slug}' },
      ]);
    const def = parseFigureKey(indicatorId, await loadReportedCatalogue())!.def;
    const docs = (await groupFigureValues(group.id, indicatorId)).filter(
      (d) => d.period === q.period && group.members.has(d.organisationId.toHexString()),
    );
    const mine = docs.find((d) => d.organisationId.toHexString() === caller.organisationId);
    if (!mine)
      return { ...base, you: null, partners: [], reason: 'you have no signed-off value for this period' };
    const orgs = await groupOrganisations(group);
    const partners = docs
      .filter(
        (d) =>
          d !== mine && better(mine.value, d.value) && Math.abs(d.value - mine.value) > def.changeThreshold,
      )
      .map((d) => {
        const attrs = orgs.get(d.organisationId.toHexString());
        return {
          ...identity(d.organisationId.toHexString(), attrs, group, false),
          organisationId: d.organisationId.toHexString(),
          value: d.value,
          low: null,
          high: null,
          gap: d.value - mine.value,
          similarity: similarity(meAttrs, attrs),
        };
      });
    return {
      ...base,
      you: { value: mine.value, low: null, high: null },
      partners: await withPractices(caller, indicatorId, rank(partners), group.names),
      reason: null,
    };
  }

  const docs = await IndicatorValue.find({ indicatorId, period: q.period, segment: q.segment }).lean<
    IndicatorValueDoc[]
  >();
  const mine = docs.find((d) => d.organisationId.toHexString() === caller.organisationId);
  if (!mine || mine.value === null || mine.value === undefined)
    return { ...base, you: null, partners: [], reason: 'you have no value for this period' };
  const own = { period: q.period, value: mine.value, low: mine.low ?? null, high: mine.high ?? null };
  const partners = docs
    .filter(
      (d) =>
        d !== mine &&
        published(d) &&
        (group ? group.members.has(d.organisationId.toHexString()) : inPeerGroup(d, meAttrs, q)) &&
        better(own.value, d.value!) &&
        changeBeyondNoise(own, {
          period: q.period,
          value: d.value!,
          low: d.low ?? null,
          high: d.high ?? null,
        }) === true,
    )
    .map((d) => ({
      ...identity(d.organisationId.toHexString(), d.organisation, group, false),
      organisationId: d.organisationId.toHexString(),
      value: d.value!,
      low: d.low ?? null,
      high: d.high ?? null,
      gap: d.value! - own.value,
      similarity: similarity(meAttrs, d.organisation),
    }));
  return {
    ...base,
    you: { value: own.value, low: own.low, high: own.high },
    partners: await withPractices(caller, indicatorId, rank(partners), !group || group.names),
    reason: null,
  };
}

/** The most similar first, then the largest gap. */
function rank<P extends { gap: number; similarity: { score: number } }>(partners: P[]): P[] {
  return partners
    .sort((a, b) => b.similarity.score - a.similarity.score || Math.abs(b.gap) - Math.abs(a.gap))
    .slice(0, MAX_PARTNERS);
}

/**
 * Adds each partner's good practices linked to the indicator (or, for a figure's part, to the
 * whole measure) that the caller may read. Where the group has not agreed to show names, no
 * practice is attached: its author would reveal who the pseudonymous partner is. Organisation
 * ids stay inside the service.
 */
async function withPractices<P extends { organisationId: string }>(
  caller: AuthContext,
  indicatorId: string,
  partners: P[],
  named: boolean,
) {
  const byOrganisation = new Map<
    string,
    Array<{ id: string; title: Record<string, string>; period: string }>
  >();
  if (named && partners.length) {
    for (const indicator of new Set([indicatorId, indicatorId.split('.')[0]!])) {
      const found = await searchPractices(caller, { indicator, limit: 200 });
      for (const p of found.items) {
        const list = byOrganisation.get(p.organisation.id) ?? [];
        if (!list.some((x) => x.id === p.id)) list.push({ id: p.id, title: p.title, period: p.period });
        byOrganisation.set(p.organisation.id, list);
      }
    }
  }
  return partners.map(({ organisationId, ...view }) => ({
    ...view,
    practices: byOrganisation.get(organisationId) ?? [],
  }));
}
