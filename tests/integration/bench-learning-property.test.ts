import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';

/**
 * Random groups report random figures through the API; every benchmark (quartiles, median,
 * direction-aware percentile ranks) and every plan's progress status must equal a
 * recomputation written here from scratch, independent of the service's code.
 */
let ctx: TestContext;
let platform = '';

/** mulberry32: a small seeded generator, so a failure can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Type-7 quantile, written again. */
function q7(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!);
}

/** Share of values worse than x plus half of those equal, in percent, "worse" by direction. */
function directedRank(values: number[], x: number, direction: string): number {
  const worse = values.filter((v) => (direction === 'lower' ? v > x : v < x)).length;
  const equal = values.filter((v) => v === x).length;
  return (100 * (worse + equal / 2)) / values.length;
}

/** Progress status, written again from the rule in the API description. */
function expectedStatus(
  baseline: { period: string; value: number },
  target: { period: string; value: number },
  direction: string,
  later: Array<{ period: string; value: number }>,
): string {
  const year = (p: string) => Number(p) + 0.5;
  const inWindow = later
    .filter((m) => year(m.period) > year(baseline.period) && year(m.period) <= year(target.period))
    .sort((a, b) => year(a.period) - year(b.period));
  const latest = inWindow[inWindow.length - 1];
  if (!latest) return 'not_yet_measured';
  const higher = direction === 'higher' || (direction === 'neutral' && target.value >= baseline.value);
  if (higher ? latest.value >= target.value : latest.value <= target.value) return 'achieved';
  const covered = (latest.value - baseline.value) / (target.value - baseline.value);
  const elapsed =
    (year(latest.period) - year(baseline.period)) / (year(target.period) - year(baseline.period));
  return elapsed < 1 && covered >= elapsed ? 'on_track' : 'off_track';
}

const PERIODS = ['2023', '2024', '2025'];
/** Indicators of the set: id, figure key, direction, how a random figure is drawn. */
const FIGURES = [
  { indicator: 'PL_VACANT', key: 'PL_VACANT', direction: 'lower' },
  { indicator: 'RP02', part: 'non_emergency', key: 'RP02.non_emergency', direction: 'higher' },
  { indicator: 'PL_COST_M2', key: 'PL_COST_M2', direction: 'lower' },
] as const;

beforeAll(async () => {
  ctx = await createTestContext();
  platform = await createPlatformKey();
});
afterAll(async () => {
  await ctx.close();
});

async function as(key: string, method: 'get' | 'put' | 'post', path: string, body?: object) {
  const req = ctx.http[method](path).set('Authorization', bearer(key));
  return body === undefined ? req : req.send(body);
}

