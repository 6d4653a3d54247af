import { Types } from 'mongoose';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type ErrorDetail,
} from '../../errors';
import { bulkUpdate } from '../../db/bulk-update';
import type { AuthContext } from '../../http/context';
import { afterKey, pageOf, toKeyPage, type PageRequest } from '../../http/pagination';
import { recordAudit } from '../audit/record';
import { figureKey, figureValue, type ReportedIndicator } from '../catalogue/reported-indicators';
import { loadReportedCatalogue } from '../catalogue/reported-indicators.service';
import type { GroupDoc } from '../groups/group.model';
import { groupFor, memberIds, stampFirstReturn, type GroupAccess } from '../groups/groups.service';
import { Organisation, type OrganisationDoc } from '../organisations/organisation.model';
import { findOrganisation } from '../organisations/organisations.service';
import { NO_EVENTS, type EventSink } from '../webhooks/events';
import {
  DataReturn,
  ReportedValue,
  returnId,
  type AuditEntry,
  type DataReturnDoc,
  type ReturnState,
  type StoredFigure,
} from './data-return.model';
import { forgetReportedValues } from './reported-values';
import {
  checkFigure,
  identify,
  missingFigures,
  type CheckContext,
  type FigureInput,
  type Finding,
} from './return-checks';
import { oneWriteAtATime } from '../../db/one-write';

/** A return and what the caller may do with it. */
interface ReturnScope {
  access: GroupAccess;
  group: GroupDoc;
  organisation: OrganisationDoc;
  period: string;
  id: string;
  doc: DataReturnDoc | null;
  /** The caller's organisation owns the return. */
  own: boolean;
}

type Need = 'read' | 'edit' | 'coordinate';

/**
 * Resolves a return for what the caller needs. A return is visible to its organisation and the
 * group's coordinators; anyone else gets 404, as for a missing one, so a member learns nothing
 * of another member's return.
 */
async function scope(caller: AuthContext, groupRef: string, orgRef: string, period: string, need: Need) {
  const access = await groupFor(caller, groupRef);
  const organisation = await findOrganisation(orgRef);
  if (!organisation || !memberIds(access.group).includes(organisation._id.toHexString()))
    throw new NotFoundError('return');
  const own = caller.organisationId === organisation._id.toHexString();
  if (!own && !access.coordinates) throw new NotFoundError('return');
  if (!access.group.calendar.some((c) => c.period === period))
    throw new NotFoundError(`period ${period} in the group’s calendar`);
  if (need === 'edit' && !(own && caller.role === 'admin'))
    throw new ForbiddenError('an admin key of the member organisation enters its figures');
  if (need === 'coordinate' && !access.coordinates)
    throw new ForbiddenError('only the group’s coordinators may do this');
  const id = returnId(access.group._id, organisation._id, period);
  const doc = await DataReturn.findById(id).lean<DataReturnDoc>();
  return { access, group: access.group, organisation, period, id, doc, own } satisfies ReturnScope;
}

async function groupDefinitions(group: GroupDoc): Promise<{
  catalogue: Map<string, ReportedIndicator>;
  defs: ReportedIndicator[];
  ids: Set<string>;
}> {
  const catalogue = await loadReportedCatalogue();
  const defs = group.indicators.map((id) => catalogue.get(id)).filter((d): d is ReportedIndicator => !!d);
  return { catalogue, defs, ids: new Set(defs.map((d) => d.id)) };
}

const figureOf = (f: StoredFigure | FigureInput) => figureKey(f.indicator, f.part ?? '', f.tenure ?? '');

/** Values of a return's given figures, by figure key. */
function valuesOf(figures: readonly StoredFigure[], catalogue: ReadonlyMap<string, ReportedIndicator>) {
  const out = new Map<string, number>();
  for (const f of figures) {
    const def = catalogue.get(f.indicator);
    if (!def || f.notAvailable) continue;
    const v = figureValue(def, f);
    if (v !== null && Number.isFinite(v)) out.set(figureOf(f), v);
  }
  return out;
}

