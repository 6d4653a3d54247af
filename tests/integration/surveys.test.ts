import mongoose from 'mongoose';
import { Survey } from '../../src/modules/surveys/survey.model';
import { expectDocumentedAt } from '../support/contract';
import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';

let ctx: TestContext;
let platform: string;
let admin: string;
let analyst: string;

const simple = (title = 'How are we doing?') => ({
  title,
  pages: [
    {
      name: 'p1',
      elements: [
        {
          type: 'radiogroup',
          name: 'overall',
          isRequired: true,
          title: 'Overall, how satisfied are you?',
          choices: [
            'very_satisfied',
            'fairly_satisfied',
            'neither',
            'fairly_dissatisfied',
            'very_dissatisfied',
          ],
        },
        { type: 'comment', name: 'why', maxLength: 500, visibleIf: "{overall} = 'very_dissatisfied'" },
      ],
    },
  ],
});

beforeAll(async () => {
  ctx = await createTestContext();
  platform = await createPlatformKey();
  const org = await createOrganisationViaApi(ctx, platform, 'krakow');
  admin = org.adminKey;
  analyst = await issueKeyViaApi(ctx, admin, org.slug, 'analyst');
});
afterAll(async () => {
  await ctx.close();
});

const post = (path: string, key: string, body: unknown) =>
  ctx.http
    .post(path)
    .set('Authorization', bearer(key))
    .send(body as object);
const get = (path: string, key: string) => ctx.http.get(path).set('Authorization', bearer(key));

describe('validation endpoint', () => {
  it('accepts a valid definition and lists its questions', async () => {
    const res = await post('/api/v1/surveys/validate', admin, {
      definition: simple(),
      indicatorMapping: [{ indicator: 'TP01', question: 'overall' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.questions.map((q: { name: string }) => q.name)).toEqual(['overall', 'why']);
  });

  it('answers 422 with a JSON Pointer per problem', async () => {
    const def = simple();
    def.pages[0]!.elements.push({ type: 'sliderx', name: 'overall' } as never);
    const res = await post('/api/v1/surveys/validate', admin, { definition: def });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        {
          path: '/definition/pages/0/elements/2/type',
          message: expect.stringContaining('unknown element type "sliderx"'),
        },
      ]),
    );
  });

  it('returns missing translations as warnings without failing', async () => {
    const def = simple();
    (def as Record<string, unknown>).title = { default: 'How are we doing?', pl: 'Jak nam idzie?' };
    const res = await post('/api/v1/surveys/validate', admin, {
      definition: def,
      languages: ['en', 'pl', 'ka'],
    });
    expect(res.status).toBe(200);
    expect(res.body.warnings).toEqual(
      expect.arrayContaining([{ path: '/definition/title', message: 'missing the "ka" translation' }]),
    );
  });

  it('refuses $-prefixed keys and __proto__ anywhere in the body', async () => {
    const withWhere = await post('/api/v1/surveys/validate', admin, {
      definition: { ...simple(), $where: 'sleep(1000)' },
    });
    expect(withWhere.status).toBe(422);
    expect(withWhere.body.error.details[0].path).toBe('/definition/$where');
    const proto = await ctx.http
      .post('/api/v1/surveys/validate')
      .set('Authorization', bearer(admin))
      .set('Content-Type', 'application/json')
      .send('{"definition": {"pages": [], "__proto__": {"polluted": true}}}');
    expect(proto.status).toBe(422);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a 10,000-element definition is refused quickly with 422; a 2 MB one with 413', async () => {
    const many = {
      pages: [
        { name: 'p', elements: Array.from({ length: 10000 }, (_, i) => ({ type: 'text', name: `q${i}` })) },
      ],
    };
    const started = Date.now();
    const res = await post('/api/v1/surveys/validate', admin, { definition: many });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].message).toMatch(/at most 500 elements/);
    expect(Date.now() - started).toBeLessThan(10000);
    const huge = {
      pages: [{ name: 'p', elements: [{ type: 'html', name: 'h', html: 'x'.repeat(2 * 1024 * 1024) }] }],
    };
    expect((await post('/api/v1/surveys/validate', admin, { definition: huge })).status).toBe(413);
  });

  it('analysts may not validate or create surveys', async () => {
    expect((await post('/api/v1/surveys/validate', analyst, { definition: simple() })).status).toBe(403);
    expect((await post('/api/v1/surveys', analyst, { slug: 'x', definition: simple() })).status).toBe(403);
  });
});

