import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { clusterDir, databaseDir, holdsData, startMongo, type FerretBackend } from './servers';

type Log = (line: string) => void;

/** One collection as moved: its documents and the indexes made for it. */
export interface MovedCollection {
  database: string;
  collection: string;
  documents: number;
  indexes: string[];
}

/** What {@link moveDatabase} did. */
export interface MoveReport {
  from: FerretBackend;
  to: FerretBackend;
  collections: MovedCollection[];
  seconds: number;
  /** Where the data on the old backend was put aside (delete it once the service runs well). */
  keptAt: string;
}

/** A refusal before anything was changed. */
export class MoveRefused extends Error {}

const SQLITE_FILE = /\.sqlite(-wal|-shm|-journal)?$/;
const BATCH = 1000;
/** A large collection says how far its copy has got this often. */
const PROGRESS_EVERY_MS = 10_000;
/** Databases FerretDB or MongoDB keep for themselves. */
const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);
/** Read and written as stored: 32- and 64-bit integers, doubles and binaries keep their BSON types. */
const AS_STORED = {
  promoteValues: false,
  promoteLongs: false,
  promoteBuffers: false,
  bsonRegExp: true,
} as const;

/** FerretDB's SQLite files in `dir`, with their write-ahead logs. */
function sqliteFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => SQLITE_FILE.test(f));
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/**
 * Order-independent fingerprint of a collection: the count and the sum (mod 2^64) of each
 * document's SHA-256 over its BSON bytes. Two collections that agree hold the same documents,
 * field order and BSON types included, whatever order they are read in.
 */
class Fingerprint {
  count = 0;
  private sum = 0n;

  add(doc: object): void {
    const digest = createHash('sha256').update(mongoose.mongo.BSON.serialize(doc)).digest();
    this.sum = (this.sum + digest.readBigUInt64BE(0)) & 0xffff_ffff_ffff_ffffn;
    this.count++;
  }

  equals(other: Fingerprint): boolean {
    return this.count === other.count && this.sum === other.sum;
  }
}

/** An index as `createIndexes` takes it back: key, name and the options that change what it does. */
function indexSpec(index: mongoose.mongo.Document): mongoose.mongo.IndexDescription {
  const spec: Record<string, unknown> = { key: index.key, name: index.name };
  for (const option of ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds']) {
    if (index[option] !== undefined) spec[option] = index[option];
  }
  return spec as unknown as mongoose.mongo.IndexDescription;
}

