import { periodSchema } from '../campaigns/campaigns.schemas';
import { groupParams } from '../groups/groups.schemas';

export const returnParams = {
  type: 'object',
  required: ['group', 'org', 'period'],
  properties: {
    ...groupParams.properties,
    org: { type: 'string', minLength: 1, maxLength: 64, description: 'Member organisation id or slug' },
    period: periodSchema,
  },
} as const;

export const queryParams = {
  type: 'object',
  required: ['group', 'org', 'period', 'query'],
  properties: { ...returnParams.properties, query: { type: 'string', pattern: '^[a-f0-9]{24}$' } },
} as const;

const count = { type: ['number', 'null'], minimum: 0 } as const;

export const figureInput = {
  type: 'object',
  additionalProperties: false,
  required: ['indicator'],
  properties: {
    indicator: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,31}$' },
    part: { type: 'string', maxLength: 32, description: 'For two-part measures: the part key' },
    tenure: { type: 'string', enum: ['', 'lcra', 'lcho'], description: 'For tenure-split measures' },
    numerator: { ...count, description: 'rate and per1000 indicators' },
    denominator: { ...count, description: 'rate and per1000 indicators' },
    value: { type: ['number', 'null'], description: 'value indicators' },
    comment: { type: 'string', maxLength: 2000, description: 'Explains a large change or an outlier' },
    notAvailable: {
      type: ['string', 'null'],
      minLength: 3,
      maxLength: 500,
      description: 'Why the figure cannot be given (instead of numbers)',
    },
  },
} as const;

export const saveFiguresBody = {
  type: 'object',
  additionalProperties: false,
  required: ['figures'],
  properties: {
    figures: { type: 'array', items: figureInput, minItems: 1, maxItems: 500 },
    revision: { type: 'integer', minimum: 0, description: 'The revision you read; a stale one is a 409' },
  },
} as const;

const finding = {
  type: 'object',
  properties: {
    field: { type: 'string' },
    severity: { type: 'string', enum: ['error', 'warning'] },
    code: { type: 'string' },
    message: { type: 'string' },
    explained: { type: 'boolean', description: 'Warnings: a comment explains it' },
  },
} as const;

const num = { type: ['number', 'null'] } as const;

export const returnView = {
  type: 'object',
  required: ['id', 'group', 'organisation', 'period', 'state', 'revision', 'figures', 'missing', 'queries'],
  properties: {
    id: { type: 'string' },
    group: { type: 'string' },
    organisation: { type: 'object', properties: { slug: { type: 'string' }, name: { type: 'string' } } },
    period: { type: 'string' },
    state: { type: 'string', enum: ['draft', 'submitted', 'queried', 'signed_off'] },
    stored: { type: 'boolean', description: 'false until the first figure is saved' },
    late: { type: 'boolean', description: 'Submitted after collection closed' },
    revision: { type: 'integer' },
    submittedAt: { type: ['string', 'null'], format: 'date-time' },
    signedOffAt: { type: ['string', 'null'], format: 'date-time' },
    figures: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          figure: { type: 'string', description: 'ID, ID.part or ID.part.tenure: the benchmark key' },
          indicator: { type: 'string' },
          part: { type: 'string' },
          tenure: { type: 'string' },
          numerator: num,
          denominator: num,
          value: num,
          comment: { type: 'string' },
          notAvailable: { type: ['string', 'null'] },
          computed: {
            ...num,
            description: 'The published value: a share, a count per 1,000 homes, or the value',
          },
          findings: { type: 'array', items: finding },
        },
      },
    },
    missing: {
      type: 'array',
      items: { type: 'string' },
      description: 'Figures of the group’s set not yet given',
    },
    queries: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          figure: { type: 'string' },
          status: { type: 'string', enum: ['open', 'answered', 'closed'] },
          messages: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                at: { type: 'string', format: 'date-time' },
                side: { type: 'string', enum: ['coordinator', 'member'] },
                text: { type: 'string' },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const returnSummary = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    organisation: { type: 'string' },
    period: { type: 'string' },
    state: { type: 'string', enum: ['draft', 'submitted', 'queried', 'signed_off'] },
    figures: { type: 'integer' },
    openQueries: { type: 'integer' },
    submittedAt: { type: ['string', 'null'] },
    signedOffAt: { type: ['string', 'null'] },
    revision: { type: 'integer' },
  },
} as const;

export const auditView = {
  type: 'object',
  properties: {
    at: { type: 'string', format: 'date-time' },
    keyId: { type: 'string' },
    organisationId: { type: ['string', 'null'] },
    role: { type: 'string' },
    action: {
      type: 'string',
      enum: ['figure', 'submit', 'query', 'message', 'close_query', 'sign_off', 'reopen', 'upload'],
    },
    figure: { type: ['string', 'null'] },
    before: {},
    after: {},
    reason: { type: ['string', 'null'] },
    revision: { type: 'integer' },
  },
} as const;
