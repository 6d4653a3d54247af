import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ensureMongoServer, ensureRedisServer } from './binaries';

type Log = (line: string) => void;

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

async function startProcess(
  name: string,
  binary: string,
  args: string[],
  port: number,
  dir: string,
): Promise<LocalServer> {
  installExitHook();
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
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
  while (!(await canConnect(port))) {
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
      child.kill('SIGTERM');
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
 * Starts a MongoDB-compatible server on loopback: `mongod` when installed, else FerretDB
 * with its SQLite backend in `dir`. Telemetry is always off (it would call an outside host).
 */
export async function startMongo(opts: {
  dir: string;
  port?: number;
  log?: Log;
}): Promise<LocalServer & { uri: string; kind: 'mongod' | 'ferretdb' }> {
  const bin = ensureMongoServer(opts.log ?? (() => undefined));
  const dir = path.resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const args =
    bin.kind === 'mongod'
      ? ['--dbpath', dir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet']
      : [
          '--handler=sqlite',
          `--sqlite-url=file:${dir}/`,
          `--state-dir=${dir}`,
          `--listen-addr=127.0.0.1:${port}`,
          '--telemetry=disable',
          '--debug-addr=-',
          '--log-level=warn',
        ];
  const server = await startProcess(bin.kind, bin.path, args, port, dir);
  return { ...server, kind: bin.kind, uri: `mongodb://127.0.0.1:${port}` };
}

/** URLs of the backing services plus a way to stop what was started here. */
export interface LocalServices {
  mongodbUri: string;
  redisUrl: string;
  started: string[];
  /** Process id of the database server started here; null when MONGODB_URI was given. */
  databasePid: number | null;
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
  log: Log;
}): Promise<LocalServices> {
  const stops: Array<() => Promise<void>> = [];
  const started: string[] = [];
  let databasePid: number | null = null;
  try {
    let mongodbUri = opts.mongodbUri;
    if (!mongodbUri) {
      const mongo = await startMongo({ dir: path.join(opts.dataDir, 'mongo'), log: opts.log });
      databasePid = mongo.pid;
      stops.push(() => mongo.stop());
      started.push(`${mongo.kind} on ${mongo.uri}`);
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
      databasePid,
      async stop() {
        await Promise.all(stops.map((s) => s()));
      },
    };
  } catch (err) {
    await Promise.all(stops.map((s) => s()));
    throw err;
  }
}
