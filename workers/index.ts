import { ConfigError, loadConfig } from '../src/config';
import { connectMongo, disconnectMongo } from '../src/db/connection';
import { createLogger } from '../src/logger';
import { onShutdown } from '../src/runtime';
import { createRedis } from '../src/queue/connections';
import { redisLock } from '../src/queue/lock';
import { createQueues } from '../src/queue/queues';
import { keepRecurringJobs } from '../src/queue/schedules';
import { startAggregationWorker } from './aggregation.worker';
import { createJobHandlers, rebuildIfMethodsChanged } from './handlers';

/** Worker entry: one process per replica; scale with `docker compose up --scale worker=N`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { role: 'worker' });
  if (!config.mongodbUri || !config.redisUrl) {
    throw new ConfigError([
      'MONGODB_URI and REDIS_URL are required to run a worker alone (npm start starts local ones)',
    ]);
  }
  await connectMongo(config.mongodbUri);
  const producer = createRedis(config.redisUrl, 'producer');
  const queues = createQueues(producer, config.queuePrefix);
  const stopKeeping = await keepRecurringJobs(queues, producer, config, logger);
  await rebuildIfMethodsChanged(queues, logger);
  const worker = startAggregationWorker({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    lockMs: config.workerLockMs,
    logger,
    handlers: createJobHandlers({
      logger,
      lock: redisLock(producer, config.queuePrefix),
      webhooks: { config, queues },
    }),
  });
  logger.info({ concurrency: config.workerConcurrency }, 'worker started');
  onShutdown(logger, async () => {
    stopKeeping();
    // close() waits for active jobs; the timeout bounds it, and an unfinished job is retried elsewhere.
    await Promise.race([worker.close(), new Promise((r) => setTimeout(r, config.shutdownTimeoutMs))]);
    await queues.close();
    producer.disconnect();
    await disconnectMongo();
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
