import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import supertest from 'supertest';
import { buildApp } from '../../src/app';
import { drainInbox } from '../../src/modules/indicators/aggregation.service';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';
import { validTsm } from '../../scripts/tsm-answers';
import { responseIdFor, SurveyResponse } from '../../src/modules/responses/response.model';
import { CampaignClaim, claimId } from '../../src/modules/campaigns/campaign.model';
import { ABANDONED_CLAIM_MS, claim, tidyClaims } from '../../src/modules/responses/responses.service';

let ctx: TestContext;
let admin: string;
let tsm: { id: string; slug: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const platform = await createPlatformKey();
  admin = (await createOrganisationViaApi(ctx, platform, 'lodz')).adminKey;
  tsm = (
    await createCampaignViaApi(ctx, admin, {
      template: 'tsm-perception',
      campaign: { segment: 'estate:Widzew' },
    })
  ).campaign;
});
afterAll(async () => {
  await ctx.close();
});

const responses = () => mongoose.connection.db!.collection('responses');
const submit = (slug: string, body: Record<string, unknown>) =>
  ctx.http
    .post(`/api/v1/public/campaigns/${slug}/responses`)
    .send({ submissionId: randomUUID(), locale: 'en', ...body });

describe('valid submissions', () => {
  it('stores a response with its pins and nothing identifying', async () => {
    const res = await ctx.http
      .post(`/api/v1/public/campaigns/${tsm.slug}/responses`)
      .set('User-Agent', 'Mozilla/5.0 (Linux; Android 9; SM-J530F) very identifying')
      .set('X-Forwarded-For', '203.0.113.9')
      .send({ submissionId: randomUUID(), locale: 'pl', answers: validTsm(), channel: 'qr' });
    expect(res.status).toBe(201);
    const doc = await responses().findOne({ _id: new mongoose.Types.ObjectId(res.body.id as string) });
    expect(doc).toMatchObject({
      locale: 'pl',
      channel: 'qr',
      version: 1,
      period: '2026',
      segment: 'estate:Widzew',
      answers: validTsm(),
    });
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/203\.0\.113\.9|127\.0\.0\.1|::ffff|SM-J530F|Mozilla/);
    expect(Object.keys(doc!).sort()).toEqual(
      [
        '_id',
        'answers',
        'campaignId',
        'channel',
        'completedAt',
        'durationSeconds',
        'locale',
        'mode',
        'organisationId',
        'period',
        'segment',
        'serial',
        'submissionId',
        'surveyId',
        'version',
      ].sort(),
    );
  });

  it('the same submissionId again answers 200 with the same id and stores nothing twice', async () => {
    const body = { submissionId: randomUUID(), locale: 'en', answers: validTsm() };
    const first = await ctx.http.post(`/api/v1/public/campaigns/${tsm.slug}/responses`).send(body);
    const again = await ctx.http.post(`/api/v1/public/campaigns/${tsm.slug}/responses`).send(body);
    const racing = await Promise.all(
      [1, 2, 3].map(() => ctx.http.post(`/api/v1/public/campaigns/${tsm.slug}/responses`).send(body)),
    );
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await responses().countDocuments({ submissionId: body.submissionId })).toBe(1);
  });
});

