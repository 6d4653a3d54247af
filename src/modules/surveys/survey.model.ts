import { Schema, Types, model, type InferSchemaType } from 'mongoose';

// Definitions and mappings are stored as JSON text: published versions come back byte for
// byte as published, and answer values or locale codes never have to be valid field names.
const draftSchema = new Schema(
  {
    definition: { type: String, required: true },
    indicatorMapping: { type: String, required: true },
    languages: { type: [String], required: true },
    basedOnVersion: { type: Number, default: 0 },
    /** Counts the draft's replacements: a replacement names the one it edited (drafts kept before this count have none: 0). */
    revision: { type: Number, default: 0 },
    updatedAt: { type: Date, required: true },
  },
  { _id: false },
);

const surveySchema = new Schema(
  {
    /** null for surveys the platform shares with every organisation. */
    organisationId: { type: Schema.Types.ObjectId, default: null },
    shared: { type: Boolean, default: false },
    slug: { type: String, required: true },
    title: { type: String, required: true },
    template: { type: String, default: null },
    draft: { type: draftSchema, required: true },
    latestVersion: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'surveys' },
);
surveySchema.index({ organisationId: 1, slug: 1 }, { unique: true });
surveySchema.index({ shared: 1 });

export type SurveyDoc = InferSchemaType<typeof surveySchema> & {
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export const Survey = model('Survey', surveySchema);

const versionSchema = new Schema(
  {
    surveyId: { type: Schema.Types.ObjectId, required: true },
    organisationId: { type: Schema.Types.ObjectId, default: null },
    version: { type: Number, required: true },
    title: { type: String, required: true },
    definition: { type: String, required: true },
    indicatorMapping: { type: String, required: true },
    /** Derived from the definition at publication: what answers each question accepts. */
    questions: { type: String, required: true },
    languages: { type: [String], required: true },
    contentHash: { type: String, required: true },
    publishedAt: { type: Date, required: true },
    publishedBy: { type: Schema.Types.ObjectId, default: null },
  },
  { collection: 'survey_versions' },
);
versionSchema.index({ surveyId: 1, version: 1 }, { unique: true });

export type SurveyVersionDoc = InferSchemaType<typeof versionSchema> & { _id: Types.ObjectId };
export const SurveyVersion = model('SurveyVersion', versionSchema);
