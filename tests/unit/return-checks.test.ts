import {
  BUILT_IN_REPORTED,
  figureKey,
  figureSlots,
  figureValue,
  parseFigureKey,
  type ReportedIndicator,
} from '../../src/modules/catalogue/reported-indicators';
import { rankInDirection } from '../../src/modules/catalogue/statistics';
import {
  checkFigure,
  identify,
  missingFigures,
  outlierFences,
  type CheckContext,
} from '../../src/modules/returns/return-checks';
import { parseReturnCsv, rowPath } from '../../src/modules/returns/returns-csv';

const catalogue = new Map(BUILT_IN_REPORTED.map((d) => [d.id, d]));
const def = (id: string) => catalogue.get(id)!;
const none: CheckContext = {
  housingStock: null,
  previous: new Map(),
  previousPeriod: null,
  peers: new Map(),
};
const codes = (fs: Array<{ code: string }>) => fs.map((f) => f.code).sort();

describe('reported indicator catalogue', () => {
  it('holds the TSM management measures with the regulator’s parts and a Polish starter set, each with a source', () => {
    for (const id of ['BS01', 'BS02', 'BS03', 'BS04', 'BS05', 'RP01', 'RP02', 'CH01', 'CH02', 'NM01'])
      expect(catalogue.has(id)).toBe(true);
    expect(def('RP02').parts.map((p) => p.key)).toEqual(['non_emergency', 'emergency']);
    expect(def('CH01').kind).toBe('per1000');
    expect(def('NM01').parts.map((p) => p.key)).toEqual(['all', 'hate']);
    const polish = BUILT_IN_REPORTED.filter((d) => d.id.startsWith('PL_'));
    expect(polish.length).toBeGreaterThanOrEqual(6);
    expect(polish.length).toBeLessThanOrEqual(10);
    for (const d of BUILT_IN_REPORTED) {
      expect(d.source).toMatch(/https?:\/\/|[Uu]stawa|GUS/);
      expect(d.kind === 'value' || d.denominator).toBeTruthy();
    }
  });

  it('computes rates, counts per 1,000 homes and plain values', () => {
    expect(figureValue(def('BS01'), { numerator: 990, denominator: 1000 })).toBeCloseTo(0.99, 12);
    expect(figureValue(def('CH01'), { numerator: 37, denominator: 4120 })).toBeCloseTo(
      (37 / 4120) * 1000,
      12,
    );
    expect(figureValue(def('PL_COST_M2'), { value: 7.4 })).toBe(7.4);
    expect(figureValue(def('BS01'), { numerator: 1, denominator: 0 })).toBeNull();
  });

  it('names each figure by indicator, part and tenure, and reads the names back', () => {
    expect(figureSlots(def('RP02')).map((s) => figureKey('RP02', s.part, s.tenure))).toEqual([
      'RP02.non_emergency',
      'RP02.emergency',
    ]);
    const split: ReportedIndicator = { ...def('BS01'), id: 'X_SPLIT', tenureSplit: true };
    const withSplit = new Map([...catalogue, ['X_SPLIT', split]]);
    expect(figureSlots(split).map((s) => figureKey('X_SPLIT', s.part, s.tenure))).toEqual([
      'X_SPLIT.lcra',
      'X_SPLIT.lcho',
    ]);
    expect(parseFigureKey('X_SPLIT.lcho', withSplit)?.tenure).toBe('lcho');
    expect(parseFigureKey('RP02.emergency', catalogue)?.part).toBe('emergency');
    expect(parseFigureKey('RP02', catalogue)).toBeNull();
    expect(parseFigureKey('RP02.urgent', catalogue)).toBeNull();
    expect(parseFigureKey('BS01', catalogue)?.def.id).toBe('BS01');
  });
});

