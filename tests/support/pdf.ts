import { Worker } from 'node:worker_threads';

/** Extracted text with runs of white space made single spaces, so a wrapped line still matches. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** What a PDF holds, as read by pdf.js. */
export interface ParsedPdf {
  total: number;
  title: string | null;
  /** Text of each page, white space flattened. */
  pages: string[];
  /** What the QR code printed on each page reads as, once the page is rendered at 108 dpi. */
  qrCodes: Array<string | null>;
}

/**
 * pdf.js loads its worker with a dynamic import(), which Jest's CommonJS sandbox refuses unless Node runs
 * with --experimental-vm-modules; a worker thread is a plain Node context where pdf-parse loads as usual.
 * Decoding the rendered pages there too keeps large pixel buffers out of the sandbox, where jsQR is slow.
 */
const PARSE_IN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { PDFParse } = require(workerData.modules.pdfParse);
const { PNG } = require(workerData.modules.pngjs);
const jsQR = require(workerData.modules.jsqr);
(async () => {
  const parser = new PDFParse({ data: workerData.pdf });
  try {
    const text = await parser.getText();
    const info = await parser.getInfo();
    const shots = await parser.getScreenshot({ scale: 1.5, imageDataUrl: false, imageBuffer: true });
    parentPort.postMessage({
      total: text.total,
      title: info.info?.Title ?? null,
      pages: text.pages.map((page) => page.text),
      qrCodes: shots.pages.map((page) => {
        const image = PNG.sync.read(Buffer.from(page.data));
        return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
      }),
    });
  } finally {
    await parser.destroy();
  }
})();
`;

/** Parses a PDF (text per page, title, the QR code each rendered page shows). */
export function parsePdf(pdf: Buffer): Promise<ParsedPdf> {
  return new Promise((resolve, reject) => {
    const modules = {
      pdfParse: require.resolve('pdf-parse'),
      pngjs: require.resolve('pngjs'),
      jsqr: require.resolve('jsqr'),
    };
    const worker = new Worker(PARSE_IN_WORKER, { eval: true, workerData: { pdf, modules } });
    worker.once('message', (parsed: ParsedPdf) => {
      resolve({ ...parsed, pages: parsed.pages.map(flat) });
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the PDF parser stopped (exit code ${code}) without an answer`)),
    );
  });
}
