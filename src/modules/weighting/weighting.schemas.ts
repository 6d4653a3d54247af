import { periodSchema } from '../campaigns/campaigns.schemas';
import { orgParams } from '../organisations/organisations.schemas';

/** Most weighting variables in one set of margins, and categories per variable. */
export const MAX_VARIABLES = 20;
export const MAX_CATEGORIES = 100;
/** Most respondents raked in one request. */
export const MAX_RESPONDENTS = 20_000;

/** A weighting variable's name, as an export column would carry it (tenure, age_band). */
export const VARIABLE_PATTERN = '^[A-Za-z][A-Za-z0-9_.-]{0,63}$';
/** A category: up to 64 characters, no line breaks, no space at either end (rented, 35-54, 65+). */
export const CATEGORY_PATTERN = '^[^\\s$](?:[^\\r\\n]{0,62}[^\\s])?$';

export const marginsParams = {
  type: 'object',
  required: ['org', 'period'],
  properties: { ...orgParams.properties, period: periodSchema },
} as const;

const populationCount = { type: 'number', minimum: 0, maximum: 1e9 } as const;

/** variable → category → population count (or share). */
export const marginsMap = {
  type: 'object',
  minProperties: 1,
  maxProperties: MAX_VARIABLES,
  propertyNames: { pattern: VARIABLE_PATTERN },
  additionalProperties: {
    type: 'object',
    minProperties: 1,
    maxProperties: MAX_CATEGORIES,
    propertyNames: { pattern: CATEGORY_PATTERN },
    additionalProperties: populationCount,
  },
  description:
    'Variable → category → population count, e.g. {"tenure": {"rented": 900, "shared": 100}}. Shares (each variable totalling 1) are accepted too. Every variable must total the same within 0.5%.',
  examples: [{ tenure: { rented: 900, shared: 100 }, age_band: { '16-34': 200, '35-54': 400, '55+': 400 } }],
} as const;

/** Caps of raking weights, as multiples of the mean weight. */
const weightCaps = {
  type: 'object',
  additionalProperties: false,
  properties: {
    min: { type: 'number', minimum: 0, maximum: 1, description: 'Lowest weight, × the mean (e.g. 0.2)' },
    max: { type: 'number', minimum: 1, maximum: 100, description: 'Highest weight, × the mean (e.g. 5)' },
  },
} as const;

export const putMarginsBody = {
  type: 'object',
  additionalProperties: false,
  required: ['variables'],
  properties: {
    variables: marginsMap,
    trim: {
      ...weightCaps,
      description:
        'Caps of the weights when published values are weighted to these margins (default 0.2 and 5)',
    },
  },
} as const;

export const marginsView = {
  type: 'object',
  required: ['organisation', 'period', 'variables', 'scale', 'total', 'trim', 'updatedAt'],
  additionalProperties: false,
  properties: {
    organisation: {
      type: 'object',
      required: ['id', 'slug', 'name'],
      properties: { id: { type: 'string' }, slug: { type: 'string' }, name: { type: 'string' } },
    },
    period: { type: 'string' },
    variables: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: { type: 'number' } },
    },
    scale: {
      type: 'string',
      enum: ['counts', 'shares'],
      description: 'shares when every variable totals 1, else counts',
    },
    total: { type: 'number', description: 'The first variable’s total: the population weights sum to' },
    trim: {
      type: 'object',
      required: ['min', 'max'],
      properties: { min: { type: 'number' }, max: { type: 'number' } },
      description: 'Caps of the weights (× the mean) when published values are weighted',
    },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const marginsSummary = {
  type: 'object',
  required: ['period', 'variables', 'scale', 'total', 'updatedAt'],
  additionalProperties: false,
  properties: {
    period: { type: 'string' },
    variables: { type: 'array', items: { type: 'string' } },
    scale: { type: 'string', enum: ['counts', 'shares'] },
    total: { type: 'number' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const checkBody = {
  type: 'object',
  additionalProperties: false,
  required: ['respondents'],
  properties: {
    respondents: {
      type: 'object',
      minProperties: 1,
      maxProperties: MAX_VARIABLES,
      propertyNames: { pattern: VARIABLE_PATTERN },
      additionalProperties: {
        type: 'object',
        maxProperties: MAX_CATEGORIES,
        propertyNames: { pattern: CATEGORY_PATTERN },
        additionalProperties: { type: 'integer', minimum: 0, maximum: 1e9 },
      },
      description: 'Respondents per category: variable → category → count. Categories left out count 0.',
      examples: [{ tenure: { rented: 80, shared: 20 } }],
    },
  },
} as const;

const nullableNumber = { type: ['number', 'null'] } as const;

/** One category of a variable in the representativeness check. */
export const categoryCheck = {
  type: 'object',
  required: [
    'category',
    'population',
    'populationShare',
    'respondents',
    'respondentShare',
    'differencePoints',
    'expected',
  ],
  additionalProperties: false,
  properties: {
    category: { type: 'string' },
    population: { type: 'number' },
    populationShare: { type: 'number', minimum: 0, maximum: 1 },
    respondents: { type: 'integer', minimum: 0 },
    respondentShare: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    differencePoints: {
      ...nullableNumber,
      description: 'Respondent share minus population share, in percentage points',
    },
    expected: { type: 'number', description: 'Respondents expected from the population share' },
  },
} as const;

export const checkView = {
  type: 'object',
  required: ['period', 'variables'],
  additionalProperties: false,
  properties: {
    period: { type: 'string' },
    variables: {
      type: 'array',
      items: {
        type: 'object',
        required: ['variable', 'n', 'categories', 'chiSquare', 'df', 'pValue', 'lowExpected'],
        additionalProperties: false,
        properties: {
          variable: { type: 'string' },
          n: { type: 'integer', description: 'Respondents counted on this variable' },
          categories: {
            type: 'array',
            items: categoryCheck,
          },
          chiSquare: {
            ...nullableNumber,
            description: 'Pearson’s goodness-of-fit statistic; null with no respondents or one category',
          },
          df: { type: ['integer', 'null'] },
          pValue: { type: ['number', 'null'], minimum: 0, maximum: 1 },
          lowExpected: {
            type: 'integer',
            description: 'Categories expecting fewer than 5 respondents: read the p-value with care',
          },
        },
      },
    },
  },
} as const;

export const rakeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['respondents'],
  properties: {
    respondents: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_RESPONDENTS,
      items: {
        type: 'object',
        maxProperties: 50,
        additionalProperties: { type: 'string', maxLength: 64 },
      },
      description: 'One object per respondent: variable → category. Variables without margins are ignored.',
      examples: [[{ tenure: 'rented', age_band: '35-54' }]],
    },
    baseWeights: {
      type: 'array',
      maxItems: MAX_RESPONDENTS,
      items: { type: 'number', exclusiveMinimum: 0, maximum: 1e9 },
      description: 'Design weights to start from, one per respondent in the same order; default 1',
    },
    margins: marginsMap,
    organisation: {
      ...orgParams.properties.org,
      description:
        'Instead of margins: your organisation (id or slug), with period, to use its stored margins',
    },
    period: periodSchema,
    options: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxIterations: {
          type: 'integer',
          minimum: 1,
          maximum: 200,
          default: 100,
          description:
            'Most passes per raking phase (bounded so one request cannot hold the server for long)',
        },
        tolerance: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 0.1,
          default: 1e-6,
          description: 'Largest relative margin discrepancy accepted as converged',
        },
        trim: {
          ...weightCaps,
          description: 'Caps applied after convergence; the sample is then raked again with the caps held',
        },
      },
    },
  },
} as const;