/**
 * What figures are checked against: the organisation's signed-off previous period in this group
 * and the other current members' signed-off returns of this period. Only signed-off figures: the
 * outlier fences a finding names give away the quartiles of the values they come from, which
 * members may know only once the coordinator has signed them off (the group's benchmarks show
 * them then).
 */
async function checkContext(
  s: ReturnScope,
  catalogue: ReadonlyMap<string, ReportedIndicator>,
): Promise<CheckContext> {
  const periods = s.group.calendar.map((c) => c.period).sort();
  const previousPeriod = periods[periods.indexOf(s.period) - 1] ?? null;
  const [previousDoc, peerDocs] = await Promise.all([
    // Only state and figures are compared; the audit trails stay in the database.
    previousPeriod
      ? DataReturn.findById(returnId(s.group._id, s.organisation._id, previousPeriod), {
          audit: 0,
        }).lean<DataReturnDoc>()
      : null,
    DataReturn.find({ groupId: s.group._id, period: s.period }, { audit: 0 }).lean<DataReturnDoc[]>(),
  ]);
  const previous =
    previousDoc?.state === 'signed_off'
      ? valuesOf(previousDoc.figures, catalogue)
      : new Map<string, number>();
  const members = new Set(memberIds(s.group));
  const peers = new Map<string, number[]>();
  for (const d of peerDocs) {
    if (d._id === s.id || d.state !== 'signed_off' || !members.has(d.organisationId.toHexString())) continue;
    for (const [key, v] of valuesOf(d.figures, catalogue)) {
      const list = peers.get(key);
      if (list) list.push(v);
      else peers.set(key, [v]);
    }
  }
  return { housingStock: s.organisation.housingStock ?? null, previous, previousPeriod, peers };
}

/** Every finding about a set of figures, with the index of the figure it concerns. */
function findingsOf(
  figures: readonly FigureInput[],
  g: { catalogue: ReadonlyMap<string, ReportedIndicator>; ids: ReadonlySet<string> },
  ctx: CheckContext,
): Array<Finding & { index: number }> {
  const out: Array<Finding & { index: number }> = [];
  const seen = new Set<string>();
  figures.forEach((f, index) => {
    const id = identify(f, g.ids, g.catalogue);
    if (Array.isArray(id)) {
      out.push(...id.map((x) => ({ ...x, index })));
      return;
    }
    if (seen.has(id.key)) {
      out.push({
        figure: id.key,
        field: 'indicator',
        severity: 'error',
        code: 'DUPLICATE_FIGURE',
        message: `${id.key} is given twice`,
        index,
      });
      return;
    }
    seen.add(id.key);
    out.push(...checkFigure(id.def, id.key, f, ctx).map((x) => ({ ...x, index })));
  });
  return out;
}

const normalised = (f: FigureInput): StoredFigure => ({
  indicator: f.indicator,
  part: f.part ?? '',
  tenure: f.tenure ?? '',
  numerator: f.notAvailable ? null : (f.numerator ?? null),
  denominator: f.notAvailable ? null : (f.denominator ?? null),
  value: f.notAvailable ? null : (f.value ?? null),
  comment: f.comment ?? '',
  notAvailable: f.notAvailable ?? null,
});

const sameFigure = (a: StoredFigure, b: StoredFigure) =>
  a.numerator === b.numerator &&
  a.denominator === b.denominator &&
  a.value === b.value &&
  (a.comment ?? '') === (b.comment ?? '') &&
  (a.notAvailable ?? null) === (b.notAvailable ?? null);

const plainFigure = (f: StoredFigure) => ({
  numerator: f.numerator ?? null,
  denominator: f.denominator ?? null,
  value: f.value ?? null,
  comment: f.comment ?? '',
  notAvailable: f.notAvailable ?? null,
});

