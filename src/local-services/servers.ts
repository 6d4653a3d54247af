import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../paths';
import { ensureMongoServer, ensurePostgres, ensureRedisServer, postgresAccount } from './binaries';

type Log = (line: string) => void;

const execFileAsync = promisify(execFile);

/** A server process this module started. */
export interface LocalServer {
  port: number;
  dir: string;
  /** The server's process id (for reading its CPU time). */
  pid: number;
  /** Stops the process (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed parent must not leave database servers behind.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** How a server process is run, beyond its program and arguments. */
interface ProcessOptions {
  /** The account to run it under (PostgreSQL when this process is root). */
  account?: { uid: number; gid: number } | null;
  /** Ready once it accepts connections and its output says so. */
  ready?: RegExp;
  /** The signal that stops it promptly (PostgreSQL: SIGINT, its fast shutdown). */
  stopSignal?: NodeJS.Signals;
}

async function startProcess(
  name: string,
  binary: string,
  args: string[],
  port: number,
  dir: string,
  opts: ProcessOptions = {},
): Promise<LocalServer> {
  installExitHook();
  const child = spawn(binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: dir,
    ...(opts.account ?? {}),
  });
  running.add(child);
  let output = '';
  let ready = !opts.ready;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    ready ||= opts.ready!.test(output);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      running.delete(child);
      resolve();
    }),
  );

  const deadline = Date.now() + 30_000;
  while (!ready || !(await canConnect(port))) {
    if (exited !== undefined) {
      throw new Error(`${name} exited with code ${exited} before accepting connections:\n${output.trim()}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not accept connections on port ${port} within 30 s:\n${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    port,
    dir,
    pid: child.pid!,
    async stop() {
      if (exited !== undefined) return;
      child.kill(opts.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts `redis-server` on loopback. `persistent` keeps an append-only file in `dir`
 * (for `npm start`); otherwise nothing is written to disk (tests).
 */
export async function startRedis(opts: {
  dir: string;
  port?: number;
  persistent?: boolean;
  log?: Log;
}): Promise<LocalServer & { url: string }> {
  const binary = ensureRedisServer(opts.log ?? (() => undefined));
  mkdirSync(opts.dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    path.resolve(opts.dir),
    '--save',
    '',
    '--appendonly',
    opts.persistent ? 'yes' : 'no',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  const server = await startProcess('redis-server', binary, args, port, opts.dir);
  return { ...server, url: `redis://127.0.0.1:${port}` };
}

/**
 * Where FerretDB keeps its data: SQLite files in its directory, or a PostgreSQL server of its
 * own (started here, its cluster in `<dir>/postgresql`). See README, "MongoDB or FerretDB".
 */
export type FerretBackend = 'sqlite' | 'postgresql';

/** Where FerretDB's PostgreSQL keeps its cluster, under FerretDB's directory `dir`. */
export function clusterDir(dir: string): string {
  return path.join(dir, 'postgresql');
}

/** Whether FerretDB's directory `dir` holds data on `backend`: SQLite files, or a PostgreSQL cluster. */
export function holdsData(dir: string, backend: FerretBackend): boolean {
  if (backend === 'postgresql') return existsSync(path.join(clusterDir(dir), 'PG_VERSION'));
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.sqlite'));
}

/**
 * The backend for a data directory when none is asked for: PostgreSQL, unless the directory
 * already holds FerretDB's SQLite data and no PostgreSQL cluster (a service started before
 * PostgreSQL became the default keeps its data).
 */
function chooseBackend(dir: string, log?: Log): FerretBackend {
  if (holdsData(dir, 'sqlite') && !holdsData(dir, 'postgresql')) {
    log?.(
      `keeping FerretDB on SQLite: ${dir} holds its SQLite data (FERRETDB_BACKEND=postgresql starts an empty PostgreSQL one instead)`,
    );
    return 'sqlite';
  }
  return 'postgresql';
}

/** Lets the postgres account pass through every directory above `dir` (search only, no listing). */
function letReach(dir: string, log: Log): void {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const mode = statSync(d).mode;
    if (!(mode & 0o001)) {
      log(`letting the postgres account pass through ${d} (chmod o+x)`);
      chmodSync(d, (mode & 0o7777) | 0o001);
    }
    if (d === path.dirname(d)) break;
  }
}

/**
 * Starts PostgreSQL on loopback for FerretDB: a cluster in `dir` (made by initdb on first use,
 * one local superuser `ferretdb`, trust on loopback, no Unix socket). As root it runs under the
 * `postgres` account, which PostgreSQL requires.
 */
export async function startPostgres(opts: {
  dir: string;
  port?: number;
  log?: Log;
}): Promise<LocalServer & { url: string }> {
  const log = opts.log ?? (() => undefined);
  const bin = ensurePostgres(log);
  const account = postgresAccount();
  const dir = path.resolve(opts.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (account) {
    chownSync(dir, account.uid, account.gid);
    letReach(dir, log);
  }
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    log('creating a PostgreSQL cluster for FerretDB (one-time)…');
    const init = spawnSync(
      bin.initdb,
      ['-D', dir, '-U', 'ferretdb', '--auth=trust', '--encoding=UTF8', '--no-locale'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...(account ?? {}) },
    );
    if (init.status !== 0) {
      throw new Error(`initdb failed (${init.status}):\n${(init.stderr || init.stdout || '').trim()}`);
    }
  }
  const port = opts.port ?? (await freePort());
  const args = [
    '-D',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    // FerretDB passes the field of an equality filter as a parameter: planned with its value,
    // the filter matches the GIN indexes below; a generic plan reads the whole table.
    '-c',
    'plan_cache_mode=force_custom_plan',
  ];
  const server = await startProcess('postgres', bin.postgres, args, port, dir, {
    account,
    ready: /ready to accept connections/,
    stopSignal: 'SIGINT',
  });
  try {
    await addGinCompanions(bin.psql, port, log);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { ...server, url: `postgres://ferretdb@127.0.0.1:${port}/postgres` };
}

/**
 * Installs `ferretdb-gin.sql` (GIN indexes FerretDB's equality filters can use, kept beside its
 * own; see the file) and builds those missing, which on a large existing database takes a while.
 */
async function addGinCompanions(psql: string, port: number, log: Log): Promise<void> {
  // Read from the checkout (`npm start`), as the rest of the local services are.
  const file = path.join(projectRoot(), 'src', 'local-services', 'ferretdb-gin.sql');
  const args = ['-h', '127.0.0.1', '-p', String(port), '-U', 'ferretdb', '-d', 'postgres'];
  const started = Date.now();
  const slow = setTimeout(
    () => log('building the indexes FerretDB can use in PostgreSQL (once; large collections take a while)…'),
    2000,
  );
  try {
    await execFileAsync(psql, [...args, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file], {
      maxBuffer: 1 << 20,
    });
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    throw new Error(`psql -f ${file} failed:\n${(stderr || message).trim()}`);
  } finally {
    clearTimeout(slow);
  }
  if (Date.now() - started > 2000) log(`indexes built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Starts a MongoDB-compatible server on loopback: `mongod` when installed, else FerretDB with
 * the backend asked for (PostgreSQL by default) in `dir`. Telemetry is always off (it would
 * call an outside host). Stopping it stops FerretDB's PostgreSQL too.
 */
export async function startMongo(opts: {
  dir: string;
  port?: number;
  backend?: FerretBackend | null;
  log?: Log;
}): Promise<
  LocalServer & {
    uri: string;
    kind: 'mongod' | 'ferretdb';
    backend: FerretBackend | null;
    pids: number[];
    /** FerretDB's own PostgreSQL, when it runs on one. */
    postgresUrl: string | null;
  }
> {
  const bin = ensureMongoServer(opts.log ?? (() => undefined));
  const dir = path.resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  if (bin.kind === 'mongod') {
    const args = ['--dbpath', dir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'];
    const server = await startProcess(bin.kind, bin.path, args, port, dir);
    return {
      ...server,
      kind: bin.kind,
      backend: null,
      pids: [server.pid],
      postgresUrl: null,
      uri: `mongodb://127.0.0.1:${port}`,
    };
  }
  const backend = opts.backend ?? chooseBackend(dir, opts.log);
  const postgres =
    backend === 'postgresql' ? await startPostgres({ dir: clusterDir(dir), log: opts.log }) : null;
  const storage = postgres
    ? ['--handler=pg', `--postgresql-url=${postgres.url}`]
    : ['--handler=sqlite', `--sqlite-url=file:${dir}/`];
  const args = [
    ...storage,
    `--state-dir=${dir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=warn',
  ];
  try {
    const server = await startProcess(bin.kind, bin.path, args, port, dir);
    return {
      ...server,
      kind: bin.kind,
      backend,
      uri: `mongodb://127.0.0.1:${port}`,
      pids: postgres ? [server.pid, postgres.pid] : [server.pid],
      postgresUrl: postgres?.url ?? null,
      async stop() {
        await server.stop();
        await postgres?.stop();
      },
    };
  } catch (err) {
    await postgres?.stop();
    throw err;
  }
}

