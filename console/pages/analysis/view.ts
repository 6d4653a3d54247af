import { h, replace } from '../../dom';
import { t } from '../../i18n';
import { downloadCsv } from './download';
import { failure } from './format';

type View = 'chart' | 'table';
/** The same choice the benchmark remembers: a reader who prefers tables gets tables everywhere. */
const VIEW_KEY = 'tv-console-chart-view';

/** A section that shows one set of figures as a chart or as a table, with its CSV. */
export interface ViewSectionOptions<T> {
  /** Prefix of the ids of the section's elements (`{id}-title`, `{id}-view`, `{id}-chart`, `{id}-csv`, ...). */
  id: string;
  heading: string;
  /** A sentence on how to read the chart. */
  about?: string;
  load: () => Promise<T>;
  /** A sentence instead of chart and table when there is nothing to show; null otherwise. */
  empty?: (data: T) => string | null;
  table: (data: T) => HTMLElement;
  /** Draws the chart into `plot`, `width` pixels wide (Vega is loaded on the first call). */
  chart: (plot: HTMLElement, data: T, width: number) => Promise<unknown>;
  /** A line under the chart. */
  caption?: (data: T) => string;
  /** The API path whose CSV form holds the same figures. */
  csv?: { path: string; filename: string };
  /** A class of the section besides `analysis-view`. */
  className?: string;
  /** Pixels of the space the chart leaves to its axes and legend (110 unless told). */
  chartMargin?: number;
}

function preferredView(): View {
  try {
    return localStorage.getItem(VIEW_KEY) === 'table' ? 'table' : 'chart';
  } catch {
    return 'chart';
  }
}

/**
 * A chart with its table view and CSV download. The chart is drawn for the space it has and
 * drawn again when that changes much (a phone turned, a window resized); if it cannot be drawn,
 * the table is shown with a sentence saying so.
 */
export function viewSection<T>(opts: ViewSectionOptions<T>): HTMLElement {
  const area = h('div', { class: 'view', id: `${opts.id}-view` }, h('p', {}, t('common.loading')));
  const status = h('p', { role: 'status', class: 'hint' });
  const chartButton = h(
    'button',
    { type: 'button', id: `${opts.id}-show-chart`, 'aria-pressed': 'false' },
    t('analysis.view.chart'),
  );
  const tableButton = h(
    'button',
    { type: 'button', id: `${opts.id}-show-table`, 'aria-pressed': 'false' },
    t('analysis.view.table'),
  );
  const csvButton = opts.csv
    ? h('button', { type: 'button', id: `${opts.id}-csv`, class: 'download' }, t('analysis.view.csv'))
    : null;
  const toolbar = h(
    'div',
    { class: 'toolbar', role: 'group', 'aria-label': t('analysis.view.label', { what: opts.heading }) },
    chartButton,
    tableButton,
    csvButton,
  );
  const section = h(
    'section',
    {
      class: opts.className ? `analysis-view ${opts.className}` : 'analysis-view',
      'aria-labelledby': `${opts.id}-title`,
    },
    h('h2', { id: `${opts.id}-title`, tabindex: '-1' }, opts.heading),
    opts.about ? h('p', { class: 'hint' }, opts.about) : null,
    toolbar,
    status,
    area,
  );
  let data: T | null = null;
  let current: View = 'chart';
  let drawnWidth = 0;
  let pending: ReturnType<typeof setTimeout> | undefined;
  new ResizeObserver(() => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (current === 'chart' && drawnWidth && Math.abs(area.clientWidth - drawnWidth) > 40)
        void show('chart');
    }, 150);
  }).observe(area);

  const show = async (view: View): Promise<void> => {
    if (data === null) return;
    current = view;
    chartButton.setAttribute('aria-pressed', String(view === 'chart'));
    tableButton.setAttribute('aria-pressed', String(view === 'table'));
    try {
      localStorage.setItem(VIEW_KEY, view);
    } catch {
      // Not remembered.
    }
    if (view === 'table') {
      replace(area, opts.table(data));
      return;
    }
    // Focusable: on a narrow screen the chart scrolls sideways.
    const figure = h('figure', { class: 'chart', id: `${opts.id}-chart`, tabindex: '0' });
    replace(area, h('p', {}, t('analysis.view.loadingChart')));
    try {
      // Vega gives its container the role of the drawing; the figure keeps its own.
      const plot = h('div', { class: 'plot' });
      figure.append(plot);
      replace(area, figure);
      await opts.chart(
        plot,
        data,
        Math.max(220, Math.min(area.clientWidth || 640, 900) - (opts.chartMargin ?? 110)),
      );
      drawnWidth = area.clientWidth;
      if (opts.caption) figure.append(h('figcaption', {}, opts.caption(data)));
    } catch {
      replace(
        area,
        h('p', { class: 'error', role: 'alert' }, t('analysis.view.chartFailed')),
        opts.table(data),
      );
    }
  };
  chartButton.addEventListener('click', () => void show('chart'));
  tableButton.addEventListener('click', () => void show('table'));
  csvButton?.addEventListener('click', () => {
    status.textContent = '';
    downloadCsv(opts.csv!.path, opts.csv!.filename)
      .then(() => {
        status.textContent = t('analysis.view.csvReady');
      })
      .catch((err: unknown) => {
        status.textContent = failure(err);
      });
  });

  opts
    .load()
    .then((loaded) => {
      const nothing = opts.empty?.(loaded) ?? null;
      if (nothing !== null) {
        toolbar.remove();
        replace(area, h('p', {}, nothing));
        return;
      }
      data = loaded;
      return show(preferredView());
    })
    .catch((err: unknown) => replace(area, h('p', { class: 'error', role: 'alert' }, failure(err))));
  return section;
}
