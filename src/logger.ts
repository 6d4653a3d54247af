import pino, { type Logger } from 'pino';

/** The service logger. Secrets are redacted wherever they might appear. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'tenant-voice', ...base },
    redact: {
      paths: ['req.headers.authorization', 'key', 'secret', 'token', '*.key', '*.secret', '*.token'],
      remove: true,
    },
  });
}
