import { PassThrough, type Writable } from 'node:stream';
import * as QRCode from 'qrcode';
import { BOLD, REGULAR, createDocument, render, renderTo } from '../../pdf/document';
import { t } from '../../web/texts';
import { nativeLanguageName } from '../surveys/survey-engine';

/** A survey title in one language. */
export interface LocalisedTitle {
  /** Language code, e.g. `pl`. */
  lang: string;
  /** The title as the respondent sees it in that language. */
  text: string;
}

/** What a stairwell poster shows; nothing on it identifies a resident. */
export interface PosterInput {
  /** The open link of the campaign, printed in full for typing. */
  url: string;
  /** What the QR code encodes, when it differs from `url` (e.g. marked as scanned); `url` otherwise. */
  qrUrl?: string;
  /** Landlord, city or association running the survey. */
  organisationName: string;
  /** The survey title per language; printed in the order of `languages`. */
  titles: LocalisedTitle[];
  /** Campaign languages; the first one gets the full text, the others short lines. */
  languages: string[];
  /** First instant the survey accepts answers. */
  opensAt: Date;
  /** Exclusive end (the survey is closed from this instant on), or `null` for open-ended. */
  closesAt: Date | null;
  /** IANA time zone the printed dates are read in; `UTC` when omitted. */
  timeZone?: string;
}

/** One personal letter: its single-use link, the code inside it and an optional dwelling label. */
export interface Letter {
  /** Personal link, including the token. */
  url: string;
  /** The code as the resident types it when the link is not used. */
  code: string;
  /** A dwelling label such as a flat number; never a name. */
  label: string | null;
}

/** What a batch of personal letters shows. */
export interface LettersInput {
  /** Landlord, city or association running the survey. */
  organisationName: string;
  /** The survey title per language; printed in the order of `languages`. */
  titles: LocalisedTitle[];
  /** Campaign languages; the letter is written in the first and, smaller, in the second. */
  languages: string[];
  /** First instant the survey accepts answers. */
  opensAt: Date;
  /** Exclusive end, or `null` for open-ended. */
  closesAt: Date | null;
  /** IANA time zone the printed dates are read in; `UTC` when omitted. */
  timeZone?: string;
  /** One page each, in this order. */
  letters: Letter[];
}

/** Quiet zone of 4 modules, the minimum the QR specification asks for; less fails on busy posters. */
const QR_MARGIN = 4;
/** Level M survives a crease or a smudge without making the code dense for long token links. */
const QR_LEVEL = 'M';
/**
 * About 140 ppi at 5.5 cm, at least five pixels a module even for a long token link; the PNG encoding is
 * most of the time of a letter batch and grows with the square of this.
 */

const CM = 72 / 2.54;
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const INK = '#111111';
const MUTED = '#4d4d4d';
const RULE = '#bbbbbb';

/** An SVG QR code of `url`, for the web and for print shops that prefer vector artwork. */
export async function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: QR_LEVEL, margin: QR_MARGIN });
}

/** A grayscale PNG QR code of `url`, `width` pixels square including the quiet zone. */
export async function qrPng(url: string, width = 600): Promise<Buffer> {
  return QRCode.toBuffer(url, {
    type: 'png',
    errorCorrectionLevel: QR_LEVEL,
    margin: QR_MARGIN,
    width,
    rendererOpts: pngOptions(),
  });
}

/**
 * Options handed to pngjs, fresh per call because qrcode writes the image size into them. Grayscale
 * without alpha, and the "up" filter alone: QR rows repeat module after module, so trying all five
 * filters per row doubles the encoding time for no gain in size. (PDFs draw their codes as vectors.)
 */
function pngOptions(): QRCode.QRCodeToBufferOptions['rendererOpts'] {
  return { colorType: 0, filterType: 2 } as QRCode.QRCodeToBufferOptions['rendererOpts'];
}

/**
 * Draws the QR code of `url` as vector squares in a white square of `size` points (quiet zone
 * included): sharp at any print resolution, and no image to encode and decode per letter.
 * Dark runs of a row become one rectangle, drawn a hair taller so that rows touching each other
 * show no seam where a viewer anti-aliases.
 */
