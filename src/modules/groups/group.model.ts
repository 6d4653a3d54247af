import { Schema, Types, model, type InferSchemaType } from 'mongoose';

const memberSchema = new Schema(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true },
    /** Invited by a coordinator; a member once the organisation's admin accepts. */
    status: { type: String, enum: ['invited', 'member'], required: true },
    /** This member agrees that members see each other's names in the group's benchmarks. */
    showName: { type: Boolean, default: false },
    invitedAt: { type: Date, required: true },
    joinedAt: { type: Date, default: null },
  },
  { _id: false },
);

const calendarSchema = new Schema(
  {
    /** The period the data describe (data for year N-1 are usually collected in year N). */
    period: { type: String, required: true },
    opens: { type: Date, required: true },
    closes: { type: Date, required: true },
    signOffBy: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * A benchmarking group: organisations that measure the same indicators each period, compare,
 * and learn from each other, run by one or more coordinating organisations. Groups are few and
 * small, so they are read whole.
 */
const groupSchema = new Schema(
  {
    slug: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    coordinators: { type: [Schema.Types.ObjectId], required: true },
    members: { type: [memberSchema], default: [] },
    /** Survey and reported indicator ids the group measures. */
    indicators: { type: [String], default: [] },
    calendar: { type: [calendarSchema], default: [] },
    languages: { type: [String], default: ['en'] },
    /** Members see each other's improvement plans (coordinators always do). */
    sharePlans: { type: Boolean, default: false },
    /** Bumped by every change; writes carry the revision they read (no lost updates). */
    revision: { type: Number, default: 0 },
    /**
     * Bumped when a member's first return of a period is stored (not a change of the group): a
     * calendar change read before it is written again, so a period cannot leave the calendar
     * while its first return arrives.
     */
    returnStamp: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'groups' },
);

export type GroupDoc = InferSchemaType<typeof groupSchema> & {
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export type GroupMember = GroupDoc['members'][number];
export const Group = model('Group', groupSchema);

/**
 * A group's secret key for its members' pseudonyms (HMAC of an organisation's id): members read
 * each other's ids, so a pseudonym anyone could compute would name them. Its own collection,
 * keyed by the group's id, so the first insert decides it on every server (a conditional update
 * does not serialise concurrent writers on FerretDB). Never shown.
 */
const groupKeySchema = new Schema(
  { _id: { type: String, required: true }, key: { type: String, required: true } },
  { collection: 'group_keys', versionKey: false },
);

export const GroupKey = model('GroupKey', groupKeySchema);
