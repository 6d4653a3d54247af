import { Types } from 'mongoose';
import { IndicatorDefinitionModel } from '../../src/modules/catalogue/indicator-definition.model';
import { IndicatorValue } from '../../src/modules/indicators/indicator-value.model';
import { Plan } from '../../src/modules/plans/plan.model';
import { parsePdf } from '../support/pdf';
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
 * Improvement plans over HTTP: baselines taken from the data, progress from later values, who
 * sees a plan, and the exports for a council.
 */
let ctx: TestContext;
const keys: Record<string, string> = {};
const ids: Record<string, string> = {};
let coordinator = '';
let otherCoordinator = '';
const G = '/api/v1/groups/gwd';
/** Every period open for entry now, so the test can report any of them. */
const yearly = (period: string) => ({
  period,
  opens: '2020-01-01T00:00:00Z',
  closes: '2099-01-01T00:00:00Z',
  signOffBy: '2099-06-01T00:00:00Z',
});

async function as(
  key: string,
  method: 'get' | 'put' | 'post' | 'patch' | 'delete',
  path: string,
  body?: object,
) {
  const req = ctx.http[method](path).set('Authorization', bearer(key));
  const res = await (body === undefined ? req : req.send(body));
  // Every answer, success or error, is checked against the served OpenAPI document.
  await expectDocumentedAt(ctx, res, method, path);
  return res;
}

async function signedOff(org: string, period: string, vacant: number) {
  const url = `${G}/returns/${org}/${period}`;
  const put = await as(keys[org]!, 'put', url, {
    figures: [{ indicator: 'PL_VACANT', numerator: vacant, denominator: 1000, comment: 'test figure' }],
  });
  expect(put.status).toBe(200);
  expect((await as(keys[org]!, 'post', `${url}/submit`, {})).status).toBe(200);
  expect((await as(coordinator, 'post', `${url}/sign-off`)).status).toBe(200);
}

/** A published survey value, written as the aggregation writes it (plans only read these). */
async function surveyValue(
  org: string,
  period: string,
  value: number,
  low: number,
  high: number,
  cell: { segment?: string; n?: number; suppressed?: 'primary' | 'secondary' | null } = {},
) {
  const segment = cell.segment ?? '*';
  await IndicatorValue.replaceOne(
    { _id: [ids[org], 'TP01', period, segment].join('|') },
    {
      organisationId: new Types.ObjectId(ids[org]),
      organisation: { slug: org, name: org, country: 'PL', region: '', type: 'city', housingStock: 5000 },
      indicatorId: 'TP01',
      kind: 'share',
      period,
      segment,
      n: cell.n ?? 400,
      excluded: 0,
      value,
      low,
      high,
      distribution: '{}',
      minN: 10,
      suppressed: cell.suppressed ?? null,
      computedAt: new Date(),
    },
    { upsert: true },
  );
}

beforeAll(async () => {
  ctx = await createTestContext();
  const platform = await createPlatformKey();
  for (const slug of ['kutno', 'oswiecim', 'outsider']) {
    const org = await createOrganisationViaApi(ctx, platform, slug);
    keys[slug] = org.adminKey;
    ids[slug] = org.id;
    keys[`${slug}-analyst`] = await issueKeyViaApi(ctx, org.adminKey, slug, 'analyst');
  }
  const zmp = await createOrganisationViaApi(ctx, platform, 'zmp', { type: 'resource_centre' });
  coordinator = await issueKeyViaApi(ctx, zmp.adminKey, 'zmp', 'coordinator');
  const other = await createOrganisationViaApi(ctx, platform, 'other-centre', { type: 'resource_centre' });
  otherCoordinator = await issueKeyViaApi(ctx, other.adminKey, 'other-centre', 'coordinator');
  const group = await as(coordinator, 'post', '/api/v1/groups', {
    slug: 'gwd',
    name: 'GWD',
    indicators: ['PL_VACANT'],
    calendar: ['2024', '2025', '2026'].map(yearly),
  });
  expect(group.status).toBe(201);
  for (const slug of ['kutno', 'oswiecim']) {
    await as(coordinator, 'post', `${G}/invitations`, { organisation: slug });
    await as(keys[slug]!, 'post', `${G}/membership`);
  }
  await signedOff('kutno', '2024', 60);
  await signedOff('oswiecim', '2024', 30);
  await surveyValue('kutno', '2024', 0.6, 0.55, 0.65);
});
afterAll(async () => {
  await ctx.close();
});

