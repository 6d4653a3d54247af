import { createHash, randomBytes, randomInt } from 'node:crypto';
import { recordAudit } from '../audit/record';
import { Types, type Model } from 'mongoose';
import { GoneError, NotFoundError, ValidationError } from '../../errors';
import type { AuthContext } from '../../http/context';
import { afterCursor, toPage } from '../../http/pagination';
import { Organisation, type OrganisationDoc } from '../organisations/organisation.model';
import { Survey, SurveyVersion, type SurveyVersionDoc } from '../surveys/survey.model';
import { pinnedVersion } from '../surveys/surveys.service';
import { SharedCache } from '../../shared-cache';
import { SurveyResponse } from '../responses/response.model';
import { countedByCampaign } from '../responses/unit-state';
import type { ModeCounts } from '../responses/modes';
import { Campaign, Invitation, InvitationBatch, type CampaignDoc } from './campaign.model';

/** How long invitation secrets stay downloadable as letters after they are created. */
export const SECRET_HOLD_MS = 24 * 3600 * 1000;
const SLUG_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export type CampaignStatus = 'scheduled' | 'open' | 'closed' | 'full';

/** Where a campaign stands at `now`, given how many responses it holds. */
export function campaignStatus(
  c: Pick<CampaignDoc, 'opensAt' | 'closesAt' | 'responseLimit'>,
  responses: number,
  now = new Date(),
): CampaignStatus {
  if (now < c.opensAt) return 'scheduled';
  if (c.closesAt && now >= c.closesAt) return 'closed';
  if (c.responseLimit !== null && c.responseLimit !== undefined && responses >= c.responseLimit)
    return 'full';
  return 'open';
}

/**
 * The status now. Responses are counted only when the campaign has a limit: the count is
 * the one part of the status that costs a query, and public pages ask on every request.
 */
export async function currentStatus(c: CampaignDoc): Promise<CampaignStatus> {
  const limited = c.responseLimit !== null && c.responseLimit !== undefined;
  return campaignStatus(c, limited ? await SurveyResponse.countDocuments({ campaignId: c._id }) : 0);
}

/** SHA-256 hex of an invitation token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newSlug(): string {
  return Array.from({ length: 10 }, () => SLUG_ALPHABET[randomInt(SLUG_ALPHABET.length)]).join('');
}

/** The public tenant link of a campaign. */
export function campaignUrl(baseUrl: string, slug: string): string {
  return `${baseUrl}/s/${slug}`;
}

function orgScope(caller: AuthContext) {
  return { organisationId: new Types.ObjectId(caller.organisationId!) };
}

/** A campaign of the caller's organisation, else 404. */
export async function ownCampaign(caller: AuthContext, id: string): Promise<CampaignDoc> {
  const doc = await Campaign.findOne({
    _id: new Types.ObjectId(id),
    ...orgScope(caller),
  }).lean<CampaignDoc>();
  if (!doc) throw new NotFoundError('campaign');
  return doc;
}

/** Input of campaign creation, schema-validated. */
export interface NewCampaign {
  surveyId: string;
  version?: number;
  title?: string;
  period: string;
  segment?: string;
  housingStock?: number;
  opensAt?: string;
  closesAt?: string;
  access?: 'open' | 'invite';
  responseLimit?: number;
  languages?: string[];
  doubleEntry?: boolean;
}

