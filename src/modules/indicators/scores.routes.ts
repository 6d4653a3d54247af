import { authOf } from '../../http/context';
import { keyPageQuery, pageSchema } from '../../http/pagination';
import { csvTable, defineRoute, type AnyRoute, type CsvTable } from '../../http/route';
import { modeCountsSchema, periodSchema, segmentSchema } from '../campaigns/campaigns.schemas';
import { objectIdSchema } from '../organisations/organisations.schemas';
import { streamExport } from '../responses/export.service';
import { benchmark, ownIndicators, parseOrganisations, trend, type PeerQuery } from './scores.service';

const errorRef = { $ref: '#/components/schemas/Error' };
const readers = ['admin', 'analyst', 'coordinator'] as const;
const num = { type: ['number', 'null'] } as const;
const indicatorParams = {
  type: 'object',
  required: ['indicator'],
  properties: {
    indicator: {
      type: 'string',
      pattern: '^[A-Z][A-Z0-9_]{1,31}(\\.[a-z0-9_]{1,32}){0,2}$',
      description: 'A survey indicator (TP01) or a reported figure (BS01, RP02.emergency)',
    },
  },
} as const;
const peerProps = {
  peerGroup: {
    type: 'string',
    pattern: '^(all|size|region|type|country|group:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)$',
    default: 'all',
    description:
      'size: the same housing-stock band (<2,500, 2,500–9,999, 10,000+); region, type, country: the same as the caller; group:{slug}: the members of a benchmarking group you belong to or coordinate (reported indicators are compared only so)',
  },
  organisations: {
    type: 'string',
    maxLength: 8000,
    pattern: '^[a-z0-9, -]*$',
    description: 'An explicit peer group: comma-separated organisation slugs (at most 500)',
  },
  segment: {
    type: 'string',
    maxLength: 128,
    pattern: '^(\\*|[\\p{L}\\p{N} ._/:-]*)$',
    default: '*',
    description: '`*` (default) is the whole organisation; otherwise a campaign segment',
  },
} as const;

const valueView = {
  type: 'object',
  required: [
    'indicator',
    'kind',
    'period',
    'segment',
    'n',
    'excluded',
    'value',
    'low',
    'high',
    'responseRate',
    'distribution',
    'minN',
    'suppressed',
    'methodChanged',
  ],
  properties: {
    indicator: { type: 'string' },
    kind: { type: 'string', enum: ['share', 'nps', 'mean'] },
    period: { type: 'string' },
    segment: { type: 'string', description: '`*` is the whole organisation' },
    n: { type: 'integer', description: 'The base: substantive answers' },
    excluded: { type: 'integer', description: 'Don’t know / not applicable, outside the base' },
    value: { ...num, description: 'share: 0–1; nps: −100–100; mean: on the scale' },
    low: {
      ...num,
      description:
        '95% interval: Wilson for shares, adjusted Wald (Rocks 2016) for NPS, Student t for means; each with the finite population correction when the housing stock is known',
    },
    high: num,
    responses: { type: ['integer', 'null'], description: 'Survey responses in the cell' },
    responseRate: { ...num, description: 'Survey response rate: responses over the housing stock' },
    baseRate: { ...num, description: 'The indicator’s base (n) over the housing stock' },
    population: { ...num, description: 'Housing stock used for the finite population correction' },
    populationIgnored: {
      type: 'boolean',
      description: 'A housing stock was given but is smaller than the responses (stale), so it was not used',
    },
    distribution: { type: 'object', additionalProperties: { type: 'integer' } },
    nByMode: {
      ...modeCountsSchema,
      description: 'The base (n) per collection mode: online, paper, telephone, face-to-face',
    },
    weighted: {
      description:
        'The value weighted to the organisation’s population margins for the period (raking, weights capped, interval on Kish’s effective n), with the method and the variables used; or why it could not be weighted; null without margins. The unweighted value, n and suppression above are unchanged.',
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: [
            'status',
            'value',
            'low',
            'high',
            'n',
            'effectiveN',
            'method',
            'variables',
            'trim',
            'converged',
          ],
          properties: {
            status: { const: 'weighted' },
            value: num,
            low: num,
            high: num,
            n: { type: 'integer', description: 'Respondents in the base (unweighted)' },
            effectiveN: { type: 'number', description: 'Kish: (Σw)²/Σw², the n the interval uses' },
            method: { type: 'string' },
            variables: { type: 'array', items: { type: 'string' } },
            trim: { type: 'object', properties: { min: { type: 'number' }, max: { type: 'number' } } },
            converged: { type: 'boolean' },
            iterations: { type: 'integer' },
            trimmed: { type: 'integer', description: 'Respondents whose weight sits at a cap' },
            designEffect: { type: 'number' },
            unknown: {
              type: 'integer',
              description: 'Respondents with no category on a weighting variable (given the mean weight)',
            },
            respondents: { type: 'integer', description: 'Responses the weights were computed from' },
            computedAt: { type: 'string', format: 'date-time' },
          },
        },
        {
          type: 'object',
          required: ['status', 'reason', 'variables'],
          properties: {
            status: { const: 'not-weighted' },
            reason: { type: 'string' },
            variables: { type: 'array', items: { type: 'string' } },
            respondents: { type: 'integer' },
            computedAt: { type: 'string', format: 'date-time' },
          },
        },
      ],
    },
    minN: { type: 'integer' },
    suppressed: {
      type: ['string', 'null'],
      enum: ['primary', 'secondary', null],
      description: 'Hidden from other organisations; shown to you, flagged',
    },
    methodChanged: {
      type: 'boolean',
      description: 'Answers came from differently worded or scaled questions',
    },
    computedAt: { type: 'string', format: 'date-time' },
  },
} as const;

