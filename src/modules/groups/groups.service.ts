import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type ErrorDetail,
} from '../../errors';
import { isDuplicateKey } from '../../db/upsert';
import type { AuthContext } from '../../http/context';
import { pageOf, type PageRequest } from '../../http/pagination';
import { loadCatalogue } from '../catalogue/indicator-definitions.service';
import { loadReportedCatalogue } from '../catalogue/reported-indicators.service';
import { Organisation, type OrganisationDoc } from '../organisations/organisation.model';
import { findOrganisation } from '../organisations/organisations.service';
import { SharedCache } from '../../shared-cache';
import { Group, GroupKey, type GroupDoc } from './group.model';
import { oneWriteAtATime } from '../../db/one-write';
import { DataReturn } from '../returns/data-return.model';

/** What the caller is to a group. */
export interface GroupAccess {
  group: GroupDoc;
  /** Platform keys, and coordinator keys of a coordinating organisation. */
  coordinates: boolean;
  /** The caller's organisation is a member (accepted). */
  member: boolean;
  /** The caller's organisation is invited and has not accepted yet. */
  invited: boolean;
  /** The caller's organisation coordinates the group (any role). */
  coordinatingOrganisation: boolean;
}

const isId = (s: string) => /^[a-f0-9]{24}$/.test(s);

async function findGroup(ref: string): Promise<GroupDoc | null> {
  return Group.findOne(isId(ref) ? { _id: new Types.ObjectId(ref) } : { slug: ref }).lean<GroupDoc>();
}

/** Groups as benchmark reads see them; membership and consent changes show within this long. */
export const GROUP_READ_TTL_MS = 1000;
const readCache = new SharedCache<GroupDoc | null>(1000);

/** The caller's relation to a group, from the group document alone. */
export function accessTo(caller: AuthContext, group: GroupDoc): GroupAccess {
  const org = caller.organisationId;
  const coordinatingOrganisation = !!org && group.coordinators.some((c) => c.toHexString() === org);
  const entry = org ? group.members.find((m) => m.organisationId.toHexString() === org) : undefined;
  return {
    group,
    coordinates: caller.role === 'platform' || (coordinatingOrganisation && caller.role === 'coordinator'),
    member: entry?.status === 'member',
    invited: entry?.status === 'invited',
    coordinatingOrganisation,
  };
}

/**
 * A group the caller belongs to, coordinates or is invited to; any other group answers 404,
 * exactly as a missing one does. With `cached`, the group may be up to {@link GROUP_READ_TTL_MS}
 * old (benchmark reads under load).
 */
export async function groupFor(
  caller: AuthContext,
  ref: string,
  opts: { cached?: boolean } = {},
): Promise<GroupAccess> {
  // Writes always read the stored group; benchmark reads may take one read a moment old.
  const group = opts.cached
    ? await readCache.forMs(ref, GROUP_READ_TTL_MS, () => findGroup(ref))
    : await findGroup(ref);
  if (!group) throw new NotFoundError('group');
  const access = accessTo(caller, group);
  if (caller.role !== 'platform' && !access.coordinatingOrganisation && !access.member && !access.invited)
    throw new NotFoundError('group');
  return access;
}

/** A group the caller coordinates (platform or a coordinator key of a coordinating organisation). */
export async function coordinatedGroup(caller: AuthContext, ref: string): Promise<GroupAccess> {
  const access = await groupFor(caller, ref);
  if (!access.coordinates) throw new ForbiddenError('only the group’s coordinators may do this');
  return access;
}

/**
 * The group's pseudonym key, made at its first use: the first insert wins, and every reader takes
 * the stored key.
 */
