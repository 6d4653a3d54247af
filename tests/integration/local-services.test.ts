import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ensurePostgres } from '../../src/local-services/binaries';
import { moveDatabase, MoveRefused } from '../../src/local-services/move';
import { databaseDir, startMongo } from '../../src/local-services/servers';
import { runTsx, startChild, stopChildren, waitFor, type Child } from '../support/children';

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

/** Whether a process exists (signal 0 tests without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('stops the servers the test setup started, and removes their data, when the run is ended by SIGTERM', async () => {
  const children: Child[] = [];
  const child = startChild(children, ['--import', 'tsx', 'tests/support/setup-then-wait.ts'], {
    ...process.env,
    MONGODB_URI: '',
    REDIS_URL: '',
    FERRETDB_BACKEND: '',
  });
  type Started = { pids: number[]; redisUrl: string; dir: string };
  let started: Started | null = null;
  try {
    started = await waitFor('the test setup', child, async () => {
      const line = child.output.find((l) => l.startsWith('{"pids"'));
      return line ? (JSON.parse(line) as Started) : null;
    });
    // FerretDB and its PostgreSQL, and Redis, all running.
    expect(started.pids).toHaveLength(2);
    expect(started.pids.map(alive)).toEqual([true, true]);
    const redisPort = Number(new URL(started.redisUrl).port);
    const connects = () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(redisPort, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    expect(await connects()).toBe(true);
    const exited = once(child.process, 'exit');
    child.process.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(128 + os.constants.signals.SIGTERM);
    expect(started.pids.map(alive)).toEqual([false, false]);
    expect(await connects()).toBe(false);
    // Their data went with them.
    expect(existsSync(started.dir)).toBe(false);
  } finally {
    await stopChildren(children);
    for (const pid of started?.pids ?? []) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (started?.dir) rmSync(started.dir, { recursive: true, force: true });
  }
}, 120_000);

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

type Plan = { 'Node Type': string; 'Index Name'?: string; Plans?: Plan[] };

/** The indexes PostgreSQL's plan of a find reads (FerretDB's explain returns that plan), and whether it reads a table whole. */
async function planOf(
  db: mongoose.mongo.Db,
  filter: object,
): Promise<{ indexes: string[]; seqScan: boolean }> {
  const explained = await db.command({ explain: { find: 'notes', filter }, verbosity: 'queryPlanner' });
  const nodes: Plan[] = [];
  const walk = (node: Plan) => nodes.push(node) && (node.Plans ?? []).forEach(walk);
  walk((explained.queryPlanner as { Plan: Plan }).Plan);
  return {
    indexes: nodes.flatMap((n) => (n['Index Name'] ? [n['Index Name']] : [])),
    seqScan: nodes.some((n) => n['Node Type'] === 'Seq Scan'),
  };
}

