import type * as OpenIdClient from 'openid-client';
import type { Config } from '../../config';

/** How long a browser has between leaving for the provider and coming back. */
export const PENDING_SIGN_IN_MS = 10 * 60_000;

/**
 * A sign-in begun at the provider, kept in the browser's session until the provider sends the
 * browser back: the values the answer must match, and where to go afterwards.
 */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The console path to return to once signed in. */
  returnTo: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
}

declare module 'express-session' {
  interface SessionData {
    /** A single sign-on under way (one per browser: starting another replaces it). */
    oidc?: PendingSignIn;
  }
}

/** Who the provider says signed in. */
export interface ProviderIdentity {
  /** The provider's subject identifier. */
  subject: string;
  /** The e-mail address claimed, or null when the provider shares none. */
  email: string | null;
  /** Whether the provider vouches that the address belongs to the person. */
  emailVerified: boolean;
}

type Library = typeof OpenIdClient;
let library: Promise<Library> | null = null;

/**
 * openid-client is an ES module. It is loaded on first use with a real `import()`, which both
 * `tsx` and the compiled CommonJS output keep; the API therefore starts without it when single
 * sign-on is not configured, and module systems that cannot load ES modules never reach it.
 */
function openIdClient(): Promise<Library> {
  library ??= import('openid-client').catch((err: unknown) => {
    library = null;
    throw err;
  });
  return library;
}

/** Whether a claim says yes: a boolean, or the string some providers send in its place. */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * The service as an OpenID Connect relying party of one provider: authorization code flow with
 * PKCE (S256), `state` and `nonce`, the client secret sent with HTTP Basic (OpenID Connect's
 * default client authentication). The provider's metadata is discovered once per process; a discovery that
 * fails is not kept, so the next sign-in tries again.
 */
export class OidcRelyingParty {
  private configuration: Promise<OpenIdClient.Configuration> | null = null;
  private readonly issuer: URL;
  /** Where the provider sends the browser back; registered with the provider. */
  readonly redirectUri: string;

  constructor(
    private readonly settings: NonNullable<Config['oidc']>,
    publicBaseUrl: string,
    nodeEnv: Config['nodeEnv'],
  ) {
    this.issuer = new URL(settings.issuerUrl);
    this.redirectUri = `${publicBaseUrl}/api/v1/session/oidc/callback`;
    // Tokens and the client secret travel to the provider; plain http is for a provider on the
    // developer's own machine or test network.
    if (this.issuer.protocol !== 'https:' && nodeEnv === 'production')
      throw new Error('OIDC_ISSUER_URL: must be an https URL in production');
  }

  private discover(): Promise<OpenIdClient.Configuration> {
    this.configuration ??= openIdClient()
      .then((client) =>
        client.discovery(
          this.issuer,
          this.settings.clientId,
          undefined,
          client.ClientSecretBasic(this.settings.clientSecret),
          {
            timeout: 10,
            execute: this.issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
          },
        ),
      )
      .catch((err: unknown) => {
        this.configuration = null;
        throw err;
      });
    return this.configuration;
  }

  /**
   * Starts a sign-in: the provider's authorization URL to send the browser to, and what the
   * session must keep to check the answer.
   *
   * @throws when the provider cannot be discovered.
   */
  async begin(returnTo: string): Promise<{ url: string; pending: PendingSignIn }> {
    const [client, config] = await Promise.all([openIdClient(), this.discover()]);
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending: PendingSignIn = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      returnTo,
      startedAt: Date.now(),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /**
   * Finishes a sign-in from the provider's answer (the callback's query string): checks `state`,
   * exchanges the code with the PKCE verifier, validates the ID token (signature, issuer,
   * audience, expiry, `nonce`) and reads the e-mail claims, from the ID token or else from the
   * userinfo endpoint (providers that follow the specification strictly put them only there).
   *
   * @throws whenever any check fails or the provider refuses.
   */
  async finish(callbackQuery: string, pending: PendingSignIn): Promise<ProviderIdentity> {
    const [client, config] = await Promise.all([openIdClient(), this.discover()]);
    const currentUrl = new URL(this.redirectUri);
    currentUrl.search = callbackQuery;
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      pkceCodeVerifier: pending.codeVerifier,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the provider returned no ID token');
    let email: unknown = claims.email;
    let verified: unknown = claims.email_verified;
    if (email === undefined) {
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      email = info.email;
      verified = info.email_verified;
    }
    return {
      subject: claims.sub,
      email: typeof email === 'string' && email.trim() !== '' ? email.trim() : null,
      emailVerified: isTrue(verified),
    };
  }
}
