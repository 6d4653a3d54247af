import { objectIdSchema } from '../organisations/organisations.schemas';
import { DELIVERY_STATUSES } from './webhook-delivery.model';
import { EVENT_TYPES } from './events';

export const webhookParams = {
  type: 'object',
  required: ['id'],
  properties: { id: objectIdSchema },
} as const;

const eventType = { type: 'string', enum: EVENT_TYPES } as const;

export const createWebhookBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: {
    url: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      description:
        'Where events are POSTed: https (plain http only outside production), without user name or password',
    },
    events: { type: 'array', items: eventType, minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true },
    description: { type: 'string', maxLength: 500 },
  },
} as const;

export const webhookView = {
  type: 'object',
  required: [
    'id',
    'organisationId',
    'url',
    'description',
    'events',
    'enabled',
    'disabledAt',
    'disabledReason',
    'consecutiveFailures',
    'lastDeliveredAt',
    'createdAt',
  ],
  properties: {
    id: { type: 'string' },
    organisationId: { type: 'string' },
    url: { type: 'string' },
    description: { type: 'string' },
    events: { type: 'array', items: eventType },
    enabled: { type: 'boolean', description: 'False once disabled after failures in a row' },
    disabledAt: { type: ['string', 'null'], format: 'date-time' },
    disabledReason: { type: ['string', 'null'] },
    consecutiveFailures: { type: 'integer', description: 'Failed deliveries in a row' },
    lastDeliveredAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const createdWebhookView = {
  type: 'object',
  required: [...webhookView.required, 'secret'],
  properties: {
    ...webhookView.properties,
    secret: {
      type: 'string',
      description:
        'The signing secret, shown only in this response: Webhook-Signature is v1=<hex HMAC-SHA256(secret, "<Webhook-Timestamp>.<body>")>',
    },
  },
} as const;

export const deliveryView = {
  type: 'object',
  required: ['id', 'event', 'status', 'attempts', 'createdAt', 'completedAt', 'note'],
  properties: {
    id: { type: 'string', description: 'The delivery id, sent as Webhook-Id' },
    event: {
      type: 'object',
      required: ['id', 'type'],
      properties: { id: { type: 'string' }, type: { type: 'string' } },
    },
    status: {
      type: 'string',
      enum: DELIVERY_STATUSES,
      description:
        'pending (queued or between retries), delivered (a 2xx), failed (every attempt failed), skipped (the endpoint was disabled or deleted before it was sent)',
    },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['at', 'httpStatus', 'error', 'durationMs'],
        properties: {
          at: { type: 'string', format: 'date-time' },
          httpStatus: { type: ['integer', 'null'] },
          error: { type: ['string', 'null'] },
          durationMs: { type: 'integer' },
        },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    completedAt: { type: ['string', 'null'], format: 'date-time' },
    note: { type: ['string', 'null'], description: 'Why it failed or was skipped' },
  },
} as const;
