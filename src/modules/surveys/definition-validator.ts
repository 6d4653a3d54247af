import { ConditionRunner, FunctionFactory, Serializer, settings, type Question } from 'survey-core';
import type { ErrorDetail } from '../../errors';
import {
  DEFINITION_LIMITS,
  ServerSurvey,
  definitionLanguages,
  hasInterfaceTranslation,
  keyProblem,
} from './survey-engine';
import { pointerSegment } from '../../json-pointer';

/** What the server knows about one answer key of a definition (a top-level value name). */
export interface QuestionInfo {
  name: string;
  type: string;
  /** JSON Pointer of the element in the definition. */
  path: string;
  /** The values an answer may take (a matrix: its columns); null for free input. */
  values: Array<string | number | boolean> | null;
  /** The answer is a list of values (checkbox, tagbox, ranking, multi-select image picker). */
  multiple: boolean;
  inputType: string | null;
  /** Rows of a matrix or a matrix of drop-downs. */
  rows?: Array<string | number>;
  /** Columns of a matrix of drop-downs, with the values a cell may take (null: free input). */
  columns?: Array<{ name: string; cellType: string; values: Array<string | number | boolean> | null }>;
  /** Items of a multiple-text question, with their input types. */
  items?: Array<{ name: string; inputType: string }>;
}

/** A regular expression of a validator, to be shown free of catastrophic backtracking. */
export interface PatternUse {
  path: string;
  pattern: string;
  flags: string;
}

