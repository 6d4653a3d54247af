import { api, apiAll } from '../../api';
import { h, replace } from '../../dom';
import { dateTime, number, percent, t } from '../../i18n';
import type { Console } from '../../types';
import { invitationsSection } from './invitations';
import {
  languageName,
  refusal,
  segmentLabel,
  type Campaign,
  type Organisation,
  type SurveySummary,
} from './shared';

/** How often the counts are read again while the page is open and visible. */
const REFRESH_MS = 5000;

/** The housing stock the response rate is measured against, and whether it is the organisation's. */
interface Stock {
  dwellings: number;
  ofOrganisation: boolean;
}

function stockOf(c: Campaign, org: Organisation | null): Stock | null {
  if (c.housingStock) return { dwellings: c.housingStock, ofOrganisation: false };
  // A campaign for the whole organisation reaches all of its dwellings.
  if (!c.segment && org?.housingStock) return { dwellings: org.housingStock, ofOrganisation: true };
  return null;
}

function row(label: string, value: HTMLElement | string, id?: string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', { id }, value)];
}

/** The counts as shown: responses, by mode, the response rate, invitations used. */
function counts(c: Campaign, stock: Stock | null): HTMLElement {
  const modes = Object.entries(c.counts.byMode ?? {});
  return h(
    'dl',
    { class: 'facts counts' },
    row(
      t('campaigns.campaign.responses'),
      c.responseLimit
        ? t('campaigns.responsesOfLimit', {
            count: number(c.counts.responses),
            limit: number(c.responseLimit),
          })
        : number(c.counts.responses),
      'response-count',
    ),
    row(
      t('campaigns.campaign.byMode'),
      modes.length ? modes.map(([mode, n]) => `${t(`modes.${mode}`)}: ${number(n)}`).join(', ') : '–',
      'mode-counts',
    ),
    row(
      t('campaigns.campaign.responseRate'),
      stock
        ? t(stock.ofOrganisation ? 'campaigns.campaign.rateOfOrganisation' : 'campaigns.campaign.rateOf', {
            rate: percent(c.counts.responses / stock.dwellings),
            count: number(c.counts.responses),
            dwellings: number(stock.dwellings),
          })
        : t('campaigns.campaign.noStock'),
      'response-rate',
    ),
    c.access === 'invite'
      ? row(
          t('campaigns.campaign.invitationsUsed'),
          t('campaigns.campaign.invitationsUsedValue', {
            used: number(c.counts.invitationsUsed),
            count: number(c.counts.invitations),
          }),
          'invitations-used',
        )
      : [],
  );
}

/** What changed between two readings, as one sentence for the live region; empty if nothing. */
function change(before: Campaign, after: Campaign): string {
  const parts: string[] = [];
  if (after.counts.responses !== before.counts.responses)
    parts.push(t('campaigns.campaign.announceResponses', { count: after.counts.responses }));
  if (after.counts.invitationsUsed !== before.counts.invitationsUsed)
    parts.push(t('campaigns.campaign.announceInvitations', { count: after.counts.invitationsUsed }));
  if (after.status !== before.status)
    parts.push(t('campaigns.campaign.announceStatus', { status: t(`campaigns.status.${after.status}`) }));
  return parts.join(' ');
}

function download(href: string, file: string, label: string, id?: string): HTMLElement {
  return h('li', {}, h('a', { href, download: file, id, class: 'download-link' }, label));
}