function drawQr(doc: PDFKit.PDFDocument, url: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: QR_LEVEL });
  const n = modules.size;
  const unit = size / (n + 2 * QR_MARGIN);
  const seam = unit * 0.04;
  doc.save();
  doc.rect(x, y, size, size).fill('#ffffff');
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && modules.get(row, col)) col++;
      doc.rect(
        x + (QR_MARGIN + start) * unit,
        y + (QR_MARGIN + row) * unit,
        (col - start) * unit,
        unit + (row < n - 1 ? seam : 0),
      );
    }
  }
  doc.fill('#000000');
  doc.restore();
}

/**
 * An A4 poster for a stairwell: the title in every campaign language, a QR code about 10 cm wide, the
 * link in type large enough to copy by hand, the dates and the anonymity promise in every language.
 */
export async function posterPdf(input: PosterInput): Promise<Buffer> {
  const langs = campaignLanguages(input.languages, input.titles);
  const primary = langs[0] ?? 'en';
  const titles = orderTitles(input.titles, langs);
  const qrUrl = input.qrUrl ?? input.url;
  const doc = createDocument(titles[0]?.text ?? input.organisationName, input.organisationName, primary);

  return render(doc, () => {
    doc.addPage();
    const top = 1.2 * CM;
    const box = { x: 1.5 * CM, width: PAGE_WIDTH - 3 * CM };
    const centred = { align: 'center' } as const;

    const header = [
      textBlock(doc, input.organisationName, box, { font: BOLD, size: 12, color: MUTED, ...centred }),
      ...titles.map((title, index) =>
        index === 0
          ? textBlock(doc, title.text, box, { font: BOLD, size: 24, ...centred }, 8)
          : textBlock(doc, title.text, box, { size: 13, color: MUTED, ...centred }, 2),
      ),
    ];
    const urlSize = fitSize(doc, BOLD, input.url, box.width, 22, 8);
    const instructions = [
      textBlock(doc, t(primary, 'scanToAnswer'), box, { font: BOLD, size: 18, ...centred }, 8),
      textBlock(doc, t(primary, 'orOpenLink'), box, { size: 13, ...centred }, 3),
      textBlock(doc, input.url, box, { font: BOLD, size: urlSize, ...centred }, 1),
    ];
    const otherStyle = { size: 10.5, color: MUTED, ...centred };
    const secondary = langs
      .slice(1)
      .map((lang, index) => textBlock(doc, t(lang, 'scanToAnswer'), box, otherStyle, index === 0 ? 10 : 1));
    const dates = datesLine(primary, input.opensAt, input.closesAt, input.timeZone);
    const info = [
      textBlock(doc, dates, box, { size: 12, ...centred }, 12),
      textBlock(doc, languagesLine(primary, langs), box, { size: 11, color: MUTED, ...centred }, 4),
    ];
    const privacy = privacyBlock(doc, privacyLines(langs), box, 8.5);

    // The quiet zone inside the image already keeps text off the code; a small gap is enough.
    const qrGap = 4;
    const privacyGap = 14;
    const available = PAGE_HEIGHT - 2 * top - privacy.height - privacyGap - 2 * qrGap;
    const fixed = totalHeight(header) + totalHeight(instructions) + totalHeight(info);
    // Lines in the other languages are a courtesy; the code must stay about 10 cm to scan from a step away.
    const showSecondary = available - fixed - totalHeight(secondary) >= 9 * CM;
    const rest = available - fixed - (showSecondary ? totalHeight(secondary) : 0);
    const qrSize = Math.min(10 * CM, rest);
    // Spare height is shared above the code, above the dates and above the privacy rule.
    const spare = (rest - qrSize) / 3;

    let y = top;
    y = drawBlocks(header, y) + qrGap + spare;
    drawQr(doc, qrUrl, (PAGE_WIDTH - qrSize) / 2, y, qrSize);
    y = drawBlocks(instructions, y + qrSize + qrGap);
    if (showSecondary) y = drawBlocks(secondary, y);
    drawBlocks(info, y + spare);
    privacy.draw(PAGE_HEIGHT - top - privacy.height);
  });
}

/** Letters drawn between two turns of the event loop, so a large batch never holds up other requests. */
const LETTERS_PER_TURN = 25;

/** {@link writeLettersPdf} into memory. */
export async function lettersPdf(input: LettersInput): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await writeLettersPdf(input, out);
  return Buffer.concat(chunks);
}