describe('learning partners', () => {
  it('suggests those better by more than the noise, under pseudonyms until the group agrees to names', async () => {
    await surveyValue('oswiecim', '2024', 0.75, 0.7, 0.8);
    const survey = await as(
      keys.kutno!,
      'get',
      '/api/v1/benchmarks/TP01/learning-partners?period=2024&peerGroup=group:gwd',
    );
    expect(survey.status).toBe(200);
    expect(survey.body.partners).toHaveLength(1);
    expect(survey.body.partners[0]).toMatchObject({
      value: 0.75,
      similarity: { sameType: true, sameSize: true },
    });
    expect(survey.body.partners[0].gap).toBeCloseTo(0.15, 12);
    expect(survey.body.partners[0].name).toMatch(/^member-[0-9a-f]{6}$/);
    expect(JSON.stringify(survey.body)).not.toContain(ids.oswiecim);
    // As every score endpoint, also as CSV: a row per partner, under the same pseudonym.
    const table = await ctx.http
      .get('/api/v1/benchmarks/TP01/learning-partners?period=2024&peerGroup=group:gwd')
      .set('Authorization', bearer(keys.kutno!))
      .set('Accept', 'text/csv');
    expect(table.headers['content-type']).toMatch(/^text\/csv/);
    const [head, ...rows] = table.text.trim().split('\r\n');
    expect(head).toBe(
      'indicator,period,yourValue,partner,name,type,country,region,stockBand,value,low,high,gap,similarity,practices',
    );
    expect(rows.map((r) => r.split(',').slice(3, 5))).toEqual([
      [survey.body.partners[0].slug, survey.body.partners[0].name],
    ]);
    expect(table.text).not.toContain('oswiecim');
    // The better one has no one to learn from.
    const best = await as(
      keys.oswiecim!,
      'get',
      '/api/v1/benchmarks/TP01/learning-partners?period=2024&peerGroup=group:gwd',
    );
    expect(best.body.partners).toEqual([]);
    // Reported vacancy: 3% against 6%, beyond the 2-point change threshold.
    const vacancy = await as(
      keys['kutno-analyst']!,
      'get',
      '/api/v1/benchmarks/PL_VACANT/learning-partners?period=2024&peerGroup=group:gwd',
    );
    expect(vacancy.body.direction).toBe('lower');
    expect(vacancy.body.partners.map((p: { value: number }) => p.value)).toEqual([0.03]);
    expect(vacancy.body.partners[0].practices).toEqual([]);

    // Oświęcim writes up what it did; once both agree to show names, the partner comes with it.
    const rating = { text: 'ok', rating: 4 };
    const practice = await as(keys.oswiecim!, 'post', '/api/v1/practices', {
      group: 'gwd',
      period: '2023',
      title: { pl: 'Szybkie remonty pustostanów' },
      summary: { pl: 'Ekipa własna remontuje lokal w 30 dni od zwolnienia.' },
      body: { pl: 'Opis.' },
      indicators: ['PL_VACANT'],
      criteria: { relevance: rating, evidenceBase: rating, transferability: rating, cost: rating },
      visibility: 'group',
    });
    expect(practice.status).toBe(201);
    const hidden = await as(
      keys.kutno!,
      'get',
      '/api/v1/benchmarks/PL_VACANT/learning-partners?period=2024&peerGroup=group:gwd',
    );
    expect(hidden.body.partners[0].practices).toEqual([]);
    for (const org of ['kutno', 'oswiecim'])
      expect((await as(keys[org]!, 'put', `${G}/membership/name-consent`, { showName: true })).status).toBe(
        200,
      );
    const named = await as(
      keys.kutno!,
      'get',
      '/api/v1/benchmarks/PL_VACANT/learning-partners?period=2024&peerGroup=group:gwd',
    );
    expect(named.body.partners[0]).toMatchObject({
      slug: 'oswiecim',
      practices: [{ id: practice.body.id, title: { pl: 'Szybkie remonty pustostanów' }, period: '2023' }],
    });
    expect(
      (
        await as(
          keys.outsider!,
          'get',
          '/api/v1/benchmarks/PL_VACANT/learning-partners?period=2024&peerGroup=group:gwd',
        )
      ).status,
    ).toBe(404);
    expect(
      (await as(keys.kutno!, 'get', '/api/v1/benchmarks/PL_VACANT/learning-partners?period=2024')).status,
    ).toBe(422);
  });
});