function actor(caller: AuthContext) {
  return { keyId: caller.keyId, organisationId: caller.organisationId, role: caller.role };
}

/**
 * Writes a change of a return if nobody changed it since it was read: the new fields, the
 * revision and the audit entries go in one update, so the trail always matches the figures.
 */
async function commit(
  s: ReturnScope,
  set: Record<string, unknown>,
  audit: Array<Omit<AuditEntry, 'revision'>>,
): Promise<ReturnScope> {
  const revision = (s.doc?.revision ?? 0) + 1;
  const entries = audit.map((a) => ({ ...a, revision }));
  const now = new Date();
  // What the database holds after the write: the write only happens on the revision read.
  const written: DataReturnDoc = {
    ...(s.doc ?? {
      _id: s.id,
      groupId: s.group._id,
      organisationId: s.organisation._id,
      period: s.period,
      state: 'draft',
      figures: [],
      queries: [],
      audit: [],
      submittedAt: null,
      signedOffAt: null,
      revision: 0,
      createdAt: now,
    }),
    ...(set as Partial<DataReturnDoc>),
    revision,
    audit: [...(s.doc?.audit ?? []), ...entries],
    updatedAt: now,
  };
  if (!s.doc) {
    try {
      await DataReturn.create({
        _id: s.id,
        groupId: s.group._id,
        organisationId: s.organisation._id,
        period: s.period,
        state: 'draft',
        revision,
        ...set,
        audit: entries,
      });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw stale();
      throw err;
    }
    // The period may have left the calendar meanwhile: then the return is taken back.
    const takeBack = () => DataReturn.deleteOne({ _id: s.id, revision });
    const kept = await stampFirstReturn(s.group._id, s.period).catch(async (err: unknown) => {
      await takeBack().catch(() => undefined);
      throw err;
    });
    if (!kept) {
      await takeBack();
      throw new NotFoundError(`period ${s.period} in the group’s calendar`);
    }
    return { ...s, doc: written };
  }
  const res = await oneWriteAtATime(DataReturn, s.id, () =>
    DataReturn.updateOne(
      { _id: s.id, revision: s.doc!.revision },
      { $set: { ...set, revision }, $push: { audit: { $each: entries } } },
    ),
  );
  if (res.matchedCount !== 1) throw stale();
  return { ...s, doc: written };
}

/**
 * Writes the line of the member organisation's audit log for a change of a return: the state
 * and revision before and after, with what the change concerned (figures, a query). The return
 * keeps its own finer trail beside it; this line is what the organisation's log shows.
 */
async function auditChange(
  caller: AuthContext,
  from: ReturnScope,
  to: ReturnScope,
  action: string,
  detail: { before?: Record<string, unknown>; after?: Record<string, unknown> } = {},
): Promise<void> {
  const state = (s: ReturnScope) => ({
    group: s.group.slug,
    organisation: s.organisation.slug,
    period: s.period,
    state: s.doc!.state,
    revision: s.doc!.revision,
  });
  await recordAudit(caller, {
    action: `return.${action}`,
    resource: { type: 'return', id: from.id },
    organisationId: from.organisation._id.toHexString(),
    before: from.doc ? { ...state(from), ...detail.before } : null,
    after: { ...state(to), ...detail.after },
  });
}

const stale = () =>
  new ConflictError('the return changed since it was read; read it again', 'STALE_REVISION');

function requireState(doc: DataReturnDoc | null, allowed: ReturnState[], action: string): ReturnState {
  const state = (doc?.state ?? 'draft') as ReturnState;
  if (!allowed.includes(state)) {
    const hint =
      state === 'signed_off'
        ? 'it is signed off and locked; a coordinator may reopen it with a reason'
        : state === 'submitted'
          ? 'it is submitted; a coordinator may query a figure or reopen it'
          : `it is ${state}`;
    throw new ConflictError(`cannot ${action}: ${hint}`, 'RETURN_STATE');
  }
  return state;
}

