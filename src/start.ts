import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { MissingBinaryError } from './local-services/binaries';
import { ensureLocalServices } from './local-services/servers';
import { clearServiceState, dataDirUser, writeServiceState } from './local-services/state';
import { ensureDemo, terminalQr } from './demo';
import { ensureBenchLearningDemo } from './demo-bench-learning';
import { submissionDeps } from './modules/responses/responses.service';
import { createLogger } from './logger';
import { onShutdown, openRuntime, startApi } from './runtime';
import { redisLock } from './queue/lock';
import { keepRecurringJobs } from './queue/schedules';
import { startAggregationWorker } from '../workers/aggregation.worker';
import { createJobHandlers, rebuildIfMethodsChanged } from '../workers/handlers';

/**
 * `npm start`: the whole service in one process (API + worker) on the configured services,
 * or on local MongoDB-compatible and Redis servers kept under DATA_DIR.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { role: 'all-in-one' });
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const dataDir = path.resolve(config.dataDir);
  // Two servers on one data directory would both write its SQLite files.
  const busy = config.mongodbUri ? null : dataDirUser(dataDir);
  if (busy) {
    throw new ConfigError([
      `DATA_DIR: process ${busy.pid} is already running on ${dataDir} (npm start, or a database move); stop it or choose another DATA_DIR (if that process is something else, delete services.json and moving.json there)`,
    ]);
  }
  const services = await ensureLocalServices({
    mongodbUri: config.mongodbUri,
    redisUrl: config.redisUrl,
    dataDir,
    persistent: true,
    backend: config.ferretdbBackend,
    log: say,
  });
  for (const s of services.started) say(`started ${s} (data in ${dataDir})`);
  const mongodbUri = config.mongodbUri ?? `${services.mongodbUri}/tenant_voice`;

  const runtime = await openRuntime(config, logger, { mongodbUri, redisUrl: services.redisUrl });
  const stopKeeping = await keepRecurringJobs(runtime.queues, runtime.producer, config, logger);
  await rebuildIfMethodsChanged(runtime.queues, logger);
  const worker = startAggregationWorker({
    redisUrl: services.redisUrl,
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    lockMs: config.workerLockMs,
    logger,
    handlers: createJobHandlers({
      logger,
      lock: redisLock(runtime.producer, config.queuePrefix),
      webhooks: { config, queues: runtime.queues },
    }),
  });
  const api = await startApi(runtime);
  if (services.started.length) writeServiceState(dataDir, { mongodbUri, redisUrl: services.redisUrl });
  const demo = await ensureDemo(config.publicBaseUrl);
  const benchLearning = await ensureBenchLearningDemo(
    config.publicBaseUrl,
    submissionDeps(config, runtime.queues, logger),
  );

  say('');
  say(`Tenant Voice is running at ${api.url}`);
  say(`  API reference: ${config.publicBaseUrl}/docs`);
  say(`  OpenAPI:       ${config.publicBaseUrl}/api/openapi.json`);
  say('');
  say(`Demo tenant survey (five languages): ${demo.tenantLink}`);
  say(await terminalQr(demo.tenantLink));
  if (demo.adminKey) {
    say(`Demo admin key (shown once, keep it): ${demo.adminKey}`);
  }
  say(`Staff entry of paper forms and interviews (an admin or interviewer key): ${demo.tenantLink}/entry`);
  say(
    `Bench-learning demo: the group ${benchLearning.group} of five Polish cities (${config.publicBaseUrl}/api/v1/groups/${benchLearning.group})`,
  );
  if (benchLearning.coordinatorKey)
    say(`Its coordinator key (shown once, keep it): ${benchLearning.coordinatorKey}`);
  say('A platform key for creating organisations: npm run cli -- platform-key create');
  say('Press Ctrl+C to stop.');

  onShutdown(logger, async () => {
    stopKeeping();
    await api.close(config.shutdownTimeoutMs);
    await Promise.race([worker.close(), new Promise((r) => setTimeout(r, config.shutdownTimeoutMs))]);
    await runtime.close();
    clearServiceState(dataDir);
    await services.stop();
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof MissingBinaryError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
