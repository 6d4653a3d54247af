import type { Config } from '../../config';
import { authOf } from '../../http/context';
import { pageOnlyQuery, pageSchema } from '../../http/pagination';
import { defineRoute, toCsv, type AnyRoute } from '../../http/route';
import { SurveyVersion, type SurveyVersionDoc } from '../surveys/survey.model';
import type { CampaignDoc } from './campaign.model';
import {
  campaignIdParams,
  campaignView,
  createCampaignBody,
  invitationsBody,
  invitationsCreated,
} from './campaigns.schemas';
import {
  campaignUrl,
  campaignView as toView,
  createCampaign,
  createInvitations,
  heldSecrets,
  listCampaigns,
  organisationOf,
  ownCampaign,
  purgeSecrets,
} from './campaigns.service';
import { posterPdf, qrPng, qrSvg, writeLettersPdf } from './print';
import { NotFoundError, ValidationError } from '../../errors';
import { writePaperQuestionnaires } from '../paper/questionnaire';
import { pinnedVersion } from '../surveys/surveys.service';

const errorRef = { $ref: '#/components/schemas/Error' };
const notFound = { description: 'Missing or not yours', schema: errorRef };
const viewers = ['admin', 'analyst'] as const;

const paperQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    lang: { type: 'string', pattern: '^[a-z]{2,3}$', description: 'Default: the campaign’s first language' },
    largePrint: { type: 'boolean', default: false },
    serialFrom: { type: 'integer', minimum: 1, maximum: 99999999 },
    copies: { type: 'integer', minimum: 1, maximum: 2000, default: 1 },
  },
} as const;

/** Titles of a campaign in each of its languages, from the version's localised title. */
export async function campaignTitles(campaign: CampaignDoc): Promise<Array<{ lang: string; text: string }>> {
  const version = await SurveyVersion.findOne({
    surveyId: campaign.surveyId,
    version: campaign.version,
  }).lean<SurveyVersionDoc>();
  const title = version ? (JSON.parse(version.definition) as { title?: unknown }).title : undefined;
  const defaultLang = version?.languages[0] ?? 'en';
  return campaign.languages.map((lang) => {
    let text = campaign.title;
    if (title && typeof title === 'object') {
      const t = title as Record<string, string>;
      text = t[lang] ?? (lang === defaultLang ? t.default : undefined) ?? campaign.title;
    }
    return { lang, text };
  });
}

/** What every paper form of a campaign shares: the pinned definition, the language, the title. */
async function paperBase(campaign: CampaignDoc, query: { lang?: string; largePrint: boolean }) {
  const lang = query.lang ?? campaign.languages[0]!;
  if (!campaign.languages.includes(lang))
    throw new ValidationError('the campaign does not run in this language', [
      { path: '/query/lang', message: `choose one of ${campaign.languages.join(', ')}` },
    ]);
  const version = await pinnedVersion(campaign.surveyId, campaign.version);
  if (!version) throw new NotFoundError('survey version');
  const titles = await campaignTitles(campaign);
  return {
    definition: JSON.parse(version.definition) as Record<string, unknown>,
    lang,
    title: titles.find((t) => t.lang === lang)?.text ?? campaign.title,
    largePrint: query.largePrint,
  };
}

