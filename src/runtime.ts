import http from 'node:http';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { buildApp } from './app';
import type { Config } from './config';
import { connectMongo, disconnectMongo, syncIndexes } from './db/connection';
import { answerClientError } from './http/error-handler';
import { Metrics } from './http/metrics';
import { createRedis } from './queue/connections';
import { createQueues, type Queues } from './queue/queues';
import { closeValidation, startValidation } from './validation/validation-pool';

/** Connections shared by the API (and by `npm start`'s in-process worker). */
export interface Runtime {
  config: Readonly<Config>;
  logger: Logger;
  redisUrl: string;
  redis: Redis;
  producer: Redis;
  queues: Queues;
  metrics: Metrics;
  close(): Promise<void>;
}

/** Connects MongoDB (and builds indexes), opens the Redis connections and the queues. */
export async function openRuntime(
  config: Readonly<Config>,
  logger: Logger,
  urls: { mongodbUri: string; redisUrl: string },
): Promise<Runtime> {
  await connectMongo(urls.mongodbUri);
  await syncIndexes();
  const redis = createRedis(urls.redisUrl, 'command');
  const producer = createRedis(urls.redisUrl, 'producer');
  const queues = createQueues(producer, config.queuePrefix);
  // Readiness needs the producer connected; give it a moment at start (a dead Redis is not fatal:
  // answers are stored and counted once it is back).
  if (producer.status !== 'ready') {
    const ready = await Promise.race([
      new Promise<boolean>((r) => producer.once('ready', () => r(true))),
      new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref()),
    ]);
    if (!ready) logger.warn('Redis is not reachable yet; submissions are stored and counted once it is');
  }
  const metrics = new Metrics([queues.aggregation]);
  return {
    config,
    logger,
    redisUrl: urls.redisUrl,
    redis,
    producer,
    queues,
    metrics,
    async close() {
      await queues.close();
      await closeValidation();
      redis.disconnect();
      producer.disconnect();
      await disconnectMongo();
    },
  };
}

/** A listening API server with a bounded graceful stop. */
export interface ApiServer {
  server: http.Server;
  url: string;
  /** Stops accepting connections, lets in-flight requests finish for up to `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

/** Starts the HTTP API on the configured host and port. */
export async function startApi(runtime: Runtime): Promise<ApiServer> {
  startValidation();
  const app = buildApp(runtime);
  const server = http.createServer(app);
  server.keepAliveTimeout = 5000;
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(runtime.config.port, runtime.config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : runtime.config.port;
  return {
    server,
    url: `http://${runtime.config.host === '0.0.0.0' ? 'localhost' : runtime.config.host}:${port}`,
    close(timeoutMs) {
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

/**
 * Runs `shutdown` once on SIGTERM or SIGINT; a second signal exits at once.
 * The process exits with 0 after a clean shutdown, 1 otherwise.
 */
export function onShutdown(logger: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
