/**
 * Chart definitions shared by the browser console and the PDF reports: Vega-Lite specs built
 * from the benchmark and trend responses of the API. Pure data in, plain objects out, no
 * runtime imports, so the same file is bundled for the browser and run in Node.
 *
 * Every chart stays readable in black and white: the caller is told apart by shape, size and
 * fill, the peer median by a dashed stroke, never by colour alone.
 */

/** How an indicator's value is expressed (`share` in 0..1, `nps` in −100..100, `mean` on its scale). */
export type IndicatorKind = 'share' | 'nps' | 'mean' | 'rate' | 'per1000' | 'value';

/** The distribution of published values across the peer group (Hyndman-Fan type 7 quartiles). */
export interface BenchmarkSummary {
  count: number;
  min: number | null;
  q1: number | null;
  median: number | null;
  q3: number | null;
  max: number | null;
}

/** One organisation of a benchmark; `value` is null when it is hidden (suppressed). */
export interface BenchmarkOrganisation {
  slug: string;
  name: string;
  country?: string;
  region?: string;
  type?: string;
  stockBand?: string | null;
  n: number | null;
  value: number | null;
  low?: number | null;
  high?: number | null;
  suppressed?: boolean;
  you: boolean;
  [extra: string]: unknown;
}

/** The body of `GET /api/v1/benchmarks/{indicator}`, as far as the charts read it. */
export interface BenchmarkBody {
  indicator: string;
  kind?: IndicatorKind | string;
  direction?: 'higher' | 'lower' | 'neutral';
  unit?: string;
  period: string;
  segment: string;
  peerGroup: string;
  quantileMethod: string;
  minN?: number;
  summary: BenchmarkSummary;
  you: { value: number | null; percentileRank?: number | null; [extra: string]: unknown } | null;
  organisations: BenchmarkOrganisation[];
}

/** One period of a trend: the caller's value with its interval beside the peer median. */
export interface TrendPoint {
  period: string;
  n: number | null;
  value: number | null;
  low: number | null;
  high: number | null;
  suppressed: string | null;
  peerMedian: number | null;
  peerCount: number;
  methodChanged: boolean;
}

/** The body of `GET /api/v1/benchmarks/{indicator}/trend`. */
export interface TrendBody {
  indicator: string;
  segment: string;
  points: TrendPoint[];
}

/** How a chart is drawn. */
export interface ChartOptions {
  /** Language of the axis titles and labels (`en`, `pl`, `uk`, `ru`, `ka`; others fall back to English). */
  lang: string;
  /** Width of the plotting area in pixels (points in a PDF). */
  width?: number;
  /** Height of the plotting area in pixels (points in a PDF). */
  height?: number;
  /** A title above the chart; none when omitted. */
  title?: string;
  /**
   * The indicator's kind. The benchmark body carries it; the trend body does not, so pass it for
   * trends (without it a trend whose values all lie in 0..1 is read as a share).
   */
  kind?: IndicatorKind | string;
}

/** A Vega-Lite specification as a plain object. */
export type VegaLiteSpec = Record<string, unknown>;

/** The texts a chart shows, per language. */
export interface ChartLabels {
  share: string;
  nps: string;
  mean: string;
  value: string;
  period: string;
  you: string;
  others: string;
  median: string;
  middleHalf: string;
  peerMedian: string;
  interval: string;
  methodChanged: string;
  /** Axis title of reported rates (a share of a count, 0..1). */
  rate: string;
  /** Axis title of reported counts per 1,000 homes. */
  per1000: string;
  /** The whole organisation beside its segments. */
  whole: string;
  /** Said in place of a segment's value that is hidden for its small base. */
  tooFew: string;
  /** Axis title of the segments. */
  segment: string;
}

