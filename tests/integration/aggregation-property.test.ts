import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import mongoose from 'mongoose';
import { fullRebuild, unreflectedResponses } from '../../src/modules/indicators/aggregation.service';
import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';
import { drain, startTestWorker } from '../support/worker';

/**
 * Random datasets over several organisations, survey versions and segments, with don't-know
 * answers and skip logic, submitted through the API. After the queue drains, every stored
 * indicator must equal a plain recomputation written here, independently of the service.
 */
let ctx: TestContext;
let worker: Worker;

beforeAll(async () => {
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: '100' });
  worker = startTestWorker(ctx);
});
afterAll(async () => {
  await worker.close();
  await ctx.close();
});

// A deterministic generator, so a failure can be replayed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAT = ['very_satisfied', 'fairly_satisfied', 'neither', 'fairly_dissatisfied', 'very_dissatisfied'];
const REPAIR_MAP: Record<string, string> = {
  '5': 'very_satisfied',
  '4': 'fairly_satisfied',
  '3': 'neither',
  '2': 'fairly_dissatisfied',
  '1': 'very_dissatisfied',
  na: 'not_applicable',
};

function definition(wording: string) {
  return {
    title: 'Property survey',
    pages: [
      {
        name: 'p1',
        elements: [
          {
            type: 'radiogroup',
            name: 'overall',
            title: wording,
            isRequired: true,
            choices: [...SAT, 'dont_know'],
          },
          { type: 'radiogroup', name: 'had_repair', isRequired: true, choices: ['yes', 'no'] },
          {
            type: 'radiogroup',
            name: 'repair',
            visibleIf: "{had_repair} = 'yes'",
            choices: ['5', '4', '3', '2', '1', 'na'],
          },
          { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 },
        ],
      },
    ],
  };
}
const mapping = [
  { indicator: 'TP01', question: 'overall' },
  { indicator: 'TP02', question: 'repair', valueMap: REPAIR_MAP },
  { indicator: 'NPS', question: 'nps' },
];

interface Sent {
  org: string;
  period: string;
  segment: string;
  answers: Record<string, unknown>;
}

const Z = 1.959964;
function wilson(x: number, n: number, N: number | null) {
  const f = N === null ? 1 : N === n ? 0 : Math.sqrt((N - n) / (N - 1));
  const z = Z * f;
  const p = x / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { value: p, low: x === 0 ? 0 : Math.max(0, c - h), high: x === n ? 1 : Math.min(1, c + h) };
}

/** The expected value of one indicator over a set of answer sets, computed from scratch. */
function expected(
  indicator: string,
  sets: Array<Record<string, unknown>>,
  population: number | null,
  respondents: number,
) {
  let base = 0;
  let excluded = 0;
  let positive = 0;
  let promoters = 0;
  let detractors = 0;
  for (const a of sets) {
    if (indicator === 'TP01' || indicator === 'TP02') {
      const raw =
        indicator === 'TP01'
          ? a.overall
          : a.repair === undefined
            ? undefined
            : REPAIR_MAP[a.repair as string];
      if (raw === undefined) continue;
      if (raw === 'dont_know' || raw === 'not_applicable') excluded++;
      else {
        base++;
        if (raw === 'very_satisfied' || raw === 'fairly_satisfied') positive++;
      }
    } else {
      if (a.nps === undefined) continue;
      base++;
      if ((a.nps as number) >= 9) promoters++;
      if ((a.nps as number) <= 6) detractors++;
    }
  }
  // The stock is used only when it is not below the survey responses behind the cell.
  const N = population !== null && population >= Math.max(respondents, base + excluded) ? population : null;
  if (base === 0) return { n: 0, excluded, value: null, low: null, high: null };
  if (indicator === 'NPS') {
    // Adjusted Wald (Rocks 2016): ¾ added to promoters and detractors, 3 to n; with a known stock
    // z becomes z·f throughout, so the added counts shrink by f².
    const f = N === null ? 1 : N === base ? 0 : Math.sqrt((N - base) / (N - 1));
    const a = base + 3 * f * f;
    const P = (promoters + 0.75 * f * f) / a;
    const D = (detractors + 0.75 * f * f) / a;
    const half = Z * f * 100 * Math.sqrt((P + D - (P - D) ** 2) / a);
    const centre = 100 * (P - D);
    const v = (100 * (promoters - detractors)) / base;
    return {
      n: base,
      excluded,
      value: v,
      low: Math.min(v, Math.max(-100, centre - half)),
      high: Math.max(v, Math.min(100, centre + half)),
    };
  }
  return { n: base, excluded, ...wilson(positive, base, N) };
}

