import { languageSchema, objectIdSchema, slugSchema } from '../organisations/organisations.schemas';

export const localTextSchema = {
  oneOf: [
    { type: 'string', maxLength: 500 },
    {
      type: 'object',
      required: ['default'],
      additionalProperties: { type: 'string', maxLength: 500 },
      propertyNames: { pattern: '^(default|[a-z]{2,3}(-[A-Za-z]{2,4})?)$' },
    },
  ],
} as const;

export const mappingSchema = {
  type: 'array',
  maxItems: 100,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['indicator', 'question'],
    properties: {
      indicator: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,31}$' },
      question: { type: 'string', minLength: 1, maxLength: 128 },
      row: {
        type: ['string', 'number'],
        description: 'A row of a matrix (Likert grid) or of a matrix of drop-downs',
      },
      column: { type: 'string', description: 'A column of a matrix of drop-downs (with row)' },
      item: { type: 'string', description: 'An item of a multiple-text question' },
      valueMap: {
        type: 'object',
        maxProperties: 200,
        additionalProperties: { type: ['string', 'number'] },
      },
    },
  },
} as const;

export const definitionSchema = {
  type: 'object',
  description: 'A SurveyJS survey definition (survey-core 2.5.38)',
} as const;

export const languagesSchema = {
  type: 'array',
  items: languageSchema,
  minItems: 1,
  maxItems: 10,
  uniqueItems: true,
  description: 'The first is the default language (the "default" key of localised strings)',
} as const;

export const validateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['definition'],
  properties: {
    definition: definitionSchema,
    indicatorMapping: mappingSchema,
    languages: languagesSchema,
  },
} as const;

export const createSurveyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: {
    slug: slugSchema,
    title: { type: 'string', minLength: 1, maxLength: 200 },
    template: { ...slugSchema, description: 'Start from a built-in template (GET /api/v1/templates)' },
    definition: definitionSchema,
    indicatorMapping: mappingSchema,
    languages: languagesSchema,
    shared: { type: 'boolean', description: 'Platform keys only: offer the survey to every organisation' },
  },
} as const;

export const draftBody = {
  type: 'object',
  additionalProperties: false,
  required: ['definition'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200 },
    definition: definitionSchema,
    indicatorMapping: mappingSchema,
    languages: languagesSchema,
    revision: {
      type: 'integer',
      minimum: 0,
      description:
        'The draft’s revision you edited (from the survey’s `draft.revision`): a draft replaced since answers 409 DRAFT_CONFLICT rather than losing that change. Without it the draft is replaced whatever it holds.',
    },
  },
} as const;

/** Optional body of a publish: the draft revision the publisher reviewed. */
export const publishBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    revision: {
      type: 'integer',
      minimum: 0,
      description:
        'The draft’s revision you reviewed (from the survey’s `draft.revision`): a draft replaced since answers 409 DRAFT_CONFLICT and nothing is published, so no one publishes a change they have not seen. Without it (or without a body) the draft is published whatever it holds.',
    },
  },
} as const;

const detailList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['path', 'message'],
    properties: { path: { type: 'string' }, message: { type: 'string' } },
  },
} as const;

export const validateResult = {
  type: 'object',
  required: ['ok', 'warnings', 'questions'],
  properties: {
    ok: { type: 'boolean', const: true },
    warnings: detailList,
    questions: { type: 'array', items: { type: 'object' } },
  },
} as const;

export const surveySummary = {
  type: 'object',
  required: [
    'id',
    'slug',
    'title',
    'organisationId',
    'shared',
    'latestVersion',
    'template',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    id: objectIdSchema,
    slug: slugSchema,
    title: { type: 'string' },
    organisationId: { type: ['string', 'null'] },
    shared: { type: 'boolean' },
    latestVersion: { type: 'integer', description: '0 while nothing is published' },
    template: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const surveyDetail = {
  type: 'object',
  required: [...surveySummary.required, 'draft', 'warnings'],
  properties: {
    ...surveySummary.properties,
    draft: {
      type: 'object',
      required: ['definition', 'indicatorMapping', 'languages', 'basedOnVersion', 'revision', 'updatedAt'],
      properties: {
        definition: definitionSchema,
        indicatorMapping: mappingSchema,
        languages: { type: 'array', items: { type: 'string' } },
        basedOnVersion: { type: 'integer' },
        revision: { type: 'integer', description: 'Goes up by one each time the draft is replaced' },
        updatedAt: { type: 'string', format: 'date-time' },
      },
    },
    warnings: detailList,
  },
} as const;

export const versionView = {
  type: 'object',
  required: [
    'surveyId',
    'version',
    'title',
    'definition',
    'indicatorMapping',
    'languages',
    'contentHash',
    'publishedAt',
    'publishedBy',
  ],
  properties: {
    surveyId: objectIdSchema,
    version: { type: 'integer', minimum: 1 },
    title: { type: 'string' },
    definition: definitionSchema,
    indicatorMapping: mappingSchema,
    languages: { type: 'array', items: { type: 'string' } },
    contentHash: {
      type: 'string',
      description: 'SHA-256 of the canonical JSON of definition, mapping and languages',
    },
    publishedAt: { type: 'string', format: 'date-time' },
    publishedBy: { type: ['string', 'null'], description: 'Id of the API key that published' },
  },
} as const;

export const surveyIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: objectIdSchema },
} as const;

export const versionParams = {
  type: 'object',
  required: ['id', 'n'],
  properties: { id: objectIdSchema, n: { type: 'integer', minimum: 1 } },
} as const;
