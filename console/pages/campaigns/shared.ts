import { api, ApiError } from '../../api';
import { language, t } from '../../i18n';
import type { Console, ModeCounts } from '../../types';

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

/** One problem the API found in a request, at a JSON Pointer into the body. */
export interface Detail {
  path: string;
  message: string;
}

/** A refusal with the details of a 422 (where each problem is). */
export class DetailedError extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly details: Detail[],
  ) {
    super(status, code, message);
  }
}

/**
 * Sends a JSON body with the session cookie and CSRF token, like `api()`, but keeps the error's
 * details so that each message can be shown at its field.
 */
export async function submit<T>(
  app: Console,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'X-CSRF-Token': app.session?.csrfToken ?? '',
    },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (res.ok) return (await res.json()) as T;
  let parsed: { error?: { code?: string; message?: string; details?: Detail[] } } = {};
  try {
    parsed = (await res.json()) as typeof parsed;
  } catch {
    // Not the API's JSON error: the status says enough.
  }
  if (res.status === 401) {
    // The session ended: a request through api() lets the console take the person to sign-in.
    void api('GET', '/api/v1/campaigns?limit=1').catch(() => undefined);
  }
  throw new DetailedError(
    res.status,
    parsed.error?.code ?? 'HTTP_ERROR',
    parsed.error?.message ?? res.statusText,
    Array.isArray(parsed.error?.details) ? parsed.error.details : [],
  );
}

/** A date and time in the current language, or a dash. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
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
