import { createHash, randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import type { Logger } from 'pino';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
} from '../../errors';
import type { AuthContext, Role } from '../../http/context';
import { afterCursor, toPage, type PageRequest } from '../../http/pagination';
import { SharedCache } from '../../shared-cache';
import { recordAudit } from '../audit/record';
import type { OrganisationDoc } from '../organisations/organisation.model';
import { getOrganisation } from '../organisations/organisations.service';
import {
  InvitationUse,
  Person,
  PersonInvitation,
  SignInState,
  type PersonDoc,
  type SignInStateDoc,
  type PersonInvitationDoc,
} from './person.model';
import { PASSWORD_MAX, PASSWORD_MIN, checkPassword, hashPassword } from './passwords';
import type { SignInFailures } from './session-store';
import { oneWriteAtATime } from '../../db/one-write';
import { upsertRetrying } from '../../db/upsert';
import { LockUnavailableError, type LockRunner } from '../../queue/lock';

/** Failed sign-ins in a row that lock an account, and for how long. */
export const LOCKOUT_AFTER = 5;
export const LOCKOUT_MS = 15 * 60_000;

/** The one answer to a sign-in that does not succeed, whatever the reason. */
const SIGN_IN_REFUSED = 'the e-mail address or password is wrong, or the account is locked for a while';

/** A person as the API shows them: never the password hash. */
export function personView(p: PersonDoc, state: SignInStateDoc | null = null) {
  const lastSignInAt = state?.lastSignInAt ?? p.lastSignInAt;
  return {
    id: p._id.toHexString(),
    organisationId: p.organisationId ? p.organisationId.toHexString() : null,
    role: p.role,
    name: p.name,
    email: p.email,
    status: p.status,
    lastSignInAt: lastSignInAt ? lastSignInAt.toISOString() : null,
    createdAt: p.createdAt.toISOString(),
  };
}

export type PersonView = ReturnType<typeof personView>;

/** A person as the API shows them, with their sign-ins read. */
export async function personViewOf(p: PersonDoc): Promise<PersonView> {
  return personView(p, await SignInState.findById(p._id).lean<SignInStateDoc>());
}

/** Records a sign-in fact apart from the person (never written on the person: see SignInState). */
function noteSignIn(id: Types.ObjectId, set: Partial<Omit<SignInStateDoc, '_id'>>) {
  return oneWriteAtATime(SignInState, id, () =>
    upsertRetrying(() => SignInState.updateOne({ _id: id }, { $set: set }, { upsert: true })),
  );
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** People read recently, so a burst of requests in one session reads the person once. */
const PERSON_CACHE_MS = 2000;
const people = new SharedCache<PersonDoc | null>(10_000);

/** A person by id, read at most every {@link PERSON_CACHE_MS} (this process's own changes show at once). */
export function cachedPerson(id: string): Promise<PersonDoc | null> {
  if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
  return people.forMs(id, PERSON_CACHE_MS, () => Person.findById(id).lean<PersonDoc>().exec());
}

async function changePerson(id: Types.ObjectId, update: Record<string, unknown>): Promise<PersonDoc> {
  const doc = await oneWriteAtATime(Person, id, () =>
    Person.findOneAndUpdate({ _id: id }, update, { new: true }).lean<PersonDoc>(),
  );
  people.delete(id.toHexString());
  if (!doc) throw new NotFoundError('person');
  return doc;
}

/** An invitation link: the token exists only in the link, the database keeps its hash. */
async function newInvitation(personId: Types.ObjectId, ttlHours: number, baseUrl: string) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await PersonInvitation.create({ personId, tokenHash: tokenHash(token), expiresAt });
  return { token, url: `${baseUrl}/console/invitation#${token}`, expiresAt: expiresAt.toISOString() };
}

/** What inviting needs from the deployment. */
export interface InviteDeps {
  baseUrl: string;
  ttlHours: number;
  /** Sends the link by e-mail when the deployment has SMTP; resolves false when it has not. */
  mail: (to: string, subject: string, text: string) => Promise<boolean>;
  logger?: Logger;
}

/** Roles an organisation's admin may give; platform people come from the CLI or another platform person. */
const ORGANISATION_ROLES: readonly Role[] = ['admin', 'analyst', 'coordinator', 'interviewer'];

/**
 * Invites a person to an organisation with a role: the person exists at once (invited), and a
 * one-time link to set a password is returned (shown once) and, when SMTP is configured, e-mailed.
 */