describe('forged or broken submissions: 4xx, nothing stored', () => {
  const big = 'x'.repeat(1024 * 1024);
  const manyKeys = Object.fromEntries(Array.from({ length: 10000 }, (_, i) => [`k${i}`, 'v']));
  const cases: Array<[string, () => Record<string, unknown>, number, string]> = [
    [
      'a hidden question answered',
      () => ({
        answers: { overall_satisfaction: 'neither', had_repair: 'no', repairs_overall: 'very_satisfied' },
      }),
      422,
      '/answers/repairs_overall',
    ],
    [
      'a choice not offered',
      () => ({ answers: { ...validTsm(), overall_satisfaction: 'ecstatic' } }),
      422,
      '/answers/overall_satisfaction',
    ],
    [
      'an unknown question',
      () => ({ answers: { ...validTsm(), favourite_colour: 'blue' } }),
      422,
      '/answers/favourite_colour',
    ],
    [
      'a required answer missing',
      () => ({ answers: { had_repair: 'no' } }),
      422,
      '/answers/overall_satisfaction',
    ],
    [
      'a number where a choice is expected',
      () => ({ answers: { ...validTsm(), overall_satisfaction: 5 } }),
      422,
      '/answers/overall_satisfaction',
    ],
    [
      'a list where one choice is expected',
      () => ({ answers: { ...validTsm(), overall_satisfaction: ['neither'] } }),
      422,
      '/answers/overall_satisfaction',
    ],
    [
      'an object as an answer',
      () => ({ answers: { ...validTsm(), overall_satisfaction: { $gt: '' } } }),
      422,
      '/answers/overall_satisfaction/$gt',
    ],
    ['a $where key', () => ({ answers: { ...validTsm(), $where: 'sleep(5000)' } }), 422, '/answers/$where'],
    ['answers that are not an object', () => ({ answers: 'overall_satisfaction=neither' }), 422, '/answers'],
    [
      'a malformed submissionId',
      () => ({ submissionId: 'not-a-uuid', answers: validTsm() }),
      422,
      '/submissionId',
    ],
    ['a language the campaign does not run', () => ({ locale: 'de', answers: validTsm() }), 422, '/locale'],
    ['10,000 keys', () => ({ answers: manyKeys }), 422, '/answers'],
    ['a 1 MB string', () => ({ answers: { ...validTsm(), comments: big } }), 422, '/answers/comments'],
    [
      'an over-long comment',
      () => ({ answers: { ...validTsm(), comments: 'y'.repeat(5000) } }),
      422,
      '/answers/comments',
    ],
    ['extra top-level fields', () => ({ answers: validTsm(), ip: '1.2.3.4' }), 422, '/ip'],
  ];

  it.each(cases)('%s', async (_name, body, status, path) => {
    const before = await responses().countDocuments();
    const res = await submit(tsm.slug, body());
    expect(res.status).toBe(status);
    expect(res.body.error).toBeDefined();
    if (path) expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await responses().countDocuments()).toBe(before);
  });

  it('__proto__ in the answers is refused and pollutes nothing', async () => {
    const before = await responses().countDocuments();
    const raw = `{"submissionId":"${randomUUID()}","locale":"en","answers":{"overall_satisfaction":"neither","__proto__":{"isAdmin":true}}}`;
    const res = await ctx.http
      .post(`/api/v1/public/campaigns/${tsm.slug}/responses`)
      .set('Content-Type', 'application/json')
      .send(raw);
    expect(res.status).toBe(422);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(await responses().countDocuments()).toBe(before);
  });

  it('a rating outside the scale', async () => {
    const { campaign } = await createCampaignViaApi(ctx, admin, { template: 'pulse' });
    const before = await responses().countDocuments();
    for (const recommend of [11, -1, 7.5, '9']) {
      const res = await submit(campaign.slug, { answers: { overall_satisfaction: 'neither', recommend } });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].path).toBe('/answers/recommend');
    }
    expect(await responses().countDocuments()).toBe(before);
    expect(
      (await submit(campaign.slug, { answers: { overall_satisfaction: 'neither', recommend: 9 } })).status,
    ).toBe(201);
  });

  it('an unknown campaign is a 404', async () => {
    expect((await submit('nosuchslug', { answers: validTsm() })).status).toBe(404);
  });
});

