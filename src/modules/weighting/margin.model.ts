import { Schema, Types, model } from 'mongoose';

/** Weight caps when none are given: a fifth and five times the mean weight. */
export const DEFAULT_TRIM = Object.freeze({ min: 0.2, max: 5 });

const categorySchema = new Schema(
  {
    name: { type: String, required: true },
    /** Population count (or share) of the category. */
    count: { type: Number, required: true },
  },
  { _id: false },
);

const variableSchema = new Schema(
  {
    name: { type: String, required: true },
    categories: { type: [categorySchema], default: [] },
  },
  { _id: false },
);

/**
 * An organisation's population margins for a period: how its tenants split by tenure, age band,
 * area and the like, as weighting and the representativeness check need them. Keyed by
 * organisation|period so reads and writes address one document by `_id`. Variables and
 * categories are kept as lists, not as object keys, so any name a landlord uses can be stored.
 */
const marginSchema = new Schema(
  {
    _id: { type: String },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    variables: { type: [variableSchema], default: [] },
    /** Caps of the weights, × the mean weight, applied when published values are weighted. */
    trim: {
      min: { type: Number, default: DEFAULT_TRIM.min },
      max: { type: Number, default: DEFAULT_TRIM.max },
    },
    /** The key that stored this version. */
    updatedBy: { type: String, required: true },
  },
  { timestamps: true, collection: 'population_margins' },
);
marginSchema.index({ organisationId: 1, period: 1 });

/** Margins as read with `lean()`. */
export interface MarginDoc {
  _id: string;
  organisationId: Types.ObjectId;
  period: string;
  variables: Array<{ name: string; categories: Array<{ name: string; count: number }> }>;
  /** Absent on margins stored before caps were configurable: {@link DEFAULT_TRIM}. */
  trim?: { min: number; max: number };
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export const Margin = model('Margin', marginSchema);

/** Stored margins as variable → category → count, the shape raking and the checks take. */
export function marginsOf(doc: Pick<MarginDoc, 'variables'>): Record<string, Record<string, number>> {
  return Object.fromEntries(
    doc.variables.map((v) => [v.name, Object.fromEntries(v.categories.map((c) => [c.name, c.count]))]),
  );
}

/** _id of an organisation's margins for a period. */
export function marginId(organisationId: Types.ObjectId | string, period: string): string {
  return `${String(organisationId)}|${period}`;
}
