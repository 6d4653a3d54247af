import express, { type Express, type Request } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { submissionBodyLimit, type Config } from './config';
import { bearerToken } from './http/context';
import { errorHandler, notFoundHandler, requireJsonBody } from './http/error-handler';
import type { Metrics } from './http/metrics';
import { buildOpenApi } from './http/openapi';
import { publicRateLimit } from './http/rate-limit';
import { redisLock } from './queue/lock';
import { requestLogging } from './http/request-logging';
import { mountRoutes, type AnyRoute } from './http/route';
import { docsAssets, docsRoutes } from './modules/ops/docs';
import { opsRoutes } from './modules/ops/ops.routes';
import { queueDashboard } from './modules/ops/queue-dashboard';
import { campaignRoutes } from './modules/campaigns/campaigns.routes';
import { scoreRoutes } from './modules/indicators/scores.routes';
import { indicatorDefinitionRoutes } from './modules/catalogue/indicator-definitions.routes';
import { authenticateKey } from './modules/organisations/api-keys.service';
import { organisationRoutes } from './modules/organisations/organisations.routes';
import { publicAssets, publicRoutes } from './modules/responses/public.routes';
import { consoleAssets } from './modules/console/console.routes';
import { entryRoutes } from './modules/responses/entries.routes';
import { auditRoutes } from './modules/audit/audit.routes';
import { recordAudit } from './modules/audit/record';
import { retentionRoutes } from './modules/responses/retention.routes';
import { peopleRoutes } from './modules/people/people.routes';
import { oidcRoutes } from './modules/people/oidc.routes';
import { sessionCaller, sessionMiddleware } from './modules/people/sessions';
import { SignInFailures } from './modules/people/session-store';
import { createMailer } from './mail';
import { surveyRoutes } from './modules/surveys/surveys.routes';
import { groupRoutes } from './modules/groups/groups.routes';
import { returnRoutes } from './modules/returns/returns.routes';
import { reportedIndicatorRoutes } from './modules/catalogue/reported-indicators.routes';
import { practiceRoutes } from './modules/practices/practices.routes';
import { planRoutes } from './modules/plans/plans.routes';
import { weightingRoutes } from './modules/weighting/weighting.routes';
import { approachRoutes } from './modules/weighting/approach.routes';
import { webhookRoutes } from './modules/webhooks/webhooks.routes';
import { reportRoutes } from './modules/reports/reports.routes';
import { createEventSink } from './modules/webhooks/webhooks.service';
import type { Queues } from './queue/queues';

/** Everything the HTTP app needs, created and owned by the caller. */
export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  /** Command connection: rate limits and readiness. */
  redis: Redis;
  /** Producer connection of the queues (readiness looks at it). */
  producer: Redis;
  queues: Queues;
  metrics: Metrics;
}

/** The caller: an API key from the Authorization header, else a person's session cookie. */
async function authenticate(req: Request) {
  const token = bearerToken(req.headers.authorization);
  if (token !== null) return authenticateKey(token);
  return sessionCaller(req);
}

/** All routes of the service; the OpenAPI document is derived from this list. */
export function allRoutes(deps: AppDeps): AnyRoute[] {
  const routes: AnyRoute[] = [
    ...opsRoutes({
      redis: deps.redis,
      producer: deps.producer,
      metrics: deps.metrics,
      metricsToken: deps.config.metricsToken,
      authenticate,
    }),
    // A short lock: it is held for one count and one update.
    ...organisationRoutes({ lock: redisLock(deps.redis, deps.config.queuePrefix, 10_000, 5_000) }),
    ...surveyRoutes(),
    ...indicatorDefinitionRoutes(),
    ...reportedIndicatorRoutes(),
    ...groupRoutes(),
    ...returnRoutes({
      events: createEventSink({ queues: deps.queues, logger: deps.logger, config: deps.config }),
    }),
    ...practiceRoutes(),
    ...planRoutes(),
    ...weightingRoutes({ queues: deps.queues, logger: deps.logger }),
    ...approachRoutes(),
    ...webhookRoutes({ queues: deps.queues, config: deps.config }),
    ...campaignRoutes(deps.config),
    ...entryRoutes(deps),
    ...auditRoutes(),
    ...retentionRoutes(),
    ...peopleRoutes({
      config: deps.config,
      logger: deps.logger,
      mail: createMailer(deps.config),
      failures: new SignInFailures(deps.redis, deps.config.queuePrefix),
      lock: redisLock(deps.redis, deps.config.queuePrefix, 10_000, 5_000),
    }),
    ...oidcRoutes({ config: deps.config, logger: deps.logger }),
    ...publicRoutes(deps),
    ...scoreRoutes(),
    ...reportRoutes(),
  ];
  let openapi: object | null = null;
  routes.push(
    ...docsRoutes(() => {
      openapi ??= buildOpenApi(routes, {
        title: 'Tenant Voice API',
        version: '1',
        description:
          'Tenant satisfaction surveys and cross-organisation benchmarks. Errors always have the shape {"error": {"code", "message", "details"}}.',
        serverUrl: deps.config.publicBaseUrl,
      });
      return openapi;
    }),
  );
  return routes;
}

/**
 * Builds the Express app (no listen). The chain: request id and logs → security headers →
 * metrics → content type and body limit → rate limit, auth and validation per route →
 * routes → not found → the one error handler.
 */
export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.set('query parser', 'simple');

  app.use(requestLogging(deps.logger));
  app.use(
    helmet({
      crossOriginEmbedderPolicy: false,
      // Demo and intranet deployments run on plain http; production sits behind TLS anyway.
      // Photos and signatures are previewed from data: and blob: URLs on the tenant's page.
      contentSecurityPolicy: {
        directives: { upgradeInsecureRequests: null, imgSrc: ["'self'", 'data:', 'blob:'] },
      },
      strictTransportSecurity: false,
    }),
  );
  // HSTS only means something on a response that came over HTTPS (directly, or through a proxy
  // trusted by TRUST_PROXY that says so); over plain http browsers ignore it and it misleads.
  const hsts = helmet.strictTransportSecurity({ maxAge: 31536000, includeSubDomains: true });
  app.use((req, res, next) => (req.secure ? hsts(req, res, next) : next()));
  app.use(deps.metrics.middleware());
  app.use(requireJsonBody);
  // A tenant's submission may carry photos and signatures; every other body keeps the small limit.
  app.post(
    '/api/v1/public/campaigns/:slug/responses',
    express.json({ limit: submissionBodyLimit(deps.config), strict: true, type: 'application/json' }),
  );
  app.use(express.json({ limit: deps.config.bodyLimitBytes, strict: true, type: 'application/json' }));
  app.use(docsAssets());
  app.use(publicAssets());
  app.use(consoleAssets());
  // People's sessions: only requests to the API (and the console) carry the cookie.
  app.use('/api', sessionMiddleware(deps.config, deps.redis));

  const router = express.Router();
  mountRoutes(router, allRoutes(deps), {
    authenticate,
    recordChange: (change) =>
      recordAudit(change.caller, {
        action: `request.${change.method}`,
        resource: { type: change.tag, id: change.path },
        after: { route: change.route, status: change.status },
      }),
    publicRateLimit: publicRateLimit(deps.redis, deps.config.rateLimitPerMinute, deps.config.queuePrefix),
  });
  app.use(router);
  app.use(queueDashboard(deps.queues));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
