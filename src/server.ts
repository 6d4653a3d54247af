import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { onShutdown, openRuntime, startApi } from './runtime';

/** Production API entry: explicit MONGODB_URI and REDIS_URL, no local servers. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { role: 'api' });
  if (!config.mongodbUri || !config.redisUrl) {
    throw new ConfigError([
      'MONGODB_URI and REDIS_URL are required to run the API alone (npm start starts local ones)',
    ]);
  }
  const runtime = await openRuntime(config, logger, {
    mongodbUri: config.mongodbUri,
    redisUrl: config.redisUrl,
  });
  const api = await startApi(runtime);
  logger.info({ url: api.url }, 'API listening');
  onShutdown(logger, async () => {
    await api.close(config.shutdownTimeoutMs);
    await runtime.close();
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