function requireOpen(s: ReturnScope, now = new Date()): void {
  const entry = s.group.calendar.find((c) => c.period === s.period)!;
  if (now < entry.opens)
    throw new ConflictError(
      `collection for ${s.period} opens on ${entry.opens.toISOString()}`,
      'COLLECTION_NOT_OPEN',
    );
}

/** Refuses a change when it carries a revision other than the stored one. */
function checkRevision(s: ReturnScope, expected: number | undefined): void {
  if (expected !== undefined && expected !== (s.doc?.revision ?? 0)) throw stale();
}

/** Detail paths for findings of a request's figures. */
const detailOf =
  (prefix: string) =>
  (f: Finding & { index: number }): ErrorDetail => ({
    path: `${prefix}/${f.index}/${f.field}`,
    message: f.message,
  });

/**
 * Stores figures in a draft or queried return. `replace` replaces the whole return (a CSV
 * upload); otherwise the given figures replace those with the same key. Errors store nothing.
 */
export async function saveFigures(
  caller: AuthContext,
  ref: { group: string; org: string; period: string },
  figures: FigureInput[],
  opts: {
    replace?: boolean;
    revision?: number;
    detailPath?: (f: Finding & { index: number }) => string;
  } = {},
) {
  const s = await scope(caller, ref.group, ref.org, ref.period, 'edit');
  requireState(s.doc, ['draft', 'queried'], 'change figures');
  requireOpen(s);
  checkRevision(s, opts.revision);
  const g = await groupDefinitions(s.group);
  const ctx = await checkContext(s, g.catalogue);
  const errors = findingsOf(figures, g, ctx).filter((f) => f.severity === 'error');
  if (errors.length) {
    const path = opts.detailPath ?? ((f) => detailOf('/figures')(f).path);
    throw new ValidationError(
      'the figures have errors; nothing was stored',
      errors.map((f) => ({ path: path(f), message: f.message })),
      'RETURN_CHECKS_FAILED',
    );
  }
  const before = new Map((s.doc?.figures ?? []).map((f) => [figureOf(f), f]));
  const incoming = new Map(figures.map((f) => [figureOf(f), normalised(f)]));
  const merged = opts.replace
    ? [...incoming.values()]
    : [...[...before.entries()].filter(([k]) => !incoming.has(k)).map(([, f]) => f), ...incoming.values()];
  const audit: Array<Omit<AuditEntry, 'revision'>> = [];
  const at = new Date();
  for (const [key, after] of incoming) {
    const old = before.get(key);
    if (old && sameFigure(old, after)) continue;
    audit.push({
      at,
      ...actor(caller),
      action: opts.replace ? 'upload' : 'figure',
      figure: key,
      before: old ? plainFigure(old) : null,
      after: plainFigure(after),
      reason: null,
    });
  }
  if (opts.replace)
    for (const [key, old] of before)
      if (!incoming.has(key))
        audit.push({
          at,
          ...actor(caller),
          action: 'upload',
          figure: key,
          before: plainFigure(old),
          after: null,
          reason: null,
        });
  if (!audit.length && s.doc) return viewOf(s, ctx);
  merged.sort((a, b) => figureOf(a).localeCompare(figureOf(b)));
  const written = await commit(s, { figures: merged }, audit);
  const changed = (side: 'before' | 'after') => Object.fromEntries(audit.map((a) => [a.figure, a[side]]));
  await auditChange(caller, s, written, s.doc ? 'figures-changed' : 'created', {
    before: { figures: changed('before') },
    after: { figures: changed('after'), ...(opts.replace ? { upload: 'csv' } : {}) },
  });
  // Its own figures do not change what this return is checked against: the context stands.
  return viewOf(written, ctx);
}