const LABELS: Record<'en' | 'pl' | 'uk' | 'ru' | 'ka', ChartLabels> = {
  en: {
    share: 'Share satisfied',
    nps: 'Net Promoter Score',
    mean: 'Mean score',
    value: 'Value',
    period: 'Period',
    you: 'You',
    others: 'Other organisations',
    median: 'Median',
    middleHalf: 'Middle half (Q1–Q3)',
    peerMedian: 'Peer median',
    interval: '95% interval',
    methodChanged: 'Method changed',
    rate: 'Rate',
    per1000: 'Per 1,000 homes',
    whole: 'Whole organisation',
    tooFew: 'too few answers',
    segment: 'Segment',
  },
  pl: {
    share: 'Odsetek zadowolonych',
    nps: 'Net Promoter Score',
    mean: 'Średnia ocena',
    value: 'Wartość',
    period: 'Okres',
    you: 'Wy',
    others: 'Pozostałe organizacje',
    median: 'Mediana',
    middleHalf: 'Środkowa połowa (Q1–Q3)',
    peerMedian: 'Mediana grupy porównawczej',
    interval: 'Przedział 95%',
    methodChanged: 'Zmiana metody',
    rate: 'Odsetek',
    per1000: 'Na 1000 mieszkań',
    whole: 'Cała organizacja',
    tooFew: 'za mało odpowiedzi',
    segment: 'Segment',
  },
  uk: {
    share: 'Частка задоволених',
    nps: 'Індекс NPS',
    mean: 'Середня оцінка',
    value: 'Значення',
    period: 'Період',
    you: 'Ви',
    others: 'Інші організації',
    median: 'Медіана',
    middleHalf: 'Середня половина (Q1–Q3)',
    peerMedian: 'Медіана групи порівняння',
    interval: '95% інтервал',
    methodChanged: 'Змінено метод',
    rate: 'Частка',
    per1000: 'На 1000 помешкань',
    whole: 'Уся організація',
    tooFew: 'замало відповідей',
    segment: 'Сегмент',
  },
  ru: {
    share: 'Доля удовлетворённых',
    nps: 'Индекс NPS',
    mean: 'Средняя оценка',
    value: 'Значение',
    period: 'Период',
    you: 'Вы',
    others: 'Другие организации',
    median: 'Медиана',
    middleHalf: 'Средняя половина (Q1–Q3)',
    peerMedian: 'Медиана группы сравнения',
    interval: '95% интервал',
    methodChanged: 'Изменён метод',
    rate: 'Доля',
    per1000: 'На 1000 жилых помещений',
    whole: 'Вся организация',
    tooFew: 'слишком мало ответов',
    segment: 'Сегмент',
  },
  ka: {
    share: 'კმაყოფილთა წილი',
    nps: 'NPS ინდექსი',
    mean: 'საშუალო ქულა',
    value: 'მნიშვნელობა',
    period: 'პერიოდი',
    you: 'თქვენ',
    others: 'სხვა ორგანიზაციები',
    median: 'მედიანა',
    middleHalf: 'შუა ნახევარი (Q1–Q3)',
    peerMedian: 'შედარების ჯგუფის მედიანა',
    interval: '95% ინტერვალი',
    methodChanged: 'მეთოდი შეიცვალა',
    rate: 'წილი',
    per1000: '1000 საცხოვრებელზე',
    whole: 'მთელი ორგანიზაცია',
    tooFew: 'ძალიან ცოტა პასუხი',
    segment: 'სეგმენტი',
  },
};

/** The chart texts in a language (`pl-PL` reads as `pl`); English when the language is not covered. */
export function chartLabels(lang: string): ChartLabels {
  const base = lang.toLowerCase().split(/[-_]/)[0] ?? 'en';
  return base in LABELS ? LABELS[base as keyof typeof LABELS] : LABELS.en;
}

/** The font charts use; the PDF renderer maps it onto its embedded DejaVu Sans. */
export const CHART_FONT = 'DejaVu Sans';

const INK = '#000000';
const GREY = '#595959';
const BAND = '#d9d9d9';

