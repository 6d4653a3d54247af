import { api, apiAll } from '../../api';
import { h, replace } from '../../dom';
import { language, number, percent, t } from '../../i18n';
import type { Console, IndicatorValue } from '../../types';
import type { SegmentsBody, TrendBody, TrendPoint } from '../../../src/charts/specs';
import { benchmarkSection } from '../benchmark';
import { indicatorTitle, titles } from '../dashboard';
import { failure, formatInterval, formatValue } from './format';
import type { GroupSummary } from './types';
import { viewSection } from './view';

const PEER_GROUPS = ['all', 'size', 'region', 'type', 'country'] as const;

/** A peer group the reader may choose: its `peerGroup` value and how it is named. */
interface PeerChoice {
  value: string;
  label: string;
}

/** The peer groups of the API, and each benchmarking group the organisation belongs to or coordinates. */
async function peerChoices(): Promise<PeerChoice[]> {
  const groups = await apiAll<GroupSummary>('/api/v1/groups')
    .then((r) => r.items)
    .catch(() => [] as GroupSummary[]);
  return [
    ...PEER_GROUPS.map((p) => ({ value: p, label: t(`analysis.peers.${p}`) })),
    ...groups
      .filter((g) => g.you.member || g.you.coordinates)
      .map((g) => ({ value: `group:${g.slug}`, label: t('analysis.peers.group', { name: g.name }) })),
  ];
}

/** How a segment is named: campaigns without one are grouped under a sentence. */
function segmentName(segment: string): string {
  if (segment === '*') return t('analysis.segments.whole');
  return segment === '' ? t('analysis.segments.none') : segment;
}

function suppression(v: { suppressed: string | null; minN?: number }): string {
  if (v.suppressed === 'primary') return t('analysis.segments.tooFew', { minN: v.minN ?? '' });
  if (v.suppressed === 'secondary') return t('analysis.segments.protects');
  return '';
}

/** One indicator: its trend, its segments side by side and its benchmark, for a period and a peer group. */
export function indicatorPage(app: Console, params: Record<string, string>): HTMLElement {
  const indicator = params.indicator ?? '';
  const heading = h('h1', { tabindex: '-1' }, indicator);
  const back = h(
    'p',
    {},
    h('a', { href: '/console/indicators', 'data-route': true }, t('analysis.indicator.back')),
  );
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', {}, t('common.loading')));
  const main = h('main', { id: 'main', tabindex: '-1', class: 'analysis' }, back, heading, body);
  void fill(app, indicator, heading, back, body).catch((err: unknown) => {
    body.removeAttribute('aria-busy');
    replace(body, h('p', { class: 'error', role: 'alert' }, failure(err)));
  });
  return main;
}

async function fill(
  app: Console,
  indicator: string,
  heading: HTMLElement,
  back: HTMLElement,
  body: HTMLElement,
): Promise<void> {
  const query = new URLSearchParams(location.search);
  const [values, defs, peers] = await Promise.all([
    apiAll<IndicatorValue>(`/api/v1/indicators?indicator=${encodeURIComponent(indicator)}`),
    titles(),
    peerChoices(),
  ]);
  const title = indicatorTitle(defs, indicator);
  replace(heading, h('span', { class: 'code' }, indicator), ' ', title === indicator ? '' : title);
  body.removeAttribute('aria-busy');
  const periods = [...new Set(values.items.map((v) => v.period))].sort().reverse();
  if (!periods.length) {
    replace(body, h('p', {}, t('analysis.indicator.noValues', { indicator })));
    return;
  }
  const wanted = query.get('period');
  const period = wanted && periods.includes(wanted) ? wanted : periods[0]!;
  const wantedPeers = query.get('peerGroup');
  const peer = peers.find((p) => p.value === wantedPeers) ?? peers[0]!;
  replace(
    back,
    h(
      'a',
      { href: `/console/indicators?period=${encodeURIComponent(period)}`, 'data-route': true },
      t('analysis.indicator.back'),
    ),
  );
  const inPeriod = values.items.filter((v) => v.period === period);
  const whole = inPeriod.find((v) => v.segment === '*');
  const kind = whole?.kind ?? values.items[0]?.kind;

  replace(
    body,
    chooser(app, indicator, periods, period, peers, peer.value),
    whole ? headline(whole) : null,
    trendSection(indicator, kind, peer, values.items[0]?.minN),
    segmentsSection(indicator, period, inPeriod),
    h(
      'div',
      { id: 'benchmark' },
      benchmarkSection({
        indicator,
        period,
        title,
        peerGroup: peer.value,
        heading: t('analysis.indicator.benchmarkTitle', { indicator, period, peers: peer.label }),
      }),
    ),
  );
}