describe('checks at entry', () => {
  it('refuses a numerator above the denominator, a denominator above the stock and values out of range', () => {
    const ctx = { ...none, housingStock: 500 };
    expect(
      codes(checkFigure(def('BS01'), 'BS01', { indicator: 'BS01', numerator: 11, denominator: 10 }, ctx)),
    ).toEqual(['NUMERATOR_ABOVE_DENOMINATOR']);
    expect(
      codes(checkFigure(def('BS01'), 'BS01', { indicator: 'BS01', numerator: 1, denominator: 501 }, ctx)),
    ).toEqual(['ABOVE_HOUSING_STOCK']);
    // Repairs are not homes: no stock rule for RP02's denominator.
    expect(
      checkFigure(
        def('RP02'),
        'RP02.emergency',
        { indicator: 'RP02', numerator: 600, denominator: 900 },
        ctx,
      ),
    ).toEqual([]);
    expect(
      codes(checkFigure(def('PL_COST_M2'), 'PL_COST_M2', { indicator: 'PL_COST_M2', value: 250 }, ctx)),
    ).toEqual(['OUT_OF_RANGE']);
    expect(
      codes(checkFigure(def('BS01'), 'BS01', { indicator: 'BS01', numerator: 0, denominator: 0 }, ctx)),
    ).toEqual(['ZERO_DENOMINATOR']);
    expect(
      codes(checkFigure(def('PL_COST_M2'), 'PL_COST_M2', { indicator: 'PL_COST_M2', numerator: 3 }, ctx)),
    ).toEqual(['MISSING_VALUE', 'NOT_A_RATE']);
    expect(
      checkFigure(def('BS01'), 'BS01', { indicator: 'BS01', notAvailable: 'no gas in any building' }, ctx),
    ).toEqual([]);
  });

  it('asks for a comment on a change beyond the threshold, and counts a comment as the explanation', () => {
    const ctx = { ...none, previous: new Map([['BS01', 0.99]]), previousPeriod: '2024' };
    const drop = checkFigure(
      def('BS01'),
      'BS01',
      { indicator: 'BS01', numerator: 85, denominator: 100 },
      ctx,
    );
    expect(drop).toEqual([
      expect.objectContaining({
        code: 'LARGE_CHANGE',
        severity: 'warning',
        field: 'comment',
        explained: false,
      }),
    ]);
    expect(drop[0]!.message).toContain('from 99.0% in 2024 to 85.0%');
    // Within the threshold (0.1 for safety checks): nothing to explain.
    expect(
      checkFigure(def('BS01'), 'BS01', { indicator: 'BS01', numerator: 90, denominator: 100 }, ctx),
    ).toEqual([]);
    const explained = checkFigure(
      def('BS01'),
      'BS01',
      { indicator: 'BS01', numerator: 85, denominator: 100, comment: 'new contractor' },
      ctx,
    );
    expect(explained[0]!.explained).toBe(true);
  });

  it('flags values beyond 1.5 interquartile ranges of at least four peers', () => {
    // Peers 10, 20, 30, 40: quartiles (type 7) 17.5 and 32.5, IQR 15, fences −5 and 55.
    expect(outlierFences([40, 10, 30, 20])).toEqual({ low: -5, high: 55 });
    expect(outlierFences([10, 20, 30])).toBeNull();
    const peers = new Map([['CH01.stage1', [10, 20, 30, 40]]]);
    const at = (v: number) =>
      codes(
        checkFigure(
          def('CH01'),
          'CH01.stage1',
          { indicator: 'CH01', part: 'stage1', numerator: v, denominator: 1000 },
          { ...none, peers },
        ),
      );
    expect(at(55)).toEqual([]);
    expect(at(56)).toEqual(['OUTLIER']);
  });

  it('identifies figures by the group’s set, parts and tenures, and lists what a return lacks', () => {
    const ids = new Set(['RP02', 'BS01']);
    expect(identify({ indicator: 'RP02', part: 'emergency' }, ids, catalogue)).toEqual({
      def: def('RP02'),
      key: 'RP02.emergency',
    });
    expect(codes(identify({ indicator: 'RP02' }, ids, catalogue) as Array<{ code: string }>)).toEqual([
      'UNKNOWN_PART',
    ]);
    expect(
      codes(identify({ indicator: 'CH01', part: 'stage1' }, ids, catalogue) as Array<{ code: string }>),
    ).toEqual(['UNKNOWN_INDICATOR']);
    expect(
      codes(identify({ indicator: 'BS01', tenure: 'lcra' }, ids, catalogue) as Array<{ code: string }>),
    ).toEqual(['UNKNOWN_TENURE']);
    expect(
      missingFigures([def('RP02'), def('BS01')], [{ indicator: 'RP02', part: 'emergency' }]).map(
        (f) => f.figure,
      ),
    ).toEqual(['RP02.non_emergency', 'BS01']);
  });
});

describe('percentile rank in the indicator’s direction', () => {
  it('puts the best value at the top whichever way is better', () => {
    const values = [1, 2, 3, 4];
    expect(rankInDirection(values, 4, 'higher')).toBe(87.5);
    expect(rankInDirection(values, 1, 'lower')).toBe(87.5);
    expect(rankInDirection(values, 1, 'neutral')).toBe(12.5);
    expect(rankInDirection([5, 5], 5, 'lower')).toBe(50);
  });
});

/** The details of the 422 a call throws; fails the test when it does not throw one. */
function detailsOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    expect((err as { status: number }).status).toBe(422);
    return (err as { details: unknown }).details;
  }
  throw new Error('expected a 422');
}

describe('return CSV', () => {
  it('reads semicolon files with decimal commas and reports errors at their line and column', () => {
    const parsed = parseReturnCsv('\uFEFFindicator;value;comment\nPL_COST_M2;"7,5";ok\n\nPL_VACANT;;\n');
    expect(parsed.figures).toEqual([
      { indicator: 'PL_COST_M2', value: 7.5, comment: 'ok', numerator: null, denominator: null },
      { indicator: 'PL_VACANT', value: null, numerator: null, denominator: null },
    ]);
    expect(parsed.lines).toEqual([2, 4]);
    expect(rowPath(parsed)({ index: 1, field: 'notAvailable' } as never)).toBe('/rows/4/not_available');
    expect(detailsOf(() => parseReturnCsv('indicator,numerator,colour\nbs01,-3,red\n'))).toEqual([
      { path: '/columns', message: expect.stringContaining('unknown columns colour') },
    ]);
    expect(detailsOf(() => parseReturnCsv('indicator,numerator\nbs01,-3\nBS01,1e2\nBS01,"1,2,3"\n'))).toEqual(
      [
        { path: '/rows/2/indicator', message: '"bs01" is not an indicator id' },
        { path: '/rows/2/numerator', message: 'cannot be negative' },
        { path: '/rows/4/numerator', message: '"1,2,3" is not a number' },
      ],
    );
    expect(() => parseReturnCsv('indicator\n')).toThrow(/cannot be used/);
    expect(() => parseReturnCsv('indicator,value\n"PL_COST_M2,3\n')).toThrow(/cannot be read/);
  });
});