/** The member submits its return: complete, no errors, every warning explained, queries answered. */
export async function submitReturn(
  caller: AuthContext,
  ref: { group: string; org: string; period: string },
  revision?: number,
) {
  const s = await scope(caller, ref.group, ref.org, ref.period, 'edit');
  requireState(s.doc, ['draft', 'queried'], 'submit');
  requireOpen(s);
  checkRevision(s, revision);
  const g = await groupDefinitions(s.group);
  const ctx = await checkContext(s, g.catalogue);
  const figures = s.doc?.figures ?? [];
  const problems: ErrorDetail[] = [];
  for (const f of missingFigures(g.defs, figures))
    problems.push({ path: `/figures/${f.figure}`, message: f.message });
  for (const f of findingsOf(figures, g, ctx)) {
    if (f.severity === 'error' || !f.explained)
      problems.push({ path: `/figures/${f.figure}/${f.field}`, message: f.message });
  }
  for (const q of s.doc?.queries ?? [])
    if (q.status === 'open')
      problems.push({
        path: `/queries/${q._id.toHexString()}`,
        message: `answer the query about ${q.figure}`,
      });
  if (problems.length)
    throw new ValidationError('the return cannot be submitted yet', problems, 'RETURN_INCOMPLETE');
  const after = await commit(s, { state: 'submitted', submittedAt: new Date() }, [
    {
      at: new Date(),
      ...actor(caller),
      action: 'submit',
      figure: null,
      before: s.doc!.state,
      after: 'submitted',
      reason: null,
    },
  ]);
  await auditChange(caller, s, after, 'submitted');
  return viewOf(after, ctx);
}

/** A coordinator asks about one figure of a submitted return; the return is then queried. */
export async function queryFigure(
  caller: AuthContext,
  ref: { group: string; org: string; period: string },
  body: { figure: string; message: string },
  events: EventSink = NO_EVENTS,
) {
  const s = await scope(caller, ref.group, ref.org, ref.period, 'coordinate');
  const state = requireState(s.doc, ['submitted', 'queried'], 'query a figure');
  if (!s.doc!.figures.some((f) => figureOf(f) === body.figure))
    throw new ValidationError('no such figure in the return', [
      { path: '/figure', message: `${body.figure} is not in this return` },
    ]);
  const at = new Date();
  const query = {
    _id: new Types.ObjectId(),
    figure: body.figure,
    status: 'open',
    messages: [{ at, side: 'coordinator', keyId: caller.keyId, text: body.message }],
  };
  const after = await commit(s, { state: 'queried', queries: [...s.doc!.queries, query] }, [
    {
      at,
      ...actor(caller),
      action: 'query',
      figure: body.figure,
      before: state,
      after: 'queried',
      reason: body.message,
    },
  ]);
  await auditChange(caller, s, after, 'queried', {
    after: {
      query: { id: query._id.toHexString(), figure: body.figure, status: 'open', message: body.message },
    },
  });
  await events.emit(returnEvent('return.queried', s, { figure: body.figure }));
  return viewOf(after);
}

/** Adds to a query's thread: the member's answer (answered) or the coordinator's follow-up (open). */
export async function addQueryMessage(
  caller: AuthContext,
  ref: { group: string; org: string; period: string },
  queryId: string,
  text: string,
) {
  const s = await scope(caller, ref.group, ref.org, ref.period, 'read');
  const side = s.access.coordinates ? 'coordinator' : 'member';
  if (side === 'member' && caller.role !== 'admin')
    throw new ForbiddenError('an admin key of the member organisation answers queries');
  requireState(s.doc, ['submitted', 'queried'], 'discuss a figure');
  const query = s.doc!.queries.find((q) => q._id.toHexString() === queryId);
  if (!query) throw new NotFoundError('query');
  if (query.status === 'closed') throw new ConflictError('the query is closed', 'QUERY_CLOSED');
  const at = new Date();
  const status = side === 'member' ? 'answered' : 'open';
  const queries = s.doc!.queries.map((q) =>
    q === query ? { ...q, status, messages: [...q.messages, { at, side, keyId: caller.keyId, text }] } : q,
  );
  const after = await commit(s, { queries }, [
    {
      at,
      ...actor(caller),
      action: 'message',
      figure: query.figure,
      before: query.status,
      after: status,
      reason: text,
    },
  ]);
  const id = query._id.toHexString();
  await auditChange(caller, s, after, side === 'member' ? 'query-answered' : 'query-followed-up', {
    before: { query: { id, figure: query.figure, status: query.status } },
    after: { query: { id, figure: query.figure, status, message: text } },
  });
  return viewOf(after);
}

