import { createHash } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { IndicatorValue } from '../../src/modules/indicators/indicator-value.model';
import { Group, GroupKey } from '../../src/modules/groups/group.model';
import { readOrCreatePseudonymKey } from '../../src/modules/groups/groups.service';
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
 * Benchmarking groups and data returns over HTTP on the real servers: membership, every state
 * of a return, the checks at entry, CSV uploads, queries, sign-off, the audit trail, and what
 * members, coordinators and outsiders can see.
 */
let ctx: TestContext;
let platform: string;
const CITIES = ['jaworzno', 'boleslawiec', 'oswiecim', 'kutno', 'szklarska-poreba'] as const;
const admins: Record<string, string> = {};
const analysts: Record<string, string> = {};
let coordinator = '';
let otherCoordinator = '';
let outsider = '';
const G = '/api/v1/groups/gwd-housing';
const ret = (org: string, period: string) => `${G}/returns/${org}/${period}`;

const calendar = [
  {
    period: '2024',
    opens: '2025-01-01T00:00:00Z',
    closes: '2025-03-31T00:00:00Z',
    signOffBy: '2025-06-30T00:00:00Z',
  },
  {
    period: '2025',
    opens: '2026-01-01T00:00:00Z',
    closes: '2099-03-31T00:00:00Z',
    signOffBy: '2099-06-30T00:00:00Z',
  },
  {
    period: '2030',
    opens: '2099-01-01T00:00:00Z',
    closes: '2099-03-31T00:00:00Z',
    signOffBy: '2099-06-30T00:00:00Z',
  },
];

/** A complete return of the group's set; `vacant` is PL_VACANT's numerator out of 1,000. */
function complete(vacant: number, cost = 9.5) {
  return [
    { indicator: 'PL_VACANT', numerator: vacant, denominator: 1000 },
    { indicator: 'PL_COST_M2', value: cost },
    { indicator: 'RP02', part: 'non_emergency', numerator: 80, denominator: 100 },
    { indicator: 'RP02', part: 'emergency', notAvailable: 'no emergency repairs were logged separately' },
  ];
}

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

/** A survey indicator (platform catalogue) and a reported one (coordinators) under an id. */
const addSurveyIndicator = (id: string) =>
  as(platform, 'post', '/api/v1/indicator-definitions', {
    id,
    title: { default: 'Asked of tenants' },
    kind: 'mean',
    scale: [3, 2, 1],
    positive: [],
  });
const addReportedIndicator = (id: string, other: object = {}) =>
  as(coordinator, 'post', '/api/v1/reported-indicators', {
    id,
    title: { default: 'Reported by landlords' },
    kind: 'value',
    numerator: { default: 'x' },
    unit: 'days',
    direction: 'lower',
    range: { min: 0, max: 10 },
    source: 'group decision 2026',
    ...other,
  });

/** Enters, submits and signs off a return. */
async function signedOff(org: string, period: string, figures: object[]) {
  const put = await as(admins[org]!, 'put', ret(org, period), { figures });
  expect(put.status).toBe(200);
  const submit = await as(admins[org]!, 'post', `${ret(org, period)}/submit`, {});
  expect(submit.status).toBe(200);
  const sign = await as(coordinator, 'post', `${ret(org, period)}/sign-off`);
  expect(sign.status).toBe(200);
  expect(sign.body.state).toBe('signed_off');
}

beforeAll(async () => {
  ctx = await createTestContext();
  platform = await createPlatformKey();
  for (const slug of CITIES) {
    const org = await createOrganisationViaApi(ctx, platform, slug, { housingStock: 5000 });
    admins[slug] = org.adminKey;
    analysts[slug] = await issueKeyViaApi(ctx, org.adminKey, slug, 'analyst');
  }
  const zmp = await createOrganisationViaApi(ctx, platform, 'zmp', { type: 'resource_centre' });
  coordinator = await issueKeyViaApi(ctx, zmp.adminKey, 'zmp', 'coordinator');
  admins.zmp = zmp.adminKey;
  const ge = await createOrganisationViaApi(ctx, platform, 'hoa-centre', {
    type: 'resource_centre',
    country: 'GE',
  });
  otherCoordinator = await issueKeyViaApi(ctx, ge.adminKey, 'hoa-centre', 'coordinator');
  outsider = (await createOrganisationViaApi(ctx, platform, 'outsider')).adminKey;
});
afterAll(async () => {
  await ctx.close();
});

