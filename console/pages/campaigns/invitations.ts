import { api, ApiError } from '../../api';
import { h, replace } from '../../dom';
import { dateTime, number, t } from '../../i18n';
import type { Console } from '../../types';
import { languageName, type Campaign } from './shared';

interface Issued {
  batchId: string;
  heldUntil: string;
  invitations: Array<{ id: string; label: string | null; token: string; url: string }>;
}

/**
 * Personal invitations of an invite-only campaign: n anonymous codes or one per dwelling, then
 * the letters (PDF), the codes (CSV) and questionnaires with a code each, downloadable while the
 * service holds the codes (24 hours), and a way to make it forget them sooner.
 */
export function invitationsSection(app: Console, campaign: Campaign): HTMLElement {
  const path = `/api/v1/campaigns/${encodeURIComponent(campaign.id)}/invitations`;
  const count = h('input', {
    id: 'invitation-count',
    name: 'count',
    type: 'number',
    min: 1,
    max: 5000,
    step: 1,
    inputmode: 'numeric',
    'aria-describedby': 'invitation-count-hint invitation-error',
  });
  const dwellings = h('textarea', {
    id: 'invitation-dwellings',
    name: 'dwellings',
    rows: 4,
    'aria-describedby': 'invitation-dwellings-hint invitation-error',
  });
  const error = h('p', { id: 'invitation-error', class: 'error', 'aria-live': 'assertive' });
  const status = h('div', { id: 'invitation-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', id: 'issue-invitations' }, t('campaigns.invitations.issue'));
  const downloads = h('div', { id: 'letters' });

  const showDownloads = (heldUntil: string | null) => {
    const file = (name: string) => `${name}-${campaign.slug}`;
    const forget = h(
      'button',
      {
        type: 'button',
        id: 'forget-codes',
        class: 'secondary',
        onclick: () => {
          api('DELETE', `${path}/secrets`)
            .then(() => {
              replace(downloads, h('p', { class: 'ok' }, t('campaigns.invitations.forgotten')));
              status.textContent = t('campaigns.invitations.forgotten');
            })
            .catch(() => {
              error.textContent = t('common.failed');
            });
        },
      },
      t('campaigns.invitations.forget'),
    );
    replace(
      downloads,
      h(
        'p',
        { class: 'hint' },
        heldUntil
          ? t('campaigns.invitations.heldUntil', { until: dateTime(heldUntil) })
          : t('campaigns.invitations.heldFor'),
      ),
      h(
        'ul',
        { class: 'downloads' },
        h(
          'li',
          {},
          h(
            'a',
            { href: `${path}/letters.pdf`, download: `${file('letters')}.pdf`, id: 'letters-pdf' },
            t('campaigns.invitations.lettersPdf'),
          ),
        ),
        h(
          'li',
          {},
          h(
            'a',
            { href: `${path}/letters.csv`, download: `${file('letters')}.csv`, id: 'letters-csv' },
            t('campaigns.invitations.lettersCsv'),
          ),
        ),
        campaign.languages.map((lang) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: `${path}/questionnaires.pdf?lang=${encodeURIComponent(lang)}`,
                download: `${file('questionnaires')}-${lang}.pdf`,
              },
              t('campaigns.invitations.questionnaires', { language: languageName(lang) }),
            ),
          ),
        ),
      ),
      forget,
    );
  };
  if (campaign.counts.invitations > 0) showDownloads(null);

  const form = h(
    'form',
    {
      id: 'invitation-form',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        error.textContent = '';
        const labels = dwellings.value
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
        const body = labels.length ? { dwellings: labels } : { count: Number(count.value) || 0 };
        button.disabled = true;
        api<Issued>('POST', path, body)
          .then((issued) => {
            count.value = '';
            dwellings.value = '';
            status.textContent = t('campaigns.invitations.issued', {
              count: number(issued.invitations.length),
            });
            showDownloads(issued.heldUntil);
          })
          .catch((err: unknown) => {
            const details = err instanceof ApiError ? err.details.map((d) => d.message) : [];
            error.textContent = details.length
              ? `${t('campaigns.invitations.refused')} ${details.join('; ')}`
              : err instanceof ApiError
                ? `${t('campaigns.invitations.refused')} ${err.message}`
                : t('common.failed');
          })
          .finally(() => {
            button.disabled = false;
          });
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: count.id }, t('campaigns.invitations.count')),
      h('p', { class: 'hint', id: 'invitation-count-hint' }, t('campaigns.invitations.countHint')),
      count,
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: dwellings.id }, t('campaigns.invitations.dwellings')),
      h('p', { class: 'hint', id: 'invitation-dwellings-hint' }, t('campaigns.invitations.dwellingsHint')),
      dwellings,
    ),
    error,
    button,
  );

  return h(
    'section',
    { class: 'card invitations', 'aria-labelledby': 'invitations-title' },
    h('h2', { id: 'invitations-title' }, t('campaigns.invitations.title')),
    h('p', {}, t('campaigns.invitations.intro')),
    form,
    status,
    downloads,
  );
}
