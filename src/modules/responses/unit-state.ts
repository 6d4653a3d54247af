import { keyedObjectId } from '../../db/keyed-id';
import { Schema, Types, model } from 'mongoose';
import { addModeCounts, type ModeCounts } from './modes';

/*
 * Aggregation's own documents. On the hot path the big collections (responses) are only ever
 * inserted into, and reads go to small collections: the inbox (responses/inbox.model.ts), the
 * heads, the two latest states per unit, the published values. That is what keeps the cost flat
 * on FerretDB's SQLite backend, where an insert costs the same at 1,000 and 1,000,000 documents
 * but every query, even by _id, reads the whole collection (measured on 1.24: ~5 µs a document).
 * On MongoDB the ObjectId keys below are primary-index lookups.
 */

/** The unit one aggregation step owns exclusively: an organisation's period. */
export interface UnitKey {
  organisationId: string;
  period: string;
}

/** A unit's name (in logs and maps). */
export function unitId(u: UnitKey): string {
  return `${u.organisationId}|${u.period}`;
}

/** _id of a unit's head. */
export function unitHeadId(u: UnitKey): Types.ObjectId {
  return keyedObjectId(`head|${unitId(u)}`);
}

/** _id of a unit's state at a revision. */
export function unitStateId(u: UnitKey, rev: number): Types.ObjectId {
  return keyedObjectId(`state|${unitId(u)}|${rev}`);
}

/**
 * A unit's counts at one revision, never updated: revision r + 1 is inserted with _id
 * `<unit>|<r + 1>`, so of two overlapping steps that both read revision r only one can write
 * its successor (the other gets a duplicate key and starts again from the winner). Whatever a
 * step counted, and the list of answers it counted, are written in this one insert.
 */
const unitStateSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    rev: { type: Number, required: true },
    /** JSON of {@link UnitBucket}[]: sufficient statistics per survey and segment. */
    buckets: { type: String, required: true },
    /** Responses counted in all buckets. */
    responses: { type: Number, required: true },
    /** Responses counted per campaign (campaign id → count). */
    campaigns: { type: Schema.Types.Mixed, default: {} },
    /** Responses counted per campaign and collection mode (campaign id → mode → count). */
    modes: { type: Schema.Types.Mixed, default: {} },
    /** Ids of the responses this revision added (their inbox entries may still exist). */
    applied: { type: [String], default: [] },
    at: { type: Date, required: true },
  },
  { collection: 'aggregation_units', versionKey: false },
);
export const UnitState = model('UnitState', unitStateSchema);

/**
 * Where a unit's latest revision probably is (it may lag; readers step forward from it), whether
 * the inbox entries of that revision are gone, and which revision the published values show.
 */
const unitHeadSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    rev: { type: Number, required: true },
    cleaned: { type: Number, default: 0 },
    published: { type: Number, default: 0 },
    /**
     * The unit's raw responses were deleted under its organisation's retention setting: its counts
     * are final, and a rebuild keeps them instead of recounting (see responses/retention.service).
     */
    archivedAt: { type: Date, default: null },
  },
  { collection: 'aggregation_heads', versionKey: false },
);
export const UnitHead = model('UnitHead', unitHeadSchema);

/** A unit's revision as stored (revision 0: nothing counted yet, never stored). */
export interface StoredState {
  rev: number;
  /** JSON of the statistics per survey and segment (aggregation.service reads it). */
  buckets: string;
  responses: number;
  applied: string[];
  campaigns: Record<string, number>;
  /** Per campaign, responses per mode (absent in revisions written before modes: all online). */
  modes: Record<string, ModeCounts>;
}

export const EMPTY_STATE: StoredState = {
  rev: 0,
  buckets: '[]',
  responses: 0,
  applied: [],
  campaigns: {},
  modes: {},
};

/** A unit's revision, or null. */
export async function loadState(u: UnitKey, rev: number): Promise<StoredState | null> {
  const doc = await UnitState.findById(unitStateId(u, rev), {
    buckets: 1,
    responses: 1,
    applied: 1,
    campaigns: 1,
    modes: 1,
  }).lean();
  if (!doc) return null;
  const campaigns = (doc.campaigns as Record<string, number> | undefined) ?? {};
  const modes = (doc.modes as Record<string, ModeCounts> | undefined) ?? {};
  // Revisions from before modes were recorded counted online answers only.
  for (const [id, n] of Object.entries(campaigns)) {
    const known = Object.values(modes[id] ?? {}).reduce((a, b) => a + b, 0);
    if (known < n) modes[id] = addModeCounts(modes[id] ?? {}, { online: n - known });
  }
  return {
    rev,
    buckets: doc.buckets,
    responses: doc.responses,
    applied: doc.applied ?? [],
    campaigns,
    modes,
  };
}

/** Keys of the units whose responses were deleted under a retention setting (their counts are final). */
export async function archivedUnits(): Promise<Set<string>> {
  const heads = await UnitHead.find({ archivedAt: { $ne: null } }, { organisationId: 1, period: 1 }).lean();
  return new Set(
    heads.map((h) => unitId({ organisationId: h.organisationId.toHexString(), period: h.period })),
  );
}

/** Where a unit's head points (a counter never written reads as 0). */
export interface Head {
  rev: number;
  cleaned: number;
  published: number;
}

