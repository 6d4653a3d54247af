import { keyedObjectId } from '../../db/keyed-id';
import { Schema, Types, model, type InferSchemaType } from 'mongoose';
import { MODES } from './modes';

/**
 * One tenant's answers. Deliberately absent: IP address, user agent, token secret, and
 * anything else that could identify the respondent.
 */
const responseSchema = new Schema(
  {
    campaignId: { type: Schema.Types.ObjectId, required: true },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    surveyId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    period: { type: String, required: true },
    segment: { type: String, default: '' },
    /** Client-generated id: a retried submission is recognised, never stored twice. */
    submissionId: { type: String, required: true },
    locale: { type: String, required: true },
    /** How the tenant was reached: a link, a QR code, a letter's code, or staff entry without a code. */
    channel: { type: String, enum: ['link', 'qr', 'letter', 'entry'], required: true },
    /** How the answers were collected (see modes.ts); responses stored before modes were online. */
    mode: { type: String, enum: MODES, default: 'online' },
    /** The paper form's serial number (paper only): a form counts once. */
    serial: { type: String, default: null },
    /** Question name → answer, only for questions visible under the answers given. */
    answers: { type: Schema.Types.Mixed, required: true },
    completedAt: { type: Date, required: true },
    durationSeconds: { type: Number, default: null },
  },
  { collection: 'responses', minimize: false },
);
responseSchema.index({ campaignId: 1, submissionId: 1 }, { unique: true });
responseSchema.index({ organisationId: 1, surveyId: 1, period: 1, segment: 1, _id: 1 });

/**
 * The _id of a campaign's response with a given submissionId, derived from both: the insert
 * itself recognises a retried submission (a duplicate key, found through the unique index on
 * every MongoDB-compatible server), so no read of the growing collection is needed.
 */
export function responseIdFor(campaignId: Types.ObjectId, submissionId: string): Types.ObjectId {
  return keyedObjectId(`${campaignId.toHexString()}:${submissionId}`);
}

export type ResponseDoc = InferSchemaType<typeof responseSchema> & { _id: Types.ObjectId };
export const SurveyResponse = model('SurveyResponse', responseSchema);
