import { ORGANISATION_TYPES } from './organisation.model';

export const slugSchema = {
  type: 'string',
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$',
  description: 'Lowercase letters, digits and hyphens',
} as const;
export const languageSchema = { type: 'string', pattern: '^[a-z]{2,3}(-[A-Za-z]{2,4})?$' } as const;
export const objectIdSchema = { type: 'string', pattern: '^[a-f0-9]{24}$' } as const;

export const createOrganisationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['slug', 'name', 'country', 'type'],
  properties: {
    slug: slugSchema,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' },
    region: { type: 'string', maxLength: 200 },
    type: { type: 'string', enum: ORGANISATION_TYPES },
    housingStock: { type: 'integer', minimum: 1, maximum: 10000000, description: 'Dwellings managed' },
    languages: { type: 'array', items: languageSchema, minItems: 1, maxItems: 10, uniqueItems: true },
  },
} as const;

export const organisationView = {
  type: 'object',
  required: ['id', 'slug', 'name', 'country', 'region', 'type', 'housingStock', 'languages', 'createdAt'],
  properties: {
    id: objectIdSchema,
    slug: slugSchema,
    name: { type: 'string' },
    country: { type: 'string' },
    region: { type: 'string' },
    type: { type: 'string', enum: ORGANISATION_TYPES },
    housingStock: { type: ['integer', 'null'] },
    languages: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const apiKeyView = {
  type: 'object',
  required: ['id', 'organisationId', 'role', 'label', 'createdAt', 'lastUsedAt', 'revokedAt'],
  properties: {
    id: objectIdSchema,
    organisationId: { type: ['string', 'null'] },
    role: { type: 'string', enum: ['platform', 'admin', 'analyst', 'coordinator', 'interviewer'] },
    label: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const createdKeyView = {
  ...apiKeyView,
  required: [...apiKeyView.required, 'key'],
  properties: {
    ...apiKeyView.properties,
    key: { type: 'string', description: 'The secret, shown only in this response' },
  },
} as const;

export const createApiKeyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: {
    role: {
      type: 'string',
      enum: ['admin', 'analyst', 'coordinator', 'interviewer'],
      description:
        'coordinator: runs the benchmarking groups this organisation coordinates; interviewer: enters paper forms and interviews, nothing else',
    },
    label: { type: 'string', maxLength: 200 },
  },
} as const;

export const orgParams = {
  type: 'object',
  required: ['org'],
  properties: {
    org: { type: 'string', minLength: 1, maxLength: 64, description: 'Organisation id or slug' },
  },
} as const;