describe('groups', () => {
  it('a coordinator creates a group it coordinates; other roles may not', async () => {
    const denied = await as(admins.jaworzno!, 'post', '/api/v1/groups', { slug: 'x', name: 'X' });
    expect(denied.status).toBe(403);
    const bad = await as(coordinator, 'post', '/api/v1/groups', {
      slug: 'gwd-housing',
      name: 'GWD',
      indicators: ['PL_VACANT', 'NOPE'],
      calendar: [{ ...calendar[0], closes: '2024-01-01T00:00:00Z' }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      '/calendar/0/closes',
      '/indicators/1',
    ]);
    const res = await as(coordinator, 'post', '/api/v1/groups', {
      slug: 'gwd-housing',
      name: 'Grupa Wymiany Doświadczeń: gospodarka mieszkaniowa',
      indicators: ['PL_VACANT', 'PL_COST_M2', 'RP02', 'TP01'],
      calendar,
      languages: ['pl'],
    });
    expect(res.status).toBe(201);
    expect(res.body.coordinators.map((c: { slug: string }) => c.slug)).toEqual(['zmp']);
    expect(res.body.you.coordinates).toBe(true);
    const again = await as(coordinator, 'post', '/api/v1/groups', { slug: 'gwd-housing', name: 'again' });
    expect(again.status).toBe(409);
    const other = await as(otherCoordinator, 'post', '/api/v1/groups', {
      slug: 'hoa-network',
      name: 'ბინათმესაკუთრეთა ქსელი',
      indicators: ['PL_VACANT'],
      calendar,
    });
    expect(other.status).toBe(201);
  });

  it('members are invited by the coordinator and join by accepting', async () => {
    for (const slug of CITIES) {
      const inv = await as(coordinator, 'post', `${G}/invitations`, { organisation: slug });
      expect(inv.status).toBe(200);
    }
    const twice = await as(coordinator, 'post', `${G}/invitations`, { organisation: 'kutno' });
    expect(twice.status).toBe(409);
    const byMember = await as(admins.kutno!, 'post', `${G}/invitations`, { organisation: 'outsider' });
    expect(byMember.status).toBe(403);
    // Invited, not yet a member: sees the group, has no return.
    const invited = await as(admins.kutno!, 'get', G);
    expect(invited.status).toBe(200);
    expect(invited.body.you).toEqual({ coordinates: false, member: false, invited: true });
    expect((await as(admins.kutno!, 'put', ret('kutno', '2025'), { figures: complete(50) })).status).toBe(
      404,
    );
    const analystAccept = await as(analysts.kutno!, 'post', `${G}/membership`);
    expect(analystAccept.status).toBe(403);
    // All accept at once: each acceptance is kept (on FerretDB, changes of the group written at
    // once used to take each other away).
    const accepted = await Promise.all(CITIES.map((slug) => as(admins[slug]!, 'post', `${G}/membership`)));
    expect(accepted.map((r) => r.status)).toEqual(CITIES.map(() => 200));
    const group = await as(analysts.kutno!, 'get', G);
    expect(group.body.members.every((m: { status: string }) => m.status === 'member')).toBe(true);
    expect(group.body.members).toHaveLength(CITIES.length);
    expect(group.body.namesVisible).toBe(false);
    const list = await as(admins.kutno!, 'get', '/api/v1/groups');
    expect(list.body.items.map((g: { slug: string }) => g.slug)).toEqual(['gwd-housing']);
  });

  it('outsiders and the coordinator of another group see nothing of it: 404 as for a missing group', async () => {
    for (const key of [outsider, otherCoordinator]) {
      for (const path of [G, `${G}/returns`, ret('kutno', '2025'), `${ret('kutno', '2025')}/audit`]) {
        const res = await as(key, 'get', path);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }
      const missing = await as(key, 'get', '/api/v1/groups/no-such-group');
      expect(missing.body).toEqual({ ...missing.body, error: { ...missing.body.error, code: 'NOT_FOUND' } });
    }
    expect(
      (await as(otherCoordinator, 'post', `${G}/invitations`, { organisation: 'outsider' })).status,
    ).toBe(404);
    expect((await as(otherCoordinator, 'patch', G, { name: 'taken over' })).status).toBe(404);
    expect((await as(outsider, 'get', '/api/v1/groups')).body.items).toEqual([]);
  });

  it('a stale revision of the group is refused with 409', async () => {
    const g = await as(coordinator, 'get', G);
    const first = await as(coordinator, 'patch', G, { description: 'one', revision: g.body.revision });
    expect(first.status).toBe(200);
    const stale = await as(coordinator, 'patch', G, { description: 'two', revision: g.body.revision });
    expect(stale.status).toBe(409);
    expect((await as(coordinator, 'get', G)).body.description).toBe('one');
  });
});

describe('returns', () => {
  it('errors at entry are reported per field and store nothing', async () => {
    const res = await as(admins.jaworzno!, 'put', ret('jaworzno', '2025'), {
      figures: [
        { indicator: 'PL_VACANT', numerator: 120, denominator: 100 },
        { indicator: 'RP02', part: 'urgent', numerator: 1, denominator: 2 },
        { indicator: 'PL_COST_M2', value: 500 },
        { indicator: 'BS01', numerator: 1, denominator: 1 },
        { indicator: 'RP02', part: 'emergency', numerator: 6, denominator: 6000 },
        {
          indicator: 'RP02',
          part: 'non_emergency',
          notAvailable: 'not counted',
          numerator: 3,
          denominator: 4,
        },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('RETURN_CHECKS_FAILED');
    const byPath = Object.fromEntries(
      res.body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]),
    );
    expect(byPath['/figures/0/numerator']).toMatch(/above the denominator/);
    expect(byPath['/figures/1/part']).toMatch(/non_emergency, emergency/);
    expect(byPath['/figures/2/value']).toMatch(/outside the valid range/);
    expect(byPath['/figures/3/indicator']).toMatch(/not a reported indicator of this group/);
    expect(byPath['/figures/5/notAvailable']).toMatch(/not both/);
    // RP02's denominator counts repairs, not homes: 6,000 is not above the stock rule.
    expect(byPath['/figures/4/denominator']).toBeUndefined();
    const stored = await as(admins.jaworzno!, 'get', ret('jaworzno', '2025'));
    expect(stored.body.stored).toBe(false);
    expect(stored.body.figures).toEqual([]);

    const stock = await as(admins.jaworzno!, 'put', ret('jaworzno', '2025'), {
      figures: [{ indicator: 'PL_VACANT', numerator: 10, denominator: 6000 }],
    });
    expect(stock.status).toBe(422);
    expect(stock.body.error.details).toEqual([
      { path: '/figures/0/denominator', message: expect.stringMatching(/above your housing stock \(5000\)/) },
    ]);
  });

  it('a period whose collection has not opened takes no figures', async () => {
    const res = await as(admins.jaworzno!, 'put', ret('jaworzno', '2030'), { figures: complete(10) });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('COLLECTION_NOT_OPEN');
    expect((await as(admins.jaworzno!, 'get', ret('jaworzno', '2029'))).status).toBe(404);
  });

  it('walks through draft, submitted, queried, signed off and reopened, all in the audit trail', async () => {
    const url = ret('jaworzno', '2025');
    const partial = await as(admins.jaworzno!, 'put', url, { figures: complete(40).slice(0, 2) });
    expect(partial.status).toBe(200);
    expect(partial.body.state).toBe('draft');
    expect(partial.body.missing.sort()).toEqual(['RP02.emergency', 'RP02.non_emergency']);
    const incomplete = await as(admins.jaworzno!, 'post', `${url}/submit`, {});
    expect(incomplete.status).toBe(422);
    expect(incomplete.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      '/figures/RP02.emergency',
      '/figures/RP02.non_emergency',
    ]);
    // Members and analysts of the organisation and others: who may do what.
    expect((await as(analysts.jaworzno!, 'put', url, { figures: complete(40) })).status).toBe(403);
    expect((await as(admins.kutno!, 'put', url, { figures: complete(40) })).status).toBe(404);
    expect((await as(admins.kutno!, 'get', url)).status).toBe(404);
    expect((await as(analysts.kutno!, 'get', `${url}/audit`)).status).toBe(404);
    expect((await as(admins.jaworzno!, 'post', `${url}/sign-off`)).status).toBe(403);

    const full = await as(admins.jaworzno!, 'put', url, { figures: complete(40) });
    expect(full.status).toBe(200);
    expect(full.body.figures.find((f: { figure: string }) => f.figure === 'PL_VACANT').computed).toBeCloseTo(
      0.04,
    );
    const stale = await as(admins.jaworzno!, 'post', `${url}/submit`, { revision: full.body.revision - 1 });
    expect(stale.status).toBe(409);
    const submitted = await as(admins.jaworzno!, 'post', `${url}/submit`, { revision: full.body.revision });
    expect(submitted.status).toBe(200);
    expect(submitted.body.state).toBe('submitted');
    const locked = await as(admins.jaworzno!, 'put', url, { figures: complete(41) });
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('RETURN_STATE');

    const queried = await as(coordinator, 'post', `${url}/queries`, {
      figure: 'PL_COST_M2',
      message: 'Czy koszt obejmuje remonty?',
    });
    expect(queried.status).toBe(200);
    expect(queried.body.state).toBe('queried');
    const queryId = queried.body.queries[0].id;
    const early = await as(coordinator, 'post', `${url}/sign-off`);
    expect(early.status).toBe(409);
    const unanswered = await as(admins.jaworzno!, 'post', `${url}/submit`, {});
    expect(unanswered.status).toBe(422);
    expect(unanswered.body.error.details).toEqual([
      { path: `/queries/${queryId}`, message: 'answer the query about PL_COST_M2' },
    ]);
    const answer = await as(admins.jaworzno!, 'post', `${url}/queries/${queryId}/messages`, {
      message: 'Nie; poprawiamy.',
    });
    expect(answer.body.queries[0].status).toBe('answered');
    const fixed = await as(admins.jaworzno!, 'put', url, {
      figures: [{ indicator: 'PL_COST_M2', value: 8.75, comment: 'bez remontów' }],
    });
    expect(fixed.status).toBe(200);
    expect((await as(admins.jaworzno!, 'post', `${url}/submit`, {})).body.state).toBe('submitted');
    expect((await as(coordinator, 'post', `${url}/sign-off`)).status).toBe(409);
    expect((await as(coordinator, 'post', `${url}/queries/${queryId}/close`)).status).toBe(200);
    const signed = await as(coordinator, 'post', `${url}/sign-off`);
    expect(signed.status).toBe(200);
    expect(signed.body.state).toBe('signed_off');
    expect((await as(admins.jaworzno!, 'put', url, { figures: complete(1) })).status).toBe(409);
    expect((await as(coordinator, 'post', `${url}/reopen`, { reason: '' })).status).toBe(422);
    const reopened = await as(coordinator, 'post', `${url}/reopen`, { reason: 'wrong year of costs' });
    expect(reopened.body.state).toBe('draft');

    const audit = await as(analysts.jaworzno!, 'get', `${url}/audit`);
    expect(audit.status).toBe(200);
    const actions = audit.body.items.map((a: { action: string }) => a.action);
    expect(actions).toEqual([
      'figure',
      'figure',
      'figure',
      'figure',
      'submit',
      'query',
      'message',
      'figure',
      'submit',
      'close_query',
      'sign_off',
      'reopen',
    ]);
    const costChange = audit.body.items.filter(
      (a: { action: string; figure: string }) => a.action === 'figure' && a.figure === 'PL_COST_M2',
    );
    expect(costChange[1].before.value).toBe(9.5);
    expect(costChange[1].after).toEqual({
      numerator: null,
      denominator: null,
      value: 8.75,
      comment: 'bez remontów',
      notAvailable: null,
    });
    expect(audit.body.items.at(-1).reason).toBe('wrong year of costs');
    const revisions = audit.body.items.map((a: { revision: number }) => a.revision);
    expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);
    // Coordinators see the return; the list shows members their own only.
    expect((await as(coordinator, 'get', `${G}/returns?period=2025`)).body.items).toHaveLength(1);
    expect((await as(admins.kutno!, 'get', `${G}/returns`)).body.items).toEqual([]);
  });

  it('saves of one return sent at once are each written in turn or refused as stale, never lost', async () => {
    const url = ret('kutno', '2025');
    const draft = await as(admins.kutno!, 'put', url, { figures: complete(40).slice(0, 2) });
    expect(draft.status).toBe(200);
    // Two saves at once: each one written moves the revision on, and the return holds the last
    // one written. On FerretDB both used to be written from the same revision, the later taking
    // the earlier's figures and audit lines away unseen.
    const saves = await Promise.all(
      [41, 42, 43].map((v) => as(admins.kutno!, 'put', url, { figures: complete(v) })),
    );
    const written = saves.filter((r) => r.status === 200);
    expect(saves.filter((r) => r.status !== 200).map((r) => r.body.error.code)).toEqual(
      Array(3 - written.length).fill('STALE_REVISION'),
    );
    const now = await as(admins.kutno!, 'get', url);
    expect(now.body.revision).toBe(draft.body.revision + written.length);
    const lastWritten = written.sort((a, b) => b.body.revision - a.body.revision)[0]!;
    expect(now.body.figures).toEqual(lastWritten.body.figures);

    // The period now has a return: it cannot leave the calendar (the return would be unreachable).
    const before = (await as(coordinator, 'get', G)).body.calendar;
    const cut = await as(coordinator, 'patch', G, { calendar: calendar.filter((c) => c.period !== '2025') });
    expect([cut.status, cut.body.error.code, cut.body.error.details]).toEqual([
      409,
      'PERIOD_IN_USE',
      [{ path: '/calendar', message: expect.stringContaining('2025') }],
    ]);
    expect((await as(coordinator, 'get', G)).body.calendar).toEqual(before);
  });

  it('a period leaving the calendar while its first return arrives: never a return outside the calendar', async () => {
    const R = '/api/v1/groups/race-calendar';
    const open = {
      opens: '2026-01-01T00:00:00Z',
      closes: '2099-03-31T00:00:00Z',
      signOffBy: '2099-06-30T00:00:00Z',
    };
    const rounds = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];
    const made = await as(coordinator, 'post', '/api/v1/groups', {
      slug: 'race-calendar',
      name: 'Calendar race',
      indicators: ['PL_VACANT', 'PL_COST_M2', 'RP02'],
      calendar: rounds.map((period) => ({ period, ...open })),
    });
    expect(made.status).toBe(201);
    expect((await as(coordinator, 'post', `${R}/invitations`, { organisation: 'kutno' })).status).toBe(200);
    expect((await as(admins.kutno!, 'post', `${R}/membership`)).status).toBe(200);
    const outcomes: string[] = [];
    for (const [i, period] of rounds.entries()) {
      const left = rounds.slice(i + 1).map((p) => ({ period: p, ...open }));
      const kept = rounds.slice(0, i).map((p) => ({ period: p, ...open }));
      const [cut, put] = await Promise.all([
        as(coordinator, 'patch', R, { calendar: [...kept, ...left] }),
        as(admins.kutno!, 'put', `${R}/returns/kutno/${period}`, { figures: complete(30) }),
      ]);
      const inCalendar = (await as(coordinator, 'get', R)).body.calendar.some(
        (c: { period: string }) => c.period === period,
      );
      // Read from the database itself: the API answers 404 for a period outside the calendar.
      const stored = !!(await mongoose.connection
        .db!.collection('data_returns')
        .findOne({ groupId: new Types.ObjectId(made.body.id), period }));
      // Either the period stayed (the cut was refused) and holds the return, or it left and no
      // return of it was kept.
      expect([period, inCalendar, stored]).toEqual([period, stored, stored]);
      expect([period, cut.status === 200]).toEqual([period, !inCalendar]);
      expect([period, put.status === 200]).toEqual([period, stored]);
      outcomes.push(`${cut.status}/${put.status}`);
    }
    expect(outcomes).toHaveLength(rounds.length);
  });

  it('a CSV upload with errors stores nothing and names each row; a good one replaces the return', async () => {
    const url = ret('jaworzno', '2025');
    const before = (await as(admins.jaworzno!, 'get', url)).body.figures;
    const bad = [
      'indicator,part,numerator,denominator,value,comment',
      'PL_VACANT,,30,1000,,',
      'PL_COST_M2,,,,dziesięć,',
      'RP02,non_emergency,90,80,,',
      'RP02,emergency,5,5,,',
    ].join('\r\n');
    const res = await ctx.http
      .put(`${url}/csv`)
      .set('Authorization', bearer(admins.jaworzno!))
      .set('Content-Type', 'text/csv')
      .send(bad);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { path: '/rows/3/value', message: '"dziesięć" is not a number' },
    ]);
    const checks = await ctx.http
      .put(`${url}/csv`)
      .set('Authorization', bearer(admins.jaworzno!))
      .set('Content-Type', 'text/csv')
      .send(bad.replace('dziesięć', '10'));
    expect(checks.status).toBe(422);
    expect(checks.body.error.details).toEqual([
      { path: '/rows/4/numerator', message: 'the numerator (90) is above the denominator (80)' },
    ]);
    expect((await as(admins.jaworzno!, 'get', url)).body.figures).toEqual(before);

    // Semicolons and decimal commas, as a Polish spreadsheet saves them.
    const good = [
      'indicator;part;numerator;denominator;value;comment;not_available',
      'PL_VACANT;;42;1000;;;',
      'PL_COST_M2;;;;"9,25";koszt bez remontów;',
      'RP02;non_emergency;90;100;;;',
      'RP02;emergency;;;;;brak podziału w systemie',
    ].join('\n');
    const ok = await ctx.http
      .put(`${url}/csv`)
      .set('Authorization', bearer(admins.jaworzno!))
      .set('Content-Type', 'text/csv')
      .send(good);
    expect(ok.status).toBe(200);
    expect(ok.body.figures.find((f: { figure: string }) => f.figure === 'PL_COST_M2').value).toBe(9.25);
    const asCsv = await ctx.http
      .get(url)
      .set('Authorization', bearer(admins.jaworzno!))
      .set('Accept', 'text/csv');
    expect(asCsv.headers['content-type']).toMatch(/text\/csv/);
    expect(asCsv.text.split('\r\n')[0]).toBe(
      'indicator,part,tenure,numerator,denominator,value,comment,not_available',
    );
    expect(asCsv.text).toContain('RP02,emergency,,,,,,brak podziału w systemie');
    const json = await ctx.http
      .put(`${url}/csv`)
      .set('Authorization', bearer(admins.jaworzno!))
      .set('Content-Type', 'application/json')
      .send({ figures: [] });
    expect(json.status).toBe(415);
  });

  it('a large change from the signed-off previous period and an outlier need a comment before submission', async () => {
    // 2024: every city signs off about 2% vacant.
    for (const [i, slug] of CITIES.entries()) await signedOff(slug, '2024', complete(18 + i));
    // 2025: four peers submit about 2–3%.
    for (const [i, slug] of CITIES.slice(1).entries()) {
      expect((await as(admins[slug]!, 'put', ret(slug, '2025'), { figures: complete(20 + i) })).status).toBe(
        200,
      );
      expect((await as(admins[slug]!, 'post', `${ret(slug, '2025')}/submit`, {})).status).toBe(200);
    }
    const url = ret('jaworzno', '2025');
    const codes = (body: { figures: Array<{ figure: string; findings: Array<{ code: string }> }> }) =>
      body.figures
        .find((f) => f.figure === 'PL_VACANT')!
        .findings.map((f) => f.code)
        .sort();
    // Not signed off yet, the peers' figures are not compared: the fences a finding names would
    // give away their quartiles (q1 + q3 = low + high, q3 − q1 = (high − low) / 4).
    const early = await as(admins.jaworzno!, 'put', url, { figures: complete(300) });
    expect(early.status).toBe(200);
    expect(codes(early.body)).toEqual(['LARGE_CHANGE']);
    for (const slug of CITIES.slice(1))
      expect((await as(coordinator, 'post', `${ret(slug, '2025')}/sign-off`)).status).toBe(200);
    const jump = await as(admins.jaworzno!, 'put', url, { figures: complete(300) });
    expect(jump.status).toBe(200);
    expect(codes(jump.body)).toEqual(['LARGE_CHANGE', 'OUTLIER']);
    const findings = jump.body.figures.find((f: { figure: string }) => f.figure === 'PL_VACANT').findings;
    expect(findings.every((f: { explained: boolean }) => !f.explained)).toBe(true);
    const refused = await as(admins.jaworzno!, 'post', `${url}/submit`, {});
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      '/figures/PL_VACANT/comment',
      '/figures/PL_VACANT/comment',
    ]);
    expect(refused.body.error.details[0].message).toMatch(/from 1\.8% in 2024 to 30\.0%/);
    await as(admins.jaworzno!, 'put', url, {
      figures: [
        {
          indicator: 'PL_VACANT',
          numerator: 300,
          denominator: 1000,
          comment: 'blok wyłączony z użytkowania',
        },
      ],
    });
    const submitted = await as(admins.jaworzno!, 'post', `${url}/submit`, {});
    expect(submitted.status).toBe(200);
  });
});

