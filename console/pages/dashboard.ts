import { apiAll } from '../api';
import { h, replace } from '../dom';
import { indicatorValue, language, number, percent, t } from '../i18n';
import type { Console, IndicatorDefinition, IndicatorValue, ModeCounts } from '../types';
import { downloadFile } from './analysis/download';
import { failure } from './analysis/format';
import { benchmarkSection } from './benchmark';

const READERS = ['admin', 'analyst', 'coordinator'];
let catalogue: Promise<Map<string, IndicatorDefinition>> | null = null;

/** Indicator titles from the catalogue, fetched once; an indicator without one shows its id. */
export function titles(): Promise<Map<string, IndicatorDefinition>> {
  catalogue ??= apiAll<IndicatorDefinition>('/api/v1/indicator-definitions')
    .then((r) => new Map(r.items.map((d) => [d.id, d])))
    .catch(() => new Map());
  return catalogue;
}

/** An indicator's title in the current language, else in English, else its id. */
export function indicatorTitle(defs: Map<string, IndicatorDefinition>, id: string): string {
  const title = defs.get(id)?.title;
  return title?.[language()] ?? title?.en ?? title?.default ?? id;
}

function interval(v: { kind?: string; low: number | null; high: number | null }): string {
  if (v.low === null || v.high === null) return '–';
  return `${indicatorValue(v.kind, v.low)} – ${indicatorValue(v.kind, v.high)}`;
}

function modes(counts: ModeCounts | undefined): string {
  const entries = Object.entries(counts ?? {});
  if (!entries.length) return '–';
  return entries.map(([mode, n]) => `${t(`modes.${mode}`)} ${number(n)}`).join(', ');
}

function weighted(v: IndicatorValue): string {
  if (!v.weighted) return '–';
  if (v.weighted.status === 'not-weighted') return t('dashboard.notWeighted');
  return `${indicatorValue(v.kind, v.weighted.value)} (${interval({ kind: v.kind, ...v.weighted })})`;
}

function flags(v: IndicatorValue): string[] {
  const out: string[] = [];
  if (v.suppressed) out.push(t(`dashboard.suppressed.${v.suppressed}`, { minN: v.minN }));
  if (v.methodChanged) out.push(t('dashboard.methodChanged'));
  return out;
}

/** The periods with values, newest first. */
async function periods(): Promise<string[]> {
  const all = await apiAll<IndicatorValue>('/api/v1/indicators');
  return [...new Set(all.items.map((v) => v.period))].sort().reverse();
}

/** Analysts' dashboard: a period's indicators with their uncertainty, and each one's benchmark. */
export function dashboardPage(app: Console): HTMLElement {
  const main = h('main', { id: 'main', tabindex: '-1' }, h('h1', { tabindex: '-1' }, t('dashboard.title')));
  if (!READERS.includes(app.session!.person.role)) {
    main.append(h('p', {}, t('dashboard.notForRole')));
    return main;
  }
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', {}, t('common.loading')));
  main.append(body);
  void fill(app, body).catch(() =>
    replace(body, h('p', { class: 'error', role: 'alert' }, t('common.failed'))),
  );
  return main;
}