/** A coordinator closes a query it is satisfied with. */
export async function closeQuery(
  caller: AuthContext,
  ref: { group: string; org: string; period: string },
  queryId: string,
) {
  const s = await scope(caller, ref.group, ref.org, ref.period, 'coordinate');
  requireState(s.doc, ['submitted', 'queried'], 'close a query');
  const query = s.doc!.queries.find((q) => q._id.toHexString() === queryId);
  if (!query) throw new NotFoundError('query');
  if (query.status === 'closed') throw new ConflictError('the query is closed', 'QUERY_CLOSED');
  const queries = s.doc!.queries.map((q) => (q === query ? { ...q, status: 'closed' } : q));
  const after = await commit(s, { queries }, [
    {
      at: new Date(),
      ...actor(caller),
      action: 'close_query',
      figure: query.figure,
      before: query.status,
      after: 'closed',
      reason: null,
    },
  ]);
  const id = query._id.toHexString();
  await auditChange(caller, s, after, 'query-closed', {
    before: { query: { id, figure: query.figure, status: query.status } },
    after: { query: { id, figure: query.figure, status: 'closed' } },
  });
  return viewOf(after);
}

/** A coordinator signs off a submitted return with no unsettled query; its figures are published. */
export async function signOff(
  caller: AuthContext,
  ref: { group: string; org: string; period: string },
  events: EventSink = NO_EVENTS,
) {
  const s = await scope(caller, ref.group, ref.org, ref.period, 'coordinate');
  requireState(s.doc, ['submitted'], 'sign off');
  const unsettled = s.doc!.queries.filter((q) => q.status !== 'closed');
  if (unsettled.length)
    throw new AppError(
      409,
      'OPEN_QUERIES',
      'close every query before signing off',
      unsettled.map((q) => ({
        path: `/queries/${q._id.toHexString()}`,
        message: `${q.figure}: ${q.status}`,
      })),
    );
  const at = new Date();
  const after = await commit(s, { state: 'signed_off', signedOffAt: at }, [
    {
      at,
      ...actor(caller),
      action: 'sign_off',
      figure: null,
      before: 'submitted',
      after: 'signed_off',
      reason: null,
    },
  ]);
  await auditChange(caller, s, after, 'signed-off');
  await publishReturn(s.id);
  await events.emit(returnEvent('return.signed_off', s, {}));
  return viewOf(after);
}

/** An event about a return, for its organisation and the group's coordinators. */
function returnEvent(
  type: 'return.queried' | 'return.signed_off',
  s: ReturnScope,
  extra: Record<string, unknown>,
) {
  return {
    type,
    organisationIds: [s.organisation._id.toHexString(), ...s.group.coordinators.map((c) => c.toHexString())],
    data: {
      returnId: s.id,
      group: s.group.slug,
      organisation: s.organisation.slug,
      period: s.period,
      ...extra,
    },
  };
}

