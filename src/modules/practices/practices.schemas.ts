import { periodSchema } from '../campaigns/campaigns.schemas';
import { ORGANISATION_TYPES } from '../organisations/organisation.model';
import { objectIdSchema } from '../organisations/organisations.schemas';
import { NOISE } from './evidence';

const languageKey = { pattern: '^[a-z]{2,3}(-[A-Za-z]{2,4})?$' } as const;

/** A text in one or more languages: `{"pl": "...", "en": "..."}`. */
function localised(maxLength: number, description: string) {
  return {
    type: 'object',
    minProperties: 1,
    maxProperties: 12,
    propertyNames: languageKey,
    additionalProperties: { type: 'string', minLength: 1, maxLength },
    description,
  } as const;
}

/** The same in a PATCH: given languages are added or replaced, an empty string removes one. */
function localisedPatch(maxLength: number, description: string) {
  return {
    type: 'object',
    minProperties: 1,
    maxProperties: 12,
    propertyNames: languageKey,
    additionalProperties: { type: 'string', maxLength },
    description: `${description}. Languages given are added or replaced; "" removes a language; at least one stays.`,
  } as const;
}

const criterion = {
  type: 'object',
  additionalProperties: false,
  required: ['text', 'rating'],
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 1000, description: 'A short justification' },
    rating: { type: 'integer', minimum: 1, maximum: 5 },
  },
} as const;

const criteriaProperties = {
  relevance: { ...criterion, description: 'How much it matters for the service (5: very)' },
  evidenceBase: { ...criterion, description: 'How well its effect is shown (5: measured before and after)' },
  transferability: { ...criterion, description: 'How easily others can adopt it (5: easily)' },
  cost: { ...criterion, description: 'What it costs to run (1: very little, 5: very much)' },
} as const;

/** A survey indicator id (TP01) or a reported figure key (PL_VACANT, RP02.emergency, ID.part.tenure). */
export const indicatorKeySchema = {
  type: 'string',
  pattern: '^[A-Z][A-Z0-9_]{1,31}(\\.[a-z0-9_]{1,32}){0,2}$',
} as const;

const visibility = {
  type: 'string',
  enum: ['group', 'organisations', 'public'],
  description:
    'group: members and coordinators of its group; organisations: any organisation’s key; public: also without a key',
} as const;

const groupRef = { type: 'string', minLength: 1, maxLength: 64, description: 'Group id or slug' } as const;
const topics = {
  type: 'array',
  maxItems: 20,
  items: { type: 'string', minLength: 1, maxLength: 60 },
} as const;
const indicators = {
  type: 'array',
  maxItems: 20,
  uniqueItems: true,
  items: indicatorKeySchema,
  description: 'Survey indicator ids and reported figure keys the practice meant to move',
} as const;

export const TITLE_MAX = 300;
export const SUMMARY_MAX = 2000;
export const BODY_MAX = 50_000;

export const createPracticeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['period', 'title', 'summary', 'body', 'criteria', 'visibility'],
  properties: {
    group: { ...groupRef, description: 'A group your organisation belongs to or coordinates' },
    period: { ...periodSchema, description: 'When the practice started' },
    title: localised(TITLE_MAX, 'Title'),
    summary: localised(SUMMARY_MAX, 'Summary, plain text'),
    body: localised(BODY_MAX, 'Description in Markdown; raw HTML is shown as text'),
    topics,
    indicators,
    criteria: {
      type: 'object',
      additionalProperties: false,
      required: ['relevance', 'evidenceBase', 'transferability', 'cost'],
      properties: criteriaProperties,
    },
    visibility,
  },
} as const;

export const updatePracticeBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    group: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: 64,
      description: 'Group id or slug; null unlinks',
    },
    period: periodSchema,
    title: localisedPatch(TITLE_MAX, 'Title'),
    summary: localisedPatch(SUMMARY_MAX, 'Summary'),
    body: localisedPatch(BODY_MAX, 'Markdown body'),
    topics,
    indicators,
    criteria: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: criteriaProperties,
      description: 'Criteria given replace the stored ones',
    },
    visibility,
    revision: { type: 'integer', minimum: 0, description: 'The revision you read; a stale one is a 409' },
  },
} as const;

export const practiceParams = {
  type: 'object',
  required: ['id'],
  properties: { id: objectIdSchema },
} as const;

export const attachmentParams = {
  type: 'object',
  required: ['id', 'attachmentId'],
  properties: { id: objectIdSchema, attachmentId: objectIdSchema },
} as const;

export const attachmentQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[^\\x00-\\x1f\\x7f/\\\\]+$',
      description: 'The file name shown on download (no slashes or control characters)',
    },
  },
} as const;

