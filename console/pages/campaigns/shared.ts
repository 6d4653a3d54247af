import { ApiError } from '../../api';
import { language, t } from '../../i18n';
import type { ModeCounts } from '../../types';

/** A campaign as GET /api/v1/campaigns/{id} gives it. */
export interface Campaign {
  id: string;
  slug: string;
  url: string;
  surveyId: string;
  version: number;
  title: string;
  period: string;
  segment: string;
  housingStock: number | null;
  opensAt: string;
  closesAt: string | null;
  access: 'open' | 'invite';
  responseLimit: number | null;
  languages: string[];
  doubleEntry: boolean;
  status: 'scheduled' | 'open' | 'closed' | 'full';
  counts: { responses: number; byMode: ModeCounts; invitations: number; invitationsUsed: number };
  createdAt: string;
}

/** A survey as GET /api/v1/surveys lists it. */
export interface SurveySummary {
  id: string;
  slug: string;
  title: string;
  shared: boolean;
  latestVersion: number;
}

/** An organisation as GET /api/v1/organisations/{org} gives it. */
export interface Organisation {
  id: string;
  name: string;
  housingStock: number | null;
}

/** A segment as read: "whole organisation" for the empty one. */
export function segmentLabel(segment: string): string {
  return segment || t('campaigns.wholeOrganisation');
}

/** A language code named in the current language ("pl" → "Polish"). */
export function languageName(code: string): string {
  try {
    return new Intl.DisplayNames([language()], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** A message for a refusal of the API, its own message when it has one. */
export function refusal(err: unknown): string {
  if (err instanceof ApiError && err.status === 404) return t('campaigns.campaign.notFound');
  if (err instanceof ApiError && err.message) return t('campaigns.refused', { message: err.message });
  return t('common.failed');
}
