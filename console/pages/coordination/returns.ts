import { api, ApiError, apiAll } from '../../api';
import { h, replace } from '../../dom';
import { dateTime, number, t } from '../../i18n';
import type { Console } from '../../types';
import {
  reportedCatalogue,
  returnPath,
  stateBadge,
  type DataReturn,
  type Group,
  type ReportedIndicator,
  type ReturnSummary,
} from './model';
import { returnSection, type ReturnActions } from './return-view';

interface MemberRow {
  slug: string;
  name: string;
  summary: ReturnSummary | null;
  /** Warnings of the return's figures, and how many of them no comment explains yet. */
  warnings: { all: number; unexplained: number } | null;
}

/** Every member's return for the period, as the group's coordinators see them. */
async function memberRows(group: Group, period: string): Promise<MemberRow[]> {
  const list = await apiAll<ReturnSummary>(
    `/api/v1/groups/${encodeURIComponent(group.slug)}/returns?period=${encodeURIComponent(period)}`,
  );
  const bySlug = new Map(list.items.map((r) => [r.organisation, r]));
  const members = group.members.filter((m) => m.status === 'member');
  return Promise.all(
    members.map(async (m) => {
      const summary = bySlug.get(m.slug) ?? null;
      let warnings: MemberRow['warnings'] = null;
      if (summary) {
        const full = await api<DataReturn>('GET', returnPath(group.slug, m.slug, period)).catch(() => null);
        if (full) {
          const found = full.figures.flatMap((f) => f.findings.filter((x) => x.severity === 'warning'));
          warnings = { all: found.length, unexplained: found.filter((x) => !x.explained).length };
        }
      }
      return { slug: m.slug, name: m.name, summary, warnings };
    }),
  );
}

function overview(group: Group, period: string, rows: MemberRow[], opened: string | null): HTMLElement {
  const caption = t('coordination.returns.caption', { period });
  const columns = ['organisation', 'state', 'submittedAt', 'openQueries', 'warnings', 'open'];
  if (!rows.length) return h('p', {}, t('coordination.returns.noMembers'));
  return h(
    'div',
    { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': caption },
    h(
      'table',
      { id: 'returns', class: 'returns' },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col' }, t(`coordination.returns.columns.${c}`))),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            { 'data-organisation': row.slug, class: row.slug === opened ? 'opened' : false },
            h('th', { scope: 'row' }, row.name),
            h('td', {}, stateBadge(row.summary?.state ?? 'none')),
            h('td', {}, dateTime(row.summary?.submittedAt)),
            h('td', { class: 'num' }, row.summary ? number(row.summary.openQueries) : '–'),
            h(
              'td',
              {},
              row.warnings
                ? row.warnings.unexplained
                  ? t('coordination.returns.warningsUnexplained', {
                      all: row.warnings.all,
                      unexplained: row.warnings.unexplained,
                    })
                  : number(row.warnings.all)
                : '–',
            ),
            h(
              'td',
              {},
              h(
                'a',
                {
                  href: `/console/groups/${encodeURIComponent(group.slug)}/${encodeURIComponent(period)}?org=${encodeURIComponent(row.slug)}`,
                  'data-route': true,
                  'aria-current': row.slug === opened ? 'true' : false,
                  'aria-label': t('coordination.returns.openOf', { organisation: row.name }),
                },
                t('coordination.returns.open'),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * A period of a group. Coordinators see every member's return with its state and open one to
 * query figures, follow threads, sign off or reopen; a member's admin sees the organisation's own
 * return to enter figures, submit and answer queries.
 */
export function returnsPage(app: Console, params: Record<string, string>): HTMLElement {
  const group = params.group ?? '';
  const period = params.period ?? '';
  const heading = h('h1', { tabindex: '-1' }, t('coordination.returns.title', { group, period }));
  const main = h('main', { id: 'main', tabindex: '-1', class: 'coordination' }, heading);
  const back = h(
    'p',
    {},
    h('a', { href: '/console/groups', 'data-route': true }, t('coordination.returns.back')),
  );
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', {}, t('common.loading')));
  main.append(back, body);
  void load(app, group, period, heading, body, null).catch((err: unknown) => {
    body.removeAttribute('aria-busy');
    replace(
      body,
      h(
        'p',
        { class: 'error', role: 'alert' },
        err instanceof ApiError && err.status === 404 ? err.message : t('common.failed'),
      ),
    );
  });
  return main;
}

async function load(
  app: Console,
  groupRef: string,
  period: string,
  heading: HTMLElement,
  body: HTMLElement,
  notice: { message: string; error: boolean } | null,
): Promise<void> {
  const [group, defs] = await Promise.all([
    api<Group>('GET', `/api/v1/groups/${encodeURIComponent(groupRef)}`),
    reportedCatalogue(),
  ]);
  heading.textContent = t('coordination.returns.title', { group: group.name, period });
  const entry = group.calendar.find((c) => c.period === period);
  body.removeAttribute('aria-busy');
  // Loaded: from here on each change says what happened in the return's own status line.
  body.removeAttribute('aria-live');
  if (!entry) {
    replace(body, h('p', { class: 'error', role: 'alert' }, t('coordination.returns.noPeriod', { period })));
    return;
  }
  const calendar = h(
    'p',
    { class: 'hint' },
    t('coordination.returns.calendar', {
      opens: dateTime(entry.opens, false),
      closes: dateTime(entry.closes, false),
      signOffBy: dateTime(entry.signOffBy, false),
    }),
  );
  const person = app.session!.person;
  const reload = (message: string, error = false) =>
    load(app, groupRef, period, heading, body, { message, error });

  if (group.you.coordinates) {
    const opened = new URLSearchParams(location.search).get('org');
    const rows = await memberRows(group, period);
    const detail = h('div', { id: 'detail' });
    replace(body, calendar, overview(group, period, rows, opened), detail);
    if (opened && rows.some((r) => r.slug === opened))
      await showReturn(
        detail,
        group,
        opened,
        period,
        defs,
        { coordinates: true, memberAdmin: false },
        reload,
        notice,
      );
    return;
  }
  if (group.you.member && person.organisationId) {
    const detail = h('div', { id: 'detail' });
    replace(body, calendar, detail);
    await showReturn(
      detail,
      group,
      person.organisationId,
      period,
      defs,
      { coordinates: false, memberAdmin: person.role === 'admin' },
      reload,
      notice,
    );
    return;
  }
  replace(body, calendar, h('p', {}, t('coordination.returns.notMember')));
}

async function showReturn(
  detail: HTMLElement,
  group: Group,
  org: string,
  period: string,
  defs: Map<string, ReportedIndicator>,
  viewer: ReturnActions['viewer'],
  reload: ReturnActions['reload'],
  notice: { message: string; error: boolean } | null,
): Promise<void> {
  const r = await api<DataReturn>('GET', returnPath(group.slug, org, period));
  replace(detail, returnSection(r, { group: group.slug, org, period, defs, viewer, reload }));
  const status = document.getElementById('return-status');
  if (notice && status) {
    status.className = notice.error ? 'error' : 'ok';
    status.textContent = notice.message;
    status.focus();
    return;
  }
  // Opened from the list: the reader continues at the return, unless a control still has the focus.
  const active = document.activeElement;
  if (viewer.coordinates && (!active || active === document.body || active.tagName === 'H1'))
    detail.querySelector<HTMLElement>('h2')?.focus();
}
