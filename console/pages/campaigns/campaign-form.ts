import { api, ApiError } from '../../api';
import { h, replace } from '../../dom';
import { number, t } from '../../i18n';
import type { Console } from '../../types';
import { languageName, type Campaign, type Organisation, type SurveySummary } from './shared';

interface Version {
  version: number;
  title: string;
  languages: string[];
}

type Control = HTMLInputElement | HTMLSelectElement;

/** The fields the API names in its details (`/period`, `/languages/1`) → the form's element ids. */
const FIELDS: Record<string, string> = {
  surveyId: 'campaign-survey',
  version: 'campaign-version',
  title: 'campaign-title',
  period: 'campaign-period',
  segment: 'campaign-segment',
  housingStock: 'campaign-housing-stock',
  opensAt: 'campaign-opens',
  closesAt: 'campaign-closes',
  access: 'campaign-access',
  languages: 'campaign-languages',
  responseLimit: 'campaign-limit',
};

/** A labelled field with its hint and a place for the API's message about it. */
function field(control: Control, label: string, hint?: string): HTMLElement {
  const describedBy = [hint ? `${control.id}-hint` : '', `${control.id}-error`].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null,
    control,
    h('p', { class: 'error field-error', id: `${control.id}-error` }),
  );
}

/** A group of radio buttons or check boxes, with a place for the API's message about it. */
function group(id: string, legend: string, content: HTMLElement, hint?: string): HTMLElement {
  return h(
    'fieldset',
    {
      class: 'field choices',
      id,
      'aria-describedby': [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' '),
    },
    h('legend', {}, legend),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    content,
    h('p', { class: 'error field-error', id: `${id}-error` }),
  );
}

