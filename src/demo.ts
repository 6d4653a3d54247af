import QRCode from 'qrcode';
import { Campaign } from './modules/campaigns/campaign.model';
import { campaignUrl, createCampaign } from './modules/campaigns/campaigns.service';
import { Organisation } from './modules/organisations/organisation.model';
import { createOrganisation } from './modules/organisations/organisations.service';
import { createSurvey, publishDraft } from './modules/surveys/surveys.service';

const DEMO_ORG = 'demo-city';

/** What `npm start` tells a newcomer. */
export interface DemoInfo {
  tenantLink: string;
  /** Present only on the first start, when the key is created: it is never stored in clear. */
  adminKey: string | null;
}

/**
 * Seeds a demo organisation with the five-language pulse survey and an open campaign, once.
 * Later starts find it and only print its link.
 */
export async function ensureDemo(publicBaseUrl: string): Promise<DemoInfo> {
  const existing = await Organisation.findOne({ slug: DEMO_ORG }).lean();
  if (existing) {
    const campaign = await Campaign.findOne({ organisationId: existing._id }).sort({ _id: 1 }).lean();
    if (campaign) return { tenantLink: campaignUrl(publicBaseUrl, campaign.slug), adminKey: null };
  }
  const { organisation, adminKey } = await createOrganisation(
    {
      slug: DEMO_ORG,
      name: 'Demo City Housing',
      country: 'PL',
      type: 'city',
      region: 'demo',
      housingStock: 1200,
      languages: ['pl', 'en', 'ka', 'uk', 'ru'],
    },
    null,
  );
  const caller = { keyId: adminKey.id, organisationId: organisation.id, role: 'admin' as const };
  const survey = await createSurvey(caller, { slug: 'pulse', template: 'pulse' });
  await publishDraft(caller, survey.id);
  const campaign = await createCampaign(
    caller,
    { surveyId: survey.id, period: String(new Date().getUTCFullYear()), segment: '' },
    publicBaseUrl,
  );
  return { tenantLink: campaign.url, adminKey: adminKey.key };
}

/** The tenant link as a QR code drawn with terminal characters. */
export function terminalQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
