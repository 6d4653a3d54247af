import { Schema, Types, model, type InferSchemaType } from 'mongoose';

/** The states of a data return; `signed_off` is locked until a coordinator reopens it. */
export const RETURN_STATES = ['draft', 'submitted', 'queried', 'signed_off'] as const;
export type ReturnState = (typeof RETURN_STATES)[number];

const figureSchema = new Schema(
  {
    indicator: { type: String, required: true },
    part: { type: String, default: '' },
    tenure: { type: String, default: '' },
    numerator: { type: Number, default: null },
    denominator: { type: Number, default: null },
    value: { type: Number, default: null },
    comment: { type: String, default: '' },
    /** Why the figure cannot be given; null when it is given. */
    notAvailable: { type: String, default: null },
  },
  { _id: false },
);

const messageSchema = new Schema(
  {
    at: { type: Date, required: true },
    side: { type: String, enum: ['coordinator', 'member'], required: true },
    keyId: { type: String, required: true },
    text: { type: String, required: true },
  },
  { _id: false },
);

/** A coordinator's question about one figure, and the thread that answers it. */
const querySchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    figure: { type: String, required: true },
    /** open: waits for the member; answered: waits for the coordinator; closed: settled. */
    status: { type: String, enum: ['open', 'answered', 'closed'], required: true },
    messages: { type: [messageSchema], default: [] },
  },
  { _id: false },
);

/**
 * One entry of a return's audit trail. It is appended in the same update as the change it
 * records, so a change cannot be stored without its entry, and entries are never removed.
 */
const auditSchema = new Schema(
  {
    at: { type: Date, required: true },
    keyId: { type: String, required: true },
    organisationId: { type: String, default: null },
    role: { type: String, required: true },
    action: {
      type: String,
      enum: ['figure', 'submit', 'query', 'message', 'close_query', 'sign_off', 'reopen', 'upload'],
      required: true,
    },
    figure: { type: String, default: null },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    reason: { type: String, default: null },
    /** The return's revision this change produced. */
    revision: { type: Number, required: true },
  },
  { _id: false },
);

/**
 * The figures one member organisation reports to a group for a period. Keyed by
 * group|organisation|period so every read and write addresses one document by `_id`.
 */
const dataReturnSchema = new Schema(
  {
    _id: { type: String },
    groupId: { type: Schema.Types.ObjectId, required: true },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    state: { type: String, enum: RETURN_STATES, required: true },
    figures: { type: [figureSchema], default: [] },
    queries: { type: [querySchema], default: [] },
    audit: { type: [auditSchema], default: [] },
    submittedAt: { type: Date, default: null },
    signedOffAt: { type: Date, default: null },
    /** Bumped by every change; writes carry the revision they read (no lost updates). */
    revision: { type: Number, required: true },
  },
  { timestamps: true, collection: 'data_returns' },
);
dataReturnSchema.index({ groupId: 1, period: 1 });

/** A figure as stored. */
export interface StoredFigure {
  indicator: string;
  part: string;
  tenure: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  comment: string;
  notAvailable: string | null;
}

/** One audit entry as stored. */
export interface AuditEntry {
  at: Date;
  keyId: string;
  organisationId: string | null;
  role: string;
  action: 'figure' | 'submit' | 'query' | 'message' | 'close_query' | 'sign_off' | 'reopen' | 'upload';
  figure: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  revision: number;
}

/** A query thread as stored. */
export interface StoredQuery {
  _id: Types.ObjectId;
  figure: string;
  status: 'open' | 'answered' | 'closed';
  messages: Array<{ at: Date; side: 'coordinator' | 'member'; keyId: string; text: string }>;
}

/** A data return as read with `lean()`. */
export interface DataReturnDoc {
  _id: string;
  groupId: Types.ObjectId;
  organisationId: Types.ObjectId;
  period: string;
  state: ReturnState;
  figures: StoredFigure[];
  queries: StoredQuery[];
  audit: AuditEntry[];
  submittedAt: Date | null;
  signedOffAt: Date | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}
export const DataReturn = model('DataReturn', dataReturnSchema);

/** _id of a return. */
export function returnId(
  groupId: Types.ObjectId | string,
  organisationId: Types.ObjectId | string,
  period: string,
) {
  return [String(groupId), String(organisationId), period].join('|');
}

/**
 * A signed-off figure as benchmarks read it: one per group, organisation, figure and period.
 * Kept apart from survey values, which the nightly rebuild replaces wholesale.
 */
const reportedValueSchema = new Schema(
  {
    _id: { type: String },
    returnId: { type: String, required: true },
    groupId: { type: Schema.Types.ObjectId, required: true },
    organisationId: { type: Schema.Types.ObjectId, required: true },
    /** The figure key: `ID`, `ID.part`, `ID.part.tenure`. */
    indicatorId: { type: String, required: true },
    kind: { type: String, required: true },
    period: { type: String, required: true },
    numerator: { type: Number, default: null },
    denominator: { type: Number, default: null },
    value: { type: Number, required: true },
    comment: { type: String, default: '' },
    signedOffAt: { type: Date, required: true },
  },
  { collection: 'reported_values' },
);
reportedValueSchema.index({ groupId: 1, indicatorId: 1, period: 1 });

export type ReportedValueDoc = InferSchemaType<typeof reportedValueSchema> & { _id: string };
export const ReportedValue = model('ReportedValue', reportedValueSchema);
