import { Types } from 'mongoose';
import type { AuthContext } from '../../http/context';
import { AuditEntry } from './audit-entry.model';

/** What an audit line records besides who and when. */
export interface AuditEvent {
  action: string;
  resource: { type: string; id: string };
  /** The organisation whose log holds the line (default: the caller's). */
  organisationId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Appends a line to the audit log, attributed to the calling key or person. */
export async function recordAudit(caller: AuthContext, event: AuditEvent): Promise<void> {
  const org = event.organisationId === undefined ? caller.organisationId : event.organisationId;
  await AuditEntry.collection.insertOne({
    _id: new Types.ObjectId(),
    at: new Date(),
    organisationId: org ? new Types.ObjectId(org) : null,
    actor: { kind: caller.actor ?? 'key', id: caller.keyId, role: caller.role },
    action: event.action,
    resource: event.resource,
    before: event.before === undefined ? null : JSON.stringify(event.before),
    after: event.after === undefined ? null : JSON.stringify(event.after),
  } as never);
}
