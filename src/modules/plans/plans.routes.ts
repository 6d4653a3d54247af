import { authOf } from '../../http/context';
import { pageQuery, pageSchema } from '../../http/pagination';
import { defineRoute, type AnyRoute } from '../../http/route';
import { periodSchema } from '../campaigns/campaigns.schemas';
import { slugSchema } from '../organisations/organisations.schemas';
import { learningPartners } from './learning-partners.service';
import { planCsv, planPdf } from './plan-export';
import {
  addAction,
  addGoal,
  addReview,
  createPlan,
  deletePlan,
  getPlan,
  listPlans,
  removeGoal,
  updateAction,
  updatePlan,
  type PlanView,
} from './plans.service';

const errorRef = { $ref: '#/components/schemas/Error' };
const anyone = ['platform', 'admin', 'analyst', 'coordinator'] as const;
const objectId = { type: 'string', pattern: '^[a-f0-9]{24}$' } as const;
const planParams = { type: 'object', required: ['id'], properties: { id: objectId } } as const;
const num = { type: ['number', 'null'] } as const;
const date = { type: 'string', format: 'date-time' } as const;
/** `*` (the whole organisation) or a campaign segment. */
const segment = {
  type: 'string',
  maxLength: 128,
  pattern: '^(\\*|[\\p{L}\\p{N} ._/:-]*)$',
  default: '*',
  description: '`*` (default) is the whole organisation; otherwise a campaign segment',
} as const;

const goalInput = {
  type: 'object',
  additionalProperties: false,
  required: ['indicator', 'target'],
  properties: {
    indicator: {
      type: 'string',
      pattern: '^[A-Z][A-Z0-9_]{1,31}(\\.[a-z0-9_]{1,32}){0,2}$',
      description: 'A survey indicator or a reported figure key',
    },
    segment,
    description: { type: 'string', maxLength: 2000 },
    baselinePeriod: { ...periodSchema, description: 'Default: the latest period with a published value' },
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['value', 'period'],
      properties: { value: { type: 'number' }, period: periodSchema },
    },
  },
} as const;

const status = { type: 'string', enum: ['planned', 'in_progress', 'done', 'dropped'] } as const;
const actionFields = {
  what: { type: 'string', minLength: 1, maxLength: 2000 },
  ownerRole: { type: 'string', maxLength: 200, description: 'A role (housing department), not a person' },
  start: date,
  due: date,
  status,
  goals: { type: 'array', items: objectId, maxItems: 50 },
  practices: { type: 'array', items: objectId, maxItems: 50, description: 'Good practices that inspired it' },
} as const;
const actionInput = {
  type: 'object',
  additionalProperties: false,
  required: ['what'],
  properties: actionFields,
} as const;

const measurement = {
  type: 'object',
  properties: { period: { type: 'string' }, value: { type: 'number' }, low: num, high: num, n: num },
} as const;

const planView = {
  type: 'object',
  required: ['id', 'organisation', 'title', 'goals', 'actions', 'reviews', 'revision'],
  properties: {
    id: { type: 'string' },
    organisation: { type: 'object', properties: { slug: { type: 'string' }, name: { type: 'string' } } },
    group: { type: ['string', 'null'] },
    title: { type: 'string' },
    cycle: { type: 'string' },
    visibleToMembers: { type: 'boolean' },
    nextReviewAt: { type: ['string', 'null'], format: 'date-time' },
    reviewDue: { type: 'boolean' },
    revision: { type: 'integer' },
    goals: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          indicator: { type: 'string' },
          title: { type: 'object', additionalProperties: { type: 'string' } },
          kind: { type: 'string' },
          unit: { type: 'string' },
          direction: { type: 'string', enum: ['higher', 'lower', 'neutral'] },
          segment: { type: 'string' },
          description: { type: 'string' },
          baseline: {
            ...measurement,
            properties: { ...measurement.properties, value: { type: ['number', 'null'] } },
            description:
              'Taken from the data when the goal was set; its figures are null for other organisations when the baseline period’s value is not published (suppressed)',
          },
          target: { type: 'object', properties: { value: { type: 'number' }, period: { type: 'string' } } },
          progress: {
            type: 'object',
            properties: {
              status: {
                type: 'string',
                enum: ['achieved', 'on_track', 'off_track', 'not_yet_measured', 'withheld'],
                description:
                  'withheld: the baseline is not published to the caller, so neither is the progress',
              },
              latest: { oneOf: [{ type: 'null' }, measurement] },
              covered: { ...num, description: 'Share of the way from baseline to target covered' },
              elapsed: { ...num, description: 'Share of the time from baseline to target period passed' },
              beyondNoise: {
                type: ['boolean', 'null'],
                description:
                  'The change exceeds 1.96 combined standard errors of both intervals; null for figures without an interval',
              },
            },
          },
        },
      },
    },
    actions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          ...actionFields,
          start: { type: ['string', 'null'] },
          due: { type: ['string', 'null'] },
          overdue: { type: 'boolean' },
        },
      },
    },
    reviews: {
      type: 'array',
      items: { type: 'object', properties: { at: date, note: { type: 'string' } } },
    },
  },
} as const;