/** A local date and time of a `datetime-local` input as an ISO instant; empty stays empty. */
function instant(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/** The form to start a campaign: a published survey version, its period, segment and reach. */
export function campaignForm(app: Console, surveys: SurveySummary[]): HTMLElement {
  const published = surveys.filter((s) => s.latestVersion > 0);
  const survey = h(
    'select',
    { id: 'campaign-survey', name: 'surveyId', required: true },
    h('option', { value: '' }, t('campaigns.form.chooseSurvey')),
    surveys.map((s) =>
      h(
        'option',
        { value: s.id, disabled: s.latestVersion === 0 },
        s.latestVersion ? s.title : t('campaigns.form.unpublished', { survey: s.title }),
      ),
    ),
  );
  const version = h('select', { id: 'campaign-version', name: 'version', disabled: true });
  const title = h('input', { id: 'campaign-title', name: 'title', type: 'text', maxlength: 200 });
  const period = h('input', {
    id: 'campaign-period',
    name: 'period',
    type: 'text',
    required: true,
    value: String(new Date().getFullYear()),
    autocomplete: 'off',
  });
  const segment = h('input', { id: 'campaign-segment', name: 'segment', type: 'text', maxlength: 128 });
  const stock = h('input', {
    id: 'campaign-housing-stock',
    name: 'housingStock',
    type: 'number',
    min: 1,
    step: 1,
    inputmode: 'numeric',
  });
  const opens = h('input', { id: 'campaign-opens', name: 'opensAt', type: 'datetime-local' });
  const closes = h('input', { id: 'campaign-closes', name: 'closesAt', type: 'datetime-local' });
  const limit = h('input', {
    id: 'campaign-limit',
    name: 'responseLimit',
    type: 'number',
    min: 1,
    step: 1,
    inputmode: 'numeric',
  });
  const radio = (value: 'open' | 'invite') =>
    h(
      'div',
      { class: 'choice' },
      h('input', {
        type: 'radio',
        name: 'access',
        id: `campaign-access-${value}`,
        value,
        checked: value === 'open',
      }),
      h('label', { for: `campaign-access-${value}` }, t(`campaigns.form.access.${value}`)),
    );
  const access = group(
    'campaign-access',
    t('campaigns.form.accessLegend'),
    h('div', {}, radio('open'), radio('invite')),
  );
  const languageBoxes = h('div', {}, h('p', { class: 'hint' }, t('campaigns.form.languagesAfterSurvey')));
  const languages = group('campaign-languages', t('campaigns.form.languages'), languageBoxes);
  const stockHint = h('span', {});
  const summary = h('div', { id: 'campaign-form-status', 'aria-live': 'assertive' });
  const button = h('button', { type: 'submit', id: 'start-campaign' }, t('campaigns.form.submit'));

  const stockField = field(stock, t('campaigns.form.housingStock'), t('campaigns.form.housingStockHint'));
  stockField.querySelector('.hint')!.append(' ', stockHint);

  const form = h(
    'form',
    { id: 'campaign-form', novalidate: true },
    published.length ? null : h('p', { class: 'hint' }, t('campaigns.form.noPublished')),
    summary,
    field(survey, t('campaigns.form.survey')),
    field(version, t('campaigns.form.version')),
    field(title, t('campaigns.form.campaignTitle'), t('campaigns.form.campaignTitleHint')),
    field(period, t('campaigns.form.period'), t('campaigns.form.periodHint')),
    field(segment, t('campaigns.form.segment'), t('campaigns.form.segmentHint')),
    stockField,
    field(opens, t('campaigns.form.opensAt'), t('campaigns.form.opensAtHint')),
    field(closes, t('campaigns.form.closesAt'), t('campaigns.form.closesAtHint')),
    access,
    languages,
    field(limit, t('campaigns.form.responseLimit'), t('campaigns.form.responseLimitHint')),
    button,
  );

  // The organisation's housing stock, as a reminder of what a whole-organisation campaign reaches.
  if (app.session?.person.organisationId) {
    api<Organisation>('GET', `/api/v1/organisations/${encodeURIComponent(app.session.person.organisationId)}`)
      .then((org) => {
        if (org.housingStock)
          stockHint.textContent = t('campaigns.form.organisationStock', { count: number(org.housingStock) });
      })
      .catch(() => undefined);
  }

  let versionRequest = 0;
  const showLanguages = async () => {
    const request = ++versionRequest;
    replace(languageBoxes, h('p', { class: 'hint' }, t('common.loading')));
    if (!survey.value || !version.value) {
      replace(languageBoxes, h('p', { class: 'hint' }, t('campaigns.form.languagesAfterSurvey')));
      return;
    }
    try {
      const v = await api<Version>(
        'GET',
        `/api/v1/surveys/${encodeURIComponent(survey.value)}/versions/${encodeURIComponent(version.value)}`,
      );
      if (request !== versionRequest) return;
      title.placeholder = v.title;
      replace(
        languageBoxes,
        v.languages.map((code) =>
          h(
            'div',
            { class: 'choice' },
            h('input', {
              type: 'checkbox',
              name: 'languages',
              id: `campaign-language-${code}`,
              value: code,
              checked: true,
            }),
            h('label', { for: `campaign-language-${code}` }, `${languageName(code)} (${code})`),
          ),
        ),
      );
    } catch {
      if (request === versionRequest) replace(languageBoxes, h('p', { class: 'error' }, t('common.failed')));
    }
  };

  survey.addEventListener('change', () => {
    const chosen = surveys.find((s) => s.id === survey.value);
    replace(
      version,
      chosen
        ? Array.from({ length: chosen.latestVersion }, (_, i) => chosen.latestVersion - i).map((n) =>
            h('option', { value: n }, t('campaigns.form.versionOption', { version: n })),
          )
        : [],
    );
    version.disabled = !chosen;
    void showLanguages();
  });
  version.addEventListener('change', () => void showLanguages());

  const clearErrors = () => {
    replace(summary);
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  };

  const showErrors = (err: unknown) => {
    const general: string[] = [];
    let first: HTMLElement | null = null;
    if (err instanceof ApiError && err.details.length) {
      for (const d of err.details) {
        const name = d.path.split('/')[1] ?? '';
        const id = FIELDS[name];
        const error = id ? form.querySelector<HTMLElement>(`#${id}-error`) : null;
        if (!id || !error) {
          general.push(d.message);
          continue;
        }
        error.textContent = error.textContent ? `${error.textContent} ${d.message}` : d.message;
        const control = form.querySelector<HTMLElement>(`#${id}`)!;
        control.setAttribute('aria-invalid', 'true');
        first ??=
          control.tagName === 'FIELDSET' ? (control.querySelector<HTMLElement>('input') ?? control) : control;
      }
    } else if (err instanceof ApiError) general.push(err.message);
    else general.push(t('common.failed'));
    replace(
      summary,
      h(
        'div',
        { class: 'error-summary', role: 'alert' },
        h('p', { class: 'error' }, t('campaigns.form.notStarted')),
        general.length
          ? h(
              'ul',
              {},
              general.map((m) => h('li', {}, m)),
            )
          : null,
      ),
    );
    (first ?? survey).focus();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors();
    const body: Record<string, unknown> = {
      surveyId: survey.value,
      period: period.value.trim(),
      access: form.querySelector<HTMLInputElement>('input[name=access]:checked')?.value ?? 'open',
    };
    if (version.value) body.version = Number(version.value);
    if (title.value.trim()) body.title = title.value.trim();
    if (segment.value.trim()) body.segment = segment.value.trim();
    if (stock.value) body.housingStock = Number(stock.value);
    if (limit.value) body.responseLimit = Number(limit.value);
    const opensAt = instant(opens.value);
    const closesAt = instant(closes.value);
    if (opensAt) body.opensAt = opensAt;
    if (closesAt) body.closesAt = closesAt;
    const boxes = [...form.querySelectorAll<HTMLInputElement>('input[name=languages]')];
    if (boxes.length) body.languages = boxes.filter((b) => b.checked).map((b) => b.value);
    button.disabled = true;
    button.textContent = t('campaigns.form.starting');
    api<Campaign>('POST', '/api/v1/campaigns', body)
      .then((campaign) => app.navigate(`/console/campaigns/${campaign.id}`))
      .catch((err: unknown) => {
        button.disabled = false;
        button.textContent = t('campaigns.form.submit');
        showErrors(err);
      });
  });
  return form;
}
