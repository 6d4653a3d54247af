import type { RequestHandler } from 'express';
import { rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { AppError } from '../errors';

/**
 * Per-address limit for the public (tenant) endpoints, counted in Redis so that several
 * API replicas share one budget. The address only keys a short-lived counter; it is never
 * written next to a response. While Redis is down requests pass: losing a tenant's answer
 * is worse than a few uncounted requests.
 */
export function publicRateLimit(redis: Redis, perMinute: number, prefix: string): RequestHandler {
  const counters = new RedisStore({
    prefix: `${prefix}:rl:`,
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
  });
  // The store loads its scripts at once and nobody awaits that: with Redis down at start the
  // rejection would end the process. It loads them again at its first count after a failure.
  counters.incrementScriptSha.catch(() => undefined);
  counters.getScriptSha.catch(() => undefined);
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new LenientStore(redis, counters),
    handler: (_req, _res, _next, options) => {
      throw new AppError(
        429,
        'RATE_LIMITED',
        'too many requests from this address; try again in a minute',
        [],
        {
          'Retry-After': String(Math.ceil(options.windowMs / 1000)),
        },
      );
    },
  });
}

/** How long a request waits for its count before it goes on uncounted. */
const COUNT_WAIT_MS = 150;

/**
 * Lets requests through, uncounted, while the counter store is unreachable, without waiting for
 * a reconnection: a tenant's submission must not stall on Redis. (The library's own
 * pass-on-error option prints to the console on every request; readiness already reports the
 * outage.)
 */
class LenientStore implements Store {
  constructor(
    private readonly redis: Redis,
    private readonly inner: RedisStore,
  ) {}

  get prefix() {
    return this.inner.prefix;
  }

  private windowMs = 60_000;

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.inner.init(options);
  }

  /** What an uncounted request reports: its own hit only (the library takes no fewer), a window ending as usual. */
  private passed(): IncrementResponse {
    return { totalHits: 1, resetTime: new Date(Date.now() + this.windowMs) };
  }

  async increment(key: string): Promise<IncrementResponse> {
    if (this.redis.status !== 'ready') return this.passed();
    // A Redis that holds its connection open but does not answer (a frozen host) would hold the
    // submission as long: past a short wait the request goes on uncounted.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<IncrementResponse>((resolve) => {
      timer = setTimeout(() => resolve(this.passed()), COUNT_WAIT_MS);
    });
    try {
      return await Promise.race([this.inner.increment(key), late]);
    } catch {
      return this.passed();
    } finally {
      clearTimeout(timer);
    }
  }

  async decrement(key: string): Promise<void> {
    if (this.redis.status !== 'ready') return;
    await this.inner.decrement(key).catch(() => undefined);
  }

  async resetKey(key: string): Promise<void> {
    await this.inner.resetKey(key).catch(() => undefined);
  }
}
