/** The shapes of the API's answers the analysis pages read (see /api/openapi.json). */

/** A benchmarking group as `GET /api/v1/groups` lists it, as far as these pages read it. */
export interface GroupSummary {
  id: string;
  slug: string;
  name: string;
  namesVisible: boolean;
  indicators: string[];
  you: { coordinates: boolean; member: boolean; invited: boolean };
}

/** A data return as `GET /api/v1/groups/{group}/returns` lists it. */
export interface ReturnSummary {
  id: string;
  organisation: string;
  period: string;
  state: 'draft' | 'submitted' | 'queried' | 'signed_off';
  figures: number;
  signedOffAt: string | null;
}

/** One figure of a return. */
export interface ReturnFigure {
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
}

/** One data return with its figures. */
export interface DataReturn {
  id: string;
  organisation: { slug: string; name: string };
  period: string;
  state: ReturnSummary['state'];
  signedOffAt: string | null;
  figures: ReturnFigure[];
}

/** A reported (management) indicator of the catalogue. */
export interface ReportedIndicator {
  id: string;
  title: Record<string, string>;
  kind: 'rate' | 'per1000' | 'value';
  unit: string;
  direction: 'higher' | 'lower' | 'neutral';
  parts: Array<{ key: string; title: Record<string, string> }>;
}

/** A measured value of a plan's goal. */
export interface Measurement {
  period: string;
  value: number;
  low: number | null;
  high: number | null;
}

/** An improvement plan with the progress of each goal, as the API computes it. */
export interface Plan {
  id: string;
  organisation: { slug: string; name: string };
  group: string | null;
  title: string;
  cycle?: string;
  nextReviewAt: string | null;
  reviewDue?: boolean;
  goals: Array<{
    id: string;
    indicator: string;
    title?: Record<string, string>;
    kind: string;
    unit: string;
    direction: 'higher' | 'lower' | 'neutral';
    segment: string;
    description: string;
    /** Its figures are null when withheld from the caller (suppressed since the goal was set). */
    baseline: Omit<Measurement, 'value'> & { value: number | null };
    target: { value: number; period: string };
    progress: {
      status: 'achieved' | 'on_track' | 'off_track' | 'not_yet_measured' | 'withheld';
      latest: Measurement | null;
      covered: number | null;
      elapsed: number | null;
      beyondNoise: boolean | null;
    };
  }>;
  actions: Array<{
    id: string;
    what: string;
    ownerRole?: string;
    start: string | null;
    due: string | null;
    status: 'planned' | 'in_progress' | 'done' | 'dropped';
    goals?: string[];
    overdue: boolean;
  }>;
  reviews: Array<{ at: string; note: string }>;
}
