import { authOf } from '../../http/context';
import { pageQuery, pageSchema } from '../../http/pagination';
import { defineRoute, type AnyRoute } from '../../http/route';
import { orgParams } from '../organisations/organisations.schemas';
import { auditCsv, listAudit } from './audit.service';

const errorRef = { $ref: '#/components/schemas/Error' };

const auditEntryView = {
  type: 'object',
  required: ['id', 'at', 'actor', 'action', 'resource', 'before', 'after'],
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    actor: {
      type: 'object',
      required: ['kind', 'id', 'role'],
      properties: {
        kind: { type: 'string', enum: ['key', 'person'] },
        id: { type: 'string', description: 'The key’s id (never its secret) or the person’s' },
        role: { type: 'string' },
      },
    },
    action: { type: 'string', description: '<resource>.<verb>, e.g. entry.stored' },
    resource: {
      type: 'object',
      required: ['type', 'id'],
      properties: { type: { type: 'string' }, id: { type: 'string' } },
    },
    before: { description: 'The state before a change, or null' },
    after: { description: 'The state after a change, or null' },
  },
} as const;

/** The audit log: append-only, read by the organisation's admins and the platform. */
export function auditRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/organisations/{org}/audit',
      summary: 'The organisation’s audit log, oldest first (also as CSV)',
      description:
        'Who (key and role), when, what and, for changes, before and after. Lines are never changed or removed. Filter by `action`, `resourceType`, `resourceId`.',
      tags: ['audit'],
      auth: ['platform', 'admin'],
      params: orgParams,
      query: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...pageQuery,
          action: { type: 'string', pattern: '^[a-z-]+\\.[a-z-]+$', maxLength: 64 },
          resourceType: { type: 'string', pattern: '^[a-z-]+$', maxLength: 64 },
          resourceId: { type: 'string', maxLength: 200 },
        },
      },
      responses: {
        200: { description: 'A page of the log', schema: pageSchema(auditEntryView) },
        404: { description: 'No such organisation, or not yours', schema: errorRef },
      },
      csv: auditCsv,
      handler: async ({ params, query, req }) => ({
        body: await listAudit(authOf(req), params.org, query),
      }),
    }),
  ];
}
