import { authOf } from '../../http/context';
import { defineRoute, type AnyRoute } from '../../http/route';
import { periodSchema } from '../campaigns/campaigns.schemas';
import { orgParams } from '../organisations/organisations.schemas';
import { PACK_LANGUAGES, councilPack } from './council-pack';

const errorRef = { $ref: '#/components/schemas/Error' };

/** Printed reports of an organisation's results. */
export function reportRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/organisations/{org}/council-pack.pdf',
      summary: 'A council pack: the period’s survey results as a printable A4 PDF',
      description:
        'Cover; headline indicators (value, 95% interval, n, response rate, n by mode, weighted value, suppression and method-change flags); per indicator the distribution of all organisations’ published values with yours marked, and your trend beside the peer median; values per segment with suppressed cells shown as "—"; a method page (sample size, margin of error, modes, suppression, weighting, quantile method). In English, Polish, Ukrainian, Russian or Georgian; by default the organisation’s first language. Readable in black and white.',
      tags: ['reports'],
      auth: ['platform', 'admin', 'analyst'],
      params: orgParams,
      query: {
        type: 'object',
        additionalProperties: false,
        required: ['period'],
        properties: {
          period: periodSchema,
          lang: {
            type: 'string',
            enum: [...PACK_LANGUAGES],
            description: 'Language of the pack; the organisation’s first language when omitted',
          },
        },
      },
      responses: {
        200: { description: 'PDF', content: { 'application/pdf': {} } },
        404: {
          description: 'No such organisation, or another organisation’s (the same answer)',
          schema: errorRef,
        },
      },
      handler: async ({ params, query, req, res }) => {
        const pack = await councilPack(authOf(req), {
          org: params.org,
          period: query.period,
          lang: query.lang,
        });
        res
          .type('application/pdf')
          .setHeader('Content-Disposition', `inline; filename="council-pack-${pack.slug}-${pack.period}.pdf"`)
          .send(pack.pdf);
      },
    }),
  ];
}