/** Where the local database server keeps its data under a data directory. */
export function databaseDir(dataDir: string): string {
  return path.join(dataDir, 'mongo');
}

/** URLs of the backing services plus a way to stop what was started here. */
export interface LocalServices {
  mongodbUri: string;
  redisUrl: string;
  started: string[];
  /**
   * Process ids of the database servers started here (FerretDB, and its PostgreSQL's main
   * process, whose children serve the connections); empty when MONGODB_URI was given.
   */
  databasePids: number[];
  stop(): Promise<void>;
}

/**
 * Uses the given service URLs, or starts local servers for the missing ones under `dataDir`
 * (`<dataDir>/mongo`, `<dataDir>/redis`). Used by `npm start` and the test setup alike.
 *
 * @param opts.persistent - keep Redis data on disk (demo runs keep their queue across restarts).
 */
export async function ensureLocalServices(opts: {
  mongodbUri: string | null;
  redisUrl: string | null;
  dataDir: string;
  persistent: boolean;
  /** FerretDB's backend when FerretDB is started here. */
  backend?: FerretBackend | null;
  log: Log;
}): Promise<LocalServices> {
  const stops: Array<() => Promise<void>> = [];
  const started: string[] = [];
  let databasePids: number[] = [];
  try {
    let mongodbUri = opts.mongodbUri;
    if (!mongodbUri) {
      const mongo = await startMongo({
        dir: databaseDir(opts.dataDir),
        backend: opts.backend,
        log: opts.log,
      });
      databasePids = mongo.pids;
      stops.push(() => mongo.stop());
      started.push(`${mongo.kind}${mongo.backend ? ` (${mongo.backend})` : ''} on ${mongo.uri}`);
      mongodbUri = mongo.uri;
    }
    let redisUrl = opts.redisUrl;
    if (!redisUrl) {
      const redis = await startRedis({
        dir: path.join(opts.dataDir, 'redis'),
        persistent: opts.persistent,
        log: opts.log,
      });
      stops.push(() => redis.stop());
      started.push(`redis-server on ${redis.url}`);
      redisUrl = redis.url;
    }
    return {
      mongodbUri,
      redisUrl,
      started,
      databasePids,
      async stop() {
        await Promise.all(stops.map((s) => s()));
      },
    };
  } catch (err) {
    await Promise.all(stops.map((s) => s()));
    throw err;
  }
}
