import { pipeline } from 'node:stream/promises';
import express, { type Request } from 'express';
import { AppError } from '../../errors';
import { authOf } from '../../http/context';
import { ATTACHMENT_TYPES } from '../../http/error-handler';
import { defineRoute, type AnyRoute } from '../../http/route';
import {
  ATTACHMENT_MAX_BYTES,
  addAttachment,
  checkCanAttach,
  openAttachment,
  removeAttachment,
} from './attachments.service';
import {
  attachmentCreated,
  attachmentParams,
  attachmentQuery,
  createPracticeBody,
  listQuery,
  practiceParams,
  practiceSummary,
  practiceView,
  publicListQuery,
  updatePracticeBody,
} from './practices.schemas';
import {
  createPractice,
  deletePractice,
  getPractice,
  searchPractices,
  updatePractice,
  type PracticeQuery,
  type Reader,
} from './practices.service';

const errorRef = { $ref: '#/components/schemas/Error' };
const anyone = ['platform', 'admin', 'analyst', 'coordinator'] as const;
const notFound = { description: 'Missing, or not visible to you (the same answer)', schema: errorRef };
const notYours = {
  description: 'Visible to you, but only an admin key of the organisation that wrote it may change it',
  schema: errorRef,
};
const invalid = { description: 'Unknown indicator, a group you are not part of, ...', schema: errorRef };
const one = { description: 'The practice with its evidence', schema: practiceView };
const page = {
  description: 'A page of practices; with q, the best ranked first',
  schema: {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: practiceSummary },
      nextCursor: { type: ['string', 'null'] },
    },
  },
} as const;
const searchDescription =
  'q finds entries containing every word, in any language, ignoring case and Latin diacritics (zaleglosci finds zaległości); a word of three or more letters also finds longer words it begins. Filters combine with it. Only entries visible to the caller are listed.';
const evidenceDescription =
  'evidence: for each linked indicator, the organisation’s value in the latest period before the practice’s period, the earliest at or after its start, and the latest. Survey values carry their 95% interval; a change is beyond the noise when |after − before| > sqrt(h1² + h2²), the half-widths combined (1.96 times the standard error of the difference). Reported figures count every case, so they carry no sampling noise and beyondNoise is null. Survey values withheld for a small base are shown to their own organisation only.';

const fileTypes: Record<string, { schema: { type: 'string'; contentEncoding: 'binary' } }> =
  Object.fromEntries(
    ATTACHMENT_TYPES.map((t) => [t, { schema: { type: 'string', contentEncoding: 'binary' } }]),
  );

/** Reads an attachment upload as bytes; one parser, used only by the upload route. */
const rawBody = express.raw({ type: ATTACHMENT_TYPES, limit: ATTACHMENT_MAX_BYTES });
function readFileBody(req: Request): Promise<{ contentType: string; bytes: Buffer }> {
  const contentType = req.is(ATTACHMENT_TYPES);
  if (!contentType)
    return Promise.reject(
      new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `attachments are ${ATTACHMENT_TYPES.join(', ')}`),
    );
  return new Promise((resolve, reject) =>
    rawBody(req, req.res!, (err?: unknown) => {
      if (err) reject(err);
      else resolve({ contentType, bytes: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0) });
    }),
  );
}

/** Sends an attachment with its type and file name. */
async function sendAttachment(reader: Reader, id: string, attachmentId: string, req: Request) {
  const { meta, stream } = await openAttachment(reader, id, attachmentId);
  const res = req.res!;
  res.attachment(meta.name);
  res.type(meta.contentType);
  res.setHeader('Content-Length', String(meta.size));
  await pipeline(stream, res);
}

