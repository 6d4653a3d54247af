import { authOf } from '../../http/context';
import { pageOnlyQuery, pageSchema } from '../../http/pagination';
import { defineRoute, type AnyRoute } from '../../http/route';
import type { Queues } from '../../queue/queues';
import {
  createWebhookBody,
  createdWebhookView,
  deliveryView,
  webhookParams,
  webhookView,
} from './webhooks.schemas';
import {
  createWebhook,
  deleteWebhook,
  enableWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  type WebhookSettings,
} from './webhooks.service';

const errorRef = { $ref: '#/components/schemas/Error' };
const managers = ['admin', 'coordinator'] as const;
const readers = ['platform', 'admin', 'coordinator'] as const;
const notFound = { description: 'Missing, deleted, or another organisation’s', schema: errorRef };
const ok = { description: 'The webhook endpoint', schema: webhookView };

/**
 * Webhook endpoints and their delivery logs. `config` supplies WEBHOOK_KEY (secrets) and NODE_ENV
 * (https only in production); without it the environment's configuration is read.
 */
export function webhookRoutes(deps: { queues: Queues; config?: WebhookSettings }): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/webhooks',
      summary: 'Register a webhook endpoint of your organisation',
      description:
        'Events of the listed types are POSTed to the URL as JSON {id, type, createdAt, data}, signed: Webhook-Signature is v1=<hex HMAC-SHA256(secret, "<Webhook-Timestamp>.<body>")>. The secret is in this response only.',
      tags: ['webhooks'],
      auth: managers,
      body: createWebhookBody,
      responses: {
        201: { description: 'Registered; the secret is shown only now', schema: createdWebhookView },
        409: { description: 'The organisation has too many webhooks', schema: errorRef },
        422: { description: 'The URL or events are not acceptable (path /url, /events)', schema: errorRef },
      },
      handler: async ({ body, req }) => ({
        status: 201,
        body: await createWebhook(authOf(req), body, deps.config),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/webhooks',
      summary: 'Your organisation’s webhook endpoints (platform: all)',
      tags: ['webhooks'],
      auth: readers,
      query: pageOnlyQuery,
      responses: { 200: { description: 'A page of webhook endpoints', schema: pageSchema(webhookView) } },
      handler: async ({ query, req }) => ({ body: await listWebhooks(authOf(req), query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/webhooks/{id}',
      summary: 'One webhook endpoint',
      tags: ['webhooks'],
      auth: readers,
      params: webhookParams,
      responses: { 200: ok, 404: notFound },
      handler: async ({ params, req }) => ({ body: await getWebhook(authOf(req), params.id) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/webhooks/{id}',
      summary: 'Delete a webhook endpoint; deliveries still pending are skipped',
      tags: ['webhooks'],
      auth: readers,
      params: webhookParams,
      responses: { 204: { description: 'Deleted' }, 404: notFound },
      handler: async ({ params, req }) => {
        await deleteWebhook(authOf(req), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/webhooks/{id}/enable',
      summary: 'Enable a disabled webhook endpoint again',
      description:
        'An endpoint is disabled after WEBHOOK_MAX_FAILURES deliveries in a row failed; enabling it starts that count afresh. Deliveries skipped meanwhile are not sent again.',
      tags: ['webhooks'],
      auth: readers,
      params: webhookParams,
      responses: { 200: ok, 404: notFound },
      handler: async ({ params, req }) => ({ body: await enableWebhook(authOf(req), params.id) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/webhooks/{id}/deliveries',
      summary: 'The delivery log of a webhook endpoint, newest first',
      tags: ['webhooks'],
      auth: readers,
      params: webhookParams,
      query: pageOnlyQuery,
      responses: {
        200: { description: 'A page of deliveries with their attempts', schema: pageSchema(deliveryView) },
        404: notFound,
      },
      handler: async ({ params, query, req }) => ({
        body: await listDeliveries(authOf(req), params.id, query),
      }),
    }),
  ];
}