/** Starts a campaign for one published version of an own or shared survey. */
export async function createCampaign(caller: AuthContext, input: NewCampaign, baseUrl: string) {
  const orgId = new Types.ObjectId(caller.organisationId!);
  const survey = await Survey.findOne({
    _id: new Types.ObjectId(input.surveyId),
    $or: [{ organisationId: orgId }, { shared: true }],
  }).lean();
  if (!survey)
    throw new ValidationError('unknown survey', [{ path: '/surveyId', message: 'no such survey' }]);
  const versionNo = input.version ?? survey.latestVersion;
  if (!versionNo)
    throw new ValidationError('the survey has no published version', [
      { path: '/version', message: 'publish the survey first' },
    ]);
  const version = await SurveyVersion.findOne({
    surveyId: survey._id,
    version: versionNo,
  }).lean<SurveyVersionDoc>();
  if (!version)
    throw new ValidationError('unknown version', [
      { path: '/version', message: `version ${versionNo} is not published` },
    ]);

  const problems = [];
  const languages = input.languages ?? version.languages;
  languages.forEach((l, i) => {
    if (!version.languages.includes(l))
      problems.push({
        path: `/languages/${i}`,
        message: `the survey version has no "${l}" (it has ${version.languages.join(', ')})`,
      });
  });
  const opensAt = input.opensAt ? new Date(input.opensAt) : new Date();
  const closesAt = input.closesAt ? new Date(input.closesAt) : null;
  if (closesAt && closesAt <= opensAt) problems.push({ path: '/closesAt', message: 'must be after opensAt' });
  if (problems.length) throw new ValidationError('the campaign is inconsistent', problems);

  const doc = await Campaign.create({
    organisationId: orgId,
    surveyId: survey._id,
    version: versionNo,
    slug: newSlug(),
    title: input.title ?? version.title,
    period: input.period,
    segment: input.segment ?? '',
    housingStock: input.housingStock ?? null,
    opensAt,
    closesAt,
    access: input.access ?? 'open',
    responseLimit: input.responseLimit ?? null,
    languages,
    doubleEntry: input.doubleEntry ?? false,
    createdBy: new Types.ObjectId(caller.keyId),
  });
  await recordAudit(caller, {
    action: 'campaign.created',
    resource: { type: 'campaign', id: doc._id.toHexString() },
    after: {
      surveyId: survey._id.toHexString(),
      version: versionNo,
      period: doc.period,
      segment: doc.segment,
      access: doc.access,
      opensAt: doc.opensAt,
      closesAt: doc.closesAt,
      doubleEntry: doc.doubleEntry,
    },
  });
  return campaignView(doc.toObject() as CampaignDoc, baseUrl);
}

interface CampaignCounts {
  responses: number;
  byMode: ModeCounts;
  invitations: number;
  invitationsUsed: number;
}

/** Documents per campaign among `ids` that match `filter`: one grouped query for a whole page. */
async function countByCampaign<T>(
  model: Model<T>,
  ids: Types.ObjectId[],
  filter: Record<string, unknown> = {},
): Promise<Map<string, number>> {
  const groups = await model.aggregate<{ _id: Types.ObjectId; n: number }>([
    { $match: { campaignId: { $in: ids }, ...filter } },
    { $group: { _id: '$campaignId', n: { $sum: 1 } } },
  ]);
  return new Map(groups.map((g) => [g._id.toHexString(), g.n]));
}

/** Live counts of several campaigns in three queries, however many campaigns. */
/**
 * Responses (as counted by aggregation: a read of the small unit revisions, not of the responses
 * collection) and invitations per campaign.
 */
async function campaignCounts(docs: CampaignDoc[]): Promise<Map<string, CampaignCounts>> {
  const ids = docs.map((d) => d._id);
  const [responses, invitations, used] = await Promise.all([
    countedByCampaign(docs),
    countByCampaign(Invitation, ids),
    countByCampaign(Invitation, ids, { used: true }),
  ]);
  return new Map(
    ids.map((id) => {
      const key = id.toHexString();
      return [
        key,
        {
          responses: responses.get(key)?.responses ?? 0,
          byMode: responses.get(key)?.byMode ?? {},
          invitations: invitations.get(key) ?? 0,
          invitationsUsed: used.get(key) ?? 0,
        },
      ];
    }),
  );
}

/** A campaign with its live counts. */
export async function campaignView(doc: CampaignDoc, baseUrl: string) {
  return viewOf(doc, baseUrl, (await campaignCounts([doc])).get(doc._id.toHexString())!);
}

function viewOf(doc: CampaignDoc, baseUrl: string, counts: CampaignCounts) {
  const { responses, byMode, invitations, invitationsUsed } = counts;
  return {
    id: doc._id.toHexString(),
    slug: doc.slug,
    url: campaignUrl(baseUrl, doc.slug),
    surveyId: doc.surveyId.toHexString(),
    version: doc.version,
    title: doc.title,
    period: doc.period,
    segment: doc.segment,
    housingStock: doc.housingStock ?? null,
    opensAt: doc.opensAt.toISOString(),
    closesAt: doc.closesAt ? doc.closesAt.toISOString() : null,
    access: doc.access,
    responseLimit: doc.responseLimit ?? null,
    languages: doc.languages,
    status: campaignStatus(doc, responses),
    doubleEntry: doc.doubleEntry ?? false,
    counts: { responses, byMode, invitations, invitationsUsed },
    createdAt: doc.createdAt.toISOString(),
  };
}

