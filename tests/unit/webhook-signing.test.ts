import { createHmac } from 'node:crypto';
import { ConfigError, DEVELOPMENT_WEBHOOK_KEY, loadConfig } from '../../src/config';
import { HEADERS, sign, signatureHeaders, verify } from '../../src/modules/webhooks/signing';
import { checkWebhookUrl, endpointSecret } from '../../src/modules/webhooks/webhooks.service';

const secret = 'whsec_test-secret-for-a-known-vector';
const timestamp = 1767225600; // 2026-01-01T00:00:00Z
const body = '{"id":"6650a1b2c3d4e5f6a7b8c9d0","type":"return.signed_off","data":{"period":"2025"}}';

/** The signature computed here on its own, from the documented rule. */
const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

function headersOf(signature: string, stamp: number | string = timestamp) {
  return {
    'webhook-id': '6650a1b2c3d4e5f6a7b8c9d1',
    'webhook-timestamp': String(stamp),
    'webhook-signature': signature,
    'webhook-event': 'return.signed_off',
  };
}

describe('webhook signing', () => {
  it('signs v1=<hex HMAC-SHA256(secret, "timestamp.body")>', () => {
    expect(sign(secret, timestamp, body)).toBe(`v1=${expected}`);
    expect(sign(secret, timestamp, Buffer.from(body))).toBe(`v1=${expected}`);
  });

  it('matches a fixed vector', () => {
    // HMAC-SHA256(key "key", message "1.x"), computed outside this code base.
    expect(sign('key', 1, 'x')).toBe('v1=fc4913c41a7bf793267e2a384f3261c9436ec2cd097bd745e7b0d99113f510ec');
    expect(sign('key', 1, 'x')).not.toBe(sign('key', 2, 'x'));
  });

  it('builds the four headers', () => {
    expect(
      signatureHeaders(secret, { deliveryId: 'd1', eventType: 'return.queried', timestamp, body }),
    ).toEqual({
      [HEADERS.id]: 'd1',
      [HEADERS.timestamp]: String(timestamp),
      [HEADERS.signature]: `v1=${expected}`,
      [HEADERS.event]: 'return.queried',
    });
  });

  it('verifies a genuine request within the tolerance, from either kind of headers', () => {
    expect(verify(secret, headersOf(`v1=${expected}`), body, 300, timestamp + 299)).toBe(true);
    expect(verify(secret, headersOf(`v1=${expected}`), Buffer.from(body), 300, timestamp - 299)).toBe(true);
    const fetchHeaders = new Headers({
      'Webhook-Timestamp': String(timestamp),
      'Webhook-Signature': `v1=${expected}`,
    });
    expect(verify(secret, fetchHeaders, body, 300, timestamp)).toBe(true);
    const upper = { 'Webhook-Timestamp': String(timestamp), 'Webhook-Signature': `v1=${expected}` };
    expect(verify(secret, upper, body, 300, timestamp)).toBe(true);
  });

  it('accepts any one of several signatures', () => {
    const other = 'ab'.repeat(32);
    expect(verify(secret, headersOf(`v1=${other} v1=${expected}`), body, 300, timestamp)).toBe(true);
    expect(verify(secret, headersOf(`v1=${other}`), body, 300, timestamp)).toBe(false);
  });

  it('rejects a tampered body, a wrong secret, a changed timestamp or a missing signature', () => {
    const h = headersOf(`v1=${expected}`);
    expect(verify(secret, h, body.replace('2025', '2026'), 300, timestamp)).toBe(false);
    expect(verify(`${secret}x`, h, body, 300, timestamp)).toBe(false);
    expect(verify(secret, headersOf(`v1=${expected}`, timestamp + 1), body, 300, timestamp)).toBe(false);
    expect(verify(secret, { 'webhook-timestamp': String(timestamp) }, body, 300, timestamp)).toBe(false);
    expect(verify(secret, headersOf(`v2=${expected}`), body, 300, timestamp)).toBe(false);
    expect(verify(secret, headersOf(expected), body, 300, timestamp)).toBe(false);
  });

  it('rejects old and future timestamps (replays) and malformed ones', () => {
    const h = headersOf(`v1=${expected}`);
    expect(verify(secret, h, body, 300, timestamp + 301)).toBe(false);
    expect(verify(secret, h, body, 300, timestamp - 301)).toBe(false);
    expect(verify(secret, h, body, 3600, timestamp + 3000)).toBe(true);
    expect(verify(secret, headersOf(`v1=${expected}`, 'yesterday'), body, 300, timestamp)).toBe(false);
    expect(verify(secret, headersOf(`v1=${expected}`, ''), body, 300, timestamp)).toBe(false);
  });

  it('uses the current clock by default', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(verify(secret, headersOf(sign(secret, now, body), now), body)).toBe(true);
    expect(verify(secret, headersOf(sign(secret, now - 600, body), now - 600), body)).toBe(false);
  });
});

describe('webhook secrets', () => {
  const master = 'k'.repeat(32);

  it('derives the secret from WEBHOOK_KEY, the endpoint id and its salt', () => {
    const mac = createHmac('sha256', master).update('webhook-secret:e1:s1').digest('base64url');
    expect(endpointSecret(master, 'e1', 's1')).toBe(`whsec_${mac}`);
    expect(endpointSecret(master, 'e1', 's2')).not.toBe(endpointSecret(master, 'e1', 's1'));
    expect(endpointSecret(`${master}x`, 'e1', 's1')).not.toBe(endpointSecret(master, 'e1', 's1'));
  });

  it('requires a WEBHOOK_KEY of its own in production, and never prints it', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ NODE_ENV: 'production', ...env });
      } catch (err) {
        if (err instanceof ConfigError) return err.problems.filter((p) => p.startsWith('WEBHOOK_KEY'));
        throw err;
      }
      return [];
    };
    expect(problems({})).toEqual([expect.stringMatching(/^WEBHOOK_KEY: is required in production/)]);
    expect(problems({ WEBHOOK_KEY: DEVELOPMENT_WEBHOOK_KEY })).toHaveLength(1);
    const short = problems({ WEBHOOK_KEY: 'too-short-secret' });
    expect(short).toHaveLength(1);
    expect(short[0]).not.toContain('too-short-secret');
    expect(problems({ WEBHOOK_KEY: master })).toEqual([]);
    expect(loadConfig({}).webhookKey).toBe(DEVELOPMENT_WEBHOOK_KEY);
  });
});

describe('webhook URLs', () => {
  const refused = (url: string, production: boolean) => {
    try {
      checkWebhookUrl(url, production);
      return null;
    } catch (err) {
      return (err as { details: Array<{ path: string; message: string }> }).details[0];
    }
  };

  it('allows http outside production only', () => {
    expect(checkWebhookUrl('http://127.0.0.1:8080/hook', false)).toBe('http://127.0.0.1:8080/hook');
    expect(refused('http://example.org/hook', true)).toEqual({ path: '/url', message: 'must use https' });
    expect(checkWebhookUrl('https://Example.org/hook?x=1', true)).toBe('https://example.org/hook?x=1');
  });

  it.each([
    ['ftp://example.org/x', false],
    ['https://user:pw@example.org/x', false],
    ['https://example.org/x#frag', false],
    ['not a url', false],
    ['https://localhost/x', true],
    ['https://127.0.0.1/x', true],
    ['https://10.1.2.3/x', true],
    ['https://169.254.169.254/latest', true],
    ['https://[::1]/x', true],
    ['https://[fd00::1]/x', true],
  ])('refuses %s (production: %s) at /url', (url, production) => {
    expect(refused(url, production)?.path).toBe('/url');
  });
});
