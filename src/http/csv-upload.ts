import express, { type Request } from 'express';
import { parse } from 'csv-parse/sync';
import { AppError, BadRequestError, ValidationError } from '../errors';

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
      else resolve(req.body);
    }),
  );
}

/** One row of an uploaded table: its cells by lower-case column name, and its line in the file. */
export interface CsvRecord {
  record: Record<string, string>;
  info: { lines: number };
}

/**
 * Rows of a CSV file with a header row, as spreadsheets save them: comma-separated, or
 * semicolon-separated where the decimal separator is a comma (the header decides), with or
 * without a byte-order mark. A file that cannot be read is a 422 at the line where it broke.
 */
export function parseCsvRecords(text: string): CsvRecord[] {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  try {
    return parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      delimiter,
      bom: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as CsvRecord[];
  } catch (err) {
    const e = err as { message: string; lines?: number };
    throw new ValidationError('the CSV file cannot be read; nothing was stored', [
      { path: `/rows/${e.lines ?? 0}`, message: e.message },
    ]);
  }
}

/**
 * A number as spreadsheets write it: `12.5`, or `12,5` where the decimal separator is a comma;
 * blank is null, anything else undefined.
 */
export function numberCell(text: string): number | null | undefined {
  const t = text.trim().replace(/\s/g, '');
  if (t === '') return null;
  const normal = /^-?\d+,\d+$/.test(t) ? t.replace(',', '.') : t;
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(normal)) return undefined;
  return Number(normal);
}
