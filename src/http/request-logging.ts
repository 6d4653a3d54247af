import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Request ids and access logs. Tenants answer anonymously, so the log carries neither the
 * client address nor the user agent, and the query string (which can hold an invitation
 * token) is cut from the logged URL.
 */
export function requestLogging(logger: Logger): RequestHandler[] {
  const assignId: RequestHandler = (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    req.ctx = { requestId: id, auth: null };
    res.setHeader('X-Request-Id', id);
    next();
  };
  const http = pinoHttp({
    logger,
    genReqId: (req: IncomingMessage) => (req as unknown as { ctx: { requestId: string } }).ctx.requestId,
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
  });
  return [assignId, http as unknown as RequestHandler];
}
