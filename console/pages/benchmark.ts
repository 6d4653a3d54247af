import { api, apiCsv } from '../api';
import { h, replace } from '../dom';
import { indicatorValue, language, number, t } from '../i18n';
import type { Benchmark } from '../types';

type View = 'chart' | 'table';
const VIEW_KEY = 'tv-console-chart-view';
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

function preferredView(): View {
  try {
    return localStorage.getItem(VIEW_KEY) === 'table' ? 'table' : 'chart';
  } catch {
    return 'chart';
  }
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
  const area = h('div', { class: 'view', id: 'benchmark-view' }, h('p', {}, t('common.loading')));
  const status = h('p', { role: 'status', class: 'hint' });
  const chartButton = h('button', { type: 'button', id: 'show-chart' }, t('benchmark.showChart'));
  const tableButton = h('button', { type: 'button', id: 'show-table' }, t('benchmark.showTable'));
  const csvButton = h(
    'button',
    { type: 'button', id: 'download-csv', class: 'download' },
    t('benchmark.downloadCsv'),
  );
  const section = h(
    'section',
    { class: 'benchmark', 'aria-labelledby': 'benchmark-title' },
    h(
      'h2',
      { id: 'benchmark-title', tabindex: '-1' },
      opts.heading ??
        t('benchmark.title', { indicator: opts.indicator, title: opts.title, period: opts.period }),
    ),
    h('p', { class: 'hint' }, t('benchmark.about')),
    h(
      'div',
      { class: 'toolbar', role: 'group', 'aria-label': t('benchmark.viewLabel') },
      chartButton,
      tableButton,
      csvButton,
    ),
    status,
    area,
  );
  let data: Benchmark | null = null;
  let current: View = 'chart';
  let drawnWidth = 0;
  // A chart is drawn for its width: drawn again when the page becomes much narrower or wider.
  let pending: ReturnType<typeof setTimeout> | undefined;
  new ResizeObserver(() => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (current === 'chart' && drawnWidth && Math.abs(area.clientWidth - drawnWidth) > 40)
        void show('chart');
    }, 150);
  }).observe(area);

  const show = async (view: View) => {
    if (!data) return;
    current = view;
    chartButton.setAttribute('aria-pressed', String(view === 'chart'));
    tableButton.setAttribute('aria-pressed', String(view === 'table'));
    try {
      localStorage.setItem(VIEW_KEY, view);
    } catch {
      // Not remembered.
    }
    if (view === 'table') {
      replace(area, benchmarkTables(data, format));
      return;
    }
    // Focusable: on a narrow screen the chart scrolls sideways.
    const figure = h('figure', { class: 'chart', id: 'benchmark-chart', tabindex: '0' });
    replace(area, h('p', {}, t('benchmark.loadingChart')));
    try {
      // Vega is large: it is downloaded the first time a chart is opened, not before.
      const { renderBenchmark } = await import('../chart');
      // Vega gives its container the role of the drawing; the figure keeps its own.
      const plot = h('div', { class: 'plot' });
      figure.append(plot);
      replace(area, figure);
      await renderBenchmark(plot, data, {
        lang: language(),
        width: Math.max(240, Math.min(area.clientWidth || 640, 900) - 24),
        description: t('benchmark.description', {
          indicator: opts.indicator,
          count: data.summary.count ?? 0,
          median: format(data.kind, data.summary.median),
          q1: format(data.kind, data.summary.q1),
          q3: format(data.kind, data.summary.q3),
          you: format(data.kind, data.you?.value),
        }),
      });
      drawnWidth = area.clientWidth;
      figure.append(h('figcaption', {}, t('benchmark.caption', { count: data.summary.count ?? 0 })));
    } catch {
      replace(
        area,
        h('p', { class: 'error', role: 'alert' }, t('benchmark.chartFailed')),
        benchmarkTables(data, format),
      );
    }
  };
  chartButton.addEventListener('click', () => void show('chart'));
  tableButton.addEventListener('click', () => void show('table'));
  csvButton.addEventListener('click', () => {
    apiCsv(path)
      .then((blob) => {
        const url = URL.createObjectURL(blob);
        const link = h('a', {
          href: url,
          download: `benchmark-${opts.indicator}-${opts.period}-${peerGroup.replace(':', '-')}.csv`,
        });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        status.textContent = t('benchmark.csvReady');
      })
      .catch(() => {
        status.textContent = t('common.failed');
      });
  });

  api<Benchmark>('GET', path)
    .then((b) => {
      data = b;
      return show(preferredView());
    })
    .catch(() => replace(area, h('p', { class: 'error', role: 'alert' }, t('common.failed'))));
  return section;
}
