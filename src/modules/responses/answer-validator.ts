import { settings, type Question } from 'survey-core';
import type { ErrorDetail } from '../../errors';
import { keyProblem, ServerSurvey } from '../surveys/survey-engine';
import { t, type TextKey } from '../../web/texts';
import { pointerSegment } from '../../json-pointer';

/** Free text without a maxLength of its own is capped here, so one answer cannot be a megabyte. */
export const DEFAULT_TEXT_MAX = 2000;
export const DEFAULT_COMMENT_MAX = 5000;
/** Nesting of an answer set: a dynamic panel in a dynamic panel in a matrix stays well inside. */
const MAX_DEPTH = 8;
/** Values in one answer set (every key and array member counted). */
const MAX_NODES = 20000;

/** Limits on files and signatures, from the configuration. */
export interface FileLimits {
  /** Largest file or signature, decoded. */
  fileBytes: number;
  /** All files and signatures of one response together, decoded. */
  responseBytes: number;
  /** MIME types a file may have (a type ending in "/*" allows its family). */
  types: string[];
}

/** What the check concluded: errors with paths under `/answers`, or the answers to store. */
export interface AnswerCheck {
  errors: ErrorDetail[];
  /** survey-core's data for the answers: the stored form, expressions recomputed here. */
  answers: Record<string, unknown>;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
  }
  return false;
}

/** Keys no answer may carry: database operators, path separators, object internals. */
function shapeErrors(
  value: unknown,
  path: string,
  depth: number,
  budget: { nodes: number },
  out: ErrorDetail[],
  lang: string,
): void {
  if (out.length > 20) return;
  if (--budget.nodes < 0) {
    if (budget.nodes === -1) out.push({ path: '/answers', message: t(lang, 'answerTooLarge') });
    return;
  }
  if (depth > MAX_DEPTH) {
    out.push({ path, message: t(lang, 'answerTooDeep') });
    return;
  }
  if (typeof value === 'string' && value.length > 4 * 1024 * 1024) {
    out.push({ path, message: t(lang, 'answerTooLong', { max: String(4 * 1024 * 1024) }) });
  } else if (typeof value === 'number' && !Number.isFinite(value)) {
    out.push({ path, message: t(lang, 'answerInvalid') });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => shapeErrors(v, `${path}/${i}`, depth + 1, budget, out, lang));
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const at = `${path}/${pointerSegment(k)}`;
      if (keyProblem(k)) out.push({ path: at, message: t(lang, 'answerUnknownKey') });
      else shapeErrors(v, at, depth + 1, budget, out, lang);
    }
  }
}

interface Node {
  q: Question;
  path: string;
}

/** Every question that holds part of the answers, with the JSON Pointer of its value. */
function answerNodes(questions: Question[], base: string, out: Node[] = []): Node[] {
  for (const q of questions) {
    const path = `${base}/${pointerSegment(q.getValueName())}`;
    out.push({ q, path });
    const any = q as unknown as Record<string, unknown>;
    const type = q.getType();
    if (type === 'paneldynamic') {
      (any.panels as Array<{ questions: Question[] }>).forEach((p, i) =>
        answerNodes(p.questions, `${path}/${i}`, out),
      );
    } else if (type === 'matrixdropdown' || type === 'matrixdynamic') {
      const rows = any.visibleRows as Array<{
        rowName: string;
        cells: Array<{ question: Question; column: { name: string } }>;
      }>;
      rows.forEach((row, i) => {
        const key = type === 'matrixdynamic' ? i : row.rowName;
        for (const cell of row.cells) {
          if (cell.column)
            out.push({
              q: cell.question,
              path: `${path}/${pointerSegment(key)}/${pointerSegment(cell.column.name)}`,
            });
        }
      });
    } else if (type === 'multipletext') {
      for (const item of any.items as Array<{ name: string; editor: Question }>) {
        out.push({ q: item.editor, path: `${path}/${pointerSegment(item.name)}` });
      }
    }
  }
  return out;
}