it('answers 503, not 404, when the catalogue cannot be read for learning partners or a plan', async () => {
  const plan = await as(keys.kutno!, 'post', '/api/v1/plans', {
    title: 'Outage',
    group: 'gwd',
    goals: [{ indicator: 'PL_VACANT', target: { value: 0.03, period: '2026' } }],
  });
  expect(plan.status).toBe(201);
  // The database goes away just as the indicator catalogue is read (an indicator added first,
  // so that the catalogue is read again rather than taken from this process's cache).
  const unreachable = Object.assign(new Error('connection refused'), { name: 'MongoServerSelectionError' });
  const platform = await createPlatformKey();
  for (const [i, path] of [
    '/api/v1/benchmarks/TP01/learning-partners?period=2024&peerGroup=group:gwd',
    `/api/v1/plans/${plan.body.id}`,
  ].entries()) {
    const added = await ctx.http
      .post('/api/v1/indicator-definitions')
      .set('Authorization', bearer(platform))
      .send({ id: `OUTAGE${i}`, title: { default: 'Outage' }, kind: 'mean', scale: [3, 2, 1], positive: [] });
    expect(added.status).toBe(201);
    const spy = jest.spyOn(IndicatorDefinitionModel, 'find').mockImplementationOnce((() => ({
      sort: () => ({ lean: () => Promise.reject(unreachable) }),
    })) as never);
    try {
      const res = await ctx.http.get(path).set('Authorization', bearer(keys.kutno!));
      expect([path, res.status, res.body.error?.code]).toEqual([path, 503, 'DATABASE_UNAVAILABLE']);
    } finally {
      spy.mockRestore();
    }
  }
  expect((await as(keys.kutno!, 'delete', `/api/v1/plans/${plan.body.id}`)).status).toBe(204);
});

