import type { Writable } from 'node:stream';
import * as QRCode from 'qrcode';
import { BOLD, REGULAR, createDocument, render, renderTo } from '../../pdf/document';
import {
  paperContent,
  paperPhrase,
  type PaperChoice,
  type PaperGrid,
  type PaperItem,
  type PaperQuestion,
} from './layout';

export {
  PAPER_LANGUAGES,
  paperAnswerList,
  paperLayout,
  paperPhrase,
  type PaperAnswer,
  type PaperChoice,
  type PaperCondition,
  type PaperGrid,
  type PaperHeading,
  type PaperItem,
  type PaperPhrase,
  type PaperQuestion,
  type PaperSkip,
  type PaperText,
} from './layout';

/** What one printed questionnaire shows. */
export interface PaperInput {
  /** The published SurveyJS definition. */
  definition: Record<string, unknown>;
  /** Language to print in; texts the survey lacks in it come from its default language. */
  lang: string;
  /** The survey title, printed large on page one and in the document properties. */
  title: string;
  /** The campaign link, printed on page one as a QR code and as text. */
  url?: string;
  /** A dwelling's personal code (letter campaigns), printed on page one. */
  dwellingCode?: string;
  /** Serial number of the form, printed top right on every page. */
  serial?: string;
  /** Large print: 16 pt text and bigger boxes (11 pt otherwise). */
  largePrint?: boolean;
}

/** What differs between the copies of a batch: each copy is a form of its own. */
export interface PaperCopy {
  /** Serial number of this form, printed top right on every page of it. */
  serial?: string;
  /** The dwelling's personal code, printed on its page one. */
  dwellingCode?: string;
  /** A personal link for this copy; the batch's link otherwise. */
  url?: string;
}

/**
 * A printable A4 questionnaire in black and white: numbered questions with tick boxes, grids
 * and ruled lines, routing written out from the skip logic, the link as a QR code on page one.
 */
export async function paperQuestionnairePdf(input: PaperInput): Promise<Buffer> {
  const { serial, dwellingCode, url, ...base } = input;
  return paperQuestionnairesPdf(base, [{ serial, dwellingCode, url }]);
}

/** Copies drawn between two turns of the event loop, so a large batch never holds up other requests. */
const COPIES_PER_TURN = 25;

/**
 * Several forms of one questionnaire in one PDF, e.g. one per dwelling of a letter campaign.
 * Each copy starts on a new page and numbers its own pages; `base` gives what they share.
 * An empty `copies` prints one form with no serial or code.
 */
export async function paperQuestionnairesPdf(
  base: Omit<PaperInput, 'serial' | 'dwellingCode'>,
  copies: PaperCopy[],
): Promise<Buffer> {
  const doc = createDocument(base.title, '', base.lang);
  return render(doc, () => drawCopies(doc, base, copies, () => false));
}

/**
 * The same PDF written to `out` as its pages are drawn (a download of thousands of forms starts at
 * once and is never held whole in memory); a reader that goes away ends the drawing.
 */
export async function writePaperQuestionnaires(
  base: Omit<PaperInput, 'serial' | 'dwellingCode'>,
  copies: PaperCopy[],
  out: Writable,
): Promise<void> {
  const doc = createDocument(base.title, '', base.lang);
  await renderTo(doc, out, () => drawCopies(doc, base, copies, () => out.destroyed));
}

async function drawCopies(
  doc: PDFKit.PDFDocument,
  base: Omit<PaperInput, 'serial' | 'dwellingCode'>,
  copies: PaperCopy[],
  stopped: () => boolean,
): Promise<void> {
  const sizes = base.largePrint ? LARGE : NORMAL;
  const content = paperContent(base.definition, base.lang);
  const list = copies.length > 0 ? copies : [{}];
  // Measuring needs a page; the first copy's first page is drawn on it.
  doc.addPage();
  const form = new Form(doc, sizes, base.lang);
  const questions = form.blocks(content.items);
  for (const [index, copy] of list.entries()) {
    if (index > 0 && index % COPIES_PER_TURN === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (stopped()) return;
    }
    const intro = form.intro(base.title, content.description, copy.url ?? base.url, copy.dwellingCode);
    const pages = paginate([intro, ...questions, form.thanks()]);
    pages.forEach((placed, page) => {
      if (index > 0 || page > 0) doc.addPage();
      form.furniture(base.title, copy.serial, page + 1, pages.length);
      for (const { piece, y } of placed) piece.draw(y);
    });
  }
}

