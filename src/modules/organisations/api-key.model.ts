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
    /** Written by earlier releases; use is now kept in `api_key_uses` (see {@link ApiKeyUse}). */
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'api_keys' },
);

export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema> & { _id: Types.ObjectId; createdAt: Date };
export const ApiKey = model('ApiKey', apiKeySchema);

/**
 * When a key was last used, apart from the key itself. FerretDB 1.24 applies an update by reading
 * the document and writing all of it back, whatever the filter said: a last-used write that read
 * the key before it was revoked wrote the revocation away, and the key worked again. The key
 * document is now written only when it is created and when it is revoked.
 */
const apiKeyUseSchema = new Schema(
  {
    /** The key's id. */
    _id: { type: Schema.Types.ObjectId, required: true },
    lastUsedAt: { type: Date, required: true },
  },
  { collection: 'api_key_uses', versionKey: false },
);

export const ApiKeyUse = model('ApiKeyUse', apiKeyUseSchema);