/** Axis title, scale and number format for a kind of value. */
function valueAxis(kind: string | undefined, labels: ChartLabels) {
  switch (kind) {
    case 'share':
      return { title: labels.share, format: '.0%', scale: { domain: [0, 1] } };
    case 'nps':
      return { title: labels.nps, format: 'd', scale: { domain: [-100, 100] } };
    case 'mean':
      return { title: labels.mean, format: '.1f', scale: { zero: false, nice: true } };
    case 'rate':
      // Reported rates are often a few per cent: the scale starts at zero but stops near the values.
      return { title: labels.rate, format: '.1%', scale: { zero: true, nice: true } };
    case 'per1000':
      return { title: labels.per1000, format: ',.1f', scale: { zero: true, nice: true } };
    default:
      return { title: labels.value, format: ',.3~f', scale: { zero: false, nice: true } };
  }
}

function base(opts: ChartOptions, width: number, height: number): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: opts.width ?? width,
    height: opts.height ?? height,
    background: '#ffffff',
    ...(opts.title ? { title: { text: opts.title, anchor: 'start', fontSize: 12 } } : {}),
    config: {
      font: CHART_FONT,
      view: { stroke: GREY, strokeWidth: 0.5 },
      axis: { labelColor: INK, titleColor: INK, domainColor: INK, tickColor: INK, gridColor: '#e6e6e6' },
      legend: { labelColor: INK, titleColor: INK, orient: 'bottom', direction: 'horizontal', labelLimit: 0 },
      title: { color: INK },
    },
  };
}

/**
 * A fixed, well-spread vertical offset per organisation (the golden-ratio sequence), so a
 * redraw of the same benchmark puts every point at the same place.
 */
function jitter(i: number): number {
  const f = ((i + 1) * 0.6180339887) % 1;
  return 0.12 + 0.76 * f;
}

/**
 * The benchmark as a distribution: a hollow point per organisation whose value is shown, the
 * middle half (Q1–Q3) as a shaded band, the median as a solid rule, and the caller as a larger
 * filled diamond labelled "You". Suppressed organisations are left out; nothing is ranked.
 *
 * Layer names (`iqr`, `median`, `peers`, `you`) become mark names in the rendered scene.
 */
export function benchmarkSpec(b: BenchmarkBody, opts: ChartOptions): VegaLiteSpec {
  const labels = chartLabels(opts.lang);
  const axis = valueAxis(b.kind ?? opts.kind, labels);
  const shown = b.organisations.filter((o) => o.value !== null && o.value !== undefined && !o.suppressed);
  const others = shown
    .filter((o) => !o.you)
    .map((o, i) => ({ name: o.name, value: o.value as number, y: jitter(i) }));
  const own = b.organisations.find((o) => o.you && o.value !== null && o.value !== undefined);
  const x = {
    field: 'value',
    type: 'quantitative',
    title: axis.title,
    scale: axis.scale,
    axis: { format: axis.format, grid: true },
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    scale: { domain: [0, 1] },
    axis: null,
    title: null,
  };
  const { q1, q3, median } = b.summary;
  const layers: VegaLiteSpec[] = [];
  if (q1 !== null && q3 !== null)
    layers.push({
      name: 'iqr',
      data: { values: [{ value: q1, value2: q3, label: labels.middleHalf }] },
      mark: { type: 'rect', fill: BAND, stroke: GREY, strokeWidth: 0.5 },
      encoding: { x, x2: { field: 'value2' } },
    });
  if (median !== null)
    layers.push(
      {
        name: 'median',
        data: { values: [{ value: median }] },
        mark: { type: 'rule', stroke: INK, strokeWidth: 2 },
        encoding: { x },
      },
      {
        name: 'medianLabel',
        data: { values: [{ value: median, label: labels.median }] },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 2, y: 0, fontSize: 9, fill: INK },
        encoding: { x, text: { field: 'label' } },
      },
    );
  // An empty layer would leave an unnamed, empty graphic for screen readers.
  if (others.length)
    layers.push({
      name: 'peers',
      data: { values: others },
      mark: { type: 'point', shape: 'circle', filled: false, size: 45, stroke: INK, strokeWidth: 1 },
      encoding: {
        x,
        y,
        tooltip: [
          { field: 'name', type: 'nominal' },
          { field: 'value', type: 'quantitative', format: axis.format },
        ],
      },
    });
  if (own) {
    const row = [{ name: own.name, value: own.value as number, y: 0.5, label: labels.you }];
    layers.push(
      {
        name: 'you',
        data: { values: row },
        mark: { type: 'point', shape: 'diamond', filled: true, size: 180, fill: INK, stroke: INK },
        encoding: { x, y },
      },
      {
        name: 'youLabel',
        data: { values: row },
        mark: { type: 'text', dy: -14, fontSize: 10, fontWeight: 'bold', fill: INK },
        encoding: { x, y, text: { field: 'label' } },
      },
    );
  }
  return { ...base(opts, 460, 110), layer: layers };
}

