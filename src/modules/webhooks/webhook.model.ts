import { Schema, Types, model, type InferSchemaType } from 'mongoose';

/**
 * An organisation's webhook endpoint. Endpoints are few (a handful per organisation), so they are
 * read whole. The signing secret is not stored: it is derived from WEBHOOK_KEY, the endpoint's id
 * and `secretSalt` whenever a request is signed.
 */
const webhookSchema = new Schema(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    url: { type: String, required: true },
    description: { type: String, default: '' },
    /** Event types this endpoint receives. */
    events: { type: [String], required: true },
    /** Random, hex; with WEBHOOK_KEY and the id it gives the secret, and is useless without the key. */
    secretSalt: { type: String, required: true },
    /** Failed deliveries in a row since `countFailuresFrom`, recomputed after each delivery. */
    consecutiveFailures: { type: Number, default: 0 },
    /** Deliveries finished before this do not count towards disabling (set at creation and re-enabling). */
    countFailuresFrom: { type: Date, required: true },
    lastDeliveredAt: { type: Date, default: null },
    /** Set when too many deliveries in a row failed; nothing is sent until it is enabled again. */
    disabledAt: { type: Date, default: null },
    disabledReason: { type: String, default: null },
    /** Deleted endpoints are kept so that their pending deliveries are marked skipped, not lost. */
    deletedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'webhook_endpoints' },
);

export type WebhookDoc = InferSchemaType<typeof webhookSchema> & {
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export const Webhook = model('Webhook', webhookSchema);