describe('group benchmarks of reported figures', () => {
  it('a group gets its pseudonym key at its first use, the same for readers at once, and keeps it', async () => {
    const group = (await Group.findOne({ slug: 'gwd-housing' }).lean())!;
    const id = group._id.toHexString();
    await GroupKey.deleteOne({ _id: id });
    // Two processes reading at once (each without a key in memory): the first insert decides.
    const [a, b] = await Promise.all([readOrCreatePseudonymKey(id), readOrCreatePseudonymKey(id)]);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(await readOrCreatePseudonymKey(id)).toBe(a);
    expect((await GroupKey.findById(id).lean())!.key).toBe(a);
  });

  it('compares signed-off figures inside the group only, in the indicator’s direction, under pseudonyms until all agree', async () => {
    // The other four were signed off above.
    expect((await as(coordinator, 'post', `${ret('jaworzno', '2025')}/sign-off`)).status).toBe(200);
    const path = '/api/v1/benchmarks/PL_VACANT?period=2025&peerGroup=group:gwd-housing';
    const res = await as(analysts.kutno!, 'get', path);
    expect(res.status).toBe(200);
    // Vacancy: jaworzno 30%, the others 2.0, 2.1, 2.2, 2.3%; lower is better.
    const values = [0.3, 0.02, 0.021, 0.022, 0.023];
    expect(res.body.direction).toBe('lower');
    expect(res.body.summary.count).toBe(5);
    expect(res.body.summary.median).toBeCloseTo(0.022, 12);
    expect(res.body.summary.q1).toBeCloseTo(0.021, 12);
    expect(res.body.summary.q3).toBeCloseTo(0.023, 12);
    // kutno (2.2%) has two lower (better) values and two higher: 2 worse of 5 → 40.
    const kutno = 0.022;
    const worse = values.filter((v) => v > kutno).length;
    expect(res.body.you.percentileRank).toBeCloseTo(
      (100 * worse) / values.length + 100 * (0.5 / values.length),
      9,
    );
    const names = res.body.organisations.map((o: { name: string }) => o.name);
    expect(names).toContain('City of kutno');
    const pseudonyms = names.filter((n: string) => /^member-[0-9a-f]{6}$/.test(n));
    expect(new Set(pseudonyms).size).toBe(4);
    // A member reads the group's id and every member's id; a pseudonym made from them alone (it
    // was sha256 of "group|organisation") would name each peer.
    const group = await as(analysts.kutno!, 'get', G);
    expect(group.status).toBe(200);
    const computable = group.body.members.map(
      (m: { id: string }) =>
        `member-${createHash('sha256').update(`${group.body.id}|${m.id}`).digest('hex').slice(0, 6)}`,
    );
    expect(pseudonyms.filter((n: string) => computable.includes(n))).toEqual([]);
    // Stable from one read to the next.
    expect(
      (await as(analysts.kutno!, 'get', path)).body.organisations.map((o: { name: string }) => o.name),
    ).toEqual(names);
    expect(res.body.organisations.find((o: { you: boolean }) => o.you).n).toBe(1000);
    // Coordinators verify the figures and see names.
    const coord = await as(coordinator, 'get', path);
    expect(coord.body.organisations.map((o: { name: string }) => o.name).sort()).toEqual(
      CITIES.map((c) => `City of ${c}`).sort(),
    );
    expect(coord.body.you).toBeNull();
    // Every member agrees: names shown.
    for (const slug of CITIES)
      expect(
        (await as(admins[slug]!, 'put', `${G}/membership/name-consent`, { showName: true })).status,
      ).toBe(200);
    const named = await as(analysts.kutno!, 'get', path);
    expect(named.body.organisations.every((o: { name: string }) => o.name.startsWith('City of'))).toBe(true);
    // Outside the group: not comparable, and not visible.
    expect((await as(outsider, 'get', path)).status).toBe(404);
    expect((await as(otherCoordinator, 'get', path)).status).toBe(404);
    const noGroup = await as(analysts.kutno!, 'get', '/api/v1/benchmarks/PL_VACANT?period=2025');
    expect(noGroup.status).toBe(422);
    // Parts are benchmarked one by one; a part unavailable everywhere has no values.
    const part = await as(
      analysts.kutno!,
      'get',
      '/api/v1/benchmarks/RP02.non_emergency?period=2025&peerGroup=group:gwd-housing',
    );
    expect(part.body.summary.count).toBe(5);
    expect(part.body.direction).toBe('higher');
    const none = await as(
      analysts.kutno!,
      'get',
      '/api/v1/benchmarks/RP02.emergency?period=2025&peerGroup=group:gwd-housing',
    );
    expect(none.body.summary.count).toBe(0);
    expect(
      (
        await as(
          analysts.kutno!,
          'get',
          '/api/v1/benchmarks/RP02.other?period=2025&peerGroup=group:gwd-housing',
        )
      ).status,
    ).toBe(404);
    const csv = await ctx.http
      .get(path)
      .set('Authorization', bearer(analysts.kutno!))
      .set('Accept', 'text/csv');
    expect(csv.text).toContain('median');
  });

  it('the trend shows each signed-off period beside the group median; a reopened return leaves the benchmark', async () => {
    const trend = await as(
      analysts.jaworzno!,
      'get',
      '/api/v1/benchmarks/PL_VACANT/trend?peerGroup=group:gwd-housing',
    );
    expect(trend.status).toBe(200);
    expect(trend.body.points.map((p: { period: string }) => p.period)).toEqual(['2024', '2025']);
    expect(trend.body.points[0].value).toBeCloseTo(0.018, 12);
    expect(trend.body.points[0].peerMedian).toBeCloseTo(0.02, 12);
    expect(trend.body.points[1].peerCount).toBe(5);
    await as(coordinator, 'post', `${ret('jaworzno', '2025')}/reopen`, { reason: 'vacancy recount' });
    const after = await as(
      analysts.kutno!,
      'get',
      '/api/v1/benchmarks/PL_VACANT?period=2025&peerGroup=group:gwd-housing',
    );
    expect(after.body.summary.count).toBe(4);
    expect(after.body.organisations.some((o: { slug: string }) => o.slug === 'jaworzno')).toBe(false);
  });

  it('a member that leaves drops out of the group’s benchmarks and sees nothing more of it', async () => {
    const leave = await as(admins['szklarska-poreba']!, 'delete', `${G}/members/szklarska-poreba`);
    expect(leave.status).toBe(200);
    const res = await as(
      analysts.kutno!,
      'get',
      '/api/v1/benchmarks/PL_VACANT?period=2025&peerGroup=group:gwd-housing',
    );
    expect(res.body.summary.count).toBe(3);
    expect((await as(analysts['szklarska-poreba']!, 'get', G)).status).toBe(404);
    expect((await as(admins.kutno!, 'delete', `${G}/members/oswiecim`)).status).toBe(403);
  });
});

