import { Model } from 'survey-core';
import type { ErrorDetail } from '../../errors';
import type { QuestionInfo } from '../surveys/definition-validator';

/** Free text without its own maxLength is capped here, so one answer cannot be a megabyte. */
export const DEFAULT_TEXT_MAX = 2000;
export const DEFAULT_COMMENT_MAX = 5000;
const OTHER_COMMENT_SUFFIX = '-Comment';

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** The type/value check of one answer; returns a message or null. */
function checkValue(q: QuestionInfo, value: unknown): string | null {
  if (q.values) {
    if (q.multiple) {
      if (!Array.isArray(value)) return 'must be a list of choices';
      if (new Set(value.map((v) => JSON.stringify(v))).size !== value.length) return 'lists a choice twice';
      const offered = value.find((v) => !q.values!.some((o) => o === v));
      return offered === undefined ? null : `"${String(offered).slice(0, 50)}" is not one of the choices`;
    }
    if (typeof value === 'object') return 'must be a single value';
    if (!q.values.some((o) => o === value)) {
      return q.type === 'rating'
        ? `must be one of the scale values ${q.values.join(', ')}`
        : `"${String(value).slice(0, 50)}" is not one of the choices`;
    }
    return null;
  }
  if (q.type === 'text' && q.inputType === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
    if (q.min !== null && value < q.min) return `must be at least ${q.min}`;
    if (q.max !== null && value > q.max) return `must be at most ${q.max}`;
    return null;
  }
  if (typeof value !== 'string') return 'must be text';
  const max = q.maxLength ?? (q.type === 'comment' ? DEFAULT_COMMENT_MAX : DEFAULT_TEXT_MAX);
  if (value.length > max) return `is longer than ${max} characters`;
  return null;
}

/**
 * Re-validates a tenant's answers against the exact version the page ran, closing the gaps
 * survey-core's own `validate()` leaves to a forged payload: unknown question names, values
 * outside the offered choices or the rating scale, wrong types, over-long text, and answers
 * to questions that skip logic hides under the answers given (these are rejected, not
 * silently dropped, so a client bug is seen rather than hidden). Required questions that are
 * visible must be answered, and survey-core's validators (numeric, regex, expression …) must pass.
 *
 * @returns errors (paths under `/answers`) and, when there are none, the answers to store.
 */
export function validateAnswers(
  definition: Record<string, unknown>,
  questions: QuestionInfo[],
  answers: Record<string, unknown>,
): { errors: ErrorDetail[]; clean: Record<string, unknown> } {
  const errors: ErrorDetail[] = [];
  const byName = new Map(questions.map((q) => [q.name, q]));
  const clean: Record<string, unknown> = {};

  for (const [key, value] of Object.entries(answers)) {
    const path = `/answers/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const q = byName.get(key);
    if (!q) {
      const base = key.endsWith(OTHER_COMMENT_SUFFIX)
        ? byName.get(key.slice(0, -OTHER_COMMENT_SUFFIX.length))
        : undefined;
      if (base?.values?.includes('other')) {
        if (typeof value !== 'string' || value.length > DEFAULT_TEXT_MAX) {
          errors.push({ path, message: `must be text of at most ${DEFAULT_TEXT_MAX} characters` });
        } else if (value) clean[key] = value;
        continue;
      }
      errors.push({ path, message: 'is not a question of this survey' });
      continue;
    }
    if (isEmpty(value)) continue;
    const problem = checkValue(q, value);
    if (problem) errors.push({ path, message: problem });
    else clean[key] = value;
  }
  if (errors.length) return { errors, clean: {} };

  // Visibility and requiredness depend on the answers; survey-core evaluates the same
  // expressions the page evaluated.
  const model = new Model(definition);
  model.data = clean;
  for (const q of model.getAllQuestions(false, false, true)) {
    const info = byName.get(q.name);
    if (!info) continue;
    const path = `/answers/${q.name}`;
    const visible = q.isVisible && q.isParentVisible;
    const answered = !isEmpty(clean[q.name]);
    if (answered && !visible) {
      errors.push({ path, message: 'answers a question that is hidden by the other answers' });
    } else if (visible && q.isRequired && !answered) {
      errors.push({ path, message: 'is required' });
    } else if (visible && answered && !q.validate(false)) {
      errors.push({ path, message: 'does not pass the question’s validation rules' });
    }
  }
  return { errors, clean: errors.length ? {} : clean };
}
