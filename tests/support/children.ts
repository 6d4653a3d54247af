import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { databaseUri, serviceUrls, type TestContext } from './harness';

/** The project's root, where child processes run. */
export const ROOT = path.resolve(__dirname, '../..');

/** Runs a TypeScript entry point (`src/cli/index.ts`, `src/start.ts`) to its end; rejects on a non-zero exit. */
export function runTsx(script: string, args: string[], env: NodeJS.ProcessEnv) {
  return promisify(execFile)(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script, ...args],
    { cwd: ROOT, env },
  );
}

/** A child process and the lines it has printed, kept for failure messages. */
export interface Child {
  process: ChildProcess;
  output: string[];
}

/** Starts a Node.js child process in the project's root, keeping its output. */
export function startChild(children: Child[], args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { process: child, output: [] as string[] };
  children.push(entry);
  for (const stream of [child.stdout!, child.stderr!])
    stream.on('data', (chunk: Buffer) => entry.output.push(...chunk.toString('utf8').split('\n')));
  return entry;
}

/** Polls `probe` until it gives a value; after 30 s fails with what the child printed. */
export async function waitFor<T>(what: string, entry: Child, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const found = await probe().catch(() => null);
    if (found !== null) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  const { exitCode, signalCode } = entry.process;
  const state = exitCode !== null || signalCode ? `exited (${exitCode ?? signalCode})` : 'still running';
  throw new Error(`${what} did not start within 30 s (${state}):\n${entry.output.join('\n')}`);
}

/** A TCP port of 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Stops the children, newest first: SIGTERM, then SIGKILL after 10 s. */
export async function stopChildren(children: Child[]): Promise<void> {
  for (const { process: child } of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Starts the test OpenID provider (tests/support/oidc-provider.mjs); resolves to its issuer URL. */
export async function startOidcProvider(
  children: Child[],
  settings: {
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    accounts: Record<string, { email: string; email_verified: boolean; name: string }>;
  },
): Promise<string> {
  const provider = startChild(children, [path.join(ROOT, 'tests/support/oidc-provider.mjs')], {
    PATH: process.env.PATH,
    OIDC_TEST_PROVIDER: JSON.stringify(settings),
  });
  return waitFor('the provider', provider, async () => {
    const line = provider.output.find((l) => l.startsWith('issuer '));
    return line ? line.slice('issuer '.length).trim() : null;
  });
}

/**
 * The API as production starts it (`src/server.ts`, its own process) on `port`, on the test
 * context's database, Redis and queue prefix; `env` adds or replaces settings. Returns at once.
 */
export function spawnApiChild(
  children: Child[],
  ctx: TestContext,
  port: number,
  env: NodeJS.ProcessEnv = {},
): Child {
  const url = `http://127.0.0.1:${port}`;
  return startChild(children, ['--import', 'tsx', 'src/server.ts'], {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: url,
    MONGODB_URI: databaseUri(serviceUrls().mongodbUri, ctx.dbName),
    REDIS_URL: serviceUrls().redisUrl,
    QUEUE_PREFIX: ctx.config.queuePrefix,
    RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'warn',
    ...env,
  });
}

/**
 * The API as production starts it with single sign-on at `oidc.issuer`; resolves once it
 * answers.
 */
export async function startApiChild(
  children: Child[],
  ctx: TestContext,
  port: number,
  oidc: { issuer: string; clientId: string; clientSecret: string; displayName: string },
): Promise<Child> {
  const api = spawnApiChild(children, ctx, port, {
    OIDC_ISSUER_URL: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_DISPLAY_NAME: oidc.displayName,
  });
  await waitFor('the API', api, async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/session/methods`);
    return res.status === 200 ? true : null;
  });
  return api;
}