/** The outcome of validating a definition. */
export interface DefinitionReport {
  errors: ErrorDetail[];
  warnings: ErrorDetail[];
  questions: QuestionInfo[];
  /** The languages the definition is written in (its locale first). */
  languages: string[];
  /** Regular expressions that still need the ReDoS check. */
  patterns: PatternUse[];
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function ptr(base: string, ...parts: Array<string | number>): string {
  return base + parts.map((p) => `/${pointerSegment(p)}`).join('');
}

/** Lists whose members are elements (questions and panels) in SurveyJS JSON. */
const ELEMENT_LISTS = ['elements', 'templateElements', 'detailElements'] as const;
/** Lists whose members count against the per-question item limit. */
const ITEM_LISTS = ['choices', 'rateValues', 'rows', 'columns', 'items'] as const;
/** Properties holding expressions (survey, pages, elements, items, columns, triggers). */
const EXPRESSION_PROPERTIES = new Set([
  'visibleIf',
  'enableIf',
  'requiredIf',
  'resetValueIf',
  'setValueIf',
  'setValueExpression',
  'defaultValueExpression',
  'choicesVisibleIf',
  'choicesEnableIf',
  'rowsVisibleIf',
  'columnsVisibleIf',
  'minValueExpression',
  'maxValueExpression',
  'expression',
  'runExpression',
  'readOnlyIf',
  'totalExpression',
]);
/** Variables survey-core resolves itself (lower case): context variables and built-ins. */
const BUILT_IN_VARIABLES = new Set(
  [
    ...Object.values(settings.expressionVariables as Record<string, string>),
    'pageno',
    'pagecount',
    'correctanswers',
    'correctedanswers',
    'correctedanswercount',
    'incorrectanswers',
    'incorrectedanswers',
    'incorrectedanswercount',
    'questioncount',
    'locale',
    'parentpanel',
    'rootpanel',
    'itemindex',
  ].map((v) => v.toLowerCase()),
);

interface ElementRef {
  element: Json;
  path: string;
  type: string;
  /** Value names share a scope: the survey, or one dynamic panel's template, or one matrix row. */
  scope: string;
  depth: number;
}

/**
 * Validates a SurveyJS definition. survey-core is the judge: what it loads without
 * `jsonErrors` is a valid survey. On top, only what survey-core would silently get wrong:
 * definitions too large to serve, names that collide (two answers under one key) or that
 * cannot be stored, expressions that do not parse, call unknown functions or refer to
 * nothing, choices loaded from other sites, rating scales it would truncate. Missing
 * translations, resources the page cannot load and odd property types are warnings.
 *
 * Runs synchronously and bounded: sizes are checked on the raw JSON before survey-core
 * builds anything. Regular expressions are returned for the ReDoS check.
 *
 * @param languages - the survey's languages, the first being the default (`default` keys);
 *   when omitted, the languages the definition itself is written in.
 */
export function validateDefinition(definition: unknown, languages?: string[]): DefinitionReport {
  const errors: ErrorDetail[] = [];
  const warnings: ErrorDetail[] = [];
  const report = (): DefinitionReport => ({
    errors: dedupe(errors),
    warnings,
    questions: [],
    languages: languages ?? [],
    patterns: [],
  });
  if (!isObject(definition)) {
    errors.push({ path: '/', message: 'a survey definition must be a JSON object' });
    return report();
  }
  const size = Buffer.byteLength(JSON.stringify(definition));
  if (size > DEFINITION_LIMITS.bytes) {
    errors.push({
      path: '/',
      message: `a definition may hold at most ${DEFINITION_LIMITS.bytes} bytes (this one: ${size})`,
    });
    return report();
  }

  // 1. Structure and bounds, on the raw JSON.
  const elements: ElementRef[] = [];
  const pages: Array<{ element: Json; path: string }> = [];
  let items = 0;
  /** Every element, counted on past the limit so the error can say how many there are. */
  let total = 0;
  const pathOf = new Map<object, string>();
  const index = (value: unknown, path: string, depth: number): void => {
    if (depth > 64 || typeof value !== 'object' || value === null) return;
    if (!Array.isArray(value)) pathOf.set(value, path);
    for (const [k, v] of Object.entries(value)) index(v, ptr(path, k), depth + 1);
  };
  index(definition, '', 0);
  const walkElements = (list: unknown, base: string, scope: string, depth: number): void => {
    if (list === undefined) return;
    if (!Array.isArray(list)) {
      errors.push({ path: base, message: 'must be an array of elements' });
      return;
    }
    if (depth > DEFINITION_LIMITS.depth) {
      errors.push({ path: base, message: `panels may be nested at most ${DEFINITION_LIMITS.depth} deep` });
      return;
    }
    list.forEach((el, j) => {
      const path = `${base}/${j}`;
      if (!isObject(el)) {
        errors.push({ path, message: 'an element must be an object' });
        return;
      }
      const type = typeof el.type === 'string' ? el.type.toLowerCase() : '';
      const inner = type === 'paneldynamic' || type === 'matrixdynamic' || type === 'matrixdropdown';
      if (++total > DEFINITION_LIMITS.elements) {
        for (const key of ELEMENT_LISTS) walkElements(el[key], ptr(path, key), scope, depth + 1);
        return;
      }
      elements.push({ element: el, path, type, scope, depth });
      let own = 0;
      for (const key of ITEM_LISTS) {
        const value = el[key];
        if (Array.isArray(value)) own += value.length;
      }
      if (typeof el.rateCount === 'number') own += el.rateCount;
      if (own > DEFINITION_LIMITS.itemsPerQuestion) {
        errors.push({
          path,
          message: `a question may offer at most ${DEFINITION_LIMITS.itemsPerQuestion} choices, rows, columns or items (this one: ${own})`,
        });
      }
      items += own;
      for (const key of [
        'panelCount',
        'minPanelCount',
        'maxPanelCount',
        'rowCount',
        'minRowCount',
        'maxRowCount',
      ]) {
        if (typeof el[key] === 'number' && el[key] > DEFINITION_LIMITS.dynamicCount) {
          errors.push({
            path: ptr(path, key),
            message: `at most ${DEFINITION_LIMITS.dynamicCount}: each panel or row is built and checked for every answer`,
          });
        }
      }
      for (const key of ELEMENT_LISTS) {
        walkElements(el[key], ptr(path, key), inner ? path : scope, depth + 1);
      }
    });
  };
  if (definition.pages !== undefined && !Array.isArray(definition.pages)) {
    errors.push({ path: '/pages', message: 'must be an array of pages' });
    return report();
  }
  const pageList = (definition.pages as unknown[] | undefined) ?? [];
  if (pageList.length > DEFINITION_LIMITS.pages) {
    errors.push({ path: '/pages', message: `a survey may have at most ${DEFINITION_LIMITS.pages} pages` });
    return report();
  }
  pageList.forEach((page, i) => {
    const path = ptr('', 'pages', i);
    if (!isObject(page)) {
      errors.push({ path, message: 'a page must be an object' });
      return;
    }
    pages.push({ element: page, path });
    walkElements(page.elements, `${path}/elements`, '', 1);
  });
  walkElements(definition.elements, '/elements', '', 1);
  if (total > DEFINITION_LIMITS.elements) {
    errors.push({
      path: pageList.length ? '/pages' : '/elements',
      message: `a survey may hold at most ${DEFINITION_LIMITS.elements} elements (this one: ${total})`,
    });
    return report();
  }
  if (items > DEFINITION_LIMITS.items) {
    errors.push({
      path: '/',
      message: `a survey may offer at most ${DEFINITION_LIMITS.items} choices, rows, columns and items in all (this one: ${items})`,
    });
  }
  if (!elements.some((e) => e.type !== 'panel' && e.type !== 'html' && e.type !== 'image')) {
    errors.push({
      path: Array.isArray(definition.elements) ? '/elements' : '/pages',
      message: 'a survey needs at least one page (or top-level elements) with a question',
    });
  }
  if (errors.length) return report();

  // 3. Names: present, storable, not reserved, one answer per value name.
  const valueNames = new Map<string, string>();
  const pageNames = new Map<string, string>();
  /** Names an expression may read a value of. */
  const known = new Set<string>();
  /** Names of elements whose properties an expression may read ({$name.visible}). */
  const elementNames = new Set<string>(['survey']);
  for (const page of pages) {
    const name = page.element.name;
    if (typeof name !== 'string') continue;
    elementNames.add(name.toLowerCase());
    if (pageNames.has(name))
      errors.push({ path: `${page.path}/name`, message: `duplicate page name "${name}"` });
    pageNames.set(name, page.path);
  }
  for (const el of elements) {
    const name = el.element.name;
    const isQuestion =
      el.type !== 'panel' && el.type !== '' && Serializer.isDescendantOf(el.type, 'question');
    if (typeof name !== 'string' || !name.trim()) {
      if (isQuestion && el.type !== 'html' && el.type !== 'image')
        errors.push({
          path: `${el.path}/name`,
          message: 'every question needs a name: its answer is stored under it',
        });
      continue;
    }
    elementNames.add(name.toLowerCase());
    if (isQuestion) known.add(name.toLowerCase());
    const nameProblem = keyProblem(name);
    if (nameProblem?.startsWith('is reserved')) {
      errors.push({ path: `${el.path}/name`, message: `"${name}" ${nameProblem}` });
      continue;
    }
    if (name.length > 128)
      errors.push({ path: `${el.path}/name`, message: 'a name may have at most 128 characters' });
    if (!isQuestion) continue;
    const valueName =
      typeof el.element.valueName === 'string' && el.element.valueName ? el.element.valueName : name;
    const where = typeof el.element.valueName === 'string' ? `${el.path}/valueName` : `${el.path}/name`;
    known.add(valueName.toLowerCase());
    const problem = keyProblem(valueName);
    if (problem) {
      errors.push({ path: where, message: `"${valueName}" ${problem}` });
      continue;
    }
    if (['html', 'image'].includes(el.type)) continue;
    const key = `${el.scope}\u0000${valueName.toLowerCase()}`;
    const first = valueNames.get(key);
    if (first) {
      errors.push({
        path: where,
        message: `duplicate name "${valueName}" (first at ${first}): two questions would store their answers under one key`,
      });
    } else valueNames.set(key, el.path);
    for (const sub of answerKeys(el.element)) {
      const p = keyProblem(String(sub.key));
      if (p) errors.push({ path: `${el.path}/${sub.at}`, message: `"${String(sub.key)}" ${p}` });
      known.add(String(sub.key).toLowerCase());
    }
  }
  for (const c of Array.isArray(definition.calculatedValues) ? definition.calculatedValues : []) {
    if (isObject(c) && typeof c.name === 'string') known.add(c.name.toLowerCase());
  }
  // Triggers may set a value or variable of their own name (setvalue, runexpression).
  (Array.isArray(definition.triggers) ? definition.triggers : []).forEach((t, i) => {
    if (!isObject(t) || typeof t.setToName !== 'string') return;
    const problem = keyProblem(t.setToName);
    if (problem)
      errors.push({ path: ptr('', 'triggers', i, 'setToName'), message: `"${t.setToName}" ${problem}` });
    known.add(t.setToName.toLowerCase());
  });

  // 4. Checks survey-core leaves to the author.
  const patterns: PatternUse[] = [];
  const checkExpression = (text: unknown, path: string) => {
    if (text === undefined || text === '' || text === null) return;
    if (typeof text !== 'string') {
      errors.push({ path, message: 'an expression must be a string' });
      return;
    }
    if (text.length > DEFINITION_LIMITS.expressionLength) {
      errors.push({
        path,
        message: `an expression may have at most ${DEFINITION_LIMITS.expressionLength} characters`,
      });
      return;
    }
    const runner = new ConditionRunner(text);
    if (!runner.canRun()) {
      errors.push({ path, message: `the expression cannot be parsed: ${text.slice(0, 200)}` });
      return;
    }
    for (const fn of functionNames(text)) {
      if (!FunctionFactory.Instance.hasFunction(fn)) {
        errors.push({ path, message: `the expression calls "${fn}", which is not a SurveyJS function` });
        return;
      }
    }
    for (const variable of runner.getVariables()) {
      if (variable.startsWith(String(settings.expressionElementPropertyPrefix))) {
        const element = variable.slice(1).split(/[.[]/)[0]!.toLowerCase();
        if (elementNames.has(element) || BUILT_IN_VARIABLES.has(element)) continue;
        errors.push({
          path,
          message: `the expression reads a property of "${variable}", which is not an element of this survey`,
        });
        continue;
      }
      const base = variable.split(/[.[]/)[0]!.toLowerCase();
      if (known.has(base) || BUILT_IN_VARIABLES.has(base) || known.has(variable.toLowerCase())) continue;
      // Comments ("q-Comment") and matrix totals ("matrix-total") are values survey-core adds.
      const stem = base.replace(/-(comment|total)$/, '');
      if (stem !== base && known.has(stem)) continue;
      errors.push({
        path,
        message: `the expression refers to "${variable}", which is not a question or value of this survey`,
      });
    }
  };
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 40) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}/${i}`, depth + 1));
      return;
    }
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      const at = ptr(path, key);
      if (EXPRESSION_PROPERTIES.has(key)) checkExpression(v, at);
      else if (key === 'choicesByUrl')
        errors.push({
          path: at,
          message: 'choices loaded from a URL are not allowed: the page makes no outside requests',
        });
      else if (key === 'regex' && value.type === 'regex') {
        if (typeof v !== 'string')
          errors.push({ path: at, message: 'a regular expression must be a string' });
        else if (v.length > DEFINITION_LIMITS.expressionLength)
          errors.push({ path: at, message: 'a regular expression may have at most 2000 characters' });
        else {
          const flags = value.caseInsensitive === true || value.insensitive === true ? 'i' : '';
          try {
            new RegExp(v, flags);
            patterns.push({ path: at, pattern: v, flags });
          } catch (err) {
            errors.push({ path: at, message: `not a valid regular expression: ${(err as Error).message}` });
          }
        }
      } else if (['imageLink', 'logo', 'backgroundImage', 'imageLinkTablet'].includes(key) && external(v)) {
        warnings.push({
          path: at,
          message:
            'an image from another site is blocked by the page’s content security policy; use a data: URI',
        });
      } else if (['navigateToUrl', 'url'].includes(key) && external(v)) {
        warnings.push({ path: at, message: 'sends the tenant to another site after the survey' });
      } else if (key === 'html' && typeof v === 'string' && /<img[^>]+src\s*=\s*["']?https?:/i.test(v)) {
        warnings.push({
          path: at,
          message: 'an image from another site is blocked by the page’s content security policy',
        });
      }
      if (typeof v === 'object') visit(v, at, depth + 1);
    }
  };
  visit(definition, '', 0);
  for (const [i, item] of (Array.isArray(definition.triggers) ? definition.triggers : []).entries()) {
    if (!isObject(item)) continue;
    for (const ref of ['fromName', 'gotoName'] as const) {
      const target = item[ref];
      const names = ref === 'gotoName' ? elementNames : known;
      if (typeof target === 'string' && !names.has(target.toLowerCase()))
        errors.push({
          path: ptr('', 'triggers', i, ref),
          message: `"${target}" is not a question of this survey`,
        });
    }
  }
  for (const el of elements) {
    checkChoices(el, errors);
    checkRating(el, errors);
    checkPrimitiveTypes(el, errors);
    const source = el.element.choicesFromQuestion;
    if (typeof source === 'string' && !known.has(source.toLowerCase()))
      errors.push({
        path: `${el.path}/choicesFromQuestion`,
        message: `"${source}" is not a question of this survey`,
      });
  }
  checkPrimitiveTypes({ element: definition, path: '', type: 'survey', scope: '', depth: 0 }, errors);
  for (const page of pages) checkPrimitiveTypes({ ...page, type: 'page', scope: '', depth: 0 }, errors);

  // 5. survey-core's own judgement, last: loading may fill in the JSON it was given.
  let model: ServerSurvey;
  try {
    model = new ServerSurvey(definition);
  } catch (err) {
    // survey-core throws on some names (a question named "constructor"); those are reported above.
    if (!errors.length)
      errors.push({ path: '/', message: `survey-core cannot load it: ${(err as Error).message}` });
    return { ...report(), languages: languages ?? [] };
  }
  for (const e of (model.jsonErrors ?? []) as Array<JsonError>) {
    errors.push(jsonErrorDetail(e, pathOf));
  }

  const langs = languages ?? definitionLanguages(model, definition);
  warnings.push(...translationWarnings(definition, langs));
  if (errors.length) return { ...report(), languages: langs };

  const pathByName = new Map<unknown, string>();
  for (const el of [...elements].reverse()) pathByName.set(el.element.name, el.path);
  const questions = (model.getAllQuestions(false, false, false) as Question[])
    .filter((q) => q.hasInput !== false || q.getType() === 'expression')
    .filter((q) => !['html', 'image'].includes(q.getType()))
    .map((q) => describeQuestion(q, pathByName.get(q.name) ?? ''));
  return { errors: [], warnings, questions, languages: langs, patterns };
}

interface JsonError {
  type: string;
  message: string;
  propertyName?: string;
  jsonObj?: unknown;
}

function jsonErrorDetail(e: JsonError, pathOf: Map<object, string>): ErrorDetail {
  const base = (isObject(e.jsonObj) && pathOf.get(e.jsonObj)) || '';
  if (e.type === 'incorrecttypeproperty' || e.type === 'missingtypeproperty') {
    const type = isObject(e.jsonObj) ? e.jsonObj.type : undefined;
    return {
      path: `${base}/type`,
      message:
        type === undefined
          ? 'every element needs a type'
          : `unknown element type "${String(type)}": survey-core ${e.type === 'missingtypeproperty' ? 'needs a type here' : 'does not know it and would drop the element'}`,
    };
  }
  if (e.type === 'unknownproperty' && e.propertyName) {
    return {
      path: ptr(base, e.propertyName),
      message: `unknown property "${e.propertyName}": survey-core does not know it here and would ignore it`,
    };
  }
  return {
    path: e.propertyName ? ptr(base, e.propertyName) : base || '/',
    message: `survey-core: ${e.message}`,
  };
}

/** Keys of a question's answer object: rows, columns of drop-down matrices, multiple-text items. */
function answerKeys(el: Json): Array<{ key: unknown; at: string }> {
  const out: Array<{ key: unknown; at: string }> = [];
  for (const list of ['columns', 'items'] as const) {
    const members = el[list];
    if (!Array.isArray(members)) continue;
    members.forEach((c, i) => {
      if (isObject(c) && typeof c.name === 'string') out.push({ key: c.name, at: `${list}/${i}/name` });
    });
  }
  if (Array.isArray(el.rows)) {
    el.rows.forEach((r, i) =>
      out.push(isObject(r) ? { key: r.value, at: `rows/${i}/value` } : { key: r, at: `rows/${i}` }),
    );
  }
  return out;
}

function external(v: unknown): boolean {
  return typeof v === 'string' && /^(https?:)?\/\//i.test(v.trim());
}

type Value = string | number | boolean;

function valuesOf(list: unknown): Value[] {
  return Array.isArray(list) ? (list as Array<{ value: Value }>).map((c) => c.value) : [];
}

/** A question as the mapping and the export see it; survey-core supplies every value. */
export function describeQuestion(q: Question, path: string): QuestionInfo {
  const type = q.getType();
  const any = q as unknown as Record<string, unknown>;
  const base: QuestionInfo = {
    name: q.getValueName(),
    type,
    path,
    values: null,
    multiple:
      ['checkbox', 'tagbox', 'ranking'].includes(type) ||
      (type === 'imagepicker' && Boolean(any.multiSelect)),
    inputType: type === 'text' ? String(any.inputType ?? 'text') : null,
  };
  if (['radiogroup', 'checkbox', 'dropdown', 'tagbox', 'imagepicker', 'ranking'].includes(type)) {
    const values = valuesOf(any.choices);
    const extras: Array<[string, string]> = [
      ['showOtherItem', 'otherItem'],
      ['showNoneItem', 'noneItem'],
      ['showRefuseItem', 'refuseItem'],
      ['showDontKnowItem', 'dontKnowItem'],
    ];
    for (const [flag, item] of extras) if (any[flag]) values.push((any[item] as { value: Value }).value);
    // Choices drawn from another question are known only at run time; a numeric range now.
    base.values = any.choicesFromQuestion ? null : values;
    if (type === 'dropdown' && any.choicesMax && !any.choicesFromQuestion && !values.length) {
      base.values = valuesOf((q as unknown as { visibleChoices: unknown }).visibleChoices);
    }
  } else if (type === 'rating') {
    base.values = valuesOf(any.visibleRateValues);
  } else if (type === 'boolean') {
    base.values = [
      (any.valueTrue as Value | undefined) ?? true,
      (any.valueFalse as Value | undefined) ?? false,
    ];
  } else if (type === 'matrix') {
    base.values = valuesOf(any.columns);
    base.rows = valuesOf(any.rows) as Array<string | number>;
  } else if (type === 'matrixdropdown' || type === 'matrixdynamic') {
    if (type === 'matrixdropdown') base.rows = valuesOf(any.rows) as Array<string | number>;
    base.columns = (
      any.columns as Array<{ name: string; cellType: string; templateQuestion?: Question }>
    ).map((c) => {
      const cell = c.templateQuestion as unknown as Record<string, unknown> | undefined;
      const cellType = cell?.getType ? (cell.getType as () => string)() : String(c.cellType);
      let values: Value[] | null = null;
      if (cell && ['radiogroup', 'dropdown', 'checkbox', 'tagbox'].includes(cellType)) {
        values = valuesOf(cell.choices);
      } else if (cell && cellType === 'rating') values = valuesOf(cell.visibleRateValues);
      else if (cell && cellType === 'boolean') values = [true, false];
      return { name: c.name, cellType, values };
    });
  } else if (type === 'multipletext') {
    base.items = (any.items as Array<{ name: string; inputType?: string }>).map((i) => ({
      name: i.name,
      inputType: String(i.inputType ?? 'text'),
    }));
  }
  return base;
}

/** Properties of boolean or number type given as another type: survey-core coerces them silently. */
function checkPrimitiveTypes(walked: ElementRef, errors: ErrorDetail[]): void {
  const className = walked.type;
  if (!className || !Serializer.findClass(className)) return;
  for (const [key, value] of Object.entries(walked.element)) {
    if (key === 'type') continue;
    const prop = Serializer.findProperty(className, key) as {
      type: string;
      isLocalizable?: boolean;
      onSetValue?: unknown;
    } | null;
    if (!prop) continue;
    // Properties with a setter of their own accept their documented older forms ("top", ...).
    if (
      (prop.type === 'boolean' || prop.type === 'switch') &&
      typeof value !== 'boolean' &&
      !prop.onSetValue
    ) {
      errors.push({
        path: ptr(walked.path, key),
        message: 'must be a boolean, true or false (survey-core would read any text as true)',
      });
    } else if (prop.type === 'number' && typeof value !== 'number') {
      errors.push({ path: ptr(walked.path, key), message: 'must be a number' });
    } else if (prop.type === 'itemvalue[]' && !Array.isArray(value)) {
      errors.push({
        path: ptr(walked.path, key),
        message: 'must be an array of values or {"value", "text"} items',
      });
    } else if (prop.isLocalizable && (typeof value === 'number' || typeof value === 'boolean')) {
      errors.push({
        path: ptr(walked.path, key),
        message: 'must be text, or an object of texts by language',
      });
    }
  }
}

/** One problem per location. */
function dedupe(list: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.path}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const LOCALE_KEY = /^(default|[a-z]{2,3}(-[a-zA-Z]{2,4})?)$/;

/** Localised strings missing a listed language; plain strings when several languages are listed. */
function translationWarnings(definition: Json, languages: string[]): ErrorDetail[] {
  const warnings: ErrorDetail[] = [];
  const others = languages.slice(1);
  for (const lang of languages) {
    if (!hasInterfaceTranslation(lang)) {
      warnings.push({
        path: '/languages',
        message: `survey-core has no interface translation for "${lang}"`,
      });
    }
  }
  let count = 0;
  const visit = (value: unknown, path: string, key: string) => {
    if (count > 200) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}/${i}`, key));
      return;
    }
    if (!isObject(value)) {
      if (typeof value === 'string' && others.length && TEXT_KEYS.has(key) && value.trim()) {
        count++;
        warnings.push({
          path,
          message: `not translated: a plain string, but the survey lists ${languages.join(', ')}`,
        });
      }
      return;
    }
    const keys = Object.keys(value);
    if (
      keys.length &&
      keys.every((k) => LOCALE_KEY.test(k)) &&
      keys.some((k) => typeof value[k] === 'string')
    ) {
      for (const lang of others) {
        if (typeof value[lang] !== 'string' || !(value[lang] as string).trim()) {
          count++;
          warnings.push({ path, message: `missing the "${lang}" translation` });
        }
      }
      return;
    }
    for (const k of keys) visit(value[k], ptr(path, k), k);
  };
  visit(definition, '', '');
  return warnings;
}

