import { api } from '../api';
import { h } from '../dom';
import { indicatorValue, language, number, t } from '../i18n';
import type { Benchmark } from '../types';
import { viewSection } from './analysis/view';

/** How a value of the benchmark's kind is written. */
type Format = (kind: string | undefined, value: number | null | undefined) => string;

function interval(
  format: Format,
  kind: string | undefined,
  low?: number | null,
  high?: number | null,
): string {
  if (low === null || low === undefined || high === null || high === undefined) return '–';
  return `${format(kind, low)} – ${format(kind, high)}`;
}

/**
 * The benchmark as tables: the peer group's distribution, then the organisations in the
 * order the API gives them (by name), never ranked by value.
 */
function benchmarkTables(b: Benchmark, format: Format): HTMLElement {
  const stats = ['count', 'min', 'q1', 'median', 'q3', 'max'] as const;
  const summary = h(
    'table',
    { class: 'summary' },
    h('caption', {}, t('benchmark.summaryCaption')),
    h(
      'tbody',
      {},
      stats.map((s) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, t(`benchmark.stats.${s}`)),
          h('td', { class: 'num' }, s === 'count' ? number(b.summary.count) : format(b.kind, b.summary[s])),
        ),
      ),
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, t('benchmark.yourValue')),
        h('td', { class: 'num' }, format(b.kind, b.you?.value)),
      ),
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, t('benchmark.percentileRank')),
        h('td', { class: 'num' }, number(b.you?.percentileRank, 0)),
      ),
    ),
  );
  const peers = h(
    'table',
    { class: 'peers' },
    h('caption', {}, t('benchmark.peersCaption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['organisation', 'value', 'interval', 'n', 'notes'].map((c) =>
          h('th', { scope: 'col' }, t(`benchmark.columns.${c}`)),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      b.organisations.map((o) =>
        h(
          'tr',
          { class: o.you ? 'you' : false, 'data-you': o.you ? 'true' : false },
          h('th', { scope: 'row' }, o.you ? t('benchmark.you', { name: o.name }) : o.name),
          h('td', { class: 'num' }, o.suppressed ? t('benchmark.hidden') : format(b.kind, o.value)),
          h('td', { class: 'num' }, interval(format, b.kind, o.low, o.high)),
          h('td', { class: 'num' }, number(o.n)),
          h(
            'td',
            {},
            [
              o.suppressed ? t('benchmark.suppressed') : '',
              o.modeMixDiffers ? t('benchmark.modeMixDiffers') : '',
            ]
              .filter(Boolean)
              .join('; ') || '–',
          ),
        ),
      ),
    ),
  );
  return h(
    'div',
    { class: 'tables' },
    summary,
    h(
      'div',
      { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': t('benchmark.peersCaption') },
      peers,
    ),
  );
}

/**
 * One indicator's benchmark among a peer group (all organisations unless told): a chart or a
 * table, and its CSV.
 */
export function benchmarkSection(opts: {
  indicator: string;
  period: string;
  title: string;
  /** `all` (the default), `size`, `region`, `type`, `country` or `group:{slug}`. */
  peerGroup?: string;
  /** The section's heading, when the peer group is not everyone. */
  heading?: string;
  /** How values are written; survey values by default. */
  format?: Format;
}): HTMLElement {
  const peerGroup = opts.peerGroup ?? 'all';
  const format = opts.format ?? indicatorValue;
  const path = `/api/v1/benchmarks/${encodeURIComponent(opts.indicator)}?period=${encodeURIComponent(opts.period)}&peerGroup=${encodeURIComponent(peerGroup)}`;
  return viewSection<Benchmark>({
    id: 'benchmark',
    className: 'benchmark',
    heading:
      opts.heading ??
      t('benchmark.title', { indicator: opts.indicator, title: opts.title, period: opts.period }),
    about: t('benchmark.about'),
    load: () => api<Benchmark>('GET', path),
    table: (b) => benchmarkTables(b, format),
    chartMargin: 24,
    chart: async (plot, b, width) => {
      // Vega is large: it is downloaded the first time a chart is opened, not before.
      const { renderBenchmark } = await import('../chart');
      await renderBenchmark(plot, b, {
        lang: language(),
        width,
        description: t('benchmark.description', {
          indicator: opts.indicator,
          count: b.summary.count ?? 0,
          median: format(b.kind, b.summary.median),
          q1: format(b.kind, b.summary.q1),
          q3: format(b.kind, b.summary.q3),
          you: format(b.kind, b.you?.value),
        }),
      });
    },
    caption: (b) => t('benchmark.caption', { count: b.summary.count ?? 0 }),
    csv: {
      path,
      filename: `benchmark-${opts.indicator}-${opts.period}-${peerGroup.replace(':', '-')}.csv`,
    },
  });
}
