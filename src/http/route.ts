import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { AppError, ForbiddenError, UnauthorizedError, ValidationError } from '../errors';
import type { AuthContext, Role } from './context';
import { csvOf, isReusable, sendReusable } from './serialised';
import { bodyAjv, compile, findUnsafeKeys, queryAjv, toDetails } from './validation';

type Infer<S> = S extends JSONSchema ? FromSchema<S> : Record<string, never>;

/** A documented response of a route; the OpenAPI document is built from these. */
export interface ResponseSpec {
  description: string;
  /** JSON Schema of a JSON body. */
  schema?: JSONSchema;
  /** Non-JSON bodies (PDF, PNG, SVG, CSV, HTML, NDJSON). */
  content?: Record<string, { schema?: JSONSchema }>;
}

/** What a handler returns: a status and a JSON body; return nothing when it wrote the response itself. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Validated input handed to a handler. */
export interface Input<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
}

/**
 * One endpoint: its contract (schemas, roles, responses) and its handler. The same object
 * drives validation at run time and the served OpenAPI document, so the two cannot drift.
 */
export interface RouteDef<P = undefined, Q = undefined, B = undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path, e.g. `/api/v1/surveys/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** `public` for tenants, otherwise the roles whose keys may call it. */
  auth: 'public' | readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  /** A body that is not JSON (a CSV upload): its media types; the handler parses it. */
  requestContent?: Record<string, { schema?: JSONSchema }>;
  /** Also answers `text/csv` when asked with `Accept: text/csv`: how to flatten the JSON body into rows. */
  csv?: (body: never) => CsvTable;
  /** Applies the per-address rate limit of public endpoints. */
  rateLimited?: boolean;
  /**
   * `self`: the handler writes its own audit lines (with the state before and after). Otherwise
   * every successful change made by a key or a person is recorded by the router.
   */
  audit?: 'self';
  responses: Record<number, ResponseSpec>;
  handler: (input: Input<Infer<P>, Infer<Q>, Infer<B>>) => Promise<Reply | void> | Reply | void;
}

/** A table for the CSV form of a response. */
export interface CsvTable {
  columns: string[];
  rows: unknown[][];
}

/**
 * One CSV cell; a leading = + - @ is quoted so spreadsheet programs do not run it as a formula,
 * and a cell holding a separator of any locale (comma, semicolon, tab) is enclosed in quotes.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  // A list of plain values reads as "a;b"; anything holding objects (files, dynamic panels,
  // matrix rows) keeps its structure as JSON.
  const plain = Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object');
  const text = plain
    ? (value as unknown[]).join(';')
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
  // A plain negative number stays a number; "-1+cmd|..." and the like do not.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? `'${text}` : text;
  // Quoted also at ";" and tab: spreadsheets in Polish, Ukrainian and Russian split cells at ";",
  // and "ok;=cmd" unquoted would start a cell of its own with a formula.
  return /[",;\t\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The CSV form of a list inside a response body (`body[list]`), one column per field named. */
export function csvTable(list: string, columns: readonly string[]) {
  return (body: Record<string, Array<Record<string, unknown>>>): CsvTable => ({
    columns: [...columns],
    rows: (body[list] ?? []).map((row) => columns.map((c) => row[c])),
  });
}

/** CSV text of a table, CRLF line ends (RFC 4180). */
export function toCsv(table: CsvTable): string {
  return [table.columns, ...table.rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** A route with its type parameters erased, for lists. */
export type AnyRoute = Omit<RouteDef, 'handler' | 'params' | 'query' | 'body' | 'csv'> & {
  csv?: (body: unknown) => CsvTable;
  params?: object;
  query?: object;
  body?: object;
  handler: (input: Input<unknown, unknown, unknown>) => Promise<Reply | void> | Reply | void;
};

/** Declares a route with its input types inferred from its schemas. */
export function defineRoute<
  const P extends JSONSchema | undefined = undefined,
  const Q extends JSONSchema | undefined = undefined,
  const B extends JSONSchema | undefined = undefined,
>(def: RouteDef<P, Q, B>): AnyRoute {
  return def as unknown as AnyRoute;
}

/** A successful change made by an authenticated caller, as the router reports it for the audit log. */
export interface ChangeMade {
  caller: AuthContext;
  method: string;
  /** The route's path template, e.g. `/api/v1/campaigns/{id}/invitations`. */
  route: string;
  /** The path asked for, with its parameters. */
  path: string;
  tag: string;
  status: number;
}

/** What mounting needs from the rest of the app. */
export interface MountOptions {
  authenticate: (req: Request) => Promise<AuthContext | null>;
  publicRateLimit: RequestHandler;
  /** Records a change in the audit log (routes marked `audit: 'self'` record their own). */
  recordChange?: (change: ChangeMade) => Promise<void>;
}

/** Express path syntax from OpenAPI syntax. */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** Literal segments before parameters, position by position: `/surveys/validate` before `/surveys/:id`. */
function specificity(path: string): number[] {
  return path.split('/').map((segment) => (segment.startsWith(':') ? 1 : 0));
}

function bySpecificity(a: string, b: string): number {
  const [x, y] = [specificity(a), specificity(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/**
 * Mounts routes with the chain: rate limit → auth → validate → handler. Paths go from the most
 * literal to the most general; a known path asked with a method it does not have gets 405
 * with `Allow`, and OPTIONS gets 204 with `Allow`.
 */
export function mountRoutes(router: Router, routes: AnyRoute[], opts: MountOptions): void {
  const byPath = new Map<string, AnyRoute[]>();
  for (const route of routes) {
    const path = expressPath(route.path);
    const same = byPath.get(path);
    if (same) same.push(route);
    else byPath.set(path, [route]);
  }
  for (const path of [...byPath.keys()].sort(bySpecificity)) {
    const methods = new Set(['OPTIONS']);
    for (const route of byPath.get(path)!) {
      const chain: RequestHandler[] = [];
      if (route.rateLimited) chain.push(opts.publicRateLimit);
      if (route.auth !== 'public') chain.push(authGuard(route.auth, opts.authenticate));
      chain.push(validator(route));
      chain.push(runner(route, opts.recordChange));
      router[route.method](path, ...chain);
      methods.add(route.method.toUpperCase());
      if (route.method === 'get') methods.add('HEAD');
    }
    const allow = [...methods].sort().join(', ');
    router.all(path, (req, res) => {
      res.setHeader('Allow', allow);
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      throw new AppError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use ${allow}`, [], {
        Allow: allow,
      });
    });
  }
}

function authGuard(roles: readonly Role[], authenticate: MountOptions['authenticate']): RequestHandler {
  return async (req, _res, next) => {
    const auth = await authenticate(req);
    if (!auth) throw new UnauthorizedError();
    if (!roles.includes(auth.role)) throw new ForbiddenError();
    req.ctx.auth = auth;
    next();
  };
}

/** A body whose fields are all optional may be left out: it counts as `{}` (a publish without a revision). */
export function bodyMayBeLeftOut(schema: object): boolean {
  return !(schema as { required?: string[] }).required?.length;
}

function validator(route: AnyRoute): RequestHandler {
  const params = route.params ? compile(queryAjv, route.params) : null;
  const query = route.query ? compile(queryAjv, route.query) : null;
  const body = route.body ? compile(bodyAjv, route.body) : null;
  const optionalBody = route.body !== undefined && bodyMayBeLeftOut(route.body);
  return (req: Request, _res: Response, next: NextFunction) => {
    const details = [];
    if (params && !params(req.params)) details.push(...toDetails(params.errors, '/params'));
    const q = { ...(req.query as object) };
    if (query && !query(q)) details.push(...toDetails(query.errors, '/query'));
    if (details.length) throw new ValidationError('the request parameters are invalid', details);
    if (body) {
      if (req.body === undefined && optionalBody) req.body = {};
      const unsafe = findUnsafeKeys(req.body);
      if (unsafe.length)
        throw new ValidationError('the body contains keys or text that are not accepted', unsafe);
      if (!body(req.body))
        throw new ValidationError('the body does not match the schema', toDetails(body.errors));
    }
    // Express 5 exposes req.query as a getter; keep the coerced copy where handlers read it.
    Object.defineProperty(req, 'query', { value: q, writable: true, configurable: true });
    next();
  };
}

function runner(route: AnyRoute, recordChange: MountOptions['recordChange']): RequestHandler {
  const audited = recordChange && route.method !== 'get' && route.auth !== 'public' && route.audit !== 'self';
  return async (req, res) => {
    const reply = await route.handler({ params: req.params, query: req.query, body: req.body, req, res });
    const status = reply ? (reply.status ?? 200) : res.statusCode;
    if (audited && req.ctx.auth && status < 400)
      await recordChange({
        caller: req.ctx.auth,
        method: route.method,
        route: route.path,
        path: req.path,
        tag: route.tags[0] ?? 'api',
        status,
      });
    if (!reply || res.headersSent) return;
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    res.status(reply.status ?? 200);
    res.vary('Accept');
    // A page of a list names the next one in a Link header too: a CSV has no room for a cursor.
    const next = (reply.body as { nextCursor?: unknown } | null | undefined)?.nextCursor;
    if (typeof next === 'string') res.setHeader('Link', `<${nextPage(req, next)}>; rel="next"`);
    if (
      route.csv &&
      reply.body !== undefined &&
      req.accepts(['application/json', 'text/csv']) === 'text/csv'
    ) {
      const table = route.csv;
      res.type('text/csv; charset=utf-8').send(csvOf(reply.body, () => toCsv(table(reply.body))));
      return;
    }
    if (reply.body === undefined) res.end();
    else if (isReusable(reply.body)) sendReusable(req, res, reply.body);
    else res.json(reply.body);
  };
}

/** The address of the next page of a list: the same request with the next cursor. */
function nextPage(req: Request, cursor: string): string {
  const [path, search] = req.originalUrl.split('?') as [string, string | undefined];
  const query = new URLSearchParams(search ?? '');
  query.set('cursor', cursor);
  return `${path}?${query.toString()}`;
}