/** Good practices: entries, attachments and search. */
export function practiceRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/practices',
      summary: 'Describe a good practice of your organisation',
      description:
        'Texts are localised ({"pl": "...", "en": "..."}); the body is Markdown. Country and organisation type come from your organisation. visibility group needs a group your organisation belongs to or coordinates.',
      tags: ['practices'],
      auth: ['admin', 'coordinator'],
      body: createPracticeBody,
      responses: { 201: { description: 'Created', schema: practiceView }, 422: invalid },
      handler: async ({ body, req }) => ({ status: 201, body: await createPractice(authOf(req), body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/practices',
      summary: 'Search the practices you can see',
      description: searchDescription,
      tags: ['practices'],
      auth: anyone,
      query: listQuery,
      responses: {
        200: page,
        404: { description: 'The group filter names a group you are not part of', schema: errorRef },
      },
      handler: async ({ query, req }) => ({
        body: await searchPractices(authOf(req), query as PracticeQuery),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/practices/{id}',
      summary: 'One practice with its evidence',
      description: evidenceDescription,
      tags: ['practices'],
      auth: anyone,
      params: practiceParams,
      responses: { 200: one, 404: notFound },
      handler: async ({ params, req }) => ({ body: await getPractice(authOf(req), params.id) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/practices/{id}',
      summary: 'Change a practice or add a translation (the writing organisation’s admin)',
      tags: ['practices'],
      auth: ['admin'],
      params: practiceParams,
      body: updatePracticeBody,
      responses: {
        200: one,
        403: notYours,
        404: notFound,
        409: { description: 'Changed since you read it', schema: errorRef },
        422: invalid,
      },
      handler: async ({ params, body, req }) => ({
        body: await updatePractice(authOf(req), params.id, body),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/practices/{id}',
      summary: 'Delete a practice and its attachments (the writing organisation’s admin; platform)',
      tags: ['practices'],
      auth: ['admin', 'platform'],
      params: practiceParams,
      responses: { 204: { description: 'Deleted' }, 403: notYours, 404: notFound },
      handler: async ({ params, req }) => {
        await deletePractice(authOf(req), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/practices/{id}/attachments',
      summary: 'Attach a PDF or an image (the writing organisation’s admin)',
      description: `The raw file is the body, its media type the Content-Type; at most ${ATTACHMENT_MAX_BYTES} bytes. The file’s signature must match the type.`,
      tags: ['practices'],
      auth: ['admin'],
      params: practiceParams,
      query: attachmentQuery,
      requestContent: fileTypes,
      responses: {
        201: { description: 'Stored', schema: attachmentCreated },
        403: notYours,
        404: notFound,
        409: { description: 'The practice holds the most attachments allowed', schema: errorRef },
        413: { description: `Larger than ${ATTACHMENT_MAX_BYTES} bytes`, schema: errorRef },
        415: {
          description: 'Not an accepted type, or the content is not of the declared type',
          schema: errorRef,
        },
      },
      handler: async ({ params, query, req }) => {
        const caller = authOf(req);
        await checkCanAttach(caller, params.id);
        const file = await readFileBody(req);
        return { status: 201, body: await addAttachment(caller, params.id, { ...file, name: query.name }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/practices/{id}/attachments/{attachmentId}',
      summary: 'Download an attachment',
      tags: ['practices'],
      auth: anyone,
      params: attachmentParams,
      responses: {
        200: { description: 'The file', content: fileTypes },
        404: notFound,
      },
      handler: async ({ params, req }) => sendAttachment(authOf(req), params.id, params.attachmentId, req),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/practices/{id}/attachments/{attachmentId}',
      summary: 'Remove an attachment (the writing organisation’s admin)',
      tags: ['practices'],
      auth: ['admin'],
      params: attachmentParams,
      responses: { 204: { description: 'Removed' }, 403: notYours, 404: notFound },
      handler: async ({ params, req }) => {
        await removeAttachment(authOf(req), params.id, params.attachmentId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/public/practices',
      summary: 'Search the public practices (no key)',
      description: searchDescription,
      tags: ['practices'],
      auth: 'public',
      rateLimited: true,
      query: publicListQuery,
      responses: { 200: page },
      handler: async ({ query }) => ({ body: await searchPractices(null, query as PracticeQuery) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/public/practices/{id}',
      summary: 'One public practice with its evidence (no key)',
      description: evidenceDescription,
      tags: ['practices'],
      auth: 'public',
      rateLimited: true,
      params: practiceParams,
      responses: { 200: one, 404: notFound },
      handler: async ({ params }) => ({ body: await getPractice(null, params.id) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/public/practices/{id}/attachments/{attachmentId}',
      summary: 'Download an attachment of a public practice (no key)',
      tags: ['practices'],
      auth: 'public',
      rateLimited: true,
      params: attachmentParams,
      responses: { 200: { description: 'The file', content: fileTypes }, 404: notFound },
      handler: async ({ params, req }) => sendAttachment(null, params.id, params.attachmentId, req),
    }),
  ];
}