/** The organisation's campaigns, a page at a time. */
export async function listCampaigns(
  caller: AuthContext,
  page: { limit: number; cursor?: string },
  baseUrl: string,
) {
  const docs = await Campaign.find({ ...orgScope(caller), ...afterCursor(page.cursor) })
    .sort({ _id: 1 })
    .limit(page.limit + 1)
    .lean<CampaignDoc[]>();
  const { items, nextCursor } = toPage(docs, page.limit, (d) => d);
  const counts = await campaignCounts(items);
  return { items: items.map((d) => viewOf(d, baseUrl, counts.get(d._id.toHexString())!)), nextCursor };
}

/** Creates n tokens, or one per dwelling label; their secrets are returned once and held for letters. */
export async function createInvitations(
  caller: AuthContext,
  id: string,
  input: { count?: number; dwellings?: string[] },
  baseUrl: string,
) {
  const campaign = await ownCampaign(caller, id);
  const labels: Array<string | null> =
    input.dwellings ?? Array.from({ length: input.count ?? 0 }, () => null);
  if (!labels.length)
    throw new ValidationError('say how many invitations', [
      { path: '/count', message: 'give count or dwellings' },
    ]);
  const batchId = new Types.ObjectId();
  const secrets = labels.map((label) => ({ token: randomBytes(18).toString('base64url'), label }));
  const docs = await Invitation.insertMany(
    secrets.map((s) => ({
      campaignId: campaign._id,
      organisationId: campaign.organisationId,
      batchId,
      tokenHash: hashToken(s.token),
      label: s.label,
    })),
  );
  const heldUntil = new Date(Date.now() + SECRET_HOLD_MS);
  await InvitationBatch.create({
    _id: batchId,
    campaignId: campaign._id,
    heldUntil,
    secrets: JSON.stringify(secrets),
  });
  const url = campaignUrl(baseUrl, campaign.slug);
  return {
    batchId: batchId.toHexString(),
    heldUntil: heldUntil.toISOString(),
    invitations: docs.map((d, i) => ({
      id: d._id.toHexString(),
      label: d.label ?? null,
      token: secrets[i]!.token,
      url: `${url}?t=${secrets[i]!.token}`,
    })),
  };
}

/** The secrets still held for printing, oldest batch first; 410 once the hold has ended. */
export async function heldSecrets(caller: AuthContext, id: string) {
  const campaign = await ownCampaign(caller, id);
  await InvitationBatch.updateMany(
    { campaignId: campaign._id, heldUntil: { $lte: new Date() }, secrets: { $ne: null } },
    { $set: { secrets: null } },
  );
  const batches = await InvitationBatch.find({ campaignId: campaign._id, secrets: { $ne: null } })
    .sort({ _id: 1 })
    .lean();
  const secrets = batches.flatMap(
    (b) => JSON.parse(b.secrets!) as Array<{ token: string; label: string | null }>,
  );
  if (!secrets.length) {
    throw new GoneError(
      'no invitation secrets are held: they are shown once and kept for printing only for 24 hours',
      'SECRETS_GONE',
    );
  }
  const organisation = await Organisation.findById(campaign.organisationId).lean<OrganisationDoc>();
  return { campaign, organisation: organisation!, secrets };
}

/** Ends the hold now: only hashes remain. */
export async function purgeSecrets(caller: AuthContext, id: string): Promise<number> {
  const campaign = await ownCampaign(caller, id);
  const res = await InvitationBatch.updateMany(
    { campaignId: campaign._id, secrets: { $ne: null } },
    { $set: { secrets: null } },
  );
  return res.modifiedCount;
}

/** Campaigns and versions do not change once created, so tenants' lookups are kept a while. */
const publicCampaigns = new SharedCache<{ campaign: CampaignDoc; version: SurveyVersionDoc }>(2000);
const PUBLIC_CAMPAIGN_TTL_MS = 60_000;

/**
 * A campaign by its public slug with the version it runs, for tenants: from memory after the
 * first request (a campaign and its pinned version never change; its status is computed from
 * the clock). An unknown slug is looked up again each time.
 */
export function publicCampaign(slug: string): Promise<{ campaign: CampaignDoc; version: SurveyVersionDoc }> {
  return publicCampaigns.forMs(slug, PUBLIC_CAMPAIGN_TTL_MS, async () => {
    const campaign = await Campaign.findOne({ slug }).lean<CampaignDoc>();
    if (!campaign) throw new NotFoundError('survey');
    const version = await pinnedVersion(campaign.surveyId, campaign.version);
    if (!version) throw new NotFoundError('survey');
    return { campaign, version };
  });
}

/** Organisation of a campaign (for printing). */
export async function organisationOf(campaign: CampaignDoc): Promise<OrganisationDoc> {
  return (await Organisation.findById(campaign.organisationId).lean<OrganisationDoc>())!;
}
