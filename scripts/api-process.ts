import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { loadConfig } from '../src/config';
import { connectMongo, syncIndexes } from '../src/db/connection';
import { ensureLocalServices, freePort } from '../src/local-services/servers';
import { closeValidation } from '../src/validation/validation-pool';

/** The API as production runs it, in a process of its own, for benchmarks to load. */
export interface ApiProcess {
  proc: ChildProcess;
  url: string;
}

/**
 * Starts `src/server.ts` on a free loopback port against the given servers and waits for
 * /healthz. `env` adds settings (a rate limit, a queue prefix); `profileDir` writes a CPU
 * profile of the API there.
 */
export async function startApiProcess(
  mongodbUri: string,
  redisUrl: string,
  opts: { env?: Record<string, string>; profileDir?: string } = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const profile = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.profileDir)}`] : [];
  const proc = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/server.ts'], {
    cwd: path.resolve(__dirname, '..'),
    env: {
      ...serviceEnv(mongodbUri, redisUrl),
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      // The production default: one access-log line per request.
      LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`${url}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { proc, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGTERM');
  throw new Error('the API did not start');
}

/** The aggregation worker in a process of its own (same servers and queue as {@link startApiProcess}). */
export function startWorkerProcess(
  mongodbUri: string,
  redisUrl: string,
  opts: { env?: Record<string, string> } = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...serviceEnv(mongodbUri, redisUrl), LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Production settings on the given servers, one queue prefix for API and worker. */
function serviceEnv(mongodbUri: string, redisUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    MONGODB_URI: mongodbUri,
    REDIS_URL: redisUrl,
    PUBLIC_BASE_URL: 'http://127.0.0.1',
    QUEUE_PREFIX: 'bench',
    WEBHOOK_KEY: WEBHOOK_KEY,
    SESSION_SECRET: SESSION_SECRET,
  };
}

/** One webhook signing key per benchmark run, shared by its API and worker processes. */
const WEBHOOK_KEY = randomBytes(32).toString('hex');
/** One session secret per benchmark run. */
const SESSION_SECRET = randomBytes(32).toString('hex');

/** The servers a benchmark runs on, and its own database on them (connected here). */
export interface BenchServices {
  mongodbUri: string;
  redisUrl: string;
  /** A temporary directory the benchmark may write to; removed by close. */
  dir: string;
  /** Process ids of the database servers started for the benchmark; empty when MONGODB_URI was given. */
  databasePids: number[];
  /** Drops the benchmark's database, disconnects and stops what was started. */
  close(): Promise<void>;
}

/**
 * MONGODB_URI / REDIS_URL when set, else local servers in a temporary directory; a database
 * of its own (`name_<time>`), connected through mongoose with the service's indexes.
 */
export async function openBenchServices(name: string, log: (line: string) => void): Promise<BenchServices> {
  const config = loadConfig();
  const dir = mkdtempSync(path.join(os.tmpdir(), `tenant-voice-${name}-`));
  const services = await ensureLocalServices({
    mongodbUri: config.mongodbUri,
    redisUrl: config.redisUrl,
    dataDir: dir,
    persistent: false,
    backend: config.ferretdbBackend,
    log,
  });
  const mongodbUri = config.mongodbUri ?? `${services.mongodbUri}/${name}_${Date.now()}`;
  await connectMongo(mongodbUri);
  await syncIndexes();
  return {
    mongodbUri,
    redisUrl: services.redisUrl,
    dir,
    databasePids: services.databasePids,
    async close() {
      await closeValidation();
      await mongoose.connection.db?.dropDatabase().catch(() => undefined);
      await mongoose.disconnect();
      await services.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