describe('campaign limits', () => {
  it('a closed campaign answers 410; one not yet open 403', async () => {
    const past = await createCampaignViaApi(ctx, admin, {
      campaign: { opensAt: '2025-01-01T00:00:00Z', closesAt: '2025-02-01T00:00:00Z' },
    });
    const closed = await submit(past.campaign.slug, { answers: { overall_satisfaction: 'neither' } });
    expect(closed.status).toBe(410);
    expect(closed.body.error.code).toBe('CLOSED');
    const future = await createCampaignViaApi(ctx, admin, { campaign: { opensAt: '2099-01-01T00:00:00Z' } });
    expect(
      (await submit(future.campaign.slug, { answers: { overall_satisfaction: 'neither' } })).status,
    ).toBe(403);
  });

  it('a response limit holds under concurrency', async () => {
    const { campaign } = await createCampaignViaApi(ctx, admin, { campaign: { responseLimit: 2 } });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        submit(campaign.slug, { answers: { overall_satisfaction: 'neither' } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.status === 410).every((r) => r.body.error.code === 'FULL')).toBe(true);
    // Counts are the aggregation's: once the waiting answers are counted they are exact.
    await drainInbox();
    const view = await ctx.http.get(`/api/v1/campaigns/${campaign.id}`).set('Authorization', bearer(admin));
    expect(view.body).toMatchObject({ status: 'full', counts: { responses: 2 } });
  });
});

