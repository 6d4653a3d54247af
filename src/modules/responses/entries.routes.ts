import type { Logger } from 'pino';
import type { Config } from '../../config';
import { authOf } from '../../http/context';
import type { Metrics } from '../../http/metrics';
import { pageQuery, pageSchema } from '../../http/pagination';
import { defineRoute, type AnyRoute } from '../../http/route';
import type { Queues } from '../../queue/queues';
import { chooseLanguage, entryPage } from '../../web/page';
import { campaignTitles } from '../campaigns/campaigns.routes';
import { campaignIdParams } from '../campaigns/campaigns.schemas';
import { publicCampaign } from '../campaigns/campaigns.service';
import { languageSchema, objectIdSchema } from '../organisations/organisations.schemas';
import { enterResponse, getPaperForm, listPaperForms, resolvePaperForm } from './entries.service';
import { ENTRY_MODES } from './modes';
import { submissionDeps } from './responses.service';

const errorRef = { $ref: '#/components/schemas/Error' };
const staff = ['admin', 'interviewer'] as const;
const SERIAL = '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$';
const CODE = '^[A-Za-z0-9_-]{16,64}$';
const answersSchema = {
  type: 'object',
  maxProperties: 1000,
  description: 'survey-core’s data, as the tenant page sends it',
} as const;

