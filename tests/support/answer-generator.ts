import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Model, type Question } from 'survey-core';

/** A 1×1 PNG and a one-page PDF: the smallest real files of their types. */
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const PDF = `data:application/pdf;base64,${Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64')}`;
const SVG = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64')}`;

type Value = unknown;
type Any = Record<string, unknown>;

function firstChoice(q: Question): Value {
  const choices =
    ((q as unknown as Any).visibleChoices as Array<{ value: Value; isEnabled?: boolean }>) ?? [];
  const regular = choices.filter(
    (c) =>
      c.isEnabled !== false &&
      c.value !== '' &&
      !['other', 'none', 'refused', 'dontknow'].includes(String(c.value)),
  );
  return (regular[0] ?? choices[0])?.value;
}

/** A value a tenant could give, chosen from what survey-core says the question accepts. */
export function valueFor(q: Question, hints: Record<string, Value>): Value {
  const any = q as unknown as Any;
  if (Object.hasOwn(hints, q.name)) return hints[q.name];
  const type = q.getType();
  switch (type) {
    case 'text': {
      const inputType = String(any.inputType ?? 'text');
      const num = (v: unknown, d: number) => (v === undefined || v === null || v === '' ? d : Number(v));
      const mask = String(any.maskType ?? 'none');
      const ranged = ((any.validators as Array<Record<string, unknown>>) ?? []).find(
        (v) => (v.getType as () => string)() === 'numericvalidator',
      );
      if (ranged && (ranged.minValue !== undefined || ranged.maxValue !== undefined)) {
        const lo = num(ranged.minValue, 1);
        return Math.round((lo + num(ranged.maxValue, lo + 10)) / 2);
      }
      if (inputType === 'number' || inputType === 'range') {
        const min = num(any.min, inputType === 'range' ? 0 : 1);
        const max = num(any.max, min + 10);
        return Math.round((min + max) / 2);
      }
      if (mask === 'numeric' || mask === 'currency') return 42;
      if (mask === 'datetime') return '2026-03-15';
      const byType: Record<string, string> = {
        date: '2026-03-15',
        'datetime-local': '2026-03-15T10:30',
        time: '10:30',
        month: '2026-03',
        week: '2026-W11',
        color: '#336699',
        email: 'tenant@example.org',
        url: 'https://example.org/',
        tel: '+48600100200',
        password: 'secret-123',
      };
      const rules = ((any.validators as Array<Record<string, unknown>>) ?? []).map((v) => ({
        type: (v.getType as () => string)(),
        v,
      }));
      const numeric = rules.find((r) => r.type === 'numericvalidator');
      if (numeric) {
        const lo = num(numeric.v.minValue, 1);
        return Math.round((lo + num(numeric.v.maxValue, lo + 10)) / 2);
      }
      if (rules.some((r) => r.type === 'emailvalidator')) return 'tenant@example.org';
      let text = byType[inputType] ?? 'Klatka schodowa B';
      const length = rules.find((r) => r.type === 'textvalidator');
      const minLength = Number(length?.v.minLength) || 0;
      const maxLength = Math.min(
        ...[Number(any.maxLength), Number(length?.v.maxLength)].filter((n) => n > 0),
      );
      if (text.length < minLength) text = text.padEnd(minLength, 'x');
      return Number.isFinite(maxLength) ? text.slice(0, Math.max(minLength, maxLength)) : text;
    }
    case 'comment':
      return 'Drzwi do piwnicy się nie domykają.';
    case 'radiogroup':
    case 'dropdown':
      return firstChoice(q);
    case 'imagepicker':
      return any.multiSelect ? [firstChoice(q)] : firstChoice(q);
    case 'checkbox':
    case 'tagbox': {
      const counted = ((any.validators as Array<Record<string, unknown>>) ?? []).find(
        (v) => (v.getType as () => string)() === 'answercountvalidator',
      );
      const n = Math.max(1, Number(any.minSelectedChoices) || 1, Number(counted?.minCount) || 1);
      const values = ((any.visibleChoices as Array<{ value: Value }>) ?? [])
        .map((c) => c.value)
        .filter(
          // The select-all item has an empty value; special items are not ordinary answers.
          (v) => v !== '' && !['other', 'none', 'refused', 'dontknow'].includes(String(v)),
        );
      return values.slice(0, n);
    }
    case 'ranking':
      return ((any.visibleChoices as Array<{ value: Value }>) ?? []).map((c) => c.value);
    case 'boolean':
      return any.valueTrue ?? true;
    case 'rating': {
      const values = (any.visibleRateValues as Array<{ value: Value }>).map((v) => v.value);
      return values[Math.floor(values.length / 2)];
    }
    case 'slider': {
      const min = Number(any.min ?? 0);
      const max = Number(any.max ?? 100);
      return String(any.sliderType) === 'range' ? [min, max] : Math.round((min + max) / 2);
    }
    case 'file': {
      const accepted = String(any.acceptedTypes ?? '');
      const pdf = accepted.includes('pdf') && !accepted.includes('image');
      return [
        pdf
          ? { name: 'pismo.pdf', type: 'application/pdf', content: PDF }
          : { name: 'zdjecie.png', type: 'image/png', content: PNG },
      ];
    }
    case 'signaturepad':
      return String(any.dataFormat) === 'svg'
        ? SVG
        : PNG.replace('image/png', String(any.dataFormat) === 'jpeg' ? 'image/jpeg' : 'image/png');
    case 'matrix': {
      const columns =
        (any.visibleColumns as Array<{ value: Value }>) ?? (any.columns as Array<{ value: Value }>);
      const rows = (any.visibleRows as Array<{ name: string }>) ?? [];
      // Each row its own column, so "eachRowUnique" grids are answered too.
      return Object.fromEntries(rows.map((r, i) => [r.name, columns[i % columns.length]!.value]));
    }
    case 'multipletext': {
      const items = any.items as Array<{ name: string; inputType?: string; editor: Question }>;
      return Object.fromEntries(items.map((i) => [i.name, valueFor(i.editor, hints)]));
    }
    default:
      return undefined;
  }
}

