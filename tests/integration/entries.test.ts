import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import mongoose from 'mongoose';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { expectDocumentedAt } from '../support/contract';
import { parsePdf } from '../support/pdf';
import { drain, startTestWorker } from '../support/worker';
import { SurveyResponse } from '../../src/modules/responses/response.model';

/**
 * Staff entry over HTTP on real servers: telephone and face-to-face interviews, paper forms
 * entered once or twice, differences resolved, dwelling codes claimed once across modes, the
 * audit log, n by mode, the mode-mix flag and weighted figures beside the published values.
 */
let ctx: TestContext;
let worker: Worker;
const keys: Record<string, string> = {};
let campaign: { id: string; slug: string };
let letters: { id: string; slug: string };
let outsiderCampaign: { id: string; slug: string };

async function as(key: string, method: 'get' | 'put' | 'post', path: string, body?: object) {
  const req = ctx.http[method](path).set('Authorization', bearer(key));
  const res = await (body === undefined ? req : req.send(body));
  await expectDocumentedAt(ctx, res, method, path);
  return res;
}

const satisfied = { overall_satisfaction: 'very_satisfied', recommend: 9 };
const dissatisfied = { overall_satisfaction: 'fairly_dissatisfied', recommend: 3 };
const entry = (c: { id: string }, body: object, key = keys.interviewer!) =>
  as(key, 'post', `/api/v1/campaigns/${c.id}/entries`, { locale: 'en', ...body });
const online = (slug: string, answers: object, token?: string) =>
  ctx.http
    .post(`/api/v1/public/campaigns/${slug}/responses`)
    .send({ submissionId: randomUUID(), locale: 'en', answers, ...(token ? { token } : {}) });
const responses = () => mongoose.connection.db!.collection('responses');

beforeAll(async () => {
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: '50' });
  worker = startTestWorker(ctx);
  const platform = await createPlatformKey();
  const org = await createOrganisationViaApi(ctx, platform, 'radom', { housingStock: 1000 });
  keys.admin = org.adminKey;
  keys.interviewer = await issueKeyViaApi(ctx, org.adminKey, 'radom', 'interviewer');
  keys.second = await issueKeyViaApi(ctx, org.adminKey, 'radom', 'interviewer');
  keys.analyst = await issueKeyViaApi(ctx, org.adminKey, 'radom', 'analyst');
  const other = await createOrganisationViaApi(ctx, platform, 'plock', { housingStock: 1000 });
  keys.other = other.adminKey;
  keys.otherInterviewer = await issueKeyViaApi(ctx, other.adminKey, 'plock', 'interviewer');
  campaign = (
    await createCampaignViaApi(ctx, org.adminKey, {
      template: 'pulse',
      campaign: { period: '2026', doubleEntry: true },
    })
  ).campaign;
  letters = (
    await createCampaignViaApi(ctx, org.adminKey, {
      template: 'pulse',
      campaign: { period: '2026-H2', access: 'invite' },
    })
  ).campaign;
  outsiderCampaign = (
    await createCampaignViaApi(ctx, other.adminKey, { template: 'pulse', campaign: { period: '2026' } })
  ).campaign;
}, 120_000);

afterAll(async () => {
  await worker.close();
  await ctx.close();
});

