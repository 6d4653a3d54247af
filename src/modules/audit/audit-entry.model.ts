import { Schema, Types, model } from 'mongoose';

/**
 * One line of the audit log: who (a key, and the role it had), when, what (an action on a
 * resource) and, for changes, the state before and after. Lines are only ever inserted; nothing
 * in the service updates or deletes them.
 */
const auditEntrySchema = new Schema(
  {
    at: { type: Date, required: true },
    /** The organisation whose log holds the line; null for the platform's own actions. */
    organisationId: { type: Schema.Types.ObjectId, default: null },
    actor: {
      kind: { type: String, enum: ['key', 'person'], required: true },
      id: { type: String, required: true },
      role: { type: String, required: true },
    },
    /** `<resource>.<verb>`, e.g. `entry.stored`, `paper-form.resolved`. */
    action: { type: String, required: true },
    resource: {
      type: { type: String, required: true },
      id: { type: String, required: true },
    },
    /** JSON of the state before and after a change, when the action changed something. */
    before: { type: String, default: null },
    after: { type: String, default: null },
  },
  { collection: 'audit_log', versionKey: false },
);
auditEntrySchema.index({ organisationId: 1, _id: 1 });

/** An audit line as read with `lean()`. */
export interface AuditEntryDoc {
  _id: Types.ObjectId;
  at: Date;
  organisationId: Types.ObjectId | null;
  actor: { kind: 'key' | 'person'; id: string; role: string };
  action: string;
  resource: { type: string; id: string };
  before: string | null;
  after: string | null;
}

export const AuditEntry = model('AuditEntry', auditEntrySchema);
