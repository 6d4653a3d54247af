import { api } from '../../api';
import { h, replace } from '../../dom';
import { dateTime, number, t } from '../../i18n';
import type { Console } from '../../types';
import { campaignForm } from './campaign-form';
import { segmentLabel, type Campaign, type SurveySummary } from './shared';

/** Every page of a cursor list (the API gives at most 200 at a time). */
async function all<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: { items: T[]; nextCursor: string | null } = await api(
      'GET',
      `${path}${sep}limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < 2000);
  return items;
}

function campaignTable(campaigns: Campaign[], surveys: Map<string, SurveySummary>): HTMLElement {
  const columns = ['campaign', 'survey', 'period', 'segment', 'status', 'opens', 'closes', 'responses'];
  const table = h(
    'table',
    { id: 'campaigns' },
    h('caption', {}, t('campaigns.listCaption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col' }, t(`campaigns.columns.${c}`))),
      ),
    ),
    h(
      'tbody',
      {},
      // Newest first: the campaign running now is the one looked for.
      [...campaigns].reverse().map((c) =>
        h(
          'tr',
          { 'data-campaign': c.id },
          h(
            'th',
            { scope: 'row' },
            h('a', { href: `/console/campaigns/${c.id}`, 'data-route': true }, c.title),
            h('span', { class: 'hint block' }, t(`campaigns.access.${c.access}`)),
          ),
          h(
            'td',
            {},
            t('campaigns.surveyVersion', {
              survey: surveys.get(c.surveyId)?.title ?? c.surveyId,
              version: c.version,
            }),
          ),
          h('td', {}, c.period),
          h('td', {}, segmentLabel(c.segment)),
          h('td', {}, h('span', { class: `campaign-status ${c.status}` }, t(`campaigns.status.${c.status}`))),
          h('td', {}, dateTime(c.opensAt)),
          h('td', {}, c.closesAt ? dateTime(c.closesAt) : t('campaigns.noEnd')),
          h(
            'td',
            { class: 'num' },
            c.responseLimit
              ? t('campaigns.responsesOfLimit', {
                  count: number(c.counts.responses),
                  limit: number(c.responseLimit),
                })
              : number(c.counts.responses),
          ),
        ),
      ),
    ),
  );
  return h(
    'div',
    { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': t('campaigns.listCaption') },
    table,
  );
}

/** The organisation's campaigns, and a form to start one. */
export function campaignsPage(app: Console): HTMLElement {
  const main = h(
    'main',
    { id: 'main', tabindex: '-1', class: 'campaigns' },
    h('h1', { tabindex: '-1' }, t('campaigns.title')),
  );
  const list = h('div', { 'aria-busy': 'true' }, h('p', {}, t('common.loading')));
  const start = h('section', { class: 'start card', 'aria-labelledby': 'start-title' });
  main.append(list, start);
  if (!app.session?.person.organisationId) {
    replace(list, h('p', {}, t('campaigns.noOrganisation')));
    start.remove();
    return main;
  }
  const surveys = all<SurveySummary>('/api/v1/surveys');
  all<Campaign>('/api/v1/campaigns')
    .then(async (campaigns) => {
      const byId = new Map((await surveys.catch(() => [])).map((s) => [s.id, s]));
      list.removeAttribute('aria-busy');
      replace(
        list,
        campaigns.length
          ? campaignTable(campaigns, byId)
          : h('p', { id: 'no-campaigns' }, t('campaigns.none')),
      );
    })
    .catch(() => replace(list, h('p', { class: 'error', role: 'alert' }, t('common.failed'))));
  replace(start, h('h2', { id: 'start-title' }, t('campaigns.form.title')), h('p', {}, t('common.loading')));
  surveys
    .then((items) => {
      replace(start, h('h2', { id: 'start-title' }, t('campaigns.form.title')), campaignForm(app, items));
    })
    .catch(() =>
      replace(
        start,
        h('h2', { id: 'start-title' }, t('campaigns.form.title')),
        h('p', { class: 'error', role: 'alert' }, t('common.failed')),
      ),
    );
  return main;
}