/** A coordinator reopens a submitted or signed-off return, with a reason; its figures are withdrawn. */
export async function reopenReturn(
  caller: AuthContext,
  ref: { group: string; org: string; period: string },
  reason: string,
) {
  const s = await scope(caller, ref.group, ref.org, ref.period, 'coordinate');
  const state = requireState(s.doc, ['submitted', 'queried', 'signed_off'], 'reopen');
  const after = await commit(s, { state: 'draft', signedOffAt: null }, [
    {
      at: new Date(),
      ...actor(caller),
      action: 'reopen',
      figure: null,
      before: state,
      after: 'draft',
      reason,
    },
  ]);
  await auditChange(caller, s, after, 'reopened', { after: { reason } });
  await publishReturn(s.id);
  return viewOf(after);
}

/**
 * Makes the published values of a return match its state: the figures of a signed-off return,
 * none otherwise. Idempotent, so the periodic reconcile can repeat it after a crash.
 */
export async function publishReturn(id: string): Promise<void> {
  const doc = await DataReturn.findById(id).lean<DataReturnDoc>();
  const keep = doc?.state === 'signed_off' ? await reportedValuesOf(doc) : [];
  if (keep.length)
    await bulkUpdate(
      ReportedValue,
      keep.map(({ _id, ...rest }) => ({
        replaceOne: { filter: { _id }, replacement: { _id, ...rest }, upsert: true },
      })),
    );
  const ids = new Set(keep.map((v) => v._id));
  const stored = await ReportedValue.find({ returnId: id }, { _id: 1 }).lean<Array<{ _id: string }>>();
  const gone = stored.map((v) => v._id).filter((v) => !ids.has(v));
  if (gone.length) await ReportedValue.deleteMany({ _id: { $in: gone } });
  forgetReportedValues();
}

async function reportedValuesOf(doc: DataReturnDoc) {
  const catalogue = await loadReportedCatalogue();
  const out = [];
  for (const f of doc.figures) {
    const def = catalogue.get(f.indicator);
    if (!def || f.notAvailable) continue;
    const value = figureValue(def, f);
    if (value === null || !Number.isFinite(value)) continue;
    const key = figureOf(f);
    out.push({
      _id: [doc.groupId.toHexString(), doc.organisationId.toHexString(), key, doc.period].join('|'),
      returnId: doc._id,
      groupId: doc.groupId,
      organisationId: doc.organisationId,
      indicatorId: key,
      kind: def.kind,
      period: doc.period,
      numerator: f.numerator ?? null,
      denominator: f.denominator ?? null,
      value,
      comment: f.comment ?? '',
      signedOffAt: doc.signedOffAt ?? new Date(),
    });
  }
  return out;
}

/** Republishes every return: signed-off figures present, withdrawn ones gone (periodic reconcile). */
export async function reconcileReportedValues(): Promise<number> {
  const docs = await DataReturn.find({}, { _id: 1 }).lean<Array<{ _id: string }>>();
  for (const d of docs) await publishReturn(d._id);
  return docs.length;
}

function returnView(s: ReturnScope, findings: Finding[], catalogue: ReadonlyMap<string, ReportedIndicator>) {
  const doc = s.doc;
  const entry = s.group.calendar.find((c) => c.period === s.period)!;
  const byFigure = new Map<string, Finding[]>();
  for (const f of findings) byFigure.set(f.figure, [...(byFigure.get(f.figure) ?? []), f]);
  return {
    id: s.id,
    group: s.group.slug,
    organisation: { slug: s.organisation.slug, name: s.organisation.name },
    period: s.period,
    state: (doc?.state ?? 'draft') as ReturnState,
    stored: !!doc,
    late: !!doc?.submittedAt && doc.submittedAt > entry.closes,
    revision: doc?.revision ?? 0,
    submittedAt: doc?.submittedAt?.toISOString() ?? null,
    signedOffAt: doc?.signedOffAt?.toISOString() ?? null,
    figures: (doc?.figures ?? []).map((f) => {
      const def = catalogue.get(f.indicator);
      const key = figureOf(f);
      return {
        figure: key,
        indicator: f.indicator,
        part: f.part ?? '',
        tenure: f.tenure ?? '',
        ...plainFigure(f),
        computed: def && !f.notAvailable ? figureValue(def, f) : null,
        findings: (byFigure.get(key) ?? []).map(({ figure: _f, ...rest }) => rest),
      };
    }),
    missing: findings.filter((f) => f.code === 'MISSING_FIGURE').map((f) => f.figure),
    queries: (doc?.queries ?? []).map((q) => ({
      id: q._id.toHexString(),
      figure: q.figure,
      status: q.status,
      messages: q.messages.map((m) => ({ at: m.at.toISOString(), side: m.side, text: m.text })),
    })),
  };
}