describe('survey indicators inside a group', () => {
  it('compares members only, and small-n suppression holds inside the group', async () => {
    const orgs = (await as(platform, 'get', '/api/v1/organisations?limit=200')).body.items as Array<{
      id: string;
      slug: string;
    }>;
    const idOf = (slug: string) => orgs.find((o) => o.slug === slug)!.id;
    // Published values as the aggregation writes them (the group only changes who is compared).
    const value = (slug: string, n: number, v: number, suppressed: 'primary' | null) =>
      IndicatorValue.create({
        _id: [idOf(slug), 'TP01', '2025', '*'].join('|'),
        organisationId: new Types.ObjectId(idOf(slug)),
        organisation: {
          slug,
          name: `City of ${slug}`,
          country: 'PL',
          region: '',
          type: 'city',
          housingStock: 5000,
        },
        indicatorId: 'TP01',
        kind: 'share',
        period: '2025',
        segment: '*',
        n,
        excluded: 0,
        value: v,
        low: v - 0.05,
        high: v + 0.05,
        distribution: '{}',
        minN: 10,
        suppressed,
        computedAt: new Date(),
      });
    await value('jaworzno', 50, 0.7, null);
    await value('kutno', 5, 0.4, 'primary');
    await value('oswiecim', 80, 0.6, null);
    await value('outsider', 100, 0.9, null);
    const path = '/api/v1/benchmarks/TP01?period=2025&peerGroup=group:gwd-housing';
    const seen = await as(analysts.jaworzno!, 'get', path);
    expect(seen.status).toBe(200);
    expect(seen.body.summary.count).toBe(2);
    expect(seen.body.summary.median).toBeCloseTo(0.65, 12);
    const rows = Object.fromEntries(
      seen.body.organisations.map((o: { slug: string; value: number | null }) => [o.slug, o.value]),
    );
    expect(rows).toEqual({ jaworzno: 0.7, kutno: null, oswiecim: 0.6 });
    const own = await as(analysts.kutno!, 'get', path);
    expect(own.body.you).toMatchObject({ value: 0.4, suppressed: 'primary' });
    expect((await as(outsider, 'get', path)).status).toBe(404);
    // Without the group, everyone who measured it is compared, outsider included.
    expect(
      (await as(analysts.jaworzno!, 'get', '/api/v1/benchmarks/TP01?period=2025')).body.summary.count,
    ).toBe(3);
  });
});

