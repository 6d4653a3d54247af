import mongoose from 'mongoose';

/**
 * How long an operation waits for a reachable database before it fails. Short on purpose: while
 * the database is down every request answers 503 at once instead of hanging, and the driver
 * reconnects on its own when the database is back.
 */
export const DATABASE_WAIT_MS = 800;

/**
 * How often the driver asks the server whether it is there, and how long it waits for the
 * answer (and for a new connection). A database that stops answering without closing its
 * connections (a frozen host, a lost network path) is noticed within their sum; the driver then
 * fails the operations in flight (503) instead of leaving them to wait. With the driver's
 * defaults (10 s and 30 s) such requests waited 40 s.
 */
const HEARTBEAT_MS = 1000;
const HEARTBEAT_TIMEOUT_MS = 2000;

/** The driver's settings for noticing an unreachable database, as every connection uses them. */
export const OUTAGE_OPTIONS = {
  serverSelectionTimeoutMS: DATABASE_WAIT_MS,
  heartbeatFrequencyMS: HEARTBEAT_MS,
  connectTimeoutMS: HEARTBEAT_TIMEOUT_MS,
} as const;

/**
 * Connects the default mongoose connection, retrying for up to `startupWaitMs` while the server
 * comes up. Index building is explicit ({@link syncIndexes}) so that start-up, not the first
 * query, pays for it.
 */
export async function connectMongo(uri: string, startupWaitMs = 30_000): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  mongoose.set('bufferTimeoutMS', DATABASE_WAIT_MS);
  const deadline = Date.now() + startupWaitMs;
  for (;;) {
    try {
      return await mongoose.connect(uri, {
        ...OUTAGE_OPTIONS,
        autoIndex: false,
        maxPoolSize: 20,
      });
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** The driver's errors for an unreachable database, by name (as they come out of other layers). */
const UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoPoolClearedError',
  'PoolClearedOnNetworkError',
  'MongoPoolClosedError',
]);

/**
 * Whether an error means "the database cannot be reached" (as opposed to a bad query): no server
 * selectable, a dropped or timed-out connection (including operations cut off when a failed
 * heartbeat clears the pool: a cursor's next batch, which the driver does not retry), a closed
 * client, or mongoose giving up on commands buffered while disconnected.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const { mongo } = mongoose;
  // The driver's pool errors (a pool cleared by a failed heartbeat is one) are network errors.
  if (err instanceof mongo.MongoNetworkError || err instanceof mongo.MongoServerClosedError) return true;
  const e = err as { name?: string; message?: string } | null;
  if (!e || typeof e !== 'object') return false;
  if (UNREACHABLE.has(e.name ?? '')) return true;
  return e.name === 'MongooseError' && /buffering timed out/.test(e.message ?? '');
}

/** Creates the indexes every model declares (unique submission ids, slugs, key hashes). */
export async function syncIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) await model.createIndexes();
}

/** Round-trips a ping; rejects after `timeoutMs` if the server does not answer. */
export async function pingMongo(timeoutMs = 1000): Promise<void> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== 1 || !db) throw new Error('not connected');
  await withTimeout(db.admin().ping(), timeoutMs);
}

/** Closes the connection, waiting for in-flight operations. */
export async function disconnectMongo(): Promise<void> {
  await mongoose.disconnect();
}

/** Rejects when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
