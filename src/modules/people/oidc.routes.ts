import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import { AppError, UnavailableError } from '../../errors';
import { defineRoute, type AnyRoute, type Reply } from '../../http/route';
import { recordAudit } from '../audit/record';
import { OidcRelyingParty, PENDING_SIGN_IN_MS } from './oidc';
import { personCaller, signInWithVerifiedEmail } from './people.service';
import { startSession } from './sessions';

const errorRef = { $ref: '#/components/schemas/Error' };

/** Where the console asks people to sign in; a refused single sign-on lands there. */
const SIGN_IN_REFUSED_PATH = '/console/sign-in?error=sso';

/** What the single sign-on routes need from the deployment. */
export interface OidcDeps {
  config: Readonly<Config>;
  logger: Logger;
}

function redirect(location: string): Reply {
  return { status: 302, headers: { Location: location, 'Cache-Control': 'no-store' } };
}

/** The callback's query string exactly as the provider sent it. */
function rawQuery(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at === -1 ? '' : req.originalUrl.slice(at);
}

/**
 * Single sign-on with the deployment's OpenID Connect provider (OIDC_ISSUER_URL), and the sign-in
 * methods the console may offer. Single sign-on signs in people who already have an account;
 * accounts and roles still come from invitations.
 */
export function oidcRoutes(deps: OidcDeps): AnyRoute[] {
  const { config, logger } = deps;
  const party = config.oidc ? new OidcRelyingParty(config.oidc, config.publicBaseUrl, config.nodeEnv) : null;

  /** Every refusal looks the same to the browser; the log says why. */
  const refuse = (reason: string, err?: unknown): Reply => {
    logger.warn({ reason, err: err instanceof Error ? err.message : undefined }, 'single sign-on refused');
    return redirect(SIGN_IN_REFUSED_PATH);
  };

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/session/methods',
      summary: 'The ways to sign in this deployment offers',
      tags: ['people'],
      auth: 'public',
      responses: {
        200: {
          description: 'Password sign-in always; single sign-on when configured',
          schema: {
            type: 'object',
            required: ['password', 'oidc'],
            properties: {
              password: { type: 'boolean' },
              oidc: {
                type: ['object', 'null'],
                required: ['displayName'],
                properties: {
                  displayName: { type: 'string', description: 'The name to show on the button' },
                },
              },
            },
          },
        },
      },
      handler: () => ({
        body: { password: true, oidc: config.oidc ? { displayName: config.oidc.displayName } : null },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/session/oidc',
      summary: 'Sign in with the single sign-on provider (redirects there)',
      description:
        'Sends the browser to the provider (authorization code flow with PKCE). After signing in there it comes back to /api/v1/session/oidc/callback, which signs in the person with the verified e-mail address and redirects to `returnTo`.',
      tags: ['people'],
      auth: 'public',
      rateLimited: true,
      query: {
        type: 'object',
        additionalProperties: false,
        properties: {
          returnTo: {
            type: 'string',
            maxLength: 500,
            // A path of the console on this site: never another host (`//host`) or scheme.
            pattern: '^/console([/?#][\\x21-\\x7E]*)?$',
            default: '/console',
            description: 'The console page to open once signed in',
          },
        },
      },
      responses: {
        302: { description: 'To the provider’s sign-in page' },
        404: { description: 'SSO_NOT_CONFIGURED: this deployment has no single sign-on', schema: errorRef },
        422: { description: 'returnTo is not a console path', schema: errorRef },
        503: { description: 'SSO_UNAVAILABLE: the provider cannot be reached', schema: errorRef },
      },
      handler: async ({ query, req }) => {
        if (!party)
          throw new AppError(404, 'SSO_NOT_CONFIGURED', 'this deployment does not offer single sign-on');
        let started: Awaited<ReturnType<OidcRelyingParty['begin']>>;
        try {
          started = await party.begin(query.returnTo ?? '/console');
        } catch (err) {
          logger.error({ err }, 'the single sign-on provider could not be discovered');
          throw new UnavailableError(
            'the single sign-on provider cannot be reached; try again shortly',
            [],
            'SSO_UNAVAILABLE',
            { 'Retry-After': '10' },
          );
        }
        req.session.oidc = started.pending;
        return redirect(started.url);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/session/oidc/callback',
      summary: 'Where the single sign-on provider sends the browser back (sets the session cookie)',
      description:
        'Checks the answer against the sign-in this browser started (state, nonce, PKCE), exchanges the code and requires `email_verified`. The active person with that e-mail address (any letter case) is signed in with a new session id; an invited person whose invitation is still open becomes active. No account is created. Every refusal (unknown or disabled person, unverified address, mismatched or expired sign-in, provider error) redirects to /console/sign-in?error=sso.',
      tags: ['people'],
      auth: 'public',
      rateLimited: true,
      responses: {
        302: {
          description:
            'Signed in: to the `returnTo` of the sign-in; refused: to /console/sign-in?error=sso (no session)',
        },
        404: { description: 'SSO_NOT_CONFIGURED: this deployment has no single sign-on', schema: errorRef },
      },
      handler: async ({ req }) => {
        if (!party)
          throw new AppError(404, 'SSO_NOT_CONFIGURED', 'this deployment does not offer single sign-on');
        // The pending sign-in is used once, whatever the outcome.
        const pending = req.session.oidc;
        delete req.session.oidc;
        if (!pending) return refuse('no sign-in was started in this browser');
        if (Date.now() - pending.startedAt > PENDING_SIGN_IN_MS) return refuse('the sign-in took too long');
        let identity;
        try {
          identity = await party.finish(rawQuery(req), pending);
        } catch (err) {
          return refuse('the provider’s answer did not pass the checks', err);
        }
        if (!identity.email) return refuse('the provider shared no e-mail address');
        if (!identity.emailVerified) return refuse('the provider has not verified the e-mail address');
        const person = await signInWithVerifiedEmail(identity.email);
        if (!person) return refuse('no active or invited person has this e-mail address');
        await startSession(req, person._id.toHexString(), person.sessionGeneration);
        await recordAudit(personCaller(person), {
          action: 'person.signed-in',
          resource: { type: 'person', id: person._id.toHexString() },
          after: { method: 'oidc' },
        });
        return redirect(pending.returnTo);
      },
    }),
  ];
}
