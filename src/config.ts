import Ajv, { type JSONSchemaType } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Service configuration. This module is the only reader of the environment:
 * everything else receives a validated, frozen {@link Config}.
 */
export interface Config {
  /** `production`, `development` or `test`; production requires explicit service URLs. */
  nodeEnv: 'production' | 'development' | 'test';
  /** TCP port of the HTTP API (PORT, default 3000). */
  port: number;
  /** Interface to bind (HOST, default 0.0.0.0 in production, 127.0.0.1 otherwise). */
  host: string;
  /** MongoDB connection string (MONGODB_URI); absent outside production means "start a local server". */
  mongodbUri: string | null;
  /** Redis URL (REDIS_URL); absent outside production means "start a local server". */
  redisUrl: string | null;
  /** Base of the links printed on posters and QR codes (PUBLIC_BASE_URL), without a trailing slash. */
  publicBaseUrl: string;
  /** pino level (LOG_LEVEL, default info). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted JSON body in bytes (BODY_LIMIT_BYTES, default 1 MiB). */
  bodyLimitBytes: number;
  /** Key prefix for BullMQ queues (QUEUE_PREFIX, default "tv"); tests use one per file. */
  queuePrefix: string;
  /** Where `npm start` keeps local database files (DATA_DIR, default ./data). */
  dataDir: string;
  /**
   * Where the local FerretDB that `npm start` runs keeps its data (FERRETDB_BACKEND):
   * `postgresql` (a PostgreSQL server of its own under DATA_DIR) or `sqlite`. Unset: PostgreSQL,
   * unless DATA_DIR already holds FerretDB's SQLite data.
   */
  ferretdbBackend: 'postgresql' | 'sqlite' | null;
  /** How long shutdown waits for in-flight requests and jobs (SHUTDOWN_TIMEOUT_MS, default 10000). */
  shutdownTimeoutMs: number;
  /** Express "trust proxy" setting (TRUST_PROXY: a hop count, default 0) for client addresses behind a proxy. */
  trustProxy: number;
  /** Public endpoint requests per client address per minute (RATE_LIMIT_PER_MINUTE, default 60). */
  rateLimitPerMinute: number;
  /** Cron pattern of the full indicator rebuild (REBUILD_CRON, default nightly at 03:00). */
  rebuildCron: string;
  /** IANA time zone the rebuild cron is read in (REBUILD_TZ, default UTC). */
  rebuildTimezone: string;
  /** Concurrency of the aggregation worker (WORKER_CONCURRENCY, default 2). */
  workerConcurrency: number;
  /** How long a worker's job lock lasts before a crashed worker's job is retried (WORKER_LOCK_MS, default 30000). */
  workerLockMs: number;
  /** Wait after an answer before waiting answers are counted, so bursts collapse (AGGREGATION_DELAY_MS, default 250). */
  aggregationDelayMs: number;
  /** Largest file or signature in an answer, decoded (FILE_MAX_BYTES, default 2 MiB). */
  fileMaxBytes: number;
  /** All files and signatures of one response together, decoded (RESPONSE_FILES_MAX_BYTES, default 5 MiB). */
  responseFilesMaxBytes: number;
  /** MIME types a tenant may upload, comma-separated; "image/*" allows a family (FILE_TYPES). */
  fileTypes: string[];
  /**
   * Bearer token Prometheus sends to scrape /metrics (METRICS_TOKEN, at least 24 characters).
   * Without it /metrics answers only platform API keys.
   */
  metricsToken: string | null;
  /**
   * Master key of webhook secrets (WEBHOOK_KEY, 32 to 512 printable characters; required in
   * production). An endpoint's signing secret is HMAC-SHA256 of this key over the endpoint's id
   * and a random salt, so the database alone cannot produce it; changing the key changes every
   * endpoint's secret.
   */
  webhookKey: string;
  /** First retry delay of a webhook delivery, doubled on each retry (WEBHOOK_RETRY_DELAY_MS, default 10000). */
  webhookRetryDelayMs: number;
  /** Failed deliveries in a row that disable a webhook endpoint (WEBHOOK_MAX_FAILURES, default 3). */
  webhookMaxFailures: number;
  /**
   * Key that signs session cookies (SESSION_SECRET, 32 to 512 printable characters; required in
   * production, where every API process must share it).
   */
  sessionSecret: string;
  /** A session ends after this many minutes without a request (SESSION_IDLE_MINUTES, default 480). */
  sessionIdleMinutes: number;
  /** How long an invitation link to a person stays valid (INVITATION_TTL_HOURS, default 168). */
  invitationTtlHours: number;
  /** SMTP server that sends invitations (SMTP_URL, e.g. smtp://user:pass@mail:587); none: links are shown only. */
  smtpUrl: string | null;
  /** Sender of the service's e-mail (MAIL_FROM). */
  mailFrom: string;
  /**
   * Single sign-on with OpenID Connect, when OIDC_ISSUER_URL is set: the issuer, this service's
   * client id and secret at that provider (OIDC_CLIENT_ID, OIDC_CLIENT_SECRET), and the name the
   * sign-in page shows for it (OIDC_DISPLAY_NAME).
   */
  oidc: { issuerUrl: string; clientId: string; clientSecret: string; displayName: string } | null;
}

