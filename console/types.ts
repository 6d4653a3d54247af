/** The shapes of the API's answers the console reads (see /api/openapi.json). */

export type Role = 'platform' | 'admin' | 'analyst' | 'coordinator' | 'interviewer';

export interface Person {
  id: string;
  organisationId: string | null;
  role: Role;
  name: string;
  email: string;
}

export interface Session {
  person: Person;
  csrfToken: string;
}

export interface SignInMethods {
  password: boolean;
  oidc: { displayName: string } | null;
}

export type ModeCounts = Partial<Record<'online' | 'paper' | 'telephone' | 'face-to-face', number>>;

export interface IndicatorValue {
  indicator: string;
  kind: 'share' | 'nps' | 'mean';
  period: string;
  segment: string;
  n: number;
  value: number | null;
  low: number | null;
  high: number | null;
  responses?: number | null;
  responseRate: number | null;
  nByMode?: ModeCounts;
  weighted?:
    | null
    | {
        status: 'weighted';
        value: number | null;
        low: number | null;
        high: number | null;
        effectiveN: number;
      }
    | { status: 'not-weighted'; reason: string };
  minN: number;
  suppressed: 'primary' | 'secondary' | null;
  methodChanged: boolean;
}

export interface IndicatorDefinition {
  id: string;
  title: Record<string, string>;
  kind: string;
}

export interface BenchmarkRow {
  slug: string;
  name: string;
  n: number | null;
  value: number | null;
  low?: number | null;
  high?: number | null;
  suppressed?: boolean;
  you?: boolean;
  modeMixDiffers?: boolean | null;
}

export interface Benchmark {
  indicator: string;
  kind?: string;
  direction?: 'higher' | 'lower' | 'neutral';
  period: string;
  peerGroup: string;
  summary: {
    count?: number;
    min?: number | null;
    q1?: number | null;
    median?: number | null;
    q3?: number | null;
    max?: number | null;
  };
  you: { value: number | null; percentileRank?: number | null } | null;
  organisations: BenchmarkRow[];
}

/** What every page may use: the session and navigation. */
export interface Console {
  session: Session | null;
  navigate(to: string, options?: { replace?: boolean }): void;
  /** Draws the current page again (after a change of language, say). */
  refresh(): void;
  signOut(): Promise<void>;
}
