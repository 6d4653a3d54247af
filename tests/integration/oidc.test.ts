import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';
import { freePort, startApiChild, startOidcProvider, stopChildren, type Child } from '../support/children';
import { expectDocumentedAt } from '../support/contract';

/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider, started here in its own
 * process) and the API started as in production (`src/server.ts`, in its own process: the
 * openid-client library is an ES module, which this test runner's module system cannot load).
 * A small cookie-keeping browser follows every redirect and submits the provider's login and
 * consent forms over HTTP. People are invited through the API of an in-process app on the same
 * database, which also answers as a deployment without single sign-on.
 */
const CLIENT_ID = 'tenant-voice';
const CLIENT_SECRET = 'a-client-secret-for-the-test-provider';
const PASSWORD = 'correct horse battery staple';

/** Accounts at the provider, by login. */
const ACCOUNTS = {
  ana: { email: 'Ana.Kowalska@Gdynia.test', email_verified: true, name: 'Ana Kowalska' },
  pending: { email: 'pending@gdynia.test', email_verified: true, name: 'Pending Person' },
  stranger: { email: 'stranger@gdynia.test', email_verified: true, name: 'Not Invited' },
  unverified: { email: 'unverified@gdynia.test', email_verified: false, name: 'Unverified' },
  disabled: { email: 'disabled@gdynia.test', email_verified: true, name: 'Disabled' },
};

let ctx: TestContext;
let admin: string;
let appUrl: string;
let issuer: string;
const children: Child[] = [];

/** The reasons the API logged for refusing single sign-on, oldest first. */
function refusals(): string[] {
  return children[1]!.output.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; reason?: string };
      return entry.msg === 'single sign-on refused' ? [entry.reason!] : [];
    } catch {
      return [];
    }
  });
}