/**
 * The caller's value per period as a solid line with points, its 95% interval as a shaded band,
 * the peer median as a dashed line (a legend tells the two apart by dash), and periods whose
 * question or scale changed marked with an open triangle above the value.
 *
 * Layer names (`band`, `lines`, `methodChanged`) become mark names in the rendered scene.
 */
export function trendSpec(t: TrendBody, opts: ChartOptions): VegaLiteSpec {
  const labels = chartLabels(opts.lang);
  const values = t.points.flatMap((p) => [p.value, p.low, p.high, p.peerMedian]).filter(isNumber);
  const kind = opts.kind ?? (values.length && values.every((v) => v >= 0 && v <= 1) ? 'share' : undefined);
  const axis = valueAxis(kind, labels);
  const periods = t.points.map((p) => p.period);
  const x = {
    field: 'period',
    type: 'ordinal',
    title: labels.period,
    sort: periods,
    scale: { domain: periods },
    axis: { labelAngle: 0 },
  };
  const y = { type: 'quantitative', title: axis.title, scale: axis.scale, axis: { format: axis.format } };
  const series = [labels.you, labels.peerMedian];
  const lines = [
    ...t.points
      .filter((p) => isNumber(p.value))
      .map((p) => ({ period: p.period, value: p.value, series: labels.you })),
    ...t.points
      .filter((p) => isNumber(p.peerMedian))
      .map((p) => ({ period: p.period, value: p.peerMedian, series: labels.peerMedian })),
  ];
  const band = t.points
    .filter((p) => isNumber(p.low) && isNumber(p.high))
    .map((p) => ({ period: p.period, low: p.low, high: p.high }));
  const changed = t.points
    .filter((p) => p.methodChanged)
    .map((p) => ({ period: p.period, value: p.high ?? p.value ?? p.peerMedian, label: labels.methodChanged }))
    .filter((p) => isNumber(p.value));
  const layers: VegaLiteSpec[] = [];
  // Reported figures are counts without an interval: no band, rather than an empty one.
  if (band.length)
    layers.push({
      name: 'band',
      data: { values: band },
      mark: { type: 'area', fill: BAND, stroke: GREY, strokeWidth: 0.5, opacity: 0.9 },
      encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' } },
    });
  layers.push({
    name: 'lines',
    data: { values: lines },
    mark: { type: 'line', point: { filled: true, size: 40, color: INK }, color: INK, strokeWidth: 1.5 },
    encoding: {
      x,
      y: { ...y, field: 'value' },
      detail: { field: 'series', type: 'nominal' },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: {
          domain: series,
          range: [
            [1, 0],
            [6, 4],
          ],
        },
      },
      shape: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: series, range: ['circle', 'square'] },
      },
    },
  });
  if (changed.length)
    layers.push({
      name: 'methodChanged',
      data: { values: changed },
      mark: { type: 'point', shape: 'triangle-down', filled: false, size: 70, stroke: INK, yOffset: -12 },
      encoding: { x, y: { ...y, field: 'value' }, tooltip: { field: 'label', type: 'nominal' } },
    });
  return { ...base(opts, 460, 170), layer: layers };
}