export async function invitePerson(
  caller: AuthContext,
  orgRef: string | null,
  input: { name: string; email: string; role: Role },
  deps: InviteDeps,
) {
  let org: OrganisationDoc | null = null;
  if (orgRef === null) {
    if (caller.role !== 'platform' || input.role !== 'platform') throw new ForbiddenError();
  } else {
    org = await getOrganisation(caller, orgRef);
    if (!ORGANISATION_ROLES.includes(input.role))
      throw new ValidationError('an organisation’s people have the roles its keys have', [
        { path: '/role', message: `one of ${ORGANISATION_ROLES.join(', ')}` },
      ]);
  }
  const email = input.email.trim().toLowerCase();
  let person: PersonDoc;
  try {
    const created = await Person.create({
      organisationId: org?._id ?? null,
      role: input.role,
      name: input.name.trim(),
      email,
      status: 'invited',
      createdBy: caller.keyId,
    });
    person = created.toObject() as PersonDoc;
  } catch (err) {
    if ((err as { code?: number }).code === 11000)
      throw new ConflictError('a person with this e-mail address already has an account', 'EMAIL_TAKEN');
    throw err;
  }
  const invitation = await sendInvitation(person, org, deps);
  await recordAudit(caller, {
    action: 'person.invited',
    resource: { type: 'person', id: person._id.toHexString() },
    organisationId: org ? org._id.toHexString() : null,
    after: { name: person.name, email, role: person.role },
  });
  return { person: personView(person), invitation };
}

/** Makes a new link for an invited person and e-mails it when the deployment has SMTP. */
async function sendInvitation(person: PersonDoc, org: OrganisationDoc | null, deps: InviteDeps) {
  const invitation = await newInvitation(person._id, deps.ttlHours, deps.baseUrl);
  const emailed = await deps
    .mail(
      person.email,
      'Your Tenant Voice account',
      `${person.name},\n\nyou have been invited to Tenant Voice${org ? ` (${org.name})` : ''} as ${person.role}.\nSet your password with this link (it works once, until ${invitation.expiresAt}):\n\n${invitation.url}\n`,
    )
    .catch((err: unknown) => {
      deps.logger?.warn(
        { err: (err as Error).message },
        'invitation not e-mailed; the link was shown instead',
      );
      return false;
    });
  return { url: invitation.url, expiresAt: invitation.expiresAt, emailed };
}

/** A person of the organisation by id, as stored; null for anyone else's, or no one. */
function findPersonOf(org: OrganisationDoc, id: string): Promise<PersonDoc | null> {
  if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
  return Person.findOne({ _id: new Types.ObjectId(id), organisationId: org._id }).lean<PersonDoc>();
}

/** A person of the organisation by id; anyone else's, or no one, is a 404. */
async function personOf(org: OrganisationDoc, id: string): Promise<PersonDoc> {
  const person = await findPersonOf(org, id);
  if (!person) throw new NotFoundError('person');
  return person;
}

/**
 * A new invitation link for a person who has not accepted theirs (it expired, went astray, or was
 * never made): the earlier links stop working. A person who is no longer invited gets a 409.
 */
export async function reinvitePerson(caller: AuthContext, orgRef: string, id: string, deps: InviteDeps) {
  const org = await getOrganisation(caller, orgRef);
  const person = await personOf(org, id);
  if (person.status !== 'invited')
    throw new ConflictError(`the person is ${person.status}, not waiting for an invitation`, 'NOT_INVITED');
  await PersonInvitation.deleteMany({ personId: person._id });
  const invitation = await sendInvitation(person, org, deps);
  await recordAudit(caller, {
    action: 'person.reinvited',
    resource: { type: 'person', id },
    organisationId: org._id.toHexString(),
    after: { expiresAt: invitation.expiresAt },
  });
  return { person: personView(person), invitation };
}

/**
 * Uses an invitation link once to set the person's password. An unknown, used or expired link gets
 * the same 410, so a link cannot be probed.
 */
