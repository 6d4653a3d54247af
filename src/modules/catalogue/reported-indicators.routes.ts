import { authOf } from '../../http/context';
import { keyPageOnlyQuery, pageOf, pageSchema } from '../../http/pagination';
import { defineRoute, type AnyRoute } from '../../http/route';
import { addReportedIndicator, loadReportedCatalogue } from './reported-indicators.service';
import type { ReportedIndicator } from './reported-indicators';

const localText = {
  type: 'object',
  required: ['default'],
  properties: { default: { type: 'string', minLength: 1, maxLength: 500 } },
  additionalProperties: { type: 'string', maxLength: 500 },
  propertyNames: { pattern: '^(default|[a-z]{2,3}(-[A-Za-z]{2,4})?)$' },
} as const;

const fields = {
  id: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,31}$' },
  title: localText,
  kind: {
    type: 'string',
    enum: ['rate', 'per1000', 'value'],
    description:
      'rate: numerator/denominator as %; per1000: per 1,000 homes; value: a plain value with a unit',
  },
  numerator: { ...localText, description: 'What is counted (or what the value is)' },
  denominator: { ...localText, description: 'What it is divided by (rate, per1000)' },
  denominatorIsHomes: {
    type: 'boolean',
    description: 'The denominator counts dwellings, so it cannot exceed the housing stock',
  },
  unit: { type: 'string', maxLength: 40 },
  direction: { type: 'string', enum: ['higher', 'lower', 'neutral'], description: 'Which way is better' },
  range: {
    type: 'object',
    additionalProperties: false,
    required: ['min', 'max'],
    properties: { min: { type: 'number' }, max: { type: 'number' } },
    description: 'Valid range of the published value (a rate: 0–1)',
  },
  parts: {
    type: 'array',
    maxItems: 10,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'title'],
      properties: { key: { type: 'string', pattern: '^[a-z0-9_]{1,32}$' }, title: localText },
    },
  },
  tenureSplit: {
    type: 'boolean',
    description: 'Rented (lcra) and shared-ownership (lcho) homes reported apart',
  },
  changeThreshold: {
    type: 'number',
    minimum: 0,
    description:
      'A change from the previous period beyond this (in the value’s unit; rates 0–1) needs a comment',
  },
  source: { type: 'string', minLength: 3, maxLength: 1000, description: 'Where the definition comes from' },
} as const;

const definitionView = {
  type: 'object',
  required: [
    'id',
    'title',
    'kind',
    'numerator',
    'unit',
    'direction',
    'range',
    'parts',
    'tenureSplit',
    'source',
    'builtIn',
  ],
  properties: { ...fields, builtIn: { type: 'boolean' } },
} as const;

/** The catalogue of reported (management) indicators. */
export function reportedIndicatorRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/reported-indicators',
      summary: 'Service performance indicators that groups report in data returns',
      description:
        'Built in: the Tenant Satisfaction Measures’ management measures (BS01–BS05, RP01, RP02, CH01, CH02, NM01) and a starter set for Polish municipal housing, each with its public source.',
      tags: ['groups'],
      auth: ['platform', 'admin', 'analyst', 'coordinator'],
      query: keyPageOnlyQuery,
      responses: {
        200: {
          description: 'A page of the catalogue, by id',
          schema: pageSchema(definitionView),
        },
      },
      csv: (body: { items: ReportedIndicator[] }) => ({
        columns: ['id', 'kind', 'direction', 'unit', 'parts', 'title', 'source'],
        rows: body.items.map((d) => [
          d.id,
          d.kind,
          d.direction,
          d.unit,
          d.parts.map((p) => p.key),
          d.title.default,
          d.source,
        ]),
      }),
      handler: async ({ query }) => ({
        body: pageOf([...(await loadReportedCatalogue()).values()], (d) => d.id, query),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/reported-indicators',
      summary: 'Define a reported indicator (platform, coordinators)',
      tags: ['groups'],
      auth: ['platform', 'coordinator'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'kind', 'numerator', 'unit', 'direction', 'range', 'source'],
        properties: fields,
      },
      responses: {
        201: { description: 'Created', schema: definitionView },
        409: { description: 'The id is taken', schema: { $ref: '#/components/schemas/Error' } },
      },
      handler: async ({ body, req }) => {
        // The schema has checked the shape; localised texts are strings under any key.
        const def = body as unknown as Partial<ReportedIndicator> & Omit<ReportedIndicator, 'builtIn'>;
        return {
          status: 201,
          body: await addReportedIndicator(
            {
              ...def,
              denominatorIsHomes: def.denominatorIsHomes ?? false,
              parts: def.parts ?? [],
              tenureSplit: def.tenureSplit ?? false,
              changeThreshold: def.changeThreshold ?? 0,
            },
            authOf(req).organisationId,
          ),
        };
      },
    }),
  ];
}
