import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections, one per role as BullMQ advises:
 * - `command`: rate-limit counters, sessions and readiness pings; queues briefly while
 *   connecting, then gives up after one reconnection attempt, and fails a command not answered
 *   within a second (a Redis that keeps its connection but does not answer).
 * - `producer`: adds jobs; fails fast so a request never hangs on a dead Redis.
 * - `worker`: blocking reads; must retry forever (`maxRetriesPerRequest: null`).
 */
export function createRedis(url: string, role: 'command' | 'producer' | 'worker'): Redis {
  const common: RedisOptions = {
    connectionName: `tenant-voice:${role}`,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  };
  const byRole: Record<typeof role, RedisOptions> = {
    command: { enableOfflineQueue: true, maxRetriesPerRequest: 1, commandTimeout: 1000 },
    producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    worker: { maxRetriesPerRequest: null, enableReadyCheck: false },
  };
  const redis = new Redis(url, { ...common, ...byRole[role] });
  // Without a listener ioredis logs unhandled errors; readiness reports the outage instead.
  redis.on('error', () => undefined);
  return redis;
}
