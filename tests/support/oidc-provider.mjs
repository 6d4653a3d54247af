/**
 * A real OpenID Connect provider for the single sign-on tests (oidc-provider): one confidential
 * client that must use PKCE, the accounts given, and the provider's development login and consent
 * forms, which a test submits over HTTP like a browser would.
 *
 * Reads one JSON object from the OIDC_TEST_PROVIDER environment variable:
 *   { clientId, clientSecret, redirectUri, accounts: { "<login>": { email, email_verified, name } } }
 * Listens on a free port of 127.0.0.1 and prints one line, `issuer <url>`, once it is ready.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import process from 'node:process';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_TEST_PROVIDER ?? '{}');
const accounts = settings.accounts ?? {};

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

// An elliptic-curve key: made at once, where an RSA key can take seconds on a loaded machine.
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      redirect_uris: [settings.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'ES256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // The development login form takes any login: an unknown one signs in nobody.
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
});

server.on('request', provider.callback());
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.stdout.write(`issuer ${issuer}\n`);