/** One segment of an organisation's value, or the whole organisation, as the segments chart reads it. */
export interface SegmentValue {
  /** The segment as the API names it (`*` is the whole organisation). */
  segment: string;
  /** How the chart names it (unique within the chart). */
  label: string;
  n: number | null;
  value: number | null;
  low: number | null;
  high: number | null;
  /** Why the value is hidden (`primary`, `secondary`), or null when it is shown. */
  suppressed: string | null;
}

/** An indicator's values per segment in one period, the whole organisation first. */
export interface SegmentsBody {
  indicator: string;
  kind?: IndicatorKind | string;
  period: string;
  segments: SegmentValue[];
}

/**
 * Segments side by side: one row per segment in the given order (never sorted by value), its
 * value as a point with the 95% interval as a bar, the whole organisation as a filled diamond.
 * A segment whose value is hidden for its small base says so in words where the point would be,
 * and draws no point.
 *
 * Layer names (`intervals`, `values`, `whole`, `hidden`) become mark names in the rendered scene.
 */
export function segmentsSpec(b: SegmentsBody, opts: ChartOptions): VegaLiteSpec {
  const labels = chartLabels(opts.lang);
  const axis = valueAxis(b.kind ?? opts.kind, labels);
  const rows = b.segments.map((s) => s.label);
  const shown = b.segments.filter((s) => !s.suppressed && isNumber(s.value));
  const hidden = b.segments.filter((s) => s.suppressed || !isNumber(s.value));
  const x = {
    field: 'value',
    type: 'quantitative',
    title: axis.title,
    scale: axis.scale,
    axis: { format: axis.format, grid: true },
  };
  const y = {
    field: 'label',
    type: 'nominal',
    title: labels.segment,
    sort: rows,
    scale: { domain: rows },
    axis: { labelLimit: 160 },
  };
  const point = (s: SegmentValue) => ({ label: s.label, value: s.value, n: s.n });
  const layers: VegaLiteSpec[] = [
    {
      name: 'intervals',
      data: {
        values: shown
          .filter((s) => isNumber(s.low) && isNumber(s.high))
          .map((s) => ({ label: s.label, value: s.low, value2: s.high })),
      },
      mark: { type: 'rule', stroke: INK, strokeWidth: 1.5 },
      encoding: { x, x2: { field: 'value2' }, y },
    },
    {
      name: 'values',
      data: { values: shown.filter((s) => s.segment !== '*').map(point) },
      mark: { type: 'point', shape: 'circle', filled: true, size: 60, fill: INK, stroke: INK },
      encoding: {
        x,
        y,
        tooltip: [
          { field: 'label', type: 'nominal', title: labels.segment },
          { field: 'value', type: 'quantitative', format: axis.format, title: axis.title },
          { field: 'n', type: 'quantitative', title: 'n' },
        ],
      },
    },
    {
      name: 'whole',
      data: { values: shown.filter((s) => s.segment === '*').map(point) },
      mark: { type: 'point', shape: 'diamond', filled: true, size: 150, fill: INK, stroke: INK },
      encoding: {
        x,
        y,
        tooltip: [
          { field: 'label', type: 'nominal', title: labels.segment },
          { field: 'value', type: 'quantitative', format: axis.format, title: axis.title },
          { field: 'n', type: 'quantitative', title: 'n' },
        ],
      },
    },
  ];
  if (hidden.length)
    layers.push({
      name: 'hidden',
      data: { values: hidden.map((s) => ({ label: s.label, text: labels.tooFew })) },
      mark: {
        type: 'text',
        align: 'left',
        baseline: 'middle',
        fontSize: 10,
        fontStyle: 'italic',
        fill: GREY,
      },
      encoding: { x: { value: 4 }, y, text: { field: 'text' } },
    });
  // Empty layers would leave unnamed, empty graphics for screen readers.
  const drawn = layers.filter((l) => ((l.data as { values: unknown[] }).values ?? []).length);
  return { ...base(opts, 460, Math.max(60, 28 * rows.length)), layer: drawn };
}

function isNumber(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
