import { authOf } from '../../http/context';
import { defineRoute, type AnyRoute } from '../../http/route';
import { modeCountsSchema, periodSchema } from '../campaigns/campaigns.schemas';
import { orgParams } from '../organisations/organisations.schemas';
import { MODES } from '../responses/modes';
import { APPROACH_LANGUAGES, approachPdf } from './approach-pdf';
import { OVERRIDABLE, SAMPLING_METHODS } from './approach.model';
import { APPROACH_ITEMS, getApproach, putApproach } from './approach.service';
import { categoryCheck } from './weighting.schemas';

const errorRef = { $ref: '#/components/schemas/Error' };
const readers = ['platform', 'admin', 'analyst'] as const;
const base = '/api/v1/organisations/{org}/approach/{period}';
const notFound = {
  description: 'No such organisation, or another organisation’s (the same answer)',
  schema: errorRef,
};

/** Longest statement the landlord may store in one field. */
export const MAX_STATEMENT = 2000;

const approachParams = {
  type: 'object',
  required: ['org', 'period'],
  properties: { ...orgParams.properties, period: periodSchema },
} as const;

/** Text of a statement; null clears it. */
const statement = (description: string) =>
  ({
    type: ['string', 'null'],
    minLength: 1,
    maxLength: MAX_STATEMENT,
    pattern: '\\S',
    description: `${description}; null clears it`,
  }) as const;

const overridesBody = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    OVERRIDABLE.map((k) => [
      k,
      statement(`Your own wording of the ${k} item, printed instead of the figures`),
    ]),
  ) as Record<(typeof OVERRIDABLE)[number], ReturnType<typeof statement>>,
  description:
    'Wording that replaces the automatic text of an item in the PDF (the JSON keeps the figures), e.g. when part of the fieldwork was run outside this service',
} as const;

export const putApproachBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    sampling: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        method: {
          type: ['string', 'null'],
          enum: [...SAMPLING_METHODS, null],
          description: 'census, random, stratified, quota or other; null clears it',
        },
        description: statement('How the sample was drawn, in words (required with method "other")'),
      },
    },
    contractor: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: 200,
      pattern: '\\S',
      description: 'Name of the external contractor who ran the survey; null: run in house',
    },
    exclusions: statement('Tenants excluded from the sample and why (write "None" if none)'),
    missedSampleReason: statement('Why the required sample size was not met'),
    incentives: statement('Type and amount of any incentives (write "None" if none)'),
    otherIssues: statement('Other issues likely to have materially affected the results (or "None")'),
    notes: statement('Anything else to print at the end of the summary'),
    overrides: overridesBody,
  },
  description: 'Only the fields given change; the others keep what was stored.',
  examples: [
    {
      sampling: { method: 'census', description: 'All 1,000 households were invited by letter.' },
      contractor: 'Acme Research Ltd',
      exclusions: 'Households in the middle of an eviction process (12).',
      incentives: 'A prize draw for five £50 shopping vouchers.',
      otherIssues: 'None',
    },
  ],
} as const;

const nullableString = { type: ['string', 'null'] } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const range = {
  oneOf: [
    { type: 'null' },
    {
      type: 'object',
      required: ['min', 'max'],
      additionalProperties: false,
      properties: { min: { type: 'number' }, max: { type: 'number' } },
    },
  ],
} as const;

