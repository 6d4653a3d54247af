import { Schema, Types, model } from 'mongoose';

/**
 * A paper form of a double-entry campaign on its way to being counted: the first entry waits
 * for the second; two entries that differ wait for a resolution. Once the form is stored as a
 * response, the entries' answers and code are removed: what stays is who entered it, when, and
 * which answers differed. Keyed `<campaign>|<serial>`, so every read and write is by `_id`.
 */
const entrySchema = new Schema(
  {
    /** The key that entered it. */
    by: { type: String, required: true },
    at: { type: Date, required: true },
    locale: { type: String, required: true },
    /** The answers as validated; null once the form is stored. */
    answers: { type: Schema.Types.Mixed, default: null },
    /** SHA-256 of the dwelling's code written on the form, if any; null once the form is stored. */
    codeHash: { type: String, default: null },
  },
  { _id: false },
);

const paperFormSchema = new Schema(
  {
    _id: { type: String, required: true },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    serial: { type: String, required: true },
    status: { type: String, enum: ['awaiting-second', 'differences', 'stored', 'refused'], required: true },
    entries: { type: [entrySchema], default: [] },
    /** Paths (`/answers/<name>`, `/code`) where the two entries differ. */
    differences: { type: [String], default: [] },
    responseId: { type: String, default: null },
    resolvedBy: { type: String, default: null },
    /** Why a form could not be counted (e.g. its dwelling's code was used meanwhile). */
    reason: { type: String, default: null },
  },
  { collection: 'paper_forms', timestamps: true, versionKey: false },
);
paperFormSchema.index({ campaignId: 1, status: 1 });

/** A paper form as read with `lean()`. */
export interface PaperFormDoc {
  _id: string;
  campaignId: Types.ObjectId;
  organisationId: Types.ObjectId;
  serial: string;
  status: 'awaiting-second' | 'differences' | 'stored' | 'refused';
  entries: Array<{
    by: string;
    at: Date;
    locale: string;
    answers: Record<string, unknown> | null;
    codeHash: string | null;
  }>;
  differences: string[];
  responseId: string | null;
  resolvedBy: string | null;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** _id of a campaign's paper form. */
export function paperFormId(campaignId: Types.ObjectId, serial: string): string {
  return `${campaignId.toHexString()}|${serial}`;
}

export const PaperForm = model('PaperForm', paperFormSchema);
