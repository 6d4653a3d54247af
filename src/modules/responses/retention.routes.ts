import { authOf } from '../../http/context';
import { defineRoute, type AnyRoute } from '../../http/route';
import { orgParams } from '../organisations/organisations.schemas';
import { getRetention, setRetention } from './retention.service';

const errorRef = { $ref: '#/components/schemas/Error' };
const retentionView = {
  type: 'object',
  required: ['organisation', 'months', 'description'],
  properties: {
    organisation: { type: 'string' },
    months: { type: ['integer', 'null'], description: 'null: raw responses are kept' },
    description: { type: 'string' },
  },
} as const;
const notFound = { description: 'No such organisation, or not yours', schema: errorRef };

/** How long an organisation keeps raw responses. */
export function retentionRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/organisations/{org}/retention',
      summary: 'How long raw responses are kept',
      tags: ['organisations'],
      auth: ['platform', 'admin'],
      params: orgParams,
      responses: { 200: { description: 'The setting', schema: retentionView }, 404: notFound },
      handler: async ({ params, req }) => ({ body: await getRetention(authOf(req), params.org) }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/organisations/{org}/retention',
      summary: 'Keep raw responses for N months after a period’s newest answer (null: keep them)',
      description:
        'A daily job deletes the raw responses of every period whose newest answer is older than this, once all of them are counted. The period’s indicator values, weighted figures and campaign counts stay; its exports are empty afterwards. Each deletion is in the audit log.',
      tags: ['organisations'],
      auth: ['admin'],
      params: orgParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['months'],
        properties: { months: { type: ['integer', 'null'], minimum: 1, maximum: 240 } },
      },
      responses: { 200: { description: 'Stored', schema: retentionView }, 404: notFound },
      audit: 'self',
      handler: async ({ params, body, req }) => ({
        body: await setRetention(authOf(req), params.org, body.months),
      }),
    }),
  ];
}
