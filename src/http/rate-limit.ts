import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
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
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    store: new RedisStore({
      prefix: `${prefix}:rl:`,
      sendCommand: (command: string, ...args: string[]) =>
        redis.call(command, ...args) as Promise<RedisReply>,
    }),
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
