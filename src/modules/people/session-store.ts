import { Store, type SessionData } from 'express-session';
import type { Redis } from 'ioredis';

type Callback<T = unknown> = (err?: unknown, value?: T) => void;

/**
 * express-session's store in Redis through the service's own ioredis connection: one key per
 * session, expiring after the idle time (renewed on each request that uses it). Nothing of a
 * session lives in the API process, so any process serves it and a restart keeps people signed in.
 */
export class RedisSessionStore extends Store {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {
    super();
  }

  private key(sid: string): string {
    return `${this.prefix}${sid}`;
  }

  override get(sid: string, cb: Callback<SessionData | null>): void {
    this.redis.get(this.key(sid)).then(
      (raw) => cb(null, raw ? (JSON.parse(raw) as SessionData) : null),
      (err: unknown) => cb(err),
    );
  }

  override set(sid: string, session: SessionData, cb?: Callback): void {
    this.redis.set(this.key(sid), JSON.stringify(session), 'EX', this.ttlSeconds).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override touch(sid: string, _session: SessionData, cb?: Callback): void {
    this.redis.expire(this.key(sid), this.ttlSeconds).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override destroy(sid: string, cb?: Callback): void {
    this.redis.del(this.key(sid)).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }
}
