import { apiAll } from '../../api';
import { h, replace } from '../../dom';
import { language, t } from '../../i18n';
import {
  completeEntries,
  keptValueMap,
  landing,
  listTargets,
  mappingWarnings,
  parseMapping,
  targetKey,
  targetLabel,
  type Indicator,
  type MappingEntry,
  type Target,
  type Warning,
} from './mapping-model';

let catalogueRequest: Promise<Indicator[]> | null = null;

/** The indicator catalogue, fetched once for every form on the page (again after a failure). */
function loadCatalogue(): Promise<Indicator[]> {
  catalogueRequest ??= apiAll<Indicator>('/api/v1/indicator-definitions')
    .then((r) => r.items)
    .catch((err: unknown) => {
      catalogueRequest = null;
      throw err;
    });
  return catalogueRequest;
}

function indicatorTitle(indicator: Indicator): string {
  const title = indicator.title[language()] ?? indicator.title.en ?? indicator.title.default;
  return title ? `${indicator.id} – ${title}` : indicator.id;
}

/** A select's value for a scale value: numbers and texts stay apart (5 is not "5"). */
const encode = (v: string | number) => JSON.stringify(v);

function decode(raw: string): string | number | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' || typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

function warningText(w: Warning): string {
  const key = `campaigns.mapping.warnings.${w.kind}`;
  switch (w.kind) {
    case 'typeMismatch':
      return t(key, { n: w.entry, type: w.type, kind: w.indicatorKind });
    default:
      return t(key, { ...w, n: w.entry });
  }
}

let forms = 0;

/**
 * The indicator mapping of a survey as a form: one row per entry with the question (or the
 * row of a grid) chosen from the definition, the indicator chosen from the catalogue, and where
 * each of the question's answers lands on the indicator's scale. `onChange` receives the new
 * mapping after every edit: the finished entries, in order (an entry without its question or
 * indicator is kept in the form, with a warning, until it is finished). `update` redraws it for
 * a changed definition; the control in use keeps the focus.
 */
