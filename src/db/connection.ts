import mongoose from 'mongoose';

/**
 * Connects the default mongoose connection. Index building is explicit
 * ({@link syncIndexes}) so that start-up, not the first query, pays for it.
 */
export async function connectMongo(uri: string): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  return mongoose.connect(uri, { autoIndex: false, serverSelectionTimeoutMS: 5000, maxPoolSize: 20 });
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
