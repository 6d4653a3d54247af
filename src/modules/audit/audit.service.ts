import type { AuthContext } from '../../http/context';
import { afterCursor, toPage } from '../../http/pagination';
import type { CsvTable } from '../../http/route';
import { getOrganisation } from '../organisations/organisations.service';
import { AuditEntry, type AuditEntryDoc } from './audit-entry.model';

/** An audit line as the API shows it. */
export function auditView(d: AuditEntryDoc) {
  return {
    id: d._id.toHexString(),
    at: d.at.toISOString(),
    actor: d.actor,
    action: d.action,
    resource: d.resource,
    before: d.before === null ? null : (JSON.parse(d.before) as unknown),
    after: d.after === null ? null : (JSON.parse(d.after) as unknown),
  };
}

/** Filters of the audit log. */
export interface AuditQuery {
  limit: number;
  cursor?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
}

/**
 * An organisation's audit log, oldest first, a page at a time: its admins read their own, the
 * platform any organisation's; anyone else gets 404 like for any other organisation's data.
 */
export async function listAudit(caller: AuthContext, orgRef: string, q: AuditQuery) {
  const org = await getOrganisation(caller, orgRef);
  const filter: Record<string, unknown> = { organisationId: org._id, ...afterCursor(q.cursor) };
  if (q.action) filter.action = q.action;
  if (q.resourceType) filter['resource.type'] = q.resourceType;
  if (q.resourceId) filter['resource.id'] = q.resourceId;
  const docs = await AuditEntry.find(filter)
    .sort({ _id: 1 })
    .limit(q.limit + 1)
    .lean<AuditEntryDoc[]>();
  return toPage(docs, q.limit, auditView);
}

/** Columns of the audit log as CSV. */
export function auditCsv(body: { items: Array<ReturnType<typeof auditView>> }): CsvTable {
  return {
    columns: [
      'id',
      'at',
      'actorKind',
      'actorId',
      'actorRole',
      'action',
      'resourceType',
      'resourceId',
      'before',
      'after',
    ],
    rows: body.items.map((e) => [
      e.id,
      e.at,
      e.actor.kind,
      e.actor.id,
      e.actor.role,
      e.action,
      e.resource.type,
      e.resource.id,
      e.before === null ? '' : JSON.stringify(e.before),
      e.after === null ? '' : JSON.stringify(e.after),
    ]),
  };
}
