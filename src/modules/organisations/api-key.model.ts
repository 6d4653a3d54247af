import { Schema, Types, model, type InferSchemaType } from 'mongoose';

const apiKeySchema = new Schema(
  {
    /** null for platform keys, which belong to no organisation. */
    organisationId: { type: Schema.Types.ObjectId, ref: 'Organisation', default: null, index: true },
    role: {
      type: String,
      enum: ['platform', 'admin', 'analyst', 'coordinator', 'interviewer'],
      required: true,
    },
    label: { type: String, default: '' },
    /** SHA-256 of the secret; the secret itself is shown once and never stored. */
    secretHash: { type: Buffer, required: true },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'api_keys' },
);

export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema> & { _id: Types.ObjectId; createdAt: Date };
export const ApiKey = model('ApiKey', apiKeySchema);
