import { Schema, Types, model, type InferSchemaType } from 'mongoose';
import { keyedObjectId } from '../../db/keyed-id';

const campaignSchema = new Schema(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    surveyId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    /** Public, unguessable part of the tenant link /s/{slug}. */
    slug: { type: String, required: true, unique: true },
    title: { type: String, required: true },
    period: { type: String, required: true },
    segment: { type: String, default: '' },
    /** Dwellings in the segment, when known: base of the response rate and the population correction. */
    housingStock: { type: Number, default: null },
    opensAt: { type: Date, required: true },
    closesAt: { type: Date, default: null },
    access: { type: String, enum: ['open', 'invite'], required: true },
    responseLimit: { type: Number, default: null },
    languages: { type: [String], required: true },
    /** Paper forms are entered twice and compared before they count. */
    doubleEntry: { type: Boolean, default: false },
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, collection: 'campaigns' },
);

export type CampaignDoc = InferSchemaType<typeof campaignSchema> & {
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export const Campaign = model('Campaign', campaignSchema);

const invitationSchema = new Schema(
  {
    campaignId: { type: Schema.Types.ObjectId, required: true, index: true },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    batchId: { type: Schema.Types.ObjectId, required: true },
    /** SHA-256 (hex) of the token; the token itself is never stored past its hold. */
    tokenHash: { type: String, required: true, unique: true },
    /** A dwelling label such as a flat number; never a name. */
    label: { type: String, default: null },
    /**
     * Only whether it was used: no time and no submission id, which could tie a dwelling
     * label to an answer.
     */
    used: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'invitations' },
);

export type InvitationDoc = InferSchemaType<typeof invitationSchema> & {
  _id: Types.ObjectId;
  createdAt: Date;
};
export const Invitation = model('Invitation', invitationSchema);

/**
 * Secrets of a batch held for printing letters, until `heldUntil` or an explicit purge;
 * afterwards only the hashes in `invitations` remain.
 */
const invitationBatchSchema = new Schema(
  {
    campaignId: { type: Schema.Types.ObjectId, required: true, index: true },
    heldUntil: { type: Date, required: true },
    /** JSON list of {token, label}; emptied when the hold ends. */
    secrets: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'invitation_batches' },
);

export type InvitationBatchDoc = InferSchemaType<typeof invitationBatchSchema> & {
  _id: Types.ObjectId;
  createdAt: Date;
};
export const InvitationBatch = model('InvitationBatch', invitationBatchSchema);

/**
 * Arbiters of one-off claims. A unique index decides who wins, which holds on MongoDB and
 * on FerretDB alike (a conditional update does not serialise concurrent writers there).
 * `kind: 'token'` claims an invitation (key: its id); `kind: 'slot'` claims one place
 * under a campaign's response limit (key: the slot number); `kind: 'form'` the second entry of a
 * paper form (key: its serial). `holder` is the response a code or place is claimed for, while it
 * is stored: a retry of the same submission (the first attempt still running, or cut off before it
 * stored anything) holds the claim already, and shares it (clearing `attempt`). Once the response
 * is stored both are cleared, so no claim ties a dwelling to its answer.
 */
const claimSchema = new Schema(
  {
    campaignId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['token', 'slot', 'form'], required: true },
    key: { type: String, required: true },
    holder: { type: Schema.Types.ObjectId, default: null },
    /** The attempt (request) that took it: only that one gives it back; null once shared or settled. */
    attempt: { type: Schema.Types.ObjectId, default: null },
    /** When a form's claim was taken, to take over one left by a request that died. */
    at: { type: Date, default: null },
    /**
     * When the daily tidy first found a code's claim or a place naming a response that is not
     * stored (an attempt cut off before storing it): the time of that pass, not of the claim's.
     */
    unstoredSince: { type: Date, default: null },
  },
  { collection: 'campaign_claims' },
);
claimSchema.index({ campaignId: 1, kind: 1, key: 1 }, { unique: true });

export const CampaignClaim = model('CampaignClaim', claimSchema);

/**
 * The _id of a claim, derived from what it claims: a generated ObjectId would carry the time it
 * was taken, and a personal code's claim names the invitation, whose label is the dwelling.
 */
export function claimId(campaignId: Types.ObjectId, kind: string, key: string): Types.ObjectId {
  return keyedObjectId(`${campaignId.toHexString()}|${kind}|${key}`);
}
