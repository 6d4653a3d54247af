import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Types } from 'mongoose';
import type { AuthContext, Role } from '../../http/context';
import { afterCursor, toPage, type PageRequest } from '../../http/pagination';
import { ConflictError, NotFoundError, UnavailableError } from '../../errors';
import { LockUnavailableError, type LockRunner } from '../../queue/lock';
import { ApiKey, ApiKeyUse, type ApiKeyDoc } from './api-key.model';
import { SharedCache } from '../../shared-cache';
import { oneWriteAtATime } from '../../db/one-write';
import { upsertRetrying } from '../../db/upsert';

const KEY_FORMAT = /^tv_([a-f0-9]{24})_([A-Za-z0-9_-]{43})$/;
/** Writing last-used on every request would turn reads into writes; a minute is precise enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** A key as shown to its owners: never the secret or its hash. */
export interface ApiKeyView {
  id: string;
  organisationId: string | null;
  role: Role;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function hash(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Lean reads return BSON Binary rather than Buffer. */
function storedHash(value: unknown): Buffer | null {
  if (Buffer.isBuffer(value)) return value.length === 32 ? value : null;
  const inner = (value as { buffer?: Uint8Array } | null | undefined)?.buffer;
  return inner && inner.length === 32 ? Buffer.from(inner) : null;
}

/** Public shape of a stored key, with when it was last used (kept apart from the key). */
export function toKeyView(doc: ApiKeyDoc, used: Date | null = null): ApiKeyView {
  // A use kept apart is newer than one earlier releases wrote on the key.
  const lastUsed = used ?? doc.lastUsedAt;
  return {
    id: doc._id.toHexString(),
    organisationId: doc.organisationId ? doc.organisationId.toHexString() : null,
    role: doc.role,
    label: doc.label,
    createdAt: doc.createdAt.toISOString(),
    lastUsedAt: lastUsed ? lastUsed.toISOString() : null,
    revokedAt: doc.revokedAt ? doc.revokedAt.toISOString() : null,
  };
}

/**
 * Creates a key with a 256-bit random secret. The returned `key` is the only time the
 * secret exists outside the caller's hands; only its SHA-256 is stored (the secret is
 * random, so a slow password hash would add nothing).
 */
export async function createApiKey(input: {
  organisationId: string | null;
  role: Role;
  label?: string;
  createdBy?: string | null;
}): Promise<ApiKeyView & { key: string }> {
  const id = new Types.ObjectId();
  const secret = randomBytes(32).toString('base64url');
  const doc = await ApiKey.create({
    _id: id,
    organisationId: input.organisationId ? new Types.ObjectId(input.organisationId) : null,
    role: input.role,
    label: input.label ?? '',
    secretHash: hash(secret),
    createdBy: input.createdBy ? new Types.ObjectId(input.createdBy) : null,
  });
  return { ...toKeyView(doc.toObject() as ApiKeyDoc), key: `tv_${id.toHexString()}_${secret}` };
}

/**
 * Keys seen recently, so a burst of requests does not read the same key from the database
 * each time. A revocation in this process takes effect at once; in another API process
 * within {@link KEY_CACHE_MS}.
 */
export const KEY_CACHE_MS = 10_000;
const keyCache = new SharedCache<ApiKeyDoc | null>(10_000);
/** When this process last wrote each key's use. */
const usesWritten = new Map<string, number>();

/** One lookup per key and {@link KEY_CACHE_MS}, shared by every request that arrives meanwhile. */
function findKey(id: string): Promise<ApiKeyDoc | null> {
  return keyCache.forMs(id, KEY_CACHE_MS, () => ApiKey.findById(id).lean<ApiKeyDoc>().exec());
}

/** Resolves a bearer key to its caller, or null for anything unknown, malformed or revoked. */
export async function authenticateKey(presented: string): Promise<AuthContext | null> {
  const m = KEY_FORMAT.exec(presented);
  if (!m) return null;
  const [, id, secret] = m as unknown as [string, string, string];
  const doc = await findKey(id);
  const stored = storedHash(doc?.secretHash);
  // Compare even for unknown ids so timing does not reveal which ids exist.
  const ok = timingSafeEqual(stored ?? hash(''), hash(secret)) && stored !== null;
  if (!doc || !ok || doc.revokedAt) return null;
  const now = Date.now();
  if (now - (usesWritten.get(id) ?? 0) > LAST_USED_RESOLUTION_MS) {
    if (usesWritten.size >= 10_000) usesWritten.clear();
    usesWritten.set(id, now);
    await upsertRetrying(() =>
      ApiKeyUse.updateOne({ _id: doc._id }, { $set: { lastUsedAt: new Date(now) } }, { upsert: true }),
    );
  }
  return {
    keyId: doc._id.toHexString(),
    organisationId: doc.organisationId ? doc.organisationId.toHexString() : null,
    role: doc.role,
  };
}

/** Keys of an organisation (platform keys when organisationId is null). */
export async function listApiKeys(organisationId: string | null, page: PageRequest) {
  const docs = await ApiKey.find({
    organisationId: organisationId ? new Types.ObjectId(organisationId) : null,
    ...afterCursor(page.cursor),
  })
    .sort({ _id: 1 })
    .limit(page.limit + 1)
    .lean<ApiKeyDoc[]>();
  const found = toPage(docs, page.limit, (d) => d);
  const uses = await ApiKeyUse.find({ _id: { $in: found.items.map((d) => d._id) } }).lean();
  const used = new Map(uses.map((u) => [u._id.toHexString(), u.lastUsedAt]));
  return {
    items: found.items.map((d) => toKeyView(d, used.get(d._id.toHexString()) ?? null)),
    nextCursor: found.nextCursor,
  };
}

/**
 * Revokes a key of the caller's organisation. A key of another organisation is "not found",
 * exactly like a missing one. Revoking twice keeps the first revocation time. An organisation
 * cannot revoke its last working admin key, which would lock it out until the platform
 * issues a new one; the platform itself can (a leaked key must be stoppable).
 */
export async function revokeApiKey(
  caller: AuthContext,
  keyId: string,
  lock: LockRunner,
): Promise<ApiKeyView> {
  if (!Types.ObjectId.isValid(keyId) || keyId.length !== 24) throw new NotFoundError('API key');
  const scope =
    caller.role === 'platform'
      ? {}
      : { organisationId: new Types.ObjectId(caller.organisationId ?? undefined) };
  const doc = await ApiKey.findOne({ _id: new Types.ObjectId(keyId), ...scope }).lean<ApiKeyDoc>();
  if (!doc) throw new NotFoundError('API key');
  const revoke = () =>
    oneWriteAtATime(ApiKey, doc._id, () =>
      ApiKey.updateOne({ _id: doc._id, revokedAt: null }, { $set: { revokedAt: new Date() } }),
    );
  if (!doc.revokedAt && doc.role === 'admin' && caller.role !== 'platform') {
    // Count and revoke under one lock per organisation: two admins revoking each other at once
    // must not both see two working keys.
    await lockAdminKeys(lock, doc.organisationId!.toHexString(), async () => {
      const admins = await ApiKey.countDocuments({
        organisationId: doc.organisationId,
        role: 'admin',
        revokedAt: null,
      });
      if (admins <= 1)
        throw new ConflictError(
          'this is the organisation’s last working admin key; issue another admin key first',
          'LAST_ADMIN_KEY',
        );
      await revoke();
    });
  } else if (!doc.revokedAt) {
    await revoke();
  }
  keyCache.delete(keyId);
  const after = await ApiKey.findById(doc._id).lean<ApiKeyDoc>();
  const use = await ApiKeyUse.findById(doc._id).lean();
  return toKeyView(after!, use?.lastUsedAt ?? null);
}

async function lockAdminKeys(lock: LockRunner, organisationId: string, fn: () => Promise<void>) {
  try {
    await lock(`admin-keys:${organisationId}`, fn);
  } catch (err) {
    if (!(err instanceof LockUnavailableError)) throw err;
    throw new UnavailableError('admin keys cannot be revoked while Redis is unreachable; try again shortly');
  }
}