/** Campaigns: links, QR codes, posters, invitations and letters. */
export function campaignRoutes(config: Readonly<Config>): AnyRoute[] {
  const base = config.publicBaseUrl;
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/campaigns',
      summary: 'Start a campaign: one published survey version, a period and a segment',
      tags: ['campaigns'],
      auth: ['admin'],
      body: createCampaignBody,
      responses: { 201: { description: 'Created, with its public link', schema: campaignView } },
      audit: 'self',
      handler: async ({ body, req }) => ({
        status: 201,
        body: await createCampaign(authOf(req), body, base),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns',
      summary: 'The organisation’s campaigns',
      tags: ['campaigns'],
      auth: viewers,
      query: pageOnlyQuery,
      responses: { 200: { description: 'A page of campaigns', schema: pageSchema(campaignView) } },
      handler: async ({ query, req }) => ({ body: await listCampaigns(authOf(req), query, base) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}',
      summary: 'Status and counts (responses, invitations used)',
      tags: ['campaigns'],
      auth: viewers,
      params: campaignIdParams,
      responses: { 200: { description: 'The campaign', schema: campaignView }, 404: notFound },
      handler: async ({ params, req }) => ({
        body: await toView(await ownCampaign(authOf(req), params.id), base),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}/qr.svg',
      summary: 'QR code of the public link (SVG, error correction M, 4-module quiet zone)',
      tags: ['campaigns'],
      auth: viewers,
      params: campaignIdParams,
      responses: { 200: { description: 'SVG', content: { 'image/svg+xml': {} } }, 404: notFound },
      handler: async ({ params, req, res }) => {
        const c = await ownCampaign(authOf(req), params.id);
        res.type('image/svg+xml').send(await qrSvg(`${campaignUrl(base, c.slug)}?src=qr`));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}/qr.png',
      summary: 'QR code of the public link (PNG)',
      tags: ['campaigns'],
      auth: viewers,
      params: campaignIdParams,
      responses: { 200: { description: 'PNG', content: { 'image/png': {} } }, 404: notFound },
      handler: async ({ params, req, res }) => {
        const c = await ownCampaign(authOf(req), params.id);
        res.type('image/png').send(await qrPng(`${campaignUrl(base, c.slug)}?src=qr`));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}/poster.pdf',
      summary: 'Printable A4 poster: title, QR, short link, dates, languages, privacy promise',
      tags: ['campaigns'],
      auth: viewers,
      params: campaignIdParams,
      responses: { 200: { description: 'PDF', content: { 'application/pdf': {} } }, 404: notFound },
      handler: async ({ params, req, res }) => {
        const c = await ownCampaign(authOf(req), params.id);
        const org = await organisationOf(c);
        const pdf = await posterPdf({
          url: campaignUrl(base, c.slug),
          qrUrl: `${campaignUrl(base, c.slug)}?src=qr`,
          organisationName: org.name,
          titles: await campaignTitles(c),
          languages: c.languages,
          opensAt: c.opensAt,
          closesAt: c.closesAt ?? null,
        });
        res
          .type('application/pdf')
          .setHeader('Content-Disposition', `inline; filename="poster-${c.slug}.pdf"`);
        res.send(pdf);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}/questionnaire.pdf',
      summary: 'The printable paper questionnaire of the campaign’s survey version, in one of its languages',
      description:
        'Tick boxes for choices and ratings, grids for matrices, lines for text, routing written out from the skip logic where it can be (“If No, go to question 7”), the campaign’s QR code on page one. Black and white. `largePrint` uses 16 pt text. With `serialFrom`, `copies` forms numbered from it (the serial the entry page asks for).',
      tags: ['campaigns', 'entry'],
      auth: ['admin', 'analyst', 'interviewer'],
      params: campaignIdParams,
      query: paperQuery,
      responses: {
        200: { description: 'PDF', content: { 'application/pdf': {} } },
        404: notFound,
        422: { description: 'The language is not one of the campaign’s', schema: errorRef },
      },
      handler: async ({ params, query, req, res }) => {
        const c = await ownCampaign(authOf(req), params.id);
        const form = { ...(await paperBase(c, query)), url: `${campaignUrl(base, c.slug)}?src=qr` };
        const copies = Array.from({ length: query.copies }, (_, i) => ({
          serial: query.serialFrom !== undefined ? String(query.serialFrom + i) : undefined,
        }));
        res
          .type('application/pdf')
          .setHeader('Content-Disposition', `inline; filename="questionnaire-${c.slug}-${form.lang}.pdf"`);
        await writePaperQuestionnaires(form, copies, res);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}/invitations/questionnaires.pdf',
      summary: 'One paper questionnaire per held personal code, the dwelling’s code and its QR on page one',
      description:
        'For letter campaigns that send the questionnaire itself: staff enter the returned form with the code written on it, which is then used up across all modes. Like letters.pdf, only while the secrets are held.',
      tags: ['campaigns', 'entry'],
      auth: ['admin'],
      params: campaignIdParams,
      query: paperQuery,
      responses: {
        200: { description: 'PDF', content: { 'application/pdf': {} } },
        404: notFound,
        410: { description: 'The secrets are no longer held', schema: errorRef },
        422: { description: 'The language is not one of the campaign’s', schema: errorRef },
      },
      handler: async ({ params, query, req, res }) => {
        const { campaign, secrets } = await heldSecrets(authOf(req), params.id);
        const form = await paperBase(campaign, query);
        const url = campaignUrl(base, campaign.slug);
        const copies = secrets.map((s, i) => ({
          dwellingCode: s.token,
          url: `${url}?t=${s.token}`,
          serial: query.serialFrom !== undefined ? String(query.serialFrom + i) : undefined,
        }));
        res
          .type('application/pdf')
          .setHeader('Content-Disposition', `attachment; filename="questionnaires-${campaign.slug}.pdf"`);
        res.setHeader('Cache-Control', 'no-store');
        await writePaperQuestionnaires(form, copies, res);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/campaigns/{id}/invitations',
      summary: 'Create single-use invitation tokens: n of them, or one per listed dwelling',
      description:
        'Secrets are returned once, and held for 24 hours for letters.pdf / letters.csv; then only hashes remain.',
      tags: ['campaigns'],
      auth: ['admin'],
      params: campaignIdParams,
      body: invitationsBody,
      responses: { 201: { description: 'Tokens (shown once)', schema: invitationsCreated }, 404: notFound },
      handler: async ({ params, body, req }) => ({
        status: 201,
        body: await createInvitations(authOf(req), params.id, body, base),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}/invitations/letters.pdf',
      summary: 'One letter per held token, each with its own QR code',
      tags: ['campaigns'],
      auth: ['admin'],
      params: campaignIdParams,
      responses: {
        200: { description: 'PDF', content: { 'application/pdf': {} } },
        404: notFound,
        410: { description: 'The secrets are no longer held', schema: errorRef },
      },
      handler: async ({ params, req, res }) => {
        const { campaign, organisation, secrets } = await heldSecrets(authOf(req), params.id);
        const url = campaignUrl(base, campaign.slug);
        const titles = await campaignTitles(campaign);
        res
          .type('application/pdf')
          .setHeader('Content-Disposition', `attachment; filename="letters-${campaign.slug}.pdf"`);
        res.setHeader('Cache-Control', 'no-store');
        // Streamed: thousands of letters take seconds to draw, and the download starts at once.
        await writeLettersPdf(
          {
            organisationName: organisation.name,
            titles,
            languages: campaign.languages,
            opensAt: campaign.opensAt,
            closesAt: campaign.closesAt ?? null,
            letters: secrets.map((s) => ({ url: `${url}?t=${s.token}`, code: s.token, label: s.label })),
          },
          res,
        );
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/campaigns/{id}/invitations/letters.csv',
      summary: 'The held tokens as CSV (label, code, link) for mail merge',
      tags: ['campaigns'],
      auth: ['admin'],
      params: campaignIdParams,
      responses: {
        200: { description: 'CSV', content: { 'text/csv': {} } },
        404: notFound,
        410: { description: 'The secrets are no longer held', schema: errorRef },
      },
      handler: async ({ params, req, res }) => {
        const { campaign, secrets } = await heldSecrets(authOf(req), params.id);
        const url = campaignUrl(base, campaign.slug);
        const csv = toCsv({
          columns: ['label', 'code', 'url'],
          rows: secrets.map((s) => [s.label ?? '', s.token, `${url}?t=${s.token}`]),
        });
        res
          .type('text/csv')
          .setHeader('Content-Disposition', `attachment; filename="letters-${campaign.slug}.csv"`);
        res.setHeader('Cache-Control', 'no-store');
        res.send(csv);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/campaigns/{id}/invitations/secrets',
      summary: 'Forget the held secrets now (after printing)',
      tags: ['campaigns'],
      auth: ['admin'],
      params: campaignIdParams,
      responses: {
        200: {
          description: 'Batches purged',
          schema: { type: 'object', required: ['purged'], properties: { purged: { type: 'integer' } } },
        },
        404: notFound,
      },
      handler: async ({ params, req }) => ({ body: { purged: await purgeSecrets(authOf(req), params.id) } }),
    }),
  ];
}
