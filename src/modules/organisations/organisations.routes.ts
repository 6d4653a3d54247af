import { authOf } from '../../http/context';
import { recordAudit } from '../audit/record';
import { pageOnlyQuery, pageSchema } from '../../http/pagination';
import { defineRoute, type AnyRoute } from '../../http/route';
import type { LockRunner } from '../../queue/lock';
import { revokeApiKey } from './api-keys.service';
import {
  apiKeyView,
  createApiKeyBody,
  createdKeyView,
  createOrganisationBody,
  objectIdSchema,
  organisationView,
  orgParams,
} from './organisations.schemas';
import {
  createOrganisation,
  getOrganisation,
  issueKey,
  keysOf,
  listOrganisations,
  toOrganisationView,
} from './organisations.service';

/** Organisations and their API keys; `lock` serialises admin-key revocations per organisation. */
export function organisationRoutes(deps: { lock: LockRunner }): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/organisations',
      summary: 'Create an organisation with its first admin key',
      description: 'The admin key secret is in this response only; store it now.',
      tags: ['organisations'],
      auth: ['platform'],
      body: createOrganisationBody,
      responses: {
        201: {
          description: 'Created',
          schema: {
            type: 'object',
            required: ['organisation', 'adminKey'],
            properties: { organisation: organisationView, adminKey: createdKeyView },
          },
        },
        409: { description: 'Slug taken', schema: { $ref: '#/components/schemas/Error' } },
      },
      handler: async ({ body, req }) => ({
        status: 201,
        body: await createOrganisation(body, authOf(req).keyId),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/organisations',
      summary: 'Organisations: all for platform keys, otherwise the caller’s own',
      tags: ['organisations'],
      auth: ['platform', 'admin', 'analyst', 'coordinator', 'interviewer'],
      query: pageOnlyQuery,
      responses: { 200: { description: 'A page of organisations', schema: pageSchema(organisationView) } },
      handler: async ({ query, req }) => ({ body: await listOrganisations(authOf(req), query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/organisations/{org}',
      summary: 'One organisation (by id or slug)',
      tags: ['organisations'],
      auth: ['platform', 'admin', 'analyst', 'coordinator', 'interviewer'],
      params: orgParams,
      responses: {
        200: { description: 'The organisation', schema: organisationView },
        404: { description: 'Missing or not yours', schema: { $ref: '#/components/schemas/Error' } },
      },
      handler: async ({ params, req }) => ({
        body: toOrganisationView(await getOrganisation(authOf(req), params.org)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/organisations/{org}/api-keys',
      summary: 'Issue an admin or analyst key of the organisation',
      description: 'The secret is in this response only; only its hash is stored.',
      tags: ['organisations'],
      auth: ['admin', 'platform'],
      params: orgParams,
      body: createApiKeyBody,
      responses: {
        201: { description: 'Created', schema: createdKeyView },
        404: { description: 'Missing or not yours', schema: { $ref: '#/components/schemas/Error' } },
      },
      audit: 'self',
      handler: async ({ params, body, req }) => ({
        status: 201,
        body: await issueKey(authOf(req), params.org, body.role, body.label),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/organisations/{org}/api-keys',
      summary: 'Keys of the organisation (never their secrets)',
      tags: ['organisations'],
      auth: ['admin', 'platform'],
      params: orgParams,
      query: pageOnlyQuery,
      responses: {
        200: {
          description: 'A page of keys, oldest first',
          schema: pageSchema(apiKeyView),
        },
        404: { description: 'Missing or not yours', schema: { $ref: '#/components/schemas/Error' } },
      },
      handler: async ({ params, query, req }) => ({ body: await keysOf(authOf(req), params.org, query) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/api-keys/{id}',
      summary: 'Revoke a key',
      tags: ['organisations'],
      auth: ['admin', 'platform'],
      params: { type: 'object', required: ['id'], properties: { id: objectIdSchema } },
      responses: {
        200: { description: 'The revoked key', schema: apiKeyView },
        404: { description: 'Missing or not yours', schema: { $ref: '#/components/schemas/Error' } },
        409: {
          description:
            'The organisation’s last working admin key (LAST_ADMIN_KEY); platform keys may revoke it',
          schema: { $ref: '#/components/schemas/Error' },
        },
        503: {
          description: 'Redis, which orders concurrent revocations of admin keys, is unreachable',
          schema: { $ref: '#/components/schemas/Error' },
        },
      },
      audit: 'self',
      handler: async ({ params, req }) => {
        const caller = authOf(req);
        const key = await revokeApiKey(caller, params.id, deps.lock);
        await recordAudit(caller, {
          action: 'key.revoked',
          resource: { type: 'key', id: key.id },
          organisationId: key.organisationId,
          before: { role: key.role, label: key.label, revokedAt: null },
          after: { role: key.role, label: key.label, revokedAt: key.revokedAt },
        });
        return { body: key };
      },
    }),
  ];
}
