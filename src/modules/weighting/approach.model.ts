import { Schema, Types, model } from 'mongoose';

/** How the sample was drawn, as the landlord states it. */
export const SAMPLING_METHODS = ['census', 'random', 'stratified', 'quota', 'other'] as const;

/** One of {@link SAMPLING_METHODS}. */
export type SamplingMethod = (typeof SAMPLING_METHODS)[number];

/** Items of the summary whose automatic wording the landlord may replace with their own. */
export const OVERRIDABLE = ['achieved', 'timing', 'modes', 'representativeness', 'weighting'] as const;

/** One of {@link OVERRIDABLE}. */
export type Overridable = (typeof OVERRIDABLE)[number];

/**
 * What a landlord states about how the perception survey of a period was run, beside what the
 * service knows from its own data: the parts of the regulator's "summary of approach" that no
 * count can supply. Keyed by organisation|period so every read and write addresses one document
 * by `_id`.
 *
 * An absent field has not been stated. `contractor` is the one field where null carries meaning:
 * the survey was run in house.
 */
const approachSchema = new Schema(
  {
    _id: { type: String },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    sampling: {
      method: { type: String, enum: SAMPLING_METHODS },
      description: { type: String },
    },
    contractor: { type: String },
    exclusions: { type: String },
    missedSampleReason: { type: String },
    incentives: { type: String },
    otherIssues: { type: String },
    notes: { type: String },
    overrides: Object.fromEntries(OVERRIDABLE.map((k) => [k, { type: String }])),
    /** The key that stored the latest change. */
    updatedBy: { type: String, required: true },
  },
  { timestamps: true, collection: 'survey_approaches' },
);

/** A stored statement as read with `lean()`. */
export interface ApproachDoc {
  _id: string;
  organisationId: Types.ObjectId;
  period: string;
  sampling?: { method?: SamplingMethod; description?: string };
  /** A name, null for "in house", absent when not stated. */
  contractor?: string | null;
  exclusions?: string;
  missedSampleReason?: string;
  incentives?: string;
  otherIssues?: string;
  notes?: string;
  overrides?: Partial<Record<Overridable, string>>;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export const Approach = model('Approach', approachSchema);

/** _id of an organisation's statement for a period. */
export function approachId(organisationId: Types.ObjectId | string, period: string): string {
  return `${String(organisationId)}|${period}`;
}
