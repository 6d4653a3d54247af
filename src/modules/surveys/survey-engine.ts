import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RE2JS } from 're2js';
import { ConditionRunner, Model, surveyLocalization } from 'survey-core';
// Every interface translation survey-core ships: the server names languages and words its
// errors with them, and the page loads the same file for the tenant's language.
import 'survey-core/i18n';

/**
 * Bounds on what one definition may hold. survey-core builds every element, choice and page
 * eagerly; these keep the largest definition's load and a full answer check in tens of
 * milliseconds, far above any tenant questionnaire.
 */
export const DEFINITION_LIMITS = Object.freeze({
  /** Serialised size of the definition. */
  bytes: 512 * 1024,
  pages: 100,
  /** Pages, panels and questions together, template elements of dynamic panels included. */
  elements: 500,
  /** Choices, rate values, rows, columns and items of one question. */
  itemsPerQuestion: 500,
  /** Choices, rate values, rows, columns and items of the whole survey. */
  items: 5000,
  /** Panels or rows a dynamic panel or dynamic matrix may hold. */
  dynamicCount: 50,
  /** Nesting of panels and dynamic panels. */
  depth: 8,
  /** Length of one expression or regular expression. */
  expressionLength: 2000,
});

/** A compiled pattern with the one method survey-core's regex validator calls. */
interface Tester {
  test(value: string): boolean;
}

const patterns = new Map<string, Tester>();

/**
 * A regular expression from a definition, run by a linear-time engine (RE2) so that no
 * answer can make a pattern backtrack for seconds. Patterns RE2 cannot express (look-around,
 * back-references) were shown safe by the ReDoS check at validation; they run natively.
 */
export function linearRegex(pattern: string, flags: string): Tester {
  const key = `${flags}/${pattern}`;
  let tester = patterns.get(key);
  if (!tester) {
    try {
      const re = RE2JS.compile(pattern, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
      tester = { test: (value: string) => re.matcher(String(value)).find() };
    } catch {
      tester = new RegExp(pattern, flags);
    }
    if (patterns.size > 1000) patterns.clear();
    patterns.set(key, tester);
  }
  return tester;
}

/** survey-core's model as the server runs it: headless, with linear-time regular expressions. */
export class ServerSurvey extends Model {
  override createRegexValidator(_q: unknown, _v: unknown, pattern: string, flags: string): RegExp {
    return linearRegex(pattern, flags) as RegExp;
  }
}

/**
 * The variables an expression reads (`{q}`, `{panel[0].q}`, `{matrix.row}`), as survey-core
 * parses it; none for an expression it cannot parse.
 */
export function expressionVariables(expression: string): string[] {
  try {
    return new ConditionRunner(expression).getVariables();
  } catch {
    return [];
  }
}

/** Members every JavaScript object has: no question, answer or value may be named so. */
function isReservedName(name: string): boolean {
  return name in Object.prototype || name === '__proto__' || name === 'prototype';
}

/**
 * Why `key` cannot name an answer, or null: answers are stored by name in a database field
 * (no "." and no leading "$") and handled as plain objects (no member every object has).
 */
export function keyProblem(key: string): string | null {
  if (isReservedName(key)) return 'is reserved: every JavaScript object has a member of that name';
  if (key.startsWith('$')) return 'may not start with "$" (answers are stored under this name)';
  if (key.includes('.')) return 'may not contain "." (answers are stored under this name)';
  if (key.includes('\u0000')) return 'may not contain a NUL character';
  return null;
}

let localeFileMap: Map<string, string> | null = null;

/** survey-core's interface translation files by locale code (`de` → `german`). */
export function localeFiles(): Map<string, string> {
  if (!localeFileMap) {
    const dir = path.join(path.dirname(require.resolve('survey-core')), 'i18n');
    localeFileMap = new Map();
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.js') || file.endsWith('.min.js') || file === 'index.js') continue;
      const code = /localeCode:\s*"([^"]+)"/.exec(readFileSync(path.join(dir, file), 'utf8'))?.[1];
      if (code) localeFileMap.set(code, file.slice(0, -3));
    }
  }
  return localeFileMap;
}

/** True when survey-core ships an interface translation for `code` (English is built in). */
export function hasInterfaceTranslation(code: string): boolean {
  return code === 'en' || Boolean(surveyLocalization.locales[code]);
}

/** A language named in itself ("Deutsch", "ქართული"), as survey-core's translators wrote it. */
export function nativeLanguageName(code: string): string {
  const names = surveyLocalization.localeNames as Record<string, string | undefined>;
  const name = names[code] ?? names[code.split('-')[0]!];
  if (!name) return code;
  // Capitals only for scripts that use them in names (Georgian Mtavruli would be wrong here).
  return name.charCodeAt(0) < 0x0530 ? name.charAt(0).toLocaleUpperCase(code) + name.slice(1) : name;
}

/** True when some text of the definition has an explicit translation into `lang`. */
function hasTranslation(value: unknown, lang: string, depth = 0): boolean {
  if (depth > 40 || typeof value !== 'object' || value === null) return false;
  if (!Array.isArray(value) && typeof (value as Record<string, unknown>)[lang] === 'string') return true;
  return Object.values(value).some((v) => hasTranslation(v, lang, depth + 1));
}

/**
 * The languages a loaded definition is written in: its `locale` (or English) first, then
 * every locale its texts carry, as survey-core lists them. survey-core names the default
 * texts "en" whatever the survey's locale; English counts only where texts have it.
 */
export function definitionLanguages(model: Model, definition: Record<string, unknown>): string[] {
  const first = model.locale || 'en';
  const used = model
    .getUsedLocales()
    .filter(
      (l) => l && l !== 'default' && (l !== 'en' || first === 'en' || hasTranslation(definition, 'en')),
    );
  return [...new Set([first, ...used])].slice(0, 10);
}
