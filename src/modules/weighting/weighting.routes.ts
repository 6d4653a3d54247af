import { authOf } from '../../http/context';
import { keyPageOnlyQuery, pageSchema } from '../../http/pagination';
import { readCsvBody } from '../../http/csv-upload';
import { defineRoute, type AnyRoute } from '../../http/route';
import { orgParams } from '../organisations/organisations.schemas';
import {
  checkAgainstMargins,
  getMargins,
  listMargins,
  marginsCsv,
  parseMarginsCsv,
  putMargins,
  rakeRespondents,
  type MarginsView,
} from './margins.service';
import { planSampleSize } from './sample-size';
import type { Logger } from 'pino';
import type { Queues } from '../../queue/queues';
import { DEFAULT_TRIM } from './margin.model';
import { requestReweight } from './weighted-publication';
import {
  checkBody,
  checkView,
  marginsParams,
  marginsSummary,
  marginsView,
  putMarginsBody,
  rakeBody,
  rakeView,
  sampleSizeBody,
  sampleSizeView,
} from './weighting.schemas';

const errorRef = { $ref: '#/components/schemas/Error' };
const anyone = ['platform', 'admin', 'analyst', 'coordinator'] as const;
const readers = ['admin', 'analyst'] as const;
const base = '/api/v1/organisations/{org}/margins';
const notFound = {
  description: 'No such organisation or margins, or another organisation’s (the same answer)',
  schema: errorRef,
};
const ok = { description: 'The margins as stored', schema: marginsView };
const invalid = {
  description:
    'The margins cannot be used (paths under /variables, or /rows/{line}/{column} for CSV); nothing stored',
  schema: errorRef,
};

/** Sample-size planning, population margins, the representativeness check and raking. */
export function weightingRoutes(deps: { queues: Queues; logger: Logger }): AnyRoute[] {
  // New margins: the period's published values are weighted again by the worker. Without Redis
  // the nightly rebuild does it.
  const reweightSoon = (view: MarginsView) => {
    if (!deps.queues.connected()) return;
    requestReweight(deps.queues, { organisationId: view.organisation.id, period: view.period }).catch(
      (err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'reweighting not queued'),
    );
  };
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/sample-size',
      summary: 'Plan a survey: responses and invitations needed for a margin of error',
      description:
        'At 95% confidence and p = 0.5 (the worst case): n₀ = z²p(1−p)/e², corrected for the finite population as n = n₀/(1 + (n₀−1)/N), rounded up. The default margin follows the Tenant Satisfaction Measures bands (±5% below 2,500 homes, ±4% to 24,999, ±3% from 25,000). With a response rate, the invitations needed (capped at N; `unreachable` when even N is not enough); with `achieved`, the margin reached and whether it meets the target.',
      tags: ['weighting'],
      auth: anyone,
      body: sampleSizeBody,
      responses: { 200: { description: 'The plan', schema: sampleSizeView } },
      handler: ({ body }) => ({ body: planSampleSize(body) }),
    }),
    defineRoute({
      method: 'get',
      path: base,
      summary: 'Periods with population margins',
      tags: ['weighting'],
      auth: readers,
      params: orgParams,
      query: keyPageOnlyQuery,
      responses: {
        200: { description: 'A page of margins, oldest period first', schema: pageSchema(marginsSummary) },
        404: notFound,
      },
      handler: async ({ params, query, req }) => ({
        body: await listMargins(authOf(req), params.org, query),
      }),
    }),
    defineRoute({
      method: 'get',
      path: `${base}/{period}`,
      summary: 'Population margins of a period (also as CSV in the upload format)',
      tags: ['weighting'],
      auth: readers,
      params: marginsParams,
      responses: { 200: ok, 404: notFound },
      csv: marginsCsv,
      handler: async ({ params, req }) => ({
        body: await getMargins(authOf(req), params.org, params.period),
      }),
    }),
    defineRoute({
      method: 'put',
      path: `${base}/{period}`,
      summary: 'Store the population margins of a period (admin)',
      description:
        'How the tenants split by each weighting variable (tenure, age band, area...), as counts (or shares). Replaces the period’s margins. Every variable must total the same within 0.5%.',
      tags: ['weighting'],
      auth: ['admin'],
      params: marginsParams,
      body: putMarginsBody,
      responses: { 200: ok, 404: notFound, 422: invalid },
      handler: async ({ params, body, req }) => {
        const view = await putMargins(
          authOf(req),
          params.org,
          params.period,
          body.variables,
          body.trim ?? DEFAULT_TRIM,
        );
        reweightSoon(view);
        return { body: view };
      },
    }),
    defineRoute({
      method: 'put',
      path: `${base}/{period}/csv`,
      summary: 'Upload the population margins of a period as CSV (admin)',
      description:
        'Columns: variable, category, count; comma- or semicolon-separated (then 12,5 is a decimal). Replaces the period’s margins. Any error, reported at /rows/{line}/{column}, stores nothing.',
      tags: ['weighting'],
      auth: ['admin'],
      params: marginsParams,
      requestContent: { 'text/csv': { schema: { type: 'string' } } },
      responses: { 200: ok, 404: notFound, 422: invalid },
      handler: async ({ params, req }) => {
        const margins = parseMarginsCsv(await readCsvBody(req));
        const view = await putMargins(authOf(req), params.org, params.period, margins);
        reweightSoon(view);
        return { body: view };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${base}/{period}/check`,
      summary: 'Compare respondent counts with the population margins',
      description:
        'Per variable: each category’s population and respondent shares and their difference in percentage points, and Pearson’s chi-square goodness-of-fit statistic with its degrees of freedom and p-value. A small p-value means the sample’s mix differs from the population’s by more than chance.',
      tags: ['weighting'],
      auth: readers,
      params: marginsParams,
      body: checkBody,
      responses: {
        200: { description: 'The comparison', schema: checkView },
        404: notFound,
        422: { description: 'A variable or category not in the margins', schema: errorRef },
      },
      handler: async ({ params, body, req }) => ({
        body: await checkAgainstMargins(authOf(req), params.org, params.period, body.respondents),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/weighting/rake',
      summary: 'Weight respondents to population margins by raking',
      description:
        'Iterative proportional fitting of the respondents (up to 20,000, e.g. rows of a response export) to the margins given, or to your organisation’s stored margins of a period (`organisation` + `period`; paths under /margins then refer to those). Optional caps as multiples of the mean weight, applied after convergence with the sample raked again inside them. Returns one weight per respondent in input order, the largest discrepancy left per variable, and Kish’s design effect and effective sample size. Non-convergence is reported (`converged: false`), not an error. The weights are for analysing an export; published indicator values are not weighted yet.',
      tags: ['weighting'],
      auth: readers,
      body: rakeBody,
      responses: {
        200: { description: 'The weights and a summary', schema: rakeView },
        404: { description: 'Stored margins not found, or not your organisation’s', schema: errorRef },
        422: {
          description:
            'A respondent category missing from the margins, a margin category without respondents, totals that disagree between variables',
          schema: errorRef,
        },
      },
      handler: async ({ body, req }) => ({ body: await rakeRespondents(authOf(req), body) }),
    }),
  ];
}
