import { ensureBenchLearningDemo } from '../../src/demo-bench-learning';
import { Group } from '../../src/modules/groups/group.model';
import { submissionDeps } from '../../src/modules/responses/responses.service';
import { bearer, createTestContext, type TestContext } from '../support/harness';

/**
 * The bench-learning demo `npm start` seeds: five Polish cities in a group with survey answers and
 * signed-off figures for two periods, two good practices and a plan, and a Georgian network. It
 * goes through the services tenants and staff use, so what it shows is what they would see.
 */
let ctx: TestContext;
let key = '';

beforeAll(async () => {
  ctx = await createTestContext();
  const deps = submissionDeps(ctx.config, ctx.runtime.queues, ctx.runtime.logger);
  const demo = await ensureBenchLearningDemo(ctx.config.publicBaseUrl, deps);
  expect(demo.coordinatorKey).toMatch(/.{20,}/);
  key = demo.coordinatorKey!;
  // A second start finds it and seeds nothing again.
  expect((await ensureBenchLearningDemo(ctx.config.publicBaseUrl, deps)).coordinatorKey).toBeNull();
}, 180_000);
afterAll(async () => {
  await ctx.close();
});

const get = (path: string) => ctx.http.get(path).set('Authorization', bearer(key));

describe('bench-learning demo', () => {
  it('has the five cities of the group with signed-off figures for two periods, compared by name', async () => {
    const group = await get('/api/v1/groups/gwd-mieszkalnictwo');
    expect(group.body.members.map((m: { name: string }) => m.name).sort()).toEqual(
      ['Bolesławiec', 'Jaworzno', 'Kutno', 'Oświęcim', 'Szklarska Poręba'].sort(),
    );
    expect(group.body.namesVisible).toBe(true);
    for (const period of ['2024', '2025']) {
      const returns = await get(`/api/v1/groups/gwd-mieszkalnictwo/returns?period=${period}`);
      expect(returns.body.items.map((r: { state: string }) => r.state)).toEqual(Array(5).fill('signed_off'));
      const vacancy = await get(
        `/api/v1/benchmarks/PL_VACANT?period=${period}&peerGroup=group:gwd-mieszkalnictwo`,
      );
      expect(vacancy.body.summary.count).toBe(5);
    }
  });

  it('has survey values from real answers for both periods, two practices and a plan with progress', async () => {
    const tp01 = await get('/api/v1/benchmarks/TP01?period=2025&peerGroup=group:gwd-mieszkalnictwo');
    expect(tp01.body.summary.count).toBe(5);
    const practices = await get('/api/v1/practices?q=pustostan');
    expect(practices.body.items).toHaveLength(1);
    const plans = await get('/api/v1/plans?group=gwd-mieszkalnictwo');
    expect(plans.body.items).toHaveLength(1);
    const plan = plans.body.items[0];
    expect(plan.organisation.slug).toBe('boleslawiec');
    expect(plan.goals.map((g: { baseline: { period: string } }) => g.baseline.period)).toEqual([
      '2024',
      '2024',
    ]);
    expect(plan.goals[0].progress.latest.period).toBe('2025');
    expect(plan.actions[0].practices).toHaveLength(1);
  });

  it('has a Georgian resource-centre network of homeowner associations', async () => {
    const orgs = await ctx.http.get('/api/v1/groups').set('Authorization', bearer(key));
    expect(orgs.body.items.map((g: { slug: string }) => g.slug)).toEqual(['gwd-mieszkalnictwo']);
    const network = await Group.findOne({ slug: 'hoa-network-ge' }).lean();
    expect(network?.members).toHaveLength(3);
    expect(network?.name).toMatch(/ამხანაგობ/);
  });
});