function fill(questions: Question[], hints: Record<string, Value>, detail = false): void {
  for (const q of questions) {
    if (!detail && (!q.isVisible || !q.isParentVisible)) continue;
    if ((q as unknown as Any).isReadOnly) continue;
    const type = q.getType();
    const any = q as unknown as Any;
    if (type === 'paneldynamic') {
      if ((any.panelCount as number) < 1) any.panelCount = Math.max(1, Number(any.minPanelCount) || 1);
      for (const panel of any.panels as Array<{ questions: Question[] }>) fill(panel.questions, hints);
    } else if (type === 'matrixdynamic' || type === 'matrixdropdown') {
      if (type === 'matrixdynamic' && (any.rowCount as number) < 1) any.rowCount = 1;
      const rows = any.visibleRows as Array<{
        cells: Array<{ question: Question }>;
        hasPanel?: boolean;
        showDetailPanel(): void;
        detailPanel?: { questions: Question[] };
      }>;
      for (const row of rows) {
        fill(
          row.cells.map((c) => c.question),
          hints,
        );
        // A detail panel's questions exist once it is shown; survey-core validates them too.
        if (row.hasPanel) {
          row.showDetailPanel();
          fill(row.detailPanel?.questions ?? [], hints, true);
        }
      }
    } else if (q.isEmpty()) {
      const v = valueFor(q, hints);
      if (v !== undefined) q.value = v;
    }
  }
}

/**
 * Answers a survey the way a tenant would: every visible question gets a value survey-core
 * accepts, rounds repeat until skip logic settles; then survey-core's own data is returned
 * together with whether survey-core's validation passes.
 */
export function generateAnswers(
  definition: Record<string, unknown>,
  hints: Record<string, Value> = {},
): { data: Record<string, unknown>; valid: boolean; errors: string[] } {
  const model = new Model(definition);
  for (let round = 0; round < 4; round++) fill(model.getAllQuestions(true) as Question[], hints);
  const valid = model.validate(true, false) !== false;
  const errors = (model.getAllQuestions(true, false, true) as Question[]).flatMap((q) =>
    q.errors
      .filter((e) => e.notificationType === 'error' || !e.notificationType)
      .map((e) => `${q.name}: ${e.getText()}`),
  );
  if (model.clearInvisibleValues !== 'none') {
    (model as unknown as { clearInvisibleQuestionValues(): void }).clearInvisibleQuestionValues();
  }
  return { data: model.data as Record<string, unknown>, valid, errors };
}

/** A SurveyJS definition written here to exercise documented features (see its README). */
export interface CorpusCase {
  about: string;
  definition: Record<string, unknown>;
  hints?: Record<string, unknown>;
}

/** The accepted-definition corpus, by file name. */
export function loadCorpus(): Array<[string, CorpusCase]> {
  const dir = path.join(__dirname, '../fixtures/surveyjs-corpus');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CorpusCase]);
}

/** A changed answer set and the JSON Pointer its refusal must name. */
export interface Tampering {
  answers: Record<string, unknown>;
  path: string;
}

const CHOICE = new Set(['radiogroup', 'dropdown', 'checkbox', 'tagbox']);
const pointer = (name: string) => `/answers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * Ways to spoil a complete answer set: a key no question produces (always), a value outside
 * the choices of a visible choice question, an answer to a question skip logic hides (when
 * the survey has them).
 */
export function tamperings(
  definition: Record<string, unknown>,
  data: Record<string, unknown>,
): { unknown: Tampering; choice: Tampering | null; hidden: Tampering | null } {
  const model = new Model(structuredClone(definition));
  model.data = data;
  const questions = model.getAllQuestions(false, false, false) as Question[];
  // Questions that accept values beyond their choices by design are left out.
  const choice = questions.find((q) => {
    const any = q as unknown as Any;
    return (
      q.isVisible &&
      q.isParentVisible &&
      CHOICE.has(q.getType()) &&
      !any.choicesFromQuestion &&
      !any.showOtherItem &&
      !any.allowCustomChoices &&
      !any.choicesLazyLoadEnabled
    );
  });
  let hidden: Tampering | null = null;
  if (definition.clearInvisibleValues !== 'none') {
    for (const q of questions) {
      // Hidden by skip logic; a question hidden outright (visible: false) is a hidden field.
      if (q.isVisible && q.isParentVisible) continue;
      if (!q.visible && !q.visibleIf) continue;
      if (
        ['html', 'image', 'expression', 'paneldynamic', 'matrixdynamic', 'matrixdropdown'].includes(
          q.getType(),
        )
      )
        continue;
      if (q.getValueName() in data) continue;
      const value = valueFor(q, {});
      // An empty value is no answer at all (a hidden tag box without choices offers only []).
      if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
      hidden = { answers: { ...data, [q.getValueName()]: value }, path: pointer(q.getValueName()) };
      break;
    }
  }
  return {
    unknown: { answers: { ...data, no_such_question_here: 'x' }, path: '/answers/no_such_question_here' },
    choice: choice
      ? {
          answers: {
            ...data,
            [choice.getValueName()]: ['checkbox', 'tagbox'].includes(choice.getType())
              ? ['not-offered-zz']
              : 'not-offered-zz',
          },
          path: pointer(choice.getValueName()),
        }
      : null,
    hidden,
  };
}
