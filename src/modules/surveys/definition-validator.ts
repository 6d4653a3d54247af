import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { ConditionRunner, FunctionFactory, Model, Serializer, surveyLocalization } from 'survey-core';
// Interface translations of the service's languages, so a missing one is reported truthfully.
import 'survey-core/i18n/polish';
import 'survey-core/i18n/georgian';
import 'survey-core/i18n/ukrainian';
import 'survey-core/i18n/russian';
import type { ErrorDetail } from '../../errors';

/** Question types the server can re-validate answers for; anything else is refused. */
export const SUPPORTED_TYPES = new Set([
  'radiogroup',
  'checkbox',
  'dropdown',
  'tagbox',
  'rating',
  'boolean',
  'text',
  'comment',
  'html',
  'expression',
  'panel',
]);
/** Types that hold no answer. */
const NON_ANSWER_TYPES = new Set(['html', 'panel', 'expression']);
/** The most elements a tenant questionnaire may hold; far above any phone survey, far below a hang. */
export const MAX_ELEMENTS = 500;
/** Question names become answer keys and CSV columns. */
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** Properties holding expressions, checked for syntax and references. */
const EXPRESSION_PROPERTIES = [
  'visibleIf',
  'enableIf',
  'requiredIf',
  'resetValueIf',
  'setValueIf',
  'defaultValueExpression',
  'choicesVisibleIf',
  'choicesEnableIf',
  'minValueExpression',
  'maxValueExpression',
  'expression',
];
/** Variables SurveyJS resolves itself inside expressions (context of a row, panel, item). */
const CONTEXT_VARIABLES = new Set([
  'row',
  'panel',
  'item',
  'choice',
  'parentpanel',
  'rootpanel',
  'composite',
  'self',
  'locale',
  'pageno',
  'pagecount',
]);
const LOCALE_KEY = /^(default|[a-z]{2,3}(-[a-zA-Z]{2,4})?)$/;

/** What the server knows about one answerable question of a definition. */
export interface QuestionInfo {
  name: string;
  type: string;
  /** JSON Pointer of the element in the definition. */
  path: string;
  /** The values an answer may take; null for free text. */
  values: Array<string | number | boolean> | null;
  /** The answer is a list of values (checkbox, tagbox). */
  multiple: boolean;
  isRequired: boolean;
  inputType: string | null;
  min: number | null;
  max: number | null;
  maxLength: number | null;
}

/** The outcome of validating a definition. */
export interface DefinitionReport {
  errors: ErrorDetail[];
  warnings: ErrorDetail[];
  questions: QuestionInfo[];
}

const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
// The schema ships inside survey-core but is not in its package exports: read it from disk.
const definitionSchema = JSON.parse(
  readFileSync(path.join(path.dirname(require.resolve('survey-core')), 'surveyjs_definition.json'), 'utf8'),
) as { definitions: Record<string, unknown> };
ajv.addSchema(definitionSchema, 'surveyjs');
const validateSurvey = ajv.compile({ $ref: 'surveyjs' });
const typeValidators = new Map<string, ReturnType<typeof ajv.compile>>();

/**
 * The schema's element lists are an `anyOf` over every question type, whose errors say
 * nothing useful; so each element is checked against its own type's definition, with
 * nested element lists emptied (they are checked element by element).
 */
function schemaCheck(value: Json, type: string, path: string, errors: ErrorDetail[]): void {
  let validate = typeValidators.get(type);
  if (!validate) {
    if (!definitionSchema.definitions[type]) return;
    validate = ajv.compile({ $ref: `surveyjs#/definitions/${type}` });
    typeValidators.set(type, validate);
  }
  const shallow = 'elements' in value ? { ...value, elements: [] } : value;
  if (!validate(shallow)) {
    // The bundled schema types a choice value as a string; SurveyJS itself accepts numbers.
    const real = (validate.errors ?? []).filter(
      (e) => !(e.keyword === 'type' && /\/(choices|rateValues)\/\d+\/value$/.test(e.instancePath)),
    );
    const anyOfNoise = real.filter(
      (e) => !/\/(choices|rateValues)\/\d+$/.test(e.instancePath) || e.keyword === 'additionalProperties',
    );
    errors.push(...schemaErrors(anyOfNoise, path));
  }
}

