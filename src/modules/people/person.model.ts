import { Schema, Types, model } from 'mongoose';

/**
 * A person who works in the console: a member of an organisation's staff with one of the roles
 * keys have, or a person of the platform. Signs in with a password (argon2id) set through a
 * one-time invitation link.
 */
const personSchema = new Schema(
  {
    /** null for people of the platform. */
    organisationId: { type: Schema.Types.ObjectId, default: null },
    role: {
      type: String,
      enum: ['platform', 'admin', 'analyst', 'coordinator', 'interviewer'],
      required: true,
    },
    name: { type: String, required: true },
    /** Lower-cased; one person per address across the service. */
    email: { type: String, required: true, unique: true },
    /** argon2id PHC string; null until the invitation is accepted. */
    passwordHash: { type: String, default: null },
    status: { type: String, enum: ['invited', 'active', 'disabled'], required: true },
    /** Written by earlier releases; sign-ins are now kept in {@link SignInState}. */
    lockedUntil: { type: Date, default: null },
    /** Raised to end every session of the person at once (sign-out everywhere, disabling). */
    sessionGeneration: { type: Number, default: 0 },
    /** Written by earlier releases; see {@link SignInState}. */
    lastSignInAt: { type: Date, default: null },
    createdBy: { type: String, default: null },
  },
  { collection: 'people', timestamps: true },
);

/** A person as read with `lean()`. */
export interface PersonDoc {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId | null;
  role: 'platform' | 'admin' | 'analyst' | 'coordinator' | 'interviewer';
  name: string;
  email: string;
  passwordHash: string | null;
  status: 'invited' | 'active' | 'disabled';
  lockedUntil: Date | null;
  sessionGeneration: number;
  lastSignInAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const Person = model('Person', personSchema);

/**
 * A person's sign-ins, apart from the person: when the last one succeeded, and until when failures
 * in a row (counted in Redis) lock the account. FerretDB 1.24 applies an update by writing back the
 * whole document it read, so a sign-in written on the person could undo a disabling or a role
 * change made at the same moment. The person is now written only by their administration.
 */
const signInStateSchema = new Schema(
  {
    /** The person's id. */
    _id: { type: Schema.Types.ObjectId, required: true },
    lockedUntil: { type: Date, default: null },
    lastSignInAt: { type: Date, default: null },
  },
  { collection: 'sign_in_states', versionKey: false },
);

export interface SignInStateDoc {
  _id: Types.ObjectId;
  lockedUntil?: Date | null;
  lastSignInAt?: Date | null;
}

export const SignInState = model('SignInState', signInStateSchema);

/**
 * A one-time link that lets a person set a password. Only the SHA-256 of its token is stored; it
 * expires, and using it is a unique claim (`used`), so two clicks cannot both succeed.
 */
const personInvitationSchema = new Schema(
  {
    personId: { type: Schema.Types.ObjectId, required: true },
    tokenHash: { type: String, required: true, unique: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'person_invitations', timestamps: { createdAt: true, updatedAt: false } },
);

export interface PersonInvitationDoc {
  _id: Types.ObjectId;
  personId: Types.ObjectId;
  tokenHash: string;
  expiresAt: Date;
  createdAt: Date;
}

export const PersonInvitation = model('PersonInvitation', personInvitationSchema);

/** Used invitations: the insert of the invitation's id is the claim (a unique key on every server). */
const invitationUseSchema = new Schema(
  { _id: { type: Schema.Types.ObjectId, required: true }, at: { type: Date, required: true } },
  { collection: 'person_invitation_uses', versionKey: false },
);

export const InvitationUse = model('InvitationUse', invitationUseSchema);
