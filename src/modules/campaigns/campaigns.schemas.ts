import { languageSchema, objectIdSchema } from '../organisations/organisations.schemas';

export const periodSchema = {
  type: 'string',
  pattern: '^[0-9]{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$',
  description: 'A year (2026), half (2026-H2), quarter (2026-Q1) or month (2026-03)',
} as const;

export const segmentSchema = {
  type: 'string',
  maxLength: 128,
  pattern: '^[\\p{L}\\p{N} ._/:-]*$',
  description:
    'Estate, district, building or tenure, e.g. "estate:Zaspa" or "tenure:rented"; empty for the whole organisation',
} as const;

export const createCampaignBody = {
  type: 'object',
  additionalProperties: false,
  required: ['surveyId', 'period'],
  properties: {
    surveyId: objectIdSchema,
    version: { type: 'integer', minimum: 1, description: 'Defaults to the latest published version' },
    title: { type: 'string', minLength: 1, maxLength: 200 },
    period: periodSchema,
    segment: segmentSchema,
    housingStock: {
      type: 'integer',
      minimum: 1,
      maximum: 10000000,
      description: 'Dwellings in the segment, when known',
    },
    opensAt: { type: 'string', format: 'date-time' },
    closesAt: { type: 'string', format: 'date-time' },
    access: { type: 'string', enum: ['open', 'invite'], default: 'open' },
    responseLimit: { type: 'integer', minimum: 1, maximum: 10000000 },
    languages: { type: 'array', items: languageSchema, minItems: 1, maxItems: 10, uniqueItems: true },
    doubleEntry: {
      type: 'boolean',
      default: false,
      description: 'Paper forms are entered twice (by serial) and count once the entries agree',
    },
  },
} as const;

/** Responses per collection mode. */
export const modeCountsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    online: { type: 'integer', minimum: 1 },
    paper: { type: 'integer', minimum: 1 },
    telephone: { type: 'integer', minimum: 1 },
    'face-to-face': { type: 'integer', minimum: 1 },
  },
  description:
    'Responses per collection mode (online, paper, telephone, face-to-face); absent modes had none',
} as const;

export const campaignView = {
  type: 'object',
  required: [
    'id',
    'slug',
    'url',
    'surveyId',
    'version',
    'title',
    'period',
    'segment',
    'housingStock',
    'opensAt',
    'closesAt',
    'access',
    'responseLimit',
    'languages',
    'doubleEntry',
    'status',
    'counts',
    'createdAt',
  ],
  properties: {
    id: objectIdSchema,
    slug: { type: 'string' },
    url: { type: 'string', format: 'uri', description: 'The public tenant link' },
    surveyId: objectIdSchema,
    version: { type: 'integer' },
    title: { type: 'string' },
    period: { type: 'string' },
    segment: { type: 'string' },
    housingStock: { type: ['integer', 'null'] },
    opensAt: { type: 'string', format: 'date-time' },
    closesAt: { type: ['string', 'null'], format: 'date-time' },
    access: { type: 'string', enum: ['open', 'invite'] },
    responseLimit: { type: ['integer', 'null'] },
    languages: { type: 'array', items: { type: 'string' } },
    doubleEntry: { type: 'boolean' },
    status: { type: 'string', enum: ['scheduled', 'open', 'closed', 'full'] },
    counts: {
      type: 'object',
      required: ['responses', 'byMode', 'invitations', 'invitationsUsed'],
      properties: {
        responses: { type: 'integer' },
        byMode: modeCountsSchema,
        invitations: { type: 'integer' },
        invitationsUsed: { type: 'integer' },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const invitationsBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    count: { type: 'integer', minimum: 1, maximum: 5000, description: 'n anonymous single-use tokens' },
    dwellings: {
      type: 'array',
      minItems: 1,
      maxItems: 5000,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[\\p{L}\\p{N} ./-]+$' },
      description: 'One token per dwelling label (a flat number, never a name)',
    },
  },
  oneOf: [{ required: ['count'] }, { required: ['dwellings'] }],
} as const;

export const invitationsCreated = {
  type: 'object',
  required: ['batchId', 'heldUntil', 'invitations'],
  properties: {
    batchId: objectIdSchema,
    heldUntil: {
      type: 'string',
      format: 'date-time',
      description: 'Letters and CSV can be downloaded until then',
    },
    invitations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'label', 'token', 'url'],
        properties: {
          id: objectIdSchema,
          label: { type: ['string', 'null'] },
          token: { type: 'string', description: 'Shown once; only its hash is kept' },
          url: { type: 'string', format: 'uri' },
        },
      },
    },
  },
} as const;

export const campaignIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: objectIdSchema },
} as const;
