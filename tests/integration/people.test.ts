import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { SMTPServer } from 'smtp-server';
import supertest from 'supertest';
import { createPlatformPerson } from '../../src/modules/people/people.service';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';
import { expectDocumentedAt } from '../support/contract';

/**
 * People on real servers: invitations e-mailed through a real SMTP server started here, password
 * sign-in with lockout and one answer for every refusal, sessions in Redis with CSRF protection,
 * fixation, sign-out everywhere, isolation between organisations and the audit of every change.
 */
let ctx: TestContext;
let smtp: SMTPServer;
const mails: string[] = [];
const orgs: Record<string, { id: string; admin: string }> = {};
const PASSWORD = 'correct horse battery staple';

type Agent = ReturnType<typeof supertest.agent>;

/** The one-time link's token from an e-mail or an API answer. */
const tokenOf = (text: string) => /invitation#([A-Za-z0-9_-]{43})/.exec(text)![1]!;

/** The session cookie's value a response sets. */
function sessionCookie(res: { headers: Record<string, unknown> }): string {
  return /tv_session=([^;]+)/.exec(String(res.headers['set-cookie']))![1]!;
}

async function signIn(agent: Agent, email: string, password = PASSWORD) {
  return agent.post('/api/v1/session').send({ email, password });
}