const ok = { description: 'The plan with the progress of each goal', schema: planView };
const notFound = { description: 'Missing, or a plan you may not see', schema: errorRef };
/** Changes that name no revision are made again on the fresh plan; this is when that kept failing. */
const busy = { description: 'The plan kept changing under other edits; try again', schema: errorRef };

const partnerView = {
  type: 'object',
  properties: {
    slug: {
      type: 'string',
      description: 'A pseudonym inside a group whose members have not all agreed to show names',
    },
    name: { type: 'string' },
    country: { type: 'string' },
    region: { type: 'string' },
    type: { type: 'string' },
    stockBand: { type: ['string', 'null'] },
    value: { type: 'number' },
    low: num,
    high: num,
    gap: { type: 'number', description: 'Their value minus yours' },
    similarity: {
      type: 'object',
      properties: {
        sameType: { type: 'boolean' },
        sameSize: { type: 'boolean' },
        score: { type: 'integer' },
      },
    },
    practices: {
      type: 'array',
      description:
        'Their good practices linked to this indicator that you may read (only where names are shown)',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          title: { type: 'object', additionalProperties: { type: 'string' }, description: 'By language' },
          period: { type: 'string' },
        },
      },
    },
  },
} as const;

/** Improvement plans: goals with baselines from the data, actions, reviews, exports. */
export function planRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/benchmarks/{indicator}/learning-partners',
      summary: 'Organisations to learn from: better than you by more than the noise, the most similar first',
      description:
        'Survey values: better by more than 1.96 combined standard errors of both 95% intervals. Reported figures (complete counts, no sampling error): better by more than the indicator’s change threshold. Ranked by similarity (same organisation type, same housing-stock band), then by the gap. Neutral indicators suggest no one.',
      tags: ['plans'],
      auth: anyone,
      params: {
        type: 'object',
        required: ['indicator'],
        properties: {
          indicator: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,31}(\\.[a-z0-9_]{1,32}){0,2}$' },
        },
      },
      query: {
        type: 'object',
        additionalProperties: false,
        required: ['period'],
        properties: {
          period: periodSchema,
          peerGroup: {
            type: 'string',
            pattern: '^(all|size|region|type|country|group:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)$',
            default: 'all',
          },
          segment,
        },
      },
      responses: {
        200: {
          description: 'Partners',
          schema: {
            type: 'object',
            required: ['indicator', 'direction', 'period', 'partners'],
            properties: {
              indicator: { type: 'string' },
              direction: { type: 'string', enum: ['higher', 'lower', 'neutral'] },
              period: { type: 'string' },
              peerGroup: { type: 'string' },
              you: {
                oneOf: [
                  { type: 'null' },
                  { type: 'object', properties: { value: { type: 'number' }, low: num, high: num } },
                ],
              },
              partners: { type: 'array', items: partnerView },
              reason: { type: ['string', 'null'], description: 'Why the list is empty, when it is' },
            },
          },
        },
        404: { description: 'Unknown indicator, or a group you are not part of', schema: errorRef },
      },
      // A row per partner, with your own value beside each for the gap.
      csv: (body: Awaited<ReturnType<typeof learningPartners>>) => ({
        columns: [
          'indicator',
          'period',
          'yourValue',
          'partner',
          'name',
          'type',
          'country',
          'region',
          'stockBand',
          'value',
          'low',
          'high',
          'gap',
          'similarity',
          'practices',
        ],
        rows: body.partners.map((p) => [
          body.indicator,
          body.period,
          body.you?.value ?? null,
          p.slug,
          p.name,
          p.type,
          p.country,
          p.region,
          p.stockBand,
          p.value,
          p.low,
          p.high,
          p.gap,
          p.similarity.score,
          p.practices.length,
        ]),
      }),
      handler: async ({ params, query, req }) => ({
        body: await learningPartners(authOf(req), params.indicator, {
          period: query.period,
          segment: query.segment,
          peerGroup: query.peerGroup as never,
        }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/plans',
      summary: 'Create an improvement plan of your organisation (admin)',
      description:
        'Each goal’s baseline is taken from the data: the organisation’s published survey value or signed-off reported figure in the baseline period (default: the latest).',
      tags: ['plans'],
      audit: 'self',
      auth: ['admin'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['title'],
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 300 },
          cycle: { type: 'string', maxLength: 100, description: 'e.g. 2025–2027' },
          group: {
            ...slugSchema,
            description: 'The benchmarking group it belongs to (you must be a member)',
          },
          visibleToMembers: {
            type: 'boolean',
            description: 'Members of the group see it (coordinators always do)',
          },
          nextReviewAt: date,
          goals: { type: 'array', items: goalInput, maxItems: 50 },
          actions: { type: 'array', items: actionInput, maxItems: 200 },
        },
      },
      responses: { 201: { description: 'Created', schema: planView }, 404: notFound },
      handler: async ({ body, req }) => ({ status: 201, body: await createPlan(authOf(req), body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/plans',
      summary: 'Plans you may see: yours, and those of groups you coordinate or that members share',
      tags: ['plans'],
      auth: anyone,
      query: {
        type: 'object',
        additionalProperties: false,
        properties: { group: slugSchema, ...pageQuery },
      },
      responses: {
        200: {
          description: 'A page of plans, oldest first',
          schema: pageSchema(planView),
        },
      },
      handler: async ({ query, req }) => ({ body: await listPlans(authOf(req), query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/plans/{id}',
      summary: 'One plan with progress (also as CSV)',
      tags: ['plans'],
      auth: anyone,
      params: planParams,
      responses: { 200: ok, 404: notFound },
      csv: planCsv as (body: never) => ReturnType<typeof planCsv>,
      handler: async ({ params, req }) => ({ body: await getPlan(authOf(req), params.id) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/plans/{id}/plan.pdf',
      summary: 'The plan as a printable PDF for a council meeting',
      tags: ['plans'],
      auth: anyone,
      params: planParams,
      query: {
        type: 'object',
        additionalProperties: false,
        properties: { lang: { type: 'string', pattern: '^[a-z]{2,3}$', default: 'en' } },
      },
      responses: { 200: { description: 'PDF', content: { 'application/pdf': {} } }, 404: notFound },
      handler: async ({ params, query, req, res }) => {
        const plan: PlanView = await getPlan(authOf(req), params.id);
        const pdf = await planPdf(plan, query.lang);
        res
          .type('application/pdf')
          .setHeader('Content-Disposition', `inline; filename="plan-${plan.id}.pdf"`)
          .send(pdf);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/plans/{id}',
      summary: 'Change the title, cycle, sharing or next review date (admin of the plan’s organisation)',
      tags: ['plans'],
      audit: 'self',
      auth: ['admin'],
      params: planParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 300 },
          cycle: { type: 'string', maxLength: 100 },
          visibleToMembers: { type: 'boolean' },
          nextReviewAt: { type: ['string', 'null'], format: 'date-time' },
          revision: { type: 'integer', minimum: 0 },
        },
      },
      responses: { 200: ok, 404: notFound, 409: { description: 'Stale revision', schema: errorRef } },
      handler: async ({ params, body, req }) => ({ body: await updatePlan(authOf(req), params.id, body) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/plans/{id}',
      summary: 'Delete a plan (admin of the plan’s organisation)',
      tags: ['plans'],
      audit: 'self',
      auth: ['admin'],
      params: planParams,
      responses: { 204: { description: 'Deleted' }, 404: notFound },
      handler: async ({ params, req }) => {
        await deletePlan(authOf(req), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/plans/{id}/goals',
      summary: 'Add a goal; its baseline is taken from the data',
      tags: ['plans'],
      audit: 'self',
      auth: ['admin'],
      params: planParams,
      body: goalInput,
      responses: { 200: ok, 404: notFound, 409: busy },
      handler: async ({ params, body, req }) => ({ body: await addGoal(authOf(req), params.id, body) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/plans/{id}/goals/{goal}',
      summary: 'Remove a goal',
      tags: ['plans'],
      audit: 'self',
      auth: ['admin'],
      params: { type: 'object', required: ['id', 'goal'], properties: { id: objectId, goal: objectId } },
      responses: { 200: ok, 404: notFound, 409: busy },
      handler: async ({ params, req }) => ({ body: await removeGoal(authOf(req), params.id, params.goal) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/plans/{id}/actions',
      summary: 'Add an action',
      tags: ['plans'],
      audit: 'self',
      auth: ['admin'],
      params: planParams,
      body: actionInput,
      responses: { 200: ok, 404: notFound, 409: busy },
      handler: async ({ params, body, req }) => ({ body: await addAction(authOf(req), params.id, body) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/plans/{id}/actions/{action}',
      summary: 'Change an action: status, dates, text, links',
      tags: ['plans'],
      audit: 'self',
      auth: ['admin'],
      params: { type: 'object', required: ['id', 'action'], properties: { id: objectId, action: objectId } },
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: actionFields },
      responses: { 200: ok, 404: notFound, 409: busy },
      handler: async ({ params, body, req }) => ({
        body: await updateAction(authOf(req), params.id, params.action, body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/plans/{id}/reviews',
      summary: 'Record a review, and when the next one is due',
      tags: ['plans'],
      audit: 'self',
      auth: ['admin'],
      params: planParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['note'],
        properties: { note: { type: 'string', minLength: 1, maxLength: 4000 }, nextReviewAt: date },
      },
      responses: { 200: ok, 404: notFound, 409: busy },
      handler: async ({ params, body, req }) => ({ body: await addReview(authOf(req), params.id, body) }),
    }),
  ];
}
