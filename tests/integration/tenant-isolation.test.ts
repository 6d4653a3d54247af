import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';

/**
 * Every endpoint that addresses a resource, called with a key of another organisation,
 * answers exactly like a missing resource: 404, the same code, nothing changed.
 */
let ctx: TestContext;
const a = { id: '', slug: 'org-a', admin: '', analystKeyId: '', surveyId: '' };
const b = { admin: '', analyst: '' };

beforeAll(async () => {
  ctx = await createTestContext();
  const platform = await createPlatformKey();
  const orgA = await createOrganisationViaApi(ctx, platform, a.slug);
  a.id = orgA.id;
  a.admin = orgA.adminKey;
  const analystA = await ctx.http
    .post(`/api/v1/organisations/${a.slug}/api-keys`)
    .set('Authorization', bearer(a.admin))
    .send({ role: 'analyst' });
  a.analystKeyId = analystA.body.id;
  const survey = await ctx.http
    .post('/api/v1/surveys')
    .set('Authorization', bearer(a.admin))
    .send({ slug: 'a-survey', template: 'pulse' });
  a.surveyId = survey.body.id;
  await ctx.http.post(`/api/v1/surveys/${a.surveyId}/versions`).set('Authorization', bearer(a.admin));

  const orgB = await createOrganisationViaApi(ctx, platform, 'org-b');
  b.admin = orgB.adminKey;
  b.analyst = await issueKeyViaApi(ctx, b.admin, 'org-b', 'analyst');
});
afterAll(async () => {
  await ctx.close();
});

type Call = [
  string,
  'get' | 'post' | 'put' | 'delete',
  () => string,
  object | undefined,
  Array<'admin' | 'analyst'>,
];
const matrix: Call[] = [
  ['organisation by id', 'get', () => `/api/v1/organisations/${a.id}`, undefined, ['admin', 'analyst']],
  ['organisation by slug', 'get', () => `/api/v1/organisations/${a.slug}`, undefined, ['admin', 'analyst']],
  ['issue a key', 'post', () => `/api/v1/organisations/${a.slug}/api-keys`, { role: 'admin' }, ['admin']],
  ['list keys', 'get', () => `/api/v1/organisations/${a.id}/api-keys`, undefined, ['admin']],
  ['revoke a key', 'delete', () => `/api/v1/api-keys/${a.analystKeyId}`, undefined, ['admin']],
  ['survey', 'get', () => `/api/v1/surveys/${a.surveyId}`, undefined, ['admin', 'analyst']],
  [
    'replace draft',
    'put',
    () => `/api/v1/surveys/${a.surveyId}/draft`,
    { definition: { pages: [{ name: 'p', elements: [{ type: 'text', name: 'x' }] }] } },
    ['admin'],
  ],
  ['publish', 'post', () => `/api/v1/surveys/${a.surveyId}/versions`, undefined, ['admin']],
  ['version', 'get', () => `/api/v1/surveys/${a.surveyId}/versions/1`, undefined, ['admin', 'analyst']],
];

describe.each(matrix)('%s with another organisation’s key', (_name, method, path, body, roles) => {
  it.each(roles)('as %s: 404 like a missing resource', async (role) => {
    const key = role === 'admin' ? b.admin : b.analyst;
    let req = ctx.http[method](path()).set('Authorization', bearer(key));
    if (body) req = req.send(body);
    const res = await req;
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(JSON.stringify(res.body)).not.toContain(a.slug);
  });
});

it('nothing of organisation A changed, and A still works', async () => {
  const keys = await ctx.http
    .get(`/api/v1/organisations/${a.slug}/api-keys`)
    .set('Authorization', bearer(a.admin));
  expect(keys.status).toBe(200);
  expect(keys.body.items).toHaveLength(2);
  expect(keys.body.items.every((k: { revokedAt: string | null }) => k.revokedAt === null)).toBe(true);
  const survey = await ctx.http.get(`/api/v1/surveys/${a.surveyId}`).set('Authorization', bearer(a.admin));
  expect(survey.body.latestVersion).toBe(1);
  expect(survey.body.draft.definition.pages[0].elements.length).toBeGreaterThan(1);
});

it('lists never show another organisation’s data', async () => {
  const orgs = await ctx.http.get('/api/v1/organisations').set('Authorization', bearer(b.analyst));
  expect(orgs.body.items.map((o: { slug: string }) => o.slug)).toEqual(['org-b']);
  const surveys = await ctx.http.get('/api/v1/surveys').set('Authorization', bearer(b.admin));
  expect(surveys.body.items.map((s: { id: string }) => s.id)).not.toContain(a.surveyId);
});