/** Copies one collection in batches, then its indexes, and proves the copy whole. */
async function copyCollection(
  source: mongoose.mongo.Db,
  target: mongoose.mongo.Db,
  name: string,
  log: Log,
): Promise<MovedCollection> {
  const started = Date.now();
  const ns = `${source.databaseName}.${name}`;
  const from = source.collection(name);
  await target.createCollection(name);
  const to = target.collection(name);
  const read = new Fingerprint();
  let batch: mongoose.mongo.Document[] = [];
  // One batch is written while the next is read.
  let writing: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    await writing;
    if (batch.length) {
      writing = to.insertMany(batch, { ordered: true, ...AS_STORED });
      // Handled here so that a failure waits, unreported, for the next flush to throw it.
      writing.catch(() => undefined);
    }
    batch = [];
  };
  const expected = await from.estimatedDocumentCount();
  let said = Date.now();
  for await (const doc of from.find({}, { ...AS_STORED, batchSize: BATCH })) {
    read.add(doc);
    batch.push(doc);
    if (batch.length >= BATCH) {
      await flush();
      if (Date.now() - said >= PROGRESS_EVERY_MS) {
        log(`  ${ns}: ${read.count} of about ${expected} documents copied…`);
        said = Date.now();
      }
    }
  }
  await flush();
  await writing;
  if (Date.now() - started >= PROGRESS_EVERY_MS) {
    log(`  ${ns}: ${read.count} copied; making its indexes and reading the copy back…`);
  }
  const indexes = (await from.listIndexes().toArray()).filter((i) => i.name !== '_id_');
  if (indexes.length) await to.createIndexes(indexes.map(indexSpec));

  const written = new Fingerprint();
  for await (const doc of to.find({}, { ...AS_STORED, batchSize: BATCH })) written.add(doc);
  if (!written.equals(read)) {
    throw new Error(
      `${ns}: the copy does not match (${written.count} documents read back, ${read.count} read); nothing was changed`,
    );
  }
  const made = (await to.listIndexes().toArray()).map((i) => String(i.name)).filter((n) => n !== '_id_');
  const missing = indexes.map((i) => String(i.name)).filter((n) => !made.includes(n));
  if (missing.length) {
    throw new Error(`${ns}: indexes ${missing.join(', ')} were not made; nothing was changed`);
  }
  log(
    `  ${ns}: ${read.count} documents, ${indexes.length} indexes (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return { database: source.databaseName, collection: name, documents: read.count, indexes: made };
}

/** Every database and collection of `sourceUri`, copied to `targetUri`. */
async function copyAll(sourceUri: string, targetUri: string, log: Log): Promise<MovedCollection[]> {
  const source = new mongoose.mongo.MongoClient(sourceUri);
  const target = new mongoose.mongo.MongoClient(targetUri);
  try {
    const moved: MovedCollection[] = [];
    const { databases } = await source.db('admin').admin().listDatabases({ nameOnly: true });
    for (const { name } of databases) {
      if (SYSTEM_DATABASES.has(name)) continue;
      const collections = await source.db(name).listCollections({}, { nameOnly: true }).toArray();
      for (const c of collections.sort((a, b) => a.name.localeCompare(b.name))) {
        if (c.name.startsWith('system.')) continue;
        moved.push(await copyCollection(source.db(name), target.db(name), c.name, log));
      }
    }
    return moved;
  } finally {
    await Promise.allSettled([source.close(), target.close()]);
  }
}

/**
 * Moves the local FerretDB's data under `dataDir` to the other backend (`npm run cli -- database
 * move --to postgresql`), with the service stopped:
 *
 * 1. FerretDB is started on the data as it is, and a second FerretDB on the new backend in a
 *    staging directory beside it;
 * 2. every collection is copied with its indexes, BSON types as stored, and read back: the
 *    count and a fingerprint of every document must match, else nothing is changed;
 * 3. the new backend's files are moved into place, then the old ones into a folder of their own
 *    (kept, not deleted). Each step is a rename, and after either one the service starts on
 *    complete data: PostgreSQL's cluster is chosen over SQLite files once it is in place.
 */
export async function moveDatabase(opts: {
  dataDir: string;
  to: FerretBackend;
  log: Log;
}): Promise<MoveReport> {
  const { to, log } = opts;
  const from: FerretBackend = to === 'postgresql' ? 'sqlite' : 'postgresql';
  const dir = path.resolve(databaseDir(opts.dataDir));
  if (!holdsData(dir, from)) {
    throw new MoveRefused(`${dir} holds no FerretDB data on ${from}: there is nothing to move`);
  }
  // The cluster's directory must be free for the rename at the end, even if it holds no cluster.
  if (to === 'postgresql' ? existsSync(clusterDir(dir)) : holdsData(dir, 'sqlite')) {
    throw new MoveRefused(
      `${dir} already holds data on ${to} (${to === 'postgresql' ? clusterDir(dir) : 'its *.sqlite files'}); move it aside first, nothing was changed`,
    );
  }
  const started = Date.now();
  const staging = path.join(dir, `.move-to-${to}`);
  rmSync(staging, { recursive: true, force: true });
  log(`moving ${dir} from ${from} to ${to}…`);
  const source = await startMongo({ dir, backend: from, log });
  let collections: MovedCollection[];
  try {
    if (source.kind !== 'ferretdb') {
      throw new MoveRefused(
        'this machine runs mongod, not FerretDB: its data has no FerretDB backend to move',
      );
    }
    const target = await startMongo({ dir: staging, backend: to, log });
    try {
      collections = await copyAll(source.uri, target.uri, log);
    } finally {
      await target.stop();
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  } finally {
    await source.stop();
  }

  const keptAt = path.join(dir, `${from}-before-move-${stamp()}`);
  if (to === 'postgresql') {
    renameSync(clusterDir(staging), clusterDir(dir));
    mkdirSync(keptAt);
    for (const f of sqliteFiles(dir)) renameSync(path.join(dir, f), path.join(keptAt, f));
  } else {
    for (const f of sqliteFiles(staging)) renameSync(path.join(staging, f), path.join(dir, f));
    renameSync(clusterDir(dir), keptAt);
  }
  rmSync(staging, { recursive: true, force: true });
  const seconds = +((Date.now() - started) / 1000).toFixed(1);
  log(
    `moved ${collections.length} collections to ${to} in ${seconds} s; the ${from} data is kept in ${keptAt}`,
  );
  return { from, to, collections, seconds, keptAt };
}