function chooser(
  app: Console,
  indicator: string,
  periods: string[],
  period: string,
  peers: PeerChoice[],
  peer: string,
): HTMLElement {
  const periodSelect = h(
    'select',
    { id: 'period', name: 'period' },
    periods.map((p) => h('option', { value: p, selected: p === period }, p)),
  );
  const peerSelect = h(
    'select',
    { id: 'peer-group', name: 'peerGroup' },
    peers.map((p) => h('option', { value: p.value, selected: p.value === peer }, p.label)),
  );
  return h(
    'form',
    {
      class: 'period',
      onsubmit: (event) => {
        event.preventDefault();
        const q = new URLSearchParams({ period: periodSelect.value, peerGroup: peerSelect.value });
        app.navigate(`/console/indicators/${encodeURIComponent(indicator)}?${q.toString()}`);
      },
    },
    h('label', { for: 'period' }, t('analysis.indicator.period')),
    periodSelect,
    h('label', { for: 'peer-group' }, t('analysis.indicator.peerGroup')),
    peerSelect,
    h('button', { type: 'submit' }, t('analysis.indicator.show')),
  );
}

/** The whole organisation's value in the period, with what qualifies it. */
function headline(v: IndicatorValue): HTMLElement {
  const notes = [suppression(v), v.methodChanged ? t('analysis.indicator.methodChanged') : '']
    .filter(Boolean)
    .join('; ');
  const item = (label: string, value: string, attrs: Record<string, string> = {}) => [
    h('dt', {}, label),
    h('dd', attrs, value),
  ];
  return h(
    'dl',
    { class: 'headline', id: 'headline' },
    item(t('analysis.columns.value'), formatValue(v.kind, v.value), { 'data-value': String(v.value ?? '') }),
    item(t('analysis.columns.interval'), formatInterval(v.kind, v.low, v.high)),
    item(t('analysis.columns.n'), number(v.n)),
    item(t('analysis.columns.responseRate'), percent(v.responseRate)),
    item(t('analysis.columns.notes'), notes || '–'),
  );
}

