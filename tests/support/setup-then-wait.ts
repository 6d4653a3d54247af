import globalSetup from './global-setup';

/**
 * Runs the test setup, prints the servers it started as one JSON line, and waits to be
 * signalled (tests/integration/local-services.test.ts).
 */
void globalSetup().then(() => {
  const services = globalThis.__testServices!;
  const started = {
    pids: services.databasePids,
    redisUrl: services.redisUrl,
    dir: process.env.TEST_SERVICES_DIR,
  };
  process.stdout.write(`${JSON.stringify(started)}\n`);
  setInterval(() => undefined, 60_000);
});