it("serves equality filters on PostgreSQL from indexes: a GIN companion for each of FerretDB's, also in a cluster made before them, dropped with its index", async () => {
  const data = path.join(dir, 'indexed');
  const docs = Array.from({ length: 3000 }, (_, i) => ({
    _id: `n${i}`,
    org: `o${i % 100}`,
    period: `p${i % 7}`,
    address: { city: `c${i % 10}` },
  }));
  const expected = (org: string, period: string) =>
    docs.filter((d) => d.org === org && d.period === period).map((d) => d._id);
  const psql = ensurePostgres(() => undefined).psql;
  const sql = (url: string, command: string) => {
    const res = spawnSync(psql, [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', command], {
      encoding: 'utf8',
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  };

  let server = await startMongo({ dir: data });
  let client = new mongoose.mongo.MongoClient(`${server.uri}/local_services`);
  try {
    const notes = client.db().collection('notes');
    await notes.createIndex({ org: 1, period: 1 }, { name: 'org_period' });
    await notes.createIndex({ 'address.city': 1 }, { name: 'city' });
    await notes.insertMany(docs as never[]);

    const byId = await planOf(client.db(), { _id: 'n17' });
    expect(byId).toEqual({ indexes: [expect.stringMatching(/_id_.*_gin$/)], seqScan: false });
    expect(await planOf(client.db(), { org: 'o5', period: 'p3' })).toEqual({
      indexes: [expect.stringMatching(/org_period.*_gin$/)],
      seqScan: false,
    });
    // The answers are the table's, only found sooner.
    expect((await notes.find({ org: 'o5', period: 'p3' }).toArray()).map((d) => d._id).sort()).toEqual(
      expected('o5', 'p3').sort(),
    );
    expect(await notes.findOne({ _id: 'n17' as never })).toMatchObject({ org: 'o17', period: 'p3' });
    // FerretDB reads a nested field with `#>`, which no companion serves: it has none.
    expect((await planOf(client.db(), { 'address.city': 'c1' })).seqScan).toBe(true);

    await notes.dropIndex('org_period');
    expect(await planOf(client.db(), { org: 'o5' })).toEqual({ indexes: [], seqScan: true });

    // A cluster made before the companions: no triggers, no GIN indexes.
    sql(
      server.postgresUrl!,
      `DROP EVENT TRIGGER ferretdb_gin_on_create; DROP EVENT TRIGGER ferretdb_gin_on_drop;
       DO $$ DECLARE r record; BEGIN
         FOR r IN SELECT schemaname, indexname FROM pg_indexes WHERE indexname LIKE '%\\_gin' LOOP
           EXECUTE format('DROP INDEX %I.%I', r.schemaname, r.indexname);
         END LOOP;
       END $$;`,
    );
    expect(await planOf(client.db(), { _id: 'n17' })).toEqual({ indexes: [], seqScan: true });
  } finally {
    await client.close();
    await server.stop();
  }

  server = await startMongo({ dir: data });
  client = new mongoose.mongo.MongoClient(`${server.uri}/local_services`);
  try {
    const notes = client.db().collection('notes');
    expect(await notes.countDocuments()).toBe(docs.length);
    expect((await planOf(client.db(), { _id: 'n17' })).indexes).toEqual([
      expect.stringMatching(/_id_.*_gin$/),
    ]);
    await notes.createIndex({ period: 1, org: 1 }, { name: 'period_org' });
    expect((await planOf(client.db(), { org: 'o5', period: 'p3' })).indexes).toEqual([
      expect.stringMatching(/period_org.*_gin$/),
    ]);
    expect((await notes.find({ period: 'p3', org: 'o5' }).toArray()).map((d) => d._id).sort()).toEqual(
      expected('o5', 'p3').sort(),
    );
  } finally {
    await client.close();
    await server.stop();
  }
}, 120_000);

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

const { BSON } = mongoose.mongo;
const AS_STORED = { promoteValues: false, promoteLongs: false, promoteBuffers: false } as const;

/** Documents of several BSON types and languages, in two databases, with indexes and an empty collection. */
async function fill(uri: string): Promise<void> {
  const client = new mongoose.mongo.MongoClient(uri);
  try {
    const main = client.db('tenant_voice');
    const responses = main.collection('responses');
    await responses.createIndex({ campaignId: 1, completedAt: -1 }, { name: 'campaign_time' });
    await responses.createIndex({ submissionId: 1 }, { name: 'submission', unique: true });
    await responses.insertMany(
      Array.from({ length: 2500 }, (_, i) => ({
        _id: new BSON.ObjectId(),
        campaignId: new BSON.ObjectId('64b000000000000000000001'),
        submissionId: `s-${i}`,
        n32: new BSON.Int32(i),
        n64: BSON.Long.fromNumber(2 ** 40 + i),
        real: new BSON.Double(2),
        completedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
        answers: {
          q1: i % 5,
          tekst: 'Zażółć gęślą jaźń',
          ka: 'კმაყოფილი ვარ',
          list: [1, 'dwa', null, { deep: true }],
        },
        photo: new BSON.Binary(Buffer.from([0, 1, 2, i % 256])),
        note: null,
      })),
    );
    await main.createCollection('empty');
    await client
      .db('other')
      .collection('notes')
      .insertOne({ _id: 'kept' as never, text: 'ok' });
  } finally {
    await client.close();
  }
}

/** Every document of every collection as stored (BSON bytes), and every index name, by namespace. */
async function snapshot(uri: string): Promise<Record<string, { docs: string[]; indexes: string[] }>> {
  const client = new mongoose.mongo.MongoClient(uri);
  try {
    const out: Record<string, { docs: string[]; indexes: string[] }> = {};
    for (const db of ['tenant_voice', 'other']) {
      for (const { name } of await client.db(db).listCollections({}, { nameOnly: true }).toArray()) {
        const c = client.db(db).collection(name);
        const docs = (await c.find({}, AS_STORED).toArray()).map((d) =>
          Buffer.from(BSON.serialize(d)).toString('base64'),
        );
        const indexes = (await c.listIndexes().toArray()).map((i) => String(i.name));
        out[`${db}.${name}`] = { docs: docs.sort(), indexes: indexes.sort() };
      }
    }
    return out;
  } finally {
    await client.close();
  }
}

/** The backend the database under `data` starts on by default, and its snapshot. */
async function startsOn(data: string) {
  const server = await startMongo({ dir: databaseDir(data) });
  try {
    return { backend: server.backend, snapshot: await snapshot(server.uri), uri: server.uri };
  } finally {
    await server.stop();
  }
}

it('moves SQLite data to PostgreSQL and back whole: every document as stored, every index, nothing lost', async () => {
  const data = path.join(dir, 'move');
  const mongoDir = databaseDir(data);
  const first = await startMongo({ dir: mongoDir, backend: 'sqlite' });
  let before;
  try {
    await fill(first.uri);
    before = await snapshot(first.uri);
  } finally {
    await first.stop();
  }
  expect(before['tenant_voice.responses']!.docs).toHaveLength(2500);
  expect(before['tenant_voice.responses']!.indexes).toEqual(['_id_', 'campaign_time', 'submission']);
  expect(before['tenant_voice.empty']!.docs).toEqual([]);

  const lines: string[] = [];
  const report = await moveDatabase({ dataDir: data, to: 'postgresql', log: (l) => lines.push(l) });
  expect(report).toMatchObject({ from: 'sqlite', to: 'postgresql' });
  expect(report.collections.find((c) => c.collection === 'responses')).toMatchObject({
    database: 'tenant_voice',
    documents: 2500,
    indexes: ['campaign_time', 'submission'],
  });
  // The SQLite files are kept aside, out of the way of the default choice.
  expect(readdirSync(mongoDir).filter((f) => f.endsWith('.sqlite'))).toEqual([]);
  expect(
    readdirSync(report.keptAt)
      .filter((f) => f.endsWith('.sqlite'))
      .sort(),
  ).toEqual(['other.sqlite', 'tenant_voice.sqlite']);
  expect(readdirSync(mongoDir).filter((f) => f.startsWith('.move'))).toEqual([]);

  const moved = await startsOn(data);
  expect(moved.backend).toBe('postgresql');
  expect(moved.snapshot).toEqual(before);

  // The unique index still refuses a second submission under the same id.
  const server = await startMongo({ dir: mongoDir });
  const client = new mongoose.mongo.MongoClient(server.uri);
  try {
    await expect(
      client.db('tenant_voice').collection('responses').insertOne({ submissionId: 's-7' }),
    ).rejects.toMatchObject({ code: 11000 });
  } finally {
    await client.close();
    await server.stop();
  }

  const back = await moveDatabase({ dataDir: data, to: 'sqlite', log: () => undefined });
  expect(back).toMatchObject({ from: 'postgresql', to: 'sqlite' });
  expect(existsSync(path.join(mongoDir, 'postgresql'))).toBe(false);
  expect(existsSync(path.join(back.keptAt, 'PG_VERSION'))).toBe(true);
  const returned = await startsOn(data);
  expect(returned.backend).toBe('sqlite');
  expect(returned.snapshot).toEqual(before);
});

it('refuses a move with nothing to move or with data already on the other backend, changing nothing', async () => {
  const empty = path.join(dir, 'empty');
  await expect(moveDatabase({ dataDir: empty, to: 'postgresql', log: () => undefined })).rejects.toThrow(
    MoveRefused,
  );

  const both = path.join(dir, 'both');
  await withServer({ dir: databaseDir(both), backend: 'sqlite' }, (_, notes) =>
    notes.insertOne({ _id: 'sqlite' as never }),
  );
  await withServer({ dir: databaseDir(both), backend: 'postgresql' }, (_, notes) =>
    notes.insertOne({ _id: 'postgresql' as never }),
  );
  const files = readdirSync(databaseDir(both)).sort();
  await expect(moveDatabase({ dataDir: both, to: 'postgresql', log: () => undefined })).rejects.toThrow(
    /already holds data on postgresql/,
  );
  await expect(moveDatabase({ dataDir: both, to: 'sqlite', log: () => undefined })).rejects.toThrow(
    /already holds data on sqlite/,
  );
  expect(readdirSync(databaseDir(both)).sort()).toEqual(files);
  await withServer({ dir: databaseDir(both), backend: 'sqlite' }, async (_, notes) =>
    expect(await notes.find().toArray()).toEqual([{ _id: 'sqlite' }]),
  );
});

describe('npm run cli -- database move', () => {
  const tsx = (script: string, args: string[], env: Record<string, string>) =>
    runTsx(script, args, { ...process.env, MONGODB_URI: '', FERRETDB_BACKEND: '', NODE_ENV: 'test', ...env });
  const cli = (args: string[], env: Record<string, string>) => tsx('src/cli/index.ts', args, env);

  it('moves the data under DATA_DIR and prints the report, but not while npm start runs on it, nor npm start on data in use', async () => {
    const data = path.join(dir, 'cli');
    await withServer({ dir: databaseDir(data), backend: 'sqlite' }, (_, notes) =>
      notes.insertMany([{ _id: 'a' as never }, { _id: 'b' as never }]),
    );
    // A running npm start (this process stands in for it) keeps the data where it is.
    writeFileSync(path.join(data, 'services.json'), JSON.stringify({ pid: process.pid }));
    await expect(cli(['database', 'move', '--to', 'postgresql'], { DATA_DIR: data })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('stop it first'),
    });
    expect(existsSync(path.join(databaseDir(data), 'postgresql'))).toBe(false);

    // Nor does a second npm start run on data in use, or being moved (its SQLite files would
    // have two writers).
    for (const marker of ['services.json', 'moving.json']) {
      writeFileSync(path.join(data, marker), JSON.stringify({ pid: process.pid }));
      await expect(tsx('src/start.ts', [], { DATA_DIR: data, REDIS_URL: '' })).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining(`process ${process.pid} is already running`),
      });
      rmSync(path.join(data, marker));
    }
    const { stdout } = await cli(['database', 'move', '--to', 'postgresql', '--json'], { DATA_DIR: data });
    const report = JSON.parse(stdout.trim());
    expect(report).toMatchObject({ from: 'sqlite', to: 'postgresql' });
    expect(report.collections).toEqual([
      { database: 'local_services', collection: 'notes', documents: 2, indexes: [] },
    ]);
    expect(existsSync(path.join(data, 'moving.json'))).toBe(false);
    await withServer({ dir: databaseDir(data) }, async (server, notes) => {
      expect(server.backend).toBe('postgresql');
      expect((await notes.find().toArray()).map((d) => d._id)).toEqual(['a', 'b']);
    });
  });
});
