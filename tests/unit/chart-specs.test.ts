import { specToSvg } from '../../src/charts/render';
import {
  benchmarkSpec,
  chartLabels,
  trendSpec,
  type BenchmarkBody,
  type BenchmarkOrganisation,
  type TrendBody,
} from '../../src/charts/specs';

/** The children of every mark group Vega names `{name}_marks` (one per series for lines), or null. */
function markGroup(svg: string, type: string, name: string): string | null {
  const open = new RegExp(`<g[^>]*class="mark-${type} role-mark ${name}_marks"[^>]*>`, 'g');
  const groups = [...svg.matchAll(open)].map((m) => {
    const rest = svg.slice(m.index + m[0].length);
    return rest.slice(0, rest.indexOf('</g>'));
  });
  return groups.length ? groups.join('') : null;
}

const count = (text: string | null, element: string) =>
  (text?.match(new RegExp(`<${element}\\b`, 'g')) ?? []).length;

function org(
  name: string,
  value: number | null,
  extra: Partial<BenchmarkOrganisation> = {},
): BenchmarkOrganisation {
  return {
    slug: name.toLowerCase(),
    name,
    n: value === null ? null : 40,
    value,
    suppressed: value === null,
    you: false,
    ...extra,
  };
}

const body: BenchmarkBody = {
  indicator: 'TP01',
  kind: 'share',
  direction: 'higher',
  period: '2026',
  segment: '*',
  peerGroup: 'all',
  quantileMethod: 'Hyndman-Fan type 7',
  minN: 10,
  summary: { count: 5, min: 0.4, q1: 0.5, median: 0.6, q3: 0.7, max: 0.8 },
  you: { value: 0.6, percentileRank: 50 },
  organisations: [
    org('Alpha', 0.4),
    org('Beta', 0.5),
    org('Gamma', 0.6, { you: true }),
    org('Delta', 0.7),
    org('Epsilon', 0.8),
    org('Hidden', null),
  ],
};

describe('benchmark chart', () => {
  it('draws one point per organisation shown, the caller apart, the middle half and the median', async () => {
    const svg = await specToSvg(benchmarkSpec(body, { lang: 'en' }));
    // Four others (the suppressed one is left out), and the caller as its own larger mark.
    expect(count(markGroup(svg, 'symbol', 'peers'), 'path')).toBe(4);
    expect(count(markGroup(svg, 'symbol', 'you'), 'path')).toBe(1);
    expect(count(markGroup(svg, 'rect', 'iqr'), 'path')).toBe(1);
    expect(count(markGroup(svg, 'rule', 'median'), 'line')).toBe(1);
    expect(markGroup(svg, 'text', 'youLabel')).toContain('>You<');
    expect(svg).toContain('font-family="DejaVu Sans"');
    // Shares read as percentages on the axis.
    expect(svg).toMatch(/>60%</);
  });

  it('labels the caller and the axis in the organisation’s language', async () => {
    const svg = await specToSvg(benchmarkSpec(body, { lang: 'pl' }));
    expect(markGroup(svg, 'text', 'youLabel')).toContain(`>${chartLabels('pl').you}<`);
    expect(svg).toContain(chartLabels('pl').share);
    expect(chartLabels('ka-GE').median).toBe('მედიანა');
    expect(chartLabels('xx').you).toBe('You');
  });

  it('draws no band or median when nothing is published, and no caller without a value', async () => {
    const empty: BenchmarkBody = {
      ...body,
      summary: { count: 0, min: null, q1: null, median: null, q3: null, max: null },
      you: null,
      organisations: [org('Hidden', null)],
    };
    const svg = await specToSvg(benchmarkSpec(empty, { lang: 'en' }));
    expect(markGroup(svg, 'rect', 'iqr')).toBeNull();
    expect(markGroup(svg, 'symbol', 'you')).toBeNull();
    expect(count(markGroup(svg, 'symbol', 'peers'), 'path')).toBe(0);
  });
});

describe('trend chart', () => {
  const t: TrendBody = {
    indicator: 'TP01',
    segment: '*',
    points: [
      {
        period: '2024',
        n: 50,
        value: 0.5,
        low: 0.4,
        high: 0.6,
        suppressed: null,
        peerMedian: 0.55,
        peerCount: 4,
        methodChanged: false,
      },
      {
        period: '2025',
        n: 60,
        value: 0.6,
        low: 0.5,
        high: 0.7,
        suppressed: null,
        peerMedian: 0.58,
        peerCount: 5,
        methodChanged: true,
      },
      {
        period: '2026',
        n: 70,
        value: 0.65,
        low: 0.55,
        high: 0.74,
        suppressed: null,
        peerMedian: 0.6,
        peerCount: 5,
        methodChanged: false,
      },
    ],
  };

  it('draws the interval band, the own line, the dashed peer median and marks a method change', async () => {
    const svg = await specToSvg(trendSpec(t, { lang: 'en', kind: 'share' }));
    expect(count(markGroup(svg, 'area', 'band'), 'path')).toBe(1);
    const lines = markGroup(svg, 'line', 'lines');
    expect(count(lines, 'path')).toBe(2);
    expect(lines).toMatch(/stroke-dasharray="6,4"/);
    expect(count(markGroup(svg, 'symbol', 'methodChanged'), 'path')).toBe(1);
    expect(svg).toContain('Peer median');
  });

  it('reads values in 0..1 as shares when the kind is not given, and names axes in Russian', async () => {
    const svg = await specToSvg(trendSpec(t, { lang: 'ru' }));
    expect(svg).toContain(chartLabels('ru').share);
    expect(svg).toContain(chartLabels('ru').period);
  });
});
