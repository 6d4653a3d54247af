import { api, apiAll } from '../../api';
import { h, replace } from '../../dom';
import { language, number, t } from '../../i18n';
import type { Console } from '../../types';
import type { TrendBody } from '../../../src/charts/specs';
import { benchmarkSection } from '../benchmark';
import { downloadCsv } from './download';
import { failure, formatValue, localText } from './format';
import type { DataReturn, GroupSummary, ReportedIndicator, ReturnFigure, ReturnSummary } from './types';
import { viewSection } from './view';

/** A signed-off figure of a period, with the group it was reported in. */
interface Figure extends ReturnFigure {
  period: string;
}

/** A figure's name: its indicator's title, the part and the tenure where it has them. */
function figureTitle(
  f: Pick<ReturnFigure, 'indicator' | 'part' | 'tenure'>,
  def: ReportedIndicator | undefined,
) {
  const parts = [def ? localText(def.title, f.indicator) : f.indicator];
  const part = def?.parts.find((p) => p.key === f.part);
  if (f.part) parts.push(part ? localText(part.title, f.part) : f.part);
  if (f.tenure) parts.push(t(`analysis.performance.tenure.${f.tenure}`));
  return parts.join(' – ');
}

/** A reported value in its kind and unit. */
function reported(def: ReportedIndicator | undefined) {
  return (kind: string | undefined, value: number | null | undefined) =>
    formatValue(kind ?? def?.kind, value, def?.unit ?? '');
}

/**
 * Performance indicators: the organisation's signed-off figures per period in each benchmarking
 * group it belongs to, and for a chosen figure its trend beside the group's median and where it
 * stands among the group's members (a distribution, names only where the group agreed).
 */
export function performancePage(app: Console, _params: Record<string, string>): HTMLElement {
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', {}, t('common.loading')));
  const main = h(
    'main',
    { id: 'main', tabindex: '-1', class: 'analysis' },
    h('h1', { tabindex: '-1' }, t('analysis.performance.title')),
    h('p', { class: 'hint' }, t('analysis.performance.about')),
    body,
  );
  void fill(app, body).catch((err: unknown) => {
    body.removeAttribute('aria-busy');
    replace(body, h('p', { class: 'error', role: 'alert' }, failure(err)));
  });
  return main;
}

async function fill(app: Console, body: HTMLElement): Promise<void> {
  const orgId = app.session!.person.organisationId;
  if (!orgId) {
    body.removeAttribute('aria-busy');
    replace(body, h('p', {}, t('analysis.performance.empty')));
    return;
  }
  const [org, groups, catalogue] = await Promise.all([
    api<{ slug: string; name: string }>('GET', `/api/v1/organisations/${encodeURIComponent(orgId)}`),
    apiAll<GroupSummary>('/api/v1/groups').then((r) => r.items.filter((g) => g.you.member)),
    apiAll<ReportedIndicator>('/api/v1/reported-indicators').then(
      (r) => new Map(r.items.map((d) => [d.id, d])),
    ),
  ]);
  const figures = await Promise.all(groups.map((g) => signedOff(g, org.slug)));
  body.removeAttribute('aria-busy');
  if (!figures.some((f) => f.figures.length)) {
    replace(body, h('p', { id: 'no-figures' }, t('analysis.performance.empty')));
    return;
  }
  const query = new URLSearchParams(location.search);
  const chosen = {
    group: query.get('group'),
    figure: query.get('figure'),
    period: query.get('period'),
  };
  const sections: HTMLElement[] = [];
  let opened: HTMLElement | null = null;
  for (const { group, figures: list, returns } of figures) {
    if (!list.length) continue;
    sections.push(groupSection(group, org.slug, list, returns, catalogue));
    const figure = list.find((f) => group.slug === chosen.group && f.figure === chosen.figure);
    if (figure && !opened) {
      const period = list.some((f) => f.figure === figure.figure && f.period === chosen.period)
        ? chosen.period!
        : figure.period;
      opened = figureSection(
        group,
        figure.figure,
        period,
        figureTitle(figure, catalogue.get(figure.indicator)),
        catalogue.get(figure.indicator),
      );
    }
  }
  replace(body, sections, opened);
  if (opened) {
    const active = document.activeElement;
    if (!active || active === document.body || active.tagName === 'H1')
      opened.querySelector<HTMLElement>('h2')?.focus();
  }
}

/** The organisation's signed-off returns in a group, and their figures, newest period first. */
async function signedOff(group: GroupSummary, slug: string) {
  const list = await apiAll<ReturnSummary>(
    `/api/v1/groups/${encodeURIComponent(group.slug)}/returns?state=signed_off`,
  );
  const returns = list.items
    .filter((r) => r.organisation === slug)
    .sort((a, b) => b.period.localeCompare(a.period));
  const full = await Promise.all(
    returns.map((r) =>
      api<DataReturn>(
        'GET',
        `/api/v1/groups/${encodeURIComponent(group.slug)}/returns/${encodeURIComponent(slug)}/${encodeURIComponent(r.period)}`,
      ),
    ),
  );
  const figures: Figure[] = full.flatMap((r) =>
    r.figures.filter((f) => !f.notAvailable).map((f) => ({ ...f, period: r.period })),
  );
  figures.sort((a, b) => a.figure.localeCompare(b.figure) || b.period.localeCompare(a.period));
  return { group, figures, returns };
}