/** One return with its checks as they stand. */
export async function getReturn(caller: AuthContext, ref: { group: string; org: string; period: string }) {
  return viewOf(await scope(caller, ref.group, ref.org, ref.period, 'read'));
}

/**
 * The view of a return in a scope already read (after a change, the scope {@link commit}
 * returned), its checks computed against `ctx` when the caller has it.
 */
async function viewOf(s: ReturnScope, ctx?: CheckContext) {
  const g = await groupDefinitions(s.group);
  const context = ctx ?? (await checkContext(s, g.catalogue));
  const figures = s.doc?.figures ?? [];
  const findings = [...findingsOf(figures, g, context), ...missingFigures(g.defs, figures)];
  return returnView(s, findings, g.catalogue);
}

/** A page of a return's audit trail, oldest first. */
export async function returnAudit(
  caller: AuthContext,
  ref: { group: string; org: string; period: string },
  page: PageRequest,
) {
  const s = await scope(caller, ref.group, ref.org, ref.period, 'read');
  // The trail only grows at its end: an entry's place is its key.
  const trail = (s.doc?.audit ?? []).map((a, i) => ({ a, key: String(i).padStart(10, '0') }));
  const { items, nextCursor } = pageOf(trail, (e) => e.key, page);
  return {
    nextCursor,
    items: items.map(({ a }) => ({
      at: a.at.toISOString(),
      keyId: a.keyId,
      organisationId: a.organisationId ?? null,
      role: a.role,
      action: a.action,
      figure: a.figure ?? null,
      before: a.before ?? null,
      after: a.after ?? null,
      reason: a.reason ?? null,
      revision: a.revision,
    })),
  };
}

/** Returns of a group: all of them for coordinators, your own for members. */
export async function listReturns(
  caller: AuthContext,
  groupRef: string,
  q: { period?: string; state?: string } & PageRequest,
) {
  const access = await groupFor(caller, groupRef);
  const filter: Record<string, unknown> = { groupId: access.group._id, ...afterKey(q.cursor) };
  if (!access.coordinates) {
    filter.organisationId = caller.organisationId ? new Types.ObjectId(caller.organisationId) : null;
  }
  if (q.period) filter.period = q.period;
  if (q.state) filter.state = q.state;
  const docs = await DataReturn.find(filter, { audit: 0 })
    .sort({ _id: 1 })
    .limit(q.limit + 1)
    .lean<DataReturnDoc[]>();
  const page = toKeyPage(docs, q.limit, (d) => d);
  const visible = page.items;
  const orgs = new Map(
    (
      await Organisation.find({ _id: { $in: visible.map((d) => d.organisationId) } }).lean<
        OrganisationDoc[]
      >()
    ).map((o) => [o._id.toHexString(), o]),
  );
  return {
    items: visible.map((d) => ({
      id: d._id,
      organisation: orgs.get(d.organisationId.toHexString())?.slug ?? '',
      period: d.period,
      state: d.state as ReturnState,
      figures: d.figures.length,
      openQueries: d.queries.filter((x) => x.status !== 'closed').length,
      submittedAt: d.submittedAt?.toISOString() ?? null,
      signedOffAt: d.signedOffAt?.toISOString() ?? null,
      revision: d.revision,
    })),
    nextCursor: page.nextCursor,
  };
}
