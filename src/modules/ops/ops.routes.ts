import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { pingMongo, withTimeout } from '../../db/connection';
import { ForbiddenError, UnauthorizedError, UnavailableError } from '../../errors';
import { bearerToken, type AuthContext } from '../../http/context';
import type { Metrics } from '../../http/metrics';
import { defineRoute, type AnyRoute } from '../../http/route';

const statusSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    checks: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/** What the operations routes need. */
export interface OpsDeps {
  /** Command connection (pinged). */
  redis: Redis;
  /** Producer connection: submissions queue their aggregation on it, so it must be connected too. */
  producer: Redis;
  metrics: Metrics;
  /** Token a Prometheus scraper sends; platform API keys are accepted as well. */
  metricsToken: string | null;
  authenticate(req: Request): Promise<AuthContext | null>;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Liveness, readiness and metrics. */
export function opsRoutes(deps: OpsDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'The process is up',
      tags: ['operations'],
      auth: 'public',
      responses: { 200: { description: 'Alive', schema: statusSchema } },
      handler: () => ({ body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: 'MongoDB and Redis answer a ping',
      description: '503 names each backing service that did not answer within one second.',
      tags: ['operations'],
      auth: 'public',
      responses: {
        200: { description: 'Ready', schema: statusSchema },
        503: { description: 'A backing service is down', schema: { $ref: '#/components/schemas/Error' } },
      },
      handler: async () => {
        const [mongo, redis] = await Promise.allSettled([
          pingMongo(1000),
          withTimeout(deps.redis.ping(), 1000),
        ]);
        const down = [];
        if (mongo.status === 'rejected') down.push({ path: '/mongodb', message: reason(mongo.reason) });
        if (redis.status === 'rejected') down.push({ path: '/redis', message: reason(redis.reason) });
        else if (deps.producer.status !== 'ready')
          down.push({ path: '/redis', message: `the queue connection is ${deps.producer.status}` });
        if (down.length) {
          const names = down.map((d) => d.path.slice(1)).join(' and ');
          throw new UnavailableError(`${names} unreachable`, down, 'NOT_READY');
        }
        return { body: { status: 'ok', checks: { mongodb: 'ok', redis: 'ok' } } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      description:
        'Needs `Authorization: Bearer <METRICS_TOKEN>` (the scraper’s token) or a platform API key.',
      tags: ['operations'],
      auth: 'public',
      responses: {
        200: { description: 'Prometheus text format', content: { 'text/plain': {} } },
        401: { description: 'No token or key', schema: { $ref: '#/components/schemas/Error' } },
        403: {
          description: 'A key that is not a platform key',
          schema: { $ref: '#/components/schemas/Error' },
        },
      },
      handler: async ({ req, res }) => {
        const given = bearerToken(req.headers.authorization);
        if (!(deps.metricsToken && given && sameSecret(given, deps.metricsToken))) {
          const caller = given ? await deps.authenticate(req) : null;
          if (!caller)
            throw new UnauthorizedError('send the metrics token or a platform API key as a Bearer token');
          if (caller.role !== 'platform') throw new ForbiddenError();
        }
        res.setHeader('Content-Type', deps.metrics.registry.contentType);
        res.send(await deps.metrics.registry.metrics());
      },
    }),
  ];
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