export async function acceptInvitation(token: string, password: string) {
  const invitation = await PersonInvitation.findOne({
    tokenHash: tokenHash(token),
  }).lean<PersonInvitationDoc>();
  const gone = () =>
    new GoneError('this invitation link is not valid any more; ask for a new one', 'INVITATION_GONE');
  if (!invitation || invitation.expiresAt <= new Date()) throw gone();
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)
    throw new ValidationError('the password cannot be used', [
      { path: '/password', message: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters` },
    ]);
  try {
    await InvitationUse.create({ _id: invitation._id, at: new Date() });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw gone();
    throw err;
  }
  const person = await Person.findById(invitation.personId).lean<PersonDoc>();
  // Only an invited person: one active since (single sign-on proved the address) keeps the
  // password they have, whoever still holds the link (the inviting admin saw it).
  if (!person || person.status !== 'invited') throw gone();
  const passwordHash = await hashPassword(password);
  // Still invited when written: an activation while the password was hashed keeps its account.
  const updated = await oneWriteAtATime(Person, person._id, () =>
    Person.findOneAndUpdate(
      { _id: person._id, status: 'invited' },
      { $set: { passwordHash, status: 'active', lockedUntil: null } },
      { new: true },
    ).lean<PersonDoc>(),
  );
  people.delete(person._id.toHexString());
  if (!updated) throw gone();
  await recordAudit(
    {
      keyId: person._id.toHexString(),
      organisationId: person.organisationId?.toHexString() ?? null,
      role: person.role,
      actor: 'person',
    },
    { action: 'person.activated', resource: { type: 'person', id: person._id.toHexString() } },
  );
  return personView(updated);
}

/**
 * Checks a sign-in. Every refusal is the same 401 (unknown address, wrong password, not yet
 * active, locked), and an unknown address costs the same hashing time as a known one. After
 * {@link LOCKOUT_AFTER} failures in a row the account refuses every password for
 * {@link LOCKOUT_MS}.
 */
export async function verifySignIn(
  email: string,
  password: string,
  failures: Pick<SignInFailures, 'add' | 'clear'>,
): Promise<PersonDoc> {
  const person = await Person.findOne({ email: email.trim().toLowerCase() }).lean<PersonDoc>();
  const state = person ? await SignInState.findById(person._id).lean<SignInStateDoc>() : null;
  const now = new Date();
  const locked = [state?.lockedUntil, person?.lockedUntil].some((until) => until && until > now);
  const usable = person && person.status === 'active' && !locked;
  const id = person?._id.toHexString() ?? '';
  // Counted before the password is checked: of guesses sent at once, only the first
  // LOCKOUT_AFTER are checked at all.
  const attempt = usable ? await failures.add(id) : 0;
  const checked = usable && attempt <= LOCKOUT_AFTER;
  const ok = await checkPassword(checked ? person.passwordHash : null, password);
  if (!person) throw new UnauthorizedError(SIGN_IN_REFUSED);
  if (!checked || !ok) {
    if (usable && attempt >= LOCKOUT_AFTER) {
      await noteSignIn(person._id, { lockedUntil: new Date(Date.now() + LOCKOUT_MS) });
      await failures.clear(id);
      // Of the attempts that lock at once, the one that reached the limit is recorded.
      if (attempt === LOCKOUT_AFTER)
        await recordAudit(personCaller(person), {
          action: 'person.locked',
          resource: { type: 'person', id },
        });
    }
    throw new UnauthorizedError(SIGN_IN_REFUSED);
  }
  await failures.clear(person._id.toHexString());
  await noteSignIn(person._id, { lockedUntil: null, lastSignInAt: now });
  return { ...person, lastSignInAt: now };
}

/**
 * The person an identity provider has signed in, by the address it vouches for (any letter case),
 * or null when no account may use it. Single sign-on signs in existing people only and gives no
 * role: an invited person whose invitation is still open becomes active (the provider has proved
 * the address, which is what the link would have proved); a disabled person, or an address without
 * an account, is refused. The lockout of repeated wrong passwords does not apply: no password is
 * tried here.
 */
export async function signInWithVerifiedEmail(email: string): Promise<PersonDoc | null> {
  const now = new Date();
  const before = await Person.findOne({
    email: email.trim().toLowerCase(),
    status: { $in: ['invited', 'active'] },
  }).lean<PersonDoc>();
  if (!before) return null;
  // Only an invited person is written (made active); an active one is left alone, so nothing
  // written here can undo a disabling made at the same moment.
  if (before.status === 'invited') {
    const activated = await oneWriteAtATime(Person, before._id, () =>
      Person.updateOne({ _id: before._id, status: 'invited' }, { $set: { status: 'active' } }),
    );
    people.delete(before._id.toHexString());
    // Not invited any more: activated by another sign-in meanwhile (fine), or disabled (refused).
    if (
      activated.modifiedCount === 0 &&
      (await Person.findById(before._id).lean<PersonDoc>())?.status !== 'active'
    )
      return null;
  }
  await noteSignIn(before._id, { lastSignInAt: now });
  const person: PersonDoc = { ...before, status: 'active', lastSignInAt: now };
  if (before.status === 'invited')
    await recordAudit(personCaller(person), {
      action: 'person.activated',
      resource: { type: 'person', id: person._id.toHexString() },
      after: { method: 'oidc' },
    });
  return person;
}

/** The caller a signed-in person acts as. */
export function personCaller(p: PersonDoc): AuthContext {
  return {
    keyId: p._id.toHexString(),
    organisationId: p.organisationId ? p.organisationId.toHexString() : null,
    role: p.role,
    actor: 'person',
  };
}

/** Ends every session of a person (their next request is unauthenticated). */
export async function endAllSessions(caller: AuthContext, personId: string): Promise<PersonDoc> {
  const doc = await changePerson(new Types.ObjectId(personId), { $inc: { sessionGeneration: 1 } });
  await recordAudit(caller, {
    action: 'person.signed-out-everywhere',
    resource: { type: 'person', id: personId },
    organisationId: doc.organisationId?.toHexString() ?? null,
  });
  return doc;
}

/** A page of an organisation's people, for its admins and the platform. */
export async function listPeople(caller: AuthContext, orgRef: string, page: PageRequest) {
  const org = await getOrganisation(caller, orgRef);
  const docs = await Person.find({ organisationId: org._id, ...afterCursor(page.cursor) })
    .sort({ _id: 1 })
    .limit(page.limit + 1)
    .lean<PersonDoc[]>();
  const found = toPage(docs, page.limit, (d) => d);
  const states = await SignInState.find({ _id: { $in: found.items.map((d) => d._id) } }).lean<
    SignInStateDoc[]
  >();
  const byId = new Map(states.map((st) => [st._id.toHexString(), st]));
  return {
    items: found.items.map((d) => personView(d, byId.get(d._id.toHexString()) ?? null)),
    nextCursor: found.nextCursor,
  };
}

/**
 * Changes a person's role, name or status. Disabling ends their sessions; an admin cannot disable
 * or demote themselves (someone must be left to administer).
 */
export async function updatePerson(
  caller: AuthContext,
  orgRef: string,
  id: string,
  input: { name?: string; role?: Role; status?: 'active' | 'disabled' },
  lock: LockRunner,
) {
  const org = await getOrganisation(caller, orgRef);
  const found = await personOf(org, id);
  refuseChange(caller, found, input);
  const takesAdmin =
    found.role === 'admin' &&
    found.status === 'active' &&
    (input.status === 'disabled' || (input.role !== undefined && input.role !== 'admin'));
  // A platform person or a key acts from outside the organisation's people.
  if (!takesAdmin || caller.actor !== 'person' || caller.role !== 'admin')
    return changePersonAs(caller, org, found, input);
  // Two admins taking each other's rights at the same moment must not both succeed (nobody would
  // be left to administer): such changes go one at a time per organisation, each by a person who
  // is still an active admin when it is made.
  try {
    return await lock(`people-admins:${org._id.toHexString()}`, async () => {
      const self = await findPersonOf(org, caller.keyId);
      if (!self || self.role !== 'admin' || self.status !== 'active')
        throw new ForbiddenError('you are no longer an active admin of this organisation');
      const before = await personOf(org, id);
      refuseChange(caller, before, input);
      return changePersonAs(caller, org, before, input);
    });
  } catch (err) {
    if (!(err instanceof LockUnavailableError)) throw err;
    throw new UnavailableError('admins cannot be changed at the moment; try again shortly');
  }
}

/** The changes no caller may make: a role people cannot have, one's own rights, an activation. */
function refuseChange(
  caller: AuthContext,
  before: PersonDoc,
  input: { name?: string; role?: Role; status?: 'active' | 'disabled' },
): void {
  if (input.role !== undefined && !ORGANISATION_ROLES.includes(input.role))
    throw new ValidationError('an organisation’s people have the roles its keys have', [
      { path: '/role', message: `one of ${ORGANISATION_ROLES.join(', ')}` },
    ]);
  if (
    before._id.toHexString() === caller.keyId &&
    (input.status === 'disabled' || (input.role && input.role !== before.role))
  )
    throw new ConflictError('you cannot disable yourself or change your own role', 'SELF_CHANGE');
  if (input.status === 'active' && before.status === 'invited')
    throw new ValidationError('an invited person becomes active by accepting the invitation', [
      { path: '/status', message: 'the invitation link activates the account' },
    ]);
}

async function changePersonAs(
  caller: AuthContext,
  org: OrganisationDoc,
  before: PersonDoc,
  input: { name?: string; role?: Role; status?: 'active' | 'disabled' },
) {
  const id = before._id.toHexString();
  const set: Record<string, unknown> = {};
  if (input.name !== undefined) set.name = input.name.trim();
  if (input.role !== undefined) set.role = input.role;
  if (input.status !== undefined) set.status = input.status;
  const ends = input.status === 'disabled' || (input.role !== undefined && input.role !== before.role);
  const after = await changePerson(before._id, {
    $set: set,
    ...(ends ? { $inc: { sessionGeneration: 1 } } : {}),
  });
  await recordAudit(caller, {
    action: 'person.changed',
    resource: { type: 'person', id },
    organisationId: org._id.toHexString(),
    before: { name: before.name, role: before.role, status: before.status },
    after: { name: after.name, role: after.role, status: after.status },
  });
  return personViewOf(after);
}

/** The first platform person, from the command line (like the first platform key). */
export async function createPlatformPerson(input: { name: string; email: string }, deps: InviteDeps) {
  const system: AuthContext = { keyId: 'cli', organisationId: null, role: 'platform' };
  return invitePerson(system, null, { ...input, role: 'platform' }, deps);
}