/** Properties whose string values tenants read. */
const TEXT_KEYS = new Set([
  'title',
  'description',
  'text',
  'html',
  'completedHtml',
  'placeholder',
  'minRateDescription',
  'maxRateDescription',
  'labelTrue',
  'labelFalse',
  'otherText',
  'noneText',
  'requiredErrorText',
]);

/** Function calls in an expression (string literals and variables removed first). */
function functionNames(text: string): string[] {
  const stripped = text.replace(/'[^']*'|"[^"]*"|\{[^}]*\}/g, ' ');
  return [...stripped.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)]
    .map((m) => m[1]!)
    .filter((n) => !/^(and|or|not|negate|contains|notcontains|anyof|allof|noneof|empty|notempty)$/i.test(n));
}

/** Choice items: a value each, and no value offered twice (answers would be ambiguous). */
function checkChoices(el: ElementRef, errors: ErrorDetail[]): void {
  for (const key of ['choices', 'rateValues'] as const) {
    const choices = el.element[key];
    if (!Array.isArray(choices)) continue;
    const seen = new Set<string>();
    choices.forEach((c, k) => {
      const value = isObject(c) ? c.value : c;
      const path = isObject(c) ? `${el.path}/${key}/${k}/value` : `${el.path}/${key}/${k}`;
      if (value === undefined || value === null || value === '') {
        errors.push({ path, message: 'a choice needs a value' });
        return;
      }
      const id = JSON.stringify(value);
      if (seen.has(id)) errors.push({ path, message: `duplicate choice value ${id}` });
      seen.add(id);
    });
  }
}

/** survey-core quietly truncates or empties a rating scale that does not add up. */
function checkRating(el: ElementRef, errors: ErrorDetail[]): void {
  if (el.type !== 'rating' || Array.isArray(el.element.rateValues)) return;
  if (typeof el.element.rateCount === 'number') return;
  const num = (k: string, d: number) => (typeof el.element[k] === 'number' ? (el.element[k] as number) : d);
  const min = num('rateMin', 1);
  const max = num('rateMax', 5);
  const step = num('rateStep', 1);
  const most = Number(settings.ratingMaximumRateValueCount) || 20;
  if (step <= 0) errors.push({ path: `${el.path}/rateStep`, message: 'rateStep must be positive' });
  else if (max < min)
    errors.push({ path: `${el.path}/rateMax`, message: 'rateMax must not be below rateMin' });
  else if ((max - min) / step + 1 > most) {
    errors.push({
      path: `${el.path}/rateMax`,
      message: `a rating scale has at most ${most} values (survey-core cuts longer ones)`,
    });
  }
}
