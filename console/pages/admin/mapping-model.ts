import { Model, type Question } from 'survey-core';

/** An answer value as SurveyJS stores it. */
export type Value = string | number | boolean;

/** One entry of a version's indicator mapping, as the API takes it. */
export interface MappingEntry {
  indicator: string;
  question: string;
  /** A row of a Likert grid or of a matrix of drop-downs. */
  row?: string | number;
  /** A column of a matrix of drop-downs (with `row`). */
  column?: string;
  /** An item of a multiple-text question. */
  item?: string;
  /** Question value → indicator value, where the question's values differ from the scale. */
  valueMap?: Record<string, string | number>;
}

/** An indicator of the catalogue (GET /api/v1/indicator-definitions). */
export interface Indicator {
  id: string;
  title: Record<string, string>;
  kind: 'share' | 'nps' | 'mean' | string;
  scale: Array<string | number>;
  positive: Array<string | number>;
  excluded: string[];
}

/** An answer a question offers: its stored value and its text. */
export interface AnswerOption {
  value: Value;
  text: string;
}

/** Something that can measure an indicator: a question, a row of a grid, a cell column, an item. */
export interface Target {
  /** Identifies the question with its row, column or item (see `targetKey`). */
  key: string;
  question: string;
  row?: string | number;
  column?: string;
  item?: string;
  type: string;
  /** The question's title. */
  title: string;
  /** The row's, column's or item's text, where the target is part of a question. */
  part?: string;
  /** The answers it may take; null for free numeric input. */
  values: AnswerOption[] | null;
}

/** The question types each kind of indicator can be measured with (as the API checks). */
export const FITTING_TYPES: Record<string, string[]> = {
  share: ['radiogroup', 'dropdown', 'rating', 'boolean', 'matrix', 'matrixdropdown'],
  nps: ['rating', 'radiogroup', 'dropdown', 'matrix', 'matrixdropdown'],
  mean: ['rating', 'radiogroup', 'dropdown', 'text', 'matrix', 'matrixdropdown', 'multipletext', 'slider'],
};

/** The key of a question with its row, column or item; rows compare as text, as the API does. */
export function targetKey(e: { question: string; row?: unknown; column?: unknown; item?: unknown }): string {
  const part = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));
  return JSON.stringify([e.question, part(e.row), part(e.column), part(e.item)]);
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function options(list: unknown): AnswerOption[] {
  if (!Array.isArray(list)) return [];
  return (list as Array<{ value: Value; text?: string }>).map((c) => ({
    value: c.value,
    text: typeof c.text === 'string' && c.text ? c.text : String(c.value),
  }));
}

function text(v: unknown, fallback: string): string {
  return typeof v === 'string' && v.trim() ? v : fallback;
}

/** The values of a choice question, with the extra items (other, none, refuse, don't know) it shows. */
function choiceValues(q: Json, type: string): AnswerOption[] | null {
  if (q.choicesFromQuestion) return null;
  const values = options(q.choices);
  if (type === 'dropdown' && q.choicesMax && !values.length) values.push(...options(q.visibleChoices));
  for (const [flag, item] of [
    ['showOtherItem', 'otherItem'],
    ['showNoneItem', 'noneItem'],
    ['showRefuseItem', 'refuseItem'],
    ['showDontKnowItem', 'dontKnowItem'],
  ] as const) {
    if (q[flag]) values.push(...options([q[item]]));
  }
  return values;
}

/** The answers a cell of a matrix of drop-downs may take; null for free input. */
function cellValues(cell: Json | undefined, cellType: string): AnswerOption[] | null {
  if (!cell) return null;
  if (['radiogroup', 'dropdown'].includes(cellType)) return options(cell.choices);
  if (cellType === 'rating') return options(cell.visibleRateValues);
  if (cellType === 'boolean') return booleanValues(cell);
  if (cellType === 'text' && cell.inputType === 'number') return null;
  return [];
}

function booleanValues(q: Json): AnswerOption[] {
  return [
    { value: (q.valueTrue as Value | undefined) ?? true, text: text(q.labelTrue, 'true') },
    { value: (q.valueFalse as Value | undefined) ?? false, text: text(q.labelFalse, 'false') },
  ];
}

/**
 * Everything in a survey definition that can measure an indicator, in the order of the survey:
 * single-answer questions, each row of a Likert grid, each row and column of a matrix of
 * drop-downs, each numeric item of a multiple-text question, numeric text fields and sliders.
 * Texts are in `locale` where the definition has them. A definition survey-core cannot load
 * has none.
 */