describe('reported indicator catalogue', () => {
  it('lists the built-in definitions with their sources and takes new ones from coordinators', async () => {
    const res = await as(analysts.kutno!, 'get', '/api/v1/reported-indicators');
    const ids = res.body.items.map((d: { id: string }) => d.id);
    expect(ids).toEqual(
      expect.arrayContaining(['BS01', 'BS05', 'RP01', 'RP02', 'CH01', 'CH02', 'NM01', 'PL_VACANT']),
    );
    for (const d of res.body.items) expect(d.source.length).toBeGreaterThan(10);
    const ch01 = res.body.items.find((d: { id: string }) => d.id === 'CH01');
    expect(ch01.kind).toBe('per1000');
    expect(ch01.parts.map((p: { key: string }) => p.key)).toEqual(['stage1', 'stage2']);
    const bad = await addReportedIndicator('GWD_RATE', {
      kind: 'rate',
      unit: '%',
      direction: 'higher',
      range: { min: 0, max: 5 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      '/denominator',
      '/range',
    ]);
    const ok = await as(coordinator, 'post', '/api/v1/reported-indicators', {
      id: 'GWD_DAYS_TO_LET',
      title: { default: 'Average days to re-let a vacant dwelling', pl: 'Średni czas ponownego najmu (dni)' },
      kind: 'value',
      numerator: { default: 'calendar days from vacancy to new tenancy, averaged' },
      unit: 'days',
      direction: 'lower',
      range: { min: 0, max: 3650 },
      source: 'Definition agreed by the group, 2026',
    });
    expect(ok.status).toBe(201);
    expect(
      (await as(admins.kutno!, 'post', '/api/v1/reported-indicators', { ...ok.body, id: 'X_Y' })).status,
    ).toBe(403);
    const patched = await as(coordinator, 'patch', G, { indicators: ['PL_VACANT', 'GWD_DAYS_TO_LET'] });
    expect(patched.status).toBe(200);
    // One id is one indicator across both catalogues: plans and trends name indicators by id alone.
    const clash = await addSurveyIndicator('GWD_DAYS_TO_LET');
    expect([clash.status, clash.body.error.code]).toEqual([409, 'DUPLICATE_INDICATOR']);
    expect((await addSurveyIndicator('GWD_ASKED')).status).toBe(201);
    const reported = await addReportedIndicator('GWD_ASKED');
    expect([reported.status, reported.body.error.code]).toEqual([409, 'DUPLICATE_INDICATOR']);
  });

  it('one id added to both catalogues at the same moment is kept by one of them only', async () => {
    for (const round of [1, 2, 3, 4]) {
      const id = `GWD_RACE_${round}`;
      const [survey, reported] = await Promise.all([addSurveyIndicator(id), addReportedIndicator(id)]);
      expect([round, [survey.status, reported.status].sort()]).toEqual([round, [201, 409]]);
      const refused = survey.status === 409 ? survey : reported;
      expect(refused.body.error.code).toBe('DUPLICATE_INDICATOR');
      const [surveyList, reportedList] = await Promise.all([
        as(platform, 'get', '/api/v1/indicator-definitions'),
        as(platform, 'get', '/api/v1/reported-indicators'),
      ]);
      const found = [...surveyList.body.items, ...reportedList.body.items].filter(
        (d: { id: string }) => d.id === id,
      );
      expect([round, found.length]).toEqual([round, 1]);
    }
  });

  it('a claim on an id left by an addition that failed is taken over once a minute old', async () => {
    const claims = mongoose.connection.db!.collection<{ _id: string; at: Date }>('indicator_ids');
    await claims.insertOne({ _id: 'GWD_LEFT_NOW', at: new Date() });
    await claims.insertOne({ _id: 'GWD_LEFT_OLD', at: new Date(Date.now() - 120_000) });
    const now = await addSurveyIndicator('GWD_LEFT_NOW');
    expect([now.status, now.body.error?.code]).toEqual([409, 'DUPLICATE_INDICATOR']);
    expect((await addSurveyIndicator('GWD_LEFT_OLD')).status).toBe(201);
    expect((await addSurveyIndicator('GWD_LEFT_OLD')).status).toBe(409);
  });

  it('refuses a number too large for a double instead of storing it as null', async () => {
    // JSON.parse reads 1e400 as Infinity, which JSON.stringify writes back as null.
    const body = JSON.stringify({
      id: 'GWD_HUGE',
      title: { default: 'x' },
      kind: 'value',
      numerator: { default: 'x' },
      unit: 'days',
      direction: 'lower',
      range: { min: 0, max: 1 },
      changeThreshold: 1,
      source: 'group decision 2026',
    })
      .replace('"max":1', '"max":1e400')
      .replace('"changeThreshold":1', '"changeThreshold":-1e400');
    const res = await ctx.http
      .post('/api/v1/reported-indicators')
      .set('Authorization', bearer(coordinator))
      .set('Content-Type', 'application/json')
      .send(body);
    expect([res.status, res.body.error?.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      '/changeThreshold',
      '/range/max',
    ]);
    const listed = await as(analysts.kutno!, 'get', '/api/v1/reported-indicators');
    expect(listed.body.items.map((d: { id: string }) => d.id)).not.toContain('GWD_HUGE');
  });
});
