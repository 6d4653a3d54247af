import { ApiError, apiAll } from '../../api';
import { h } from '../../dom';
import { language, number, percent, t } from '../../i18n';

/** The shapes of the groups and returns API that these pages read (see /api/openapi.json). */

export type ReturnState = 'draft' | 'submitted' | 'queried' | 'signed_off';
export type QueryStatus = 'open' | 'answered' | 'closed';

export interface CalendarEntry {
  period: string;
  opens: string;
  closes: string;
  signOffBy: string;
}

export interface GroupOrganisation {
  id: string;
  slug: string;
  name: string;
}

export interface Group {
  id: string;
  slug: string;
  name: string;
  description: string;
  coordinators: GroupOrganisation[];
  members: Array<GroupOrganisation & { status: 'invited' | 'member' }>;
  indicators: string[];
  calendar: CalendarEntry[];
  you: { coordinates: boolean; member: boolean; invited: boolean };
}

export interface ReturnSummary {
  id: string;
  organisation: string;
  period: string;
  state: ReturnState;
  figures: number;
  openQueries: number;
  submittedAt: string | null;
  signedOffAt: string | null;
  revision: number;
}

export interface Finding {
  field: string;
  severity: 'error' | 'warning';
  code: string;
  message: string;
  explained?: boolean;
}

export interface Figure {
  figure: string;
  indicator: string;
  part: string;
  tenure: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  comment: string;
  notAvailable: string | null;
  computed: number | null;
  findings: Finding[];
}

export interface Query {
  id: string;
  figure: string;
  status: QueryStatus;
  messages: Array<{ at: string; side: 'coordinator' | 'member'; text: string }>;
}

export interface DataReturn {
  id: string;
  group: string;
  organisation: { slug: string; name: string };
  period: string;
  state: ReturnState;
  stored: boolean;
  late: boolean;
  revision: number;
  submittedAt: string | null;
  signedOffAt: string | null;
  figures: Figure[];
  missing: string[];
  queries: Query[];
}

export interface ReportedIndicator {
  id: string;
  title: Record<string, string>;
  kind: 'rate' | 'per1000' | 'value';
  unit: string;
  parts: Array<{ key: string; title: Record<string, string> }>;
}

let catalogue: Promise<Map<string, ReportedIndicator>> | null = null;

/** The reported indicators' catalogue, fetched once; without it figures show their keys. */
export function reportedCatalogue(): Promise<Map<string, ReportedIndicator>> {
  catalogue ??= apiAll<ReportedIndicator>('/api/v1/reported-indicators')
    .then((r) => new Map(r.items.map((d) => [d.id, d])))
    .catch(() => {
      catalogue = null;
      return new Map<string, ReportedIndicator>();
    });
  return catalogue;
}

function local(text: Record<string, string> | undefined): string | undefined {
  return text?.[language()] ?? text?.en ?? text?.default;
}

/** A figure key (`ID`, `ID.part`, `ID.part.tenure`) split into its indicator, part and tenure. */
export function splitKey(key: string, defs: Map<string, ReportedIndicator>) {
  const [indicator = key, ...rest] = key.split('.');
  const def = defs.get(indicator);
  const partKeys = new Set(def?.parts.map((p) => p.key) ?? []);
  const part = rest.find((r) => partKeys.has(r)) ?? '';
  const tenure = rest.find((r) => r === 'lcra' || r === 'lcho') ?? '';
  return { indicator, part, tenure, def };
}

/** A figure's title in the current language: the indicator's, with its part and tenure. */
export function figureTitle(key: string, defs: Map<string, ReportedIndicator>): string {
  const { part, tenure, def } = splitKey(key, defs);
  const title = local(def?.title) ?? key;
  const partTitle = part ? (local(def?.parts.find((p) => p.key === part)?.title) ?? part) : '';
  return [title, partTitle, tenure ? t(`coordination.tenures.${tenure}`) : ''].filter(Boolean).join(' – ');
}

/** A figure's published value as its kind reads: a share as %, a count per 1,000 homes, a value. */
export function publishedValue(kind: string | undefined, value: number | null, unit = ''): string {
  if (value === null || value === undefined) return '–';
  if (kind === 'rate') return percent(value);
  const text = number(value, kind === 'per1000' ? 1 : 2);
  return unit && unit !== '%' ? `${text} ${unit}` : text;
}

/** The state of a return as a labelled badge (`none`: nothing entered yet). */
export function stateBadge(state: ReturnState | 'none'): HTMLElement {
  return h('span', { class: `state state-${state}`, 'data-state': state }, t(`coordination.states.${state}`));
}

/** The path of a return in the API. */
export function returnPath(group: string, org: string, period: string): string {
  return `/api/v1/groups/${encodeURIComponent(group)}/returns/${encodeURIComponent(org)}/${encodeURIComponent(period)}`;
}

/** What to tell the person about a refusal: the API's own message; a stale revision in plain words. */
export function refusal(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'STALE_REVISION') return t('coordination.stale');
    return err.message || t('common.failed');
  }
  return t('common.failed');
}
