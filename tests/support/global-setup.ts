import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureConsoleBuilt } from '../../scripts/build-console';
import { loadConfig } from '../../src/config';
import { MissingBinaryError } from '../../src/local-services/binaries';
import { ensureLocalServices, type LocalServices } from '../../src/local-services/servers';

declare global {
  var __testServices: LocalServices | undefined;
}

/**
 * Stops the servers global-setup started (nothing when URLs were given) and removes their data
 * directory (a PostgreSQL cluster is about 140 MB).
 */
export async function stopTestServices(): Promise<void> {
  const services = globalThis.__testServices;
  globalThis.__testServices = undefined;
  try {
    await services?.stop();
  } finally {
    const dir = process.env.TEST_SERVICES_DIR;
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A run ended by SIGTERM or SIGHUP (a CI job's time limit, `kill`) skips the teardown, and the
 * servers would outlive it: they are stopped here, then the run ends as the signal would have
 * ended it. (Ctrl+C signals the servers too: they share the terminal's process group.)
 */
function stopOnSignal(): void {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      process.stderr.write(`[test services] ${signal}: stopping the servers\n`);
      void stopTestServices()
        .catch(() => undefined)
        .finally(() => process.exit(128 + os.constants.signals[signal]));
    });
}

/**
 * Starts real MongoDB-compatible and Redis servers once for the whole run (or uses
 * MONGODB_URI / REDIS_URL when given). Test files get their own database and queue
 * prefix from tests/support/harness.ts. A missing server fails the run, never skips it.
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.__testServices) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tenant-voice-test-'));
  try {
    const services = await ensureLocalServices({
      mongodbUri: process.env.MONGODB_URI || null,
      redisUrl: process.env.REDIS_URL || null,
      dataDir: dir,
      persistent: false,
      backend: loadConfig().ferretdbBackend,
      log: (line) => process.stderr.write(`[test services] ${line}\n`),
    });
    globalThis.__testServices = services;
    stopOnSignal();
    process.env.TEST_MONGODB_URI = services.mongodbUri;
    process.env.TEST_REDIS_URL = services.redisUrl;
    process.env.TEST_SERVICES_DIR = dir;
    for (const s of services.started) process.stderr.write(`[test services] started ${s}\n`);
    // The browser tests open the built console; built once here, not by each test file.
    if ((await ensureConsoleBuilt()) === 'built') process.stderr.write('[test services] built the console\n');
  } catch (err) {
    if (err instanceof MissingBinaryError) {
      throw new Error(`The tests need real servers.\n${err.message}`);
    }
    throw err;
  }
}