type Json = Record<string, unknown>;
interface Walked {
  element: Json;
  path: string;
  type: string;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function ptr(...parts: Array<string | number>): string {
  return parts.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Validates a SurveyJS definition the way the tenant page will run it, and more strictly:
 * the JSON Schema shipped with survey-core, survey-core's own parse (which silently drops
 * elements of unknown type, so those are detected here), unknown properties, duplicate or
 * unsafe names, expressions that do not parse or refer to questions that do not exist,
 * question types whose answers the server could not re-validate, and external choice
 * sources. Missing translations of the listed languages are warnings.
 *
 * @param languages - the survey's languages, the first being the default (`default` keys).
 */
export function validateDefinition(definition: unknown, languages: string[] = ['en']): DefinitionReport {
  const errors: ErrorDetail[] = [];
  const warnings: ErrorDetail[] = [];
  if (!isObject(definition)) {
    return {
      errors: [{ path: '/', message: 'a survey definition must be a JSON object' }],
      warnings,
      questions: [],
    };
  }
  if (!Array.isArray(definition.pages) || definition.pages.length === 0) {
    errors.push({ path: '/pages', message: 'a survey needs at least one page' });
    return { errors, warnings, questions: [] };
  }

  // Walk first: a huge definition is refused before the schema or the model touch it.
  const elements: Walked[] = [];
  const pages: Walked[] = [];
  let tooMany = false;
  definition.pages.forEach((page, i) => {
    if (!isObject(page)) {
      errors.push({ path: ptr('pages', i), message: 'a page must be an object' });
      return;
    }
    pages.push({ element: page, path: ptr('pages', i), type: 'page' });
    walk(page.elements, ptr('pages', i, 'elements'));
  });
  function walk(list: unknown, base: string): void {
    if (list === undefined) return;
    if (!Array.isArray(list)) {
      errors.push({ path: base, message: 'must be an array of elements' });
      return;
    }
    list.forEach((el, j) => {
      if (elements.length >= MAX_ELEMENTS) {
        tooMany = true;
        return;
      }
      const path = `${base}/${j}`;
      if (!isObject(el)) {
        errors.push({ path, message: 'an element must be an object' });
        return;
      }
      const type = typeof el.type === 'string' ? el.type : '';
      elements.push({ element: el, path, type });
      if (type === 'panel') walk(el.elements, `${path}/elements`);
    });
  }
  if (tooMany) {
    return {
      errors: [{ path: '/pages', message: `a survey may hold at most ${MAX_ELEMENTS} elements` }],
      warnings,
      questions: [],
    };
  }

  if (!validateSurvey({ ...definition, pages: [] })) {
    errors.push(...schemaErrors(validateSurvey.errors ?? [], ''));
  }
  checkProperties({ element: definition, path: '', type: 'survey' }, errors);
  for (const key of ['triggers', 'calculatedValues'] as const) {
    const list = definition[key];
    if (!Array.isArray(list)) continue;
    list.forEach((item, k) => {
      if (!isObject(item)) return;
      const type = key === 'calculatedValues' ? 'calculatedvalue' : `${String(item.type ?? '')}trigger`;
      if (!Serializer.findClass(type)) errors.push({ path: ptr(key, k, 'type'), message: 'unknown type' });
      else checkProperties({ element: item, path: ptr(key, k), type }, errors);
    });
  }

  // Types, names and properties.
  const names = new Map<string, string>();
  const pageNames = new Map<string, string>();
  for (const page of pages) {
    checkProperties(page, errors);
    schemaCheck(page.element, 'page', page.path, errors);
    const name = page.element.name;
    if (typeof name === 'string') {
      if (pageNames.has(name))
        errors.push({ path: `${page.path}/name`, message: `duplicate page name "${name}"` });
      pageNames.set(name, page.path);
    }
  }
  for (const el of elements) {
    if (!el.type) {
      errors.push({ path: `${el.path}/type`, message: 'every element needs a type' });
      continue;
    }
    if (!Serializer.findClass(el.type)) {
      errors.push({ path: `${el.path}/type`, message: `unknown element type "${el.type}"` });
      continue;
    }
    if (!SUPPORTED_TYPES.has(el.type)) {
      errors.push({
        path: `${el.path}/type`,
        message: `type "${el.type}" is not supported: allowed are ${[...SUPPORTED_TYPES].join(', ')}`,
      });
      continue;
    }
    checkProperties(el, errors);
    schemaCheck(el.element, el.type, el.path, errors);
    const name = el.element.name;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      errors.push({
        path: `${el.path}/name`,
        message: 'a name of 1–64 letters, digits, "_" or "-", starting with a letter, is required',
      });
    } else if (names.has(name)) {
      errors.push({
        path: `${el.path}/name`,
        message: `duplicate name "${name}" (first at ${names.get(name)})`,
      });
    } else {
      names.set(name, el.path);
    }
    for (const banned of ['valueName', 'choicesFromQuestion', 'choicesFromQuestionMode']) {
      if (banned in el.element) {
        errors.push({
          path: `${el.path}/${banned}`,
          message: `${banned} is not supported: each answer is stored under its own question’s name with choices the server can check`,
        });
      }
    }
    checkChoices(el, errors);
    checkRating(el, errors);
    if ('choicesByUrl' in el.element) {
      errors.push({
        path: `${el.path}/choicesByUrl`,
        message: 'choices loaded from a URL are not allowed: the page makes no outside requests',
      });
    }
  }

