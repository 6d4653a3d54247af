import type { Request } from 'express';

/**
 * The roles an API key can carry (shared/api.md). `coordinator` is a key of an organisation that
 * coordinates benchmarking groups: it manages their members, calendar, queries and sign-off.
 * `interviewer` belongs to a member of staff who enters paper forms and telephone or face-to-face
 * interviews, and can do nothing else.
 */
export type Role = 'platform' | 'admin' | 'analyst' | 'coordinator' | 'interviewer';

/** Who is calling, resolved from the API key; never from the body. */
export interface AuthContext {
  /** The key's id, or the person's for a signed-in person. */
  keyId: string;
  /** Who acts: an API key (the default) or a person signed in to the console. */
  actor?: 'key' | 'person';
  organisationId: string | null;
  role: Role;
}

/** Per-request state the middleware chain fills in. */
export interface RequestContext {
  requestId: string;
  auth: AuthContext | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    ctx: RequestContext;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() || null : null;
}

/** The authenticated caller; routes declared with roles always have one. */
export function authOf(req: Request): AuthContext {
  if (!req.ctx.auth) throw new Error('route declared without auth reached an authenticated handler');
  return req.ctx.auth;
}
