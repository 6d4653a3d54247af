import supertest from 'supertest';
import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { expectDocumentedAt } from '../support/contract';

/**
 * The audit log over HTTP: surveys, campaigns and keys record the state before and after each
 * change; every other change by a key or a person is recorded by the router; lines name the key
 * or the person and are readable only by the organisation's admins and the platform.
 */
let ctx: TestContext;
let admin: string;
let platform: string;

const log = async (query = '') => {
  const res = await ctx.http
    .get(`/api/v1/organisations/lublin/audit?limit=200${query}`)
    .set('Authorization', bearer(admin));
  await expectDocumentedAt(ctx, res, 'get', '/api/v1/organisations/lublin/audit');
  expect(res.status).toBe(200);
  return res.body.items as Array<{
    action: string;
    actor: { kind: string; id: string; role: string };
    resource: { type: string; id: string };
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  }>;
};

beforeAll(async () => {
  ctx = await createTestContext();
  platform = await createPlatformKey();
  admin = (await createOrganisationViaApi(ctx, platform, 'lublin')).adminKey;
  await createOrganisationViaApi(ctx, platform, 'zamosc');
}, 120_000);

afterAll(async () => {
  await ctx.close();
});

it('records surveys and campaigns with their state before and after', async () => {
  const created = await ctx.http
    .post('/api/v1/surveys')
    .set('Authorization', bearer(admin))
    .send({ slug: 'pulse-audit', template: 'pulse' });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const definition = structuredClone(created.body.draft.definition);
  definition.title = { default: 'Changed title' };
  const changed = await ctx.http
    .put(`/api/v1/surveys/${id}/draft`)
    .set('Authorization', bearer(admin))
    .send({ definition, title: 'Changed title' });
  expect(changed.status).toBe(200);
  expect(
    (await ctx.http.post(`/api/v1/surveys/${id}/versions`).set('Authorization', bearer(admin))).status,
  ).toBe(201);
  const campaign = await ctx.http
    .post('/api/v1/campaigns')
    .set('Authorization', bearer(admin))
    .send({ surveyId: id, period: '2026' });
  expect(campaign.status).toBe(201);

  const lines = await log('&resourceType=survey');
  expect(lines.map((l) => l.action)).toEqual(['survey.created', 'survey.draft-changed', 'survey.published']);
  const draft = lines[1]!;
  expect(draft.before!.title).not.toBe(draft.after!.title);
  expect(draft.before!.contentHash).not.toBe(draft.after!.contentHash);
  expect(lines[2]!.after).toMatchObject({ latestVersion: 1 });
  expect(draft.actor).toMatchObject({ kind: 'key', role: 'admin' });
  const [made] = await log('&action=campaign.created');
  expect(made!.resource).toEqual({ type: 'campaign', id: campaign.body.id });
  expect(made!.after).toMatchObject({ period: '2026', access: 'open', version: 1 });
  // One line per change: the routes that record their own are not recorded twice.
  expect(
    (await log('&action=request.post')).filter((l) => l.resource.id.startsWith('/api/v1/surveys')),
  ).toEqual([]);
});

it('records keys issued and revoked, and any other change by the router', async () => {
  const issued = await ctx.http
    .post('/api/v1/organisations/lublin/api-keys')
    .set('Authorization', bearer(admin))
    .send({ role: 'analyst', label: 'dashboard' });
  expect(issued.status).toBe(201);
  const revoked = await ctx.http
    .delete(`/api/v1/api-keys/${issued.body.id}`)
    .set('Authorization', bearer(admin));
  expect(revoked.status).toBe(200);
  const keys = await log('&resourceType=key');
  expect(keys.map((l) => l.action)).toEqual(['key.issued', 'key.revoked']);
  expect(keys[1]!.before).toMatchObject({ revokedAt: null });
  expect(keys[1]!.after!.revokedAt).toEqual(expect.any(String));

  const margins = await ctx.http
    .put('/api/v1/organisations/lublin/margins/2026')
    .set('Authorization', bearer(admin))
    .send({ variables: { tenure: { rented: 800, owned: 200 } } });
  expect(margins.status).toBe(200);
  const [put] = await log('&action=request.put');
  expect(put).toMatchObject({
    resource: { type: 'weighting', id: '/api/v1/organisations/lublin/margins/2026' },
    after: { route: '/api/v1/organisations/{org}/margins/{period}', status: 200 },
  });
  // A refused change is not a change.
  const refused = await ctx.http
    .put('/api/v1/organisations/lublin/margins/2026')
    .set('Authorization', bearer(admin))
    .send({ variables: { tenure: { rented: 800 }, age: { young: 5 } } });
  expect(refused.status).toBe(422);
  expect(await log('&action=request.put')).toHaveLength(1);
});

it('names the person who changed something through a session', async () => {
  const invited = await ctx.http
    .post('/api/v1/organisations/lublin/people')
    .set('Authorization', bearer(admin))
    .send({ name: 'Ewa', email: 'ewa@lublin.test', role: 'admin' });
  const token = /invitation#(.+)$/.exec(invited.body.invitation.url as string)![1]!;
  const password = 'a long enough password';
  expect((await ctx.http.post('/api/v1/invitations/accept').send({ token, password })).status).toBe(200);
  const agent = supertest.agent(ctx.app);
  const session = await agent.post('/api/v1/session').send({ email: 'ewa@lublin.test', password });
  expect(session.status).toBe(201);
  const res = await agent
    .put('/api/v1/organisations/lublin/margins/2027')
    .set('X-CSRF-Token', session.body.csrfToken as string)
    .send({ variables: { tenure: { rented: 1 } } });
  expect(res.status).toBe(200);
  const lines = await log('&action=request.put');
  expect(lines.at(-1)!.actor).toEqual({ kind: 'person', id: invited.body.person.id, role: 'admin' });
  expect((await log('&action=person.signed-in')).map((l) => l.after)).toEqual([{ method: 'password' }]);

  // Readable by the organisation's admins and the platform, not by analysts or other organisations.
  const analyst = await issueKeyViaApi(ctx, admin, 'lublin', 'analyst');
  expect(
    (await ctx.http.get('/api/v1/organisations/lublin/audit').set('Authorization', bearer(analyst))).status,
  ).toBe(403);
  expect(
    (await ctx.http.get('/api/v1/organisations/lublin/audit').set('Authorization', bearer(platform))).status,
  ).toBe(200);
  const other = await ctx.http
    .get('/api/v1/organisations/zamosc/audit')
    .set('Authorization', `Bearer ${await issueKeyViaApi(ctx, admin, 'lublin', 'admin')}`);
  expect(other.status).toBe(404);
});

it('as CSV, a page names the next one in a Link header, so the whole log can be read', async () => {
  const all = (await log()).length;
  expect(all).toBeGreaterThan(4);
  const rows: string[] = [];
  let next: string | null = '/api/v1/organisations/lublin/audit?limit=2';
  let pages = 0;
  while (next) {
    const res: supertest.Response = await ctx.http
      .get(next)
      .set('Authorization', bearer(admin))
      .set('Accept', 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    rows.push(...res.text.trim().split('\r\n').slice(1));
    next = /^<([^>]+)>; rel="next"$/.exec(res.headers.link ?? '')?.[1] ?? null;
    pages += 1;
  }
  expect(pages).toBe(Math.ceil(all / 2));
  expect(rows).toHaveLength(all);
  expect(new Set(rows).size).toBe(all);
});