export function mappingForm(options: {
  definition: unknown;
  mapping: unknown;
  onChange(mapping: unknown): void;
}): { element: HTMLElement; update(definition: unknown, mapping: unknown): void } {
  const prefix = `mapping-${++forms}`;
  let targets: Target[] = listTargets(options.definition, language());
  let entries: MappingEntry[] = parseMapping(options.mapping);
  let emitted = JSON.stringify(completeEntries(entries));
  let catalogue: Map<string, Indicator> | null = null;
  let shownWarnings = '';

  const catalogueStatus = h('p', { class: 'hint', role: 'status' }, t('campaigns.mapping.loadingCatalogue'));
  const list = h('div', { class: 'mapping-entries' });
  const warnings = h('div', { class: 'mapping-warnings', 'aria-live': 'polite' });
  const addButton = h(
    'button',
    {
      type: 'button',
      id: `${prefix}-add`,
      class: 'secondary add',
      onclick: () => {
        entries.push({ indicator: '', question: '' });
        changed();
        draw(`${prefix}-${entries.length - 1}-question`);
      },
    },
    t('campaigns.mapping.add'),
  );
  const element = h(
    'section',
    { class: 'mapping', 'aria-labelledby': `${prefix}-title` },
    h('h2', { id: `${prefix}-title` }, t('campaigns.mapping.title')),
    h('p', { class: 'hint' }, t('campaigns.mapping.intro')),
    catalogueStatus,
    list,
    addButton,
    warnings,
  );

  function changed(): void {
    const mapping = completeEntries(entries);
    emitted = JSON.stringify(mapping);
    options.onChange(mapping);
  }

  function byKey(): Map<string, Target> {
    return new Map(targets.map((x) => [x.key, x]));
  }

  function drawWarnings(): void {
    const found = mappingWarnings(entries, targets, catalogue);
    const texts = found.map(warningText);
    const signature = JSON.stringify(texts);
    // Redrawn only when something changed: the live region announces changes, not every edit.
    if (signature === shownWarnings) return;
    shownWarnings = signature;
    replace(
      warnings,
      h('h3', {}, t('campaigns.mapping.warningsTitle')),
      texts.length
        ? h(
            'ul',
            { class: 'warnings' },
            texts.map((text) => h('li', {}, text)),
          )
        : h('p', { class: 'ok' }, t('campaigns.mapping.noWarnings')),
    );
  }

  function valueMap(entry: MappingEntry, target: Target, id: string): HTMLElement {
    if (target.values === null) return h('p', { class: 'hint' }, t('campaigns.mapping.freeInput'));
    const indicator = catalogue?.get(entry.indicator);
    if (!indicator) return h('p', { class: 'hint' }, t('campaigns.mapping.chooseIndicatorFirst'));
    const legendId = `${id}-values-legend`;
    return h(
      'fieldset',
      { class: 'value-map' },
      h('legend', { id: legendId }, t('campaigns.mapping.valueMap')),
      target.values.map((answer, j) => {
        const key = String(answer.value);
        const mapped = entry.valueMap && Object.hasOwn(entry.valueMap, key) ? entry.valueMap[key] : undefined;
        const asGiven = landing(answer.value, {}, indicator);
        const select = h(
          'select',
          {
            id: `${id}-value-${j}`,
            onchange: () => {
              const value = decode(select.value);
              const map = { ...(entry.valueMap ?? {}) };
              if (value === undefined) delete map[key];
              else map[key] = value;
              entry.valueMap = Object.keys(map).length ? map : undefined;
              changed();
              drawWarnings();
            },
          },
          h(
            'option',
            { value: '' },
            asGiven
              ? t('campaigns.mapping.asGiven', { value: String(asGiven.value) })
              : t('campaigns.mapping.nowhere'),
          ),
          indicator.scale.map((v) =>
            h(
              'option',
              { value: encode(v), selected: mapped !== undefined && String(mapped) === String(v) },
              indicator.positive.some((p) => String(p) === String(v))
                ? t('campaigns.mapping.positiveValue', { value: String(v) })
                : String(v),
            ),
          ),
          indicator.excluded.map((v) =>
            h(
              'option',
              { value: encode(v), selected: mapped !== undefined && String(mapped) === v },
              t('campaigns.mapping.excludedValue', { value: v }),
            ),
          ),
        );
        const label =
          answer.text === key
            ? t('campaigns.mapping.answer', { answer: key })
            : t('campaigns.mapping.answerWithValue', { answer: answer.text, value: key });
        return h('div', { class: 'value' }, h('label', { for: select.id }, label), select);
      }),
    );
  }

  function row(entry: MappingEntry, i: number): HTMLElement {
    const id = `${prefix}-${i}`;
    const n = i + 1;
    const known = byKey();
    const current = entry.question ? targetKey(entry) : '';
    const target = known.get(current);
    const questionSelect = h(
      'select',
      {
        id: `${id}-question`,
        onchange: () => {
          const chosen = known.get(questionSelect.value);
          const next: MappingEntry = { indicator: entry.indicator, question: chosen?.question ?? '' };
          if (chosen?.row !== undefined) next.row = chosen.row;
          if (chosen?.column !== undefined) next.column = chosen.column;
          if (chosen?.item !== undefined) next.item = chosen.item;
          const kept = keptValueMap(entry.valueMap, chosen, catalogue?.get(entry.indicator));
          if (kept) next.valueMap = kept;
          entries[i] = next;
          changed();
          draw();
        },
      },
      h('option', { value: '' }, t('campaigns.mapping.chooseQuestion')),
      current && !target
        ? h(
            'option',
            { value: current, selected: true },
            t('campaigns.mapping.missingOption', {
              question: [entry.question, entry.row, entry.column, entry.item]
                .filter((p) => p !== undefined)
                .join(' – '),
            }),
          )
        : null,
      targets.map((x) => h('option', { value: x.key, selected: x.key === current }, targetLabel(x))),
    );
    const indicators = catalogue ? [...catalogue.values()] : [];
    const indicatorSelect = h(
      'select',
      {
        id: `${id}-indicator`,
        onchange: () => {
          entry.indicator = indicatorSelect.value;
          entry.valueMap = keptValueMap(entry.valueMap, target, catalogue?.get(entry.indicator));
          if (!entry.valueMap) delete entry.valueMap;
          changed();
          draw();
        },
      },
      h('option', { value: '' }, t('campaigns.mapping.chooseIndicator')),
      entry.indicator && !catalogue?.has(entry.indicator)
        ? h('option', { value: entry.indicator, selected: true }, entry.indicator)
        : null,
      indicators.map((d) =>
        h('option', { value: d.id, selected: d.id === entry.indicator }, indicatorTitle(d)),
      ),
    );
    const remove = h(
      'button',
      {
        type: 'button',
        id: `${id}-remove`,
        class: 'secondary',
        'aria-label': t('campaigns.mapping.removeEntry', { n }),
        onclick: () => {
          entries.splice(i, 1);
          changed();
          draw(entries.length ? `${prefix}-${Math.min(i, entries.length - 1)}-question` : `${prefix}-add`);
        },
      },
      t('campaigns.mapping.remove'),
    );
    return h(
      'fieldset',
      { class: 'mapping-entry', id },
      h('legend', {}, t('campaigns.mapping.entry', { n })),
      h(
        'div',
        { class: 'fields' },
        h(
          'div',
          { class: 'field' },
          h('label', { for: questionSelect.id }, t('campaigns.mapping.question')),
          questionSelect,
        ),
        h(
          'div',
          { class: 'field' },
          h('label', { for: indicatorSelect.id }, t('campaigns.mapping.indicator')),
          indicatorSelect,
        ),
        h('div', { class: 'field remove' }, remove),
      ),
      target ? valueMap(entry, target, id) : null,
    );
  }

  /** Draws the rows again; the focus goes to `focus`, else stays on the control that had it. */
  function draw(focus?: string): void {
    const active = document.activeElement;
    const keep = focus ?? (active && element.contains(active) ? active.id : '');
    replace(
      list,
      entries.length
        ? entries.map((entry, i) => row(entry, i))
        : h('p', { class: 'hint' }, t('campaigns.mapping.empty')),
    );
    drawWarnings();
    if (keep) element.querySelector<HTMLElement>(`#${CSS.escape(keep)}`)?.focus();
  }

  draw();
  loadCatalogue()
    .then((items) => {
      catalogue = new Map(items.map((d) => [d.id, d]));
      catalogueStatus.remove();
      draw();
    })
    .catch(() => {
      catalogueStatus.className = 'error';
      catalogueStatus.textContent = t('campaigns.mapping.catalogueFailed');
    });

  return {
    element,
    update(definition, mapping) {
      targets = listTargets(definition, language());
      const incoming = completeEntries(parseMapping(mapping));
      // The mapping this form last reported comes back unchanged: unfinished rows stay.
      if (JSON.stringify(incoming) !== emitted) {
        entries = parseMapping(mapping);
        emitted = JSON.stringify(incoming);
      }
      draw();
    },
  };
}
