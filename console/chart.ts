import { parse, View } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import { benchmarkSpec, type BenchmarkBody } from '../src/charts/specs';
import type { Benchmark } from './types';

/**
 * Draws the benchmark from the same Vega-Lite definition the PDF uses, as SVG. Expressions run
 * in Vega's interpreter, so the page's content security policy needs no 'unsafe-eval'.
 */
export async function renderBenchmark(
  container: HTMLElement,
  benchmark: Benchmark,
  opts: { lang: string; width: number; title: string; description: string },
): Promise<View> {
  // The API's answer as it came: the chart reads the same body the PDF does.
  const spec = {
    ...benchmarkSpec(benchmark as unknown as BenchmarkBody, opts),
    // Read out as the chart's name by screen readers.
    description: opts.description,
  };
  const view = new View(parse(compile(spec as unknown as TopLevelSpec).spec, undefined, { ast: true }), {
    expr: expressionInterpreter,
    renderer: 'svg',
    container,
    hover: true,
  });
  await view.runAsync();
  return view;
}
