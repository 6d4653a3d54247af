import { Schema, Types, model, type InferSchemaType } from 'mongoose';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One POST of a delivery. */
export interface DeliveryAttempt {
  at: Date;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
}

const attemptSchema = new Schema(
  {
    at: { type: Date, required: true },
    /** The receiver's HTTP status; null when no response came (refused, timed out). */
    httpStatus: { type: Number, default: null },
    /** Why the attempt failed; null when it succeeded. */
    error: { type: String, default: null },
    durationMs: { type: Number, required: true },
  },
  { _id: false },
);

/**
 * One event for one endpoint: the outbox entry and its log. The body is fixed when the event is
 * raised, so every retry sends the same bytes (signed anew with the attempt's timestamp).
 */
const webhookDeliverySchema = new Schema(
  {
    endpointId: { type: Schema.Types.ObjectId, required: true },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    /** The event's id, shared by the deliveries of one event to several endpoints. */
    eventId: { type: Schema.Types.ObjectId, required: true },
    eventType: { type: String, required: true },
    body: { type: String, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, default: 'pending' },
    attempts: { type: [attemptSchema], default: [] },
    /** When a delivery job was last queued for it; null while none is (Redis was down). */
    queuedAt: { type: Date, default: null },
    completedAt: { type: Date, default: null },
    /** Why a delivery was skipped or failed, in a few words. */
    note: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'webhook_deliveries' },
);
// The log of an endpoint (newest first), the failure count over finished deliveries, the sweep.
webhookDeliverySchema.index({ endpointId: 1, _id: -1 });
webhookDeliverySchema.index({ endpointId: 1, completedAt: -1 });
webhookDeliverySchema.index({ status: 1, queuedAt: 1 });

export type WebhookDeliveryDoc = Omit<InferSchemaType<typeof webhookDeliverySchema>, 'attempts'> & {
  _id: Types.ObjectId;
  attempts: DeliveryAttempt[];
  createdAt: Date;
};
export const WebhookDelivery = model('WebhookDelivery', webhookDeliverySchema);