function headOf(doc: Partial<Head> | null): Head {
  return { rev: doc?.rev ?? 0, cleaned: doc?.cleaned ?? 0, published: doc?.published ?? 0 };
}

/** A unit's head, or a fresh one. */
export async function readHead(u: UnitKey): Promise<Head> {
  return headOf(await UnitHead.findById(unitHeadId(u), { rev: 1, cleaned: 1, published: 1 }).lean());
}

/** Every unit's head, in one read (a small collection: one document per organisation and period). */
export async function readHeads(): Promise<Array<Head & { u: UnitKey }>> {
  const docs = await UnitHead.find(
    {},
    { organisationId: 1, period: 1, rev: 1, cleaned: 1, published: 1 },
  ).lean();
  return docs.map((h) => ({
    u: { organisationId: h.organisationId.toHexString(), period: h.period },
    ...headOf(h),
  }));
}

/**
 * The unit's latest revision: from where its head points, stepping forward while a newer one
 * exists. (The head may lag behind, and revisions older than the previous one are removed.)
 */
export async function latestState(u: UnitKey, from?: number): Promise<StoredState> {
  const start = from ?? (await readHead(u)).rev;
  let state: StoredState | null = start > 0 ? await loadState(u, start) : EMPTY_STATE;
  for (let r = start + 1; !state && r < start + 10_000; r++) state = await loadState(u, r);
  if (!state) throw new Error(`aggregation unit ${unitId(u)} has no revision at or after ${start}`);
  for (;;) {
    const next = await loadState(u, state.rev + 1);
    if (!next) return state;
    state = next;
  }
}

/** Where a unit stands, as {@link unitStandings} finds it. */
export interface UnitStanding {
  /** The latest revision, and its counts and applied entries (not its statistics). */
  rev: number;
  cleaned: number;
  responses: number;
  applied: string[];
  /** The unit's stored revisions. */
  stored: Array<{ id: Types.ObjectId; rev: number }>;
}

/** A unit with neither head nor revision. */
export const NOTHING_COUNTED_YET: UnitStanding = {
  rev: 0,
  cleaned: 0,
  responses: 0,
  applied: [],
  stored: [],
};

/**
 * Every unit's standing from one read of the heads and one of the revisions (without their
 * statistics): the latest revision is the one {@link latestState} would find, stepping forward
 * from the head. A unit with neither is absent; one whose head points past every stored revision
 * maps to null (read it on its own). `heads` lists the units that have a head.
 */
export async function unitStandings(): Promise<{
  heads: UnitKey[];
  standings: Map<string, UnitStanding | null>;
}> {
  const heads = new Map<string, Head & { u: UnitKey }>();
  for (const h of await readHeads()) heads.set(unitId(h.u), h);
  const revisions = new Map<
    string,
    Map<number, { id: Types.ObjectId; responses: number; applied: string[] }>
  >();
  for (const s of await UnitState.find(
    {},
    { organisationId: 1, period: 1, rev: 1, responses: 1, applied: 1 },
  ).lean()) {
    const key = unitId({ organisationId: s.organisationId.toHexString(), period: s.period });
    const byRev = revisions.get(key) ?? new Map();
    byRev.set(s.rev, { id: s._id, responses: s.responses, applied: s.applied ?? [] });
    revisions.set(key, byRev);
  }
  const standings = new Map<string, UnitStanding | null>();
  for (const key of new Set([...heads.keys(), ...revisions.keys()])) {
    const byRev = revisions.get(key) ?? new Map();
    const head = heads.get(key) ?? { rev: 0, cleaned: 0 };
    let rev = head.rev;
    if (rev > 0 && !byRev.has(rev)) {
      const later = [...byRev.keys()].filter((r) => r > rev).sort((a, b) => a - b);
      if (!later.length) {
        standings.set(key, null);
        continue;
      }
      rev = later[0]!;
    }
    while (byRev.has(rev + 1)) rev++;
    const latest = rev > 0 ? byRev.get(rev)! : { responses: 0, applied: [] };
    standings.set(key, {
      rev,
      cleaned: head.cleaned,
      responses: latest.responses,
      applied: latest.applied,
      stored: [...byRev].map(([r, v]) => ({ id: v.id, rev: r })),
    });
  }
  return { heads: [...heads.values()].map(({ u }) => u), standings };
}

/**
 * Responses counted per campaign, from the units' latest revisions (never from the responses
 * collection, which some servers can only read whole). Lags the stored responses by the time
 * the worker takes to count them.
 */
export async function countedByCampaign(
  campaigns: Array<{ _id: Types.ObjectId; organisationId: Types.ObjectId; period: string }>,
): Promise<Map<string, { responses: number; byMode: ModeCounts }>> {
  const units = new Map<string, UnitKey>();
  for (const c of campaigns) {
    const u = { organisationId: c.organisationId.toHexString(), period: c.period };
    units.set(unitId(u), u);
  }
  const counts = new Map<string, { responses: number; byMode: ModeCounts }>();
  for (const u of units.values()) {
    const state = await latestState(u);
    for (const [id, n] of Object.entries(state.campaigns))
      counts.set(id, { responses: n, byMode: state.modes[id] ?? {} });
  }
  return counts;
}
