import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signing of webhook requests, and its verification as a receiver does it. Pure functions with no
 * imports from the rest of the service, so a receiver written in TypeScript can copy this file.
 *
 * A request carries:
 * - `Webhook-Id`: the delivery id, the same on every retry (receivers dedupe on it);
 * - `Webhook-Timestamp`: when this attempt was signed, in unix seconds;
 * - `Webhook-Signature`: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, where the key is
 *   the endpoint's secret string exactly as shown at registration (UTF-8) and the body is the raw
 *   request body, byte for byte; several space-separated signatures may appear (any may match);
 * - `Webhook-Event`: the event type.
 */
export const HEADERS = {
  id: 'Webhook-Id',
  timestamp: 'Webhook-Timestamp',
  signature: 'Webhook-Signature',
  event: 'Webhook-Event',
} as const;

/** Version tag of the signature scheme. */
const VERSION = 'v1';

/** How far a receiver lets a timestamp be from its own clock, by default: five minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Request headers as Node's `IncomingMessage` holds them, or a fetch `Headers` object. */
export type HeaderSource =
  { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function hmacHex(secret: string, timestamp: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return mac.digest('hex');
}

/**
 * The `Webhook-Signature` value of a body: `v1=<hex>`.
 *
 * @param secret - the endpoint's secret, as shown once at registration
 * @param timestamp - unix seconds, the value sent as `Webhook-Timestamp`
 * @param body - the exact bytes sent
 */
export function sign(secret: string, timestamp: number, body: string | Uint8Array): string {
  return `${VERSION}=${hmacHex(secret, timestamp, body)}`;
}

/** The signature headers of one attempt (plus `Webhook-Event`). */
export function signatureHeaders(
  secret: string,
  input: { deliveryId: string; eventType: string; timestamp: number; body: string },
): Record<string, string> {
  return {
    [HEADERS.id]: input.deliveryId,
    [HEADERS.timestamp]: String(input.timestamp),
    [HEADERS.signature]: sign(secret, input.timestamp, input.body),
    [HEADERS.event]: input.eventType,
  };
}

function header(headers: HeaderSource, name: string): string | null {
  if (typeof headers.get === 'function') return (headers as { get(n: string): string | null }).get(name);
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (k.toLowerCase() !== lower || v === undefined) continue;
    return Array.isArray(v) ? v.join(' ') : v;
  }
  return null;
}

/**
 * Whether a request was signed with `secret` recently: the timestamp is within `toleranceSeconds`
 * of now (either way, so an old request cannot be replayed later) and one of the `v1` signatures
 * matches, compared in constant time. Pass the raw body, not JSON parsed and serialised again.
 *
 * @param nowSeconds - the receiver's clock, in unix seconds (tests pass their own)
 */
export function verify(
  secret: string,
  headers: HeaderSource,
  body: string | Uint8Array,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const stamp = header(headers, HEADERS.timestamp)?.trim() ?? '';
  if (!/^\d{1,12}$/.test(stamp)) return false;
  const timestamp = Number(stamp);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  let match = false;
  for (const part of (header(headers, HEADERS.signature) ?? '').split(/[\s,]+/)) {
    const [version, hex] = part.split('=', 2);
    if (version !== VERSION || !hex || !/^[a-f0-9]{64}$/i.test(hex)) continue;
    // Every candidate is compared, so the time taken does not tell which one matched.
    if (timingSafeEqual(Buffer.from(hex, 'hex'), expected)) match = true;
  }
  return match;
}
