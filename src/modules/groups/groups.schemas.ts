import { languageSchema, slugSchema } from '../organisations/organisations.schemas';
import { periodSchema } from '../campaigns/campaigns.schemas';

export const groupParams = {
  type: 'object',
  required: ['group'],
  properties: { group: { type: 'string', minLength: 1, maxLength: 64, description: 'Group id or slug' } },
} as const;

const indicatorId = { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,31}$' } as const;

export const calendarEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['period', 'opens', 'closes', 'signOffBy'],
  properties: {
    period: { ...periodSchema, description: 'The period the data describe' },
    opens: { type: 'string', format: 'date-time', description: 'Collection opens' },
    closes: { type: 'string', format: 'date-time', description: 'Collection closes' },
    signOffBy: { type: 'string', format: 'date-time', description: 'Coordinators sign off by' },
  },
} as const;

const settings = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  description: { type: 'string', maxLength: 4000 },
  indicators: {
    type: 'array',
    items: indicatorId,
    maxItems: 200,
    description: 'Survey and reported indicator ids the group measures',
  },
  calendar: { type: 'array', items: calendarEntry, maxItems: 100 },
  languages: { type: 'array', items: languageSchema, minItems: 1, maxItems: 10 },
  sharePlans: {
    type: 'boolean',
    description:
      'Members see each other’s improvement plans (coordinators always do; a plan’s owner may also share it alone)',
  },
} as const;

export const createGroupBody = {
  type: 'object',
  additionalProperties: false,
  required: ['slug', 'name'],
  properties: {
    slug: slugSchema,
    ...settings,
    coordinators: {
      type: 'array',
      items: slugSchema,
      minItems: 1,
      maxItems: 10,
      description:
        'Platform keys only: the coordinating organisations (a coordinator key coordinates itself)',
    },
  },
} as const;

export const updateGroupBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ...settings,
    revision: { type: 'integer', minimum: 0, description: 'The revision you read; a stale one is a 409' },
  },
} as const;

const orgRef = {
  type: 'object',
  required: ['id', 'slug', 'name'],
  properties: { id: { type: 'string' }, slug: { type: 'string' }, name: { type: 'string' } },
} as const;

export const groupView = {
  type: 'object',
  required: [
    'id',
    'slug',
    'name',
    'coordinators',
    'members',
    'namesVisible',
    'indicators',
    'calendar',
    'revision',
  ],
  properties: {
    id: { type: 'string' },
    slug: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    coordinators: { type: 'array', items: orgRef },
    members: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...orgRef.properties,
          status: { type: 'string', enum: ['invited', 'member'] },
          showName: { type: 'boolean', description: 'This member agrees to show names inside the group' },
          invitedAt: { type: 'string', format: 'date-time' },
          joinedAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
    namesVisible: {
      type: 'boolean',
      description: 'Every member agreed: members see each other’s names in the group’s benchmarks',
    },
    indicators: { type: 'array', items: { type: 'string' } },
    calendar: { type: 'array', items: calendarEntry },
    languages: { type: 'array', items: { type: 'string' } },
    sharePlans: { type: 'boolean' },
    revision: { type: 'integer' },
    you: {
      type: 'object',
      properties: {
        coordinates: { type: 'boolean' },
        member: { type: 'boolean' },
        invited: { type: 'boolean' },
      },
    },
  },
} as const;