  // Expressions: syntax and references.
  const calculated = new Set(
    (Array.isArray(definition.calculatedValues) ? definition.calculatedValues : [])
      .map((c) => (isObject(c) && typeof c.name === 'string' ? c.name.toLowerCase() : ''))
      .filter(Boolean),
  );
  const panelNames = new Set(elements.filter((e) => e.type === 'panel').map((e) => String(e.element.name)));
  const known = new Set([...names.keys()].filter((n) => !panelNames.has(n)).map((n) => n.toLowerCase()));
  const checkExpression = (text: unknown, path: string) => {
    if (text === undefined || text === '') return;
    if (typeof text !== 'string') {
      errors.push({ path, message: 'an expression must be a string' });
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
      const base = variable.split(/[.[]/)[0]!.toLowerCase();
      if (known.has(base) || calculated.has(base) || CONTEXT_VARIABLES.has(base)) continue;
      errors.push({
        path,
        message: `the expression refers to "${variable}", which is not a question of this survey`,
      });
    }
  };
  for (const el of [...pages, ...elements]) {
    for (const prop of EXPRESSION_PROPERTIES) {
      if (prop in el.element) checkExpression(el.element[prop], `${el.path}/${prop}`);
    }
    if (Array.isArray(el.element.validators)) {
      el.element.validators.forEach(
        (v, k) => isObject(v) && checkExpression(v.expression, `${el.path}/validators/${k}/expression`),
      );
    }
    if (Array.isArray(el.element.choices)) {
      el.element.choices.forEach((c, k) => {
        if (isObject(c)) {
          checkExpression(c.visibleIf, `${el.path}/choices/${k}/visibleIf`);
          checkExpression(c.enableIf, `${el.path}/choices/${k}/enableIf`);
        }
      });
    }
  }
  for (const key of ['triggers', 'calculatedValues', 'completedHtmlOnCondition'] as const) {
    const list = definition[key];
    if (!Array.isArray(list)) continue;
    list.forEach((item, k) => {
      if (!isObject(item)) return;
      checkExpression(item.expression, ptr(key, k, 'expression'));
      checkExpression(item.runExpression, ptr(key, k, 'runExpression'));
      for (const ref of ['setToName', 'fromName', 'gotoName'] as const) {
        const target = item[ref];
        if (typeof target === 'string' && !known.has(target.toLowerCase())) {
          errors.push({ path: ptr(key, k, ref), message: `"${target}" is not a question of this survey` });
        }
      }
    });
  }

  // Translations.
  warnings.push(...translationWarnings(definition, languages));

  if (errors.length) return { errors: dedupe(errors), warnings, questions: [] };

  // survey-core's own parse: what it reports, and what it silently drops.
  const model = new Model(definition);
  for (const e of model.jsonErrors ?? []) {
    errors.push({ path: '/', message: `survey-core: ${e.message}` });
  }
  const questions = model.getAllQuestions(false, false, true);
  const byName = new Map(questions.map((q) => [q.name, q]));
  for (const [name, path] of names) {
    const walked = elements.find((e) => e.path === path)!;
    if (walked.type !== 'panel' && !byName.has(name)) {
      errors.push({ path, message: `survey-core did not load element "${name}"` });
    }
  }
  if (errors.length) return { errors: dedupe(errors), warnings, questions: [] };

  const infos: QuestionInfo[] = [];
  for (const el of elements) {
    if (NON_ANSWER_TYPES.has(el.type)) continue;
    const q = byName.get(el.element.name as string);
    if (q) infos.push(describeQuestion(q, el.path));
  }
  return { errors, warnings, questions: infos };
}

interface SurveyQuestion {
  name: string;
  getType(): string;
  isRequired: boolean;
  [key: string]: unknown;
}

function describeQuestion(q: SurveyQuestion, path: string): QuestionInfo {
  const type = q.getType();
  let values: QuestionInfo['values'] = null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  if (['radiogroup', 'checkbox', 'dropdown', 'tagbox'].includes(type)) {
    values = (q.choices as Array<{ value: string | number }>).map((c) => c.value);
    const extras: Array<[string, string]> = [
      ['showOtherItem', 'otherItem'],
      ['showNoneItem', 'noneItem'],
      ['showRefuseItem', 'refuseItem'],
      ['showDontKnowItem', 'dontKnowItem'],
    ];
    for (const [flag, item] of extras) {
      if (q[flag]) values.push((q[item] as { value: string }).value);
    }
  } else if (type === 'rating') {
    values = (q.visibleRateValues as Array<{ value: number | string }>).map((v) => v.value);
  } else if (type === 'boolean') {
    values = [(q.valueTrue as string | undefined) ?? true, (q.valueFalse as string | undefined) ?? false];
  }
  return {
    name: q.name,
    type,
    path,
    values,
    multiple: type === 'checkbox' || type === 'tagbox',
    isRequired: Boolean(q.isRequired),
    inputType: type === 'text' ? String(q.inputType ?? 'text') : null,
    min: type === 'text' ? num(Number(q.min)) : null,
    max: type === 'text' ? num(Number(q.max)) : null,
    maxLength: type === 'text' || type === 'comment' ? num(q.maxLength) : null,
  };
}

const PRIMITIVE_TYPES: Record<string, string> = { number: 'number', boolean: 'boolean', switch: 'boolean' };

/** Unknown properties, and primitives of the wrong type (survey-core would coerce or ignore them). */
function checkProperties(walked: Walked, errors: ErrorDetail[]): void {
  for (const [key, value] of Object.entries(walked.element)) {
    if (key === 'type') continue;
    const prop = Serializer.findProperty(walked.type, key);
    if (!prop) {
      errors.push({
        path: `${walked.path}/${key}`,
        message: `unknown property "${key}" for type "${walked.type}"`,
      });
      continue;
    }
    const expected = PRIMITIVE_TYPES[prop.type];
    if (expected && typeof value !== expected) {
      errors.push({ path: `${walked.path}/${key}`, message: `must be a ${expected}` });
    }
    if (prop.type === 'itemvalue[]' && !Array.isArray(value)) {
      errors.push({
        path: `${walked.path}/${key}`,
        message: 'must be an array of values or {"value", "text"} items',
      });
    }
  }
}

/** Keeps the most specific schema error per location: anyOf/oneOf noise says nothing useful. */
function schemaErrors(list: ErrorObject[], base: string): ErrorDetail[] {
  const specific = list.filter((e) => !['anyOf', 'oneOf', 'if', 'then'].includes(e.keyword));
  const chosen = specific.length ? specific : list;
  const byPath = new Map<string, ErrorDetail>();
  for (const e of chosen) {
    let path = `${base}${e.instancePath}` || '/';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') path = `${base}${e.instancePath}/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') {
      path = `${base}${e.instancePath}/${String(e.params.additionalProperty)}`;
      message = 'is not a property SurveyJS knows';
    }
    if (!byPath.has(path)) byPath.set(path, { path, message: `schema: ${message}` });
  }
  return [...byPath.values()];
}