describe.each([11, 29])('random group, seed %i', (seed) => {
  it('benchmarks and plan progress equal an independent recomputation', async () => {
    const random = rng(seed);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const slug = `g${seed}`;
    const centre = await createOrganisationViaApi(ctx, platform, `${slug}-centre`, {
      type: 'resource_centre',
    });
    const coordinator = await issueKeyViaApi(ctx, centre.adminKey, `${slug}-centre`, 'coordinator');
    const created = await as(coordinator, 'post', '/api/v1/groups', {
      slug,
      name: `Group ${seed}`,
      indicators: ['PL_VACANT', 'RP02', 'PL_COST_M2'],
      calendar: PERIODS.map((period) => ({
        period,
        opens: '2020-01-01T00:00:00Z',
        closes: '2099-01-01T00:00:00Z',
        signOffBy: '2099-06-01T00:00:00Z',
      })),
    });
    expect(created.status).toBe(201);
    const members: Array<{ slug: string; admin: string; analyst: string; stock: number }> = [];
    for (let i = 0, n = int(4, 7); i < n; i++) {
      const stock = int(800, 6000);
      const org = await createOrganisationViaApi(ctx, platform, `${slug}-m${i}`, { housingStock: stock });
      members.push({
        slug: org.slug,
        admin: org.adminKey,
        analyst: await issueKeyViaApi(ctx, org.adminKey, org.slug, 'analyst'),
        stock,
      });
      await as(coordinator, 'post', `/api/v1/groups/${slug}/invitations`, { organisation: org.slug });
      expect((await as(org.adminKey, 'post', `/api/v1/groups/${slug}/membership`)).status).toBe(200);
    }

    // Random figures; ties are made likely by drawing from few values.
    const values = new Map<string, number>(); // member|key|period → value
    for (const period of PERIODS)
      for (const m of members) {
        const homes = int(200, m.stock);
        const vacant = int(0, 6) * 10;
        const repairs = int(50, 400);
        const onTime = Math.min(repairs, Math.round(repairs * (0.5 + int(0, 5) / 10)));
        const cost = int(40, 120) / 10;
        const figures = [
          { indicator: 'PL_VACANT', numerator: vacant, denominator: homes, comment: 'random' },
          {
            indicator: 'RP02',
            part: 'non_emergency',
            numerator: onTime,
            denominator: repairs,
            comment: 'random',
          },
          { indicator: 'RP02', part: 'emergency', notAvailable: 'not split' },
          { indicator: 'PL_COST_M2', value: cost, comment: 'random' },
        ];
        values.set(`${m.slug}|PL_VACANT|${period}`, vacant / homes);
        values.set(`${m.slug}|RP02.non_emergency|${period}`, onTime / repairs);
        values.set(`${m.slug}|PL_COST_M2|${period}`, cost);
        const url = `/api/v1/groups/${slug}/returns/${m.slug}/${period}`;
        const put = await as(m.admin, 'put', url, { figures });
        expect(put.status).toBe(200);
        expect((await as(m.admin, 'post', `${url}/submit`, {})).status).toBe(200);
        expect((await as(coordinator, 'post', `${url}/sign-off`)).status).toBe(200);
      }

    for (const f of FIGURES)
      for (const period of PERIODS) {
        const all = members.map((m) => values.get(`${m.slug}|${f.key}|${period}`)!);
        for (const m of members) {
          const res = await as(
            m.analyst,
            'get',
            `/api/v1/benchmarks/${f.key}?period=${period}&peerGroup=group:${slug}`,
          );
          expect(res.status).toBe(200);
          const s = res.body.summary;
          expect(s.count).toBe(all.length);
          expect(s.min).toBeCloseTo(Math.min(...all), 12);
          expect(s.max).toBeCloseTo(Math.max(...all), 12);
          expect(s.q1).toBeCloseTo(q7(all, 0.25), 12);
          expect(s.median).toBeCloseTo(q7(all, 0.5), 12);
          expect(s.q3).toBeCloseTo(q7(all, 0.75), 12);
          const mine = values.get(`${m.slug}|${f.key}|${period}`)!;
          expect(res.body.you.value).toBeCloseTo(mine, 12);
          expect(res.body.you.percentileRank).toBeCloseTo(directedRank(all, mine, f.direction), 9);
        }
      }

    // A plan per member: a goal per figure, baseline 2023, a random target in the right direction.
    for (const m of members) {
      const goals = FIGURES.map((f) => {
        const baseline = values.get(`${m.slug}|${f.key}|2023`)!;
        const step = (f.key === 'PL_COST_M2' ? 2 : 0.05) * (0.2 + random());
        const better = f.direction === 'higher' ? baseline + step : baseline - step;
        return {
          indicator: f.key,
          baselinePeriod: '2023',
          target: { value: better, period: random() < 0.5 ? '2025' : '2026' },
        };
      });
      const plan = await as(m.admin, 'post', '/api/v1/plans', { title: 'plan', group: slug, goals });
      expect(plan.status).toBe(201);
      for (const [i, f] of FIGURES.entries()) {
        const later = PERIODS.map((period) => ({
          period,
          value: values.get(`${m.slug}|${f.key}|${period}`)!,
        }));
        const goal = plan.body.goals[i];
        expect(goal.baseline.value).toBeCloseTo(later[0]!.value, 12);
        expect(goal.progress.status).toBe(expectedStatus(later[0]!, goal.target, f.direction, later));
      }
    }
  });
});