export const rakeView = {
  type: 'object',
  required: [
    'weights',
    'converged',
    'iterations',
    'discrepancies',
    'trimmed',
    'designEffect',
    'effectiveN',
    'n',
    'total',
    'scale',
    'source',
  ],
  additionalProperties: false,
  properties: {
    weights: { type: 'array', items: { type: 'number' }, description: 'One per respondent, in input order' },
    converged: { type: 'boolean' },
    iterations: { type: 'integer', description: 'Full passes over all variables' },
    discrepancies: {
      type: 'object',
      additionalProperties: { type: 'number' },
      description: 'Variable → largest relative difference left between weighted and population totals',
    },
    trimmed: { type: 'integer', description: 'Respondents whose weight sits at a cap' },
    designEffect: { type: 'number', description: 'Kish: n·Σw²/(Σw)²' },
    effectiveN: { type: 'number', description: 'Kish: (Σw)²/Σw²' },
    n: { type: 'integer' },
    total: { type: 'number', description: 'Sum of the weights: the population for counts, n for shares' },
    scale: { type: 'string', enum: ['counts', 'shares'] },
    source: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['organisation', 'period'],
          properties: { organisation: { type: 'string' }, period: { type: 'string' } },
        },
      ],
      description: 'The stored margins used, or null for margins given in the request',
    },
  },
} as const;

export const sampleSizeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['population'],
  properties: {
    population: { type: 'integer', minimum: 1, maximum: 1e8, description: 'Homes (housing stock) N' },
    marginOfError: {
      type: 'number',
      // Smaller margins would need more responses than any count can hold (±0.1 point already
      // needs 960,000 for an unlimited population).
      minimum: 0.001,
      maximum: 0.5,
      description:
        'Target half-width of the 95% interval as a proportion (0.04 is ±4 points). Default from the TSM bands: 0.05 below 2,500 homes, 0.04 to 24,999, 0.03 from 25,000',
    },
    responseRate: {
      type: 'number',
      minimum: 0.001,
      maximum: 1,
      description: 'Expected share of invited tenants who answer (0.1% or more)',
    },
    achieved: { type: 'integer', minimum: 0, description: 'Responses received so far' },
  },
} as const;

export const sampleSizeView = {
  type: 'object',
  required: [
    'population',
    'marginOfError',
    'marginFromBands',
    'confidence',
    'z',
    'p',
    'unadjusted',
    'responsesNeeded',
    'responseRate',
    'invitationsNeeded',
    'unreachable',
  ],
  additionalProperties: false,
  properties: {
    population: { type: 'integer' },
    marginOfError: { type: 'number' },
    marginFromBands: { type: 'boolean', description: 'The margin came from the TSM bands' },
    confidence: { type: 'number', const: 0.95 },
    z: { type: 'number' },
    p: { type: 'number', const: 0.5, description: 'The worst case assumed' },
    unadjusted: { type: 'number', description: 'n₀ = z²p(1−p)/e², for an infinite population' },
    responsesNeeded: { type: 'integer', description: 'n₀/(1 + (n₀ − 1)/N), rounded up' },
    responseRate: nullableNumber,
    invitationsNeeded: {
      type: ['integer', 'null'],
      description: 'ceil(n / rate), at most N; null without a response rate',
    },
    unreachable: {
      type: 'boolean',
      description: 'At this response rate even inviting every home is not expected to be enough',
    },
    achieved: {
      type: 'object',
      required: ['responses', 'marginOfError', 'met', 'shortBy'],
      additionalProperties: false,
      properties: {
        responses: { type: 'integer' },
        marginOfError: { ...nullableNumber, description: 'z·sqrt(p(1−p)/n·(N−n)/(N−1))' },
        met: { type: 'boolean' },
        shortBy: { type: 'integer' },
      },
    },
  },
} as const;