/**
 * One A4 page per letter: the title, a short explanation in the first language (and smaller in the second),
 * the dwelling label, the personal QR code, link and code, the dates and the anonymity promise.
 * The PDF streams into `out` page by page, so a download of thousands of letters starts at once;
 * drawing stops if `out` is closed early.
 */
export async function writeLettersPdf(input: LettersInput, out: Writable): Promise<void> {
  const langs = campaignLanguages(input.languages, input.titles);
  const primary = langs[0] ?? 'en';
  const second = langs[1];
  const titles = orderTitles(input.titles, langs);
  const doc = createDocument(titles[0]?.text ?? input.organisationName, input.organisationName, primary);

  const margin = 2 * CM;
  const box = { x: margin, width: PAGE_WIDTH - 2 * margin };
  const qrSize = 5.5 * CM;
  const side = { x: box.x + qrSize + 12, width: box.width - qrSize - 12 };

  // The same on every page: measured once, drawn a thousand times.
  const commonBlocks = () => ({
    intro: [
      textBlock(doc, input.organisationName, box, { font: BOLD, size: 11, color: MUTED }),
      ...titles.map((title, index) =>
        index === 0
          ? textBlock(doc, title.text, box, { font: BOLD, size: 18 }, 6)
          : textBlock(doc, title.text, box, { size: 10.5, color: MUTED }, 2),
      ),
      textBlock(doc, t(primary, 'letterGreeting'), box, { size: 12 }, 22),
      textBlock(doc, t(primary, 'letterBody'), box, { size: 12 }, 4),
      ...(second
        ? [
            textBlock(doc, t(second, 'letterGreeting'), box, { size: 9.5, color: MUTED }, 12),
            textBlock(doc, t(second, 'letterBody'), box, { size: 9.5, color: MUTED }, 2),
          ]
        : []),
    ],
    scan: [
      textBlock(doc, t(primary, 'scanToAnswer'), side, { font: BOLD, size: 14 }),
      ...(second ? [textBlock(doc, t(second, 'scanToAnswer'), side, { size: 9.5, color: MUTED }, 3)] : []),
    ],
    info: [
      textBlock(
        doc,
        datesLine(primary, input.opensAt, input.closesAt, input.timeZone),
        box,
        { size: 11 },
        16,
      ),
      textBlock(doc, languagesLine(primary, langs), box, { size: 10, color: MUTED }, 3),
    ],
    privacy: privacyBlock(doc, privacyLines(second ? [primary, second] : [primary]), box, 8.5),
  });

  await renderTo(doc, out, async () => {
    let common: ReturnType<typeof commonBlocks> | null = null;
    for (const [index, letter] of input.letters.entries()) {
      if (index % LETTERS_PER_TURN === LETTERS_PER_TURN - 1) {
        await new Promise((resolve) => setImmediate(resolve));
        if (out.destroyed) break;
      }
      doc.addPage();
      // Measuring needs a page, so the shared blocks wait for the first one.
      common ??= commonBlocks();

      let y = drawBlocks(common.intro, margin) + 20;
      if (letter.label) {
        const label = t(primary, 'letterDwelling', { label: letter.label });
        y = textBlock(doc, label, box, { font: BOLD, size: 13 }).draw(y) + 10;
      }

      drawQr(doc, letter.url, box.x, y, qrSize);
      const codeLine = t(primary, 'letterCode', { code: letter.code });
      const codeSize = fitSize(doc, BOLD, codeLine, side.width, 17, 9);
      const belowScan = drawBlocks(common.scan, y + 18);
      textBlock(doc, codeLine, side, { font: BOLD, size: codeSize }, 18).draw(belowScan);
      y += qrSize + 4;

      y = writeLink(doc, t(primary, 'orOpenLink'), letter.url, box, y, 12);
      drawBlocks(common.info, y);
      common.privacy.draw(PAGE_HEIGHT - margin - common.privacy.height);
    }
  });
}

interface Box {
  x: number;
  width: number;
}

interface TextStyle {
  font?: string;
  size: number;
  color?: string;
  align?: 'left' | 'center';
}

/** Text measured before it is placed, so a page can be fitted before anything is drawn on it. */
interface Block {
  height: number;
  /** Draws the block with its top at `y`; returns the y below it. */
  draw(y: number): number;
}

