/** One problem the API names in a refusal: where (a JSON Pointer into the request) and what. */
export interface ApiProblem {
  path: string;
  message: string;
}

/** A refusal of the API, with its status, error code and the problems it lists (`details`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiProblem[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSignedOut: () => void = () => undefined;

/** What to do when the API says the session has ended (it expired, or was ended elsewhere). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

/** The session's CSRF token, sent with every request that changes something. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

async function send(method: string, path: string, body: unknown, accept: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (res.status === 401 && !path.startsWith('/api/v1/session')) onSignedOut();
  if (!res.ok) {
    let code = 'HTTP_ERROR';
    let message = res.statusText;
    let details: ApiProblem[] = [];
    try {
      const parsed = (await res.json()) as {
        error?: { code?: string; message?: string; details?: ApiProblem[] };
      };
      code = parsed.error?.code ?? code;
      message = parsed.error?.message ?? message;
      if (Array.isArray(parsed.error?.details)) details = parsed.error.details;
    } catch {
      // Not the API's JSON error (a proxy's page, say): the status says enough.
    }
    throw new ApiError(res.status, code, message, details);
  }
  return res;
}

/** Calls the API (same origin, the session cookie) and returns its JSON, or nothing for 204. */
export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
) {
  const res = await send(method, path, body, 'application/json');
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A document the API gives (`Accept` names its type: a PDF, CSV); a refusal is an ApiError. */
export async function apiBlob(path: string, accept: string): Promise<Blob> {
  return (await send('GET', path, undefined, accept)).blob();
}

/** The CSV form of a score endpoint (`Accept: text/csv`). */
export function apiCsv(path: string): Promise<Blob> {
  return apiBlob(path, 'text/csv');
}

/**
 * Every item of a paged list (`{items, nextCursor}`), following its cursors; `path` may carry a
 * query of its own. Stops after `max` items, so a runaway list cannot hang a page.
 */
export async function apiAll<T>(path: string, max = 5000): Promise<{ items: T[] }> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '200' });
    if (cursor) query.set('cursor', cursor);
    const page: { items: T[]; nextCursor?: string | null } = await api(
      'GET',
      `${path}${path.includes('?') ? '&' : '?'}${query.toString()}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor ?? null;
  } while (cursor && items.length < max);
  return { items };
}
