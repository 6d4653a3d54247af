import mongoose, { Types, type mongo } from 'mongoose';
import { GroupInsert, type InsertOutcome } from '../../src/db/group-insert';
import { createTestContext, type TestContext } from '../support/harness';

/**
 * Group commit on the real database: every caller learns its own document's outcome, batches
 * form under load and not when alone, and a failed write reaches exactly the callers it stopped.
 */
let ctx: TestContext;
let collection: mongo.Collection;
/** The size of every insertMany sent, in order. */
let sent: number[];

/** The real collection, recording the size of each write it is given. */
function recorded(): mongo.Collection {
  return new Proxy(collection, {
    get(target, prop, receiver) {
      if (prop !== 'insertMany') return Reflect.get(target, prop, receiver) as unknown;
      return (docs: mongo.Document[], options: mongo.BulkWriteOptions) => {
        sent.push(docs.length);
        return target.insertMany(docs, options);
      };
    },
  });
}

beforeAll(async () => {
  ctx = await createTestContext();
  collection = mongoose.connection.db!.collection(`group_insert_${Date.now()}`);
});

beforeEach(() => {
  sent = [];
});

afterAll(async () => {
  await ctx.close();
});

it('writes a lone insert at once, in a write of its own', async () => {
  const inserts = new GroupInsert(recorded);
  const _id = new Types.ObjectId();
  await expect(inserts.insert({ _id, x: 1 })).resolves.toBe('inserted');
  expect(sent).toEqual([1]);
  expect(await collection.findOne({ _id })).toMatchObject({ x: 1 });
});

it('groups concurrent inserts and tells each caller what became of its document', async () => {
  const inserts = new GroupInsert(recorded, 25);
  const stored = Array.from({ length: 10 }, () => new Types.ObjectId());
  await collection.insertMany(stored.map((_id) => ({ _id, before: true })));
  const fresh = Array.from({ length: 60 }, () => new Types.ObjectId());
  // 60 new documents, the 10 stored ones again, and 5 of the new ones twice in the same burst.
  const ids = [...fresh, ...stored, ...fresh.slice(0, 5)];
  const outcomes = await Promise.all(ids.map((_id, i) => inserts.insert({ _id, i })));

  const expected: InsertOutcome[] = [
    ...fresh.map((): InsertOutcome => 'inserted'),
    ...stored.map((): InsertOutcome => 'duplicate'),
    ...fresh.slice(0, 5).map((): InsertOutcome => 'duplicate'),
  ];
  expect(outcomes).toEqual(expected);
  expect(await collection.countDocuments({ _id: { $in: fresh } })).toBe(60);
  // The stored documents were not overwritten, and each new one holds the first caller's fields.
  expect(await collection.countDocuments({ _id: { $in: stored }, before: true })).toBe(10);
  const first = await collection.findOne({ _id: fresh[0] });
  expect(first).toMatchObject({ i: 0 });
  // The first went alone; the 74 that arrived meanwhile went in batches of at most 25.
  expect(sent[0]).toBe(1);
  expect(sent.reduce((a, b) => a + b, 0)).toBe(ids.length);
  expect(sent.length).toBeLessThanOrEqual(1 + Math.ceil((ids.length - 1) / 25));
  expect(Math.max(...sent)).toBeLessThanOrEqual(25);
});

it('passes a failed write to every caller of that batch, and carries on with the next', async () => {
  let failNext = true;
  const failing = () =>
    new Proxy(collection, {
      get(target, prop, receiver) {
        if (prop !== 'insertMany') return Reflect.get(target, prop, receiver) as unknown;
        return (docs: mongo.Document[], options: mongo.BulkWriteOptions) => {
          sent.push(docs.length);
          if (failNext) {
            failNext = false;
            return Promise.reject(new Error('connection closed'));
          }
          return target.insertMany(docs, options);
        };
      },
    });
  const inserts = new GroupInsert(failing);
  const lone = inserts.insert({ _id: new Types.ObjectId() });
  const later = Array.from({ length: 5 }, () => new Types.ObjectId());
  const following = later.map((_id) => inserts.insert({ _id }));
  await expect(lone).rejects.toThrow('connection closed');
  await expect(Promise.all(following)).resolves.toEqual(later.map(() => 'inserted'));
  expect(sent).toEqual([1, 5]);
  expect(await collection.countDocuments({ _id: { $in: later } })).toBe(5);
});

it('never reports a document stored when the write failed as a whole, and fails those waiting behind it at once', async () => {
  const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), {
    name: 'MongoServerSelectionError',
  });
  // What the driver's insertMany throws then: a bulk error with no write errors, nothing stored,
  // and the cause inside (measured against a stopped FerretDB).
  const bulk = Object.assign(new Error(unreachable.message), {
    name: 'MongoBulkWriteError',
    writeErrors: [],
    insertedCount: 0,
    errorResponse: unreachable,
  });
  let release: () => void = () => undefined;
  let calls = 0;
  const down = () =>
    new Proxy(collection, {
      get(target, prop, receiver) {
        if (prop !== 'insertMany') return Reflect.get(target, prop, receiver) as unknown;
        return (docs: mongo.Document[], options: mongo.BulkWriteOptions) => {
          sent.push(docs.length);
          calls++;
          // The first write hangs until released, then fails as an unreachable database does.
          if (calls === 1) return new Promise((_, reject) => (release = () => reject(bulk)));
          return target.insertMany(docs, options);
        };
      },
    });
  const inserts = new GroupInsert(down);
  const first = inserts.insert({ _id: new Types.ObjectId() });
  const waiting = Array.from({ length: 4 }, () => inserts.insert({ _id: new Types.ObjectId() }));
  release();
  await expect(first).rejects.toBe(unreachable);
  // Those that waited are not sent on a second wait: they fail with the same error.
  for (const w of waiting) await expect(w).rejects.toBe(unreachable);
  expect(sent).toEqual([1]);
  // The database is back: the next insert is written.
  const _id = new Types.ObjectId();
  await expect(inserts.insert({ _id })).resolves.toBe('inserted');
  expect(sent).toEqual([1, 1]);
});
