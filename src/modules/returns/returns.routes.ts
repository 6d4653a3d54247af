import { authOf } from '../../http/context';
import { keyPageOnlyQuery, keyPageQuery, pageSchema } from '../../http/pagination';
import { readCsvBody } from '../../http/csv-upload';
import { csvTable, defineRoute, type AnyRoute } from '../../http/route';
import { groupParams } from '../groups/groups.schemas';
import { NO_EVENTS, type EventSink } from '../webhooks/events';
import { parseReturnCsv, returnCsv, rowPath } from './returns-csv';
import {
  auditView,
  queryParams,
  returnParams,
  returnSummary,
  returnView,
  saveFiguresBody,
} from './returns.schemas';
import {
  addQueryMessage,
  closeQuery,
  getReturn,
  listReturns,
  queryFigure,
  reopenReturn,
  returnAudit,
  saveFigures,
  signOff,
  submitReturn,
} from './returns.service';

const errorRef = { $ref: '#/components/schemas/Error' };
const anyone = ['platform', 'admin', 'analyst', 'coordinator'] as const;
const coordinators = ['platform', 'coordinator'] as const;
const base = '/api/v1/groups/{group}/returns/{org}/{period}';
const ok = { description: 'The return with its checks', schema: returnView };
const notFound = {
  description: 'Missing, or not yours to see (another member’s return answers the same)',
  schema: errorRef,
};
const conflict = {
  description: 'Not allowed in the return’s state (RETURN_STATE), stale revision, or open queries',
  schema: errorRef,
};
const invalid = {
  description: 'Checks failed: each problem with the path of the figure’s field; nothing stored',
  schema: errorRef,
};
const revisionBody = {
  type: 'object',
  additionalProperties: false,
  properties: { revision: { type: 'integer', minimum: 0 } },
} as const;

