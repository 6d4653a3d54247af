import { ValidationError } from '../../errors';
import { authOf } from '../../http/context';
import { pageOnlyQuery, pageSchema } from '../../http/pagination';
import { defineRoute, type AnyRoute } from '../../http/route';
import type { MappingEntry } from './indicator-mapping';
import {
  createSurveyBody,
  draftBody,
  publishBody,
  mappingSchema,
  surveyDetail,
  surveyIdParams,
  surveySummary,
  validateBody,
  validateResult,
  versionParams,
  versionView,
} from './surveys.schemas';
import {
  checkContent,
  createSurvey,
  getSurvey,
  getVersionDoc,
  listSurveys,
  publishDraft,
  replaceDraft,
  toVersionView,
} from './surveys.service';
import { listTemplates } from './templates';

const errorRef = { $ref: '#/components/schemas/Error' };
const writers = ['admin', 'platform'] as const;
const readers = ['admin', 'platform', 'analyst'] as const;
type Definition = Record<string, unknown>;

/** Questionnaires: validation, drafts, immutable versions, templates. */
export function surveyRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/surveys/validate',
      summary: 'Dry run: validate a definition and its indicator mapping',
      description:
        'Checks the SurveyJS JSON Schema, survey-core’s parse, unknown types and properties, duplicate names, expressions and their references, and the indicator mapping. 422 lists each problem with a JSON Pointer; missing translations are warnings.',
      tags: ['surveys'],
      auth: writers,
      body: validateBody,
      responses: { 200: { description: 'Valid', schema: validateResult } },
      handler: async ({ body }) => {
        const check = await checkContent({
          definition: body.definition as Definition,
          indicatorMapping: (body.indicatorMapping ?? []) as MappingEntry[],
          languages: body.languages ?? ['en'],
        });
        if (check.errors.length)
          throw new ValidationError('the survey definition has problems', check.errors);
        return { body: { ok: true, warnings: check.warnings, questions: check.questions } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/surveys',
      summary: 'Create a survey with a draft (from a definition or a template)',
      tags: ['surveys'],
      auth: writers,
      body: createSurveyBody,
      responses: {
        201: { description: 'Created', schema: surveyDetail },
        409: { description: 'Slug taken', schema: errorRef },
      },
      audit: 'self',
      handler: async ({ body, req }) => ({
        status: 201,
        body: await createSurvey(authOf(req), {
          ...body,
          definition: body.definition as Definition | undefined,
          indicatorMapping: body.indicatorMapping as MappingEntry[] | undefined,
        }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/surveys',
      summary: 'Own and shared surveys',
      tags: ['surveys'],
      auth: readers,
      query: pageOnlyQuery,
      responses: { 200: { description: 'A page of surveys', schema: pageSchema(surveySummary) } },
      handler: async ({ query, req }) => ({ body: await listSurveys(authOf(req), query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/surveys/{id}',
      summary: 'One survey with its draft',
      tags: ['surveys'],
      auth: readers,
      params: surveyIdParams,
      responses: {
        200: { description: 'The survey', schema: surveyDetail },
        404: { description: 'Missing or not yours', schema: errorRef },
      },
      handler: async ({ params, req }) => ({ body: await getSurvey(authOf(req), params.id) }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/surveys/{id}/draft',
      summary: 'Replace the draft',
      description: 'Published versions never change; the draft is what the next publish freezes.',
      tags: ['surveys'],
      auth: writers,
      params: surveyIdParams,
      body: draftBody,
      responses: {
        200: { description: 'The survey with its new draft', schema: surveyDetail },
        404: { description: 'Missing or not yours', schema: errorRef },
        409: {
          description: 'DRAFT_CONFLICT: the draft was saved since the revision named',
          schema: errorRef,
        },
      },
      audit: 'self',
      handler: async ({ params, body, req }) => ({
        body: await replaceDraft(authOf(req), params.id, {
          ...body,
          definition: body.definition as Definition,
          indicatorMapping: body.indicatorMapping as MappingEntry[] | undefined,
        }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/surveys/{id}/versions',
      summary: 'Publish the draft as the next immutable version',
      tags: ['surveys'],
      auth: writers,
      params: surveyIdParams,
      body: publishBody,
      responses: {
        201: { description: 'The new version', schema: versionView },
        404: { description: 'Missing or not yours', schema: errorRef },
        409: {
          description:
            'NO_CHANGES: nothing changed since the latest version; PUBLISH_CONFLICT: a concurrent publish; DRAFT_CONFLICT: the draft was saved since the revision named',
          schema: errorRef,
        },
      },
      audit: 'self',
      handler: async ({ params, body, req }) => ({
        status: 201,
        body: await publishDraft(authOf(req), params.id, body.revision),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/surveys/{id}/versions/{n}',
      summary: 'One version, exactly as published',
      tags: ['surveys'],
      auth: readers,
      params: versionParams,
      responses: {
        200: { description: 'The version', schema: versionView },
        404: { description: 'Missing or not yours', schema: errorRef },
      },
      handler: async ({ params, req }) => ({
        body: toVersionView(await getVersionDoc(authOf(req), params.id, params.n)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/templates',
      summary: 'Built-in questionnaire templates',
      tags: ['surveys'],
      auth: readers,
      responses: {
        200: {
          description: 'Templates',
          schema: {
            type: 'object',
            required: ['items'],
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['slug', 'title', 'description', 'languages', 'definition', 'indicatorMapping'],
                  properties: {
                    slug: { type: 'string' },
                    title: { type: 'object' },
                    description: { type: 'object' },
                    languages: { type: 'array', items: { type: 'string' } },
                    definition: { type: 'object' },
                    indicatorMapping: mappingSchema,
                  },
                },
              },
            },
          },
        },
      },
      handler: () => ({ body: { items: listTemplates() } }),
    }),
  ];
}