type ValueRow = {
  indicator: string;
  period: string;
  segment: string;
  n: number;
  excluded: number;
  value: number | null;
  low: number | null;
  high: number | null;
  responses: number | null;
  responseRate: number | null;
  baseRate: number | null;
  population: number | null;
  populationIgnored: boolean;
  suppressed: string | null;
};
const valueColumns = [
  'indicator',
  'period',
  'segment',
  'n',
  'excluded',
  'value',
  'low',
  'high',
  'responses',
  'responseRate',
  'baseRate',
  'suppressed',
  // Added later: at the end, so that readers by position keep working.
  'population',
  'populationIgnored',
] as const;

const BENCHMARK_COLUMNS = [
  'row',
  'slug',
  'name',
  'country',
  'region',
  'type',
  'stockBand',
  'n',
  'value',
  'low',
  'high',
  'numerator',
  'denominator',
  'comment',
  'suppressed',
  'you',
  'percentileRank',
] as const;

/**
 * The benchmark as one table: a row per organisation (`row` = organisation; the caller's row
 * carries its percentile rank), then the peer group's summary, one statistic per row (`row` =
 * count, min, q1, median, q3 or max, in `value`).
 */
function benchmarkCsv(body: {
  summary: Record<string, number | null>;
  you: { percentileRank?: number | null } | null;
  organisations: Array<Record<string, unknown>>;
}): CsvTable {
  const rows = body.organisations.map((o) =>
    BENCHMARK_COLUMNS.map((c) =>
      c === 'row'
        ? 'organisation'
        : c === 'percentileRank'
          ? o.you
            ? (body.you?.percentileRank ?? null)
            : null
          : o[c],
    ),
  );
  for (const stat of ['count', 'min', 'q1', 'median', 'q3', 'max'])
    rows.push(BENCHMARK_COLUMNS.map((c) => (c === 'row' ? stat : c === 'value' ? body.summary[stat] : null)));
  return { columns: [...BENCHMARK_COLUMNS], rows };
}

/** Segment and peer group from a validated query. */
function peersOf(query: {
  segment: string;
  peerGroup: string;
  organisations?: string;
}): PeerQuery & { segment: string } {
  return {
    segment: query.segment,
    peerGroup: query.peerGroup as PeerQuery['peerGroup'],
    organisations: parseOrganisations(query.organisations),
  };
}