/** The session secret outside production: public (it is in the source), so production refuses it. */
export const DEVELOPMENT_SESSION_SECRET = 'development-only-session-secret-never-use-in-production';

/**
 * The webhook master key outside production, so development and tests need no setup. It is
 * public (it is in the source), so production refuses it and requires its own WEBHOOK_KEY.
 */
export const DEVELOPMENT_WEBHOOK_KEY = 'development-only-webhook-key-never-use-in-production';

/** Raised when the environment does not describe a usable configuration; one message per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Raw = Omit<
  Config,
  'mongodbUri' | 'redisUrl' | 'ferretdbBackend' | 'fileTypes' | 'metricsToken' | 'smtpUrl' | 'oidc'
> & {
  smtpUrl?: string;
  oidcIssuerUrl?: string;
  oidcClientId?: string;
  oidcClientSecret?: string;
  oidcDisplayName?: string;
  mongodbUri?: string;
  ferretdbBackend?: 'postgresql' | 'sqlite';
  metricsToken?: string;
  redisUrl?: string;
  fileTypes: string;
};

const schema: JSONSchemaType<Raw> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'nodeEnv',
    'port',
    'host',
    'publicBaseUrl',
    'logLevel',
    'bodyLimitBytes',
    'queuePrefix',
    'dataDir',
    'shutdownTimeoutMs',
    'trustProxy',
    'rateLimitPerMinute',
    'rebuildCron',
    'rebuildTimezone',
    'workerConcurrency',
    'workerLockMs',
    'aggregationDelayMs',
    'fileMaxBytes',
    'responseFilesMaxBytes',
    'fileTypes',
    'webhookKey',
    'webhookRetryDelayMs',
    'webhookMaxFailures',
    'sessionSecret',
    'sessionIdleMinutes',
    'invitationTtlHours',
    'mailFrom',
  ],
  properties: {
    nodeEnv: { type: 'string', enum: ['production', 'development', 'test'] },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    host: { type: 'string', minLength: 1 },
    mongodbUri: { type: 'string', nullable: true, pattern: '^mongodb(\\+srv)?://[^\\s/]+(/[^\\s]*)?$' },
    redisUrl: { type: 'string', nullable: true, pattern: '^rediss?://[^\\s]+$' },
    metricsToken: { type: 'string', nullable: true, pattern: '^[\\x21-\\x7e]{24,256}$' },
    publicBaseUrl: { type: 'string', format: 'uri', pattern: '^https?://[^\\s]+[^/\\s]$' },
    logLevel: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    bodyLimitBytes: { type: 'integer', minimum: 1024, maximum: 50 * 1024 * 1024 },
    queuePrefix: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    dataDir: { type: 'string', minLength: 1 },
    ferretdbBackend: { type: 'string', nullable: true, enum: ['postgresql', 'sqlite'] },
    shutdownTimeoutMs: { type: 'integer', minimum: 0, maximum: 600000 },
    trustProxy: { type: 'integer', minimum: 0, maximum: 10 },
    rateLimitPerMinute: { type: 'integer', minimum: 1, maximum: 1000000 },
    rebuildCron: { type: 'string', minLength: 9 },
    rebuildTimezone: { type: 'string', minLength: 1 },
    workerConcurrency: { type: 'integer', minimum: 1, maximum: 64 },
    workerLockMs: { type: 'integer', minimum: 1000, maximum: 3600000 },
    aggregationDelayMs: { type: 'integer', minimum: 0, maximum: 3600000 },
    fileMaxBytes: { type: 'integer', minimum: 1024, maximum: 16 * 1024 * 1024 },
    responseFilesMaxBytes: { type: 'integer', minimum: 1024, maximum: 12 * 1024 * 1024 },
    fileTypes: {
      type: 'string',
      pattern: '^[a-z0-9.+-]+/([a-z0-9.+-]+|\\*)(,[a-z0-9.+-]+/([a-z0-9.+-]+|\\*))*$',
    },
    webhookKey: { type: 'string', pattern: '^[\\x21-\\x7e]{32,512}$' },
    webhookRetryDelayMs: { type: 'integer', minimum: 10, maximum: 3600000 },
    webhookMaxFailures: { type: 'integer', minimum: 1, maximum: 1000 },
    sessionSecret: { type: 'string', pattern: '^[\\x21-\\x7e]{32,512}$' },
    sessionIdleMinutes: { type: 'integer', minimum: 5, maximum: 43200 },
    invitationTtlHours: { type: 'integer', minimum: 1, maximum: 720 },
    smtpUrl: { type: 'string', nullable: true, pattern: '^smtps?://[^\\s]+$' },
    mailFrom: { type: 'string', minLength: 3, maxLength: 200 },
    oidcIssuerUrl: { type: 'string', nullable: true, format: 'uri', pattern: '^https?://[^\\s]+$' },
    oidcClientId: { type: 'string', nullable: true, minLength: 1, maxLength: 500 },
    oidcClientSecret: { type: 'string', nullable: true, minLength: 1, maxLength: 2000 },
    oidcDisplayName: { type: 'string', nullable: true, minLength: 1, maxLength: 100 },
  },
};

const ENV_NAMES: Record<keyof Raw, string> = {
  nodeEnv: 'NODE_ENV',
  port: 'PORT',
  host: 'HOST',
  mongodbUri: 'MONGODB_URI',
  redisUrl: 'REDIS_URL',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  logLevel: 'LOG_LEVEL',
  bodyLimitBytes: 'BODY_LIMIT_BYTES',
  queuePrefix: 'QUEUE_PREFIX',
  dataDir: 'DATA_DIR',
  ferretdbBackend: 'FERRETDB_BACKEND',
  shutdownTimeoutMs: 'SHUTDOWN_TIMEOUT_MS',
  trustProxy: 'TRUST_PROXY',
  rateLimitPerMinute: 'RATE_LIMIT_PER_MINUTE',
  rebuildCron: 'REBUILD_CRON',
  rebuildTimezone: 'REBUILD_TZ',
  workerConcurrency: 'WORKER_CONCURRENCY',
  workerLockMs: 'WORKER_LOCK_MS',
  aggregationDelayMs: 'AGGREGATION_DELAY_MS',
  fileMaxBytes: 'FILE_MAX_BYTES',
  responseFilesMaxBytes: 'RESPONSE_FILES_MAX_BYTES',
  fileTypes: 'FILE_TYPES',
  metricsToken: 'METRICS_TOKEN',
  webhookKey: 'WEBHOOK_KEY',
  webhookRetryDelayMs: 'WEBHOOK_RETRY_DELAY_MS',
  webhookMaxFailures: 'WEBHOOK_MAX_FAILURES',
  sessionSecret: 'SESSION_SECRET',
  sessionIdleMinutes: 'SESSION_IDLE_MINUTES',
  invitationTtlHours: 'INVITATION_TTL_HOURS',
  smtpUrl: 'SMTP_URL',
  mailFrom: 'MAIL_FROM',
  oidcIssuerUrl: 'OIDC_ISSUER_URL',
  oidcClientId: 'OIDC_CLIENT_ID',
  oidcClientSecret: 'OIDC_CLIENT_SECRET',
  oidcDisplayName: 'OIDC_DISPLAY_NAME',
};

/** Settings whose values never appear in an error message. */
const SECRET_SETTINGS = new Set<keyof Raw>(['webhookKey', 'sessionSecret', 'smtpUrl', 'oidcClientSecret']);