describe('drafts and immutable versions', () => {
  it('publishes versions that never change when the draft is edited', async () => {
    const created = await post('/api/v1/surveys', admin, {
      slug: 'annual',
      definition: simple(),
      indicatorMapping: [{ indicator: 'TP01', question: 'overall' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: 'annual', title: 'How are we doing?', latestVersion: 0 });
    const id = created.body.id;

    const v1 = await post(`/api/v1/surveys/${id}/versions`, admin, undefined);
    expect(v1.status).toBe(201);
    expect(v1.body.version).toBe(1);
    expect(v1.body.contentHash).toMatch(/^[a-f0-9]{64}$/);

    const unchanged = await post(`/api/v1/surveys/${id}/versions`, admin, undefined);
    expect(unchanged.status).toBe(409);
    expect(unchanged.body.error.code).toBe('NO_CHANGES');

    const edited = await ctx.http
      .put(`/api/v1/surveys/${id}/draft`)
      .set('Authorization', bearer(admin))
      .send({ definition: simple('Jak nam idzie?') });
    expect(edited.status).toBe(200);
    expect(edited.body.draft.basedOnVersion).toBe(1);
    expect(edited.body.draft.indicatorMapping).toEqual([{ indicator: 'TP01', question: 'overall' }]);

    const v2 = await post(`/api/v1/surveys/${id}/versions`, admin, undefined);
    expect(v2.body.version).toBe(2);

    const again1 = await get(`/api/v1/surveys/${id}/versions/1`, analyst);
    expect(again1.status).toBe(200);
    expect(again1.body.definition).toEqual(simple());
    expect(again1.body.contentHash).toBe(v1.body.contentHash);
    expect((await get(`/api/v1/surveys/${id}/versions/2`, admin)).body.definition.title).toBe(
      'Jak nam idzie?',
    );
    expect((await get(`/api/v1/surveys/${id}/versions/3`, admin)).status).toBe(404);
    expect((await get(`/api/v1/surveys/${id}`, admin)).body.latestVersion).toBe(2);
  });

  it('a broken draft is refused and the stored draft is untouched', async () => {
    const created = await post('/api/v1/surveys', admin, { slug: 'keep-me', definition: simple() });
    const before = await mongoose.connection.db!.collection('surveys').findOne({ slug: 'keep-me' });
    const bad = simple();
    bad.pages[0]!.elements[1]!.visibleIf = '{nobody} = 1';
    const res = await ctx.http
      .put(`/api/v1/surveys/${created.body.id}/draft`)
      .set('Authorization', bearer(admin))
      .send({ definition: bad });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('/definition/pages/0/elements/1/visibleIf');
    const after = await mongoose.connection.db!.collection('surveys').findOne({ slug: 'keep-me' });
    expect(after).toEqual(before);
  });

  it('a draft replaced since the revision an editor read is not overwritten (409), nor by a race', async () => {
    const created = await post('/api/v1/surveys', admin, { slug: 'two-editors', definition: simple() });
    expect(created.body.draft.revision).toBe(0);
    const put = (body: Record<string, unknown>) =>
      ctx.http.put(`/api/v1/surveys/${created.body.id}/draft`).set('Authorization', bearer(admin)).send(body);
    // Two editors opened revision 0; the first saves, the second is told instead of erasing it.
    const first = await put({ definition: simple('First editor'), revision: 0 });
    expect(first.status).toBe(200);
    expect(first.body.draft.revision).toBe(1);
    const second = await put({ definition: simple('Second editor'), revision: 0 });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('DRAFT_CONFLICT');
    await expectDocumentedAt(ctx, second, 'put', `/api/v1/surveys/${created.body.id}/draft`);
    expect((await get(`/api/v1/surveys/${created.body.id}`, admin)).body.draft.definition.title).toBe(
      'First editor',
    );
    // Saved at once on the same revision: one wins, the other gets 409, whichever comes first.
    const raced = await Promise.all(['A', 'B'].map((t) => put({ definition: simple(t), revision: 1 })));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = raced.find((r) => r.status === 200)!;
    const stored = (await get(`/api/v1/surveys/${created.body.id}`, admin)).body.draft;
    expect(stored.revision).toBe(2);
    expect(stored.definition.title).toBe(winner.body.draft.definition.title);
    // Without a revision the draft is replaced as before, and counted.
    const blind = await put({ definition: simple('Script') });
    expect(blind.status).toBe(200);
    expect(blind.body.draft.revision).toBe(3);
  });

  it('a publish naming the revision reviewed never freezes a draft saved since (409, nothing published)', async () => {
    const created = await post('/api/v1/surveys', admin, {
      slug: 'review-then-publish',
      definition: simple(),
    });
    const id = created.body.id as string;
    const save = (title: string) =>
      ctx.http
        .put(`/api/v1/surveys/${id}/draft`)
        .set('Authorization', bearer(admin))
        .send({ definition: simple(title) });
    expect((await save('Reviewed')).body.draft.revision).toBe(1);
    // Someone saves after the publisher reviewed revision 1.
    expect((await save('Not reviewed')).body.draft.revision).toBe(2);
    const stale = await post(`/api/v1/surveys/${id}/versions`, admin, { revision: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('DRAFT_CONFLICT');
    await expectDocumentedAt(ctx, stale, 'post', `/api/v1/surveys/${id}/versions`);
    expect((await get(`/api/v1/surveys/${id}`, admin)).body.latestVersion).toBe(0);
    expect((await get(`/api/v1/surveys/${id}/versions/1`, admin)).status).toBe(404);
    // On the revision now shown, the draft as shown is published.
    const published = await post(`/api/v1/surveys/${id}/versions`, admin, { revision: 2 });
    expect(published.status).toBe(201);
    expect(published.body.version).toBe(1);
    expect((await get(`/api/v1/surveys/${id}/versions/1`, admin)).body.definition.title).toBe('Not reviewed');
    // Without a body (or a revision) a publish takes the draft whatever it holds, as before.
    await save('Third');
    const blind = await ctx.http.post(`/api/v1/surveys/${id}/versions`).set('Authorization', bearer(admin));
    expect(blind.status).toBe(201);
    expect(blind.body.version).toBe(2);
    const bad = await post(`/api/v1/surveys/${id}/versions`, admin, { revision: 'two' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toBe('/revision');
  });

  it('a draft kept before revisions were counted is at revision 0', async () => {
    const created = await post('/api/v1/surveys', admin, { slug: 'old-draft', definition: simple() });
    await Survey.collection.updateOne(
      { _id: new mongoose.Types.ObjectId(created.body.id as string) },
      { $unset: { 'draft.revision': '' } },
    );
    expect((await get(`/api/v1/surveys/${created.body.id}`, admin)).body.draft.revision).toBe(0);
    const put = (revision: number) =>
      ctx.http
        .put(`/api/v1/surveys/${created.body.id}/draft`)
        .set('Authorization', bearer(admin))
        .send({ definition: simple('Edited'), revision });
    expect((await put(1)).status).toBe(409);
    const saved = await put(0);
    expect(saved.status).toBe(200);
    expect(saved.body.draft.revision).toBe(1);
  });

  it('concurrent publishes produce consecutive versions or a 409, never a duplicate', async () => {
    const created = await post('/api/v1/surveys', admin, { slug: 'race', definition: simple() });
    const results = await Promise.all(
      [1, 2, 3].map(() => post(`/api/v1/surveys/${created.body.id}/versions`, admin, undefined)),
    );
    const versions = results.filter((r) => r.status === 201).map((r) => r.body.version);
    expect(versions).toEqual([1]);
    expect(results.filter((r) => r.status === 409)).toHaveLength(2);
  });

  it('a publish cut off after storing its version is finished by the next, never blocked for good', async () => {
    const created = await post('/api/v1/surveys', admin, { slug: 'cut-off', definition: simple() });
    const id = created.body.id;
    expect((await post(`/api/v1/surveys/${id}/versions`, admin, undefined)).status).toBe(201);
    await ctx.http
      .put(`/api/v1/surveys/${id}/draft`)
      .set('Authorization', bearer(admin))
      .send({ definition: simple('Second edition') });
    // The version is stored, then the connection drops before the survey moves on to it.
    const move = jest
      .spyOn(Survey, 'updateOne')
      .mockRejectedValueOnce(new mongoose.mongo.MongoNetworkError('connection reset'));
    try {
      const cut = await post(`/api/v1/surveys/${id}/versions`, admin, undefined);
      expect([cut.status, cut.body.error.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    } finally {
      move.mockRestore();
    }
    expect((await get(`/api/v1/surveys/${id}`, admin)).body.latestVersion).toBe(1);
    // Publishing the same draft again makes the stored version the latest.
    const retry = await post(`/api/v1/surveys/${id}/versions`, admin, undefined);
    expect([retry.status, retry.body.error.code]).toEqual([409, 'PUBLISH_CONFLICT']);
    expect(retry.body.error.message).toMatch(/version 2/);
    expect((await get(`/api/v1/surveys/${id}`, admin)).body.latestVersion).toBe(2);
    expect((await post(`/api/v1/surveys/${id}/versions`, admin, undefined)).body.error.code).toBe(
      'NO_CHANGES',
    );
    // A later draft is published as the next version: the survey is not stuck.
    await ctx.http
      .put(`/api/v1/surveys/${id}/draft`)
      .set('Authorization', bearer(admin))
      .send({ definition: simple('Third edition') });
    const v3 = await post(`/api/v1/surveys/${id}/versions`, admin, undefined);
    expect([v3.status, v3.body.version]).toEqual([201, 3]);
    expect((await get(`/api/v1/surveys/${id}/versions/2`, admin)).body.definition.title).toBe(
      'Second edition',
    );
  });

  it('duplicate slug in one organisation is a 409', async () => {
    await post('/api/v1/surveys', admin, { slug: 'twice', definition: simple() });
    const res = await post('/api/v1/surveys', admin, { slug: 'twice', definition: simple() });
    expect(res.status).toBe(409);
    expect(res.body.error.details[0].path).toBe('/slug');
  });

  it('a mapping whose answers do not fit the indicator is refused with the path', async () => {
    const res = await post('/api/v1/surveys', admin, {
      slug: 'bad-mapping',
      definition: simple(),
      indicatorMapping: [{ indicator: 'NPS', question: 'why' }],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('/indicatorMapping/0/question');
  });
});

describe('templates, shared surveys and the indicator catalogue', () => {
  it('lists the five built-in templates', async () => {
    const res = await get('/api/v1/templates', analyst);
    expect(res.status).toBe(200);
    expect(res.body.items.map((t: { slug: string }) => t.slug).sort()).toEqual([
      'hoa-resource-centre',
      'pl-municipal-housing',
      'pulse',
      'tsm-grid',
      'tsm-perception',
    ]);
  });

  it('creates and publishes a survey from every template', async () => {
    for (const template of ['tsm-perception', 'pl-municipal-housing', 'hoa-resource-centre', 'pulse']) {
      const created = await post('/api/v1/surveys', admin, { slug: `from-${template}`, template });
      expect(created.status).toBe(201);
      expect(created.body.template).toBe(template);
      expect(created.body.draft.indicatorMapping.length).toBeGreaterThan(0);
      const v = await post(`/api/v1/surveys/${created.body.id}/versions`, admin, undefined);
      expect(v.status).toBe(201);
    }
    expect((await post('/api/v1/surveys', admin, { slug: 'nope', template: 'no-such' })).status).toBe(422);
  });

  it('platform surveys are shared; admins cannot share', async () => {
    const shared = await post('/api/v1/surveys', platform, {
      slug: 'national-pulse',
      template: 'pulse',
      shared: true,
    });
    expect(shared.status).toBe(201);
    expect(shared.body).toMatchObject({ shared: true, organisationId: null });
    await post(`/api/v1/surveys/${shared.body.id}/versions`, platform, undefined);
    const list = await get('/api/v1/surveys?limit=200', analyst);
    expect(list.body.items.map((s: { slug: string }) => s.slug)).toContain('national-pulse');
    expect((await get(`/api/v1/surveys/${shared.body.id}/versions/1`, analyst)).status).toBe(200);
    // Readable, but not editable by an organisation.
    const edit = await ctx.http
      .put(`/api/v1/surveys/${shared.body.id}/draft`)
      .set('Authorization', bearer(admin))
      .send({ definition: simple() });
    expect(edit.status).toBe(404);
    expect(
      (await post('/api/v1/surveys', admin, { slug: 'mine-shared', template: 'pulse', shared: true })).status,
    ).toBe(403);
  });

  it('serves the catalogue and lets the platform add an indicator', async () => {
    const cat = await get('/api/v1/indicator-definitions', analyst);
    expect(cat.status).toBe(200);
    const ids = cat.body.items.map((d: { id: string }) => d.id);
    expect(ids).toEqual(expect.arrayContaining(['TP01', 'TP08', 'TP12', 'NPS', 'CSAT']));
    const tp08 = cat.body.items.find((d: { id: string }) => d.id === 'TP08');
    expect(tp08.positive).toEqual(['strongly_agree', 'agree']);

    const grade = {
      id: 'GRADE10',
      title: { default: 'Tenant grade (1–10)' },
      kind: 'mean',
      scale: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
      positive: [],
    };
    expect((await post('/api/v1/indicator-definitions', admin, grade)).status).toBe(403);
    const added = await post('/api/v1/indicator-definitions', platform, grade);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: 'GRADE10', minN: 10, builtIn: false });
    expect((await post('/api/v1/indicator-definitions', platform, grade)).status).toBe(409);
    const inconsistent = await post('/api/v1/indicator-definitions', platform, {
      ...grade,
      id: 'BAD1',
      positive: [11],
    });
    expect(inconsistent.status).toBe(422);
    expect(inconsistent.body.error.details[0].path).toBe('/positive/0');

    const def = {
      pages: [{ name: 'p', elements: [{ type: 'rating', name: 'grade', rateMin: 1, rateMax: 10 }] }],
    };
    const mapped = await post('/api/v1/surveys/validate', admin, {
      definition: def,
      indicatorMapping: [{ indicator: 'GRADE10', question: 'grade' }],
    });
    expect(mapped.status).toBe(200);
  });
});