/** Scores: the caller's indicators, benchmarks against peers, trends, raw exports. */
export function scoreRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/indicators',
      summary:
        'Own indicators per period and segment with n, 95% interval, distribution, suppression flag, response rate',
      tags: ['scores'],
      auth: readers,
      query: {
        type: 'object',
        additionalProperties: false,
        properties: {
          period: periodSchema,
          segment: segmentSchema,
          indicator: indicatorParams.properties.indicator,
          ...keyPageQuery,
        },
      },
      responses: {
        200: {
          description: 'A page of values, by indicator, period and segment',
          schema: pageSchema(valueView),
        },
      },
      csv: (body: { items: ValueRow[] }): CsvTable => ({
        columns: [...valueColumns],
        rows: body.items.map((v) => valueColumns.map((c) => v[c])),
      }),
      handler: async ({ query, req }) => ({ body: await ownIndicators(authOf(req), query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/benchmarks/{indicator}',
      summary:
        'Every organisation that measured the indicator in the period, the distribution of their values and your percentile rank',
      description:
        'Values under the indicator’s minimum n (or secondarily suppressed) are hidden for other organisations. Quartiles use Hyndman-Fan type 7 (linear interpolation) over published values; the percentile rank is the share of published values below yours plus half of those equal.',
      tags: ['scores'],
      auth: readers,
      params: indicatorParams,
      query: {
        type: 'object',
        additionalProperties: false,
        required: ['period'],
        properties: { period: periodSchema, ...peerProps },
      },
      responses: {
        200: {
          description: 'Benchmark',
          schema: {
            type: 'object',
            required: [
              'indicator',
              'period',
              'segment',
              'peerGroup',
              'quantileMethod',
              'summary',
              'you',
              'organisations',
            ],
            properties: {
              indicator: { type: 'string' },
              kind: { type: 'string', enum: ['share', 'nps', 'mean', 'rate', 'per1000', 'value'] },
              direction: {
                type: 'string',
                enum: ['higher', 'lower', 'neutral'],
                description: 'Which way is better; the percentile rank counts towards it (100 is best)',
              },
              unit: { type: 'string', description: 'Reported indicators: the unit of value' },
              period: { type: 'string' },
              segment: { type: 'string' },
              peerGroup: { type: 'string' },
              quantileMethod: { type: 'string' },
              minN: { type: 'integer' },
              modeMix: {
                type: 'object',
                description:
                  'Survey indicators: the peers’ typical mix (per mode the median share, each organisation counting once, rescaled to 1), and the distance beyond which a mix is flagged',
                properties: {
                  peers: {
                    type: 'object',
                    additionalProperties: { type: 'number' },
                  },
                  threshold: { type: 'number' },
                },
              },
              summary: {
                type: 'object',
                properties: { count: { type: 'integer' }, min: num, q1: num, median: num, q3: num, max: num },
              },
              you: {
                anyOf: [
                  { type: 'null' },
                  {
                    ...valueView,
                    properties: {
                      ...valueView.properties,
                      percentileRank: num,
                      modeMixDiffers: { type: ['boolean', 'null'] },
                    },
                  },
                  {
                    type: 'object',
                    description: 'A reported figure: your signed-off value',
                    required: ['value', 'percentileRank'],
                    properties: {
                      value: { type: 'number' },
                      numerator: num,
                      denominator: num,
                      percentileRank: num,
                    },
                  },
                ],
              },
              organisations: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    slug: { type: 'string' },
                    name: { type: 'string' },
                    country: { type: 'string' },
                    region: { type: 'string' },
                    type: { type: 'string' },
                    stockBand: { type: ['string', 'null'] },
                    n: {
                      type: ['integer', 'null'],
                      description: 'The base: substantive answers, or a reported figure’s denominator',
                    },
                    value: num,
                    low: num,
                    high: num,
                    numerator: { ...num, description: 'Reported figures' },
                    denominator: { ...num, description: 'Reported figures' },
                    comment: { type: 'string', description: 'Reported figures: the member’s comment' },
                    suppressed: { type: 'boolean' },
                    you: { type: 'boolean' },
                    nByMode: {
                      anyOf: [{ type: 'null' }, modeCountsSchema],
                      description: 'Survey indicators: the base per collection mode; null when hidden',
                    },
                    modeMixDiffers: {
                      type: ['boolean', 'null'],
                      description:
                        'Survey indicators: the mode mix differs from the other organisations’ typical mix by more than modeMix.threshold (total variation distance: the share of answers that would have to change mode)',
                    },
                  },
                },
              },
            },
          },
        },
        404: { description: 'Unknown indicator', schema: errorRef },
      },
      csv: benchmarkCsv,
      handler: async ({ params, query, req }) => ({
        body: await benchmark(authOf(req), params.indicator, { period: query.period, ...peersOf(query) }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/benchmarks/{indicator}/trend',
      summary: 'Your value per period beside the peer median, with periods where the method changed flagged',
      description:
        'peerMedian is the median of the benchmark’s summary for that period: the published values of the peer group, yours included (Hyndman-Fan type 7); peerCount counts them.',
      tags: ['scores'],
      auth: readers,
      params: indicatorParams,
      query: { type: 'object', additionalProperties: false, properties: peerProps },
      responses: {
        200: {
          description: 'Trend',
          schema: {
            type: 'object',
            required: ['indicator', 'segment', 'points'],
            properties: {
              indicator: { type: 'string' },
              segment: { type: 'string' },
              points: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    period: { type: 'string' },
                    n: { type: 'integer' },
                    value: num,
                    low: num,
                    high: num,
                    suppressed: { type: ['string', 'null'] },
                    peerMedian: num,
                    peerCount: { type: 'integer' },
                    methodChanged: { type: 'boolean' },
                  },
                },
              },
            },
          },
        },
        404: { description: 'Unknown indicator', schema: errorRef },
      },
      csv: csvTable('points', [
        'period',
        'n',
        'value',
        'low',
        'high',
        'suppressed',
        'peerMedian',
        'peerCount',
        'methodChanged',
      ]),
      handler: async ({ params, query, req }) => ({
        body: await trend(authOf(req), params.indicator, peersOf(query)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/responses/export',
      summary: 'Stream your raw responses of one survey as CSV or NDJSON',
      description:
        'One column per question, stable across versions (every question of every version, in order of first appearance). Streamed from a cursor: memory does not grow with the number of responses.',
      tags: ['scores'],
      auth: ['admin', 'analyst'],
      query: {
        type: 'object',
        additionalProperties: false,
        required: ['survey'],
        properties: {
          survey: objectIdSchema,
          period: periodSchema,
          format: { type: 'string', enum: ['csv', 'ndjson'], default: 'csv' },
        },
      },
      responses: {
        200: { description: 'The responses', content: { 'text/csv': {}, 'application/x-ndjson': {} } },
        404: { description: 'Missing or not yours', schema: errorRef },
      },
      handler: async ({ query, req, res }) => {
        await streamExport(
          authOf(req),
          { survey: query.survey, period: query.period, format: query.format as 'csv' | 'ndjson' },
          res,
        );
      },
    }),
  ];
}
