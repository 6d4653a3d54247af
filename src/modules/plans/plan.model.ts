import { Schema, Types, model } from 'mongoose';

const measurementSchema = new Schema(
  {
    period: { type: String, required: true },
    value: { type: Number, required: true },
    low: { type: Number, default: null },
    high: { type: Number, default: null },
    /** The base (survey) or the denominator (reported); null for plain values. */
    n: { type: Number, default: null },
  },
  { _id: false },
);

const goalSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    /** A survey indicator (TP01) or a reported figure key (RP02.emergency). */
    indicator: { type: String, required: true },
    segment: { type: String, default: '*' },
    description: { type: String, default: '' },
    /** Taken from the data when the goal is set, never typed in. */
    baseline: { type: measurementSchema, required: true },
    target: {
      value: { type: Number, required: true },
      period: { type: String, required: true },
    },
  },
  { _id: false },
);

export const ACTION_STATUSES = ['planned', 'in_progress', 'done', 'dropped'] as const;

const actionSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    what: { type: String, required: true },
    /** A role, not a person: plans are shared with other organisations. */
    ownerRole: { type: String, default: '' },
    start: { type: Date, default: null },
    due: { type: Date, default: null },
    status: { type: String, enum: ACTION_STATUSES, default: 'planned' },
    /** Goals this action serves. */
    goals: { type: [Schema.Types.ObjectId], default: [] },
    /** Ids of good practices that inspired it. */
    practices: { type: [String], default: [] },
  },
  { _id: false },
);

const reviewSchema = new Schema(
  {
    at: { type: Date, required: true },
    keyId: { type: String, required: true },
    note: { type: String, required: true },
  },
  { _id: false },
);

/**
 * An organisation's improvement plan for a cycle: goals tied to indicators with a baseline from
 * the data, actions, and dated reviews. Progress is computed from later values when read.
 */
const planSchema = new Schema(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true },
    /** The benchmarking group the plan belongs to (its coordinators see it). */
    groupId: { type: Schema.Types.ObjectId, default: null },
    title: { type: String, required: true },
    cycle: { type: String, default: '' },
    /** Members of the group see it too. */
    visibleToMembers: { type: Boolean, default: false },
    goals: { type: [goalSchema], default: [] },
    actions: { type: [actionSchema], default: [] },
    reviews: { type: [reviewSchema], default: [] },
    nextReviewAt: { type: Date, default: null },
    /** The review date an event was last sent for (one event per due review). */
    reviewNotifiedFor: { type: Date, default: null },
    revision: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'improvement_plans' },
);

export interface MeasurementDoc {
  period: string;
  value: number;
  low: number | null;
  high: number | null;
  n: number | null;
}

export interface PlanDoc {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  groupId: Types.ObjectId | null;
  title: string;
  cycle: string;
  visibleToMembers: boolean;
  goals: Array<{
    _id: Types.ObjectId;
    indicator: string;
    segment: string;
    description: string;
    baseline: MeasurementDoc;
    target: { value: number; period: string };
  }>;
  actions: Array<{
    _id: Types.ObjectId;
    what: string;
    ownerRole: string;
    start: Date | null;
    due: Date | null;
    status: (typeof ACTION_STATUSES)[number];
    goals: Types.ObjectId[];
    practices: string[];
  }>;
  reviews: Array<{ at: Date; keyId: string; note: string }>;
  nextReviewAt: Date | null;
  reviewNotifiedFor: Date | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export const Plan = model('Plan', planSchema);