export function listTargets(definition: unknown, locale?: string): Target[] {
  if (!isObject(definition)) return [];
  let model: Model;
  try {
    model = new Model(definition);
    if (locale) model.locale = locale;
  } catch {
    return [];
  }
  const out: Target[] = [];
  const add = (t: Omit<Target, 'key'>) => out.push({ ...t, key: targetKey(t) });
  for (const question of model.getAllQuestions(false, false, false) as Question[]) {
    const q = question as unknown as Json;
    const type = question.getType();
    const name = question.getValueName();
    const title = text(question.title, name);
    const base = { question: name, type, title };
    if (['radiogroup', 'dropdown'].includes(type)) {
      const values = choiceValues(q, type);
      if (values) add({ ...base, values });
    } else if (type === 'rating') {
      add({ ...base, values: options(q.visibleRateValues) });
    } else if (type === 'boolean') {
      add({ ...base, values: booleanValues(q) });
    } else if (type === 'text' && q.inputType === 'number') {
      add({ ...base, values: null });
    } else if (type === 'slider') {
      add({ ...base, values: null });
    } else if (type === 'matrix') {
      const values = options(q.columns);
      for (const row of options(q.rows))
        add({ ...base, row: row.value as string | number, part: row.text, values });
    } else if (type === 'matrixdropdown') {
      const columns = (q.columns as Array<Json>) ?? [];
      for (const row of options(q.rows)) {
        for (const column of columns) {
          const cell = column.templateQuestion as (Json & { getType?: () => string }) | undefined;
          const cellType = cell?.getType ? cell.getType() : String(column.cellType);
          const values = cellValues(cell, cellType);
          if (values && !values.length) continue;
          const columnName = String(column.name);
          add({
            ...base,
            row: row.value as string | number,
            column: columnName,
            part: `${row.text}, ${text(column.title, columnName)}`,
            values,
          });
        }
      }
    } else if (type === 'multipletext') {
      for (const item of (q.items as Array<Json>) ?? []) {
        if (item.inputType !== 'number') continue;
        const itemName = String(item.name);
        add({ ...base, item: itemName, part: text(item.title, itemName), values: null });
      }
    }
  }
  return out;
}

/** The mapping the API gave (or anything else): its well-formed entries. */
export function parseMapping(mapping: unknown): MappingEntry[] {
  if (!Array.isArray(mapping)) return [];
  return mapping.filter(isObject).map((e) => {
    const entry: MappingEntry = {
      indicator: typeof e.indicator === 'string' ? e.indicator : '',
      question: typeof e.question === 'string' ? e.question : '',
    };
    if (typeof e.row === 'string' || typeof e.row === 'number') entry.row = e.row;
    if (typeof e.column === 'string') entry.column = e.column;
    if (typeof e.item === 'string') entry.item = e.item;
    if (isObject(e.valueMap)) {
      const map: Record<string, string | number> = {};
      for (const [k, v] of Object.entries(e.valueMap))
        if (typeof v === 'string' || typeof v === 'number') map[k] = v;
      entry.valueMap = map;
    }
    return entry;
  });
}

/** The entries ready to save: both a question and an indicator chosen, no empty value map. */
export function completeEntries(entries: MappingEntry[]): MappingEntry[] {
  return entries
    .filter((e) => e.question && e.indicator)
    .map((e) => {
      const out: MappingEntry = { ...e };
      if (!out.valueMap || !Object.keys(out.valueMap).length) delete out.valueMap;
      else out.valueMap = { ...out.valueMap };
      return out;
    });
}

const same = (a: unknown, b: unknown) => String(a) === String(b);

/** Where an answer lands: a scale value, an excluded answer, or nowhere (null). */
export function landing(
  answer: Value,
  entry: Pick<MappingEntry, 'valueMap'>,
  indicator: Indicator,
): { kind: 'scale' | 'excluded'; value: string | number } | null {
  const key = String(answer);
  const target = entry.valueMap && Object.hasOwn(entry.valueMap, key) ? entry.valueMap[key]! : answer;
  const onScale = indicator.scale.find((s) => same(s, target));
  if (onScale !== undefined) return { kind: 'scale', value: onScale };
  const excluded = indicator.excluded.find((s) => same(s, target));
  if (excluded !== undefined) return { kind: 'excluded', value: excluded };
  return null;
}