function trendNotes(p: TrendPoint, minN?: number): string {
  return [
    suppression({ suppressed: p.suppressed, minN }),
    p.methodChanged ? t('analysis.indicator.methodChanged') : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The organisation's value per period with its interval, beside the peer median. */
function trendSection(
  indicator: string,
  kind: string | undefined,
  peer: PeerChoice,
  minN: number | undefined,
): HTMLElement {
  const path = `/api/v1/benchmarks/${encodeURIComponent(indicator)}/trend?peerGroup=${encodeURIComponent(peer.value)}`;
  return viewSection<TrendBody>({
    id: 'trend',
    heading: t('analysis.trend.title', { peers: peer.label }),
    about: t('analysis.trend.about'),
    load: () => api<TrendBody>('GET', path),
    empty: (trend) => (trend.points.length ? null : t('analysis.trend.empty')),
    csv: { path, filename: `trend-${indicator}-${peer.value.replace(':', '-')}.csv` },
    table: (trend) =>
      h(
        'div',
        {
          class: 'scroll',
          role: 'region',
          tabindex: '0',
          'aria-label': t('analysis.trend.caption', { indicator }),
        },
        h(
          'table',
          { id: 'trend-table' },
          h('caption', {}, t('analysis.trend.caption', { indicator })),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['period', 'value', 'interval', 'n', 'peerMedian', 'peerCount', 'notes'].map((c) =>
                h('th', { scope: 'col' }, t(`analysis.columns.${c}`)),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            trend.points.map((p) =>
              h(
                'tr',
                { 'data-period': p.period },
                h('th', { scope: 'row' }, p.period),
                h('td', { class: 'num', 'data-value': String(p.value ?? '') }, formatValue(kind, p.value)),
                h('td', { class: 'num' }, formatInterval(kind, p.low, p.high)),
                h('td', { class: 'num' }, number(p.n)),
                h('td', { class: 'num' }, formatValue(kind, p.peerMedian)),
                h('td', { class: 'num' }, number(p.peerCount)),
                h('td', {}, trendNotes(p, minN) || '–'),
              ),
            ),
          ),
        ),
      ),
    chart: async (plot, trend, width) => {
      const { renderTrend } = await import('../../chart');
      const last = trend.points.at(-1);
      await renderTrend(plot, trend, {
        lang: language(),
        width,
        kind,
        description: t('analysis.trend.description', {
          indicator,
          count: trend.points.length,
          period: last?.period ?? '',
          value: formatValue(kind, last?.value),
          median: formatValue(kind, last?.peerMedian),
        }),
      });
    },
    caption: () => t('analysis.trend.legend'),
  });
}

/** The period's segments side by side; hidden ones say so instead of showing a value. */
function segmentsSection(indicator: string, period: string, inPeriod: IndicatorValue[]): HTMLElement {
  const whole = inPeriod.filter((v) => v.segment === '*');
  const segments = inPeriod
    .filter((v) => v.segment !== '*')
    .sort((a, b) => a.segment.localeCompare(b.segment, language()));
  const rows = [...whole, ...segments];
  const kind = rows[0]?.kind;
  const path = `/api/v1/indicators?period=${encodeURIComponent(period)}&indicator=${encodeURIComponent(indicator)}`;
  return viewSection<IndicatorValue[]>({
    id: 'segments',
    heading: t('analysis.segments.title', { period }),
    about: t('analysis.segments.about'),
    load: () => Promise.resolve(rows),
    empty: () => (segments.length ? null : t('analysis.segments.empty', { period })),
    csv: { path, filename: `segments-${indicator}-${period}.csv` },
    table: (list) =>
      h(
        'div',
        {
          class: 'scroll',
          role: 'region',
          tabindex: '0',
          'aria-label': t('analysis.segments.caption', { period }),
        },
        h(
          'table',
          { id: 'segments-table' },
          h('caption', {}, t('analysis.segments.caption', { period })),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['segment', 'value', 'interval', 'n', 'responseRate', 'notes'].map((c) =>
                h('th', { scope: 'col' }, t(`analysis.columns.${c}`)),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            list.map((v) =>
              h(
                'tr',
                {
                  'data-segment': v.segment,
                  'data-suppressed': v.suppressed ?? false,
                  class: v.segment === '*' ? 'whole' : false,
                },
                h('th', { scope: 'row' }, segmentName(v.segment)),
                v.suppressed
                  ? h('td', { class: 'hidden-value' }, t('analysis.segments.hidden'))
                  : h(
                      'td',
                      { class: 'num', 'data-value': String(v.value ?? '') },
                      formatValue(v.kind, v.value),
                    ),
                h('td', { class: 'num' }, v.suppressed ? '–' : formatInterval(v.kind, v.low, v.high)),
                h('td', { class: 'num' }, number(v.n)),
                h('td', { class: 'num' }, percent(v.responseRate)),
                h(
                  'td',
                  {},
                  [suppression(v), v.methodChanged ? t('analysis.indicator.methodChanged') : '']
                    .filter(Boolean)
                    .join('; ') || '–',
                ),
              ),
            ),
          ),
        ),
      ),
    chart: async (plot, list, width) => {
      const { renderSegments } = await import('../../chart');
      const chart: SegmentsBody = {
        indicator,
        kind,
        period,
        segments: list.map((v) => ({
          segment: v.segment,
          label: segmentName(v.segment),
          n: v.n,
          value: v.value,
          low: v.low,
          high: v.high,
          suppressed: v.suppressed,
        })),
      };
      await renderSegments(plot, chart, {
        lang: language(),
        width: Math.max(160, width - 60),
        kind,
        description: t('analysis.segments.description', {
          indicator,
          period,
          count: segments.length,
          hidden: segments.filter((v) => v.suppressed).length,
        }),
      });
    },
    caption: () => t('analysis.segments.legend'),
  });
}
