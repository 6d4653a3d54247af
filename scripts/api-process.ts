import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../src/local-services/servers';

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
      ...process.env,
      NODE_ENV: 'production',
      MONGODB_URI: mongodbUri,
      REDIS_URL: redisUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      // The production default: one access-log line per request.
      LOG_LEVEL: 'info',
      QUEUE_PREFIX: 'bench',
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
