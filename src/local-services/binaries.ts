import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  cpSync,
  chmodSync,
  writeFileSync,
  rmSync,
  readdirSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The FerretDB release the project is tested with. */
export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

/** Raised when a server binary is missing and cannot be obtained here; says how to get it. */
export class MissingBinaryError extends Error {
  constructor(
    readonly binary: string,
    readonly howToInstall: string,
    cause?: string,
  ) {
    super(
      `${binary} is not installed and could not be obtained automatically.${cause ? `\n  reason: ${cause}` : ''}\n  install it with:\n    ${howToInstall}`,
    );
    this.name = 'MissingBinaryError';
  }
}

type Log = (line: string) => void;

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
  });
}

function tail(text: string | null | undefined, lines = 8): string {
  return (text ?? '').trim().split('\n').slice(-lines).join('\n');
}

/** Absolute path of an executable on PATH (or in extra directories), or null. */
export function findExecutable(name: string, extraDirs: string[] = []): string | null {
  const found = run('sh', ['-c', `command -v ${name}`]);
  if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  for (const dir of extraDirs) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** `$(go env GOPATH)/bin`, where `go install` and our FerretDB build put binaries. */
export function goBinDir(): string | null {
  const go = findExecutable('go');
  if (!go) return null;
  const out = run(go, ['env', 'GOPATH']);
  if (out.status !== 0) return null;
  const first = out.stdout.trim().split(path.delimiter)[0];
  return first ? path.join(first, 'bin') : null;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Installs Debian packages when running as root with apt-get; refreshes the package lists
 * once if the first attempt cannot find the package.
 */
export function aptInstall(packages: string[], log: Log): { ok: boolean; output: string } {
  if (!isRoot() || !findExecutable('apt-get')) {
    return { ok: false, output: isRoot() ? 'apt-get not found' : 'not running as root' };
  }
  // `env` adds the variable without this module reading the environment itself.
  const apt = (...args: string[]) => run('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]);
  const install = () => apt('install', '-y', '--no-install-recommends', '-o', 'Dpkg::Use-Pty=0', ...packages);
  log(`installing ${packages.join(', ')} with apt-get (one-time)…`);
  let res = install();
  if (res.status !== 0) {
    log('refreshing apt package lists…');
    apt('update');
    res = install();
  }
  return { ok: res.status === 0, output: tail(res.stderr || res.stdout) };
}

/**
 * Finds what `find` looks for, installing Debian's `pkg` when it is missing and this process
 * can, or throws with the command that installs it.
 */
function ensureFromDebian<T>(what: string, pkg: string, find: () => T | null, log: Log): T {
  const existing = find();
  if (existing) return existing;
  const res = aptInstall([pkg], log);
  const installed = find();
  if (res.ok && installed) return installed;
  throw new MissingBinaryError(
    what,
    `sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${pkg}`,
    res.output,
  );
}

/** Finds a program that Debian packages (see ensureFromDebian). */
function ensureDebianProgram(name: string, pkg: string, log: Log): string {
  return ensureFromDebian(name, pkg, () => findExecutable(name, ['/usr/bin', '/usr/sbin']), log);
}

/** Finds `redis-server`, installing Debian's package when possible. */
export function ensureRedisServer(log: Log): string {
  return ensureDebianProgram('redis-server', 'redis-server', log);
}

/** PostgreSQL's server programs, from one installed major version. */
export interface PostgresBinaries {
  postgres: string;
  initdb: string;
  psql: string;
}

/**
 * `postgres`, `initdb` and `psql` of the newest PostgreSQL under /usr/lib/postgresql (Debian),
 * else on PATH.
 */
function findPostgres(): PostgresBinaries | null {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    const found = {
      postgres: path.join(bin, 'postgres'),
      initdb: path.join(bin, 'initdb'),
      psql: path.join(bin, 'psql'),
    };
    if (Object.values(found).every((p) => existsSync(p))) return found;
  }
  const postgres = findExecutable('postgres');
  const initdb = findExecutable('initdb');
  const psql = findExecutable('psql');
  return postgres && initdb && psql ? { postgres, initdb, psql } : null;
}

/** Finds PostgreSQL's server (FerretDB's PostgreSQL backend), installing Debian's package when possible. */
export function ensurePostgres(log: Log): PostgresBinaries {
  return ensureFromDebian('postgres', 'postgresql', findPostgres, log);
}

/**
 * The account PostgreSQL runs under when this process is root (PostgreSQL refuses to run as
 * root): Debian's package creates `postgres`. Null when not root.
 */
export function postgresAccount(): { uid: number; gid: number } | null {
  if (!isRoot()) return null;
  const uid = run('id', ['-u', 'postgres']);
  const gid = run('id', ['-g', 'postgres']);
  if (uid.status !== 0 || gid.status !== 0) {
    throw new MissingBinaryError(
      'the postgres account',
      'sudo DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql  (it creates the account PostgreSQL runs under)',
      'running as root, and PostgreSQL does not run as root',
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The MongoDB-compatible server to run: `mongod` if present, otherwise FerretDB. */
export interface MongoServerBinary {
  kind: 'mongod' | 'ferretdb';
  path: string;
}

/**
 * Finds `mongod` or `ferretdb`; when neither is there and Go is, builds FerretDB from the
 * tagged module with the machine's own Go settings (proxy, flags) into `$(go env GOPATH)/bin`.
 */
export function ensureMongoServer(log: Log): MongoServerBinary {
  const mongod = findExecutable('mongod');
  if (mongod) return { kind: 'mongod', path: mongod };
  const binDir = goBinDir();
  const ferret = findExecutable('ferretdb', binDir ? [binDir] : []);
  if (ferret && ferretWorks(ferret)) return { kind: 'ferretdb', path: ferret };
  if (!binDir) {
    throw new MissingBinaryError(
      'ferretdb (or mongod)',
      `install Go (sudo apt-get install -y golang-go, or https://go.dev/dl), then run npm start or npm test again: FerretDB ${FERRETDB_VERSION} is built automatically`,
      'neither mongod nor ferretdb is on PATH and Go is not installed',
    );
  }
  const built = buildFerretDB(binDir, log);
  if (built.ok) return { kind: 'ferretdb', path: path.join(binDir, 'ferretdb') };
  throw new MissingBinaryError(
    'ferretdb',
    `go install ${FERRETDB_MODULE}/cmd/ferretdb@${FERRETDB_VERSION}  (then write "${FERRETDB_VERSION}" into build/version/version.txt of the module source and build ./cmd/ferretdb, as src/local-services/binaries.ts does)`,
    built.output,
  );
}

function ferretWorks(binary: string): boolean {
  const res = run(binary, ['--version']);
  return res.status === 0 && res.stdout.includes('version:');
}

/**
 * Builds FerretDB from its tagged module source. A plain `go install …@v1.24.2` compiles,
 * but the binary panics at start-up because the module archive lacks the generated
 * build/version/version.txt; so the source is copied, that file written, and built.
 */
export function buildFerretDB(binDir: string, log: Log): { ok: boolean; output: string } {
  log(`building FerretDB ${FERRETDB_VERSION} with Go (one-time, about two minutes)…`);
  const download = run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
    cwd: os.tmpdir(),
  });
  if (download.status !== 0) return { ok: false, output: tail(download.stdout + download.stderr) };
  const dir = (JSON.parse(download.stdout) as { Dir?: string }).Dir;
  if (!dir) return { ok: false, output: 'go mod download did not report a source directory' };
  const work = mkdtempSync(path.join(os.tmpdir(), 'ferretdb-src-'));
  try {
    cpSync(dir, work, { recursive: true });
    makeWritable(work);
    writeFileSync(path.join(work, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    const build = run('go', ['build', '-trimpath', '-o', path.join(binDir, 'ferretdb'), './cmd/ferretdb'], {
      cwd: work,
    });
    if (build.status !== 0) return { ok: false, output: tail(build.stderr || build.stdout) };
    const ok = ferretWorks(path.join(binDir, 'ferretdb'));
    return { ok, output: ok ? '' : 'the built ferretdb binary does not start' };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
}

/** Finds Debian's chromium for the browser tests, installing it when possible. */
export function ensureChromium(log: Log): string {
  return ensureDebianProgram('chromium', 'chromium', log);
}

/** Finds the `wrk` load generator for the benchmark script, installing it when possible. */
export function ensureWrk(log: Log): string {
  return ensureDebianProgram('wrk', 'wrk', log);
}
