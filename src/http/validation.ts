import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { ErrorDetail } from '../errors';
import { pointerSegment } from '../json-pointer';

/** Bodies are validated strictly: no coercion, so `"5"` is not a number. */
export const bodyAjv = new Ajv({ allErrors: true, strict: false, strictNumbers: true, useDefaults: true });
/** Query strings and path parameters arrive as strings: coerce them to the schema's types. */
export const queryAjv = new Ajv({
  allErrors: true,
  strict: false,
  strictNumbers: true,
  useDefaults: true,
  coerceTypes: 'array',
});
addFormats(bodyAjv);
addFormats(queryAjv);

/** Turns ajv errors into contract details: a JSON Pointer into the input and a readable message. */
export function toDetails(errors: ErrorObject[] | null | undefined, prefix = ''): ErrorDetail[] {
  return (errors ?? []).map((e) => {
    let path = `${prefix}${e.instancePath}`;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') path += `/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') {
      path += `/${String(e.params.additionalProperty)}`;
      message = 'is not an allowed property';
    }
    if (e.keyword === 'enum') message += `: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    return { path: path || '/', message };
  });
}

const cache = new WeakMap<object, ValidateFunction>();

/** Compiles (once per schema object) a validator with the given ajv instance. */
export function compile(ajv: Ajv, schema: object): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why text holding U+0000 is refused (also in uploaded files). */
export const NUL_MESSAGE = 'text may not contain the NUL character (U+0000)';

/**
 * Finds keys that could reach a MongoDB query as an operator (`$where`, `$gt`) or pollute
 * prototypes (`__proto__`), and keys or text holding U+0000 (NUL), which PostgreSQL under
 * FerretDB cannot store and no form or page produces. Bodies holding them are refused before any
 * handler sees them.
 */
export function findUnsafeKeys(
  value: unknown,
  path = '',
  found: ErrorDetail[] = [],
  depth = 0,
): ErrorDetail[] {
  if (found.length >= 20) return found;
  if (depth > 64) {
    found.push({ path: path || '/', message: 'is nested too deeply' });
    return found;
  }
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push({ path: path || '/', message: NUL_MESSAGE });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findUnsafeKeys(v, `${path}/${i}`, found, depth + 1));
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const p = `${path}/${pointerSegment(key)}`;
      if (key.includes('\u0000')) found.push({ path: p, message: NUL_MESSAGE });
      else if (key.startsWith('$') || FORBIDDEN_KEYS.has(key)) {
        found.push({
          path: p,
          message: 'keys starting with "$" and "__proto__"/"constructor"/"prototype" are not accepted',
        });
      } else {
        findUnsafeKeys((value as Record<string, unknown>)[key], p, found, depth + 1);
      }
    }
  }
  return found;
}
