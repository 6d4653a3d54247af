import { ConfigError, DEVELOPMENT_SESSION_SECRET, loadConfig } from '../../src/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives development defaults and a frozen object', () => {
    const cfg = loadConfig({});
    expect(cfg.nodeEnv).toBe('development');
    expect(cfg.port).toBe(3000);
    expect(cfg.mongodbUri).toBeNull();
    expect(cfg.publicBaseUrl).toBe('http://localhost:3000');
    expect(cfg.ferretdbBackend).toBeNull();
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('takes the FerretDB backend asked for, and no backend it cannot start', () => {
    expect(loadConfig({ FERRETDB_BACKEND: 'sqlite' }).ferretdbBackend).toBe('sqlite');
    expect(loadConfig({ FERRETDB_BACKEND: 'postgresql' }).ferretdbBackend).toBe('postgresql');
    const problems = problemsOf({ FERRETDB_BACKEND: 'mysql' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^FERRETDB_BACKEND: .*postgresql.*sqlite.*\(got "mysql"\)$/);
  });

  it('coerces numbers and keeps given URLs', () => {
    const cfg = loadConfig({
      PORT: '8080',
      MONGODB_URI: 'mongodb://db:27017/tv',
      REDIS_URL: 'redis://cache:6379',
    });
    expect(cfg.port).toBe(8080);
    expect(cfg.mongodbUri).toBe('mongodb://db:27017/tv');
    expect(cfg.redisUrl).toBe('redis://cache:6379');
  });

  it('requires MONGODB_URI, REDIS_URL and PUBLIC_BASE_URL in production, one line each', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MONGODB_URI: is required in production/),
        expect.stringMatching(/^REDIS_URL: is required in production/),
        expect.stringMatching(/^PUBLIC_BASE_URL: is required in production/),
      ]),
    );
  });

  it('requires a session secret of its own in production and never prints it', () => {
    const production = {
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db:27017/tv',
      REDIS_URL: 'redis://cache:6379',
      PUBLIC_BASE_URL: 'https://survey.example.org',
      WEBHOOK_KEY: 'w'.repeat(40),
    };
    const session = (env: Record<string, string>) =>
      problemsOf({ ...production, ...env, OIDC_CLIENT_ID: 'x' }).filter((p) =>
        p.startsWith('SESSION_SECRET'),
      );
    expect(session({})).toEqual([expect.stringMatching(/^SESSION_SECRET: is required in production/)]);
    expect(session({ SESSION_SECRET: DEVELOPMENT_SESSION_SECRET })).toHaveLength(1);
    expect(session({ SESSION_SECRET: 'short-secret' }).join()).not.toContain('short-secret');
    expect(loadConfig({ ...production, SESSION_SECRET: 's'.repeat(40) }).sessionSecret).toBe('s'.repeat(40));
  });

  it('takes single sign-on only with issuer, client id and secret together', () => {
    expect(loadConfig({}).oidc).toBeNull();
    const cfg = loadConfig({
      OIDC_ISSUER_URL: 'https://id.example.org/',
      OIDC_CLIENT_ID: 'tenant-voice',
      OIDC_CLIENT_SECRET: 'secret',
    });
    expect(cfg.oidc).toEqual({
      issuerUrl: 'https://id.example.org',
      clientId: 'tenant-voice',
      clientSecret: 'secret',
      displayName: 'single sign-on',
    });
    expect(problemsOf({ OIDC_ISSUER_URL: 'https://id.example.org' })).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: are required/),
    ]);
    expect(problemsOf({ OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET: 'y' })).toEqual([
      expect.stringMatching(/^OIDC_ISSUER_URL: is required/),
    ]);
  });

  it('rejects a malformed MongoDB URI and Redis URL with readable messages', () => {
    const problems = problemsOf({ MONGODB_URI: 'localhost:27017', REDIS_URL: 'http://x' });
    expect(problems).toContain(
      'MONGODB_URI: must be a MongoDB connection string like mongodb://host:27017/db (got "localhost:27017")',
    );
    expect(problems).toContain('REDIS_URL: must be a Redis URL like redis://host:6379 (got "http://x")');
  });

  it('rejects bad numbers, levels and time zones together', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', REBUILD_TZ: 'Mars/Olympus' });
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('LOG_LEVEL:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('REBUILD_TZ:'))).toBe(true);
    expect(new ConfigError(problems).message.split('\n')).toHaveLength(problems.length + 1);
  });

  it('rejects a public base URL with a trailing slash', () => {
    expect(problemsOf({ PUBLIC_BASE_URL: 'https://survey.example.org/' })[0]).toMatch(/^PUBLIC_BASE_URL:/);
  });
});
