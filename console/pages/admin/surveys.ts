import { h, replace } from '../../dom';
import { dateTime, language, t } from '../../i18n';
import type { Console } from '../../types';
import { api, ApiError, apiAll } from '../../api';
import { localText, type SurveyDetail, type SurveySummary, type Template } from './admin-api';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** What a blank survey starts with: one page with one question, so there is something to preview. */
const BLANK = {
  pages: [{ name: 'page1', elements: [{ type: 'text', name: 'question1', title: 'Question 1' }] }],
};

/** Administrators' surveys: their own and the shared ones, and a new one from a template or blank. */
export function surveysPage(app: Console, _params: Record<string, string>): HTMLElement {
  const list = h('div', { id: 'survey-list', 'aria-busy': 'true' }, h('p', {}, t('common.loading')));
  const create = h('div', { id: 'new-survey' });
  const main = h(
    'main',
    { id: 'main', tabindex: '-1', class: 'surveys-page' },
    h('h1', { tabindex: '-1' }, t('admin.surveys.title')),
    list,
    h('h2', { id: 'new-heading' }, t('admin.surveys.new')),
    create,
  );
  void fillList(app, list).catch(() =>
    replace(list, h('p', { class: 'error', role: 'alert' }, t('common.failed'))),
  );
  void api<{ items: Template[] }>('GET', '/api/v1/templates')
    .then((r) => replace(create, newSurveyForm(app, r.items)))
    .catch(() => replace(create, newSurveyForm(app, [])));
  return main;
}

async function allSurveys(): Promise<SurveySummary[]> {
  return (await apiAll<SurveySummary>('/api/v1/surveys', 1000)).items;
}

async function fillList(app: Console, list: HTMLElement): Promise<void> {
  const surveys = await allSurveys();
  list.removeAttribute('aria-busy');
  if (!surveys.length) {
    replace(list, h('p', { id: 'no-surveys' }, t('admin.surveys.none')));
    return;
  }
  const own = (s: SurveySummary) =>
    (s.organisationId ?? null) === (app.session!.person.organisationId ?? null);
  const draftCells = new Map<string, HTMLElement>();
  const columns = ['title', 'slug', 'version', 'draft', 'owner'].map((c) =>
    h('th', { scope: 'col' }, t(`admin.surveys.columns.${c}`)),
  );
  const rows = surveys.map((s) => {
    const draft = h('td', {}, own(s) ? '…' : '–');
    if (own(s)) draftCells.set(s.id, draft);
    return h(
      'tr',
      { 'data-survey': s.slug },
      h('th', { scope: 'row' }, h('a', { href: `/console/surveys/${s.id}`, 'data-route': true }, s.title)),
      h('td', { class: 'code' }, s.slug),
      h(
        'td',
        {},
        s.latestVersion
          ? t('admin.surveys.version', { n: s.latestVersion })
          : t('admin.surveys.notPublished'),
      ),
      draft,
      h('td', {}, own(s) ? t('admin.surveys.own') : t('admin.surveys.shared')),
    );
  });
  replace(
    list,
    h(
      'div',
      { class: 'scroll', role: 'region', tabindex: '0', 'aria-labelledby': 'surveys-caption' },
      h(
        'table',
        { id: 'surveys' },
        h('caption', { id: 'surveys-caption' }, t('admin.surveys.caption')),
        h('thead', {}, h('tr', {}, columns)),
        h('tbody', {}, rows),
      ),
    ),
  );
  // The draft's state needs each survey's detail; a few at a time, filled in as they come.
  const ids = [...draftCells.keys()];
  const worker = async () => {
    for (let next = ids.shift(); next; next = ids.shift()) {
      const cell = draftCells.get(next)!;
      try {
        const detail = await api<SurveyDetail>('GET', `/api/v1/surveys/${next}`);
        const saved = dateTime(detail.draft.updatedAt);
        cell.textContent = detail.latestVersion
          ? t('admin.surveys.draftSince', { when: saved, n: detail.draft.basedOnVersion })
          : t('admin.surveys.draftOnly', { when: saved });
      } catch {
        cell.textContent = '–';
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

function newSurveyForm(app: Console, templates: Template[]): HTMLElement {
  const lang = language();
  const status = h('p', { id: 'new-status', role: 'alert' });
  const slugError = h('p', { id: 'slug-error', class: 'error' });
  const templateDescription = h('p', { id: 'template-description', class: 'hint' });
  const templateSelect = h(
    'select',
    { id: 'template', name: 'template', 'aria-describedby': 'template-description' },
    templates.map((tpl) =>
      h(
        'option',
        { value: tpl.slug },
        t('admin.surveys.templateOption', {
          title: localText(tpl.title, lang),
          languages: tpl.languages.join(', '),
        }),
      ),
    ),
    h('option', { value: '' }, t('admin.surveys.blank')),
  );
  const describeTemplate = () => {
    const tpl = templates.find((x) => x.slug === templateSelect.value);
    templateDescription.textContent = tpl ? localText(tpl.description, lang) : t('admin.surveys.blankHint');
  };
  templateSelect.addEventListener('change', describeTemplate);
  describeTemplate();
  const slug = h('input', {
    id: 'slug',
    name: 'slug',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: 64,
    'aria-describedby': 'slug-hint slug-error',
  });
  const title = h('input', { id: 'survey-title', name: 'title', maxlength: 200, autocomplete: 'off' });
  const submit = h('button', { type: 'submit', id: 'create-survey' }, t('admin.surveys.create'));
  const fail = (field: 'slug' | null, message: string) => {
    if (field === 'slug') {
      slugError.textContent = message;
      slug.setAttribute('aria-invalid', 'true');
      slug.focus();
    } else status.replaceChildren(h('span', { class: 'error' }, message));
  };
  return h(
    'form',
    {
      class: 'card new-survey',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        slugError.textContent = '';
        status.replaceChildren();
        slug.removeAttribute('aria-invalid');
        const value = slug.value.trim();
        if (!value) return fail('slug', t('admin.surveys.slugMissing'));
        if (!SLUG.test(value)) return fail('slug', t('admin.surveys.slugInvalid'));
        const body: Record<string, unknown> = { slug: value };
        if (title.value.trim()) body.title = title.value.trim();
        if (templateSelect.value) body.template = templateSelect.value;
        else body.definition = BLANK;
        submit.disabled = true;
        status.replaceChildren(h('span', {}, t('admin.surveys.creating')));
        api<SurveyDetail>('POST', '/api/v1/surveys', body)
          .then((created) => app.navigate(`/console/surveys/${created.id}`))
          .catch((err: unknown) => {
            submit.disabled = false;
            status.replaceChildren();
            const message = err instanceof Error ? err.message : t('common.failed');
            const onSlug = err instanceof ApiError && err.details.some((d) => d.path === '/slug');
            fail(onSlug ? 'slug' : null, onSlug ? message : t('admin.surveys.failed', { message }));
          });
      },
    },
    h('label', { for: 'template' }, t('admin.surveys.start')),
    templateSelect,
    templateDescription,
    h('label', { for: 'slug' }, t('admin.surveys.slug')),
    slug,
    h('p', { class: 'hint', id: 'slug-hint' }, t('admin.surveys.slugHint')),
    slugError,
    h('label', { for: 'survey-title' }, t('admin.surveys.titleLabel')),
    title,
    submit,
    status,
  );
}
