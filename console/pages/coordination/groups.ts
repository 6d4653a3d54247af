import { api, apiAll } from '../../api';
import { h, replace } from '../../dom';
import { dateTime, t } from '../../i18n';
import type { Console } from '../../types';
import { type Group } from './model';

/** How the person's organisation stands in a group. */
function relation(group: Group): string {
  if (group.you.coordinates) return t('coordination.groups.youCoordinate');
  if (group.you.member) return t('coordination.groups.youMember');
  if (group.you.invited) return t('coordination.groups.youInvited');
  return t('coordination.groups.youCoordinatingOrganisation');
}

/**
 * For an administrator of an invited organisation: joining the group (the API's membership).
 * The page is drawn again afterwards, with the group's periods open to the new member.
 */
function joinForm(app: Console, group: Group): HTMLElement | null {
  if (!group.you.invited || group.you.member || app.session?.person.role !== 'admin') return null;
  const status = h('p', { class: 'status', role: 'status' });
  const button = h('button', { type: 'submit' }, t('coordination.groups.join'));
  return h(
    'form',
    {
      class: 'join',
      onsubmit: (event) => {
        event.preventDefault();
        button.disabled = true;
        api('POST', `/api/v1/groups/${encodeURIComponent(group.slug)}/membership`)
          .then(() => app.refresh())
          .catch((err: unknown) => {
            button.disabled = false;
            status.textContent = t('coordination.groups.joinFailed', {
              message: err instanceof Error ? err.message : '',
            });
          });
      },
    },
    h('p', { class: 'hint' }, t('coordination.groups.joinHint')),
    button,
    status,
  );
}

function groupCard(app: Console, group: Group): HTMLElement {
  const headingId = `group-${group.slug}`;
  const members = group.members.filter((m) => m.status === 'member').length;
  const canOpen = group.you.coordinates || group.you.member;
  const caption = t('coordination.groups.calendarOf', { group: group.name });
  return h(
    'section',
    { class: 'group card', 'aria-labelledby': headingId, 'data-group': group.slug },
    h('h2', { id: headingId }, group.name),
    h('p', { class: 'relation' }, relation(group)),
    joinForm(app, group),
    group.description ? h('p', {}, group.description) : null,
    h(
      'p',
      { class: 'hint' },
      t('coordination.groups.facts', {
        members,
        indicators: group.indicators.length,
        coordinators: group.coordinators.map((c) => c.name).join(', '),
      }),
    ),
    group.calendar.length
      ? h(
          'div',
          { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': caption },
          h(
            'table',
            { class: 'calendar' },
            h('caption', {}, caption),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['period', 'opens', 'closes', 'signOffBy', 'returns'].map((c) =>
                  h('th', { scope: 'col' }, t(`coordination.groups.columns.${c}`)),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              [...group.calendar]
                .sort((a, b) => b.period.localeCompare(a.period))
                .map((c) =>
                  h(
                    'tr',
                    { 'data-period': c.period },
                    h('th', { scope: 'row' }, c.period),
                    h('td', {}, dateTime(c.opens, false)),
                    h('td', {}, dateTime(c.closes, false)),
                    h('td', {}, dateTime(c.signOffBy, false)),
                    h(
                      'td',
                      {},
                      canOpen
                        ? h(
                            'a',
                            {
                              href: `/console/groups/${encodeURIComponent(group.slug)}/${encodeURIComponent(c.period)}`,
                              'data-route': true,
                              'aria-label': t('coordination.groups.openReturnsOf', {
                                period: c.period,
                                group: group.name,
                              }),
                            },
                            group.you.coordinates
                              ? t('coordination.groups.openReturns')
                              : t('coordination.groups.openOwnReturn'),
                          )
                        : '–',
                    ),
                  ),
                ),
            ),
          ),
        )
      : h('p', {}, t('coordination.groups.noCalendar')),
  );
}

/** The groups the person's organisation coordinates or belongs to, each period with its returns. */
export function groupsPage(app: Console, _params: Record<string, string>): HTMLElement {
  const main = h(
    'main',
    { id: 'main', tabindex: '-1', class: 'coordination' },
    h('h1', { tabindex: '-1' }, t('coordination.groups.title')),
  );
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', {}, t('common.loading')));
  main.append(body);
  void apiAll<Group>('/api/v1/groups')
    .then((groups) => {
      body.removeAttribute('aria-busy');
      if (!groups.items.length) replace(body, h('p', {}, t('coordination.groups.none')));
      else
        replace(
          body,
          h(
            'div',
            { class: 'groups' },
            groups.items.map((g) => groupCard(app, g)),
          ),
        );
    })
    .catch(() => {
      body.removeAttribute('aria-busy');
      replace(body, h('p', { class: 'error', role: 'alert' }, t('common.failed')));
    });
  return main;
}