export async function readOrCreatePseudonymKey(groupId: string): Promise<string> {
  const stored = await GroupKey.findById(groupId).lean<{ key: string }>();
  if (stored) return stored.key;
  try {
    await GroupKey.create({ _id: groupId, key: randomBytes(32).toString('hex') });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const won = await GroupKey.findById(groupId).lean<{ key: string }>();
  if (!won) throw new NotFoundError('group');
  return won.key;
}

/** Keys never change: each group's is read once per process. */
const pseudonymKeys = new Map<string, Promise<string>>();

/** The group's pseudonym key (see {@link readOrCreatePseudonymKey}). */
export function pseudonymKeyOf(group: GroupDoc): Promise<string> {
  const id = group._id.toHexString();
  let key = pseudonymKeys.get(id);
  if (!key) {
    key = readOrCreatePseudonymKey(id);
    pseudonymKeys.set(id, key);
    key.catch(() => pseudonymKeys.delete(id));
  }
  return key;
}

/** Accepted members' organisation ids. */
export function memberIds(group: GroupDoc): string[] {
  return group.members.filter((m) => m.status === 'member').map((m) => m.organisationId.toHexString());
}

/**
 * Organisations inside the group: its coordinators and accepted members. What one shared with
 * the group (plans, good practices) stays there only while it is inside.
 */
export function insiderIds(group: GroupDoc): string[] {
  return [...group.coordinators.map((c) => c.toHexString()), ...memberIds(group)];
}

/**
 * Members see each other's names in the group's benchmarks only when every member agreed
 * (and there are at least two); until then values are shown under pseudonyms.
 */
export function namesVisible(group: GroupDoc): boolean {
  const members = group.members.filter((m) => m.status === 'member');
  return members.length >= 2 && members.every((m) => m.showName);
}

async function organisationsById(ids: Types.ObjectId[]): Promise<Map<string, OrganisationDoc>> {
  if (!ids.length) return new Map();
  const docs = await Organisation.find({ _id: { $in: ids } }).lean<OrganisationDoc[]>();
  return new Map(docs.map((d) => [d._id.toHexString(), d]));
}

/** The group as its members and coordinators read it. */
export async function groupView(access: GroupAccess) {
  const g = access.group;
  const orgs = await organisationsById([...g.coordinators, ...g.members.map((m) => m.organisationId)]);
  const named = (id: Types.ObjectId) => {
    const o = orgs.get(id.toHexString());
    return { id: id.toHexString(), slug: o?.slug ?? '', name: o?.name ?? '' };
  };
  return {
    id: g._id.toHexString(),
    slug: g.slug,
    name: g.name,
    description: g.description ?? '',
    coordinators: g.coordinators.map(named),
    members: g.members.map((m) => ({
      ...named(m.organisationId),
      status: m.status as 'invited' | 'member',
      showName: m.showName ?? false,
      invitedAt: m.invitedAt.toISOString(),
      joinedAt: m.joinedAt ? m.joinedAt.toISOString() : null,
    })),
    namesVisible: namesVisible(g),
    indicators: [...g.indicators],
    calendar: g.calendar.map((c) => ({
      period: c.period,
      opens: c.opens.toISOString(),
      closes: c.closes.toISOString(),
      signOffBy: c.signOffBy.toISOString(),
    })),
    languages: [...g.languages],
    sharePlans: g.sharePlans ?? false,
    revision: g.revision ?? 0,
    you: {
      coordinates: access.coordinates,
      member: access.member,
      invited: access.invited,
    },
  };
}

export interface CalendarEntry {
  period: string;
  opens: string;
  closes: string;
  signOffBy: string;
}

/** Checks indicator ids against both catalogues and the calendar's order of dates. */
async function checkSettings(s: { indicators?: string[]; calendar?: CalendarEntry[] }): Promise<void> {
  const problems: ErrorDetail[] = [];
  if (s.indicators) {
    const [survey, reported] = await Promise.all([loadCatalogue(), loadReportedCatalogue()]);
    s.indicators.forEach((id, i) => {
      if (!survey.has(id) && !reported.has(id))
        problems.push({ path: `/indicators/${i}`, message: `unknown indicator ${id}` });
    });
    if (new Set(s.indicators).size !== s.indicators.length)
      problems.push({ path: '/indicators', message: 'an indicator is listed twice' });
  }
  if (s.calendar) {
    const seen = new Set<string>();
    s.calendar.forEach((c, i) => {
      if (seen.has(c.period))
        problems.push({ path: `/calendar/${i}/period`, message: 'period listed twice' });
      seen.add(c.period);
      if (!(Date.parse(c.opens) < Date.parse(c.closes)))
        problems.push({ path: `/calendar/${i}/closes`, message: 'collection must close after it opens' });
      if (!(Date.parse(c.closes) <= Date.parse(c.signOffBy)))
        problems.push({
          path: `/calendar/${i}/signOffBy`,
          message: 'sign-off cannot be due before collection closes',
        });
    });
  }
  if (problems.length) throw new ValidationError('the group settings are inconsistent', problems);
}

const calendarDocs = (c: CalendarEntry[]) =>
  [...c]
    .sort((a, b) => a.period.localeCompare(b.period))
    .map((e) => ({
      period: e.period,
      opens: new Date(e.opens),
      closes: new Date(e.closes),
      signOffBy: new Date(e.signOffBy),
    }));

async function organisationBySlug(slug: string, path: string): Promise<OrganisationDoc> {
  const org = await findOrganisation(slug);
  if (!org) throw new ValidationError('unknown organisation', [{ path, message: `no organisation ${slug}` }]);
  return org;
}

export interface NewGroup {
  slug: string;
  name: string;
  description?: string;
  coordinators?: string[];
  indicators?: string[];
  calendar?: CalendarEntry[];
  languages?: string[];
  sharePlans?: boolean;
}

/**
 * Creates a group. A coordinator key creates it for its own organisation; a platform key names
 * the coordinating organisations.
 */
export async function createGroup(caller: AuthContext, body: NewGroup) {
  await checkSettings(body);
  let coordinators: Types.ObjectId[];
  if (caller.role === 'platform') {
    if (!body.coordinators?.length)
      throw new ValidationError('a group needs a coordinating organisation', [
        { path: '/coordinators', message: 'name at least one organisation slug' },
      ]);
    coordinators = [];
    for (const [i, slug] of body.coordinators.entries())
      coordinators.push((await organisationBySlug(slug, `/coordinators/${i}`))._id);
  } else {
    coordinators = [new Types.ObjectId(caller.organisationId!)];
  }
  const doc = await Group.create({
    slug: body.slug,
    name: body.name,
    description: body.description ?? '',
    coordinators,
    indicators: body.indicators ?? [],
    calendar: calendarDocs(body.calendar ?? []),
    languages: body.languages ?? ['en'],
    sharePlans: body.sharePlans ?? false,
  });
  readCache.clear();
  return groupView(accessTo(caller, doc.toObject() as GroupDoc));
}

/** A page of the groups the caller belongs to, coordinates or is invited to (platform: all), by slug. */
export async function listGroups(caller: AuthContext, page: PageRequest) {
  // Groups are few; their membership is filtered here rather than by a query on array fields.
  const all = await Group.find().lean<GroupDoc[]>();
  const mine = all
    .map((g) => accessTo(caller, g))
    .filter((a) => caller.role === 'platform' || a.coordinatingOrganisation || a.member || a.invited);
  const { items, nextCursor } = pageOf(mine, (a) => a.group.slug, page);
  return { items: await Promise.all(items.map(groupView)), nextCursor };
}

const MAX_ATTEMPTS = 5;

/**
 * Changes a group by read, change, write-if-unchanged. `expected` is the revision the caller
 * read (a stale one is a 409); without it, concurrent changes are retried on the fresh group.
 */
async function changeGroup(
  caller: AuthContext,
  ref: string,
  change: (access: GroupAccess) => Record<string, unknown> | Promise<Record<string, unknown>>,
  expected?: number,
) {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const access = await groupFor(caller, ref);
    const revision = access.group.revision ?? 0;
    if (expected !== undefined && expected !== revision)
      throw new ConflictError('the group changed since you read it; read it again', 'STALE_REVISION');
    const set = await change(access);
    // Groups made before returns were stamped have no stamp yet.
    const stamp = access.group.returnStamp ?? { $exists: false };
    const res = await oneWriteAtATime(Group, access.group._id, () =>
      Group.updateOne(
        { _id: access.group._id, revision, returnStamp: stamp },
        { $set: set, $inc: { revision: 1 } },
      ),
    );
    if (res.matchedCount === 1) {
      // This process's readers see the change at once; others within GROUP_READ_TTL_MS.
      readCache.clear();
      // Read back without the access check: a member that just left still gets its answer.
      return groupView(accessTo(caller, (await findGroup(ref))!));
    }
    // Changed meanwhile, or a first return stored: the next attempt reads the group again (and
    // refuses a stale revision the caller named).
  }
  throw new ConflictError('the group is being changed by others; try again', 'BUSY_GROUP');
}