/** Campaign languages in order, without repeats; titles decide when the campaign lists none. */
function campaignLanguages(languages: string[], titles: LocalisedTitle[]): string[] {
  const listed = languages.length > 0 ? languages : titles.map((title) => title.lang);
  return [...new Set(listed)];
}

/** Titles in campaign-language order, so the first one printed is the one in the first language. */
function orderTitles(titles: LocalisedTitle[], langs: string[]): LocalisedTitle[] {
  const rank = (lang: string) => {
    const index = langs.indexOf(lang);
    return index === -1 ? langs.length : index;
  };
  return [...titles].sort((a, b) => rank(a.lang) - rank(b.lang));
}

/** The privacy promise once per distinct text: an unsupported language falls back to English only once. */
function privacyLines(langs: string[]): string[] {
  return [...new Set(langs.map((lang) => t(lang, 'privacy')))];
}

function languagesLine(lang: string, langs: string[]): string {
  const names = langs.map((code) => nativeLanguageName(code));
  return t(lang, 'languagesLine', { list: names.join(' · ') });
}

function datesLine(lang: string, opensAt: Date, closesAt: Date | null, timeZone = 'UTC'): string {
  const from = formatDay(opensAt, timeZone);
  if (!closesAt) return t(lang, 'openFrom', { from });
  // closesAt is the first closed instant; a midnight close must print the day before as the last open day.
  return t(lang, 'openFromTo', { from, to: formatDay(new Date(closesAt.getTime() - 1), timeZone) });
}

/** YYYY-MM-DD, which every language on the poster reads the same way. */
function formatDay(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

function applyStyle(doc: PDFKit.PDFDocument, style: TextStyle): void {
  doc
    .font(style.font ?? REGULAR)
    .fontSize(style.size)
    .fillColor(style.color ?? INK);
}

function textBlock(doc: PDFKit.PDFDocument, text: string, box: Box, style: TextStyle, gapBefore = 0): Block {
  const options = { width: box.width, align: style.align ?? 'left' };
  applyStyle(doc, style);
  const height = gapBefore + doc.heightOfString(text, options);
  return {
    height,
    draw(y) {
      applyStyle(doc, style);
      doc.text(text, box.x, y + gapBefore, options);
      return y + height;
    },
  };
}

/** The anonymity promise under a thin rule, one paragraph per language. */
function privacyBlock(doc: PDFKit.PDFDocument, lines: string[], box: Box, size: number): Block {
  const ruleGap = 9;
  const paragraphs = lines.map((line, index) =>
    textBlock(doc, line, box, { size, color: MUTED }, index ? 3 : 0),
  );
  return {
    height: ruleGap + totalHeight(paragraphs),
    draw(y) {
      doc
        .moveTo(box.x, y)
        .lineTo(box.x + box.width, y)
        .lineWidth(0.5)
        .strokeColor(RULE)
        .stroke();
      return drawBlocks(paragraphs, y + ruleGap);
    },
  };
}

function drawBlocks(blocks: Block[], y: number): number {
  return blocks.reduce((top, block) => block.draw(top), y);
}

function totalHeight(blocks: Block[]): number {
  return blocks.reduce((sum, block) => sum + block.height, 0);
}

/** "or open" and the link on one line, the link bold and shrunk until it fits rather than broken in two. */
function writeLink(
  doc: PDFKit.PDFDocument,
  prefix: string,
  url: string,
  box: Box,
  y: number,
  maxSize: number,
): number {
  const lead = `${prefix} `;
  const widthAt = (size: number) =>
    doc.font(REGULAR).fontSize(size).widthOfString(lead) + doc.font(BOLD).fontSize(size).widthOfString(url);
  let size = maxSize;
  while (size > 7 && widthAt(size) > box.width) size -= 0.5;
  applyStyle(doc, { size });
  const leadWidth = doc.widthOfString(lead);
  doc.text(lead, box.x, y, { lineBreak: false });
  doc.font(BOLD).text(url, box.x + leadWidth, y, { lineBreak: false });
  return y + doc.currentLineHeight(true);
}

/** The largest size, in half-point steps down from `max`, at which `text` fits on one line of `width`. */
function fitSize(
  doc: PDFKit.PDFDocument,
  font: string,
  text: string,
  width: number,
  max: number,
  min: number,
): number {
  doc.font(font);
  for (let size = max; size > min; size -= 0.5) {
    if (doc.fontSize(size).widthOfString(text) <= width) return size;
  }
  return min;
}