/** Cookies per origin, sent back like a browser sends them; redirects are followed by the test. */
class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  async request(url: string | URL, form?: Record<string, string>): Promise<Response> {
    const target = new URL(url);
    const cookies = this.jar.get(target.origin) ?? new Map<string, string>();
    this.jar.set(target.origin, cookies);
    const headers: Record<string, string> = {
      Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    };
    if (form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(target, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    return res;
  }
}

/**
 * Starts single sign-on at the API and signs in at the provider with `login` (submitting its
 * login and consent forms); returns the callback URL the provider sends the browser back to,
 * not yet visited.
 */
async function throughProvider(browser: Browser, login: string, returnTo = '/console'): Promise<URL> {
  const start = await browser.request(
    `${appUrl}/api/v1/session/oidc?returnTo=${encodeURIComponent(returnTo)}`,
  );
  expect(start.status).toBe(302);
  let next = new URL(start.headers.get('location')!);
  expect(next.origin).toBe(issuer);
  expect(next.searchParams.get('code_challenge_method')).toBe('S256');
  expect(next.searchParams.get('scope')).toBe('openid email profile');
  for (let step = 0; step < 12; step++) {
    if (next.origin === appUrl) return next;
    let res = await browser.request(next);
    if (res.status === 200) {
      const page = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
      const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
      if (!action || !prompt) throw new Error(`no form at the provider:\n${page}`);
      res = await browser.request(
        new URL(action, next),
        prompt === 'login' ? { prompt, login, password: 'any' } : { prompt },
      );
    }
    if (res.status < 300 || res.status > 399)
      throw new Error(`the provider answered ${res.status}: ${await res.text()}`);
    next = new URL(res.headers.get('location')!, next);
  }
  throw new Error('the provider never sent the browser back');
}

/** Visits a callback the API refuses; returns the reason it logged. */
async function refusedBecause(browser: Browser, url: URL): Promise<string> {
  const known = refusals().length;
  expect(await callback(browser, url)).toBe(REFUSED);
  // The log line travels through a pipe and may arrive a moment after the answer.
  const deadline = Date.now() + 5000;
  while (refusals().length === known && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return refusals().at(-1) ?? 'nothing logged';
}

/** Visits the callback; returns where the API sends the browser. */
async function callback(browser: Browser, url: URL): Promise<string> {
  const res = await browser.request(url);
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

async function session(browser: Browser) {
  const res = await browser.request(`${appUrl}/api/v1/session`);
  return {
    status: res.status,
    body: (await res.json()) as { person?: Record<string, unknown>; csrfToken?: string },
  };
}

/** Invites a person to gdynia; with `accept` they also set a password (and are active). */
async function invite(email: string, accept: boolean): Promise<string> {
  const res = await ctx.http
    .post('/api/v1/organisations/gdynia/people')
    .set('Authorization', bearer(admin))
    .send({ name: email, email, role: 'analyst' });
  expect(res.status).toBe(201);
  if (accept) {
    const token = /invitation#([A-Za-z0-9_-]{43})/.exec(res.body.invitation.url as string)![1]!;
    const ok = await ctx.http.post('/api/v1/invitations/accept').send({ token, password: PASSWORD });
    expect(ok.status).toBe(200);
  }
  return res.body.person.id as string;
}

async function audit(action: string) {
  const res = await ctx.http
    .get(`/api/v1/organisations/gdynia/audit?action=${action}`)
    .set('Authorization', bearer(admin));
  expect(res.status).toBe(200);
  return res.body.items as Array<{
    actor: { kind: string; id: string };
    resource: { id: string };
    after: unknown;
  }>;
}

const REFUSED = '/console/sign-in?error=sso';

beforeAll(async () => {
  ctx = await createTestContext();
  admin = (await createOrganisationViaApi(ctx, await createPlatformKey(), 'gdynia')).adminKey;

  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  issuer = await startOidcProvider(children, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${appUrl}/api/v1/session/oidc/callback`,
    accounts: ACCOUNTS,
  });

  await startApiChild(children, ctx, port, {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    displayName: 'Gdynia staff login',
  });
}, 120_000);

afterAll(async () => {
  await stopChildren(children);
  await ctx.close();
});

describe('sign-in methods', () => {
  it('offers single sign-on with its name where it is configured, and only passwords elsewhere', async () => {
    const configured = await fetch(`${appUrl}/api/v1/session/methods`);
    expect(await configured.json()).toEqual({ password: true, oidc: { displayName: 'Gdynia staff login' } });
    const plain = await ctx.http.get('/api/v1/session/methods');
    await expectDocumentedAt(ctx, plain, 'get', '/api/v1/session/methods');
    expect(plain.body).toEqual({ password: true, oidc: null });
  });

  it('answers 404 SSO_NOT_CONFIGURED where single sign-on is not configured', async () => {
    for (const url of ['/api/v1/session/oidc', '/api/v1/session/oidc/callback?code=x&state=y']) {
      const res = await ctx.http.get(url);
      await expectDocumentedAt(ctx, res, 'get', url.split('?')[0]!);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('SSO_NOT_CONFIGURED');
    }
  });

  it('returns only to console paths of this site', async () => {
    for (const returnTo of [
      '//evil.example/console',
      'https://evil.example/console',
      '/api/v1/x',
      '/consoles',
    ]) {
      const res = await fetch(`${appUrl}/api/v1/session/oidc?returnTo=${encodeURIComponent(returnTo)}`, {
        redirect: 'manual',
      });
      expect(res.status).toBe(422);
    }
  });
});

describe('single sign-on', () => {
  it('signs in an active person by the verified address, with a new session id', async () => {
    const id = await invite('ana.kowalska@gdynia.test', true);
    const browser = new Browser();
    const back = await throughProvider(browser, 'ana', '/console/reports?year=2026');
    expect(back.pathname).toBe('/api/v1/session/oidc/callback');
    // The browser holds a session (with the sign-in under way) before it is signed in ...
    const before = browser.cookie(appUrl, 'tv_session');
    expect(before).toBeDefined();
    expect((await session(browser)).status).toBe(401);

    expect(await callback(browser, back)).toBe('/console/reports?year=2026');
    // ... and a new one afterwards: a session id known before the sign-in is worth nothing.
    const after = browser.cookie(appUrl, 'tv_session');
    expect(after).not.toBe(before);
    const me = await session(browser);
    expect(me.status).toBe(200);
    expect(me.body.person).toMatchObject({ id, email: 'ana.kowalska@gdynia.test', status: 'active' });
    expect(me.body.csrfToken).toEqual(expect.any(String));
    const stale = await fetch(`${appUrl}/api/v1/session`, { headers: { Cookie: `tv_session=${before}` } });
    expect(stale.status).toBe(401);

    const lines = (await audit('person.signed-in')).filter((l) => l.resource.id === id);
    expect(lines).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ kind: 'person', id }) }),
    ]);
    expect(lines[0]!.after).toEqual({ method: 'oidc' });
  });

  it('activates an invited person whose invitation is still open, and the link is spent', async () => {
    const invited = await ctx.http
      .post('/api/v1/organisations/gdynia/people')
      .set('Authorization', bearer(admin))
      .send({ name: 'pending', email: 'pending@gdynia.test', role: 'analyst' });
    expect(invited.status).toBe(201);
    const id = invited.body.person.id as string;
    const token = /invitation#([A-Za-z0-9_-]{43})/.exec(invited.body.invitation.url as string)![1]!;
    const browser = new Browser();
    expect(await callback(browser, await throughProvider(browser, 'pending'))).toBe('/console');
    const me = await session(browser);
    expect(me.status).toBe(200);
    expect(me.body.person).toMatchObject({ id, status: 'active' });
    const activated = (await audit('person.activated')).filter((l) => l.resource.id === id);
    expect(activated.map((l) => l.after)).toEqual([{ method: 'oidc' }]);
    // Whoever still holds the link (the inviting admin saw it) cannot set a password on the
    // account now, and so cannot sign in as its owner.
    const late = await ctx.http.post('/api/v1/invitations/accept').send({ token, password: PASSWORD });
    expect([late.status, late.body.error?.code]).toEqual([410, 'INVITATION_GONE']);
    const signIn = await ctx.http
      .post('/api/v1/session')
      .send({ email: 'pending@gdynia.test', password: PASSWORD });
    expect(signIn.status).toBe(401);
  });

  it('refuses an address without an account, and creates none', async () => {
    const browser = new Browser();
    expect(await refusedBecause(browser, await throughProvider(browser, 'stranger'))).toBe(
      'no active or invited person has this e-mail address',
    );
    expect((await session(browser)).status).toBe(401);
    const people = await ctx.http
      .get('/api/v1/organisations/gdynia/people')
      .set('Authorization', bearer(admin));
    expect(people.body.items.map((p: { email: string }) => p.email)).not.toContain('stranger@gdynia.test');
  });

  it('refuses a disabled person', async () => {
    const id = await invite('disabled@gdynia.test', true);
    const off = await ctx.http
      .patch(`/api/v1/organisations/gdynia/people/${id}`)
      .set('Authorization', bearer(admin))
      .send({ status: 'disabled' });
    expect(off.status).toBe(200);
    const browser = new Browser();
    expect(await refusedBecause(browser, await throughProvider(browser, 'disabled'))).toBe(
      'no active or invited person has this e-mail address',
    );
    expect((await session(browser)).status).toBe(401);
  });

  it('refuses an address the provider has not verified', async () => {
    await invite('unverified@gdynia.test', true);
    const browser = new Browser();
    expect(await refusedBecause(browser, await throughProvider(browser, 'unverified'))).toBe(
      'the provider has not verified the e-mail address',
    );
    expect((await session(browser)).status).toBe(401);
  });

  it('refuses a tampered state, and the sign-in cannot be finished afterwards', async () => {
    const browser = new Browser();
    const back = await throughProvider(browser, 'ana');
    const tampered = new URL(back);
    tampered.searchParams.set('state', `${back.searchParams.get('state')}x`);
    expect(await refusedBecause(browser, tampered)).toBe('the provider’s answer did not pass the checks');
    expect((await session(browser)).status).toBe(401);
    // The pending sign-in was used up by the failed attempt: the genuine answer is refused too.
    expect(await refusedBecause(browser, back)).toBe('no sign-in was started in this browser');
    expect((await session(browser)).status).toBe(401);
  });

  it('refuses an answer brought to another browser', async () => {
    const back = await throughProvider(new Browser(), 'ana');
    const other = new Browser();
    expect(await refusedBecause(other, back)).toBe('no sign-in was started in this browser');
    expect((await session(other)).status).toBe(401);
  });
});
