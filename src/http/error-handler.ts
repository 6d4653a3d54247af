import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/connection';
import { AppError, NotFoundError, UnavailableError } from '../errors';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** Maps every error to an {@link AppError}; unknown errors become an opaque 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as BodyParserError & { code?: unknown; name?: string };
  if (isDatabaseUnavailable(err))
    return new UnavailableError(
      'the database is unreachable; try again shortly',
      [],
      'DATABASE_UNAVAILABLE',
      {
        'Retry-After': '5',
      },
    );
  switch (e?.type) {
    case 'entity.parse.failed':
      return new AppError(400, 'MALFORMED_JSON', 'the body is not valid JSON');
    case 'entity.too.large':
      return new AppError(
        413,
        'PAYLOAD_TOO_LARGE',
        `the body is larger than ${e.limit ?? 'the limit'} bytes`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the body must be UTF-8 encoded JSON');
    case 'request.aborted':
    case 'request.size.invalid':
      return new AppError(400, 'BAD_REQUEST', 'the body was incomplete');
  }
  // The router's answer to a path parameter that is not valid percent-encoding (`/s/%ZZ`).
  if (err instanceof URIError && e.status === 400)
    return new AppError(400, 'BAD_REQUEST', 'the URL path is not valid percent-encoding');
  if (e?.name === 'CastError') return new NotFoundError();
  if (e?.code === 11000) return new AppError(409, 'CONFLICT', 'a record with the same unique value exists');
  // Other client errors raised by the body reader (http-errors marks them as safe to show).
  const status = (e as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (e as { expose?: boolean }).expose) {
    // zlib's codes: a gzip or deflate body that does not decompress.
    if (typeof e.code === 'string' && e.code.startsWith('Z_'))
      return new AppError(400, 'MALFORMED_BODY', 'the body does not decompress with its Content-Encoding');
    return new AppError(status, 'BAD_REQUEST', 'the request body could not be read');
  }
  return new AppError(
    500,
    'INTERNAL',
    'an unexpected error occurred; quote the request id when reporting it',
  );
}

/** The one error handler: contract shape, no stack traces, internals of unexpected errors hidden. */
export const errorHandler =
  (logger: Logger): ErrorRequestHandler =>
  (err, req, res, _next) => {
    const appError = toAppError(err);
    // An outage (503) is expected and already named in the answer: one line, no stack.
    if (appError.status === 503)
      logger.warn(
        { reqId: req.ctx?.requestId, code: appError.code, reason: (err as Error)?.message },
        'unavailable',
      );
    else if (appError.status >= 500) logger.error({ err, reqId: req.ctx?.requestId }, 'unexpected error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [k, v] of Object.entries(appError.headers)) res.setHeader(k, v);
    res.status(appError.status).json({
      error: {
        code: appError.code,
        message: appError.message,
        details: appError.details,
        requestId: req.ctx?.requestId,
      },
    });
  };

/** Unknown routes: the contract's 404, not Express's HTML page. */
export const notFoundHandler: RequestHandler = (req) => {
  throw new AppError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`);
};

/** Media types an attachment may have. */
export const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'];

/** Bodies must be JSON: anything else is refused before parsing with 415. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && ['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is('application/json')) {
    // Uploads of tables go to paths ending in /csv, only as text/csv; attachments (PDF and
    // images) to paths ending in /attachments. The routes parse those bodies themselves.
    if (req.path.endsWith('/csv')) {
      if (!req.is('text/csv')) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the file as text/csv');
    } else if (req.path.endsWith('/attachments')) {
      if (!req.is(ATTACHMENT_TYPES))
        throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `attachments are ${ATTACHMENT_TYPES.join(', ')}`);
    } else throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  next();
};

/**
 * Requests Node's HTTP parser refuses before Express sees them (request line and headers over
 * 16 KB, malformed HTTP) still get an answer in the contract's error shape.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'the request line and headers must stay under 16 KB']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'the request was not received in time']
        : [400, 'BAD_REQUEST', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code, message, details: [] } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
