import type { Diagnostic } from '@codemirror/lint';
import type { EditorState } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { h, replace } from '../../dom';
import { dateTime, language, t } from '../../i18n';
import type { Console } from '../../types';
import { api, ApiError } from '../../api';
import {
  type MappingEntry,
  type Problem,
  type SurveyDetail,
  type SurveyVersion,
  type ValidateResult,
} from './admin-api';
import { comparable, diffView } from './diff-view';
import { createEditor, recheck, reveal } from './editor';
import { definitionPointer, pointerRange, syntaxErrorPosition } from './json-pointer';
import { mappingForm } from './mapping';
import { createPreview, languageName } from './preview';

/** Edits not yet saved, per survey: a redraw of the page (a new language) must not lose them. */
const unsaved = new Map<string, { text: string; mapping: unknown; languages: string[] }>();

type Definition = Record<string, unknown>;

function isObject(v: unknown): v is Definition {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function parseLanguages(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
}

/** A problem's place in words: the editor's line, a mapping entry, the languages, or its path. */
interface Placed {
  problem: Problem;
  severity: 'error' | 'warning';
  /** In the definition: where it is marked in the editor. */
  at: { from: number; to: number; line: number } | null;
}

/**
 * Administrators' survey page: the draft's SurveyJS JSON in an editor checked by the server as
 * one types, a live preview at phone width in each of the survey's languages, the indicator
 * mapping, saving and publishing, the published versions and the differences between them.
 */
export function surveyPage(app: Console, params: Record<string, string>): HTMLElement {
  const heading = h('h1', { tabindex: '-1' }, t('admin.survey.title'));
  const body = h('div', { 'aria-busy': 'true' }, h('p', {}, t('common.loading')));
  const main = h('main', { id: 'main', tabindex: '-1', class: 'survey-page' }, heading, body);
  const id = params.id ?? '';
  void api<SurveyDetail>('GET', `/api/v1/surveys/${encodeURIComponent(id)}`)
    .then((survey) => {
      body.removeAttribute('aria-busy');
      heading.textContent = survey.title;
      replace(body, ...editorPage(app, survey));
    })
    .catch((err: unknown) => {
      body.removeAttribute('aria-busy');
      const missing = err instanceof ApiError && (err.status === 404 || err.status === 422);
      replace(
        body,
        h('p', { class: 'error', role: 'alert' }, t(missing ? 'common.notFound' : 'common.failed')),
      );
    });
  return main;
}

function editorPage(app: Console, initial: SurveyDetail): HTMLElement[] {
  let survey = initial;
  const person = app.session!.person;
  const own = (survey.organisationId ?? null) === (person.organisationId ?? null);
  const kept = own ? unsaved.get(survey.id) : undefined;

  // The content being edited: the definition's text in the editor, the mapping and the languages.
  const savedText = pretty(survey.draft.definition);
  const savedMapping = pretty(survey.draft.indicatorMapping);
  const savedLanguages = survey.draft.languages.join(', ');
  let mapping: unknown = kept?.mapping ?? survey.draft.indicatorMapping;
  let languages: string[] = kept?.languages ?? survey.draft.languages;
  let lastDefinition: Definition = survey.draft.definition;
  let mappingEditor: ReturnType<typeof mappingForm> | null = null;
  let drawnLocales: string[] = [];
  const versions = new Map<number, SurveyVersion>();

  // ── Summary and the draft's state ──────────────────────────────────────────
  const meta = h('p', { class: 'hint', id: 'survey-meta' });
  const showMeta = () => {
    replace(
      meta,
      t('admin.survey.slug', { slug: survey.slug }),
      ' · ',
      survey.latestVersion
        ? t('admin.survey.latest', { n: survey.latestVersion })
        : t('admin.survey.unpublished'),
      ' · ',
      t('admin.survey.draftSaved', { when: dateTime(survey.draft.updatedAt) }),
    );
  };
  showMeta();

  const saveStatus = h('p', { id: 'save-status', class: 'save-status', role: 'status' });
  const setSaveStatus = (text: string, kind: 'ok' | 'error' | 'info') => {
    saveStatus.textContent = text;
    saveStatus.dataset.kind = kind;
  };
  const contentKey = () =>
    `${view.state.doc.toString()}\u0000${pretty(mapping)}\u0000${languages.join(', ')}`;
  let savedKey = '';
  const dirty = () => contentKey() !== savedKey;
  const changed = () => {
    if (!own) return;
    if (dirty()) {
      unsaved.set(survey.id, { text: view.state.doc.toString(), mapping, languages });
      setSaveStatus(t('admin.survey.status.dirty'), 'info');
    } else {
      unsaved.delete(survey.id);
      setSaveStatus(t('admin.survey.status.clean'), 'ok');
    }
  };

  // ── Problems: in the editor as lint, and below it as text with line numbers ─
  const problemList = h('div', { id: 'problems', class: 'problems', 'aria-live': 'polite' });
  const languagesError = h('p', { id: 'languages-error', class: 'error' });
  const mappingProblems = h('ul', { id: 'mapping-problems', class: 'problems-list' });
  const previewStatus = h('p', { id: 'preview-status', class: 'hint', role: 'status' });
  let checks = 0;
  let lastDiagnostics: Diagnostic[] = [];

  const place = (state: EditorState, problem: Problem, severity: Placed['severity']): Placed => {
    const pointer = definitionPointer(problem.path);
    if (pointer === null) return { problem, severity, at: null };
    const range = pointerRange(state, pointer);
    return { problem, severity, at: { ...range, line: state.doc.lineAt(range.from).number } };
  };

  const describe = (p: Placed): string => {
    const message = p.problem.message;
    if (p.at)
      return t(p.severity === 'error' ? 'admin.problems.line' : 'admin.problems.lineWarning', {
        line: p.at.line,
        message,
      });
    const entry = /^\/indicatorMapping\/(\d+)(?:\/(.*))?$/.exec(p.problem.path);
    if (entry)
      return t('admin.problems.mapping', {
        n: Number(entry[1]) + 1,
        message: entry[2] ? `${entry[2]}: ${message}` : message,
      });
    if (p.problem.path === '/languages') return t('admin.problems.languages', { message });
    return p.problem.path ? `${p.problem.path}: ${message}` : message;
  };

  const showProblems = (placed: Placed[], note?: string) => {
    const items = placed.map((p) => {
      const text = describe(p);
      const attrs: Record<string, string | number> = { 'data-severity': p.severity };
      if (p.at) attrs['data-line'] = p.at.line;
      if (!p.at) return h('li', attrs, text);
      const at = p.at;
      return h(
        'li',
        attrs,
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            onclick: () => reveal(view, at.from),
          },
          t('admin.problems.lineLabel', { line: at.line }),
        ),
        ' ',
        text,
      );
    });
    const errors = placed.filter((p) => p.severity === 'error').length;
    const warnings = placed.length - errors;
    replace(
      problemList,
      note ? h('p', { class: 'error' }, note) : null,
      h(
        'p',
        { class: errors ? 'error' : 'ok', id: 'problems-summary' },
        placed.length ? t('admin.problems.count', { errors, warnings }) : t('admin.problems.none'),
      ),
      items.length ? h('ul', { class: 'problems-list' }, items) : null,
    );
    replace(
      mappingProblems,
      placed
        .filter((p) => p.problem.path.startsWith('/indicatorMapping'))
        .map((p) => h('li', { 'data-severity': p.severity }, describe(p))),
    );
    languagesError.textContent = placed
      .filter((p) => p.problem.path === '/languages')
      .map((p) => p.problem.message)
      .join('; ');
  };

  const diagnosticOf = (p: Placed): Diagnostic | null =>
    p.at
      ? {
          from: p.at.from,
          to: p.at.to,
          severity: p.severity,
          message: p.problem.message,
          source: p.problem.path,
        }
      : null;

  const check = async (v: EditorView): Promise<Diagnostic[]> => {
    const mine = ++checks;
    const state = v.state;
    let definition: unknown;
    try {
      definition = JSON.parse(state.doc.toString());
    } catch (err) {
      // Not JSON at all: said where it breaks, without asking the server.
      const from = syntaxErrorPosition(state, err);
      const to = Math.min(from + 1, state.doc.lineAt(from).to);
      const message = t('admin.problems.syntax', {
        message: err instanceof Error ? err.message : String(err),
      });
      const placed: Placed = {
        problem: { path: '', message },
        severity: 'error',
        at: { from, to, line: state.doc.lineAt(from).number },
      };
      showProblems([placed]);
      previewStatus.textContent = t('admin.preview.stale');
      lastDiagnostics = [{ from, to, severity: 'error', message }];
      return lastDiagnostics;
    }
    if (!isObject(definition)) {
      const message = t('admin.problems.notObject');
      showProblems([{ problem: { path: '', message }, severity: 'error', at: { from: 0, to: 0, line: 1 } }]);
      lastDiagnostics = [{ from: 0, to: 0, severity: 'error', message }];
      return lastDiagnostics;
    }
    let errors: Problem[] = [];
    let warnings: Problem[] = [];
    try {
      const result = await api<ValidateResult>('POST', '/api/v1/surveys/validate', {
        definition,
        indicatorMapping: mapping,
        languages,
      });
      warnings = result.warnings;
    } catch (err) {
      if (mine !== checks) return lastDiagnostics;
      if (!(err instanceof ApiError) || err.status !== 422 || !err.details.length) {
        const reason = err instanceof Error ? err.message : String(err);
        showProblems([], t('admin.problems.unreachable', { message: reason }));
        return lastDiagnostics;
      }
      errors = err.details;
    }
    // A newer check has started meanwhile: its answer counts, not this one.
    if (mine !== checks || v.state.doc !== state.doc) return lastDiagnostics;
    const placed = [
      ...errors.map((p) => place(state, p, 'error')),
      ...warnings.map((p) => place(state, p, 'warning')),
    ];
    showProblems(placed);
    lastDefinition = definition;
    const definitionBroken = errors.some((p) => definitionPointer(p.path) !== null);
    if (definitionBroken) previewStatus.textContent = t('admin.preview.stale');
    else {
      previewStatus.textContent = '';
      preview.show(definition);
      // Like the preview, the mapping form follows the last definition without problems.
      mappingEditor?.update(definition, mapping);
    }
    lastDiagnostics = placed.map(diagnosticOf).filter((d): d is Diagnostic => d !== null);
    return lastDiagnostics;
  };

  // ── The preview, and its languages ─────────────────────────────────────────
  const previewLanguage = h('select', { id: 'preview-language', name: 'preview-language' });
  const previewLanguages = (): string[] => {
    const first =
      typeof lastDefinition.locale === 'string' && lastDefinition.locale ? lastDefinition.locale : null;
    return [...new Set([...(first ? [first] : []), ...languages, ...drawnLocales])];
  };
  const fillLanguages = () => {
    const current = previewLanguage.value || languages[0] || 'en';
    replace(
      previewLanguage,
      previewLanguages().map((code) =>
        h('option', { value: code, lang: code, selected: code === current }, languageName(code)),
      ),
    );
  };
  const preview = createPreview({
    lang: languages[0] ?? 'en',
    onDrawn(locales) {
      const before = drawnLocales.join();
      drawnLocales = locales;
      if (before !== locales.join()) fillLanguages();
      previewStatus.textContent = '';
    },
    onFailed(message) {
      previewStatus.textContent = t('admin.preview.failed', { message });
    },
  });
  previewLanguage.addEventListener('change', () => preview.setLanguage(previewLanguage.value));
  fillLanguages();

  // ── The editor ─────────────────────────────────────────────────────────────
  const editorHost = h('div', { id: 'editor', class: 'editor' });
  const view = createEditor({
    parent: editorHost,
    text: kept?.text ?? savedText,
    readOnly: !own,
    label: t('admin.editor.label'),
    describedBy: 'editor-help',
    check,
    onChange: () => changed(),
    core: () => preview.core(),
  });
  savedKey = `${savedText}\u0000${savedMapping}\u0000${savedLanguages}`;
  changed();

  // ── Languages of the survey ────────────────────────────────────────────────
  let languagesTimer: ReturnType<typeof setTimeout> | undefined;
  const languagesInput = h('input', {
    id: 'languages',
    name: 'languages',
    value: languages.join(', '),
    autocomplete: 'off',
    spellcheck: 'false',
    readonly: !own,
    'aria-describedby': 'languages-hint languages-error',
    oninput: () => {
      clearTimeout(languagesTimer);
      languagesTimer = setTimeout(() => {
        languages = parseLanguages(languagesInput.value);
        fillLanguages();
        changed();
        recheck(view);
      }, 400);
    },
  });

  // ── The indicator mapping ──────────────────────────────────────────────────
  // The mapping lives in `mapping`: edited by the form, checked with the definition, saved with it.
  const setMapping = (next: unknown) => {
    mapping = next;
    changed();
    recheck(view);
  };
  mappingEditor = mappingForm({ definition: lastDefinition, mapping, onChange: setMapping });
  const mappingSlot = h('div', { id: 'mapping-slot' }, mappingEditor.element);

  // ── Saving and publishing ──────────────────────────────────────────────────
  const saveButton = h('button', { type: 'button', id: 'save-draft' }, t('admin.survey.save'));
  const publishButton = h(
    'button',
    { type: 'button', id: 'publish', class: 'secondary' },
    t('admin.survey.publish'),
  );
  const confirmBox = h('div', { id: 'publish-confirm', class: 'confirm', hidden: true });

  const save = async (): Promise<boolean> => {
    let definition: unknown;
    try {
      definition = JSON.parse(view.state.doc.toString());
    } catch {
      setSaveStatus(t('admin.survey.status.fixJson'), 'error');
      return false;
    }
    setSaveStatus(t('admin.survey.status.saving'), 'info');
    saveButton.disabled = true;
    const key = contentKey();
    try {
      survey = await api<SurveyDetail>('PUT', `/api/v1/surveys/${survey.id}/draft`, {
        definition,
        indicatorMapping: mapping as MappingEntry[],
        languages,
        revision: survey.draft.revision,
      });
      savedKey = key;
      unsaved.delete(survey.id);
      showMeta();
      const time = new Intl.DateTimeFormat(language(), { timeStyle: 'short' }).format(new Date());
      setSaveStatus(t('admin.survey.status.saved', { time }), 'ok');
      if (dirty()) changed();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'DRAFT_CONFLICT') {
        setSaveStatus(t('admin.survey.status.conflict'), 'error');
        return false;
      }
      const message = err instanceof Error ? err.message : String(err);
      setSaveStatus(t('admin.survey.status.failed', { message }), 'error');
      return false;
    } finally {
      saveButton.disabled = false;
    }
  };
  saveButton.addEventListener('click', () => void save());

  const publish = async () => {
    const next = survey.latestVersion + 1;
    replace(confirmBox);
    confirmBox.hidden = true;
    if (dirty() && !(await save())) return;
    setSaveStatus(t('admin.survey.publishing'), 'info');
    publishButton.disabled = true;
    try {
      // Only the draft this page shows is published: another's save since is refused (409).
      const created = await api<SurveyVersion>('POST', `/api/v1/surveys/${survey.id}/versions`, {
        revision: survey.draft.revision,
      });
      versions.set(created.version, created);
      survey = { ...survey, latestVersion: created.version };
      survey.draft = { ...survey.draft, basedOnVersion: created.version };
      showMeta();
      showVersions();
      setSaveStatus(t('admin.survey.published', { n: created.version }), 'ok');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'DRAFT_CONFLICT') {
        setSaveStatus(t('admin.survey.publishConflict', { n: next }), 'error');
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      setSaveStatus(t('admin.survey.publishFailed', { message, n: next }), 'error');
    } finally {
      publishButton.disabled = false;
      publishButton.focus();
    }
  };
  publishButton.addEventListener('click', () => {
    const next = survey.latestVersion + 1;
    const cancel = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          confirmBox.hidden = true;
          replace(confirmBox);
          publishButton.focus();
        },
      },
      t('admin.survey.cancel'),
    );
    replace(
      confirmBox,
      h('p', { id: 'publish-question' }, t('admin.survey.confirmPublish', { n: next })),
      dirty() ? h('p', { class: 'hint' }, t('admin.survey.savedFirst')) : null,
      h(
        'div',
        { class: 'toolbar' },
        h(
          'button',
          { type: 'button', id: 'publish-confirmed', onclick: () => void publish() },
          t('admin.survey.publishVersion', { n: next }),
        ),
        cancel,
      ),
    );
    confirmBox.hidden = false;
    confirmBox.querySelector<HTMLButtonElement>('#publish-confirmed')?.focus();
  });

  // ── Versions and their differences ─────────────────────────────────────────
  const versionsBody = h('div', { id: 'versions' });
  const diffFrom = h('select', { id: 'diff-from', name: 'from' });
  const diffTo = h('select', { id: 'diff-to', name: 'to' });
  const diffOutput = h('div', { id: 'diff-output', 'aria-live': 'polite' });
  const versionLabel = (value: string) =>
    value === 'draft' ? t('admin.diff.draft') : t('admin.diff.version', { n: value });

  const showVersions = () => {
    const numbers = [...versions.keys()].sort((a, b) => b - a);
    if (!numbers.length) replace(versionsBody, h('p', {}, t('admin.versions.none')));
    else
      replace(
        versionsBody,
        h(
          'div',
          { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': t('admin.versions.heading') },
          h(
            'table',
            { id: 'versions-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['version', 'published', 'languages', 'hash'].map((c) =>
                  h('th', { scope: 'col' }, t(`admin.versions.columns.${c}`)),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              numbers.map((n) => {
                const v = versions.get(n)!;
                return h(
                  'tr',
                  { 'data-version': n },
                  h('th', { scope: 'row' }, String(n)),
                  h('td', {}, dateTime(v.publishedAt)),
                  h('td', {}, v.languages.join(', ')),
                  h('td', { class: 'code' }, v.contentHash.slice(0, 12)),
                );
              }),
            ),
          ),
        ),
      );
    const from = diffFrom.value;
    const to = diffTo.value;
    replace(
      diffFrom,
      numbers.map((n) =>
        h('option', { value: String(n), selected: String(n) === from }, versionLabel(String(n))),
      ),
    );
    replace(
      diffTo,
      h('option', { value: 'draft', selected: !to || to === 'draft' }, versionLabel('draft')),
      numbers.map((n) =>
        h('option', { value: String(n), selected: String(n) === to }, versionLabel(String(n))),
      ),
    );
    diffForm.hidden = numbers.length === 0;
    diffNeedsVersion.hidden = numbers.length > 0;
  };

  const contentOf = (value: string): string => {
    if (value !== 'draft') return comparable(versions.get(Number(value))!);
    let definition: unknown = survey.draft.definition;
    try {
      definition = JSON.parse(view.state.doc.toString());
    } catch {
      // The editor's text is broken just now: the saved draft stands in for it.
    }
    return comparable({ definition, indicatorMapping: mapping, languages });
  };

  const diffForm = h(
    'form',
    {
      class: 'diff-form',
      hidden: true,
      onsubmit: (event) => {
        event.preventDefault();
        if (!diffFrom.value || !diffTo.value) return;
        replace(
          diffOutput,
          diffView(
            contentOf(diffFrom.value),
            contentOf(diffTo.value),
            versionLabel(diffFrom.value),
            versionLabel(diffTo.value),
          ),
        );
      },
    },
    h('label', { for: 'diff-from' }, t('admin.diff.from')),
    diffFrom,
    h('label', { for: 'diff-to' }, t('admin.diff.to')),
    diffTo,
    h('button', { type: 'submit', id: 'show-diff' }, t('admin.diff.show')),
  );

  const diffNeedsVersion = h('p', { class: 'hint', id: 'diff-needs-version' }, t('admin.diff.needVersion'));

  const loadVersions = async () => {
    const wanted = Array.from({ length: survey.latestVersion }, (_, i) => survey.latestVersion - i).slice(
      0,
      50,
    );
    const loaded = await Promise.all(
      wanted.map((n) =>
        api<SurveyVersion>('GET', `/api/v1/surveys/${survey.id}/versions/${n}`).catch(() => null),
      ),
    );
    for (const v of loaded) if (v) versions.set(v.version, v);
    showVersions();
  };
  replace(versionsBody, h('p', {}, t('common.loading')));
  void loadVersions();

  // ── The page ───────────────────────────────────────────────────────────────
  return [
    meta,
    own
      ? h(
          'div',
          { class: 'toolbar survey-actions' },
          saveButton,
          publishButton,
          h('a', { href: '/console/surveys', 'data-route': true, class: 'back' }, t('admin.survey.back')),
        )
      : h('p', { class: 'notice' }, t('admin.survey.readOnly')),
    saveStatus,
    confirmBox,
    h(
      'div',
      { class: 'editor-layout' },
      h(
        'section',
        { class: 'editor-column', 'aria-labelledby': 'editor-heading' },
        h('h2', { id: 'editor-heading' }, t('admin.editor.heading')),
        h('p', { class: 'hint', id: 'editor-help' }, t('admin.editor.help')),
        editorHost,
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'languages' }, t('admin.languages.label')),
          languagesInput,
          h('p', { class: 'hint', id: 'languages-hint' }, t('admin.languages.hint')),
          languagesError,
        ),
        h('h3', { id: 'problems-heading' }, t('admin.problems.heading')),
        problemList,
      ),
      h(
        'section',
        { class: 'preview-column', 'aria-labelledby': 'preview-heading' },
        h('h2', { id: 'preview-heading' }, t('admin.preview.heading')),
        h(
          'div',
          { class: 'field inline' },
          h('label', { for: 'preview-language' }, t('admin.preview.language')),
          previewLanguage,
        ),
        previewStatus,
        preview.element,
      ),
    ),
    // The form is a section with its own heading; the server's mapping problems follow it.
    h('div', { class: 'mapping-area' }, mappingSlot, mappingProblems),
    h(
      'section',
      { class: 'versions', 'aria-labelledby': 'versions-heading' },
      h('h2', { id: 'versions-heading' }, t('admin.versions.heading')),
      versionsBody,
      h('h3', { id: 'diff-heading' }, t('admin.diff.heading')),
      diffNeedsVersion,
      diffForm,
      diffOutput,
    ),
  ];
}
