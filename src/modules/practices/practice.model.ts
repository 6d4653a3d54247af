import { Schema, Types, model } from 'mongoose';

/** Who may read an entry besides its own organisation. */
export const VISIBILITIES = ['group', 'organisations', 'public'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** The entry criteria practice databases use; each is rated 1–5 with a short justification. */
export const CRITERIA = ['relevance', 'evidenceBase', 'transferability', 'cost'] as const;
export type CriterionName = (typeof CRITERIA)[number];

const criterionSchema = new Schema(
  { text: { type: String, default: '' }, rating: { type: Number, required: true } },
  { _id: false },
);

/** A file attached to an entry; its bytes live in GridFS under the same id. */
const attachmentSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    uploadedAt: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * A good practice: what an organisation did, linked to the indicators it meant to move, rated on
 * the usual entry criteria, with attachments. Texts are localised (`{"pl": ..., "en": ...}`).
 * Country and organisation type are copied from the organisation so filters are one query.
 */
const practiceSchema = new Schema(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true },
    groupId: { type: Schema.Types.ObjectId, default: null },
    period: { type: String, required: true },
    title: { type: Schema.Types.Mixed, required: true },
    summary: { type: Schema.Types.Mixed, required: true },
    body: { type: Schema.Types.Mixed, required: true },
    /** The body of each language rendered from Markdown, raw HTML escaped. */
    bodyHtml: { type: Schema.Types.Mixed, required: true },
    topics: { type: [String], default: [] },
    /** Topics normalised for the topic filter. */
    topicKeys: { type: [String], default: [] },
    /** Survey indicator ids and reported figure keys, as given. */
    indicators: { type: [String], default: [] },
    /** Those keys and their indicator ids (RP02.emergency and RP02), for the indicator filter. */
    indicatorKeys: { type: [String], default: [] },
    country: { type: String, required: true },
    organisationType: { type: String, required: true },
    criteria: {
      relevance: { type: criterionSchema, required: true },
      evidenceBase: { type: criterionSchema, required: true },
      transferability: { type: criterionSchema, required: true },
      cost: { type: criterionSchema, required: true },
    },
    visibility: { type: String, enum: VISIBILITIES, required: true },
    attachments: { type: [attachmentSchema], default: [] },
    /** Unique normalised tokens by field, for ranking. */
    search: {
      title: { type: [String], default: [] },
      summary: { type: [String], default: [] },
      other: { type: [String], default: [] },
    },
    /** Every prefix of every token (search-text.ts): a query matches with `$all`. */
    terms: { type: [String], default: [] },
    createdBy: { type: String, required: true },
    /** Bumped by every change; a PATCH may carry the revision it read (no lost updates). */
    revision: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'practices', minimize: false },
);
practiceSchema.index({ terms: 1 });
practiceSchema.index({ organisationId: 1 });

/** A localised text: language → text. */
export type LocalisedText = Record<string, string>;

export interface Criterion {
  text: string;
  rating: number;
}

export interface AttachmentDoc {
  _id: Types.ObjectId;
  name: string;
  contentType: string;
  size: number;
  uploadedAt: Date;
}

/** A practice as read with `lean()`. */
export interface PracticeDoc {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  groupId: Types.ObjectId | null;
  period: string;
  title: LocalisedText;
  summary: LocalisedText;
  body: LocalisedText;
  bodyHtml: LocalisedText;
  topics: string[];
  topicKeys: string[];
  indicators: string[];
  indicatorKeys: string[];
  country: string;
  organisationType: string;
  criteria: Record<CriterionName, Criterion>;
  visibility: Visibility;
  attachments: AttachmentDoc[];
  search: { title: string[]; summary: string[]; other: string[] };
  terms: string[];
  createdBy: string;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export const Practice = model('Practice', practiceSchema);
