import { parse, View } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import {
  benchmarkSpec,
  segmentsSpec,
  trendSpec,
  type BenchmarkBody,
  type ChartOptions,
  type SegmentsBody,
  type TrendBody,
  type VegaLiteSpec,
} from '../src/charts/specs';
import type { Benchmark } from './types';

/** How a chart is drawn in the console: the shared options and the sentence read out as its name. */
export type ConsoleChartOptions = ChartOptions & { width: number; description: string };

/**
 * Draws a chart from the same Vega-Lite definitions the PDFs use, as SVG. Expressions run in
 * Vega's interpreter, so the page's content security policy needs no 'unsafe-eval'.
 */
async function draw(container: HTMLElement, spec: VegaLiteSpec, description: string): Promise<View> {
  // Read out as the chart's name by screen readers.
  const described = { ...spec, description };
  const view = new View(parse(compile(described as unknown as TopLevelSpec).spec, undefined, { ast: true }), {
    expr: expressionInterpreter,
    renderer: 'svg',
    container,
    hover: true,
  });
  await view.runAsync();
  return view;
}

/** The benchmark as a distribution: peers as points, the middle half, the median, the caller apart. */
export function renderBenchmark(
  container: HTMLElement,
  benchmark: Benchmark,
  opts: ConsoleChartOptions,
): Promise<View> {
  // The API's answer as it came: the chart reads the same body the PDF does.
  return draw(container, benchmarkSpec(benchmark as unknown as BenchmarkBody, opts), opts.description);
}

/** The caller's value per period with its interval band, beside the peer median. */
export function renderTrend(
  container: HTMLElement,
  trend: TrendBody,
  opts: ConsoleChartOptions,
): Promise<View> {
  return draw(container, trendSpec(trend, opts), opts.description);
}

/** An indicator's segments side by side, hidden ones said in words. */
export function renderSegments(
  container: HTMLElement,
  body: SegmentsBody,
  opts: ConsoleChartOptions,
): Promise<View> {
  return draw(container, segmentsSpec(body, opts), opts.description);
}
