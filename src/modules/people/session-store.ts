import { Store, type SessionData } from 'express-session';
import type { Redis } from 'ioredis';
import { AppError, UnavailableError } from '../../errors';

type Callback<T = unknown> = (err?: unknown, value?: T) => void;

/** What a request that needs its session gets while Redis is away: a 503, not a 500. */
export function unavailable(err?: unknown): unknown {
  if (err instanceof AppError) return err;
  return new UnavailableError(
    'sign-in sessions are unavailable: Redis cannot be reached; try again shortly',
    [],
    'SESSIONS_UNAVAILABLE',
    { 'Retry-After': '5' },
  );
}

/**
 * express-session's store in Redis through the service's own ioredis connection: one key per
 * session, expiring after the idle time (renewed on each request that uses it). Nothing of a
 * session lives in the API process, so any process serves it and a restart keeps people signed in.
 * While the connection is not ready every call fails at once with a 503 (the connection would
 * otherwise wait for a reconnection, then fail after seconds).
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

  /** Runs a command if the connection is ready; its failure, or none, reaches `cb` as a 503. */
  private run<T>(command: () => Promise<T>, cb: (err: unknown) => void, done: (value: T) => void): void {
    if (this.redis.status !== 'ready') {
      cb(unavailable());
      return;
    }
    command().then(done, (err: unknown) => cb(unavailable(err)));
  }

  override get(sid: string, cb: Callback<SessionData | null>): void {
    this.run(
      () => this.redis.get(this.key(sid)),
      cb,
      (raw) => cb(null, raw ? (JSON.parse(raw) as SessionData) : null),
    );
  }

  override set(sid: string, session: SessionData, cb: Callback = () => undefined): void {
    this.run(
      () => this.redis.set(this.key(sid), JSON.stringify(session), 'EX', this.ttlSeconds),
      cb,
      () => cb(),
    );
  }

  override touch(sid: string, _session: SessionData, cb: Callback = () => undefined): void {
    this.run(
      () => this.redis.expire(this.key(sid), this.ttlSeconds),
      cb,
      () => cb(),
    );
  }

  override destroy(sid: string, cb: Callback = () => undefined): void {
    this.run(
      () => this.redis.del(this.key(sid)),
      cb,
      () => cb(),
    );
  }
}

/**
 * Failed sign-ins in a row per person, counted in Redis: one atomic increment per failure, so
 * failures sent at once are all counted (a count read and written back by each would let a burst
 * of guesses through as one). A count untouched for a day starts again.
 */
export class SignInFailures {
  private static readonly KEEP_MS = 24 * 3600_000;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(personId: string): string {
    return `${this.prefix}:sign-in-failures:${personId}`;
  }

  /** Counts one more failure; answers the count. */
  async add(personId: string): Promise<number> {
    if (this.redis.status !== 'ready') throw unavailable();
    const key = this.key(personId);
    const replies = await this.redis
      .multi()
      .incr(key)
      .pexpire(key, SignInFailures.KEEP_MS)
      .exec()
      .catch((err: unknown) => {
        throw unavailable(err);
      });
    const [err, count] = replies?.[0] ?? [new Error('no reply'), null];
    if (err) throw unavailable(err);
    return Number(count);
  }

  /** Starts the count again (a successful sign-in, a lock taken). */
  async clear(personId: string): Promise<void> {
    if (this.redis.status !== 'ready') throw unavailable();
    await this.redis.del(this.key(personId)).catch((err: unknown) => {
      throw unavailable(err);
    });
  }
}