/** One campaign: its link and QR code, printables, invitations, and live counts. */
export function campaignPage(app: Console, params: Record<string, string>): HTMLElement {
  const id = params.id ?? '';
  const heading = h('h1', { tabindex: '-1' }, t('campaigns.campaign.title'));
  const body = h('div', { 'aria-busy': 'true' }, h('p', {}, t('common.loading')));
  const main = h(
    'main',
    { id: 'main', tabindex: '-1', class: 'campaign' },
    h(
      'p',
      { class: 'back' },
      h('a', { href: '/console/campaigns', 'data-route': true }, t('campaigns.campaign.back')),
    ),
    heading,
    body,
  );
  const path = `/api/v1/campaigns/${encodeURIComponent(id)}`;
  const org = app.session?.person.organisationId
    ? api<Organisation>(
        'GET',
        `/api/v1/organisations/${encodeURIComponent(app.session.person.organisationId)}`,
      ).catch(() => null)
    : Promise.resolve(null);
  const surveys = apiAll<SurveySummary>('/api/v1/surveys').catch(() => ({
    items: [],
  }));
  api<Campaign>('GET', path)
    .then(async (campaign) => {
      const [organisation, known] = await Promise.all([org, surveys]);
      body.removeAttribute('aria-busy');
      heading.textContent = campaign.title;
      show(campaign, organisation, known.items.find((s) => s.id === campaign.surveyId) ?? null);
    })
    .catch((err: unknown) => {
      body.removeAttribute('aria-busy');
      replace(body, h('p', { class: 'error', role: 'alert' }, refusal(err)));
    });

  function show(campaign: Campaign, organisation: Organisation | null, survey: SurveySummary | null): void {
    const stock = stockOf(campaign, organisation);
    const countsBox = h('div', { id: 'campaign-counts' }, counts(campaign, stock));
    const announcer = h('p', { id: 'campaign-announcer', class: 'visually-hidden', 'aria-live': 'polite' });
    const statusCell = h(
      'span',
      { class: `campaign-status ${campaign.status}` },
      t(`campaigns.status.${campaign.status}`),
    );
    const qrUrl = `${path}/qr.svg`;
    const local = `/s/${campaign.slug}`;
    const file = (name: string) => `${name}-${campaign.slug}`;

    const link = h(
      'section',
      { class: 'card link', 'aria-labelledby': 'link-title' },
      h('h2', { id: 'link-title' }, t('campaigns.campaign.linkTitle')),
      h('p', {}, t('campaigns.campaign.linkIntro')),
      h(
        'p',
        { class: 'url' },
        h('a', { href: campaign.url, id: 'public-link', rel: 'noopener' }, campaign.url),
      ),
      campaign.url.endsWith(local) && new URL(campaign.url).origin !== location.origin
        ? h(
            'p',
            { class: 'hint' },
            t('campaigns.campaign.localLink'),
            ' ',
            h('a', { href: local, id: 'local-link' }, local),
          )
        : null,
      h(
        'figure',
        { class: 'qr' },
        h('img', {
          id: 'qr-code',
          src: qrUrl,
          alt: t('campaigns.campaign.qrAlt', { url: campaign.url }),
          width: 220,
          height: 220,
        }),
        h('figcaption', { class: 'hint' }, t('campaigns.campaign.qrCaption')),
      ),
      h(
        'ul',
        { class: 'downloads' },
        download(qrUrl, `${file('qr')}.svg`, t('campaigns.campaign.qrSvg')),
        download(`${path}/qr.png`, `${file('qr')}.png`, t('campaigns.campaign.qrPng')),
      ),
    );

    const printing = h(
      'section',
      { class: 'card printing', 'aria-labelledby': 'printing-title' },
      h('h2', { id: 'printing-title' }, t('campaigns.campaign.printTitle')),
      h(
        'ul',
        { class: 'downloads' },
        download(
          `${path}/poster.pdf`,
          `${file('poster')}.pdf`,
          t('campaigns.campaign.poster', { languages: campaign.languages.map(languageName).join(', ') }),
          'poster-link',
        ),
        campaign.languages.map((lang) =>
          download(
            `${path}/questionnaire.pdf?lang=${encodeURIComponent(lang)}`,
            `${file('questionnaire')}-${lang}.pdf`,
            t('campaigns.campaign.questionnaire', { language: languageName(lang) }),
          ),
        ),
      ),
    );

    const facts = h(
      'dl',
      { class: 'facts' },
      row(t('campaigns.columns.status'), statusCell),
      row(
        t('campaigns.columns.survey'),
        t('campaigns.surveyVersion', {
          survey: survey?.title ?? campaign.surveyId,
          version: campaign.version,
        }),
      ),
      row(t('campaigns.columns.period'), campaign.period),
      row(t('campaigns.columns.segment'), segmentLabel(campaign.segment)),
      row(t('campaigns.columns.opens'), dateTime(campaign.opensAt)),
      row(
        t('campaigns.columns.closes'),
        campaign.closesAt ? dateTime(campaign.closesAt) : t('campaigns.noEnd'),
      ),
      row(t('campaigns.campaign.accessLabel'), t(`campaigns.access.${campaign.access}`)),
      row(t('campaigns.campaign.languages'), campaign.languages.map(languageName).join(', ')),
      row(
        t('campaigns.campaign.limit'),
        campaign.responseLimit ? number(campaign.responseLimit) : t('campaigns.campaign.noLimit'),
      ),
    );

    const progress = h(
      'section',
      { class: 'card progress', 'aria-labelledby': 'progress-title' },
      h('h2', { id: 'progress-title' }, t('campaigns.campaign.progressTitle')),
      countsBox,
      h('p', { class: 'hint' }, t('campaigns.campaign.live')),
      announcer,
    );

    replace(
      body,
      h(
        'div',
        { class: 'campaign-grid' },
        progress,
        h(
          'section',
          { class: 'card about', 'aria-labelledby': 'about-title' },
          h('h2', { id: 'about-title' }, t('campaigns.campaign.aboutTitle')),
          facts,
        ),
        link,
        printing,
        campaign.access === 'invite' ? invitationsSection(app, campaign) : null,
      ),
    );

    let last = campaign;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let reading = false;
    const read = async () => {
      if (reading || !main.isConnected || document.visibilityState !== 'visible') return;
      reading = true;
      try {
        const next = await api<Campaign>('GET', path);
        if (!main.isConnected) return;
        const said = change(last, next);
        if (said || JSON.stringify(next.counts) !== JSON.stringify(last.counts)) {
          replace(countsBox, counts(next, stockOf(next, organisation)));
          statusCell.className = `campaign-status ${next.status}`;
          statusCell.textContent = t(`campaigns.status.${next.status}`);
        }
        // Only a change is announced; a reading that found nothing new stays silent.
        if (said) announcer.textContent = said;
        last = next;
      } catch {
        // A missed reading is retried at the next tick.
      } finally {
        reading = false;
      }
    };
    const onVisible = () => {
      if (!main.isConnected) stop();
      else if (document.visibilityState === 'visible') void read();
    };
    const stop = () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
    const tick = () => {
      // The page was left (another page replaced it): no more readings.
      if (!main.isConnected) return stop();
      void read().finally(() => {
        if (main.isConnected) timer = setTimeout(tick, REFRESH_MS);
        else stop();
      });
    };
    document.addEventListener('visibilitychange', onVisible);
    timer = setTimeout(tick, REFRESH_MS);
  }

  return main;
}
