import type { IncomingMessage, ServerResponse } from 'node:http';
import { ValidationError, type ErrorDetail } from '../errors';

/** A JSON escape of U+0000 that is not itself escaped (`\\u0000` is a backslash and text). */
const NUL_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u0000/;

function esc(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** JSON Pointers of the strings and keys in `value` that hold U+0000, at most `max`. */
function nulPaths(value: unknown, path: string, out: string[], max = 20): string[] {
  if (out.length >= max) return out;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulPaths(v, `${path}/${i}`, out, max));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const at = `${path}/${esc(k)}`;
      if (k.includes('\u0000')) out.push(at);
      else nulPaths(v, at, out, max);
    }
  }
  return out;
}

const MESSAGE = 'text may not contain the NUL character (U+0000)';

/**
 * The JSON body reader's `verify` hook: a body whose strings or keys hold U+0000 is refused with
 * 422 and the paths that hold it. PostgreSQL (under FerretDB) cannot store that character, and no
 * form or page produces it. The raw body is only searched for the escape (U+0000 can only be
 * written escaped in JSON); it is parsed here only when the escape is there.
 */
export function refuseNulInJson(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  if (!buf.includes('\\u0000')) return;
  const text = buf.toString('utf8');
  if (!NUL_ESCAPE.test(text)) return;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return; // the reader reports the malformed JSON itself
  }
  const details: ErrorDetail[] = nulPaths(body, '', []).map((path) => ({
    path: path || '/',
    message: MESSAGE,
  }));
  if (details.length) throw new ValidationError('the body holds a NUL character', details);
}

/** The same for an uploaded text file (CSV): refused as a whole. */
export function refuseNulInText(text: string): void {
  if (text.includes('\u0000'))
    throw new ValidationError('the file holds a NUL character; nothing was stored', [
      { path: '/', message: MESSAGE },
    ]);
}
