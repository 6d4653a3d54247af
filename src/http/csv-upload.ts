import express, { type Request } from 'express';
import { parse } from 'csv-parse/sync';
import { AppError, BadRequestError, ValidationError } from '../errors';
import { NUL_MESSAGE } from './validation';

/** Largest CSV upload (a whole data return, a table of population margins). */
const CSV_LIMIT = '2mb';
const csvText = express.text({ type: 'text/csv', limit: CSV_LIMIT });

/** Reads a text/csv request body; other types get 415, bodies over the limit 413. */
export function readCsvBody(req: Request): Promise<string> {
  if (!req.is('text/csv'))
    return Promise.reject(new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the file as text/csv'));
  return new Promise((resolve, reject) =>
    csvText(req, req.res!, (err?: unknown) => {
      if (err) reject(err);
      else if (typeof req.body !== 'string') reject(new BadRequestError('send the file as text/csv'));
      // PostgreSQL under FerretDB cannot store U+0000 (see findUnsafeKeys for JSON bodies).
      else if (req.body.includes('\u0000'))
        reject(
          new ValidationError('the file holds a NUL character; nothing was stored', [
            { path: '/', message: NUL_MESSAGE },
          ]),
        );
      else resolve(req.body);
    }),
  );
}

/** One row of an uploaded table: its cells by lower-case column name, and its line in the file. */
export interface CsvRecord {
  record: Record<string, string>;
  info: { lines: number };
}

/** The file's separator: a semicolon when the header has one and no comma, else a comma. */
function csvDelimiter(text: string): ',' | ';' {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
}

/**
 * Rows of a CSV file with a header row, as spreadsheets save them: comma-separated, or
 * semicolon-separated where the decimal separator is a comma (the header decides), with or
 * without a byte-order mark, and the separator found (numbers read by it, see numberCell). A file
 * that cannot be read is a 422 at the line where it broke.
 */
export function parseCsvRecords(text: string): { records: CsvRecord[]; delimiter: ',' | ';' } {
  const delimiter = csvDelimiter(text);
  try {
    const records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      delimiter,
      bom: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as CsvRecord[];
    return { records, delimiter };
  } catch (err) {
    const e = err as { message: string; lines?: number };
    throw new ValidationError('the CSV file cannot be read; nothing was stored', [
      { path: `/rows/${e.lines ?? 0}`, message: e.message },
    ]);
  }
}

/** `1,234`: English thousands grouping, or a decimal comma; a leading 0 is no grouping. */
const GROUPED_THOUSANDS = /^-?[1-9]\d{0,2}(,\d{3})+$/;

/**
 * A number as spreadsheets write it: `12.5`, or `12,5` where the decimal separator is a comma
 * (spaces inside, as in `1 234,5`, are digit grouping); blank is null, anything else undefined.
 * In a comma-separated file (`delimiter` ','), a comma followed by exactly three digits, as in
 * `1,234`, is undefined too: English spreadsheets group thousands so, and reading 1,234
 * households as 1.234 would be silently wrong by a thousandfold. Semicolon-separated files come
 * from spreadsheets whose decimal separator is the comma, and read it so.
 */
export function numberCell(text: string, delimiter: ',' | ';' = ';'): number | null | undefined {
  const t = text.trim().replace(/\s/g, '');
  if (t === '') return null;
  if (delimiter === ',' && GROUPED_THOUSANDS.test(t)) return undefined;
  const normal = /^-?\d+,\d+$/.test(t) ? t.replace(',', '.') : t;
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(normal)) return undefined;
  return Number(normal);
}

/** Why a cell is not a number, for the uploader: the thousands grouping gets its own hint. */
export function notANumber(text: string): string {
  return GROUPED_THOUSANDS.test(text.trim().replace(/\s/g, ''))
    ? `"${text}" is ambiguous in a comma-separated file (a thousands separator or a decimal comma?): write it without grouping (1234), with a decimal point (1.234), or save the file with semicolons`
    : `"${text}" is not a number`;
}