describe('interviews', () => {
  it('stores a telephone interview with its mode; a retry stores nothing', async () => {
    const submissionId = randomUUID();
    const first = await entry(campaign, { mode: 'telephone', submissionId, answers: satisfied });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ outcome: 'stored', created: true, mode: 'telephone', serial: null });
    const again = await entry(campaign, { mode: 'telephone', submissionId, answers: satisfied });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'stored', id: first.body.id, created: false });
    const stored = await responses().findOne({ _id: new mongoose.Types.ObjectId(first.body.id as string) });
    expect(stored).toMatchObject({ mode: 'telephone', channel: 'entry', serial: null });
    // The response names no one: the key is in the audit log only.
    expect(JSON.stringify(stored)).not.toContain(keys.interviewer!.slice(0, 12));
  });

  it('validates entries like a tenant’s answers and asks for what each mode needs', async () => {
    const bad = await entry(campaign, {
      mode: 'face-to-face',
      submissionId: randomUUID(),
      answers: { overall_satisfaction: 'delighted' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain(
      '/answers/overall_satisfaction',
    );
    const noId = await entry(campaign, { mode: 'telephone', answers: satisfied });
    expect(noId.status).toBe(422);
    expect(noId.body.error.details).toEqual([{ path: '/submissionId', message: expect.any(String) }]);
    const noSerial = await entry(campaign, { mode: 'paper', answers: satisfied });
    expect(noSerial.status).toBe(422);
    expect(noSerial.body.error.details).toEqual([{ path: '/serial', message: expect.any(String) }]);
    const online = await entry(campaign, { mode: 'online', answers: satisfied });
    expect(online.status).toBe(422);
  });

  it('is for the organisation’s own staff: others get 404, interviewers nothing else', async () => {
    const foreign = await entry(outsiderCampaign, {
      mode: 'telephone',
      submissionId: randomUUID(),
      answers: satisfied,
    });
    expect(foreign.status).toBe(404);
    const theirs = await entry(
      campaign,
      { mode: 'telephone', submissionId: randomUUID(), answers: satisfied },
      keys.otherInterviewer,
    );
    expect(theirs.status).toBe(404);
    const analyst = await entry(
      campaign,
      { mode: 'telephone', submissionId: randomUUID(), answers: satisfied },
      keys.analyst,
    );
    expect(analyst.status).toBe(403);
    expect((await as(keys.interviewer!, 'get', '/api/v1/indicators')).status).toBe(403);
    expect((await as(keys.interviewer!, 'get', '/api/v1/organisations/radom/audit')).status).toBe(403);
    // Like every key, an interviewer's reads its own organisation, and only that.
    const own = await as(keys.interviewer!, 'get', '/api/v1/organisations');
    expect([own.status, own.body.items.map((o: { slug: string }) => o.slug)]).toEqual([200, ['radom']]);
    expect((await as(keys.interviewer!, 'get', '/api/v1/organisations/plock')).status).toBe(404);
  });
});

describe('paper forms entered twice', () => {
  it('counts a form once when the second entry agrees', async () => {
    const first = await entry(campaign, { mode: 'paper', serial: 'A-100', answers: satisfied });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ outcome: 'first-entry', serial: 'A-100' });
    expect(await responses().countDocuments({ serial: 'A-100' })).toBe(0);
    const second = await entry(campaign, { mode: 'paper', serial: 'A-100', answers: satisfied }, keys.second);
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ outcome: 'stored', mode: 'paper', serial: 'A-100', created: true });
    const third = await entry(campaign, { mode: 'paper', serial: 'A-100', answers: satisfied });
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe('SERIAL_ENTERED');
    expect(await responses().countDocuments({ serial: 'A-100' })).toBe(1);
    // Counted: the form keeps who entered it, not the answers.
    const form = await as(keys.interviewer!, 'get', `/api/v1/campaigns/${campaign.id}/paper-forms/A-100`);
    expect(form.body.status).toBe('stored');
    expect(form.body.entries.map((e: { answers: unknown }) => e.answers)).toEqual([null, null]);
  });

  it('a second entry cut off with the database can be made again; a claim left behind is taken over', async () => {
    // A period of its own, so the counts of the other tests stay as they are.
    const { campaign } = await createCampaignViaApi(ctx, keys.admin!, {
      template: 'pulse',
      campaign: { period: '2027', doubleEntry: true },
    });
    await entry(campaign, { mode: 'paper', serial: 'A-150', answers: satisfied });
    const insert = jest
      .spyOn(SurveyResponse.collection, 'insertMany')
      .mockRejectedValueOnce(new mongoose.mongo.MongoNetworkError('connection reset'));
    try {
      const cut = await entry(campaign, { mode: 'paper', serial: 'A-150', answers: satisfied }, keys.second);
      expect([cut.status, cut.body.error.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    } finally {
      insert.mockRestore();
    }
    // It used to keep the form's claim: every later second entry was told to resolve, and there
    // was nothing to resolve.
    const again = await entry(campaign, { mode: 'paper', serial: 'A-150', answers: satisfied }, keys.second);
    expect([again.status, again.body.outcome]).toEqual([201, 'stored']);
    expect(await responses().countDocuments({ serial: 'A-150' })).toBe(1);

    // A request that died holding the claim (a crash): a minute on, the claim is taken over.
    await entry(campaign, { mode: 'paper', serial: 'A-151', answers: satisfied });
    const claims = mongoose.connection.db!.collection('campaign_claims');
    const left = { campaignId: new mongoose.Types.ObjectId(campaign.id), kind: 'form', key: 'A-151' };
    await claims.insertOne({ ...left, holder: null, at: new Date() });
    const held = await entry(campaign, { mode: 'paper', serial: 'A-151', answers: satisfied }, keys.second);
    expect([held.status, held.body.error.code]).toEqual([409, 'FORM_AWAITS_RESOLUTION']);
    await claims.updateOne(left, { $set: { at: new Date(Date.now() - 120_000) } });
    const later = await entry(campaign, { mode: 'paper', serial: 'A-151', answers: satisfied }, keys.second);
    expect([later.status, later.body.outcome]).toEqual([201, 'stored']);
    // A claim from before claims had a time counts as old.
    await entry(campaign, { mode: 'paper', serial: 'A-155', answers: satisfied });
    await claims.insertOne({ ...left, key: 'A-155' });
    const untimed = await entry(
      campaign,
      { mode: 'paper', serial: 'A-155', answers: satisfied },
      keys.second,
    );
    expect([untimed.status, untimed.body.outcome]).toEqual([201, 'stored']);

    // The list comes a page at a time, in the order of the serials (it used to stop at 1,000).
    for (const serial of ['A-154', 'A-152', 'A-153'])
      await entry(campaign, { mode: 'paper', serial, answers: satisfied });
    const pages: string[][] = [];
    let cursor = '';
    do {
      const page = await as(
        keys.admin!,
        'get',
        `/api/v1/campaigns/${campaign.id}/paper-forms?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      pages.push(page.body.items.map((f: { serial: string }) => f.serial));
      cursor = page.body.nextCursor ?? '';
    } while (cursor);
    expect(pages).toEqual([
      ['A-150', 'A-151'],
      ['A-152', 'A-153'],
      ['A-154', 'A-155'],
    ]);
  });

  it('lists the differences of two entries and counts the form once they are resolved', async () => {
    await entry(campaign, { mode: 'paper', serial: 'A-101', answers: { ...satisfied, comments: 'lift' } });
    const second = await entry(
      campaign,
      { mode: 'paper', serial: 'A-101', answers: { ...dissatisfied, comments: 'lift' } },
      keys.second,
    );
    expect(second.status).toBe(202);
    expect(second.body).toEqual({
      outcome: 'differences',
      serial: 'A-101',
      differences: ['/answers/overall_satisfaction', '/answers/recommend'],
    });
    const waiting = await as(
      keys.admin!,
      'get',
      `/api/v1/campaigns/${campaign.id}/paper-forms?status=differences`,
    );
    expect(waiting.body.items.map((f: { serial: string }) => f.serial)).toEqual(['A-101']);
    const third = await entry(campaign, { mode: 'paper', serial: 'A-101', answers: satisfied });
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe('FORM_AWAITS_RESOLUTION');

    const resolution = `/api/v1/campaigns/${campaign.id}/paper-forms/A-101/resolution`;
    // An answer both entries agreed on cannot change while resolving.
    const changed = await as(keys.admin!, 'post', resolution, {
      answers: { ...dissatisfied, comments: 'stairs' },
    });
    expect(changed.status).toBe(422);
    expect(changed.body.error.details).toEqual([{ path: '/answers/comments', message: expect.any(String) }]);
    expect(await responses().countDocuments({ serial: 'A-101' })).toBe(0);
    const resolved = await as(keys.admin!, 'post', resolution, {
      answers: { ...dissatisfied, comments: 'lift' },
    });
    expect(resolved.status).toBe(201);
    expect(resolved.body).toMatchObject({ outcome: 'stored', serial: 'A-101', mode: 'paper' });
    const stored = await responses().findOne({ serial: 'A-101' });
    expect(stored!.answers).toEqual({ ...dissatisfied, comments: 'lift' });
    const again = await as(keys.admin!, 'post', resolution, { answers: dissatisfied });
    expect(again.status).toBe(409);
  });
});

describe('dwelling codes across modes', () => {
  let codes: string[];
  beforeAll(async () => {
    const res = await as(keys.admin!, 'post', `/api/v1/campaigns/${letters.id}/invitations`, { count: 3 });
    codes = res.body.invitations.map((i: { token: string }) => i.token);
  });

  it('refuses a paper form whose dwelling answered online, and the reverse', async () => {
    expect((await online(letters.slug, satisfied, codes[0])).status).toBe(201);
    const paper = await entry(letters, { mode: 'paper', serial: 'L-1', code: codes[0], answers: satisfied });
    expect(paper.status).toBe(409);
    expect(paper.body.error.code).toBe('TOKEN_USED');
    expect(paper.body.error.message).toMatch(/answered online or its form was entered/);

    const entered = await entry(letters, {
      mode: 'paper',
      serial: 'L-2',
      code: codes[1],
      answers: satisfied,
    });
    expect(entered.status).toBe(201);
    const later = await online(letters.slug, satisfied, codes[1]);
    expect(later.status).toBe(409);
    expect(later.body.error.code).toBe('TOKEN_USED');

    const phone = await entry(letters, {
      mode: 'telephone',
      submissionId: randomUUID(),
      code: codes[1],
      answers: satisfied,
    });
    expect(phone.status).toBe(409);
    const unknown = await entry(letters, {
      mode: 'paper',
      serial: 'L-3',
      code: 'x'.repeat(24),
      answers: satisfied,
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([{ path: '/code', message: expect.any(String) }]);
    const openCampaign = await entry(campaign, {
      mode: 'paper',
      serial: 'A-9',
      code: codes[2],
      answers: satisfied,
    });
    expect(openCampaign.status).toBe(422);
    expect(await responses().countDocuments({ campaignId: new mongoose.Types.ObjectId(letters.id) })).toBe(2);
  });
});

describe('paper questionnaires', () => {
  const pdf = (key: string, path: string) =>
    ctx.http
      .get(path)
      .set('Authorization', bearer(key))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });

  it('prints numbered blank forms of the campaign’s version with its QR code, for interviewers too', async () => {
    const res = await pdf(
      keys.interviewer!,
      `/api/v1/campaigns/${campaign.id}/questionnaire.pdf?lang=pl&serialFrom=500&copies=2`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    // Streamed as drawn (a print run of thousands is never held whole): no length known up front.
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const parsed = await parsePdf(res.body as Buffer);
    const text = parsed.pages.join('\n');
    expect(text).toContain('Krótka ankieta satysfakcji');
    expect(text).toContain('500');
    expect(text).toContain('501');
    expect(parsed.qrCodes[0]).toMatch(new RegExp(`/s/${campaign.slug}\\?src=qr$`));
    const wrong = await as(
      keys.interviewer!,
      'get',
      `/api/v1/campaigns/${campaign.id}/questionnaire.pdf?lang=de`,
    );
    expect(wrong.status).toBe(422);
    const foreign = await pdf(
      keys.interviewer!,
      `/api/v1/campaigns/${outsiderCampaign.id}/questionnaire.pdf`,
    );
    expect(foreign.status).toBe(404);
  });

  it('prints one form per held code, the dwelling’s code on page one', async () => {
    const res = await pdf(
      keys.admin!,
      `/api/v1/campaigns/${letters.id}/invitations/questionnaires.pdf?lang=en`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const parsed = await parsePdf(res.body as Buffer);
    const stored = await mongoose.connection.db!.collection('invitation_batches').find({}).toArray();
    const tokens = stored.flatMap((b) =>
      (JSON.parse(b.secrets as string) as Array<{ token: string }>).map((t) => t.token),
    );
    expect(tokens).toHaveLength(3);
    for (const token of tokens) {
      const page = parsed.pages.findIndex((p) => p.includes(token));
      expect(page).toBeGreaterThanOrEqual(0);
      expect(parsed.qrCodes[page]).toContain(`?t=${token}`);
    }
    const interviewer = await pdf(
      keys.interviewer!,
      `/api/v1/campaigns/${letters.id}/invitations/questionnaires.pdf`,
    );
    expect(interviewer.status).toBe(403);
  });
});

describe('the audit log', () => {
  it('attributes every entry to the staff key, readable by admins, also as CSV', async () => {
    const log = await as(keys.admin!, 'get', '/api/v1/organisations/radom/audit?limit=200');
    expect(log.status).toBe(200);
    const actions = log.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'entry.stored',
        'paper-form.first-entry',
        'paper-form.differences',
        'paper-form.resolved',
      ]),
    );
    const resolved = log.body.items.find((e: { action: string }) => e.action === 'paper-form.resolved');
    expect(resolved.actor).toMatchObject({ kind: 'key', role: 'admin' });
    const stored = log.body.items.filter((e: { action: string }) => e.action === 'entry.stored');
    expect(new Set(stored.map((e: { actor: { role: string } }) => e.actor.role))).toEqual(
      new Set(['interviewer', 'admin']),
    );
    const csv = await ctx.http
      .get('/api/v1/organisations/radom/audit?action=paper-form.resolved')
      .set('Authorization', bearer(keys.admin!))
      .set('Accept', 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[0]).toContain('actorRole');
    expect(csv.text).toContain('paper-form.resolved');
    const theirs = await as(keys.other!, 'get', '/api/v1/organisations/radom/audit');
    expect(theirs.status).toBe(404);
  });
});

describe('n by mode, the mode mix and weighting', () => {
  it('counts each mode, flags a mix unlike the peers’ and weights to the margins', async () => {
    // Radom 2026: online answers beside the entries above (telephone 1, paper 2).
    for (let i = 0; i < 8; i++)
      expect((await online(campaign.slug, i % 3 ? dissatisfied : satisfied)).status).toBe(201);
    // Płock: online only.
    for (let i = 0; i < 12; i++)
      expect((await online(outsiderCampaign.slug, i % 2 ? dissatisfied : satisfied)).status).toBe(201);
    await drain(ctx.runtime.queues.aggregation);

    const own = await as(keys.analyst!, 'get', '/api/v1/indicators?period=2026&indicator=TP01');
    const total = own.body.items.find((v: { segment: string }) => v.segment === '*');
    expect(total.nByMode).toEqual({ online: 8, telephone: 1, paper: 2 });
    expect(total.n).toBe(11);
    expect(total.weighted).toBeNull();
    const view = await as(keys.admin!, 'get', `/api/v1/campaigns/${campaign.id}`);
    expect(view.body.counts.byMode).toEqual({ online: 8, telephone: 1, paper: 2 });

    const bench = await as(keys.analyst!, 'get', '/api/v1/benchmarks/TP01?period=2026&peerGroup=all');
    expect(bench.status).toBe(200);
    // 8 of 11 online against Płock's 12 of 12: 3/11 of the answers would have to change mode.
    expect(bench.body.you.modeMixDiffers).toBe(true);
    expect(bench.body.you.nByMode).toEqual({ online: 8, telephone: 1, paper: 2 });
    const plock = bench.body.organisations.find((o: { slug: string }) => o.slug === 'plock');
    expect(plock).toMatchObject({ nByMode: { online: 12 }, modeMixDiffers: true });
    expect(bench.body.modeMix.threshold).toBe(0.25);

    // Margins by mode: half the tenants would answer online, 30% by telephone, 20% on paper.
    const put = await as(keys.admin!, 'put', '/api/v1/organisations/radom/margins/2026', {
      variables: { mode: { online: 500, telephone: 300, paper: 200 } },
      trim: { min: 0.1, max: 10 },
    });
    expect(put.status).toBe(200);
    expect(put.body.trim).toEqual({ min: 0.1, max: 10 });
    await drain(ctx.runtime.queues.aggregation);
    const after = await as(keys.analyst!, 'get', '/api/v1/indicators?period=2026&indicator=TP01');
    const weighted = after.body.items.find((v: { segment: string }) => v.segment === '*').weighted;

    // Independently: each mode's respondents weigh its population share over its sample share.
    const answers = await responses()
      .find({ campaignId: new mongoose.Types.ObjectId(campaign.id) })
      .toArray();
    const target: Record<string, number> = { online: 0.5, telephone: 0.3, paper: 0.2 };
    const count: Record<string, number> = {};
    for (const r of answers) count[r.mode] = (count[r.mode] ?? 0) + 1;
    const w = answers.map((r) => (target[r.mode]! * answers.length) / count[r.mode]!);
    const positive = answers.map((r) =>
      ['very_satisfied', 'fairly_satisfied'].includes(r.answers.overall_satisfaction) ? 1 : 0,
    );
    const sw = w.reduce((a, b) => a + b, 0);
    const share = w.reduce((a, wi, i) => a + wi * positive[i]!, 0) / sw;
    const effectiveN = sw ** 2 / w.reduce((a, wi) => a + wi * wi, 0);
    expect(weighted).toMatchObject({ status: 'weighted', variables: ['mode'], converged: true, n: 11 });
    expect(weighted.value).toBeCloseTo(share, 9);
    expect(weighted.effectiveN).toBeCloseTo(effectiveN, 9);
    expect(weighted.low).toBeLessThan(share);
    expect(weighted.high).toBeGreaterThan(share);
    expect(weighted.method).toMatch(/Raking/);
    // The unweighted figure and its suppression are left as they were.
    const unweighted = after.body.items.find((v: { segment: string }) => v.segment === '*');
    expect(unweighted.value).toBe(total.value);
    expect(unweighted.n).toBe(11);
  });
});