/** Invites a person with an admin key, accepts the link and signs in; the agent holds the session. */
async function person(org: string, email: string, role: string) {
  const invited = await ctx.http
    .post(`/api/v1/organisations/${org}/people`)
    .set('Authorization', bearer(orgs[org]!.admin))
    .send({ name: `Person ${email}`, email, role });
  expect(invited.status).toBe(201);
  const accepted = await ctx.http
    .post('/api/v1/invitations/accept')
    .send({ token: tokenOf(invited.body.invitation.url), password: PASSWORD });
  expect(accepted.status).toBe(200);
  const agent = supertest.agent(ctx.app);
  const session = await signIn(agent, email);
  expect(session.status).toBe(201);
  return { agent, id: invited.body.person.id as string, csrf: session.body.csrfToken as string };
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, done) {
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
      stream.on('end', () => {
        mails.push(text);
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  ctx = await createTestContext({
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    MAIL_FROM: 'Tenant Voice <tv@survey.test>',
  });
  const platform = await createPlatformKey();
  for (const slug of ['gdynia', 'sopot']) {
    const org = await createOrganisationViaApi(ctx, platform, slug);
    orgs[slug] = { id: org.id, admin: org.adminKey };
  }
}, 120_000);

afterAll(async () => {
  await ctx.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('invitations', () => {
  it('e-mails a one-time link that sets the password once and expires', async () => {
    const res = await ctx.http
      .post('/api/v1/organisations/gdynia/people')
      .set('Authorization', bearer(orgs.gdynia!.admin))
      .send({ name: 'Anna Nowak', email: 'Anna.Nowak@gdynia.test', role: 'analyst' });
    await expectDocumentedAt(ctx, res, 'post', '/api/v1/organisations/gdynia/people');
    expect(res.status).toBe(201);
    expect(res.body.person).toMatchObject({
      email: 'anna.nowak@gdynia.test',
      status: 'invited',
      role: 'analyst',
    });
    expect(res.body.invitation.emailed).toBe(true);
    const mail = mails.find((m) => m.includes('anna.nowak@gdynia.test'))!;
    expect(mail).toBeDefined();
    const token = tokenOf(mail.replace(/=\r?\n/g, ''));
    expect(res.body.invitation.url).toContain(token);

    const short = await ctx.http.post('/api/v1/invitations/accept').send({ token, password: 'short' });
    expect(short.status).toBe(422);
    expect(short.body.error.details).toEqual([{ path: '/password', message: expect.any(String) }]);
    const ok = await ctx.http.post('/api/v1/invitations/accept').send({ token, password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('active');
    const again = await ctx.http
      .post('/api/v1/invitations/accept')
      .send({ token, password: 'another long password' });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('INVITATION_GONE');

    const expiring = await ctx.http
      .post('/api/v1/organisations/gdynia/people')
      .set('Authorization', bearer(orgs.gdynia!.admin))
      .send({ name: 'Late', email: 'late@gdynia.test', role: 'analyst' });
    await mongoose.connection
      .db!.collection('person_invitations')
      .updateOne(
        { personId: new mongoose.Types.ObjectId(expiring.body.person.id as string) },
        { $set: { expiresAt: new Date(Date.now() - 1000) } },
      );
    const late = await ctx.http
      .post('/api/v1/invitations/accept')
      .send({ token: tokenOf(expiring.body.invitation.url), password: PASSWORD });
    expect(late.status).toBe(410);
    const taken = await ctx.http
      .post('/api/v1/organisations/gdynia/people')
      .set('Authorization', bearer(orgs.gdynia!.admin))
      .send({ name: 'Twice', email: 'ANNA.NOWAK@gdynia.test', role: 'admin' });
    expect(taken.status).toBe(409);
  });

  it('a person whose link expired gets a new one; the old link stops working', async () => {
    const invited = await ctx.http
      .post('/api/v1/organisations/gdynia/people')
      .set('Authorization', bearer(orgs.gdynia!.admin))
      .send({ name: 'Away', email: 'away@gdynia.test', role: 'analyst' });
    const id = invited.body.person.id as string;
    const first = tokenOf(invited.body.invitation.url);
    await mongoose.connection
      .db!.collection('person_invitations')
      .updateOne(
        { personId: new mongoose.Types.ObjectId(id) },
        { $set: { expiresAt: new Date(Date.now() - 1000) } },
      );
    const path = `/api/v1/organisations/gdynia/people/${id}/invitation`;
    // It used to be stuck: invited, the address taken, no way to a new link.
    expect(
      (
        await ctx.http
          .post(`/api/v1/organisations/sopot/people/${id}/invitation`)
          .set('Authorization', bearer(orgs.sopot!.admin))
      ).status,
    ).toBe(404);
    const again = await ctx.http.post(path).set('Authorization', bearer(orgs.gdynia!.admin));
    await expectDocumentedAt(ctx, again, 'post', path);
    expect(again.status).toBe(201);
    expect(again.body.person).toMatchObject({ id, status: 'invited' });
    expect(again.body.invitation.emailed).toBe(true);
    const second = tokenOf(again.body.invitation.url);
    expect(second).not.toBe(first);
    expect(
      (await ctx.http.post('/api/v1/invitations/accept').send({ token: first, password: PASSWORD })).status,
    ).toBe(410);
    const ok = await ctx.http.post('/api/v1/invitations/accept').send({ token: second, password: PASSWORD });
    expect([ok.status, ok.body.status]).toEqual([200, 'active']);
    const active = await ctx.http.post(path).set('Authorization', bearer(orgs.gdynia!.admin));
    expect([active.status, active.body.error.code]).toEqual([409, 'NOT_INVITED']);
  });

  it('makes the first platform person from the command line', async () => {
    const made = await createPlatformPerson(
      { name: 'Operator', email: 'ops@survey.test' },
      { baseUrl: 'http://survey.test', ttlHours: 1, mail: () => Promise.resolve(false) },
    );
    expect(made.person.role).toBe('platform');
    const ok = await ctx.http
      .post('/api/v1/invitations/accept')
      .send({ token: tokenOf(made.invitation.url), password: PASSWORD });
    expect(ok.status).toBe(200);
    const agent = supertest.agent(ctx.app);
    expect((await signIn(agent, 'ops@survey.test')).status).toBe(201);
    // A platform person sees every organisation's people.
    expect((await agent.get('/api/v1/organisations/sopot/people')).status).toBe(200);
  });
});

describe('sign-in', () => {
  it('answers every refusal the same, and locks after five failures in a row', async () => {
    const { agent } = await person('gdynia', 'lock@gdynia.test', 'analyst');
    const fresh = supertest.agent(ctx.app);
    const unknown = await signIn(fresh, 'nobody@gdynia.test');
    const wrong = await signIn(fresh, 'lock@gdynia.test', 'wrong password here');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const answer = (r: { body: { error: Record<string, unknown> } }) => ({
      ...r.body.error,
      requestId: null,
    });
    expect(answer(unknown)).toEqual(answer(wrong));
    for (let i = 0; i < 4; i++)
      expect((await signIn(fresh, 'lock@gdynia.test', 'still wrong!!')).status).toBe(401);
    const locked = await signIn(fresh, 'lock@gdynia.test');
    expect(locked.status).toBe(401);
    expect(answer(locked)).toEqual(answer(wrong));
    // The lock runs out.
    const lockedPerson = await mongoose.connection
      .db!.collection('people')
      .findOne({ email: 'lock@gdynia.test' });
    await mongoose.connection
      .db!.collection('sign_in_states')
      .updateOne({ _id: lockedPerson!._id }, { $set: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await signIn(fresh, 'lock@gdynia.test')).status).toBe(201);
    expect((await agent.get('/api/v1/session')).status).toBe(200);
  });

  it('counts every failure of a burst sent at once: the right password after it is refused', async () => {
    await person('gdynia', 'burst@gdynia.test', 'analyst');
    const fresh = supertest.agent(ctx.app);
    // Each failure used to read the count and write it back plus one: a burst counted as one.
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => signIn(supertest.agent(ctx.app), 'burst@gdynia.test', 'a wrong guess')),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(8).fill(401));
    expect((await signIn(fresh, 'burst@gdynia.test')).status).toBe(401);
    const stored = await mongoose.connection.db!.collection('people').findOne({ email: 'burst@gdynia.test' });
    const state = await mongoose.connection.db!.collection('sign_in_states').findOne({ _id: stored!._id });
    expect(state!.lockedUntil.getTime()).toBeGreaterThan(Date.now());
    const audit = await mongoose.connection
      .db!.collection('audit_log')
      .countDocuments({ action: 'person.locked', 'resource.id': stored!._id.toHexString() });
    expect(audit).toBe(1);
  });

  it('signing in, right or wrong, never writes the person, so it cannot undo a disabling', async () => {
    // FerretDB 1.24 writes back the whole document an update read: a sign-in written on the person
    // as an admin disabled them could make them active again.
    const { agent: admin } = await person('gdynia', 'steady-admin@gdynia.test', 'admin');
    await person('gdynia', 'steady@gdynia.test', 'analyst');
    const people = mongoose.connection.db!.collection('people');
    const before = await people.findOne({ email: 'steady@gdynia.test' });
    expect((await signIn(supertest.agent(ctx.app), 'steady@gdynia.test', 'not the password')).status).toBe(
      401,
    );
    expect((await signIn(supertest.agent(ctx.app), 'steady@gdynia.test')).status).toBe(201);
    expect(await people.findOne({ email: 'steady@gdynia.test' })).toEqual(before);
    const listed = await admin.get('/api/v1/organisations/gdynia/people');
    const shown = listed.body.items.find((p: { email: string }) => p.email === 'steady@gdynia.test');
    expect(Date.parse(shown.lastSignInAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('sets an HttpOnly, SameSite=Lax cookie and never keeps a session id across a sign-in', async () => {
    const { agent } = await person('gdynia', 'fixation@gdynia.test', 'analyst');
    const first = await signIn(agent, 'fixation@gdynia.test');
    const before = sessionCookie(first);
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(first.headers['set-cookie'])).toMatch(/SameSite=Lax/);
    // Signing in again from a browser that already holds a session id gives a new one, and the
    // old id (which an attacker could have planted or read) is worth nothing afterwards.
    const second = await signIn(agent, 'fixation@gdynia.test');
    const after = sessionCookie(second);
    expect(after).not.toBe(before);
    expect((await ctx.http.get('/api/v1/session').set('Cookie', `tv_session=${before}`)).status).toBe(401);
    expect((await ctx.http.get('/api/v1/session').set('Cookie', `tv_session=${after}`)).status).toBe(200);
    // Sessions live in Redis under the service's prefix.
    expect((await ctx.runtime.redis.keys(`${ctx.config.queuePrefix}:session:*`)).length).toBeGreaterThan(0);
  });
});

describe('sessions', () => {
  it('refuses a state-changing request without the CSRF token and accepts it with the token', async () => {
    const admin = await person('gdynia', 'admin@gdynia.test', 'admin');
    const body = { name: 'Csrf Target', email: 'csrf@gdynia.test', role: 'interviewer' };
    const refused = await admin.agent.post('/api/v1/organisations/gdynia/people').send(body);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('CSRF_FAILED');
    const forged = await admin.agent
      .post('/api/v1/organisations/gdynia/people')
      .set('X-CSRF-Token', 'x'.repeat(40))
      .send(body);
    expect(forged.status).toBe(403);
    const ok = await admin.agent
      .post('/api/v1/organisations/gdynia/people')
      .set('X-CSRF-Token', admin.csrf)
      .send(body);
    expect(ok.status).toBe(201);
    // Reads need no token.
    expect((await admin.agent.get('/api/v1/organisations/gdynia/people')).status).toBe(200);
  });

  it('lets a person of one organisation see nothing of another’s', async () => {
    const { agent } = await person('gdynia', 'curious@gdynia.test', 'admin');
    const { campaign } = await createCampaignViaApi(ctx, orgs.sopot!.admin);
    expect((await agent.get('/api/v1/organisations/sopot/people')).status).toBe(404);
    expect((await agent.get(`/api/v1/campaigns/${campaign.id}`)).status).toBe(404);
    expect((await agent.get('/api/v1/organisations/sopot/audit')).status).toBe(404);
  });

  it('two admins taking each other’s rights at once: one change is made, the other is refused', async () => {
    for (const round of [1, 2, 3]) {
      const a = await person('gdynia', `duel-a${round}@gdynia.test`, 'admin');
      const b = await person('gdynia', `duel-b${round}@gdynia.test`, 'admin');
      const [demoted, disabled] = await Promise.all([
        a.agent
          .patch(`/api/v1/organisations/gdynia/people/${b.id}`)
          .set('X-CSRF-Token', a.csrf)
          .send({ role: 'analyst' }),
        b.agent
          .patch(`/api/v1/organisations/gdynia/people/${a.id}`)
          .set('X-CSRF-Token', b.csrf)
          .send({ status: 'disabled' }),
      ]);
      const statuses = [demoted.status, disabled.status].sort();
      expect([round, statuses]).toEqual([round, [200, 403]]);
      const refused = demoted.status === 403 ? demoted : disabled;
      await expectDocumentedAt(ctx, refused, 'patch', '/api/v1/organisations/{org}/people/{id}');
      // Exactly one of the two is still an active admin.
      const list = await ctx.http
        .get('/api/v1/organisations/gdynia/people')
        .set('Authorization', bearer(orgs.gdynia!.admin));
      const pair = list.body.items.filter((p: { id: string }) => p.id === a.id || p.id === b.id);
      const admins = pair.filter(
        (p: { role: string; status: string }) => p.role === 'admin' && p.status === 'active',
      );
      expect([round, admins.length]).toEqual([round, 1]);
    }
    // A platform person acts from outside the organisation: it may still demote its admins.
    const ops = supertest.agent(ctx.app);
    const session = await signIn(ops, 'ops@survey.test');
    expect(session.status).toBe(201);
    const boss = await person('gdynia', 'duel-boss@gdynia.test', 'admin');
    const byPlatform = await ops
      .patch(`/api/v1/organisations/gdynia/people/${boss.id}`)
      .set('X-CSRF-Token', session.body.csrfToken)
      .send({ role: 'analyst' });
    expect([byPlatform.status, byPlatform.body.role]).toEqual([200, 'analyst']);
  });

  it('ends every session on sign-out everywhere, and when an admin disables the person', async () => {
    const phone = await person('gdynia', 'two@gdynia.test', 'analyst');
    const laptop = supertest.agent(ctx.app);
    const second = await signIn(laptop, 'two@gdynia.test');
    expect(second.status).toBe(201);
    const out = await phone.agent.post('/api/v1/session/sign-out-everywhere').set('X-CSRF-Token', phone.csrf);
    expect(out.status).toBe(204);
    // A key has no sessions: 403 as documented (it was a 401, which asks to authenticate again).
    const byKey = await ctx.http
      .post('/api/v1/session/sign-out-everywhere')
      .set('Authorization', bearer(orgs.gdynia!.admin));
    await expectDocumentedAt(ctx, byKey, 'post', '/api/v1/session/sign-out-everywhere');
    expect([byKey.status, byKey.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await laptop.get('/api/v1/session')).status).toBe(401);
    expect((await phone.agent.get('/api/v1/indicators')).status).toBe(401);

    const admin = await person('gdynia', 'boss@gdynia.test', 'admin');
    const victim = await person('gdynia', 'leaver@gdynia.test', 'analyst');
    expect((await victim.agent.get('/api/v1/indicators')).status).toBe(200);
    const disabled = await admin.agent
      .patch(`/api/v1/organisations/gdynia/people/${victim.id}`)
      .set('X-CSRF-Token', admin.csrf)
      .send({ status: 'disabled' });
    expect(disabled.status).toBe(200);
    expect(disabled.body.status).toBe('disabled');
    expect((await victim.agent.get('/api/v1/indicators')).status).toBe(401);
    expect((await signIn(supertest.agent(ctx.app), 'leaver@gdynia.test')).status).toBe(401);
    const self = await admin.agent
      .patch(`/api/v1/organisations/gdynia/people/${admin.id}`)
      .set('X-CSRF-Token', admin.csrf)
      .send({ status: 'disabled' });
    expect(self.status).toBe(409);

    // Every change is in the audit log, attributed to the person who made it.
    const log = await ctx.http
      .get(`/api/v1/organisations/gdynia/audit?resourceId=${victim.id}`)
      .set('Authorization', bearer(orgs.gdynia!.admin));
    const change = log.body.items.find((e: { action: string }) => e.action === 'person.changed');
    expect(change).toMatchObject({
      actor: { kind: 'person', id: admin.id, role: 'admin' },
      before: { status: 'active' },
      after: { status: 'disabled' },
    });
    expect(log.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['person.invited', 'person.activated', 'person.changed']),
    );
  });
});
