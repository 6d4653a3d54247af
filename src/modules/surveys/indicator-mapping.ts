import type { ErrorDetail } from '../../errors';
import type { IndicatorDefinition, IndicatorKind } from '../catalogue/catalogue';
import type { QuestionInfo } from './definition-validator';
import { pointerSegment } from '../../json-pointer';

/** One question of a survey version measuring one indicator. */
export interface MappingEntry {
  indicator: string;
  question: string;
  /** A row of a matrix (Likert grid) or of a matrix of drop-downs. */
  row?: string | number;
  /** A column of a matrix of drop-downs (with `row`). */
  column?: string;
  /** An item of a multiple-text question. */
  item?: string;
  /** Question value → indicator value, when the question's values differ from the scale. */
  valueMap?: Record<string, string | number>;
}

/** Where an answer lands on an indicator. */
export type Mapped = { kind: 'scale'; value: string | number } | { kind: 'excluded'; value: string } | null;

const same = (a: unknown, b: unknown) => String(a) === String(b);

function member(value: unknown, key: string | number | undefined): unknown {
  if (key === undefined) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const k = String(key);
  return Object.hasOwn(value, k) ? (value as Record<string, unknown>)[k] : undefined;
}

/** The answer an entry measures: a question's value, or one cell of a grid. */
export function answerFor(answers: Record<string, unknown>, entry: MappingEntry): unknown {
  const own = Object.hasOwn(answers, entry.question) ? answers[entry.question] : undefined;
  if (entry.item !== undefined) return member(own, entry.item);
  return member(member(own, entry.row), entry.column);
}

/**
 * Maps one answer of a question onto its indicator: a value of the scale, an excluded
 * answer (don't know / not applicable), or null when the answer is not on the indicator.
 */
export function mapAnswer(answer: unknown, entry: MappingEntry, indicator: IndicatorDefinition): Mapped {
  if (answer === undefined || answer === null || typeof answer === 'object') return null;
  const key = String(answer);
  const target = entry.valueMap && Object.hasOwn(entry.valueMap, key) ? entry.valueMap[key] : answer;
  const onScale = indicator.scale.find((s) => same(s, target));
  if (onScale !== undefined) return { kind: 'scale', value: onScale };
  const excluded = indicator.excluded.find((s) => same(s, target));
  if (excluded !== undefined) return { kind: 'excluded', value: excluded };
  return null;
}

const FITTING_TYPES: Record<IndicatorKind, string[]> = {
  share: ['radiogroup', 'dropdown', 'rating', 'boolean', 'matrix', 'matrixdropdown'],
  nps: ['rating', 'radiogroup', 'dropdown', 'matrix', 'matrixdropdown'],
  mean: ['rating', 'radiogroup', 'dropdown', 'text', 'matrix', 'matrixdropdown', 'multipletext', 'slider'],
};

/**
 * The values the measured answer may take and whether it is a number, or a problem with the
 * entry's row, column or item.
 */
function measured(
  entry: MappingEntry,
  q: QuestionInfo,
): { values: QuestionInfo['values']; numeric: boolean } | { path: string; message: string } {
  const grid = q.type === 'matrix' || q.type === 'matrixdropdown';
  if (grid && entry.row === undefined)
    return { path: 'row', message: `"${q.name}" is a grid: name the row that measures the indicator` };
  if (!grid && entry.row !== undefined) return { path: 'row', message: `"${q.name}" has no rows` };
  if (grid && !(q.rows ?? []).some((r) => same(r, entry.row)))
    return { path: 'row', message: `"${q.name}" has no row "${String(entry.row)}"` };
  if (q.type === 'matrixdropdown') {
    const column = q.columns?.find((c) => c.name === entry.column);
    if (!column)
      return { path: 'column', message: `"${q.name}" has no column "${String(entry.column ?? '')}"` };
    return { values: column.values, numeric: column.cellType === 'text' || column.cellType === 'expression' };
  }
  if (entry.column !== undefined) return { path: 'column', message: `"${q.name}" has no columns` };
  if (q.type === 'multipletext') {
    const item = q.items?.find((i) => i.name === entry.item);
    if (!item) return { path: 'item', message: `"${q.name}" has no item "${String(entry.item ?? '')}"` };
    return { values: null, numeric: item.inputType === 'number' };
  }
  if (entry.item !== undefined) return { path: 'item', message: `"${q.name}" has no items` };
  return {
    values: q.values,
    numeric: (q.type === 'text' && q.inputType === 'number') || q.type === 'slider',
  };
}

/**
 * Checks a version's indicator mapping against its questions and the catalogue: the
 * indicator exists and is measured once, the question exists and its type fits the kind,
 * and every answer the question allows lands on the scale or among the excluded answers.
 */
export function validateMapping(
  mapping: MappingEntry[],
  questions: QuestionInfo[],
  catalogue: Map<string, IndicatorDefinition>,
): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const seen = new Map<string, number>();
  const byName = new Map(questions.map((q) => [q.name, q]));
  mapping.forEach((entry, i) => {
    const base = `/indicatorMapping/${i}`;
    const indicator = catalogue.get(entry.indicator);
    if (!indicator) {
      errors.push({ path: `${base}/indicator`, message: `unknown indicator "${entry.indicator}"` });
      return;
    }
    if (seen.has(entry.indicator)) {
      errors.push({
        path: `${base}/indicator`,
        message: `${entry.indicator} is already measured by entry ${seen.get(entry.indicator)}; one question per indicator`,
      });
      return;
    }
    seen.set(entry.indicator, i);
    const question = byName.get(entry.question);
    if (!question) {
      errors.push({ path: `${base}/question`, message: `no answerable question named "${entry.question}"` });
      return;
    }
    if (!FITTING_TYPES[indicator.kind].includes(question.type)) {
      errors.push({
        path: `${base}/question`,
        message: `a ${question.type} question cannot measure a ${indicator.kind} indicator (use ${FITTING_TYPES[indicator.kind].join(', ')})`,
      });
      return;
    }
    const answer = measured(entry, question);
    if ('path' in answer) {
      errors.push({ path: `${base}/${answer.path}`, message: answer.message });
      return;
    }
    if (answer.values === null && !(indicator.kind === 'mean' && answer.numeric)) {
      errors.push({
        path: `${base}/question`,
        message: 'free input measures only a mean, and only from numbers (inputType "number")',
      });
      return;
    }
    for (const [from, to] of Object.entries(entry.valueMap ?? {})) {
      if (answer.values && !answer.values.some((v) => same(v, from))) {
        errors.push({
          path: `${base}/valueMap/${pointerSegment(from)}`,
          message: `"${entry.question}" has no answer "${from}"`,
        });
      }
      if (![...indicator.scale, ...indicator.excluded].some((v) => same(v, to))) {
        errors.push({
          path: `${base}/valueMap/${pointerSegment(from)}`,
          message: `"${String(to)}" is neither on the ${entry.indicator} scale (${indicator.scale.join(', ')}) nor an excluded answer (${indicator.excluded.join(', ')})`,
        });
      }
    }
    for (const value of answer.values ?? []) {
      if (!mapAnswer(value, entry, indicator)) {
        errors.push({
          path: `${base}/valueMap`,
          message: `answer "${String(value)}" of "${entry.question}" is not on the ${entry.indicator} scale; map it in valueMap (to a scale value or to ${indicator.excluded.join('/')})`,
        });
      }
    }
  });
  return errors;
}
