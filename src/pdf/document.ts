import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';

/** Font names registered on every document. */
export const REGULAR = 'Sans';
export const BOLD = 'Sans-Bold';

let fontFiles: { regular: Buffer; bold: Buffer } | null = null;

/** DejaVu Sans covers Latin with Polish diacritics, Cyrillic and Georgian in one family. */
function fonts(): { regular: Buffer; bold: Buffer } {
  if (!fontFiles) {
    const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fontFiles = {
      regular: readFileSync(path.join(dir, 'DejaVuSans.ttf')),
      bold: readFileSync(path.join(dir, 'DejaVuSans-Bold.ttf')),
    };
  }
  return fontFiles;
}

/** An A4 document with the fonts registered, no page yet. */
export function createDocument(title: string, author: string, lang: string): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    displayTitle: true,
    lang,
    info: { Title: title, Author: author },
  });
  const { regular, bold } = fonts();
  doc.registerFont(REGULAR, regular);
  doc.registerFont(BOLD, bold);
  return doc;
}

/** Runs `draw` and collects the streamed PDF; listeners go on first so no chunk is missed. */
export async function render(doc: PDFKit.PDFDocument, draw: () => void | Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  await draw();
  doc.end();
  return done;
}

/**
 * Writes `doc` to `out` while `draw` adds its pages (a long document starts downloading at once
 * and is never held whole), then ends it; resolves when `out` is finished. A reader that goes away
 * (a closed download) only ends the writing: `draw` may look at `out.destroyed` to stop early.
 */
export async function renderTo(
  doc: PDFKit.PDFDocument,
  out: Writable,
  draw: () => void | Promise<void>,
): Promise<void> {
  const written = finished(out).catch(() => undefined);
  doc.pipe(out);
  await draw();
  doc.end();
  await written;
}
