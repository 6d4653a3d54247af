/**
 * Renders the shared chart specs on the server: Vega-Lite compiled to Vega, drawn headless to
 * SVG, and that SVG drawn as vectors into a PDF page. No browser and no canvas are involved, so
 * text widths are estimated by Vega; the PDF then sets the text in its embedded DejaVu Sans.
 */
import SVGtoPDF from 'svg-to-pdfkit';
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import { BOLD, REGULAR } from '../pdf/document';
import type { VegaLiteSpec } from './specs';

let loaded: Promise<{ vega: typeof Vega; vegaLite: typeof VegaLite }> | null = null;

/**
 * Vega and Vega-Lite, loaded on the first chart drawn: most API processes never print a PDF, and
 * the two libraries are a large part of what a process would otherwise load at start.
 */
function engines() {
  loaded ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({
    vega,
    vegaLite,
  }));
  return loaded;
}

/**
 * The SVG text of a Vega-Lite spec (one of `benchmarkSpec`, `trendSpec`).
 *
 * @throws Error when the spec does not compile
 */
export async function specToSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vegaLite } = await engines();
  const compiled = vegaLite.compile(spec as unknown as VegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Width and height an SVG declares on its root element, in its own units. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const read = (name: string) => Number(new RegExp(`\\b${name}="([\\d.]+)"`).exec(root)?.[1] ?? NaN);
  return { width: read('width'), height: read('height') };
}

/**
 * Removes dash patterns whose gaps are all zero ("1,0" is how Vega writes a solid line in a dash
 * scale): they draw solid anyway, and pdfkit refuses a dash of zero length.
 */
function withoutSolidDashes(svg: string): string {
  return svg.replace(/ stroke-dasharray="([^"]*)"/g, (whole, pattern: string) => {
    const lengths = pattern
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    const gaps = lengths.filter((_, i) => i % 2 === 1);
    return gaps.length && gaps.every((g) => g === 0) ? '' : whole;
  });
}

/**
 * Draws an SVG at (x, y) scaled to `width` (aspect kept) and returns the height it took. Every
 * font the SVG names is set in the document's DejaVu Sans, bold where the SVG asks for bold.
 */
export function drawSvg(doc: PDFKit.PDFDocument, svg: string, x: number, y: number, width: number): number {
  const size = svgSize(svg);
  const height = size.width > 0 && size.height > 0 ? (width * size.height) / size.width : width / 2;
  SVGtoPDF(doc, withoutSolidDashes(svg), x, y, {
    width,
    height,
    preserveAspectRatio: 'xMinYMin meet',
    assumePt: true,
    fontCallback: (_family: string, bold: boolean) => (bold ? BOLD : REGULAR),
  });
  return height;
}