describe('invitations', () => {
  async function inviteCampaign(n: number) {
    const { campaign } = await createCampaignViaApi(ctx, admin, { campaign: { access: 'invite' } });
    const inv = await ctx.http
      .post(`/api/v1/campaigns/${campaign.id}/invitations`)
      .set('Authorization', bearer(admin))
      .send({ count: n });
    return { campaign, tokens: inv.body.invitations.map((i: { token: string }) => i.token) as string[] };
  }

  it('needs a valid token; a token answers once', async () => {
    const { campaign, tokens } = await inviteCampaign(2);
    const answers = { overall_satisfaction: 'very_satisfied' };
    expect((await submit(campaign.slug, { answers })).status).toBe(403);
    expect((await submit(campaign.slug, { answers, token: 'A'.repeat(24) })).status).toBe(403);
    const ok = await submit(campaign.slug, { answers, token: tokens[0] });
    expect(ok.status).toBe(201);
    const doc = await responses().findOne({ _id: new mongoose.Types.ObjectId(ok.body.id as string) });
    expect(doc!.channel).toBe('letter');
    expect(JSON.stringify(doc)).not.toContain(tokens[0]);
    const reused = await submit(campaign.slug, { answers, token: tokens[0] });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('TOKEN_USED');
    await drainInbox();
    const view = await ctx.http.get(`/api/v1/campaigns/${campaign.id}`).set('Authorization', bearer(admin));
    expect(view.body.counts).toEqual({
      responses: 1,
      byMode: { online: 1 },
      invitations: 2,
      invitationsUsed: 1,
    });
  });

  it('the campaign list carries each campaign’s own counts', async () => {
    const first = await inviteCampaign(3);
    const second = await inviteCampaign(1);
    const answers = { overall_satisfaction: 'neither' };
    expect((await submit(first.campaign.slug, { answers, token: first.tokens[1] })).status).toBe(201);
    expect((await submit(first.campaign.slug, { answers, token: first.tokens[2] })).status).toBe(201);
    await drainInbox();
    const counts = new Map<string, unknown>();
    let cursor: string | null = null;
    do {
      const page: {
        status: number;
        body: { items: Array<{ id: string; counts: unknown }>; nextCursor: string | null };
      } = await ctx.http
        .get(`/api/v1/campaigns?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set('Authorization', bearer(admin));
      expect(page.status).toBe(200);
      for (const item of page.body.items) counts.set(item.id, item.counts);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(counts.get(first.campaign.id)).toEqual({
      responses: 2,
      byMode: { online: 2 },
      invitations: 3,
      invitationsUsed: 2,
    });
    expect(counts.get(second.campaign.id)).toEqual({
      responses: 0,
      byMode: {},
      invitations: 1,
      invitationsUsed: 0,
    });
  });

  it('two concurrent submissions with one token: one 201, one 409', async () => {
    const { campaign, tokens } = await inviteCampaign(1);
    const answers = { overall_satisfaction: 'neither' };
    const [a, b] = await Promise.all([
      submit(campaign.slug, { answers, token: tokens[0] }),
      submit(campaign.slug, { answers, token: tokens[0] }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(await responses().countDocuments({ campaignId: new mongoose.Types.ObjectId(campaign.id) })).toBe(
      1,
    );
  });
});

describe('retries of one submission', () => {
  const post = (slug: string, body: object) =>
    ctx.http.post(`/api/v1/public/campaigns/${slug}/responses`).send(body);
  const inviteCampaign = async () => {
    const { campaign } = await createCampaignViaApi(ctx, admin, { campaign: { access: 'invite' } });
    const inv = await ctx.http
      .post(`/api/v1/campaigns/${campaign.id}/invitations`)
      .set('Authorization', bearer(admin))
      .send({ count: 1 });
    return { campaign, token: inv.body.invitations[0].token as string };
  };
  /** A new submission with a personal code. */
  const withCode = (token: string) => ({
    submissionId: randomUUID(),
    locale: 'en',
    token,
    answers: { overall_satisfaction: 'neither' },
  });
  const stored = (campaignId: string) =>
    responses().countDocuments({ campaignId: new mongoose.Types.ObjectId(campaignId) });

  it('arriving while the first attempt is under way, they answer as that submission: code, last place', async () => {
    const { campaign, token } = await inviteCampaign();
    const body = withCode(token);
    const results = await Promise.all([1, 2, 3, 4].map(() => post(campaign.slug, body)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await stored(campaign.id)).toBe(1);
    const other = await post(campaign.slug, { ...body, submissionId: randomUUID() });
    expect([other.status, other.body.error.code]).toEqual([409, 'TOKEN_USED']);
    // Once the answers are stored, the code's claim names no response and has no time: the claim
    // names the invitation, whose label is the dwelling. Its _id is derived from what it claims
    // (a generated one carries the second it was made), and the attempt that took it is gone.
    const campaignId = new mongoose.Types.ObjectId(campaign.id);
    const claims = await mongoose.connection.db!.collection('campaign_claims').find({ campaignId }).toArray();
    expect(claims.map((c) => [c.kind, c.holder ?? null, c.at ?? null, c.attempt ?? null])).toEqual([
      ['token', null, null, null],
    ]);
    expect(String(claims[0]!._id)).toBe(String(claimId(campaignId, 'token', claims[0]!.key as string)));

    const { campaign: limited } = await createCampaignViaApi(ctx, admin, { campaign: { responseLimit: 1 } });
    const last = { submissionId: randomUUID(), locale: 'en', answers: { overall_satisfaction: 'neither' } };
    const racing = await Promise.all([1, 2, 3].map(() => post(limited.slug, last)));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(await stored(limited.id)).toBe(1);
    const late = await post(limited.slug, { ...last, submissionId: randomUUID() });
    expect([late.status, late.body.error.code]).toEqual([410, 'FULL']);
  });

  it('a place another attempt of the submission takes just after this attempt looked for one is shared, not answered FULL', async () => {
    const { campaign } = await createCampaignViaApi(ctx, admin, { campaign: { responseLimit: 1 } });
    const body = { submissionId: randomUUID(), locale: 'en', answers: { overall_satisfaction: 'neither' } };
    const campaignId = new mongoose.Types.ObjectId(campaign.id);
    const id = responseIdFor(campaignId, body.submissionId);
    // This attempt finds no place of its submission; the other attempt takes the only one before
    // this one counts the places taken.
    const realCount = CampaignClaim.countDocuments.bind(CampaignClaim);
    const count = jest
      .spyOn(CampaignClaim, 'countDocuments')
      .mockImplementationOnce(((filter: object) =>
        claim(campaignId, 'slot', '0', id).then(() => realCount(filter))) as never);
    try {
      const res = await post(campaign.slug, body);
      expect([res.status, res.body.error?.code]).toEqual([201, undefined]);
      expect(count).toHaveBeenCalled();
    } finally {
      count.mockRestore();
    }
    expect(await stored(campaign.id)).toBe(1);
    const claims = mongoose.connection.db!.collection('campaign_claims');
    const places = await claims.find({ campaignId, kind: 'slot' }).toArray();
    expect(places.map((p) => [p.key, p.holder ?? null, p.attempt ?? null])).toEqual([['0', null, null]]);
    const late = await post(campaign.slug, { ...body, submissionId: randomUUID() });
    expect([late.status, late.body.error.code]).toEqual([410, 'FULL']);
  });

  it('a code whose claim is settled and named again between two looks (an update written over another) is still shared', async () => {
    const { campaign, token } = await inviteCampaign();
    const body = withCode(token);
    const campaignId = new mongoose.Types.ObjectId(campaign.id);
    const id = responseIdFor(campaignId, body.submissionId);
    const invitation = await mongoose.connection.db!.collection('invitations').findOne({ campaignId });
    // Another attempt of this submission holds the code.
    expect(typeof (await claim(campaignId, 'token', invitation!._id.toHexString(), id))).toBe('function');
    // This attempt's share looks while that claim names no response (settled), and the claim names
    // the submission again right after: on FerretDB an update is a read and a write of the whole
    // document, so a share read before the settling is written after it.
    const held = { campaignId, kind: 'token' };
    const realShare = CampaignClaim.findOneAndUpdate.bind(CampaignClaim);
    const share = jest.spyOn(CampaignClaim, 'findOneAndUpdate').mockImplementationOnce(((
      filter: object,
      update: object,
    ) => ({
      lean: async () => {
        await CampaignClaim.updateOne(held, { $set: { holder: null } });
        const found = await realShare(filter, update).lean();
        await CampaignClaim.updateOne(held, { $set: { holder: id } });
        return found;
      },
    })) as never);
    try {
      const res = await post(campaign.slug, body);
      expect([res.status, res.body.error?.code]).toEqual([201, undefined]);
      expect(share).toHaveBeenCalled();
    } finally {
      share.mockRestore();
    }
    expect(await stored(campaign.id)).toBe(1);
    const claims = await mongoose.connection.db!.collection('campaign_claims').find({ campaignId }).toArray();
    expect(claims.map((c) => [c.kind, c.holder ?? null, c.attempt ?? null])).toEqual([['token', null, null]]);
    const other = await post(campaign.slug, { ...body, submissionId: randomUUID() });
    expect([other.status, other.body.error.code]).toEqual([409, 'TOKEN_USED']);
  });

  it('after an attempt cut off with the database unreachable, the retry stores the answers', async () => {
    const { campaign, token } = await inviteCampaign();
    const body = withCode(token);
    // The insert fails with the connection, and so does everything after it (giving the code back
    // too): the code stays taken.
    const lost = () => new mongoose.mongo.MongoNetworkError('connection reset');
    const insert = jest.spyOn(SurveyResponse.collection, 'insertMany').mockRejectedValueOnce(lost());
    const realExists = SurveyResponse.exists.bind(SurveyResponse);
    let lookups = 0;
    const exists = jest
      .spyOn(SurveyResponse, 'exists')
      .mockImplementation(((filter: object) =>
        ++lookups === 1 ? realExists(filter) : Promise.reject(lost())) as never);
    const giveBack = jest.spyOn(CampaignClaim, 'deleteOne').mockRejectedValue(lost() as never);
    try {
      const cut = await post(campaign.slug, body);
      expect([cut.status, cut.body.error.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    } finally {
      insert.mockRestore();
      exists.mockRestore();
      giveBack.mockRestore();
    }
    expect(await stored(campaign.id)).toBe(0);
    // The tenant's page sends the same submission again: it used to be told the code was used.
    const retry = await post(campaign.slug, body);
    expect(retry.status).toBe(201);
    expect(await stored(campaign.id)).toBe(1);
    expect((await post(campaign.slug, body)).status).toBe(200);
    const other = await post(campaign.slug, { ...body, submissionId: randomUUID() });
    expect(other.status).toBe(409);
  });

  it('a retry shares the code its first attempt holds: that attempt failing meanwhile gives nothing back to another submission', async () => {
    const { campaign, token } = await inviteCampaign();
    const body = withCode(token);
    const collection = SurveyResponse.collection;
    const realInsert = collection.insertMany.bind(collection);
    const realExists = SurveyResponse.exists.bind(SurveyResponse);
    const signal = () => {
      let open: () => void = () => undefined;
      const promise = new Promise<void>((r) => (open = r));
      return { promise, open };
    };
    const firstFailed = signal();
    const releaseFirst = signal();
    const retryAtInsert = signal();
    const storeRetry = signal();
    // The first attempt's insert fails; the retry's waits until another device has tried the code.
    let inserts = 0;
    const insert = jest.spyOn(collection, 'insertMany').mockImplementation((async (...args: unknown[]) => {
      const n = ++inserts;
      if (n === 1) throw new Error('write refused');
      if (n === 2) {
        retryAtInsert.open();
        await storeRetry.promise;
      }
      return (realInsert as (...a: unknown[]) => Promise<unknown>)(...args);
    }) as never);
    // The first attempt's second lookup is the one after its failed insert, before it gives back.
    let lookups = 0;
    const exists = jest.spyOn(SurveyResponse, 'exists').mockImplementation(((filter: object) =>
      realExists(filter).then(async (found) => {
        if (++lookups === 2) {
          firstFailed.open();
          await releaseFirst.promise;
        }
        return found;
      })) as never);
    try {
      const first = post(campaign.slug, body).then((r) => r);
      await firstFailed.promise;
      const retry = post(campaign.slug, body).then((r) => r);
      await retryAtInsert.promise;
      // The first attempt now fails for good and gives back what is still its own.
      releaseFirst.open();
      expect((await first).status).toBeGreaterThanOrEqual(500);
      const other = post(campaign.slug, { ...body, submissionId: randomUUID() }).then((r) => r);
      // Refused at once; had it taken the code, it would wait behind the retry's insert.
      await Promise.race([other, new Promise((r) => setTimeout(r, 1500))]);
      storeRetry.open();
      expect((await retry).status).toBe(201);
      const refused = await other;
      expect([refused.status, refused.body.error?.code]).toEqual([409, 'TOKEN_USED']);
    } finally {
      insert.mockRestore();
      exists.mockRestore();
      releaseFirst.open();
      storeRetry.open();
    }
    expect(await stored(campaign.id)).toBe(1);
    const invitation = await mongoose.connection
      .db!.collection('invitations')
      .findOne({ campaignId: new mongoose.Types.ObjectId(campaign.id) });
    expect(invitation!.used).toBe(true);
    const claim = await mongoose.connection
      .db!.collection('campaign_claims')
      .findOne({ campaignId: new mongoose.Types.ObjectId(campaign.id) });
    expect([claim!.holder, claim!.attempt]).toEqual([null, null]);
  });

  it('an attempt failing after another attempt of its submission stored the answers leaves the code used', async () => {
    const { campaign, token } = await inviteCampaign();
    const body = withCode(token);
    // The first attempt's insert fails; it finds nothing stored yet, and before it gives the code
    // back, a retry of the same submission (holding the code with it) stores the answers.
    const insert = jest
      .spyOn(SurveyResponse.collection, 'insertMany')
      .mockRejectedValueOnce(new Error('write refused') as never);
    const realExists = SurveyResponse.exists.bind(SurveyResponse);
    let reachedGate: () => void = () => undefined;
    const atGate = new Promise<void>((r) => (reachedGate = r));
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((r) => (openGate = r));
    // Its second lookup is the one after the failed insert (the first looks for a retry's answers).
    let lookups = 0;
    const exists = jest.spyOn(SurveyResponse, 'exists').mockImplementation(((filter: object) =>
      realExists(filter).then(async (found) => {
        if (++lookups === 2) {
          reachedGate();
          await gate;
        }
        return found;
      })) as never);
    try {
      // Sent now (a supertest request leaves on its first then).
      const first = post(campaign.slug, body).then((r) => r);
      await atGate;
      const retry = await post(campaign.slug, body);
      expect(retry.status).toBe(201);
      openGate();
      expect((await first).status).toBeGreaterThanOrEqual(500);
    } finally {
      insert.mockRestore();
      exists.mockRestore();
    }
    expect(await stored(campaign.id)).toBe(1);
    // The first attempt gave nothing back: the code stays used, for any other submission.
    const other = await post(campaign.slug, { ...body, submissionId: randomUUID() });
    expect([other.status, other.body.error.code]).toEqual([409, 'TOKEN_USED']);
    const invitation = await mongoose.connection
      .db!.collection('invitations')
      .findOne({ campaignId: new mongoose.Types.ObjectId(campaign.id) });
    expect(invitation!.used).toBe(true);
  });

  it('the daily job clears a stored response still named by its code’s claim (an attempt stopped before)', async () => {
    const { campaign, token } = await inviteCampaign();
    const res = await post(campaign.slug, withCode(token));
    expect(res.status).toBe(201);
    const claims = mongoose.connection.db!.collection('campaign_claims');
    const campaignId = new mongoose.Types.ObjectId(campaign.id);
    // As an attempt leaves it when it stops between storing the answers and clearing the claim.
    await claims.updateOne(
      { campaignId, kind: 'token' },
      {
        $set: {
          holder: new mongoose.Types.ObjectId(res.body.id as string),
          attempt: new mongoose.Types.ObjectId(),
        },
      },
    );
    // A claim whose response is not stored (an attempt still storing it) is left alone.
    const inFlight = new mongoose.Types.ObjectId();
    await claims.insertOne({
      campaignId,
      kind: 'token',
      key: 'in-flight',
      holder: inFlight,
      attempt: inFlight,
      at: null,
    });
    expect((await tidyClaims()).settled).toBeGreaterThanOrEqual(1);
    const after = await claims.find({ campaignId }).toArray();
    const states = after.map((c) => [c.key === 'in-flight', c.holder ?? null, c.attempt ?? null]);
    expect(states.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [false, null, null],
      [true, inFlight, inFlight],
    ]);
    expect((await post(campaign.slug, { ...withCode(token), submissionId: randomUUID() })).status).toBe(409);
  });

  /** An attempt whose insert fails and that stops before giving back what it claimed (a process that died). */
  const stoppedBeforeStoring = async (slug: string, body: object) => {
    const insert = jest
      .spyOn(SurveyResponse.collection, 'insertMany')
      .mockRejectedValueOnce(new Error('write refused') as never);
    const release = jest
      .spyOn(CampaignClaim, 'deleteOne')
      .mockRejectedValueOnce(new Error('process stopped') as never);
    try {
      expect((await post(slug, body)).status).toBeGreaterThanOrEqual(500);
    } finally {
      insert.mockRestore();
      release.mockRestore();
    }
  };

  it('a code taken by an attempt that never stored its answers is given back by the daily job, not at once', async () => {
    const { campaign, token } = await inviteCampaign();
    const body = withCode(token);
    // The attempt stops before storing the answers and before giving the code back.
    await stoppedBeforeStoring(campaign.slug, body);
    const campaignId = new mongoose.Types.ObjectId(campaign.id);
    const invitations = mongoose.connection.db!.collection('invitations');
    expect((await invitations.findOne({ campaignId }))!.used).toBe(true);
    const otherDevice = () => post(campaign.slug, { ...body, submissionId: randomUUID() });
    expect((await otherDevice()).body.error?.code).toBe('TOKEN_USED');

    // The first pass only marks it; a pass soon after leaves it (an attempt may still be storing).
    const claims = mongoose.connection.db!.collection('campaign_claims');
    const first = new Date();
    await tidyClaims(first);
    expect((await claims.findOne({ campaignId }))!.unstoredSince).toEqual(first);
    await tidyClaims(new Date(first.getTime() + ABANDONED_CLAIM_MS - 1000));
    expect((await claims.findOne({ campaignId }))!.unstoredSince).toEqual(first);
    expect((await invitations.findOne({ campaignId }))!.used).toBe(true);
    expect((await otherDevice()).body.error?.code).toBe('TOKEN_USED');
    // A pass the time later that still finds nothing stored gives the code back.
    const later = await tidyClaims(new Date(first.getTime() + ABANDONED_CLAIM_MS));
    expect(later.released).toBeGreaterThanOrEqual(1);
    expect(await claims.countDocuments({ campaignId })).toBe(0);
    expect((await invitations.findOne({ campaignId }))!.used).toBe(false);
    const used = await otherDevice();
    expect(used.status).toBe(201);
    // Once used and stored, the claim names no response and carries no time.
    const claim = await claims.findOne({ campaignId });
    expect([claim!.holder, claim!.attempt, claim!.unstoredSince]).toEqual([null, null, null]);
    expect(await stored(campaign.id)).toBe(1);
    // The first device's retry now finds the code used by another submission.
    expect((await post(campaign.slug, body)).body.error?.code).toBe('TOKEN_USED');
  });

  it('a place under a response limit taken by an attempt that never stored its answers is given back by the daily job', async () => {
    const { campaign } = await createCampaignViaApi(ctx, admin, { campaign: { responseLimit: 2 } });
    const answer = () => ({
      submissionId: randomUUID(),
      locale: 'en',
      answers: { overall_satisfaction: 'neither' },
    });
    expect((await post(campaign.slug, answer())).status).toBe(201);
    // The second place: the attempt stops before storing the answers and before giving it back.
    await stoppedBeforeStoring(campaign.slug, answer());
    const full = await post(campaign.slug, answer());
    expect([full.status, full.body.error?.code]).toEqual([410, 'FULL']);
    const campaignId = new mongoose.Types.ObjectId(campaign.id);
    const claims = mongoose.connection.db!.collection('campaign_claims');
    // The stored answer's place names no attempt: neither a failing attempt nor the tidy gives it back.
    const places = await claims.find({ campaignId, kind: 'slot' }).sort({ key: 1 }).toArray();
    expect(places.map((p) => p.attempt === null)).toEqual([true, false]);

    const first = new Date();
    await tidyClaims(first);
    await tidyClaims(new Date(first.getTime() + ABANDONED_CLAIM_MS - 1000));
    expect(await claims.countDocuments({ campaignId, kind: 'slot' })).toBe(2);
    expect(
      (await tidyClaims(new Date(first.getTime() + ABANDONED_CLAIM_MS))).released,
    ).toBeGreaterThanOrEqual(1);
    expect(await claims.countDocuments({ campaignId, kind: 'slot' })).toBe(1);
    expect((await post(campaign.slug, answer())).status).toBe(201);
    expect(await stored(campaign.id)).toBe(2);
    const late = await post(campaign.slug, answer());
    expect([late.status, late.body.error?.code]).toEqual([410, 'FULL']);
  });

  it('a retry whose answers no longer validate still answers 200 with the stored id', async () => {
    const body = { submissionId: randomUUID(), locale: 'en', answers: validTsm() };
    const first = await post(tsm.slug, body);
    expect(first.status).toBe(201);
    const retry = await post(tsm.slug, { ...body, answers: {} });
    expect([retry.status, retry.body.id]).toEqual([200, first.body.id]);
    const fresh = await post(tsm.slug, { ...body, submissionId: randomUUID(), answers: {} });
    expect(fresh.status).toBe(422);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once an address is over its budget', async () => {
    // Same servers, a fresh limit: a second app on the runtime with a budget of 3 a minute.
    const app = buildApp({
      ...ctx.runtime,
      config: { ...ctx.config, rateLimitPerMinute: 3, queuePrefix: `${ctx.config.queuePrefix}rl` },
    });
    const limited = supertest(app);
    const { campaign } = await createCampaignViaApi(ctx, admin);
    {
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        const res = await limited
          .post(`/api/v1/public/campaigns/${campaign.slug}/responses`)
          .send({ submissionId: randomUUID(), locale: 'en', answers: { overall_satisfaction: 'neither' } });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(res.headers['retry-after']).toBe('60');
          expect(res.body.error.code).toBe('RATE_LIMITED');
        }
      }
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
    }
  });
});
