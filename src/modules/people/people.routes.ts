import type { Logger } from 'pino';
import { recordAudit } from '../audit/record';
import type { Config } from '../../config';
import { ForbiddenError, UnauthorizedError } from '../../errors';
import { authOf, type Role } from '../../http/context';
import { pageOnlyQuery, pageSchema } from '../../http/pagination';
import { defineRoute, type AnyRoute } from '../../http/route';
import type { Mailer } from '../../mail';
import { objectIdSchema, orgParams } from '../organisations/organisations.schemas';
import { PASSWORD_MAX } from './passwords';
import {
  acceptInvitation,
  endAllSessions,
  invitePerson,
  listPeople,
  personCaller,
  personView,
  personViewOf,
  reinvitePerson,
  updatePerson,
  verifySignIn,
} from './people.service';
import { endSession, newCsrfToken, sessionPerson, startSession } from './sessions';
import type { SignInFailures } from './session-store';
import type { LockRunner } from '../../queue/lock';

const errorRef = { $ref: '#/components/schemas/Error' };
const everyone: readonly Role[] = ['platform', 'admin', 'analyst', 'coordinator', 'interviewer'];
const managers = ['platform', 'admin'] as const;
const roleSchema = { type: 'string', enum: ['admin', 'analyst', 'coordinator', 'interviewer'] } as const;

