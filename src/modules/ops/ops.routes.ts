import type { Redis } from 'ioredis';
import { pingMongo, withTimeout } from '../../db/connection';
import { UnavailableError } from '../../errors';
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

/** Liveness, readiness and metrics. */
export function opsRoutes(deps: { redis: Redis; metrics: Metrics }): AnyRoute[] {
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
      tags: ['operations'],
      auth: 'public',
      responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': {} } } },
      handler: async ({ res }) => {
        res.setHeader('Content-Type', deps.metrics.registry.contentType);
        res.send(await deps.metrics.registry.metrics());
      },
    }),
  ];
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
