import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';

/** The project's root, where child processes run. */
export const ROOT = path.resolve(__dirname, '../..');

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
  throw new Error(`${what} did not start:\n${entry.output.join('\n')}`);
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
    if (child.exitCode !== null) continue;
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