/** One problem per location: the schema often repeats what a closer check already said. */
function dedupe(list: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    if (seen.has(d.path)) return false;
    seen.add(d.path);
    return true;
  });
}

/** Localised strings missing a listed language; plain strings when several languages are listed. */
function translationWarnings(definition: Json, languages: string[]): ErrorDetail[] {
  const warnings: ErrorDetail[] = [];
  const others = languages.slice(1);
  for (const lang of languages) {
    if (!surveyLocalization.locales[lang] && lang !== 'en') {
      warnings.push({
        path: '/languages',
        message: `survey-core has no interface translation for "${lang}"`,
      });
    }
  }
  const visit = (value: unknown, path: string, key: string) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}/${i}`, key));
      return;
    }
    if (!isObject(value)) {
      if (typeof value === 'string' && others.length && TEXT_KEYS.has(key) && value.trim()) {
        warnings.push({
          path,
          message: `not translated: a plain string, but the survey lists ${languages.join(', ')}`,
        });
      }
      return;
    }
    const keys = Object.keys(value);
    if (keys.includes('default') && keys.every((k) => LOCALE_KEY.test(k))) {
      for (const lang of others) {
        if (typeof value[lang] !== 'string' || !(value[lang] as string).trim()) {
          warnings.push({ path, message: `missing the "${lang}" translation` });
        }
      }
      return;
    }
    for (const k of keys) visit(value[k], `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, k);
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

