import type { ErrorDetail } from '../../errors';
import type { IndicatorDefinition, IndicatorKind } from '../indicators/catalogue';
import type { QuestionInfo } from './definition-validator';

/** One question of a survey version measuring one indicator. */
export interface MappingEntry {
  indicator: string;
  question: string;
  /** Question value → indicator value, when the question's values differ from the scale. */
  valueMap?: Record<string, string | number>;
}

/** Where an answer lands on an indicator. */
export type Mapped = { kind: 'scale'; value: string | number } | { kind: 'excluded'; value: string } | null;

const same = (a: unknown, b: unknown) => String(a) === String(b);

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
  share: ['radiogroup', 'dropdown', 'rating', 'boolean'],
  nps: ['rating', 'radiogroup', 'dropdown'],
  mean: ['rating', 'radiogroup', 'dropdown', 'text'],
};

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
    if (question.type === 'text' && question.inputType !== 'number') {
      errors.push({
        path: `${base}/question`,
        message: 'a text question measures a mean only with inputType "number"',
      });
      return;
    }
    for (const [from, to] of Object.entries(entry.valueMap ?? {})) {
      if (question.values && !question.values.some((v) => same(v, from))) {
        errors.push({
          path: `${base}/valueMap/${escape(from)}`,
          message: `"${entry.question}" has no answer "${from}"`,
        });
      }
      if (![...indicator.scale, ...indicator.excluded].some((v) => same(v, to))) {
        errors.push({
          path: `${base}/valueMap/${escape(from)}`,
          message: `"${String(to)}" is neither on the ${entry.indicator} scale (${indicator.scale.join(', ')}) nor an excluded answer (${indicator.excluded.join(', ')})`,
        });
      }
    }
    for (const value of question.values ?? []) {
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

/** JSON Pointer escaping of one key. */
function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