/** Value at a JSON Pointer below `/answers` in `data`. */
function valueAt(data: unknown, path: string): unknown {
  let cur = data;
  for (const raw of path.split('/').slice(2)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isObject(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

/** The first place where the posted value differs from survey-core's, as a pointer. */
function firstDifference(posted: unknown, kept: unknown, path: string): string | null {
  if (same(posted, kept)) return null;
  if (isObject(posted) && isObject(kept)) {
    for (const k of Object.keys(posted)) {
      const d = firstDifference(posted[k], kept[k], `${path}/${pointerSegment(k)}`);
      if (d) return d;
    }
    return path;
  }
  if (Array.isArray(posted) && Array.isArray(kept) && posted.length === kept.length) {
    for (let i = 0; i < posted.length; i++) {
      const d = firstDifference(posted[i], kept[i], `${path}/${i}`);
      if (d) return d;
    }
  }
  return path;
}

const CHOICE_TYPES = new Set([
  'radiogroup',
  'checkbox',
  'dropdown',
  'tagbox',
  'imagepicker',
  'ranking',
  'rating',
  'boolean',
  'matrix',
]);

/**
 * Checks a tenant's answers the way survey-core runs the survey, and stores what survey-core
 * produces. The posted answers are loaded into a headless survey-core model of the pinned
 * version; its conditions run, its validation runs (required, validators, min/max, masks,
 * answer counts, matrix cells, dynamic panels), and it drops what does not belong
 * (values outside the choices, rows, columns and keys no question produces) and what skip
 * logic hides. Every posted value that survey-core did not keep is refused with its path,
 * as is every value survey-core would let through but that no page produces: text over its
 * limit, free values of the wrong type, files over their limits. Expression questions and
 * calculated values are recomputed here; the client's are never stored.
 *
 * @param lang - the tenant's language: survey-core's messages and ours come in it.
 */
export function validateAnswers(
  definition: Record<string, unknown> | ServerSurvey,
  posted: Record<string, unknown>,
  lang: string,
  files: FileLimits,
): AnswerCheck {
  const errors: ErrorDetail[] = [];
  shapeErrors(posted, '/answers', 0, { nodes: MAX_NODES }, errors, lang);
  if (errors.length) return { errors, answers: {} };

  const model = definition instanceof ServerSurvey ? definition : new ServerSurvey(definition);
  model.locale = lang;
  model.data = structuredClone(posted);
  model.validate(true, false);
  const completedEarly = model.triggers.some(
    (t) => t.getType() === 'completetrigger' && (t as unknown as { isTrue?: boolean }).isTrue,
  );
  const questions = model.getAllQuestions(false, false, false) as Question[];
  const nodes = answerNodes(questions, '/answers');
  for (const { q, path } of nodes) {
    const visible = q.isVisible && q.isParentVisible;
    if (!visible) continue;
    for (const e of q.errors) {
      // Information and warning messages of validators do not block completion.
      if (e.notificationType && e.notificationType !== 'error') continue;
      if (completedEarly && e.getErrorType() === 'required') continue;
      errors.push({ path, message: e.getText() });
    }
  }

  // What survey-core keeps of these answers when the survey completes.
  model.clearIncorrectValues(true);
  if (model.clearInvisibleValues !== 'none') {
    (model as unknown as { clearInvisibleQuestionValues(): void }).clearInvisibleQuestionValues();
  }
  const kept = model.data as Json;
  // Values set by triggers under names of their own: survey-core keeps them in its data.
  for (const trigger of model.triggers as unknown as Array<{ setToName?: string; isVariable?: boolean }>) {
    const name = trigger.setToName;
    if (!name || trigger.isVariable || !Object.hasOwn(posted, name) || model.getQuestionByValueName(name))
      continue;
    const value = posted[name];
    if (typeof value === 'object' && value !== null) {
      errors.push({ path: `/answers/${pointerSegment(name)}`, message: t(lang, 'answerInvalid') });
    } else if (typeof value === 'string' && value.length > DEFAULT_TEXT_MAX) {
      errors.push({
        path: `/answers/${pointerSegment(name)}`,
        message: t(lang, 'answerTooLong', { max: String(DEFAULT_TEXT_MAX) }),
      });
    } else kept[name] = value;
  }

  const computed = new Set<string>([
    ...model.calculatedValues.filter((c) => c.includeIntoResult).map((c) => c.name),
    ...questions.filter((q) => q.getType() === 'expression').map((q) => q.getValueName()),
  ]);
  const suffix = String(settings.commentSuffix);
  for (const [key, value] of Object.entries(posted)) {
    if (computed.has(key) || isEmpty(value) || (Object.hasOwn(kept, key) && same(kept[key], value))) continue;
    const path = `/answers/${pointerSegment(key)}`;
    const owner =
      model.getQuestionByValueName(key) ??
      (key.endsWith(suffix) ? model.getQuestionByValueName(key.slice(0, -suffix.length)) : null);
    if (!owner) {
      errors.push({ path, message: t(lang, 'answerUnknownKey') });
      continue;
    }
    if (!(owner.isVisible && owner.isParentVisible) && !(key in kept)) {
      errors.push({ path, message: t(lang, 'answerHidden') });
      continue;
    }
    const at = firstDifference(value, kept[key], path);
    if (at) {
      const hiddenInside = nodes.find((n) => n.path === at && !(n.q.isVisible && n.q.isParentVisible));
      const reason: TextKey = hiddenInside
        ? 'answerHidden'
        : at === path && CHOICE_TYPES.has(owner.getType())
          ? 'answerNotAChoice'
          : 'answerNotPartOfAnswer';
      errors.push({ path: at, message: t(lang, reason) });
    }
  }

  // What survey-core would store but no page produces.
  let fileBytes = 0;
  for (const { q, path } of nodes) {
    const value = valueAt(kept, path);
    if (isEmpty(value)) continue;
    const stray = strayMember(q, value);
    if (stray !== null) {
      errors.push({ path: `${path}${stray}`, message: t(lang, 'answerNotPartOfAnswer') });
      continue;
    }
    const problem = valueProblem(q, value, lang, files);
    if (typeof problem === 'string') errors.push({ path, message: problem });
    else fileBytes += problem;
  }
  for (const [key, value] of Object.entries(kept)) {
    if (key.endsWith(suffix) && (typeof value !== 'string' || value.length > DEFAULT_COMMENT_MAX)) {
      errors.push({
        path: `/answers/${pointerSegment(key)}`,
        message: t(lang, 'answerTooLong', { max: String(DEFAULT_COMMENT_MAX) }),
      });
    }
  }
  if (fileBytes > files.responseBytes) {
    errors.push({
      path: '/answers',
      message: t(lang, 'answerFilesTooLarge', { max: String(files.responseBytes) }),
    });
  }
  return errors.length ? { errors: dedupe(errors), answers: {} } : { errors: [], answers: kept };
}

function dedupe(list: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return list.filter((e) => !seen.has(e.path) && Boolean(seen.add(e.path)));
}

const keysOf = (list: unknown, key: 'value' | 'name') =>
  new Set(((list as Array<Record<string, unknown>>) ?? []).map((m) => String(m[key])));

/**
 * The first member of a grid or multiple-text answer that the question does not have (a row,
 * a column, an item), as a pointer below the answer; null when every member belongs. Some
 * of these survey-core keeps in its data without complaint.
 */
function strayMember(q: Question, value: unknown): string | null {
  const any = q as unknown as Record<string, unknown>;
  const type = q.getType();
  const members = (v: unknown): string[] => (isObject(v) ? Object.keys(v) : []);
  if (type === 'multipletext' || type === 'matrix' || type === 'matrixdropdown') {
    if (!isObject(value)) return '';
    const keys = type === 'multipletext' ? keysOf(any.items, 'name') : keysOf(any.rows, 'value');
    const stray = members(value).find((k) => !keys.has(k));
    if (stray !== undefined) return `/${pointerSegment(stray)}`;
  }
  if (type === 'matrix') {
    const columns = keysOf(any.columns, 'value');
    const bad = Object.entries(value as Json).find(([, v]) =>
      (Array.isArray(v) ? v : [v]).some((c) => !columns.has(String(c))),
    );
    return bad ? `/${pointerSegment(bad[0])}` : null;
  }
  if (type === 'matrixdropdown' || type === 'matrixdynamic') {
    // A row holds its cells, their comments and the answers of its detail panel.
    const detail = (any.detailPanel as { questions?: Question[] } | undefined)?.questions ?? [];
    const columns = new Set([...keysOf(any.columns, 'name'), ...detail.map((d) => d.getValueName())]);
    const suffix = String(settings.commentSuffix);
    const rows: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((r, i) => [String(i), r])
      : Object.entries(value as Json);
    for (const [key, row] of rows) {
      if (!isObject(row)) return `/${pointerSegment(key)}`;
      const stray = members(row).find(
        (c) => !columns.has(c.endsWith(suffix) ? c.slice(0, -suffix.length) : c),
      );
      if (stray !== undefined) return `/${pointerSegment(key)}/${pointerSegment(stray)}`;
    }
  }
  return null;
}

const DATA_URL = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)(;[a-z0-9-]+=[^;,]*)*;base64,([A-Za-z0-9+/]*={0,2})$/i;

/** Decoded size of a base64 data URL with an allowed type, or a message. */
function dataUrlSize(
  content: unknown,
  allowed: (type: string) => boolean,
  lang: string,
  files: FileLimits,
): number | string {
  if (typeof content !== 'string') return t(lang, 'answerInvalid');
  const m = DATA_URL.exec(content);
  if (!m) return t(lang, 'answerInvalid');
  if (!allowed(m[1]!.toLowerCase())) return t(lang, 'answerFileType', { type: m[1]! });
  const b64 = m[3]!;
  const bytes = Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
  if (bytes > files.fileBytes) return t(lang, 'answerFileTooLarge', { max: String(files.fileBytes) });
  return bytes;
}

/**
 * Checks survey-core leaves to the page's input controls. Returns a message, or the bytes of
 * files and signatures the value holds.
 */
function valueProblem(q: Question, value: unknown, lang: string, files: FileLimits): string | number {
  const any = q as unknown as Record<string, unknown>;
  const type = q.getType();
  const limit = (fallback: number) => {
    const own =
      typeof (any.getMaxLength as (() => number) | undefined) === 'function'
        ? (any.getMaxLength as () => number).call(q)
        : -1;
    return own > 0 ? own : fallback;
  };
  if (type === 'text') {
    const inputType = String(any.inputType ?? 'text');
    if (inputType === 'number' || inputType === 'range') {
      return typeof value === 'number' ? 0 : t(lang, 'answerNumber');
    }
    if (typeof value === 'number') return 0;
    if (typeof value !== 'string') return t(lang, 'answerText');
    const max = limit(DEFAULT_TEXT_MAX);
    return value.length > max ? t(lang, 'answerTooLong', { max: String(max) }) : 0;
  }
  if (type === 'comment') {
    if (typeof value !== 'string') return t(lang, 'answerText');
    const max = limit(DEFAULT_COMMENT_MAX);
    return value.length > max ? t(lang, 'answerTooLong', { max: String(max) }) : 0;
  }
  const single = type === 'radiogroup' || type === 'dropdown' || (type === 'imagepicker' && !any.multiSelect);
  if (single && (typeof value === 'object' || value === null)) return t(lang, 'answerNotAChoice');
  const multiple =
    ['checkbox', 'tagbox', 'ranking'].includes(type) || (type === 'imagepicker' && any.multiSelect);
  if (multiple && !Array.isArray(value)) return t(lang, 'answerNotAChoice');
  if (
    multiple &&
    new Set((value as unknown[]).map((v) => JSON.stringify(v))).size !== (value as unknown[]).length
  )
    return t(lang, 'answerNotAChoice');
  const open =
    any.showOtherItem || any.allowCustomChoices || any.choicesFromQuestion || any.choicesLazyLoadEnabled;
  if ((single || multiple) && type !== 'ranking' && !open) {
    // Some choice questions (tag boxes among them) keep values survey-core never offered.
    const offered = new Set(
      ((any.visibleChoices as Array<{ value: unknown }>) ?? []).map((c) => JSON.stringify(c.value)),
    );
    const given = Array.isArray(value) ? value : [value];
    // Objects stand for choices with a comment ({value, comment}) or under valuePropertyName.
    const prop =
      typeof any.valuePropertyName === 'string' && any.valuePropertyName ? any.valuePropertyName : 'value';
    const bare = (v: unknown) => (isObject(v) && prop in v ? v[prop] : v);
    if (given.some((v) => !offered.has(JSON.stringify(bare(v))))) return t(lang, 'answerNotAChoice');
  }
  if (type === 'boolean') {
    const allowed = [any.valueTrue ?? true, any.valueFalse ?? false];
    return allowed.some((v) => v === value) ? 0 : t(lang, 'answerNotAChoice');
  }
  if (type === 'rating') {
    const values = (any.visibleRateValues as Array<{ value: unknown }>).map((v) => v.value);
    return values.some((v) => v === value) ? 0 : t(lang, 'answerNotAChoice');
  }
  if (type === 'slider') {
    const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    return ok(value) || (Array.isArray(value) && value.length <= 2 && value.every(ok))
      ? 0
      : t(lang, 'answerNumber');
  }
  if (type === 'signaturepad') {
    return dataUrlSize(value, (t) => ['image/png', 'image/jpeg', 'image/svg+xml'].includes(t), lang, files);
  }
  if (type === 'file') {
    if (!Array.isArray(value)) return t(lang, 'answerInvalid');
    const accepted = String(any.acceptedTypes ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const allowedBy = (list: string[], t: string) =>
      list.some((a) => a === t || (a.endsWith('/*') && t.startsWith(a.slice(0, -1))));
    const allowed = (t: string) =>
      allowedBy(files.types, t) && (!accepted.some((a) => a.includes('/')) || allowedBy(accepted, t));
    let total = 0;
    for (const f of value) {
      if (!isObject(f) || typeof f.name !== 'string' || f.name.length > 255) return t(lang, 'answerInvalid');
      const size = dataUrlSize(f.content, allowed, lang, files);
      if (typeof size === 'string') return size;
      const max = typeof any.maxSize === 'number' && any.maxSize > 0 ? any.maxSize : Infinity;
      if (size > max) return t(lang, 'answerFileTooLarge', { max: String(max) });
      total += size;
    }
    return total;
  }
  return 0;
}