/**
 * Records that a member's first return of a period was stored, if the period is still in the
 * group's calendar (else false: it left meanwhile). The stamp is written on the revision read, so
 * a calendar change between that read and this write is seen; and a calendar change read before
 * this write fails on the stamp and reads the group, and its returns, again.
 */
export async function stampFirstReturn(groupId: Types.ObjectId, period: string): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const group = await Group.findById(groupId).lean<GroupDoc>();
    if (!group?.calendar.some((c) => c.period === period)) return false;
    const res = await oneWriteAtATime(Group, groupId, () =>
      Group.updateOne(
        { _id: groupId, revision: group.revision ?? 0 },
        { $inc: { returnStamp: 1 } },
        { timestamps: false },
      ),
    );
    if (res.matchedCount === 1) return true;
  }
  throw new ConflictError('the group is being changed by others; try again', 'BUSY_GROUP');
}

/** Coordinators change the name, indicator set, calendar and languages. */
export function updateGroup(
  caller: AuthContext,
  ref: string,
  patch: Partial<Omit<NewGroup, 'slug' | 'coordinators'>> & { revision?: number },
) {
  return changeGroup(
    caller,
    ref,
    async (access) => {
      if (!access.coordinates) throw new ForbiddenError('only the group’s coordinators may do this');
      await checkSettings(patch);
      const set: Record<string, unknown> = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.indicators) set.indicators = patch.indicators;
      if (patch.calendar) {
        // A period that has returns stays: its returns are read, reopened and benchmarked by it.
        const kept = new Set(patch.calendar.map((c) => c.period));
        const inUse: ErrorDetail[] = [];
        for (const { period } of access.group.calendar)
          if (!kept.has(period) && (await DataReturn.exists({ groupId: access.group._id, period })))
            inUse.push({
              path: '/calendar',
              message: `period ${period} has returns; keep it in the calendar`,
            });
        if (inUse.length)
          throw new ConflictError('a period with returns cannot leave the calendar', 'PERIOD_IN_USE', inUse);
        set.calendar = calendarDocs(patch.calendar);
      }
      if (patch.languages) set.languages = patch.languages;
      if (patch.sharePlans !== undefined) set.sharePlans = patch.sharePlans;
      return set;
    },
    patch.revision,
  );
}

