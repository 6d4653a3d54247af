import { specToSvg } from '../../src/charts/render';
import {
  benchmarkSpec,
  chartLabels,
  segmentsSpec,
  trendSpec,
  type BenchmarkBody,
  type SegmentsBody,
} from '../../src/charts/specs';

/** The children of every mark group Vega names `{name}_marks`, or null when there is none. */
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

const segments: SegmentsBody = {
  indicator: 'TP01',
  kind: 'share',
  period: '2026',
  segments: [
    { segment: '*', label: 'Whole organisation', n: 60, value: 0.7, low: 0.58, high: 0.8, suppressed: null },
    {
      segment: 'estate:East',
      label: 'estate:East',
      n: 14,
      value: 0.5,
      low: 0.27,
      high: 0.73,
      suppressed: 'secondary',
    },
    {
      segment: 'estate:North',
      label: 'estate:North',
      n: 40,
      value: 0.8,
      low: 0.65,
      high: 0.9,
      suppressed: null,
    },
    {
      segment: 'estate:South',
      label: 'estate:South',
      n: 6,
      value: 0.5,
      low: 0.19,
      high: 0.81,
      suppressed: 'primary',
    },
  ],
};

describe('segments chart', () => {
  it('draws shown segments as points with interval bars and says hidden ones in words, never their value', async () => {
    const svg = await specToSvg(segmentsSpec(segments, { lang: 'en' }));
    const values = markGroup(svg, 'symbol', 'values');
    expect(count(values, 'path')).toBe(1);
    expect(values).toContain('estate:North');
    expect(values).toContain('80%');
    expect(count(markGroup(svg, 'symbol', 'whole'), 'path')).toBe(1);
    // The whole organisation and North have intervals; hidden segments none.
    expect(count(markGroup(svg, 'rule', 'intervals'), 'line')).toBe(2);
    const hidden = markGroup(svg, 'text', 'hidden');
    expect(count(hidden, 'text')).toBe(2);
    expect(hidden).toContain('>too few answers<');
    // The hidden segments' values appear nowhere in the drawing.
    expect(svg).not.toMatch(/estate:South[^"]*50%/);
    expect(svg).not.toMatch(/estate:East[^"]*50%/);
  });

  it('keeps the given order (never by value) and speaks the organisation’s language', async () => {
    const spec = segmentsSpec(segments, { lang: 'pl' }) as {
      layer: Array<{ encoding: { y?: { sort?: unknown } } }>;
    };
    expect(spec.layer[0]!.encoding.y?.sort).toEqual(segments.segments.map((s) => s.label));
    const svg = await specToSvg(segmentsSpec(segments, { lang: 'pl' }));
    expect(markGroup(svg, 'text', 'hidden')).toContain(`>${chartLabels('pl').tooFew}<`);
  });

  it('leaves out layers with nothing to draw', async () => {
    const all: SegmentsBody = {
      ...segments,
      segments: segments.segments.map((s) => ({ ...s, suppressed: 'primary' })),
    };
    const svg = await specToSvg(segmentsSpec(all, { lang: 'en' }));
    expect(markGroup(svg, 'symbol', 'values')).toBeNull();
    expect(markGroup(svg, 'rule', 'intervals')).toBeNull();
    expect(count(markGroup(svg, 'text', 'hidden'), 'text')).toBe(4);
  });
});

describe('reported figures', () => {
  it('reads rates as percentages from zero, and draws a trend without a band when there is no interval', async () => {
    const svg = await specToSvg(
      trendSpec(
        {
          indicator: 'PL_VACANT',
          segment: '*',
          points: [
            {
              period: '2025',
              n: 1000,
              value: 0.05,
              low: null,
              high: null,
              suppressed: null,
              peerMedian: 0.06,
              peerCount: 2,
              methodChanged: false,
            },
            {
              period: '2026',
              n: 1000,
              value: 0.042,
              low: null,
              high: null,
              suppressed: null,
              peerMedian: 0.053,
              peerCount: 2,
              methodChanged: false,
            },
          ],
        },
        { lang: 'en', kind: 'rate' },
      ),
    );
    expect(markGroup(svg, 'area', 'band')).toBeNull();
    expect(count(markGroup(svg, 'line', 'lines'), 'path')).toBe(2);
    expect(svg).toContain('>0.0%<');
    expect(svg).toContain(chartLabels('en').rate);
  });

  it('draws a group benchmark of the caller alone without an empty layer of peers', async () => {
    const body: BenchmarkBody = {
      indicator: 'PL_VACANT',
      kind: 'rate',
      period: '2026',
      segment: '*',
      peerGroup: 'group:g',
      quantileMethod: 'Hyndman-Fan type 7',
      summary: { count: 1, min: 0.042, q1: 0.042, median: 0.042, q3: 0.042, max: 0.042 },
      you: { value: 0.042, percentileRank: 50 },
      organisations: [{ slug: 'a', name: 'A', n: 1000, value: 0.042, you: true }],
    };
    const svg = await specToSvg(benchmarkSpec(body, { lang: 'en' }));
    expect(markGroup(svg, 'symbol', 'peers')).toBeNull();
    expect(markGroup(svg, 'symbol', 'you')).toContain('4.2%');
  });
});