const filters = {
  q: {
    type: 'string',
    maxLength: 200,
    description: 'Words in any language; each word also finds longer words it begins',
  },
  indicator: {
    ...indicatorKeySchema,
    description: 'Linked to this indicator or figure key (RP02 also finds RP02.emergency)',
  },
  topic: { type: 'string', minLength: 1, maxLength: 60 },
  country: { type: 'string', pattern: '^[A-Z]{2}$' },
  organisationType: { type: 'string', enum: ORGANISATION_TYPES },
  limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Items per page' },
  cursor: {
    type: 'string',
    pattern: '^([a-f0-9]{24}|[0-9]{1,6})$',
    description: 'The nextCursor of the previous page',
  },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filters,
    group: { ...groupRef, description: 'Practices of this group (one you can see)' },
  },
} as const;

export const publicListQuery = { type: 'object', additionalProperties: false, properties: filters } as const;

const localisedView = { type: 'object', additionalProperties: { type: 'string' } } as const;
const ref = {
  type: 'object',
  required: ['id', 'slug', 'name'],
  properties: { id: { type: 'string' }, slug: { type: 'string' }, name: { type: 'string' } },
} as const;

const attachmentView = {
  type: 'object',
  required: ['id', 'name', 'contentType', 'size', 'uploadedAt', 'url'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    contentType: { type: 'string' },
    size: { type: 'integer' },
    uploadedAt: { type: 'string', format: 'date-time' },
    url: { type: 'string', description: 'Where to download it (with a key, or publicly for public entries)' },
  },
} as const;

const summaryProperties = {
  id: { type: 'string' },
  organisation: ref,
  group: { anyOf: [ref, { type: 'null' }], description: 'Shown to those who can see the group' },
  period: { type: 'string' },
  title: localisedView,
  summary: localisedView,
  topics: { type: 'array', items: { type: 'string' } },
  indicators: { type: 'array', items: { type: 'string' } },
  country: { type: 'string' },
  organisationType: { type: 'string' },
  criteria: { type: 'object', properties: criteriaProperties },
  visibility,
  revision: { type: 'integer' },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
} as const;

export const practiceSummary = {
  type: 'object',
  required: ['id', 'organisation', 'period', 'title', 'summary', 'visibility'],
  properties: {
    ...summaryProperties,
    score: {
      type: 'number',
      description: 'With q: the rank (title 3, summary 2, body and topics 1 per word)',
    },
  },
} as const;

const num = { type: ['number', 'null'] } as const;
const point = {
  type: ['object', 'null'],
  properties: {
    period: { type: 'string' },
    value: { ...num, description: 'null when withheld (suppressed) from you' },
    low: { ...num, description: 'Survey values: 95% interval' },
    high: num,
    n: num,
    suppressed: { type: ['string', 'null'], description: 'Survey values: why it is withheld from others' },
    numerator: { ...num, description: 'Reported figures' },
    denominator: num,
  },
} as const;
const change = {
  type: ['object', 'null'],
  properties: {
    difference: { type: 'number' },
    noise: { type: 'string', enum: Object.values(NOISE) },
    threshold: { ...num, description: 'Survey values: the combined half-widths sqrt(h1² + h2²)' },
    beyondNoise: {
      type: ['boolean', 'null'],
      description: 'null: cannot be said (reported figures are a census)',
    },
  },
} as const;

export const evidenceItem = {
  type: 'object',
  required: ['indicator', 'source', 'before', 'after', 'latest', 'change'],
  properties: {
    indicator: { type: 'string' },
    source: { type: 'string', enum: ['survey', 'reported'] },
    kind: { type: 'string', description: 'share, nps, mean; rate, per1000, value' },
    direction: { type: 'string', enum: ['higher', 'lower', 'neutral'], description: 'Which way is better' },
    before: point,
    after: point,
    latest: { ...point, description: 'The latest value, when later than `after`' },
    change: { ...change, description: 'after − before' },
    changeToLatest: { ...change, description: 'latest − before' },
  },
} as const;

export const practiceView = {
  type: 'object',
  required: [...practiceSummary.required, 'body', 'bodyHtml', 'attachments', 'evidence'],
  properties: {
    ...summaryProperties,
    body: { ...localisedView, description: 'Markdown as written' },
    bodyHtml: {
      ...localisedView,
      description: 'The Markdown rendered; raw HTML escaped, unsafe links refused',
    },
    attachments: { type: 'array', items: attachmentView },
    evidence: { type: 'array', items: evidenceItem },
    you: {
      type: 'object',
      properties: { author: { type: 'boolean', description: 'Your organisation wrote it' } },
    },
  },
} as const;

export const attachmentCreated = attachmentView;