const ajv = new Ajv({ allErrors: true, coerceTypes: true });
addFormats(ajv);
const validate = ajv.compile(schema);

/**
 * Reads and validates the configuration.
 *
 * @param env - the environment to read; `process.env` unless a test passes its own.
 * @throws ConfigError listing every problem, one readable line each.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const port = env.PORT ?? '3000';
  const raw: Record<string, unknown> = {
    nodeEnv,
    port,
    host: env.HOST ?? (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
    mongodbUri: emptyToUndefined(env.MONGODB_URI),
    redisUrl: emptyToUndefined(env.REDIS_URL),
    metricsToken: emptyToUndefined(env.METRICS_TOKEN),
    publicBaseUrl: env.PUBLIC_BASE_URL ?? `http://localhost:${port}`,
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    bodyLimitBytes: env.BODY_LIMIT_BYTES ?? String(1024 * 1024),
    queuePrefix: env.QUEUE_PREFIX ?? 'tv',
    dataDir: env.DATA_DIR ?? './data',
    ferretdbBackend: emptyToUndefined(env.FERRETDB_BACKEND),
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS ?? '10000',
    trustProxy: env.TRUST_PROXY ?? '0',
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE ?? '60',
    rebuildCron: env.REBUILD_CRON ?? '0 3 * * *',
    rebuildTimezone: env.REBUILD_TZ ?? 'UTC',
    workerConcurrency: env.WORKER_CONCURRENCY ?? '2',
    workerLockMs: env.WORKER_LOCK_MS ?? '30000',
    aggregationDelayMs: env.AGGREGATION_DELAY_MS ?? '250',
    fileMaxBytes: env.FILE_MAX_BYTES ?? String(2 * 1024 * 1024),
    responseFilesMaxBytes: env.RESPONSE_FILES_MAX_BYTES ?? String(5 * 1024 * 1024),
    fileTypes: (env.FILE_TYPES ?? 'image/jpeg,image/png,image/webp,image/heic,application/pdf').replace(
      /\s+/g,
      '',
    ),
    // The development key fills in only outside production; production refuses it below.
    webhookKey: emptyToUndefined(env.WEBHOOK_KEY) ?? DEVELOPMENT_WEBHOOK_KEY,
    webhookRetryDelayMs: env.WEBHOOK_RETRY_DELAY_MS ?? '10000',
    webhookMaxFailures: env.WEBHOOK_MAX_FAILURES ?? '3',
    sessionSecret: emptyToUndefined(env.SESSION_SECRET) ?? DEVELOPMENT_SESSION_SECRET,
    sessionIdleMinutes: env.SESSION_IDLE_MINUTES ?? '480',
    invitationTtlHours: env.INVITATION_TTL_HOURS ?? '168',
    smtpUrl: emptyToUndefined(env.SMTP_URL),
    mailFrom: env.MAIL_FROM ?? 'Tenant Voice <no-reply@localhost>',
    oidcIssuerUrl: emptyToUndefined(env.OIDC_ISSUER_URL),
    oidcClientId: emptyToUndefined(env.OIDC_CLIENT_ID),
    oidcClientSecret: emptyToUndefined(env.OIDC_CLIENT_SECRET),
    oidcDisplayName: emptyToUndefined(env.OIDC_DISPLAY_NAME),
  };

  const problems: string[] = [];
  if (!validate(raw)) {
    for (const err of validate.errors ?? []) {
      const key = err.instancePath.replace(/^\//, '') as keyof Raw;
      const name = ENV_NAMES[key] ?? key;
      const shown =
        typeof raw[key] === 'string' && !SECRET_SETTINGS.has(key)
          ? ` (got "${String(raw[key]).slice(0, 80)}")`
          : '';
      const message =
        err.keyword === 'enum'
          ? `must be one of ${(err.params as { allowedValues: string[] }).allowedValues.join(', ')}`
          : (err.message ?? 'is invalid');
      problems.push(`${name}: ${describe(key, message)}${shown}`);
    }
  }
  if (nodeEnv === 'production') {
    if (!raw.mongodbUri)
      problems.push('MONGODB_URI: is required in production (e.g. mongodb://mongo:27017/tenant_voice)');
    if (!raw.redisUrl) problems.push('REDIS_URL: is required in production (e.g. redis://redis:6379)');
    if (!env.PUBLIC_BASE_URL)
      problems.push('PUBLIC_BASE_URL: is required in production (the link printed on posters)');
    if (!emptyToUndefined(env.WEBHOOK_KEY))
      problems.push('WEBHOOK_KEY: is required in production (32+ random characters: openssl rand -hex 32)');
    else if (raw.webhookKey === DEVELOPMENT_WEBHOOK_KEY)
      problems.push('WEBHOOK_KEY: the development key is public; production needs its own');
    if (!emptyToUndefined(env.SESSION_SECRET))
      problems.push(
        'SESSION_SECRET: is required in production (32+ random characters: openssl rand -hex 32)',
      );
    else if (raw.sessionSecret === DEVELOPMENT_SESSION_SECRET)
      problems.push('SESSION_SECRET: the development secret is public; production needs its own');
  }
  if (raw.oidcIssuerUrl && (!raw.oidcClientId || !raw.oidcClientSecret))
    problems.push('OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: are required with OIDC_ISSUER_URL');
  if (!raw.oidcIssuerUrl && (raw.oidcClientId || raw.oidcClientSecret))
    problems.push('OIDC_ISSUER_URL: is required with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
  if (!isValidTimezone(String(raw.rebuildTimezone))) {
    problems.push(`REBUILD_TZ: is not an IANA time zone (got "${String(raw.rebuildTimezone)}")`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const { oidcIssuerUrl, oidcClientId, oidcClientSecret, oidcDisplayName, ...cfg } = raw as unknown as Raw;
  return Object.freeze({
    ...cfg,
    oidc:
      oidcIssuerUrl && oidcClientId && oidcClientSecret
        ? {
            issuerUrl: oidcIssuerUrl.replace(/\/$/, ''),
            clientId: oidcClientId,
            clientSecret: oidcClientSecret,
            displayName: oidcDisplayName ?? 'single sign-on',
          }
        : null,
    mongodbUri: cfg.mongodbUri ?? null,
    ferretdbBackend: cfg.ferretdbBackend ?? null,
    redisUrl: cfg.redisUrl ?? null,
    metricsToken: cfg.metricsToken ?? null,
    smtpUrl: cfg.smtpUrl ?? null,
    fileTypes: cfg.fileTypes.split(','),
  });
}

/** Largest submission body: the files a response may hold, base64-encoded, plus the answers. */
export function submissionBodyLimit(
  config: Pick<Config, 'bodyLimitBytes' | 'responseFilesMaxBytes'>,
): number {
  return Math.max(config.bodyLimitBytes, Math.ceil((config.responseFilesMaxBytes * 4) / 3) + 1024 * 1024);
}

function describe(key: keyof Raw, message: string): string {
  if (key === 'mongodbUri') return 'must be a MongoDB connection string like mongodb://host:27017/db';
  if (key === 'redisUrl') return 'must be a Redis URL like redis://host:6379';
  if (key === 'metricsToken') return 'must be 24 to 256 printable characters without spaces';
  if (key === 'publicBaseUrl') return 'must be an absolute http(s) URL without a trailing slash';
  if (key === 'webhookKey') return 'must be 32 to 512 printable characters without spaces';
  if (key === 'sessionSecret') return 'must be 32 to 512 printable characters without spaces';
  if (key === 'smtpUrl') return 'must be an SMTP URL like smtp://user:password@mail.example.org:587';
  return message;
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