function groupSection(
  group: GroupSummary,
  slug: string,
  figures: Figure[],
  returns: ReturnSummary[],
  catalogue: Map<string, ReportedIndicator>,
): HTMLElement {
  const caption = t('analysis.performance.caption', { group: group.name });
  const status = h('p', { role: 'status', class: 'hint' });
  const table = h(
    'table',
    { class: 'figures', 'data-group': group.slug },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['figure', 'period', 'value', 'numerator', 'denominator', 'comment', 'benchmark'].map((c) =>
          h('th', { scope: 'col' }, t(`analysis.performance.columns.${c}`)),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      figures.map((f) => {
        const def = catalogue.get(f.indicator);
        const title = figureTitle(f, def);
        return h(
          'tr',
          { 'data-figure': f.figure, 'data-period': f.period },
          h('th', { scope: 'row' }, h('span', { class: 'code' }, f.figure), ' ', title),
          h('td', {}, f.period),
          h(
            'td',
            { class: 'num', 'data-value': String(f.computed ?? '') },
            reported(def)(def?.kind, f.computed),
          ),
          h('td', { class: 'num' }, number(f.numerator, Number.isInteger(f.numerator ?? 0) ? 0 : 2)),
          h('td', { class: 'num' }, number(f.denominator)),
          h('td', {}, f.comment || '–'),
          h(
            'td',
            {},
            h(
              'a',
              {
                href: `/console/performance?${new URLSearchParams({ group: group.slug, figure: f.figure, period: f.period }).toString()}`,
                'data-route': true,
                class: 'compare',
                'aria-label': t('analysis.performance.compareOf', { figure: f.figure, period: f.period }),
              },
              t('analysis.performance.compare'),
            ),
          ),
        );
      }),
    ),
  );
  const downloads = returns.map((r) =>
    h(
      'button',
      {
        type: 'button',
        class: 'download',
        'data-period': r.period,
        onclick: () => {
          status.textContent = '';
          downloadCsv(
            `/api/v1/groups/${encodeURIComponent(group.slug)}/returns/${encodeURIComponent(slug)}/${encodeURIComponent(r.period)}`,
            `return-${group.slug}-${r.period}.csv`,
          )
            .then(() => {
              status.textContent = t('analysis.view.csvReady');
            })
            .catch((err: unknown) => {
              status.textContent = failure(err);
            });
        },
      },
      t('analysis.performance.returnCsv', { period: r.period }),
    ),
  );
  return h(
    'section',
    { class: 'group-figures', 'aria-labelledby': `group-${group.slug}` },
    h('h2', { id: `group-${group.slug}` }, group.name),
    h('div', { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': caption }, table),
    h('div', { class: 'toolbar' }, downloads),
    status,
  );
}

/** One figure: its trend beside the group's median, and the period's distribution in the group. */
function figureSection(
  group: GroupSummary,
  figure: string,
  period: string,
  title: string,
  def: ReportedIndicator | undefined,
): HTMLElement {
  const peerGroup = `group:${group.slug}`;
  const format = reported(def);
  const path = `/api/v1/benchmarks/${encodeURIComponent(figure)}/trend?peerGroup=${encodeURIComponent(peerGroup)}`;
  const trend = viewSection<TrendBody>({
    id: 'trend',
    heading: t('analysis.performance.trendTitle', { figure, title, group: group.name }),
    about: t('analysis.performance.trendAbout'),
    load: () => api<TrendBody>('GET', path),
    empty: (body) => (body.points.length ? null : t('analysis.trend.empty')),
    csv: { path, filename: `trend-${figure}-${group.slug}.csv` },
    table: (body) =>
      h(
        'div',
        {
          class: 'scroll',
          role: 'region',
          tabindex: '0',
          'aria-label': t('analysis.trend.caption', { indicator: figure }),
        },
        h(
          'table',
          { id: 'trend-table' },
          h('caption', {}, t('analysis.trend.caption', { indicator: figure })),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['period', 'value', 'n', 'peerMedian', 'peerCount'].map((c) =>
                h('th', { scope: 'col' }, t(`analysis.columns.${c}`)),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            body.points.map((p) =>
              h(
                'tr',
                { 'data-period': p.period },
                h('th', { scope: 'row' }, p.period),
                h('td', { class: 'num', 'data-value': String(p.value ?? '') }, format(def?.kind, p.value)),
                h('td', { class: 'num' }, number(p.n)),
                h('td', { class: 'num' }, format(def?.kind, p.peerMedian)),
                h('td', { class: 'num' }, number(p.peerCount)),
              ),
            ),
          ),
        ),
      ),
    chart: async (plot, body, width) => {
      const { renderTrend } = await import('../../chart');
      const last = body.points.at(-1);
      await renderTrend(plot, body, {
        lang: language(),
        width,
        kind: def?.kind,
        description: t('analysis.trend.description', {
          indicator: figure,
          count: body.points.length,
          period: last?.period ?? '',
          value: format(def?.kind, last?.value),
          median: format(def?.kind, last?.peerMedian),
        }),
      });
    },
    caption: () => t('analysis.performance.trendLegend'),
  });
  return h(
    'div',
    { id: 'figure', class: 'figure' },
    trend,
    h(
      'div',
      { id: 'benchmark' },
      benchmarkSection({
        indicator: figure,
        period,
        title,
        peerGroup,
        format,
        heading: t('analysis.performance.benchmarkTitle', { figure, title, group: group.name, period }),
      }),
    ),
  );
}
