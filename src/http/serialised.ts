import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { gzipSync } from 'node:zlib';

/** A response body encoded once: its JSON bytes, their gzip form and a validator. */
interface Encoded {
  json: Buffer;
  gzip: Buffer | null;
  etag: string;
}

/** Bodies below this size are sent as they are: gzip would save little and cost a header. */
const COMPRESS_FROM_BYTES = 1024;
const encoded = new WeakMap<object, Encoded>();
const csvText = new WeakMap<object, string>();

const isPlain = (value: unknown): value is object => {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return Array.isArray(value) || proto === Object.prototype || proto === null;
};

/**
 * Freezes a value and the plain objects and arrays inside it. A frozen reply body is promised
 * never to change, so it is serialised, hashed and compressed once and then sent as stored
 * bytes. Class instances inside (dates, ids) are left as they are.
 */
export function freezeDeep<T>(value: T): T {
  if (!isPlain(value) || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) freezeDeep(inner);
  return Object.freeze(value);
}

/** Can this reply body be encoded once and reused? */
export function isReusable(body: unknown): body is object {
  return typeof body === 'object' && body !== null && Object.isFrozen(body);
}

function encode(body: object): Encoded {
  let hit = encoded.get(body);
  if (!hit) {
    const json = Buffer.from(JSON.stringify(body), 'utf8');
    const hash = createHash('sha1').update(json).digest('base64url').slice(0, 27);
    hit = {
      json,
      gzip: json.length >= COMPRESS_FROM_BYTES ? gzipSync(json) : null,
      // Weak: the identity and gzip forms are the same value, not the same bytes.
      etag: `W/"${json.length.toString(16)}-${hash}"`,
    };
    encoded.set(body, hit);
  }
  return hit;
}

/**
 * Sends a frozen body as JSON from its stored encoding: gzip when the client accepts it,
 * `304 Not Modified` when the client already holds it (`If-None-Match`).
 */
export function sendReusable(req: Request, res: Response, body: object): void {
  const { json, gzip, etag } = encode(body);
  res.setHeader('ETag', etag);
  res.vary('Accept-Encoding');
  res.type('application/json; charset=utf-8');
  const compressed = gzip !== null && req.acceptsEncodings('gzip', 'identity') === 'gzip';
  if (compressed) res.setHeader('Content-Encoding', 'gzip');
  // Express answers 304 itself when the request's validators match the ETag set above.
  res.send(compressed ? gzip : json);
}

/** The CSV text of a body, computed once per frozen body. */
export function csvOf(body: unknown, render: () => string): string {
  if (!isReusable(body)) return render();
  let text = csvText.get(body);
  if (text === undefined) {
    text = render();
    csvText.set(body, text);
  }
  return text;
}