/** Function calls in an expression (string literals removed first). */
function functionNames(text: string): string[] {
  const stripped = text.replace(/'[^']*'|"[^"]*"|\{[^}]*\}/g, ' ');
  return [...stripped.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)]
    .map((m) => m[1]!)
    .filter((n) => !/^(and|or|not|contains|notcontains|anyof|allof|empty|notempty)$/i.test(n));
}

/** Choice items: known properties, and no value offered twice (answers would be ambiguous). */
function checkChoices(el: Walked, errors: ErrorDetail[]): void {
  const choices = el.element.choices;
  if (!Array.isArray(choices)) return;
  const seen = new Set<string>();
  choices.forEach((c, k) => {
    const value = isObject(c) ? c.value : c;
    const path = isObject(c) ? `${el.path}/choices/${k}/value` : `${el.path}/choices/${k}`;
    if (isObject(c)) {
      checkProperties({ element: c, path: `${el.path}/choices/${k}`, type: 'itemvalue' }, errors);
      if (c.value === undefined || c.value === null || c.value === '') {
        errors.push({ path, message: 'a choice needs a value' });
        return;
      }
    }
    const key = JSON.stringify(value);
    if (seen.has(key)) errors.push({ path, message: `duplicate choice value ${key}` });
    seen.add(key);
  });
  if (Array.isArray(el.element.validators)) {
    el.element.validators.forEach((v, k) => {
      if (!isObject(v)) return;
      const type = `${String(v.type ?? '')}validator`;
      if (!Serializer.findClass(type))
        errors.push({ path: `${el.path}/validators/${k}/type`, message: 'unknown validator type' });
      else checkProperties({ element: v, path: `${el.path}/validators/${k}`, type }, errors);
    });
  }
}

/** survey-core quietly truncates or empties a rating scale that does not add up. */
function checkRating(el: Walked, errors: ErrorDetail[]): void {
  if (el.type !== 'rating' || Array.isArray(el.element.rateValues)) return;
  const num = (k: string, d: number) => (typeof el.element[k] === 'number' ? (el.element[k] as number) : d);
  const min = num('rateMin', 1);
  const max = num('rateMax', 5);
  const step = num('rateStep', 1);
  if (step <= 0) errors.push({ path: `${el.path}/rateStep`, message: 'rateStep must be positive' });
  else if (max < min)
    errors.push({ path: `${el.path}/rateMax`, message: 'rateMax must not be below rateMin' });
  else if ((max - min) / step + 1 > 20) {
    errors.push({
      path: `${el.path}/rateMax`,
      message: 'a rating scale has at most 20 values (survey-core cuts longer ones)',
    });
  }
}
