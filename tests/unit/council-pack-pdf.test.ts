import { specToSvg } from '../../src/charts/render';
import { benchmarkSpec, trendSpec, type BenchmarkBody, type TrendBody } from '../../src/charts/specs';
import {
  councilPackPdf,
  formatValue,
  packLanguage,
  type CouncilPack,
} from '../../src/modules/reports/council-pack';
import { parsePdf } from '../support/pdf';

type Value = CouncilPack['headlines'][number]['value'];

function value(extra: Partial<Value>): Value {
  return {
    indicator: 'TP01',
    kind: 'share',
    period: '2026',
    segment: '*',
    n: 120,
    excluded: 3,
    value: 0.625,
    low: 0.536,
    high: 0.706,
    responses: 130,
    responseRate: 0.13,
    baseRate: 0.12,
    population: 1000,
    populationIgnored: false,
    distribution: {},
    nByMode: { online: 90, paper: 30 },
    weighted: null,
    minN: 10,
    suppressed: null,
    methodChanged: false,
    computedAt: '2026-11-30T10:00:00.000Z',
    ...extra,
  };
}

const bench: BenchmarkBody = {
  indicator: 'TP01',
  kind: 'share',
  period: '2026',
  segment: '*',
  peerGroup: 'all',
  quantileMethod: 'Hyndman-Fan type 7',
  summary: { count: 3, min: 0.5, q1: 0.56, median: 0.625, q3: 0.66, max: 0.7 },
  you: { value: 0.625, percentileRank: 50 },
  organisations: [
    { slug: 'a', name: 'A', n: 50, value: 0.5, you: false },
    { slug: 'me', name: 'Me', n: 120, value: 0.625, you: true },
    { slug: 'b', name: 'B', n: 60, value: 0.7, you: false },
  ],
};
const history: TrendBody = {
  indicator: 'TP01',
  segment: '*',
  points: [
    {
      period: '2026',
      n: 120,
      value: 0.625,
      low: 0.536,
      high: 0.706,
      suppressed: null,
      peerMedian: 0.625,
      peerCount: 3,
      methodChanged: true,
    },
  ],
};

async function pack(): Promise<CouncilPack> {
  const svgs = {
    benchmarkSvg: await specToSvg(benchmarkSpec(bench, { lang: 'en' })),
    trendSvg: await specToSvg(trendSpec(history, { lang: 'en', kind: 'share' })),
  };
  const weighted = {
    status: 'weighted',
    value: 0.6,
    low: 0.5,
    high: 0.69,
    n: 120,
    effectiveN: 96.4,
    method: 'raking',
    variables: ['age', 'tenure'],
    trim: { min: 0.3, max: 3 },
    converged: true,
    designEffect: 1.25,
  };
  return {
    organisation: { slug: 'hove', name: 'Hove Homes', housingStock: 1000 },
    period: '2026',
    lang: 'en',
    generatedAt: new Date('2026-12-01T09:00:00Z'),
    headlines: [
      {
        id: 'TP01',
        title: 'Overall satisfaction with the landlord’s service',
        kind: 'share',
        minN: 10,
        value: value({ weighted, methodChanged: true }),
        benchmark: bench,
        trend: history,
        ...svgs,
      },
      {
        id: 'TP09',
        title: 'Satisfaction with the landlord’s approach to complaints handling',
        kind: 'share',
        minN: 10,
        value: value({ indicator: 'TP09', n: 7, value: 3 / 7, low: 0.16, high: 0.75, suppressed: 'primary' }),
        benchmark: { ...bench, indicator: 'TP09' },
        trend: history,
        ...svgs,
      },
    ],
    segments: [
      {
        id: 'TP01',
        title: 'Overall satisfaction with the landlord’s service',
        kind: 'share',
        rows: [
          value({ segment: 'estate:North', n: 100, value: 0.65, low: 0.55, high: 0.74 }),
          value({ segment: 'estate:South', n: 6, value: 0.5, suppressed: 'primary' }),
        ],
      },
    ],
  };
}

it('prints values, weighting, flags, hidden segments and the method in the pack’s language', async () => {
  const parsed = await parsePdf(await councilPackPdf(await pack()));
  expect(parsed.title).toBe('Council pack – Hove Homes – 2026');
  const text = parsed.pages.join(' ');
  expect(text).toContain('Generated 1 December 2026');
  expect(text).toContain('Value: 62.5% (95% interval: 53.6%–70.6%)');
  expect(text).toContain('Base n: 120; responses: 130; response rate: 13%');
  expect(text).toContain('paper questionnaire: 30');
  expect(text).toContain('Weighted: 60.0% (95% interval: 50.0%–69.0%; effective n: 96.4)');
  expect(text).toContain('Base below the minimum n of 10: not published to other organisations');
  expect(text).toContain('The question or its scale changed');
  expect(text).toContain('estate:North 100 65.0% 55.0%–74.0%');
  expect(text).toContain('estate:South — — —');
  expect(text).toContain('Percentile rank: 50');
  // The method page: margin of error from 130 responses out of 1,000 homes, weighting, quartiles.
  expect(text).toContain('Margin of error achieved: ±8%');
  expect(text).toContain('Variables: age, tenure');
  expect(text).toContain('Design effect: 1.3; effective sample size: 96.4');
  expect(text).toContain('Hyndman–Fan type 7');
});

it('formats values per kind and language, and picks the language', () => {
  expect(formatValue('share', 0.5, 'pl')).toBe('50,0%');
  expect(formatValue('nps', -12.25, 'en')).toBe('-12.3');
  expect(formatValue('mean', 3.456, 'en')).toBe('3.46');
  expect(formatValue('share', null, 'en')).toBe('—');
  expect(packLanguage(undefined, ['ka', 'en'])).toBe('ka');
  expect(packLanguage('uk', ['pl'])).toBe('uk');
  expect(packLanguage(undefined, ['de'])).toBe('en');
});
