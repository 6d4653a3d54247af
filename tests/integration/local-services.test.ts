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

async function withDatabase<T>(uri: string, use: (db: mongoose.mongo.Db) => Promise<T>): Promise<T> {
  const client = new mongoose.mongo.MongoClient(`${uri}/local_services`);
  try {
    return await use(client.db());
  } finally {
    await client.close();
  }
}

it('runs FerretDB on PostgreSQL by default and keeps its data across restarts', async () => {
  const data = path.join(dir, 'fresh');
  const first = await startMongo({ dir: data });
  try {
    expect([first.kind, first.backend]).toEqual(['ferretdb', 'postgresql']);
    expect(first.pids).toHaveLength(2);
    await withDatabase(first.uri, (db) => db.collection('notes').insertOne({ _id: 'kept' as never }));
  } finally {
    await first.stop();
  }
  const again = await startMongo({ dir: data });
  try {
    expect(again.backend).toBe('postgresql');
    const found = await withDatabase(again.uri, (db) => db.collection('notes').find().toArray());
    expect(found.map((d) => d._id)).toEqual(['kept']);
  } finally {
    await again.stop();
  }
});

it('keeps a data directory that holds SQLite data on SQLite unless PostgreSQL is asked for', async () => {
  const data = path.join(dir, 'older');
  const sqlite = await startMongo({ dir: data, backend: 'sqlite' });
  try {
    await withDatabase(sqlite.uri, (db) => db.collection('notes').insertOne({ _id: 'old' as never }));
  } finally {
    await sqlite.stop();
  }
  const chosen = await startMongo({ dir: data });
  try {
    expect(chosen.backend).toBe('sqlite');
    const found = await withDatabase(chosen.uri, (db) => db.collection('notes').find().toArray());
    expect(found.map((d) => d._id)).toEqual(['old']);
  } finally {
    await chosen.stop();
  }
  const asked = await startMongo({ dir: data, backend: 'postgresql' });
  try {
    expect(asked.backend).toBe('postgresql');
    const found = await withDatabase(asked.uri, (db) => db.collection('notes').find().toArray());
    expect(found).toEqual([]);
  } finally {
    await asked.stop();
  }
});
