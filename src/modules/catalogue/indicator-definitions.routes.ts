import { keyPageOnlyQuery, pageOf, pageSchema } from '../../http/pagination';
import { defineRoute, type AnyRoute } from '../../http/route';
import type { IndicatorDefinition } from './catalogue';
import { addIndicator, loadCatalogue } from './indicator-definitions.service';

const scaleValue = { type: ['string', 'number'] } as const;
const localText = {
  type: 'object',
  required: ['default'],
  additionalProperties: { type: 'string', maxLength: 300 },
  propertyNames: { pattern: '^(default|[a-z]{2,3}(-[A-Za-z]{2,4})?)$' },
} as const;

const definitionView = {
  type: 'object',
  required: ['id', 'title', 'kind', 'scale', 'positive', 'excluded', 'minN', 'builtIn'],
  properties: {
    id: { type: 'string' },
    title: localText,
    kind: { type: 'string', enum: ['share', 'nps', 'mean'] },
    scale: { type: 'array', items: scaleValue, description: 'Substantive answers, best first' },
    positive: {
      type: 'array',
      items: scaleValue,
      description: 'Counted as positive (share); promoters (nps)',
    },
    excluded: {
      type: 'array',
      items: { type: 'string' },
      description: 'Excluded from the base (don’t know, not applicable)',
    },
    minN: { type: 'integer', description: 'Below this base the value is hidden from other organisations' },
    builtIn: { type: 'boolean' },
  },
} as const;

const newDefinition = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'kind', 'scale', 'positive'],
  properties: {
    id: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,31}$' },
    title: localText,
    kind: { type: 'string', enum: ['share', 'nps', 'mean'] },
    scale: { type: 'array', items: scaleValue, minItems: 2, maxItems: 20 },
    positive: { type: 'array', items: scaleValue, maxItems: 20 },
    excluded: {
      type: 'array',
      items: { type: 'string', maxLength: 64 },
      maxItems: 10,
      default: ['dont_know', 'not_applicable'],
    },
    minN: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
  },
} as const;

/** The indicator catalogue. */
export function indicatorDefinitionRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/indicator-definitions',
      summary: 'The indicator catalogue (built-in TP01–TP12, NPS, CSAT and the platform’s own)',
      tags: ['indicators'],
      auth: ['platform', 'admin', 'analyst', 'coordinator'],
      query: keyPageOnlyQuery,
      responses: {
        200: {
          description: 'A page of the catalogue, by id',
          schema: pageSchema(definitionView),
        },
      },
      handler: async ({ query }) => ({
        body: pageOf([...(await loadCatalogue()).values()], (d) => d.id, query),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/indicator-definitions',
      summary: 'Add an indicator to the catalogue',
      tags: ['indicators'],
      auth: ['platform'],
      body: newDefinition,
      responses: {
        201: { description: 'Added', schema: definitionView },
        409: { description: 'Id taken', schema: { $ref: '#/components/schemas/Error' } },
      },
      handler: async ({ body }) => ({
        status: 201,
        body: await addIndicator(body as Omit<IndicatorDefinition, 'builtIn'>),
      }),
    }),
  ];
}