/** Text and box sizes of a form; large print is for readers with low vision. */
interface Sizes {
  body: number;
  /** Instructions, descriptions and routing lines. */
  small: number;
  heading: number;
  title: number;
  /** Side of a tick box. */
  box: number;
  /** Spacing of ruled lines for written answers. */
  rule: number;
  /** Space between questions. */
  gap: number;
  qr: number;
  /** Page header and footer. */
  furniture: number;
  /** Smallest size column headers of a grid shrink to before they are turned on their side. */
  minHeader: number;
}

const CM = 72 / 2.54;
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const LEFT = 1.8 * CM;
const WIDTH = PAGE_WIDTH - 2 * LEFT;
const TOP = 2.1 * CM;
const BOTTOM = PAGE_HEIGHT - 1.9 * CM;
const INK = '#000000';
const LINE = '#7a7a7a';

const NORMAL: Sizes = {
  body: 11,
  small: 9.5,
  heading: 13,
  title: 18,
  box: 11,
  rule: 22,
  gap: 16,
  qr: 4.2 * CM,
  furniture: 8.5,
  minHeader: 7,
};
const LARGE: Sizes = {
  body: 16,
  small: 16,
  heading: 19,
  title: 24,
  box: 17,
  rule: 32,
  gap: 24,
  qr: 5 * CM,
  furniture: 12,
  minHeader: 11,
};

/** Quiet zone of four modules, the minimum the QR specification asks for. */
const QR_MARGIN = 4;
/** Level M survives a crease or a smudge without making the code dense for long links. */
const QR_LEVEL = 'M';

/** Something measured before it is placed, so pages can be planned before anything is drawn. */
interface Piece {
  height: number;
  /** Draws the piece with its top at `y`. */
  draw(y: number): void;
}

/** Pieces that belong together: a question, or the page-one introduction. */
interface Block {
  pieces: Piece[];
  /** The first `keep` pieces stay on one page (a heading, the title and the first answer row). */
  keep: number;
  /** Printed at the top of the next page when the block has to be split (the grid header again). */
  continued: Piece[];
  /** Space above the block unless it starts a page. */
  gap: number;
}

interface Placed {
  piece: Piece;
  y: number;
}

/**
 * Lays blocks out on pages. A block that fits on the current page goes there; one that fits on
 * an empty page starts a new one; a longer one (a long grid) is split between pieces, its first
 * pieces kept together and its continuation headed again.
 */
function paginate(blocks: Block[]): Placed[][] {
  const pages: Placed[][] = [[]];
  let y = TOP;
  const newPage = () => {
    pages.push([]);
    y = TOP;
  };
  const place = (piece: Piece) => {
    pages.at(-1)!.push({ piece, y });
    y += piece.height;
  };
  const height = (pieces: Piece[]) => pieces.reduce((sum, p) => sum + p.height, 0);

  for (const block of blocks) {
    const atTop = pages.at(-1)!.length === 0;
    const gap = atTop ? 0 : block.gap;
    const total = height(block.pieces);
    if (y + gap + total <= BOTTOM) {
      y += gap;
      block.pieces.forEach(place);
      continue;
    }
    if (total <= BOTTOM - TOP) {
      newPage();
      block.pieces.forEach(place);
      continue;
    }
    if (!atTop && y + gap + height(block.pieces.slice(0, block.keep)) > BOTTOM) newPage();
    else y += gap;
    block.pieces.forEach((piece, index) => {
      if (index >= block.keep && y + piece.height > BOTTOM) {
        newPage();
        block.continued.forEach(place);
      }
      place(piece);
    });
  }
  return pages;
}

interface TextStyle {
  font?: string;
  size: number;
  align?: 'left' | 'center' | 'right';
}