/** Data returns: members enter figures per period; coordinators query and sign off. */
export function returnRoutes(deps: { events: EventSink } = { events: NO_EVENTS }): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/groups/{group}/returns',
      summary: 'Returns of the group: all for coordinators, your own for members',
      tags: ['returns'],
      auth: anyone,
      params: groupParams,
      query: {
        type: 'object',
        additionalProperties: false,
        properties: {
          period: returnParams.properties.period,
          state: { type: 'string', enum: ['draft', 'submitted', 'queried', 'signed_off'] },
          ...keyPageQuery,
        },
      },
      responses: {
        200: {
          description: 'A page of returns, by member and period',
          schema: pageSchema(returnSummary),
        },
        404: notFound,
      },
      csv: csvTable('items', [
        'organisation',
        'period',
        'state',
        'figures',
        'openQueries',
        'submittedAt',
        'signedOffAt',
      ]),
      handler: async ({ params, query, req }) => ({
        body: await listReturns(authOf(req), params.group, query),
      }),
    }),
    defineRoute({
      method: 'get',
      path: base,
      summary: 'One return with every check as it stands (also as CSV in the upload format)',
      tags: ['returns'],
      auth: anyone,
      params: returnParams,
      responses: { 200: ok, 404: notFound },
      csv: returnCsv,
      handler: async ({ params, req }) => ({ body: await getReturn(authOf(req), params) }),
    }),
    defineRoute({
      method: 'put',
      path: base,
      summary: 'Enter figures (member admin; draft or queried returns)',
      description:
        'Given figures replace those with the same indicator, part and tenure. Errors (out of range, numerator above denominator, denominator above the housing stock, ...) store nothing; warnings (a large change from the previous period, an outlier against the group) are stored and need a comment before submission.',
      tags: ['returns'],
      audit: 'self',
      auth: ['admin'],
      params: returnParams,
      body: saveFiguresBody,
      responses: { 200: ok, 404: notFound, 409: conflict, 422: invalid },
      handler: async ({ params, body, req }) => ({
        body: await saveFigures(authOf(req), params, body.figures, { revision: body.revision }),
      }),
    }),
    defineRoute({
      method: 'put',
      path: `${base}/csv`,
      summary: 'Upload a whole return as CSV (member admin)',
      description:
        'Columns: indicator, part, tenure, numerator, denominator, value, comment, not_available; comma- or semicolon-separated (then 12,5 is a decimal). The file replaces the return. Any error, reported at /rows/{line}/{column}, stores nothing.',
      tags: ['returns'],
      audit: 'self',
      auth: ['admin'],
      params: returnParams,
      requestContent: { 'text/csv': { schema: { type: 'string' } } },
      responses: { 200: ok, 404: notFound, 409: conflict, 422: invalid },
      handler: async ({ params, req }) => {
        const parsed = parseReturnCsv(await readCsvBody(req));
        return {
          body: await saveFigures(authOf(req), params, parsed.figures, {
            replace: true,
            detailPath: rowPath(parsed),
          }),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${base}/submit`,
      summary: 'Submit the return (member admin): complete, checks passed, warnings explained',
      tags: ['returns'],
      audit: 'self',
      auth: ['admin'],
      params: returnParams,
      body: revisionBody,
      responses: { 200: ok, 404: notFound, 409: conflict, 422: invalid },
      handler: async ({ params, body, req }) => ({
        body: await submitReturn(authOf(req), params, body.revision),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${base}/queries`,
      summary: 'Query a figure of a submitted return (coordinators); the return becomes queried',
      tags: ['returns'],
      audit: 'self',
      auth: coordinators,
      params: returnParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['figure', 'message'],
        properties: {
          figure: { type: 'string', maxLength: 80, description: 'The figure key (ID, ID.part, ...)' },
          message: { type: 'string', minLength: 1, maxLength: 2000 },
        },
      },
      responses: { 200: ok, 404: notFound, 409: conflict, 422: invalid },
      handler: async ({ params, body, req }) => ({
        body: await queryFigure(authOf(req), params, body, deps.events),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${base}/queries/{query}/messages`,
      summary: 'Answer a query (member admin) or follow it up (coordinators)',
      tags: ['returns'],
      audit: 'self',
      auth: ['platform', 'coordinator', 'admin'],
      params: queryParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['message'],
        properties: { message: { type: 'string', minLength: 1, maxLength: 2000 } },
      },
      responses: { 200: ok, 404: notFound, 409: conflict },
      handler: async ({ params, body, req }) => ({
        body: await addQueryMessage(authOf(req), params, params.query, body.message),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${base}/queries/{query}/close`,
      summary: 'Close a query (coordinators)',
      tags: ['returns'],
      audit: 'self',
      auth: coordinators,
      params: queryParams,
      responses: { 200: ok, 404: notFound, 409: conflict },
      handler: async ({ params, req }) => ({ body: await closeQuery(authOf(req), params, params.query) }),
    }),
    defineRoute({
      method: 'post',
      path: `${base}/sign-off`,
      summary:
        'Sign off a submitted return with every query closed (coordinators); it is locked and published',
      tags: ['returns'],
      audit: 'self',
      auth: coordinators,
      params: returnParams,
      responses: { 200: ok, 404: notFound, 409: conflict },
      handler: async ({ params, req }) => ({ body: await signOff(authOf(req), params, deps.events) }),
    }),
    defineRoute({
      method: 'post',
      path: `${base}/reopen`,
      summary:
        'Reopen a submitted or signed-off return with a reason (coordinators); its published figures are withdrawn',
      tags: ['returns'],
      audit: 'self',
      auth: coordinators,
      params: returnParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['reason'],
        properties: { reason: { type: 'string', minLength: 3, maxLength: 2000 } },
      },
      responses: { 200: ok, 404: notFound, 409: conflict },
      handler: async ({ params, body, req }) => ({
        body: await reopenReturn(authOf(req), params, body.reason),
      }),
    }),
    defineRoute({
      method: 'get',
      path: `${base}/audit`,
      summary: 'The return’s audit trail: who changed what, when, the old and new value',
      tags: ['returns'],
      auth: anyone,
      params: returnParams,
      query: keyPageOnlyQuery,
      responses: {
        200: {
          description: 'A page of entries, oldest first',
          schema: pageSchema(auditView),
        },
        404: notFound,
      },
      csv: csvTable('items', [
        'at',
        'keyId',
        'role',
        'action',
        'figure',
        'before',
        'after',
        'reason',
        'revision',
      ]),
      handler: async ({ params, query, req }) => ({ body: await returnAudit(authOf(req), params, query) }),
    }),
  ];
}
