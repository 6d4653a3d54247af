import { Schema, Types, model } from 'mongoose';

/**
 * A response stored but not yet counted into the indicators: written right after the response,
 * removed once a unit revision that counts it exists (see aggregation.service). A lost queue
 * message, a dead worker or a Redis outage leaves it here, where the next drain finds it. The
 * collection only holds what waits, so reading it by a filter stays cheap on every server.
 */
const pendingSchema = new Schema(
  {
    /** The response's _id. */
    _id: { type: Schema.Types.ObjectId, required: true },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    surveyId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    segment: { type: String, default: '' },
    mode: { type: String, default: 'online' },
    /** A copy of the answers: counting never reads the responses collection. */
    answers: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'aggregation_inbox', versionKey: false },
);

export interface PendingDoc {
  _id: Types.ObjectId;
  campaignId: Types.ObjectId;
  organisationId: Types.ObjectId;
  period: string;
  surveyId: Types.ObjectId;
  version: number;
  segment: string;
  /** Absent on entries written before modes were recorded: online. */
  mode?: string;
  answers: Record<string, unknown>;
  at: Date;
}
export const PendingAnswer = model('PendingAnswer', pendingSchema);
