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
 * The audit log of data returns and improvement plans over HTTP: every change leaves exactly one
 * line in the owning organisation's log, naming who made it, with the state before and after; a
 * refused change (stale revision, failed checks, wrong state) leaves none, and the router adds no
 * second, coarser line.
 */
let ctx: TestContext;
let platform: string;
let coordinator = '';
let coordinatorId = '';
let member = '';
let memberId = '';
const G = '/api/v1/groups/audit-group';
const RET = `${G}/returns/audit-member/2025`;

interface Line {
  id: string;
  action: string;
  actor: { kind: string; id: string; role: string };
  resource: { type: string; id: string };
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

async function as(
  key: string,
  method: 'get' | 'put' | 'post' | 'patch' | 'delete',
  path: string,
  body?: object,
) {
  const req = ctx.http[method](path).set('Authorization', bearer(key));
  const res = await (body === undefined ? req : req.send(body));
  await expectDocumentedAt(ctx, res, method, path);
  return res;
}

/** The member organisation's log, oldest first, read as its admin. */
async function log(query = ''): Promise<Line[]> {
  const res = await as(member, 'get', `/api/v1/organisations/audit-member/audit?limit=200${query}`);
  expect(res.status).toBe(200);
  return res.body.items as Line[];
}

/** Lines written since `seen` lines were read. */
async function since(seen: number, query = ''): Promise<Line[]> {
  return (await log(query)).slice(seen);
}

const figures = [
  { indicator: 'PL_VACANT', numerator: 40, denominator: 1000 },
  { indicator: 'PL_COST_M2', value: 9.5 },
];

beforeAll(async () => {
  ctx = await createTestContext();
  platform = await createPlatformKey();
  const org = await createOrganisationViaApi(ctx, platform, 'audit-member', { housingStock: 5000 });
  member = org.adminKey;
  const coord = await createOrganisationViaApi(ctx, platform, 'audit-coord', { type: 'resource_centre' });
  coordinator = await issueKeyViaApi(ctx, coord.adminKey, 'audit-coord', 'coordinator');
  const group = await as(coordinator, 'post', '/api/v1/groups', {
    slug: 'audit-group',
    name: 'Audit group',
    indicators: ['PL_VACANT', 'PL_COST_M2'],
    calendar: [
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
    ],
  });
  expect(group.status).toBe(201);
  expect((await as(coordinator, 'post', `${G}/invitations`, { organisation: 'audit-member' })).status).toBe(
    200,
  );
  expect((await as(member, 'post', `${G}/membership`)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await ctx.close();
});

describe('a data return', () => {
  let returnId = '';

  it('records its creation and each change of figures with the changed figures before and after', async () => {
    const start = (await log()).length;
    const created = await as(member, 'put', RET, { figures, revision: 0 });
    expect(created.status).toBe(200);
    returnId = created.body.id as string;
    const [line, ...more] = await since(start);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      action: 'return.created',
      actor: { kind: 'key', role: 'admin' },
      resource: { type: 'return', id: returnId },
      before: null,
      after: {
        group: 'audit-group',
        organisation: 'audit-member',
        period: '2025',
        state: 'draft',
        revision: 1,
        figures: {
          PL_VACANT: { numerator: 40, denominator: 1000, value: null },
          PL_COST_M2: { value: 9.5 },
        },
      },
    });
    memberId = line!.actor.id;

    const changed = await as(member, 'put', RET, {
      figures: [{ indicator: 'PL_COST_M2', value: 10 }],
      revision: 1,
    });
    expect(changed.status).toBe(200);
    const [change, ...extra] = await since(start + 1);
    expect(extra).toEqual([]);
    expect(change).toMatchObject({
      action: 'return.figures-changed',
      actor: { id: memberId, role: 'admin' },
      before: { state: 'draft', revision: 1, figures: { PL_COST_M2: { value: 9.5 } } },
      after: { state: 'draft', revision: 2, figures: { PL_COST_M2: { value: 10 } } },
    });
    // Only the changed figure is in the line.
    expect(Object.keys(change!.after!.figures as object)).toEqual(['PL_COST_M2']);
  });

  it('a refused change leaves no line: stale revision, failed checks, wrong state, unchanged figures', async () => {
    const start = (await log()).length;
    const stale = await as(member, 'put', RET, {
      figures: [{ indicator: 'PL_COST_M2', value: 11 }],
      revision: 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('STALE_REVISION');
    const invalid = await as(member, 'put', RET, {
      figures: [{ indicator: 'PL_VACANT', numerator: 2000, denominator: 1000 }],
    });
    expect(invalid.status).toBe(422);
    const staleSubmit = await as(member, 'post', `${RET}/submit`, { revision: 0 });
    expect(staleSubmit.status).toBe(409);
    const early = await as(coordinator, 'post', `${RET}/sign-off`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('RETURN_STATE');
    const same = await as(member, 'put', RET, { figures: [{ indicator: 'PL_COST_M2', value: 10 }] });
    expect(same.status).toBe(200);
    expect(await since(start)).toEqual([]);
  });

  it('records submit, query, answer, close, sign-off and reopen, each once, by who made it', async () => {
    const start = (await log()).length;
    expect((await as(member, 'post', `${RET}/submit`, { revision: 2 })).status).toBe(200);
    const queried = await as(coordinator, 'post', `${RET}/queries`, {
      figure: 'PL_VACANT',
      message: 'Is 40 right?',
    });
    expect(queried.status).toBe(200);
    const queryId = queried.body.queries[0].id as string;
    const answered = await as(member, 'post', `${RET}/queries/${queryId}/messages`, {
      message: 'Yes, counted on 31 December.',
    });
    expect(answered.status).toBe(200);
    // Answered but not closed: sign-off is refused and leaves no line.
    const refused = await as(coordinator, 'post', `${RET}/sign-off`);
    expect(refused.status).toBe(409);
    expect((await as(member, 'post', `${RET}/submit`, { revision: answered.body.revision })).status).toBe(
      200,
    );
    expect((await as(coordinator, 'post', `${RET}/queries/${queryId}/close`)).status).toBe(200);
    const closedAgain = await as(coordinator, 'post', `${RET}/queries/${queryId}/close`);
    expect(closedAgain.status).toBe(409);
    expect((await as(coordinator, 'post', `${RET}/sign-off`)).status).toBe(200);
    expect((await as(coordinator, 'post', `${RET}/reopen`, { reason: 'wrong year of costs' })).status).toBe(
      200,
    );

    const lines = await since(start);
    expect(lines.map((l) => l.action)).toEqual([
      'return.submitted',
      'return.queried',
      'return.query-answered',
      'return.submitted',
      'return.query-closed',
      'return.signed-off',
      'return.reopened',
    ]);
    for (const l of lines) expect(l.resource).toEqual({ type: 'return', id: returnId });
    const roles = lines.map((l) => l.actor.role);
    expect(roles).toEqual([
      'admin',
      'coordinator',
      'admin',
      'admin',
      'coordinator',
      'coordinator',
      'coordinator',
    ]);
    coordinatorId = lines[1]!.actor.id;
    expect(coordinatorId).not.toBe(memberId);
    expect(lines[0]).toMatchObject({
      before: { state: 'draft', revision: 2 },
      after: { state: 'submitted', revision: 3 },
    });
    expect(lines[1]).toMatchObject({
      before: { state: 'submitted' },
      after: {
        state: 'queried',
        query: { id: queryId, figure: 'PL_VACANT', status: 'open', message: 'Is 40 right?' },
      },
    });
    expect(lines[2]).toMatchObject({
      before: { state: 'queried', query: { id: queryId, status: 'open' } },
      after: { state: 'queried', query: { status: 'answered', message: 'Yes, counted on 31 December.' } },
    });
    expect(lines[4]).toMatchObject({
      before: { query: { status: 'answered' } },
      after: { state: 'submitted', query: { status: 'closed' } },
    });
    expect(lines[5]).toMatchObject({ before: { state: 'submitted' }, after: { state: 'signed_off' } });
    expect(lines[6]).toMatchObject({
      before: { state: 'signed_off' },
      after: { state: 'draft', reason: 'wrong year of costs' },
    });
    // Each revision appears once as an "after": no change recorded twice.
    const revisions = lines.map((l) => l.after!.revision);
    expect(new Set(revisions).size).toBe(revisions.length);
    // The router adds no coarse line of its own for returns.
    expect((await log('&resourceType=returns')).length).toBe(0);
    expect((await log('&action=request.post')).filter((l) => l.resource.id.includes('/returns/'))).toEqual(
      [],
    );
    // The coordinator's organisation's log does not repeat them.
    const coordLog = await as(
      platform,
      'get',
      '/api/v1/organisations/audit-coord/audit?limit=200&resourceType=return',
    );
    expect(coordLog.body.items).toEqual([]);
  });
});

describe('an improvement plan', () => {
  it('records created, changed, goals, actions, reviews and deleted, each once with before and after', async () => {
    const start = (await log()).length;
    const created = await as(member, 'post', '/api/v1/plans', {
      title: 'Fewer empty homes',
      cycle: '2025–2027',
      group: 'audit-group',
      actions: [{ what: 'Survey empty flats' }],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const patched = await as(member, 'patch', `/api/v1/plans/${id}`, {
      title: 'Fewer vacant homes',
      revision: 0,
    });
    expect(patched.status).toBe(200);
    const stale = await as(member, 'patch', `/api/v1/plans/${id}`, { title: 'stale', revision: 0 });
    expect(stale.status).toBe(409);
    const badGoal = await as(member, 'post', `/api/v1/plans/${id}/goals`, {
      indicator: 'NOPE',
      target: { value: 1, period: '2026' },
    });
    expect(badGoal.status).toBe(422);
    const noBaseline = await as(member, 'post', `/api/v1/plans/${id}/goals`, {
      indicator: 'PL_VACANT',
      target: { value: 0.01, period: '2027' },
    });
    expect(noBaseline.status).toBe(422);
    const added = await as(member, 'post', `/api/v1/plans/${id}/actions`, {
      what: 'Call the owners',
      status: 'planned',
    });
    expect(added.status).toBe(200);
    const actionId = added.body.actions[1].id as string;
    const done = await as(member, 'patch', `/api/v1/plans/${id}/actions/${actionId}`, { status: 'done' });
    expect(done.status).toBe(200);
    const reviewed = await as(member, 'post', `/api/v1/plans/${id}/reviews`, {
      note: 'Half way there',
      nextReviewAt: '2027-01-15T00:00:00.000Z',
    });
    expect(reviewed.status).toBe(200);
    expect((await as(member, 'delete', `/api/v1/plans/${id}`)).status).toBe(204);
    expect((await as(member, 'delete', `/api/v1/plans/${id}`)).status).toBe(404);

    const lines = await since(start);
    expect(lines.map((l) => l.action)).toEqual([
      'plan.created',
      'plan.changed',
      'plan.action-added',
      'plan.action-changed',
      'plan.reviewed',
      'plan.deleted',
    ]);
    for (const l of lines) {
      expect(l.resource).toEqual({ type: 'plan', id });
      expect(l.actor).toEqual({ kind: 'key', id: memberId, role: 'admin' });
    }
    const [made, changed, action, status, review, deleted] = lines;
    expect(made!.before).toBeNull();
    expect(made!.after).toMatchObject({
      title: 'Fewer empty homes',
      cycle: '2025–2027',
      revision: 0,
      actions: [{ what: 'Survey empty flats', status: 'planned' }],
    });
    expect(changed).toMatchObject({
      before: { title: 'Fewer empty homes', revision: 0 },
      after: { title: 'Fewer vacant homes', revision: 1 },
    });
    expect(action).toMatchObject({
      before: { revision: 1, action: null },
      after: { revision: 2, action: { id: actionId, what: 'Call the owners' } },
    });
    expect(status).toMatchObject({
      before: { action: { id: actionId, status: 'planned' } },
      after: { revision: 3, action: { id: actionId, status: 'done' } },
    });
    expect(review).toMatchObject({
      before: { reviews: 0, nextReviewAt: null },
      after: { reviews: 1, review: { note: 'Half way there' }, nextReviewAt: '2027-01-15T00:00:00.000Z' },
    });
    expect(deleted).toMatchObject({ before: { title: 'Fewer vacant homes', reviews: 1 }, after: null });
    // No coarse router line besides them.
    expect((await log('&resourceType=plans')).length).toBe(0);
  });

  it('records goals added and removed with the goal before and after', async () => {
    // A signed-off 2024 return gives PL_VACANT a baseline.
    const r2024 = `${G}/returns/audit-member/2024`;
    const start = (await log()).length;
    const plan = await as(member, 'post', '/api/v1/plans', { title: 'Goals', group: 'audit-group' });
    expect(plan.status).toBe(201);
    const id = plan.body.id as string;
    // 2024's collection is over but open for entry: figures, submit, sign-off.
    expect((await as(member, 'put', r2024, { figures })).status).toBe(200);
    expect((await as(member, 'post', `${r2024}/submit`, {})).status).toBe(200);
    expect((await as(coordinator, 'post', `${r2024}/sign-off`)).status).toBe(200);
    const goal = await as(member, 'post', `/api/v1/plans/${id}/goals`, {
      indicator: 'PL_VACANT',
      target: { value: 0.02, period: '2026' },
    });
    expect(goal.status).toBe(200);
    const goalId = goal.body.goals[0].id as string;
    expect((await as(member, 'delete', `/api/v1/plans/${id}/goals/${goalId}`)).status).toBe(200);
    const lines = (await since(start)).filter((l) => l.resource.type === 'plan');
    expect(lines.map((l) => l.action)).toEqual(['plan.created', 'plan.goal-added', 'plan.goal-removed']);
    expect(lines[1]).toMatchObject({
      before: { revision: 0, goal: null },
      after: {
        revision: 1,
        goal: {
          id: goalId,
          indicator: 'PL_VACANT',
          baseline: { period: '2024', value: 0.04 },
          target: { value: 0.02 },
        },
      },
    });
    expect(lines[2]).toMatchObject({
      before: { revision: 1, goal: { id: goalId } },
      after: { revision: 2, goal: null },
    });
  });
});