async function fill(app: Console, body: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.search);
  const [known, defs] = await Promise.all([periods(), titles()]);
  body.removeAttribute('aria-busy');
  if (!known.length) {
    replace(body, h('p', {}, t('dashboard.noValues')));
    return;
  }
  const wanted = params.get('period');
  const period = wanted && known.includes(wanted) ? wanted : known[0]!;
  const select = h(
    'select',
    { id: 'period', name: 'period' },
    known.map((p) => h('option', { value: p, selected: p === period }, p)),
  );
  const chooser = h(
    'form',
    {
      class: 'period',
      onsubmit: (event) => {
        event.preventDefault();
        app.navigate(`/console/indicators?period=${encodeURIComponent(select.value)}`);
      },
    },
    h('label', { for: 'period' }, t('dashboard.period')),
    select,
    h('button', { type: 'submit' }, t('dashboard.show')),
  );
  const values = await apiAll<IndicatorValue>(`/api/v1/indicators?period=${encodeURIComponent(period)}`);
  const rows = values.items
    .filter((v) => v.segment === '*')
    .sort((a, b) => a.indicator.localeCompare(b.indicator));
  const opened = params.get('benchmark');
  const benchmark = h('div', { id: 'benchmark' });
  const columns = [
    'indicator',
    'value',
    'interval',
    'n',
    'responseRate',
    'nByMode',
    'weighted',
    'notes',
    'benchmark',
  ].map((c) => h('th', { scope: 'col' }, t(`dashboard.columns.${c}`)));
  const table = h(
    'table',
    { id: 'indicators' },
    h('caption', {}, t('dashboard.caption', { period })),
    h('thead', {}, h('tr', {}, columns)),
    h(
      'tbody',
      {},
      rows.map((v) =>
        h(
          'tr',
          { 'data-indicator': v.indicator },
          h(
            'th',
            { scope: 'row' },
            h(
              'a',
              {
                href: `/console/indicators/${encodeURIComponent(v.indicator)}?period=${encodeURIComponent(period)}`,
                'data-route': true,
                class: 'indicator-link',
              },
              h('span', { class: 'code' }, v.indicator),
              ' ',
              indicatorTitle(defs, v.indicator),
            ),
          ),
          h('td', { class: 'num', 'data-value': v.value ?? '' }, indicatorValue(v.kind, v.value)),
          h('td', { class: 'num' }, interval(v)),
          h('td', { class: 'num' }, number(v.n)),
          h('td', { class: 'num' }, percent(v.responseRate)),
          h('td', {}, modes(v.nByMode)),
          h('td', {}, weighted(v)),
          h('td', {}, flags(v).join('; ') || '–'),
          h(
            'td',
            {},
            h(
              'a',
              {
                href: `/console/indicators?period=${encodeURIComponent(period)}&benchmark=${encodeURIComponent(v.indicator)}`,
                'data-route': true,
                class: 'compare',
                'aria-label': t('dashboard.openBenchmarkOf', { indicator: v.indicator }),
              },
              t('dashboard.openBenchmark'),
            ),
          ),
        ),
      ),
    ),
  );
  replace(
    body,
    chooser,
    rows.length
      ? h(
          'div',
          {
            class: 'scroll',
            role: 'region',
            tabindex: '0',
            'aria-label': t('dashboard.caption', { period }),
          },
          table,
        )
      : h('p', {}, t('dashboard.noValuesInPeriod', { period })),
    h('p', { class: 'hint' }, t('dashboard.legend')),
    rows.length ? councilPack(app, period) : null,
    benchmark,
  );
  if (opened && rows.some((r) => r.indicator === opened)) {
    benchmark.append(benchmarkSection({ indicator: opened, period, title: indicatorTitle(defs, opened) }));
    // Opened by a link: the reader continues at the benchmark, unless a control still has the focus.
    const active = document.activeElement;
    if (!active || active === document.body || active.tagName === 'H1')
      benchmark.querySelector<HTMLElement>('h2')?.focus();
  }
}

/** Roles the API prints the council pack for. */
const PACK_READERS = ['admin', 'analyst'];

/**
 * The period's council pack (a printable PDF of the results) in the language the console is
 * shown in, for the people the API prints it for.
 */
function councilPack(app: Console, period: string): HTMLElement | null {
  const person = app.session!.person;
  if (!person.organisationId || !PACK_READERS.includes(person.role)) return null;
  const status = h('p', { role: 'status', class: 'hint', id: 'council-pack-status' });
  const button = h(
    'button',
    { type: 'button', id: 'council-pack', class: 'download' },
    t('analysis.councilPack.download', { period }),
  );
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = t('analysis.councilPack.preparing');
    const lang = language();
    downloadFile(
      `/api/v1/organisations/${encodeURIComponent(person.organisationId!)}/council-pack.pdf?period=${encodeURIComponent(period)}&lang=${lang}`,
      `council-pack-${period}-${lang}.pdf`,
    )
      .then(() => {
        status.textContent = t('analysis.councilPack.ready');
      })
      .catch((err: unknown) => {
        status.textContent = failure(err);
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  return h(
    'div',
    { class: 'council-pack' },
    h('p', { class: 'hint' }, t('analysis.councilPack.about')),
    button,
    status,
  );
}