/** A coordinator invites an organisation; its admin accepts. */
export function inviteMember(caller: AuthContext, ref: string, slug: string) {
  return changeGroup(caller, ref, async (access) => {
    if (!access.coordinates) throw new ForbiddenError('only the group’s coordinators may do this');
    const org = await organisationBySlug(slug, '/organisation');
    if (access.group.members.some((m) => m.organisationId.equals(org._id)))
      throw new ConflictError(`${slug} is already invited or a member`, 'ALREADY_MEMBER');
    return {
      members: [
        ...access.group.members,
        {
          organisationId: org._id,
          status: 'invited',
          showName: false,
          invitedAt: new Date(),
          joinedAt: null,
        },
      ],
    };
  });
}

function ownMembership(caller: AuthContext, access: GroupAccess) {
  if (caller.role !== 'admin')
    throw new ForbiddenError('an admin key of the member organisation may do this');
  const entry = access.group.members.find((m) => m.organisationId.toHexString() === caller.organisationId);
  if (!entry) throw new NotFoundError('membership');
  return entry;
}

/** The invited organisation's admin accepts the invitation. */
export function acceptInvitation(caller: AuthContext, ref: string) {
  return changeGroup(caller, ref, (access) => {
    const entry = ownMembership(caller, access);
    if (entry.status === 'member') throw new ConflictError('already a member', 'ALREADY_MEMBER');
    return {
      members: access.group.members.map((m) =>
        m === entry ? { ...m, status: 'member', joinedAt: new Date() } : m,
      ),
    };
  });
}

/** A member's admin says whether the organisation agrees to show names inside the group. */
export function setNameConsent(caller: AuthContext, ref: string, showName: boolean) {
  return changeGroup(caller, ref, (access) => {
    const entry = ownMembership(caller, access);
    if (entry.status !== 'member') throw new ConflictError('accept the invitation first', 'NOT_A_MEMBER');
    return { members: access.group.members.map((m) => (m === entry ? { ...m, showName } : m)) };
  });
}

/** A coordinator removes a member or withdraws an invitation; a member's admin leaves. */
export async function removeMember(caller: AuthContext, ref: string, org: string) {
  const target = (await findOrganisation(org))?._id.toHexString();
  return changeGroup(caller, ref, (access) => {
    const entry = access.group.members.find((m) => m.organisationId.toHexString() === target);
    const own = !!entry && target === caller.organisationId;
    if (!access.coordinates && !(own && caller.role === 'admin'))
      throw new ForbiddenError('only coordinators remove members; an admin may leave for its organisation');
    if (!entry) throw new NotFoundError('member');
    return { members: access.group.members.filter((m) => m !== entry) };
  });
}
