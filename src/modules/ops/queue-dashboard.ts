import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type Router } from 'express';
import { AppError } from '../../errors';
import { bearerToken } from '../../http/context';
import type { Queues } from '../../queue/queues';
import { authenticateKey } from '../organisations/api-keys.service';

const BASE = '/admin/queues';

/** The key a browser sends: Basic auth (the key as password, so the browser prompts) or Bearer. */
function presentedKey(header: string | undefined): string | null {
  if (!header) return null;
  if (header.startsWith('Bearer ')) return bearerToken(header);
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) || null;
  }
  return null;
}

/** The API's error codes for the statuses bull-board refuses with. */
const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'VALIDATION_FAILED',
};

/**
 * A refusal of bull-board (`{"error": {"key": "ERRORS.QUEUE_NOT_FOUND"}}`) in the API's error
 * shape; its own members stay, so its page still reads them.
 */
export function inErrorShape(status: number, body: unknown, requestId?: string): unknown {
  const own = (body ?? {}) as Record<string, unknown>;
  const error = own.error;
  if (error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string')
    return body;
  const fields = error && typeof error === 'object' ? (error as Record<string, unknown>) : {};
  const message =
    typeof error === 'string'
      ? error
      : typeof fields.key === 'string'
        ? `the queue dashboard refused the request (${fields.key})`
        : typeof fields.message === 'string'
          ? fields.message
          : 'the queue dashboard refused the request';
  return {
    ...own,
    error: {
      ...fields,
      code: CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'),
      message,
      details: [],
      requestId,
    },
  };
}

/**
 * The queue dashboard (bull-board) for platform keys: waiting, delayed, failed jobs kept for
 * inspection, retries. Its page needs inline scripts, so it gets its own, looser CSP.
 */
export function queueDashboard(queues: Queues): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BASE);
  createBullBoard({
    queues: [new BullMQAdapter(queues.aggregation, { readOnlyMode: false })],
    serverAdapter: adapter,
  });
  const router = express.Router();
  router.use(BASE, async (req, res, next) => {
    const key = presentedKey(req.headers.authorization);
    const auth = key ? await authenticateKey(key) : null;
    if (!auth) {
      throw new AppError(
        401,
        'UNAUTHORIZED',
        'a platform key is required (as Bearer token, or as the password of the browser prompt)',
        [],
        {
          'WWW-Authenticate': 'Basic realm="queues", charset="UTF-8"',
        },
      );
    }
    if (auth.role !== 'platform') throw new AppError(403, 'FORBIDDEN', 'only platform keys see the queues');
    const json = res.json.bind(res);
    res.json = (body: unknown) =>
      json(res.statusCode >= 400 ? inErrorShape(res.statusCode, body, req.ctx?.requestId) : body);
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:",
    );
    next();
  });
  router.use(BASE, adapter.getRouter() as Router);
  return router;
}