it('after the queue drains, every indicator equals a plain recomputation (and a full rebuild changes nothing)', async () => {
  const random = rng(20261121);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const platform = await createPlatformKey();
  const sent: Sent[] = [];
  const orgs: Array<{ slug: string; stock: number | null }> = [];
  const segmentStock: Record<string, number> = {};

  for (let o = 0; o < 4; o++) {
    const stock = o === 3 ? null : 200 + Math.floor(random() * 3000);
    const slug = `prop-${o}`;
    const org = await createOrganisationViaApi(
      ctx,
      platform,
      slug,
      stock === null ? { housingStock: undefined } : { housingStock: stock },
    );
    orgs.push({ slug, stock });
    const key = org.adminKey;
    const survey = await ctx.http
      .post('/api/v1/surveys')
      .set('Authorization', bearer(key))
      .send({
        slug: 'prop',
        definition: definition('Overall, how satisfied are you?'),
        indicatorMapping: mapping,
      });
    await ctx.http.post(`/api/v1/surveys/${survey.body.id}/versions`).set('Authorization', bearer(key));
    interface Planned {
      period: string;
      segment: string;
      version: number;
      stock?: number;
      slug?: string;
    }
    // 2025 runs version 1 in three estates (two of known housing stock, which decides the
    // secondary suppression); 2026 runs version 1 for the whole organisation and, after the
    // overall question is reworded, version 2 in estate A: 2026 mixes two methods.
    const campaigns: Planned[] = [
      { period: '2025', segment: 'estate:A', version: 1, stock: 150 },
      { period: '2025', segment: 'estate:B', version: 1 },
      { period: '2025', segment: 'estate:C', version: 1, stock: 90 },
      { period: '2026', segment: '', version: 1 },
    ];
    const start = async (c: Planned) => {
      const res = await ctx.http
        .post('/api/v1/campaigns')
        .set('Authorization', bearer(key))
        .send({
          surveyId: survey.body.id,
          version: c.version,
          period: c.period,
          segment: c.segment,
          ...(c.stock ? { housingStock: c.stock } : {}),
        });
      expect(res.status).toBe(201);
      c.slug = res.body.slug;
      if (c.stock) segmentStock[`${slug}|${c.period}|${c.segment}`] = c.stock;
    };
    for (const c of campaigns) await start(c);
    await ctx.http
      .put(`/api/v1/surveys/${survey.body.id}/draft`)
      .set('Authorization', bearer(key))
      .send({
        definition: definition('All things considered, how satisfied are you with us?'),
        indicatorMapping: mapping,
      });
    await ctx.http.post(`/api/v1/surveys/${survey.body.id}/versions`).set('Authorization', bearer(key));
    const v2: Planned = { period: '2026', segment: 'estate:A', version: 2 };
    await start(v2);
    campaigns.push(v2);

    for (const c of campaigns) {
      const count = Math.floor(random() * 30);
      for (let i = 0; i < count; i++) {
        const answers: Record<string, unknown> = {
          overall: pick([...SAT, 'dont_know']),
          had_repair: pick(['yes', 'no']),
        };
        if (answers.had_repair === 'yes' && random() < 0.8) answers.repair = pick(Object.keys(REPAIR_MAP));
        if (random() < 0.7) answers.nps = Math.floor(random() * 11);
        const res = await ctx.http
          .post(`/api/v1/public/campaigns/${c.slug}/responses`)
          .send({ submissionId: randomUUID(), locale: 'en', answers });
        expect(res.status).toBe(201);
        sent.push({ org: slug, period: c.period, segment: c.segment, answers });
      }
    }
  }

  expect(await drain(ctx.runtime.queues.aggregation)).toBe(0);
  const check = async () => {
    const stored = await mongoose.connection.db!.collection('indicator_values').find({}).toArray();
    let compared = 0;
    for (const org of orgs) {
      for (const period of ['2025', '2026']) {
        const mine = sent.filter((s) => s.org === org.slug && s.period === period);
        const segments = [...new Set(mine.map((s) => s.segment)), '*'];
        for (const indicator of ['TP01', 'TP02', 'NPS']) {
          // Survey responses behind a cell: those of the segments where the indicator was measured.
          const measuredIn = (segment: string) => {
            const sets = mine.filter((s) => s.segment === segment).map((s) => s.answers);
            const e = expected(indicator, sets, null, 0);
            return e.n + e.excluded > 0 ? sets.length : 0;
          };
          const cells = segments.map((segment) => {
            const sets = mine.filter((s) => segment === '*' || s.segment === segment).map((s) => s.answers);
            const population =
              segment === '*' ? org.stock : (segmentStock[`${org.slug}|${period}|${segment}`] ?? null);
            const respondents =
              segment === '*'
                ? segments.filter((g) => g !== '*').reduce((sum, g) => sum + measuredIn(g), 0)
                : measuredIn(segment);
            return {
              segment,
              exp: expected(indicator, sets, population, respondents),
              answered: sets.length,
              stock: population,
            };
          });
          // Primary below 10. Secondary: while the hidden parts holding answers are fewer than two
          // or pool under 10 beside a published total, hide the published part of smallest housing
          // stock (unknown stock last, then by name), else the total.
          const parts = cells.filter((c) => c.segment !== '*' && c.exp.n + c.exp.excluded > 0);
          const primary = new Set(cells.filter((c) => c.exp.n < 10).map((c) => c.segment));
          const secondary = new Set<string>();
          const hidden = parts.filter((c) => primary.has(c.segment) && c.exp.n > 0);
          if (hidden.length && !primary.has('*')) {
            const candidates = parts
              .filter((c) => !primary.has(c.segment) && c.exp.n > 0)
              .sort(
                (a, b) =>
                  (a.stock ?? Number.MAX_VALUE) - (b.stock ?? Number.MAX_VALUE) ||
                  (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0),
              );
            let pooled = hidden.reduce((sum, c) => sum + c.exp.n, 0);
            let count = hidden.length;
            while (count < 2 || pooled < 10) {
              const next = candidates.shift();
              if (!next) {
                secondary.add('*');
                break;
              }
              secondary.add(next.segment);
              pooled += next.exp.n;
              count++;
            }
          }
          for (const cell of cells) {
            const doc = stored.find(
              (d) =>
                d.organisation.slug === org.slug &&
                d.period === period &&
                d.segment === cell.segment &&
                d.indicatorId === indicator,
            );
            const measured = cell.exp.n + cell.exp.excluded > 0;
            if (!measured && cell.segment !== '*' && !doc) continue;
            if (!measured && !doc) continue;
            expect(doc).toBeDefined();
            expect(doc!.n).toBe(cell.exp.n);
            expect(doc!.excluded).toBe(cell.exp.excluded);
            for (const k of ['value', 'low', 'high'] as const) {
              if (cell.exp[k] === null) expect(doc![k]).toBeNull();
              else expect(Math.abs(doc![k] - (cell.exp[k] as number))).toBeLessThan(1e-9);
            }
            const reason = primary.has(cell.segment)
              ? 'primary'
              : secondary.has(cell.segment)
                ? 'secondary'
                : null;
            expect([cell.segment, doc!.suppressed]).toEqual([cell.segment, reason]);
            compared++;
          }
        }
      }
    }
    return compared;
  };
  const compared = await check();
  expect(compared).toBeGreaterThan(40);
  expect(sent.length).toBeGreaterThan(100);
  expect(await unreflectedResponses()).toBe(0);

  // A full rebuild from scratch gives exactly the same numbers.
  const rebuilt = await fullRebuild();
  expect(rebuilt.responses).toBe(sent.length);
  expect(await check()).toBe(compared);

  // The reworded question shows up as a method change in 2026, where both versions answered.
  const tp01 = await mongoose.connection
    .db!.collection('indicator_values')
    .findOne({ 'organisation.slug': 'prop-0', period: '2026', segment: '*', indicatorId: 'TP01' });
  const v2Answers = sent.filter(
    (s) => s.org === 'prop-0' && s.period === '2026' && s.segment === 'estate:A',
  ).length;
  const v1Answers = sent.filter((s) => s.org === 'prop-0' && s.period === '2026' && s.segment === '').length;
  if (v1Answers && v2Answers) expect(tp01!.methods.length).toBe(2);
});