const entryBody = {
  type: 'object',
  additionalProperties: false,
  required: ['mode', 'answers', 'locale'],
  properties: {
    mode: { type: 'string', enum: [...ENTRY_MODES] },
    answers: answersSchema,
    locale: languageSchema,
    serial: {
      type: 'string',
      pattern: SERIAL,
      description: 'The paper form’s serial number (paper: required)',
    },
    submissionId: {
      type: 'string',
      format: 'uuid',
      description: 'Telephone and face-to-face: one per interview; a retry sends the same one',
    },
    code: {
      type: 'string',
      pattern: CODE,
      description: 'The dwelling’s personal code (letter campaigns), claimed once across all modes',
    },
    startedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const entryResult = {
  type: 'object',
  required: ['outcome'],
  properties: {
    outcome: { type: 'string', enum: ['stored', 'first-entry', 'differences'] },
    id: objectIdSchema,
    created: { type: 'boolean' },
    mode: { type: 'string', enum: [...ENTRY_MODES] },
    serial: { type: ['string', 'null'] },
    differences: {
      type: 'array',
      items: { type: 'string' },
      description:
        'JSON Pointers of the answers (/answers/<name>) or the code (/code) the two entries differ in',
    },
  },
} as const;

const formParams = {
  type: 'object',
  required: ['id', 'serial'],
  properties: { id: objectIdSchema, serial: { type: 'string', pattern: SERIAL } },
} as const;

const formView = {
  type: 'object',
  required: ['serial', 'status', 'differences', 'entries', 'responseId', 'resolvedBy', 'reason', 'updatedAt'],
  properties: {
    serial: { type: 'string' },
    status: { type: 'string', enum: ['awaiting-second', 'differences', 'stored', 'refused'] },
    differences: { type: 'array', items: { type: 'string' } },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['by', 'at', 'locale', 'answers', 'hasCode'],
        properties: {
          by: { type: 'string', description: 'The key that entered it' },
          at: { type: 'string', format: 'date-time' },
          locale: { type: 'string' },
          answers: { type: ['object', 'null'], description: 'Removed once the form is counted' },
          hasCode: { type: 'boolean' },
        },
      },
    },
    responseId: { type: ['string', 'null'] },
    resolvedBy: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const notFound = { description: 'No such campaign or form, or not yours', schema: errorRef };
const invalid = { description: 'Answers or fields not valid (paths); nothing stored', schema: errorRef };
const closed = { description: 'The campaign has closed or is full', schema: errorRef };

/** Deps of the entry routes. */
export interface EntryDeps {
  config: Readonly<Config>;
  queues: Queues;
  logger: Logger;
  metrics: Metrics;
}

/** Staff entry of paper forms and interviews, and the double-entry workflow. */
export function entryRoutes(deps: EntryDeps): AnyRoute[] {
  const submission = () => submissionDeps(deps.config, deps.queues, deps.logger);
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/campaigns/{id}/entries',
      summary: 'Enter a paper form or a telephone or face-to-face interview',
      description:
        'The same validation as a tenant’s answers. The mode is stored with the response; who entered it is kept in the audit log only. A paper form counts once per serial (409 SERIAL_ENTERED). In a campaign with `doubleEntry`, the first entry of a serial answers 202 `first-entry`; the second is compared with it and either stored (201) or answers 202 `differences` with the paths that differ, to be settled through the resolution. A dwelling’s code is claimed once across all modes (409 TOKEN_USED).',
      tags: ['entry'],
      auth: staff,
      params: campaignIdParams,
      body: entryBody,
      responses: {
        201: { description: 'Stored and counted', schema: entryResult },
        200: { description: 'This interview (submissionId) was stored before', schema: entryResult },
        202: { description: 'Kept as the first entry, or the second differs', schema: entryResult },
        403: { description: 'The campaign has not opened yet', schema: errorRef },
        404: notFound,
        409: { description: 'Form already counted, awaiting resolution, or code used', schema: errorRef },
        410: closed,
        422: invalid,
      },
      audit: 'self',
      handler: async ({ params, body, req }) => {
        const result = await enterResponse(authOf(req), params.id, body, submission());
        if (result.outcome === 'stored' && result.created)
          deps.metrics.responsesAccepted.inc({ channel: `entry-${result.mode}` });
        const status = result.outcome !== 'stored' ? 202 : result.created ? 201 : 200;
        return { status, body: result };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/s/{slug}/entry',
      summary: 'The staff entry page: the survey with the mode, serial number and code',
      description:
        'For staff who enter paper forms and interviews. The page asks for the staff member’s key (interviewer or admin) and sends entries to `POST /api/v1/campaigns/{id}/entries`. `?lang=` chooses the language.',
      tags: ['entry'],
      auth: 'public',
      params: {
        type: 'object',
        required: ['slug'],
        properties: { slug: { type: 'string', pattern: '^[a-z0-9-]{4,64}$' } },
      },
      query: { type: 'object', properties: { lang: languageSchema } },
      responses: {
        200: { description: 'HTML page', content: { 'text/html': {} } },
        404: { description: 'No such campaign', schema: errorRef },
      },
      handler: async ({ params, query, req, res }) => {
        const { campaign, version } = await publicCampaign(params.slug);
        const lang = chooseLanguage(campaign.languages, query.lang, req.headers['accept-language']);
        const titles = await campaignTitles(campaign);
        const id = campaign._id.toHexString();
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Referrer-Policy', 'no-referrer');
        res.type('html').send(
          entryPage(
            {
              campaignId: id,
              slug: campaign.slug,
              lang,
              definition: JSON.parse(version.definition) as Record<string, unknown>,
              doubleEntry: campaign.doubleEntry ?? false,
              access: campaign.access,
              entryUrl: `/api/v1/campaigns/${id}/entries`,
              formsUrl: `/api/v1/campaigns/${id}/paper-forms`,
            },
            titles.find((t) => t.lang === lang)?.text ?? campaign.title,
            campaign.languages,
            new URLSearchParams(req.url.split('?')[1] ?? ''),
          ),
        );
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}/paper-forms',
      summary: 'Paper forms of double entry: waiting for a second entry, differing, stored',
      tags: ['entry'],
      auth: staff,
      params: campaignIdParams,
      description: 'In the order of their serials, a page at a time.',
      query: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { type: 'string', enum: ['awaiting-second', 'differences', 'stored', 'refused'] },
          limit: pageQuery.limit,
          cursor: { type: 'string', pattern: SERIAL, description: 'The nextCursor of the previous page' },
        },
      },
      responses: { 200: { description: 'The forms', schema: pageSchema(formView) }, 404: notFound },
      handler: async ({ params, query, req }) => ({
        body: await listPaperForms(authOf(req), params.id, query),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}/paper-forms/{serial}',
      summary: 'One paper form with both entries and their differences',
      tags: ['entry'],
      auth: staff,
      params: formParams,
      responses: { 200: { description: 'The form', schema: formView }, 404: notFound },
      handler: async ({ params, req }) => ({
        body: await getPaperForm(authOf(req), params.id, params.serial),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/campaigns/{id}/paper-forms/{serial}/resolution',
      summary: 'Settle the differences of a form’s two entries; the form then counts once',
      description:
        'The answers as read on the form. Answers both entries agreed on cannot change (422 at their path). When the codes differ, `code` gives the one written on the form.',
      tags: ['entry'],
      auth: staff,
      params: formParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['answers'],
        properties: {
          answers: answersSchema,
          locale: languageSchema,
          code: { type: 'string', pattern: CODE },
        },
      },
      responses: {
        201: { description: 'Stored and counted', schema: entryResult },
        404: notFound,
        409: { description: 'Nothing to resolve, or already counted', schema: errorRef },
        410: closed,
        422: invalid,
      },
      audit: 'self',
      handler: async ({ params, body, req }) => ({
        status: 201,
        body: await resolvePaperForm(authOf(req), params.id, params.serial, body, submission()),
      }),
    }),
  ];
}