/** Draws the parts of one questionnaire with one set of sizes. */
class Form {
  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly sizes: Sizes,
    private readonly lang: string,
  ) {}

  private options(style: TextStyle, width: number): PDFKit.Mixins.TextOptions {
    return { width, align: style.align ?? 'left', lineGap: style.size * 0.12 };
  }

  private measure(text: string, style: TextStyle, width: number): number {
    this.doc.font(style.font ?? REGULAR).fontSize(style.size);
    return this.doc.heightOfString(text, this.options(style, width));
  }

  private widthOf(text: string, style: TextStyle): number {
    return this.doc
      .font(style.font ?? REGULAR)
      .fontSize(style.size)
      .widthOfString(text);
  }

  private write(text: string, x: number, y: number, style: TextStyle, width: number): void {
    this.doc
      .font(style.font ?? REGULAR)
      .fontSize(style.size)
      .fillColor(INK)
      .text(text, x, y, this.options(style, width));
  }

  /** A paragraph as a piece, with `before` points of space above it. */
  private text(text: string, style: TextStyle, x: number, width: number, before = 0): Piece {
    const height = before + this.measure(text, style, width);
    return { height, draw: (y) => this.write(text, x, y + before, style, width) };
  }

  private stack(pieces: Piece[]): Piece {
    return {
      height: pieces.reduce((sum, p) => sum + p.height, 0),
      draw: (y) => {
        let top = y;
        for (const piece of pieces) {
          piece.draw(top);
          top += piece.height;
        }
      },
    };
  }

  private box(x: number, y: number, side: number): void {
    this.doc
      .lineWidth(side > 14 ? 1.2 : 0.9)
      .strokeColor(INK)
      .rect(x, y, side, side)
      .stroke();
  }

  private rule(x1: number, x2: number, y: number): void {
    this.doc.lineWidth(0.6).strokeColor(LINE).moveTo(x1, y).lineTo(x2, y).stroke();
  }

  /** The serial number top right and the page number at the foot of every page. */
  furniture(title: string, serial: string | undefined, page: number, pages: number): void {
    const style = { size: this.sizes.furniture };
    const top = 0.9 * CM;
    const serialText = serial ? `${paperPhrase(this.lang, 'serial')} ${serial}` : '';
    const serialWidth = serial ? this.widthOf(serialText, { ...style, font: BOLD }) + 2 : 0;
    if (page > 1) {
      this.doc
        .font(REGULAR)
        .fontSize(style.size)
        .fillColor(INK)
        .text(title, LEFT, top, {
          width: Math.max(WIDTH - serialWidth - 12, 40),
          height: style.size * 1.3,
          lineBreak: false,
          ellipsis: true,
        });
    }
    if (serial) this.write(serialText, LEFT, top, { ...style, font: BOLD, align: 'right' }, WIDTH);
    this.rule(LEFT, LEFT + WIDTH, top + style.size * 1.5);
    const footer = paperPhrase(this.lang, 'page', { x: page, y: pages });
    this.write(footer, LEFT, PAGE_HEIGHT - 1.3 * CM, { ...style, align: 'center' }, WIDTH);
  }

  /** Page one: the title, the survey's description, the QR code with the link and the personal code. */
  intro(title: string, description: string, url: string | undefined, code: string | undefined): Block {
    const s = this.sizes;
    const pieces = [this.text(title, { font: BOLD, size: s.title }, LEFT, WIDTH)];
    if (description) pieces.push(this.text(description, { size: s.body }, LEFT, WIDTH, 8));
    if (url || code) pieces.push(this.access(url, code));
    return { pieces, keep: pieces.length, continued: [], gap: 0 };
  }

  private access(url: string | undefined, code: string | undefined): Piece {
    const s = this.sizes;
    const before = 14;
    const qr = url ? s.qr : 0;
    const x = LEFT + (qr ? qr + 14 : 0);
    const width = WIDTH - (x - LEFT);
    const side: Piece[] = [];
    if (url) {
      side.push(this.text(paperPhrase(this.lang, 'scan'), { font: BOLD, size: s.body }, x, width, qr * 0.2));
      // The link stays on one line so that it can be copied as printed.
      let size = s.small;
      while (size > 6 && this.widthOf(url, { size }) > width) size -= 0.5;
      side.push(this.text(url, { size }, x, width, 4));
    }
    if (code) {
      const line = `${paperPhrase(this.lang, 'yourCode')}: ${code}`;
      side.push(this.text(line, { font: BOLD, size: s.heading }, x, width, url ? 14 : 0));
    }
    const info = this.stack(side);
    return {
      height: before + Math.max(qr, info.height),
      draw: (y) => {
        if (url) this.qr(url, LEFT, y + before, qr);
        info.draw(y + before);
      },
    };
  }

  /** The QR code as vector squares in a white square of `size` points, quiet zone included. */
  private qr(url: string, x: number, y: number, size: number): void {
    const { modules } = QRCode.create(url, { errorCorrectionLevel: QR_LEVEL });
    const count = modules.size;
    const unit = size / (count + 2 * QR_MARGIN);
    this.doc.save();
    for (let row = 0; row < count; row++) {
      let col = 0;
      while (col < count) {
        if (!modules.get(row, col)) {
          col++;
          continue;
        }
        const start = col;
        while (col < count && modules.get(row, col)) col++;
        // A hair taller than a module, so viewers show no seam between rows.
        const height = unit + (row < count - 1 ? unit * 0.04 : 0);
        this.doc.rect(
          x + (QR_MARGIN + start) * unit,
          y + (QR_MARGIN + row) * unit,
          (col - start) * unit,
          height,
        );
      }
    }
    this.doc.fill(INK);
    this.doc.restore();
  }

  thanks(): Block {
    const piece = this.text(
      paperPhrase(this.lang, 'thankYou'),
      { font: BOLD, size: this.sizes.heading, align: 'center' },
      LEFT,
      WIDTH,
    );
    return { pieces: [piece], keep: 1, continued: [], gap: this.sizes.gap * 2 };
  }

  /** One block per question; headings and text join the question after them. */
  blocks(items: PaperItem[]): Block[] {
    const s = this.sizes;
    const blocks: Block[] = [];
    let lead: Piece[] = [];
    for (const item of items) {
      if (item.kind === 'heading') {
        if (item.title) lead.push(this.text(item.title, { font: BOLD, size: s.heading }, LEFT, WIDTH, 4));
        if (item.description) lead.push(this.text(item.description, { size: s.small }, LEFT, WIDTH, 3));
        lead.push(this.space(6));
      } else if (item.kind === 'text') {
        for (const paragraph of item.text.split(/\n+/)) {
          lead.push(this.text(paragraph, { size: s.body }, LEFT, WIDTH, 3));
        }
        lead.push(this.space(4));
      } else {
        blocks.push(this.question(item, lead));
        lead = [];
      }
    }
    if (lead.length > 0) blocks.push({ pieces: lead, keep: lead.length, continued: [], gap: s.gap });
    return blocks;
  }

  private space(height: number): Piece {
    return { height, draw: () => undefined };
  }

  private question(q: PaperQuestion, lead: Piece[]): Block {
    const s = this.sizes;
    const numberWidth = this.widthOf('000.', { font: BOLD, size: s.body }) + 4;
    const x = LEFT + numberWidth;
    const width = WIDTH - numberWidth;

    const head: Piece[] = [this.text(q.title, { font: BOLD, size: s.body }, x, width)];
    if (q.description) head.push(this.text(q.description, { size: s.small }, x, width, 2));
    if (q.condition) head.push(this.text(q.condition.text, { font: BOLD, size: s.small }, x, width, 4));
    if (q.instruction) head.push(this.text(q.instruction, { size: s.small }, x, width, 3));
    head.push(this.space(s.body * 0.5));
    const title = this.stack(head);
    const numbered: Piece = {
      height: title.height,
      draw: (y) => {
        this.write(`${q.number}.`, LEFT, y, { font: BOLD, size: s.body }, numberWidth);
        title.draw(y);
      },
    };

    const answers = this.answers(q, x, width);
    const routing = q.skips.map((skip) =>
      this.text(`→ ${skip.text}`, { font: BOLD, size: s.small }, x, width, 4),
    );
    const continued = [
      this.text(
        paperPhrase(this.lang, 'continued', { n: q.number }),
        { font: BOLD, size: s.small },
        LEFT,
        WIDTH,
      ),
      this.space(4),
      ...(answers.header ? [answers.header] : []),
    ];
    const pieces = [...lead, numbered, ...answers.pieces, ...routing];
    const keep = lead.length + 1 + Math.min(answers.header ? 2 : 1, answers.pieces.length);
    return { pieces, keep, continued, gap: s.gap };
  }

  /** The answer area: boxes, a grid, lines or a number box; `header` is a grid's column header. */
  private answers(q: PaperQuestion, x: number, width: number): { pieces: Piece[]; header?: Piece } {
    const pieces: Piece[] = [];
    let header: Piece | undefined;
    if (q.answer === 'grid' && q.grid) {
      const grid = this.grid(q.grid, x, width);
      header = grid.header;
      pieces.push(grid.header, ...grid.rows);
    } else if (q.answer === 'tick-one' || q.answer === 'tick-all' || q.answer === 'rank') {
      const scale = q.type === 'rating' ? this.scale(q, x, width) : null;
      pieces.push(...(scale ? [scale] : this.choices(q.choices, q.answer === 'rank', x, width)));
    } else if (q.answer === 'number') {
      pieces.push(this.numberBox(x, width));
    } else {
      pieces.push(...q.fields.map((label) => this.field(label, x, width)));
      if (q.lines > 0) pieces.push(this.lines(q.lines, x, width));
    }
    if (q.comment !== null) {
      pieces.push(this.text(q.comment, { size: this.sizes.small }, x, width, 6));
      pieces.push(this.lines(2, x, width));
    }
    return { pieces, header };
  }

  /** Options one under another, or in two or three columns when there are many short ones. */
  private choices(choices: PaperChoice[], rank: boolean, x: number, width: number): Piece[] {
    const s = this.sizes;
    const side = rank ? s.box * 1.5 : s.box;
    const indent = side + s.body * 0.6;
    const style = { size: s.body };
    const widest = Math.max(...choices.map((c) => this.widthOf(c.text, style)));
    const writeIn = choices.some((c) => c.writeIn);
    let columns = 1;
    if (!writeIn && choices.length >= 6 && widest + indent + 16 <= width / 2) columns = 2;
    if (!writeIn && choices.length >= 9 && widest + indent + 16 <= width / 3) columns = 3;
    const columnWidth = width / columns;
    const perColumn = Math.ceil(choices.length / columns);
    const rowGap = s.body * 0.45;

    return Array.from({ length: perColumn }, (_, row) => {
      const cells = Array.from({ length: columns }, (_, col) => choices[col * perColumn + row]).filter(
        (c): c is PaperChoice => c !== undefined,
      );
      const textWidth = columnWidth - indent - (columns > 1 ? 12 : 0);
      // "Other (describe)" gets its line after the text, or under it when the text is long.
      const sameLine = cells.map((c) => c.writeIn && this.widthOf(c.text, style) + 100 <= textWidth);
      const heights = cells.map((c, i) => {
        const text = this.measure(c.text, style, textWidth);
        return c.writeIn && !sameLine[i] ? text + s.rule * 0.9 : text;
      });
      const height = Math.max(side, ...heights) + rowGap;
      const line = s.body * 1.17;
      return {
        height,
        draw: (y: number) => {
          cells.forEach((choice, col) => {
            const left = x + col * columnWidth;
            this.box(left, y + Math.max((line - side) / 2, 0), side);
            this.write(choice.text, left + indent, y, style, textWidth);
            if (sameLine[col]) {
              const end = left + indent + this.widthOf(choice.text, style) + 6;
              this.rule(end, x + width, y + line - 2);
            } else if (choice.writeIn) {
              this.rule(left + indent, x + width, y + (heights[col] ?? 0) - 2);
            }
          });
        },
      };
    });
  }

  /** A rating: numbered boxes side by side with the scale's end texts under them. */
  private scale(q: PaperQuestion, x: number, width: number): Piece | null {
    const s = this.sizes;
    const style = { size: s.body, align: 'center' as const };
    const short = q.choices.every((c) => c.text.length <= 3);
    const slot = Math.min(width / q.choices.length, s.box * 4);
    if (!short || slot < s.box * 1.8) return null;
    const label = this.measure('0', style, slot);
    const ends = q.scale ? [q.scale.min, q.scale.max] : [];
    const endStyle = { size: s.small };
    const endWidth = (slot * q.choices.length) / 2 - 4;
    const endHeight = ends.length ? 4 + Math.max(...ends.map((e) => this.measure(e, endStyle, endWidth))) : 0;
    return {
      height: label + 3 + s.box + endHeight + s.body * 0.45,
      draw: (y) => {
        q.choices.forEach((choice, i) => {
          const left = x + i * slot;
          this.write(choice.text, left, y, style, slot);
          this.box(left + (slot - s.box) / 2, y + label + 3, s.box);
        });
        if (q.scale) {
          const top = y + label + 3 + s.box + 4;
          this.write(q.scale.min, x, top, endStyle, endWidth);
          this.write(
            q.scale.max,
            x + slot * q.choices.length - endWidth,
            top,
            { ...endStyle, align: 'right' },
            endWidth,
          );
        }
      },
    };
  }

  private lines(count: number, x: number, width: number): Piece {
    const spacing = this.sizes.rule;
    return {
      height: count * spacing + 4,
      draw: (y) => {
        for (let i = 1; i <= count; i++) this.rule(x, x + width, y + i * spacing);
      },
    };
  }

  private field(label: string, x: number, width: number): Piece {
    const s = this.sizes;
    const style = { size: s.body };
    const labelWidth = Math.min(this.widthOf(label, style) + 2, width * 0.45);
    const height = Math.max(this.measure(label, style, labelWidth), s.body * 1.2);
    return {
      height: height + s.rule * 0.5,
      draw: (y) => {
        this.write(label, x, y, style, labelWidth);
        this.rule(x + labelWidth + 8, x + width, y + s.body * 1.15);
      },
    };
  }

  private numberBox(x: number, width: number): Piece {
    const s = this.sizes;
    const boxWidth = Math.min(5 * CM, width);
    const boxHeight = s.box * 2.2;
    return {
      height: boxHeight + 6,
      draw: (y) => {
        this.doc.lineWidth(0.9).strokeColor(INK).rect(x, y, boxWidth, boxHeight).stroke();
      },
    };
  }

  /**
   * A grid of rows by columns. Column headers wrap within their column, shrinking until their
   * longest word fits; when even the smallest size does not fit, they are turned on their side.
   */
  private grid(grid: PaperGrid, x: number, width: number): { header: Piece; rows: Piece[] } {
    const s = this.sizes;
    const rowStyle = { size: s.body };
    const widestRow = Math.max(0, ...grid.rows.map((r) => this.widthOf(r, rowStyle)));
    const labelWidth = Math.min(widestRow + 12, width * 0.4);
    const cellWidth = (width - labelWidth) / Math.max(grid.columns.length, 1);
    const left = x + labelWidth;
    const header = this.gridHeader(grid.columns, left, cellWidth, x, width);

    const pad = s.body * 0.35;
    const rows = grid.rows.map((row): Piece => {
      const writes = grid.cells.includes('write');
      const label = this.measure(row, rowStyle, labelWidth - 6);
      const height = Math.max(label, s.box, writes ? s.rule : 0) + 2 * pad;
      return {
        height,
        draw: (y) => {
          this.write(row, x, y + pad, rowStyle, labelWidth - 6);
          grid.cells.forEach((cell, col) => {
            const cx = left + col * cellWidth;
            if (cell === 'box') this.box(cx + (cellWidth - s.box) / 2, y + (height - s.box) / 2, s.box);
            else {
              this.doc
                .lineWidth(0.6)
                .strokeColor(LINE)
                .rect(cx + 2, y + 2, cellWidth - 4, height - 4)
                .stroke();
            }
          });
          // Written cells have borders of their own; a rule between rows would only double them.
          if (!grid.cells.every((cell) => cell === 'write')) this.rule(x, x + width, y + height);
        },
      };
    });
    return { header, rows };
  }

  private gridHeader(columns: string[], left: number, cellWidth: number, x: number, width: number): Piece {
    const s = this.sizes;
    const words = columns.flatMap((c) => c.split(/\s+/));
    let size = s.small;
    const widestWord = () => Math.max(0, ...words.map((w) => this.widthOf(w, { size })));
    while (size > s.minHeader && widestWord() > cellWidth - 4) size -= 0.5;

    if (widestWord() <= cellWidth - 4) {
      const style = { size, align: 'center' as const };
      const height = Math.max(...columns.map((c) => this.measure(c, style, cellWidth - 4))) + 6;
      return {
        height,
        draw: (y) => {
          columns.forEach((c, i) => this.write(c, left + i * cellWidth + 2, y, style, cellWidth - 4));
          this.rule(x, x + width, y + height);
        },
      };
    }

    // On their side: each header reads upwards and wraps within the column's width.
    size = s.small;
    const longest = s.body * 12;
    let length = longest;
    const fits = () => columns.every((c) => this.measure(c, { size }, length) <= cellWidth - 2);
    for (; size > s.minHeader; size -= 0.5) {
      length = Math.min(longest, Math.max(...columns.map((c) => this.widthOf(c, { size }) + 2)));
      if (fits()) break;
    }
    length = Math.min(longest, Math.max(...columns.map((c) => this.widthOf(c, { size }) + 2)));
    const height = length + 6;
    return {
      height,
      draw: (y) => {
        columns.forEach((c, i) => {
          const thickness = Math.min(this.measure(c, { size }, length), cellWidth);
          const ox = left + i * cellWidth + (cellWidth - thickness) / 2;
          const oy = y + height - 3;
          this.doc.save();
          this.doc.rotate(-90, { origin: [ox, oy] });
          this.write(c, ox, oy, { size }, length);
          this.doc.restore();
        });
        this.rule(x, x + width, y + height);
      },
    };
  }
}
