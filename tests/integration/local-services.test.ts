import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startMongo } from '../../src/local-services/servers';

// The database servers `npm start` runs when no MONGODB_URI is given: FerretDB on a
// PostgreSQL of its own by default, and on SQLite where a data directory already holds
// SQLite data, so an upgrade never starts on an empty database beside the old one.
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'local-services-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Started = Awaited<ReturnType<typeof startMongo>>;

/** Starts the database on `opts`, gives `use` the server and its `notes` collection, then stops it. */
async function withServer<T>(
  opts: Parameters<typeof startMongo>[0],
  use: (server: Started, notes: mongoose.mongo.Collection) => Promise<T>,
): Promise<T> {
  const server = await startMongo(opts);
  const client = new mongoose.mongo.MongoClient(`${server.uri}/local_services`);
  try {
    return await use(server, client.db().collection('notes'));
  } finally {
    await client.close();
    await server.stop();
  }
}

it('runs FerretDB on PostgreSQL by default and keeps its data across restarts', async () => {
  const data = path.join(dir, 'fresh');
  await withServer({ dir: data }, async (first, notes) => {
    expect([first.kind, first.backend]).toEqual(['ferretdb', 'postgresql']);
    expect(first.pids).toHaveLength(2);
    await notes.insertOne({ _id: 'kept' as never });
  });
  await withServer({ dir: data }, async (again, notes) => {
    expect(again.backend).toBe('postgresql');
    expect((await notes.find().toArray()).map((d) => d._id)).toEqual(['kept']);
  });
});

it('keeps a data directory that holds SQLite data on SQLite unless PostgreSQL is asked for', async () => {
  const data = path.join(dir, 'older');
  await withServer({ dir: data, backend: 'sqlite' }, (_, notes) => notes.insertOne({ _id: 'old' as never }));
  await withServer({ dir: data }, async (chosen, notes) => {
    expect(chosen.backend).toBe('sqlite');
    expect((await notes.find().toArray()).map((d) => d._id)).toEqual(['old']);
  });
  await withServer({ dir: data, backend: 'postgresql' }, async (asked, notes) => {
    expect(asked.backend).toBe('postgresql');
    expect(await notes.find().toArray()).toEqual([]);
  });
});
