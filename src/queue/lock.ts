import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** The lock could not be taken: Redis did not answer, or another holder kept it too long. */
export class LockUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockUnavailableError';
  }
}

/** Runs `fn` while holding a Redis lock on `key`, waiting for it if another holder has it. */
export type LockRunner = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

/**
 * A mutual-exclusion lock in Redis (SET NX PX, released only by its holder). The TTL bounds
 * how long a crashed holder blocks others; a live holder extends it every third of the TTL, so a
 * long job (a full rebuild) keeps it. Whatever the lock guards must still be safe if it is lost
 * (Redis restarted empty): it only keeps work from being done twice at once.
 */
export function redisLock(redis: Redis, prefix: string, ttlMs = 15_000, waitMs = 10 * 60_000): LockRunner {
  return async (key, fn) => {
    const name = `${prefix}:lock:${key}`;
    const token = randomBytes(16).toString('hex');
    const deadline = Date.now() + waitMs;
    const take = () =>
      redis.set(name, token, 'PX', ttlMs, 'NX').catch((err: unknown) => {
        throw new LockUnavailableError(`lock ${key}: Redis did not answer`, { cause: err });
      });
    while ((await take()) !== 'OK') {
      if (Date.now() > deadline)
        throw new LockUnavailableError(`lock ${key} not acquired within ${waitMs} ms`);
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
    const keep = setInterval(
      () => {
        redis.eval(EXTEND, 1, name, token, String(ttlMs)).catch(() => undefined);
      },
      Math.max(ttlMs / 3, 50),
    );
    keep.unref();
    try {
      return await fn();
    } finally {
      clearInterval(keep);
      await redis.eval(RELEASE, 1, name, token).catch(() => undefined);
    }
  };
}
