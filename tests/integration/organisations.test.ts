import mongoose from 'mongoose';
import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';

/** The secret part of `tv_<id>_<secret>`; the secret is base64url, so it may hold `_` itself. */
function secretOf(key: string): string {
  const m = /^tv_[a-f0-9]{24}_(.+)$/.exec(key);
  if (!m) throw new Error(`not an API key: ${key}`);
  return m[1]!;
}

let ctx: TestContext;
let platform: string;
beforeAll(async () => {
  ctx = await createTestContext();
  platform = await createPlatformKey();
});
afterAll(async () => {
  await ctx.close();
});

describe('organisations', () => {
  it('a platform key creates an organisation and gets its first admin key once', async () => {
    const res = await ctx.http
      .post('/api/v1/organisations')
      .set('Authorization', bearer(platform))
      .send({
        slug: 'gdynia',
        name: 'Gdynia',
        country: 'PL',
        region: 'pomorskie',
        type: 'city',
        housingStock: 7271,
        languages: ['pl', 'en'],
      });
    expect(res.status).toBe(201);
    expect(res.body.organisation).toMatchObject({
      slug: 'gdynia',
      country: 'PL',
      housingStock: 7271,
      languages: ['pl', 'en'],
    });
    expect(res.body.adminKey.role).toBe('admin');
    expect(res.body.adminKey.key).toMatch(/^tv_[a-f0-9]{24}_[A-Za-z0-9_-]{43}$/);

    const me = await ctx.http
      .get('/api/v1/organisations')
      .set('Authorization', bearer(res.body.adminKey.key));
    expect(me.status).toBe(200);
    expect(me.body.items.map((o: { slug: string }) => o.slug)).toEqual(['gdynia']);

    const keys = await ctx.http
      .get('/api/v1/organisations/gdynia/api-keys')
      .set('Authorization', bearer(res.body.adminKey.key));
    expect(keys.status).toBe(200);
    expect(JSON.stringify(keys.body)).not.toContain(secretOf(res.body.adminKey.key));
  });

  it('stores only a hash of the secret', async () => {
    const org = await createOrganisationViaApi(ctx, platform, 'hash-check');
    const secret = secretOf(org.adminKey);
    const raw = await mongoose.connection.db!.collection('api_keys').find({}).toArray();
    expect(JSON.stringify(raw)).not.toContain(secret);
    expect(raw.every((k) => k.secretHash && !('key' in k) && !('secret' in k))).toBe(true);
  });

  it('a duplicate slug is a 409 with the path', async () => {
    await createOrganisationViaApi(ctx, platform, 'dup-city');
    const res = await ctx.http
      .post('/api/v1/organisations')
      .set('Authorization', bearer(platform))
      .send({ slug: 'dup-city', name: 'Again', country: 'PL', type: 'city' });
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([{ path: '/slug', message: 'already taken' }]);
  });

  it('schema violations are 422 with a path per problem', async () => {
    const res = await ctx.http
      .post('/api/v1/organisations')
      .set('Authorization', bearer(platform))
      .send({ slug: 'Bad Slug', name: '', country: 'Poland', type: 'castle', housingStock: -5, extra: 1 });
    expect(res.status).toBe(422);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/slug', '/name', '/country', '/type', '/housingStock', '/extra']),
    );
  });

  it('admin and analyst keys may not create organisations; no key is a 401', async () => {
    const org = await createOrganisationViaApi(ctx, platform, 'roles-city');
    const analyst = await issueKeyViaApi(ctx, org.adminKey, org.slug, 'analyst');
    const body = { slug: 'x-city', name: 'X', country: 'PL', type: 'city' };
    expect(
      (await ctx.http.post('/api/v1/organisations').set('Authorization', bearer(org.adminKey)).send(body))
        .status,
    ).toBe(403);
    expect(
      (await ctx.http.post('/api/v1/organisations').set('Authorization', bearer(analyst)).send(body)).status,
    ).toBe(403);
    const none = await ctx.http.post('/api/v1/organisations').send(body);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(
      (await ctx.http.get('/api/v1/organisations').set('Authorization', 'Bearer tv_nonsense')).status,
    ).toBe(401);
    // An analyst cannot issue keys.
    const issue = await ctx.http
      .post(`/api/v1/organisations/${org.slug}/api-keys`)
      .set('Authorization', bearer(analyst))
      .send({ role: 'admin' });
    expect(issue.status).toBe(403);
  });

  it('using a key never writes the key itself, so nothing written on use can undo a revocation', async () => {
    // FerretDB 1.24 applies an update by writing back the whole document it read: a last-used
    // write on the key that read it before a revocation wrote the revocation away.
    const org = await createOrganisationViaApi(ctx, platform, 'untouched-keys');
    const issued = await ctx.http
      .post(`/api/v1/organisations/${org.slug}/api-keys`)
      .set('Authorization', bearer(org.adminKey))
      .send({ role: 'analyst', label: 'reports' });
    const keys = mongoose.connection.db!.collection('api_keys');
    const id = new mongoose.Types.ObjectId(issued.body.id as string);
    const before = await keys.findOne({ _id: id });
    const uses = await Promise.all(
      [1, 2, 3].map(() =>
        ctx.http.get('/api/v1/organisations').set('Authorization', bearer(issued.body.key)),
      ),
    );
    expect(uses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await keys.findOne({ _id: id })).toEqual(before);
    const listed = await ctx.http
      .get(`/api/v1/organisations/${org.slug}/api-keys`)
      .set('Authorization', bearer(org.adminKey));
    const shown = listed.body.items.find((k: { id: string }) => k.id === issued.body.id);
    expect(Date.parse(shown.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a revoked key stops working; last use is recorded', async () => {
    const org = await createOrganisationViaApi(ctx, platform, 'revoke-city');
    const second = await ctx.http
      .post(`/api/v1/organisations/${org.slug}/api-keys`)
      .set('Authorization', bearer(org.adminKey))
      .send({ role: 'analyst', label: 'dashboard' });
    expect(second.status).toBe(201);
    expect(
      (await ctx.http.get('/api/v1/organisations').set('Authorization', bearer(second.body.key))).status,
    ).toBe(200);
    const list = await ctx.http
      .get(`/api/v1/organisations/${org.slug}/api-keys`)
      .set('Authorization', bearer(org.adminKey));
    const listed = list.body.items.find((k: { id: string }) => k.id === second.body.id);
    expect(listed.lastUsedAt).not.toBeNull();

    const del = await ctx.http
      .delete(`/api/v1/api-keys/${second.body.id}`)
      .set('Authorization', bearer(org.adminKey));
    expect(del.status).toBe(200);
    expect(del.body.revokedAt).not.toBeNull();
    expect(
      (await ctx.http.get('/api/v1/organisations').set('Authorization', bearer(second.body.key))).status,
    ).toBe(401);
  });

  it('an organisation cannot revoke its last working admin key; the platform can', async () => {
    const org = await createOrganisationViaApi(ctx, platform, 'lockout-city');
    const keys = await ctx.http
      .get(`/api/v1/organisations/${org.slug}/api-keys`)
      .set('Authorization', bearer(org.adminKey));
    const first = keys.body.items.find((k: { role: string }) => k.role === 'admin').id as string;
    const own = await ctx.http.delete(`/api/v1/api-keys/${first}`).set('Authorization', bearer(org.adminKey));
    expect(own.status).toBe(409);
    expect(own.body.error.code).toBe('LAST_ADMIN_KEY');
    expect((await ctx.http.get('/api/v1/surveys').set('Authorization', bearer(org.adminKey))).status).toBe(
      200,
    );

    const second = await ctx.http
      .post(`/api/v1/organisations/${org.slug}/api-keys`)
      .set('Authorization', bearer(org.adminKey))
      .send({ role: 'admin', label: 'deputy' });
    expect(second.status).toBe(201);
    const revoked = await ctx.http
      .delete(`/api/v1/api-keys/${first}`)
      .set('Authorization', bearer(second.body.key));
    expect(revoked.status).toBe(200);
    expect((await ctx.http.get('/api/v1/surveys').set('Authorization', bearer(org.adminKey))).status).toBe(
      401,
    );
    // Now the deputy is the last one; only the platform can stop it.
    const last = await ctx.http
      .delete(`/api/v1/api-keys/${second.body.id}`)
      .set('Authorization', bearer(second.body.key));
    expect(last.status).toBe(409);
    const byPlatform = await ctx.http
      .delete(`/api/v1/api-keys/${second.body.id}`)
      .set('Authorization', bearer(platform));
    expect(byPlatform.status).toBe(200);
    expect(byPlatform.body.revokedAt).not.toBeNull();
  });

  it('two admins revoking each other at once leave one working admin key', async () => {
    const org = await createOrganisationViaApi(ctx, platform, 'mutual-revoke');
    const deputy = await issueKeyViaApi(ctx, org.adminKey, org.slug, 'admin');
    const deputyId = /^tv_([a-f0-9]{24})_/.exec(deputy)![1];
    const keys = await ctx.http
      .get(`/api/v1/organisations/${org.slug}/api-keys`)
      .set('Authorization', bearer(org.adminKey));
    const first = keys.body.items.find((k: { id: string }) => k.id !== deputyId).id;
    // Both keys used once already, so neither request waits on its first-use bookkeeping.
    for (const key of [org.adminKey, deputy]) {
      expect((await ctx.http.get('/api/v1/surveys').set('Authorization', bearer(key))).status).toBe(200);
    }

    const [byFirst, byDeputy] = await Promise.all([
      ctx.http.delete(`/api/v1/api-keys/${deputyId}`).set('Authorization', bearer(org.adminKey)),
      ctx.http.delete(`/api/v1/api-keys/${first}`).set('Authorization', bearer(deputy)),
    ]);
    expect([byFirst.status, byDeputy.status].sort()).toEqual([200, 409]);
    const stored = await mongoose.connection.db!.collection('api_keys').countDocuments({
      organisationId: new mongoose.Types.ObjectId(org.id),
      role: 'admin',
      revokedAt: null,
    });
    expect(stored).toBe(1);
  });

  it('a platform key lists every organisation, a page at a time', async () => {
    const first = await ctx.http.get('/api/v1/organisations?limit=2').set('Authorization', bearer(platform));
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toMatch(/^[a-f0-9]{24}$/);
    const second = await ctx.http
      .get(`/api/v1/organisations?limit=2&cursor=${first.body.nextCursor}`)
      .set('Authorization', bearer(platform));
    const ids = [...first.body.items, ...second.body.items].map((o: { id: string }) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      (await ctx.http.get('/api/v1/organisations?limit=0').set('Authorization', bearer(platform))).status,
    ).toBe(422);
  });
});