export const approachView = {
  type: 'object',
  additionalProperties: false,
  required: [
    'organisation',
    'period',
    ...APPROACH_ITEMS,
    'notes',
    'overrides',
    'missing',
    'warnings',
    'statedAt',
    'generatedAt',
  ],
  properties: {
    organisation: {
      type: 'object',
      required: ['id', 'slug', 'name', 'housingStock'],
      additionalProperties: false,
      properties: {
        id: { type: 'string' },
        slug: { type: 'string' },
        name: { type: 'string' },
        housingStock: { type: ['integer', 'null'] },
      },
    },
    period: { type: 'string' },
    achieved: {
      type: 'object',
      required: ['responses', 'byMode', 'target'],
      additionalProperties: false,
      properties: {
        responses: { type: 'integer', minimum: 0, description: 'Responses counted for the period' },
        byMode: modeCountsSchema,
        target: {
          description:
            'The required sample size for the housing stock (TSM bands, 95% confidence, p = 0.5, finite population correction); null when the stock is unknown or smaller than the responses',
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              required: [
                'population',
                'marginOfError',
                'responsesNeeded',
                'met',
                'shortBy',
                'achievedMargin',
              ],
              additionalProperties: false,
              properties: {
                population: { type: 'integer', description: 'Homes: the organisation’s housing stock' },
                marginOfError: { type: 'number', description: 'Target half-width, e.g. 0.05 for ±5 points' },
                responsesNeeded: { type: 'integer' },
                met: { type: 'boolean' },
                shortBy: { type: 'integer', minimum: 0 },
                achievedMargin: {
                  ...nullableNumber,
                  description: 'Half-width the responses reach; null with none',
                },
              },
            },
          ],
        },
      },
    },
    timing: {
      type: 'object',
      required: ['from', 'to', 'ongoing', 'campaigns'],
      additionalProperties: false,
      properties: {
        from: { ...nullableString, format: 'date-time', description: 'Earliest opening of a campaign' },
        to: {
          ...nullableString,
          format: 'date-time',
          description: 'Latest closing; null while a campaign has no closing date (or without campaigns)',
        },
        ongoing: { type: 'boolean', description: 'A campaign is accepting answers now' },
        campaigns: {
          type: 'array',
          items: {
            type: 'object',
            required: [
              'id',
              'slug',
              'title',
              'segment',
              'access',
              'opensAt',
              'closesAt',
              'housingStock',
              'responses',
              'byMode',
            ],
            additionalProperties: false,
            properties: {
              id: { type: 'string' },
              slug: { type: 'string' },
              title: { type: 'string' },
              segment: { type: 'string' },
              access: {
                type: 'string',
                enum: ['open', 'invite'],
                description: 'invite: letters with personal codes',
              },
              opensAt: dateTime,
              closesAt: { ...nullableString, format: 'date-time' },
              housingStock: { type: ['integer', 'null'] },
              responses: { type: 'integer', minimum: 0 },
              byMode: modeCountsSchema,
            },
          },
        },
      },
    },
    modes: {
      type: 'array',
      description: 'Collection methods used, with their responses and share',
      items: {
        type: 'object',
        required: ['mode', 'responses', 'share'],
        additionalProperties: false,
        properties: {
          mode: { type: 'string', enum: [...MODES] },
          responses: { type: 'integer', minimum: 1 },
          share: { type: 'number', minimum: 0, maximum: 1 },
        },
      },
    },
    sampling: {
      type: 'object',
      required: [
        'method',
        'description',
        'population',
        'campaigns',
        'invitations',
        'segments',
        'languages',
        'doubleEntry',
      ],
      additionalProperties: false,
      properties: {
        method: { type: ['string', 'null'], enum: [...SAMPLING_METHODS, null], description: 'As stated' },
        description: { ...nullableString, description: 'As stated' },
        population: { type: ['integer', 'null'], description: 'Homes: the organisation’s housing stock' },
        campaigns: {
          type: 'object',
          required: ['open', 'invite'],
          additionalProperties: false,
          properties: {
            open: { type: 'integer', description: 'Campaigns with an open link or QR code' },
            invite: { type: 'integer', description: 'Campaigns with letters and personal codes' },
          },
        },
        invitations: {
          type: 'object',
          required: ['issued', 'used'],
          additionalProperties: false,
          properties: { issued: { type: 'integer' }, used: { type: 'integer' } },
          description: 'Personal codes of the letter campaigns',
        },
        segments: { type: 'array', items: { type: 'string' } },
        languages: { type: 'array', items: { type: 'string' } },
        doubleEntry: { type: 'boolean', description: 'Paper forms were entered twice and compared' },
      },
    },
    representativeness: {
      type: 'object',
      required: ['checked', 'reason', 'characteristics', 'respondents', 'alpha', 'variables'],
      additionalProperties: false,
      description:
        'The period’s respondents compared with its population margins, each variable with Pearson’s chi-square goodness-of-fit test',
      properties: {
        checked: { type: 'boolean' },
        reason: { ...nullableString, description: 'Why nothing was checked' },
        characteristics: {
          type: 'array',
          items: { type: 'string' },
          description: 'The variables of the margins',
        },
        respondents: { type: 'integer', description: 'Responses read for the check' },
        alpha: { type: 'number', description: 'A p-value below it counts as a difference' },
        variables: {
          type: 'array',
          items: {
            type: 'object',
            required: [
              'variable',
              'n',
              'unknown',
              'outsideMargins',
              'categories',
              'chiSquare',
              'df',
              'pValue',
              'lowExpected',
              'assessment',
            ],
            additionalProperties: false,
            properties: {
              variable: { type: 'string' },
              n: { type: 'integer', description: 'Respondents counted on this variable' },
              unknown: { type: 'integer', description: 'Respondents whose category is unknown' },
              outsideMargins: {
                type: 'integer',
                description: 'Respondents in a category without a population in the margins',
              },
              categories: { type: 'array', items: categoryCheck },
              chiSquare: nullableNumber,
              df: { type: ['integer', 'null'] },
              pValue: { type: ['number', 'null'], minimum: 0, maximum: 1 },
              lowExpected: {
                type: 'integer',
                description: 'Categories expecting fewer than 5 respondents: read the p-value with care',
              },
              assessment: { type: 'string', enum: ['consistent', 'differs', 'untested'] },
            },
          },
        },
      },
    },
    weighting: {
      type: 'object',
      required: [
        'status',
        'applied',
        'marginsStored',
        'variables',
        'trim',
        'converged',
        'designEffect',
        'effectiveN',
        'indicators',
        'weightedIndicators',
        'method',
        'reason',
        'computedAt',
      ],
      additionalProperties: false,
      description: 'Summarised over the organisation’s published values of the period (segment *)',
      properties: {
        status: {
          type: 'string',
          enum: ['weighted', 'not-weighted', 'pending', 'none'],
          description: 'pending: margins stored, values not weighted yet; none: no margins',
        },
        applied: { type: 'boolean' },
        marginsStored: { type: 'boolean' },
        variables: { type: 'array', items: { type: 'string' } },
        trim: { ...range, description: 'Caps of the weights, × the mean weight' },
        converged: { type: ['boolean', 'null'] },
        designEffect: { ...range, description: 'Kish’s design effect across the weighted values' },
        effectiveN: { ...range, description: 'Effective sample sizes across the weighted values' },
        indicators: { type: 'integer', description: 'Published values of the whole organisation' },
        weightedIndicators: { type: 'integer' },
        method: nullableString,
        reason: { ...nullableString, description: 'Why the values could not be weighted' },
        computedAt: { ...nullableString, format: 'date-time' },
      },
    },
    contractor: {
      type: 'object',
      required: ['status', 'name'],
      additionalProperties: false,
      properties: {
        status: { type: 'string', enum: ['not-stated', 'in-house', 'external'] },
        name: nullableString,
      },
    },
    exclusions: nullableString,
    missedSampleReason: nullableString,
    incentives: nullableString,
    otherIssues: nullableString,
    notes: nullableString,
    overrides: {
      type: 'object',
      required: [...OVERRIDABLE],
      additionalProperties: false,
      properties: Object.fromEntries(OVERRIDABLE.map((k) => [k, nullableString])),
    },
    missing: {
      type: 'array',
      items: { type: 'string', enum: [...APPROACH_ITEMS] },
      description:
        'Items the regulator asks for that are still empty (missedSampleReason only when the target was missed)',
    },
    warnings: { type: 'array', items: { type: 'string' } },
    statedAt: { ...nullableString, format: 'date-time', description: 'Last change of the statements' },
    generatedAt: dateTime,
  },
} as const;