const personSchema = {
  type: 'object',
  required: ['id', 'organisationId', 'role', 'name', 'email', 'status', 'lastSignInAt', 'createdAt'],
  properties: {
    id: objectIdSchema,
    organisationId: { type: ['string', 'null'] },
    role: { type: 'string', enum: ['platform', 'admin', 'analyst', 'coordinator', 'interviewer'] },
    name: { type: 'string' },
    email: { type: 'string' },
    status: { type: 'string', enum: ['invited', 'active', 'disabled'] },
    lastSignInAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const sessionView = {
  type: 'object',
  required: ['person', 'csrfToken'],
  properties: {
    person: personSchema,
    csrfToken: {
      type: 'string',
      description: 'Send it in X-CSRF-Token with every request that changes something',
    },
  },
} as const;

const personParams = {
  type: 'object',
  required: ['org', 'id'],
  properties: { ...orgParams.properties, id: objectIdSchema },
} as const;

const notFound = { description: 'No such organisation or person, or not yours', schema: errorRef };

const invitedSchema = {
  type: 'object',
  required: ['person', 'invitation'],
  properties: {
    person: personSchema,
    invitation: {
      type: 'object',
      required: ['url', 'expiresAt', 'emailed'],
      properties: {
        url: { type: 'string', description: 'Shown only here' },
        expiresAt: { type: 'string', format: 'date-time' },
        emailed: { type: 'boolean' },
      },
    },
  },
} as const;
const noContent = { description: 'Done' };

/** What the people routes need from the deployment. */
export interface PeopleDeps {
  config: Readonly<Config>;
  mail: Mailer;
  logger: Logger;
  /** Counts failed sign-ins (Redis). */
  failures: SignInFailures;
  /** Serialises changes that take an admin's rights, per organisation. */
  lock: LockRunner;
}

/** People: invitations, password sign-in, sessions, and their administration. */
export function peopleRoutes(deps: PeopleDeps): AnyRoute[] {
  const invite = {
    baseUrl: deps.config.publicBaseUrl,
    ttlHours: deps.config.invitationTtlHours,
    mail: deps.mail,
    logger: deps.logger,
  };
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/session',
      summary: 'Sign in with e-mail and password (sets the session cookie)',
      description:
        'Every refusal is the same 401, whether the address is unknown, the password wrong or the account locked (after 5 failures in a row, for 15 minutes). The session id is new at every sign-in. The answer carries the CSRF token the session’s state-changing requests must send in X-CSRF-Token.',
      tags: ['people'],
      auth: 'public',
      rateLimited: true,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'password'],
        properties: {
          email: { type: 'string', minLength: 3, maxLength: 254 },
          password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX },
        },
      },
      responses: {
        201: { description: 'Signed in', schema: sessionView },
        401: { description: 'Not signed in (the one answer for every reason)', schema: errorRef },
      },
      handler: async ({ body, req }) => {
        const person = await verifySignIn(body.email, body.password, deps.failures);
        const csrfToken = await startSession(req, person._id.toHexString(), person.sessionGeneration);
        await recordAudit(personCaller(person), {
          action: 'person.signed-in',
          resource: { type: 'person', id: person._id.toHexString() },
          after: { method: 'password' },
        });
        return { status: 201, body: { person: personView(person), csrfToken } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/session',
      summary: 'Who is signed in with this session, and its CSRF token',
      tags: ['people'],
      auth: 'public',
      responses: {
        200: { description: 'The session', schema: sessionView },
        401: { description: 'No session', schema: errorRef },
      },
      handler: async ({ req }) => {
        const person = await sessionPerson(req);
        if (!person) throw new UnauthorizedError('not signed in');
        const known = req.session.csrfToken;
        return {
          body: {
            person: await personViewOf(person),
            csrfToken: typeof known === 'string' ? known : newCsrfToken(req),
          },
        };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/session',
      summary: 'Sign out of this session',
      tags: ['people'],
      auth: everyone,
      responses: { 204: noContent },
      handler: async ({ req, res }) => {
        await endSession(req);
        res.clearCookie('tv_session', { path: '/' });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/session/sign-out-everywhere',
      summary: 'End every session of the signed-in person, on every device',
      tags: ['people'],
      auth: everyone,
      responses: {
        204: noContent,
        403: { description: 'Only a signed-in person has sessions', schema: errorRef },
      },
      audit: 'self',
      handler: async ({ req, res }) => {
        const caller = authOf(req);
        // An API key is known, but has no sessions to end.
        if (caller.actor !== 'person') throw new ForbiddenError('only a signed-in person has sessions');
        await endAllSessions(caller, caller.keyId);
        await endSession(req);
        res.clearCookie('tv_session', { path: '/' });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/invitations/accept',
      summary: 'Set a password with an invitation link’s token; the account becomes active',
      description: 'The link works once and until it expires; otherwise 410 INVITATION_GONE.',
      tags: ['people'],
      auth: 'public',
      rateLimited: true,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['token', 'password'],
        properties: {
          token: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
          password: { type: 'string', maxLength: PASSWORD_MAX },
        },
      },
      responses: {
        200: { description: 'Active; sign in with the password', schema: personSchema },
        410: { description: 'Unknown, used or expired link', schema: errorRef },
        422: { description: 'Password too short or too long', schema: errorRef },
      },
      handler: async ({ body }) => ({ body: await acceptInvitation(body.token, body.password) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/organisations/{org}/people',
      summary: 'Invite a person to the organisation with a role (a one-time link, shown once)',
      description:
        'The link to set a password is returned once and, when SMTP_URL is configured, e-mailed (`emailed`). It expires after INVITATION_TTL_HOURS.',
      tags: ['people'],
      auth: managers,
      params: orgParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'email', 'role'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          email: { type: 'string', format: 'email', maxLength: 254 },
          role: roleSchema,
        },
      },
      responses: {
        201: { description: 'Invited', schema: invitedSchema },
        404: notFound,
        409: { description: 'The address already has an account', schema: errorRef },
      },
      audit: 'self',
      handler: async ({ params, body, req }) => ({
        status: 201,
        body: await invitePerson(authOf(req), params.org, body, invite),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/organisations/{org}/people/{id}/invitation',
      summary: 'A new invitation link for a person who has not accepted theirs (earlier links stop working)',
      description:
        'For a link that expired or went astray. Shown once and, when SMTP_URL is configured, e-mailed (`emailed`).',
      tags: ['people'],
      auth: managers,
      params: personParams,
      responses: {
        201: { description: 'A new link', schema: invitedSchema },
        404: notFound,
        409: { description: 'The person is active or disabled, not invited', schema: errorRef },
      },
      audit: 'self',
      handler: async ({ params, req }) => ({
        status: 201,
        body: await reinvitePerson(authOf(req), params.org, params.id, invite),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/organisations/{org}/people',
      summary: 'The organisation’s people',
      tags: ['people'],
      auth: managers,
      params: orgParams,
      query: pageOnlyQuery,
      responses: {
        200: { description: 'A page of people, oldest first', schema: pageSchema(personSchema) },
        404: notFound,
      },
      handler: async ({ params, query, req }) => ({
        body: await listPeople(authOf(req), params.org, query),
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/organisations/{org}/people/{id}',
      summary: 'Change a person’s name, role or status (disabling ends their sessions)',
      tags: ['people'],
      auth: managers,
      params: personParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          role: roleSchema,
          status: { type: 'string', enum: ['active', 'disabled'] },
        },
      },
      responses: {
        200: { description: 'Changed', schema: personSchema },
        403: {
          description: 'Your role may not change people, or you are no longer an active admin',
          schema: errorRef,
        },
        404: notFound,
        409: { description: 'You cannot disable yourself or change your own role', schema: errorRef },
      },
      audit: 'self',
      handler: async ({ params, body, req }) => ({
        body: await updatePerson(authOf(req), params.org, params.id, body, deps.lock),
      }),
    }),
  ];
}
