import { apiAll } from '../../api';
import { h, replace } from '../../dom';
import { language, percent, t } from '../../i18n';
import type { Console } from '../../types';
import { downloadCsv, downloadFile } from './download';
import { failure, formatValue, localText } from './format';
import type { Measurement, Plan } from './types';

type Goal = Plan['goals'][number];

function date(iso: string | null | undefined): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
}

function measured(
  goal: Goal,
  m: Measurement | { value: number | null; period: string } | null | undefined,
): string {
  if (!m || m.value === null) return '–';
  return `${formatValue(goal.kind, m.value, goal.unit)} (${m.period})`;
}

/** How a goal stands, in words: the status, then how far along and whether beyond the noise. */
function progressText(goal: Goal): string {
  const p = goal.progress;
  const parts = [t(`analysis.plans.status.${p.status}`)];
  if (p.covered !== null && p.elapsed !== null)
    parts.push(
      t('analysis.plans.covered', { covered: percent(p.covered, 0), elapsed: percent(p.elapsed, 0) }),
    );
  if (p.beyondNoise === true) parts.push(t('analysis.plans.beyondNoise'));
  if (p.beyondNoise === false) parts.push(t('analysis.plans.withinNoise'));
  return parts.join('; ');
}

/**
 * Improvement plans the organisation may see (its own, and those its groups share): each goal's
 * baseline, target, latest value and progress as the API computes them, the actions and their
 * status, and each plan as CSV or PDF.
 */
export function plansPage(_app: Console, _params: Record<string, string>): HTMLElement {
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', {}, t('common.loading')));
  const main = h(
    'main',
    { id: 'main', tabindex: '-1', class: 'analysis' },
    h('h1', { tabindex: '-1' }, t('analysis.plans.title')),
    body,
  );
  apiAll<Plan>('/api/v1/plans')
    .then((plans) => {
      body.removeAttribute('aria-busy');
      if (!plans.items.length) {
        replace(body, h('p', { id: 'no-plans' }, t('analysis.plans.empty')));
        return;
      }
      replace(
        body,
        plans.items.map((p) => planSection(p)),
      );
    })
    .catch((err: unknown) => {
      body.removeAttribute('aria-busy');
      replace(body, h('p', { class: 'error', role: 'alert' }, failure(err)));
    });
  return main;
}

function planSection(plan: Plan): HTMLElement {
  const titleId = `plan-${plan.id}`;
  const status = h('p', { role: 'status', class: 'hint' });
  const download = (run: () => Promise<void>) => () => {
    status.textContent = '';
    run()
      .then(() => {
        status.textContent = t('analysis.view.downloaded');
      })
      .catch((err: unknown) => {
        status.textContent = failure(err);
      });
  };
  const facts = [
    plan.cycle ? t('analysis.plans.cycle', { cycle: plan.cycle }) : '',
    plan.group ? t('analysis.plans.group', { group: plan.group }) : '',
    plan.nextReviewAt ? t('analysis.plans.nextReview', { date: date(plan.nextReviewAt) }) : '',
    plan.reviewDue ? t('analysis.plans.reviewDue') : '',
  ].filter(Boolean);
  return h(
    'section',
    { class: 'plan', 'data-plan': plan.id, 'aria-labelledby': titleId },
    h('h2', { id: titleId }, plan.title),
    h('p', { class: 'hint' }, [plan.organisation.name, ...facts].filter(Boolean).join(' · ')),
    goalsTable(plan),
    actionsTable(plan),
    plan.reviews.length
      ? h(
          'details',
          {},
          h('summary', {}, t('analysis.plans.reviews', { count: plan.reviews.length })),
          h(
            'ul',
            {},
            plan.reviews.map((r) => h('li', {}, `${date(r.at)}: ${r.note}`)),
          ),
        )
      : null,
    h(
      'div',
      { class: 'toolbar' },
      h(
        'button',
        {
          type: 'button',
          class: 'download',
          id: `plan-${plan.id}-csv`,
          onclick: download(() => downloadCsv(`/api/v1/plans/${plan.id}`, `plan-${plan.id}.csv`)),
        },
        t('analysis.plans.csv'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'download',
          id: `plan-${plan.id}-pdf`,
          onclick: download(() =>
            downloadFile(
              `/api/v1/plans/${plan.id}/plan.pdf?lang=${language()}`,
              `plan-${plan.id}-${language()}.pdf`,
            ),
          ),
        },
        t('analysis.plans.pdf'),
      ),
    ),
    status,
  );
}

function goalsTable(plan: Plan): HTMLElement {
  const caption = t('analysis.plans.goalsCaption', { title: plan.title });
  if (!plan.goals.length) return h('p', {}, t('analysis.plans.noGoals'));
  return h(
    'div',
    { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': caption },
    h(
      'table',
      { class: 'goals' },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['indicator', 'segment', 'baseline', 'target', 'latest', 'progress'].map((c) =>
            h('th', { scope: 'col' }, t(`analysis.plans.columns.${c}`)),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        plan.goals.map((g) =>
          h(
            'tr',
            { 'data-goal': g.id, 'data-indicator': g.indicator, 'data-status': g.progress.status },
            h(
              'th',
              { scope: 'row' },
              h('span', { class: 'code' }, g.indicator),
              ' ',
              localText(g.title, ''),
              g.description ? h('div', { class: 'hint' }, g.description) : null,
            ),
            h('td', {}, g.segment === '*' ? t('analysis.segments.whole') : g.segment),
            h('td', { class: 'num', 'data-value': String(g.baseline.value) }, measured(g, g.baseline)),
            h('td', { class: 'num', 'data-value': String(g.target.value) }, measured(g, g.target)),
            h(
              'td',
              { class: 'num', 'data-value': String(g.progress.latest?.value ?? '') },
              measured(g, g.progress.latest),
            ),
            h('td', { class: `progress ${g.progress.status}` }, progressText(g)),
          ),
        ),
      ),
    ),
  );
}

function actionsTable(plan: Plan): HTMLElement {
  const caption = t('analysis.plans.actionsCaption', { title: plan.title });
  if (!plan.actions.length) return h('p', {}, t('analysis.plans.noActions'));
  const goals = new Map(plan.goals.map((g) => [g.id, g.indicator]));
  return h(
    'div',
    { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': caption },
    h(
      'table',
      { class: 'actions' },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['what', 'owner', 'start', 'due', 'status', 'goals'].map((c) =>
            h('th', { scope: 'col' }, t(`analysis.plans.columns.${c}`)),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        plan.actions.map((a) =>
          h(
            'tr',
            { 'data-action': a.id, 'data-status': a.status },
            h('th', { scope: 'row' }, a.what),
            h('td', {}, a.ownerRole || '–'),
            h('td', {}, date(a.start)),
            h('td', {}, date(a.due)),
            h(
              'td',
              { class: a.overdue ? 'overdue' : false },
              t(`analysis.plans.actionStatus.${a.status}`),
              a.overdue ? ` (${t('analysis.plans.overdue')})` : '',
            ),
            h(
              'td',
              {},
              (a.goals ?? [])
                .map((id) => goals.get(id) ?? '')
                .filter(Boolean)
                .join(', ') || '–',
            ),
          ),
        ),
      ),
    ),
  );
}