const summary =
  'The regulator’s items (Tenant Satisfaction Measures): achieved sample size and the required one for the housing stock, timing, collection methods, sampling, representativeness against the population margins, weighting, contractor, exclusions, the reason a target was missed, incentives and other issues. Figures come from the service’s data; the rest from the landlord’s statements.';

/** The summary of approach of a period: read, state, print. */
export function approachRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: base,
      summary: 'Summary of approach of a period’s tenant perception survey',
      description: summary,
      tags: ['weighting'],
      auth: readers,
      params: approachParams,
      responses: { 200: { description: 'The summary', schema: approachView }, 404: notFound },
      handler: async ({ params, req }) => ({
        body: await getApproach(authOf(req), params.org, params.period),
      }),
    }),
    defineRoute({
      method: 'put',
      path: base,
      summary: 'State the landlord’s parts of the summary of approach (admin)',
      description:
        'Sampling method, contractor, exclusions, the reason a sample size was missed, incentives, other issues, notes and overrides. Only the fields given change; null clears a field, except contractor, where null states the survey was run in house.',
      tags: ['weighting'],
      auth: ['admin'],
      params: approachParams,
      body: putApproachBody,
      responses: { 200: { description: 'The summary', schema: approachView }, 404: notFound },
      handler: async ({ params, body, req }) => ({
        body: await putApproach(authOf(req), params.org, params.period, body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: `${base}/pdf`,
      summary: 'The summary of approach as a printable A4 PDF',
      description: `${summary} Headings in English, Polish, Ukrainian, Russian or Georgian; "not stated" where nothing is known.`,
      tags: ['weighting'],
      auth: readers,
      params: approachParams,
      query: {
        type: 'object',
        additionalProperties: false,
        properties: { lang: { type: 'string', enum: [...APPROACH_LANGUAGES], default: 'en' } },
      },
      responses: { 200: { description: 'PDF', content: { 'application/pdf': {} } }, 404: notFound },
      handler: async ({ params, query, req, res }) => {
        const view = await getApproach(authOf(req), params.org, params.period);
        const pdf = await approachPdf(view, query.lang);
        res
          .type('application/pdf')
          .setHeader(
            'Content-Disposition',
            `inline; filename="approach-${view.organisation.slug}-${view.period}.pdf"`,
          )
          .send(pdf);
      },
    }),
  ];
}