/** Whether a value is on the indicator's scale or among its excluded answers. */
export function onIndicator(value: unknown, indicator: Indicator): boolean {
  return [...indicator.scale, ...indicator.excluded].some((s) => same(s, value));
}

/** A problem of the mapping, shown in the form; `entry` counts from 1. */
export type Warning =
  | { kind: 'incomplete'; entry: number }
  | { kind: 'missingQuestion'; entry: number; question: string }
  | { kind: 'unknownIndicator'; entry: number; indicator: string }
  | { kind: 'duplicateIndicator'; entry: number; indicator: string; first: number }
  | { kind: 'typeMismatch'; entry: number; type: string; indicatorKind: string }
  | { kind: 'unmappedAnswer'; entry: number; question: string; answer: string; indicator: string }
  | { kind: 'staleAnswer'; entry: number; answer: string }
  | { kind: 'notOnScale'; entry: number; value: string; indicator: string };

/** How an entry's question is named in a warning: its title, and its row, column or item. */
export function targetLabel(target: Pick<Target, 'title' | 'part'>): string {
  return target.part ? `${target.title} – ${target.part}` : target.title;
}

function entryLabel(e: MappingEntry): string {
  const part = [e.row, e.column, e.item].filter((p) => p !== undefined).join(', ');
  return part ? `${e.question} – ${part}` : e.question;
}

/**
 * What would go wrong with a mapping: entries not finished, questions no longer in the
 * definition, indicators measured twice or unknown, question types that cannot measure the
 * indicator, answers that land nowhere, and value maps naming answers the question lacks.
 * Without the catalogue (`null`, not loaded yet) only the checks that need no indicator run.
 */
export function mappingWarnings(
  entries: MappingEntry[],
  targets: Target[],
  catalogue: Map<string, Indicator> | null,
): Warning[] {
  const warnings: Warning[] = [];
  const byKey = new Map(targets.map((t) => [t.key, t]));
  const firstOf = new Map<string, number>();
  entries.forEach((e, i) => {
    const entry = i + 1;
    if (!e.question || !e.indicator) {
      warnings.push({ kind: 'incomplete', entry });
      if (!e.question) return;
    }
    const target = byKey.get(targetKey(e));
    if (!target) {
      warnings.push({ kind: 'missingQuestion', entry, question: entryLabel(e) });
      return;
    }
    for (const answer of Object.keys(e.valueMap ?? {}))
      if (target.values && !target.values.some((v) => same(v.value, answer)))
        warnings.push({ kind: 'staleAnswer', entry, answer });
    if (!e.indicator) return;
    const first = firstOf.get(e.indicator);
    if (first !== undefined)
      warnings.push({ kind: 'duplicateIndicator', entry, indicator: e.indicator, first });
    else firstOf.set(e.indicator, entry);
    if (!catalogue) return;
    const indicator = catalogue.get(e.indicator);
    if (!indicator) {
      warnings.push({ kind: 'unknownIndicator', entry, indicator: e.indicator });
      return;
    }
    const fits = FITTING_TYPES[indicator.kind] ?? [];
    if (!fits.includes(target.type) || (target.values === null && indicator.kind !== 'mean')) {
      warnings.push({ kind: 'typeMismatch', entry, type: target.type, indicatorKind: indicator.kind });
      return;
    }
    for (const value of Object.values(e.valueMap ?? {}))
      if (!onIndicator(value, indicator))
        warnings.push({ kind: 'notOnScale', entry, value: String(value), indicator: indicator.id });
    for (const answer of target.values ?? []) {
      if (!landing(answer.value, e, indicator))
        warnings.push({
          kind: 'unmappedAnswer',
          entry,
          question: targetLabel(target),
          answer:
            answer.text === String(answer.value) ? answer.text : `${answer.text} (${String(answer.value)})`,
          indicator: indicator.id,
        });
    }
  });
  return warnings;
}

/**
 * The value map kept when an entry's question or indicator changes: only the answers the
 * question still has, mapped to values the indicator still has.
 */
export function keptValueMap(
  valueMap: Record<string, string | number> | undefined,
  target: Target | undefined,
  indicator: Indicator | undefined,
): Record<string, string | number> | undefined {
  if (!valueMap) return undefined;
  const kept: Record<string, string | number> = {};
  for (const [answer, value] of Object.entries(valueMap)) {
    if (target?.values && !target.values.some((v) => same(v.value, answer))) continue;
    if (indicator && !onIndicator(value, indicator)) continue;
    kept[answer] = value;
  }
  return Object.keys(kept).length ? kept : undefined;
}
