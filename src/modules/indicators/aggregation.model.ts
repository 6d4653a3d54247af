import { createHash } from 'node:crypto';
import { Schema, Types, model } from 'mongoose';

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

/** An ObjectId derived from a text key (MongoDB finds it by its primary index). */
function keyedObjectId(key: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(key).digest().subarray(0, 12));
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
  },
  { collection: 'aggregation_heads', versionKey: false },
);
export const UnitHead = model('UnitHead', unitHeadSchema);
