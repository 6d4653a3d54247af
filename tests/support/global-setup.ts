import { mkdtempSync } from 'node:fs';
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