describe('improvement plans', () => {
  let planId = '';

  it('takes each goal’s baseline from the data and refuses goals the data cannot support', async () => {
    const noData = await as(keys.kutno!, 'post', '/api/v1/plans', {
      title: 'x',
      group: 'gwd',
      goals: [{ indicator: 'PL_VACANT', baselinePeriod: '2023', target: { value: 0.03, period: '2026' } }],
    });
    expect(noData.status).toBe(422);
    expect(noData.body.error.details[0].path).toBe('/goals/0/baselinePeriod');
    const wrongWay = await as(keys.kutno!, 'post', '/api/v1/plans', {
      title: 'x',
      group: 'gwd',
      goals: [{ indicator: 'PL_VACANT', target: { value: 0.08, period: '2026' } }],
    });
    expect(wrongWay.status).toBe(422);
    expect(wrongWay.body.error.details[0].message).toMatch(/lower is better/);
    const noGroup = await as(keys.kutno!, 'post', '/api/v1/plans', {
      title: 'x',
      goals: [{ indicator: 'PL_VACANT', target: { value: 0.03, period: '2026' } }],
    });
    expect(noGroup.status).toBe(422);
    const notMember = await as(keys.outsider!, 'post', '/api/v1/plans', { title: 'x', group: 'gwd' });
    expect(notMember.status).toBe(404);

    const res = await as(keys.kutno!, 'post', '/api/v1/plans', {
      title: 'Plan doskonalenia usług mieszkaniowych',
      cycle: '2024–2026',
      group: 'gwd',
      nextReviewAt: '2020-01-01T00:00:00Z',
      goals: [
        { indicator: 'PL_VACANT', target: { value: 0.03, period: '2026' }, description: 'Mniej pustostanów' },
        { indicator: 'TP01', target: { value: 0.7, period: '2026' } },
      ],
      actions: [
        { what: 'Remonty pustostanów w trybie ciągłym', ownerRole: 'ZGM', due: '2025-12-31T00:00:00Z' },
      ],
    });
    expect(res.status).toBe(201);
    planId = res.body.id;
    const [vacancy, satisfaction] = res.body.goals;
    expect(vacancy.baseline).toEqual({ period: '2024', value: 0.06, low: null, high: null, n: 1000 });
    expect(vacancy.direction).toBe('lower');
    expect(satisfaction.baseline).toMatchObject({ period: '2024', value: 0.6, low: 0.55, high: 0.65 });
    expect(vacancy.progress.status).toBe('not_yet_measured');
    expect(res.body.reviewDue).toBe(true);
    expect(res.body.actions[0].overdue).toBe(true);
  });

  it('computes progress from later values: on track, achieved, off track, and whether the change beats the noise', async () => {
    // 2025: vacancy 4.6% — of the way from 6% to 3% by 2026, 47% covered with 50% of the time
    // gone: off track. Satisfaction 66% (±5 points) against 60% (±5): within the noise.
    await signedOff('kutno', '2025', 46);
    await surveyValue('kutno', '2025', 0.66, 0.61, 0.71);
    let plan = (await as(keys.kutno!, 'get', `/api/v1/plans/${planId}`)).body;
    expect(plan.goals[0].progress).toMatchObject({ status: 'off_track', beyondNoise: null });
    expect(plan.goals[0].progress.covered).toBeCloseTo(14 / 30, 12);
    expect(plan.goals[0].progress.elapsed).toBeCloseTo(0.5, 12);
    expect(plan.goals[1].progress.status).toBe('on_track');
    expect(plan.goals[1].progress.beyondNoise).toBe(false);
    // The coordinator reopens 2025 and kutno corrects it to 4.4%: more than half way, on track.
    await as(coordinator, 'post', `${G}/returns/kutno/2025/reopen`, { reason: 'recount' });
    await signedOff('kutno', '2025', 44);
    plan = (await as(keys.kutno!, 'get', `/api/v1/plans/${planId}`)).body;
    expect(plan.goals[0].progress.status).toBe('on_track');
    // The baseline's return reopened: its figure is withdrawn until signed off again, so the
    // coordinators see the goal without it (the owner still does).
    await as(coordinator, 'post', `${G}/returns/kutno/2024/reopen`, { reason: 'recount' });
    const reopened = (await as(coordinator, 'get', `/api/v1/plans/${planId}`)).body;
    expect(reopened.goals[0].baseline).toEqual({
      period: '2024',
      value: null,
      low: null,
      high: null,
      n: null,
    });
    expect(reopened.goals[0].progress.status).toBe('withheld');
    expect((await as(keys.kutno!, 'get', `/api/v1/plans/${planId}`)).body.goals[0].baseline.value).toBe(0.06);
    await signedOff('kutno', '2024', 60);
    expect((await as(coordinator, 'get', `/api/v1/plans/${planId}`)).body.goals[0].baseline.value).toBe(0.06);
    // 2026: vacancy 2.9% reaches the target; satisfaction 72% (±3) is beyond the noise.
    await signedOff('kutno', '2026', 29);
    await surveyValue('kutno', '2026', 0.72, 0.69, 0.75);
    plan = (await as(keys.kutno!, 'get', `/api/v1/plans/${planId}`)).body;
    expect(plan.goals[0].progress.status).toBe('achieved');
    expect(plan.goals[1].progress).toMatchObject({ status: 'achieved', beyondNoise: true });
  });

  it('never shows a suppressed value to the group: no goal starts from one, no progress counts one', async () => {
    // A small estate: 3 answers in 2024, below the minimum n of 10.
    await surveyValue('kutno', '2024', 0.33, 0.06, 0.79, {
      segment: 'estate:Tiny',
      n: 3,
      suppressed: 'primary',
    });
    const refused = await as(keys.kutno!, 'post', '/api/v1/plans', {
      title: 'Małe osiedle',
      group: 'gwd',
      goals: [{ indicator: 'TP01', segment: 'estate:Tiny', target: { value: 0.9, period: '2026' } }],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details[0]).toMatchObject({ path: '/goals/0/baselinePeriod' });
    expect(refused.body.error.details[0].message).toMatch(/2024 is not published \(n 3, minimum 10/);

    // A goal set while its baseline was published; the value is suppressed afterwards (hidden to
    // protect a smaller neighbour), and a later, small period is suppressed too.
    await surveyValue('kutno', '2024', 0.417, 0.19, 0.68, { segment: 'estate:Mid', n: 12 });
    const created = await as(keys.kutno!, 'post', '/api/v1/plans', {
      title: 'Osiedle Środkowe',
      group: 'gwd',
      goals: [{ indicator: 'TP01', segment: 'estate:Mid', target: { value: 0.9, period: '2026' } }],
    });
    expect(created.status).toBe(201);
    expect(created.body.goals[0].baseline).toMatchObject({ period: '2024', value: 0.417, n: 12 });
    await surveyValue('kutno', '2024', 0.417, 0.19, 0.68, {
      segment: 'estate:Mid',
      n: 12,
      suppressed: 'secondary',
    });
    await surveyValue('kutno', '2025', 0.95, 0.6, 1, { segment: 'estate:Mid', n: 4, suppressed: 'primary' });

    const own = (await as(keys.kutno!, 'get', `/api/v1/plans/${created.body.id}`)).body;
    expect(own.goals[0].baseline).toMatchObject({ period: '2024', value: 0.417, n: 12 });
    // The 2025 value reaches the target, but it is not published: not counted as progress.
    expect(own.goals[0].progress).toMatchObject({ status: 'not_yet_measured', latest: null });

    for (const key of [coordinator, keys.oswiecim!]) {
      if (key === keys.oswiecim) await as(coordinator, 'patch', G, { sharePlans: true });
      const seen = await as(key, 'get', `/api/v1/plans/${created.body.id}`);
      expect(seen.status).toBe(200);
      expect(seen.body.goals[0].baseline).toEqual({
        period: '2024',
        value: null,
        low: null,
        high: null,
        n: null,
      });
      expect(seen.body.goals[0].progress).toEqual({
        status: 'withheld',
        latest: null,
        covered: null,
        elapsed: null,
        beyondNoise: null,
      });
      const csv = await ctx.http
        .get(`/api/v1/plans/${created.body.id}`)
        .set('Authorization', bearer(key))
        .set('Accept', 'text/csv');
      expect(csv.status).toBe(200);
      expect(csv.text).toContain('withheld');
      for (const figure of ['0.417', '0.19', '0.68', '0.95']) {
        expect(JSON.stringify(seen.body)).not.toContain(figure);
        expect(csv.text).not.toContain(figure);
      }
    }
    await as(coordinator, 'patch', G, { sharePlans: false });

    // A goal set before baselines had to be published, from a value on 4 answers; its period has
    // since grown past the minimum and is published now.
    await Plan.updateOne(
      { _id: new Types.ObjectId(created.body.id as string) },
      { $set: { 'goals.0.baseline': { period: '2025', value: 0.95, low: 0.6, high: 1, n: 4 } } },
    );
    await surveyValue('kutno', '2025', 0.8, 0.6, 0.9, { segment: 'estate:Mid', n: 25 });
    const legacy = await as(coordinator, 'get', `/api/v1/plans/${created.body.id}`);
    expect(legacy.body.goals[0].baseline).toEqual({
      period: '2025',
      value: null,
      low: null,
      high: null,
      n: null,
    });
    expect(legacy.body.goals[0].progress.status).toBe('withheld');
    expect(
      (await as(keys.kutno!, 'get', `/api/v1/plans/${created.body.id}`)).body.goals[0].baseline,
    ).toMatchObject({ value: 0.95, n: 4 });
    expect((await as(keys.kutno!, 'delete', `/api/v1/plans/${created.body.id}`)).status).toBe(204);
  });

  it('is visible to its organisation and the group’s coordinators, to members only when shared', async () => {
    expect((await as(keys['kutno-analyst']!, 'get', `/api/v1/plans/${planId}`)).status).toBe(200);
    expect((await as(coordinator, 'get', `/api/v1/plans/${planId}`)).status).toBe(200);
    for (const key of [keys.oswiecim!, keys.outsider!, otherCoordinator]) {
      const res = await as(key, 'get', `/api/v1/plans/${planId}`);
      expect(res.status).toBe(404);
      expect((await as(key, 'get', '/api/v1/plans')).body.items).toEqual([]);
    }
    expect(
      (await as(keys['kutno-analyst']!, 'patch', `/api/v1/plans/${planId}`, { title: 'x' })).status,
    ).toBe(403);
    // The group decides to share plans among members, then takes it back.
    expect((await as(coordinator, 'patch', G, { sharePlans: true })).body.sharePlans).toBe(true);
    expect((await as(keys.oswiecim!, 'get', `/api/v1/plans/${planId}`)).status).toBe(200);
    expect((await as(keys.outsider!, 'get', `/api/v1/plans/${planId}`)).status).toBe(404);
    expect((await as(coordinator, 'patch', G, { sharePlans: false })).status).toBe(200);
    expect((await as(keys.oswiecim!, 'get', `/api/v1/plans/${planId}`)).status).toBe(404);
    // The plan's owner shares it alone.
    const shared = await as(keys.kutno!, 'patch', `/api/v1/plans/${planId}`, { visibleToMembers: true });
    expect(shared.status).toBe(200);
    expect((await as(keys.oswiecim!, 'get', `/api/v1/plans/${planId}`)).status).toBe(200);
    expect((await as(keys.oswiecim!, 'patch', `/api/v1/plans/${planId}`, { title: 'x' })).status).toBe(403);
    expect((await as(keys.outsider!, 'get', `/api/v1/plans/${planId}`)).status).toBe(404);
    const stale = await as(keys.kutno!, 'patch', `/api/v1/plans/${planId}`, { title: 'y', revision: 0 });
    expect(stale.status).toBe(409);
  });

  it('tracks actions and reviews, and exports the plan as CSV, JSON and a printable PDF', async () => {
    const plan = (await as(keys.kutno!, 'get', `/api/v1/plans/${planId}`)).body;
    const action = plan.actions[0];
    const done = await as(keys.kutno!, 'patch', `/api/v1/plans/${planId}/actions/${action.id}`, {
      status: 'done',
      goals: [plan.goals[0].id],
    });
    expect(done.status).toBe(200);
    expect(done.body.actions[0]).toMatchObject({ status: 'done', overdue: false, goals: [plan.goals[0].id] });
    const badGoal = await as(keys.kutno!, 'post', `/api/v1/plans/${planId}/actions`, {
      what: 'x',
      goals: [new Types.ObjectId().toHexString()],
    });
    expect(badGoal.status).toBe(422);
    const reviewed = await as(keys.kutno!, 'post', `/api/v1/plans/${planId}/reviews`, {
      note: 'Przegląd roczny: cel osiągnięty',
      nextReviewAt: '2099-01-01T00:00:00Z',
    });
    expect(reviewed.body.reviews).toHaveLength(1);
    expect(reviewed.body.reviewDue).toBe(false);

    const csv = await ctx.http
      .get(`/api/v1/plans/${planId}`)
      .set('Authorization', bearer(keys.kutno!))
      .set('Accept', 'text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^row,id,indicator/);
    expect(lines.filter((l) => l.startsWith('goal,'))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('action,'))).toHaveLength(1);
    expect(csv.text).toContain('achieved');

    const pdf = await ctx.http
      .get(`/api/v1/plans/${planId}/plan.pdf?lang=pl`)
      .set('Authorization', bearer(keys.kutno!))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = (await parsePdf(pdf.body as Buffer)).pages.join(' ');
    expect(text).toContain('Plan doskonalenia usług mieszkaniowych');
    expect(text).toContain('Pustostany w zasobie gminy');
    expect(text).toContain('Baseline 2024: 6.0%');
    expect(text).toContain('Remonty pustostanów w trybie ciągłym');
    expect(text).toContain('Przegląd roczny');
  });
});

describe('changes of one plan sent at once', () => {
  it('are all kept: each is made on the plan as it is when written', async () => {
    const created = await as(keys.kutno!, 'post', '/api/v1/plans', { title: 'Many hands', group: 'gwd' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const added = await Promise.all(
      ['Repaint stairwells', 'Fix the lifts', 'Answer within a week', 'Meet the tenants'].map((what) =>
        as(keys.kutno!, 'post', `/api/v1/plans/${id}/actions`, { what }),
      ),
    );
    expect(added.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const plan = await as(keys.kutno!, 'get', `/api/v1/plans/${id}`);
    expect(plan.body.actions.map((a: { what: string }) => a.what).sort()).toEqual([
      'Answer within a week',
      'Fix the lifts',
      'Meet the tenants',
      'Repaint stairwells',
    ]);
    expect(plan.body.revision).toBe(created.body.revision + 4);
  });
});

describe('an organisation that leaves the group', () => {
  it('takes its plans with it: the coordinators and members no longer see them', async () => {
    const platform = await createPlatformKey();
    const leaver = await createOrganisationViaApi(ctx, platform, 'leaver');
    expect((await as(coordinator, 'post', `${G}/invitations`, { organisation: 'leaver' })).status).toBe(200);
    expect((await as(leaver.adminKey, 'post', `${G}/membership`)).status).toBe(200);
    const created = await as(leaver.adminKey, 'post', '/api/v1/plans', {
      title: 'Plan of a leaver',
      group: 'gwd',
      visibleToMembers: true,
    });
    expect(created.status).toBe(201);
    const url = `/api/v1/plans/${created.body.id}`;
    const listed = async (key: string) =>
      (await as(key, 'get', '/api/v1/plans')).body.items.map((p: { id: string }) => p.id);
    for (const key of [coordinator, keys.oswiecim!]) {
      expect((await as(key, 'get', url)).status).toBe(200);
      expect(await listed(key)).toContain(created.body.id);
    }

    expect((await as(leaver.adminKey, 'delete', `${G}/members/leaver`)).status).toBe(200);
    for (const key of [coordinator, keys.oswiecim!]) {
      expect((await as(key, 'get', url)).status).toBe(404);
      expect(await listed(key)).not.toContain(created.body.id);
    }
    // Its own organisation keeps it.
    expect((await as(leaver.adminKey, 'get', url)).status).toBe(200);
  });
});
