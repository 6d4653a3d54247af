import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import { csrfSync } from 'csrf-sync';
import type { Redis } from 'ioredis';
import type { Config } from '../../config';
import { AppError } from '../../errors';
import type { AuthContext } from '../../http/context';
import type { PersonDoc } from './person.model';
import { cachedPerson, personCaller } from './people.service';
import { RedisSessionStore } from './session-store';

declare module 'express-session' {
  interface SessionData {
    personId?: string;
    /** The person's session generation when signing in; a higher one ends this session. */
    generation?: number;
  }
}

/** The session cookie's name. */
export const SESSION_COOKIE = 'tv_session';

/** Requests that change nothing need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The synchroniser token of a session: created at sign-in, returned to the console, and required
 * in `X-CSRF-Token` on every state-changing request made with the session cookie.
 */
const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const header = req.headers['x-csrf-token'];
    return typeof header === 'string' ? header : undefined;
  },
});

/** A new CSRF token in the session (at sign-in), returned to show the console. */
export function newCsrfToken(req: Request): string {
  return csrf.generateToken(req, true);
}

/**
 * Sessions in Redis behind an `HttpOnly`, `SameSite=Lax` cookie (`Secure` in production), ending
 * after SESSION_IDLE_MINUTES without a request. Nothing is stored for a request that does not sign
 * in, so API-key traffic never touches the session store.
 */
export function sessionMiddleware(config: Readonly<Config>, redis: Redis): RequestHandler {
  const ttlSeconds = config.sessionIdleMinutes * 60;
  const sessions = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store: new RedisSessionStore(redis, `${config.queuePrefix}:session:`, ttlSeconds),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.nodeEnv === 'production',
      maxAge: ttlSeconds * 1000,
      path: '/',
    },
  });
  // Only requests that carry the cookie, or start a session, go through it: an API key's request
  // or a tenant's submission costs nothing here (express-session would otherwise make a session
  // id for each).
  return (req, res, next) => {
    const cookie = req.headers.cookie;
    if ((cookie && cookie.includes(`${SESSION_COOKIE}=`)) || req.path.startsWith('/v1/session')) {
      sessions(req, res, next);
      return;
    }
    next();
  };
}

/** Regenerates the session (a fixed session id never survives a sign-in) and signs the person in. */
export function startSession(req: Request, personId: string, generation: number): Promise<string> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err: unknown) => {
      if (err) return reject(err as Error);
      req.session.personId = personId;
      req.session.generation = generation;
      const token = newCsrfToken(req);
      req.session.save((saveErr: unknown) => (saveErr ? reject(saveErr as Error) : resolve(token)));
    });
  });
}

/** Ends this session. */
export function endSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!req.session) return resolve();
    req.session.destroy((err: unknown) => (err ? reject(err as Error) : resolve()));
  });
}

/**
 * The person signed in with this request's session, or null. A session whose person is no longer
 * active, or that an end-everywhere (or a change of role) outdated, ends here.
 */
export async function sessionPerson(req: Request): Promise<PersonDoc | null> {
  const s = req.session;
  if (!s?.personId) return null;
  const person = await cachedPerson(s.personId);
  if (person && person.status === 'active' && person.sessionGeneration === s.generation) return person;
  await endSession(req);
  return null;
}

/**
 * The person a request's session signs in, or null. A session whose person was disabled, changed
 * role or signed out everywhere ends here. A state-changing request needs the session's CSRF
 * token (403 CSRF_FAILED otherwise): a cookie alone, which another site can make a browser send,
 * changes nothing.
 */
export async function sessionCaller(req: Request): Promise<AuthContext | null> {
  const person = await sessionPerson(req);
  if (!person) return null;
  if (!SAFE_METHODS.has(req.method) && !csrf.isRequestValid(req))
    throw new AppError(403, 'CSRF_FAILED', 'send the session’s CSRF token in the X-CSRF-Token header');
  return personCaller(person);
}
