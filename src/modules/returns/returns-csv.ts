import { ValidationError, type ErrorDetail } from '../../errors';
import { notANumber, numberCell, parseCsvRecords } from '../../http/csv-upload';
import type { CsvTable } from '../../http/route';
import type { StoredFigure } from './data-return.model';
import type { FigureInput, Finding } from './return-checks';

/** Columns of a return as CSV, in order; `indicator` is the only one required. */
export const RETURN_COLUMNS = [
  'indicator',
  'part',
  'tenure',
  'numerator',
  'denominator',
  'value',
  'comment',
  'not_available',
] as const;

const FIELD_COLUMN: Record<string, string> = { notAvailable: 'not_available' };

/** A parsed upload: the figures and the file line each came from. */
export interface ParsedReturn {
  figures: FigureInput[];
  lines: number[];
}

/**
 * Reads a whole return from CSV text (comma- or semicolon-separated, a header row naming the
 * columns). Every problem is reported at `/rows/{line}/{column}`; nothing is returned if any.
 */
export function parseReturnCsv(text: string): ParsedReturn {
  const { records, delimiter } = parseCsvRecords(text);
  const problems: ErrorDetail[] = [];
  const header = records[0] ? Object.keys(records[0].record) : [];
  const unknown = header.filter((h) => !(RETURN_COLUMNS as readonly string[]).includes(h));
  if (unknown.length)
    problems.push({
      path: '/columns',
      message: `unknown columns ${unknown.join(', ')}; use ${RETURN_COLUMNS.join(', ')}`,
    });
  if (records.length && !header.includes('indicator'))
    problems.push({ path: '/columns', message: 'the header must name the indicator column' });
  if (!records.length) problems.push({ path: '/rows', message: 'the file has no rows under its header' });
  if (problems.length) throw new ValidationError('the CSV file cannot be used', problems);

  const figures: FigureInput[] = [];
  const lines: number[] = [];
  for (const { record, info } of records) {
    const line = info.lines;
    const f: FigureInput = { indicator: record.indicator ?? '' };
    if (!/^[A-Z][A-Z0-9_]{1,31}$/.test(f.indicator))
      problems.push({ path: `/rows/${line}/indicator`, message: `"${f.indicator}" is not an indicator id` });
    if (record.part) f.part = record.part;
    if (record.tenure) f.tenure = record.tenure;
    for (const column of ['numerator', 'denominator', 'value'] as const) {
      const v = numberCell(record[column] ?? '', delimiter);
      if (v === undefined)
        problems.push({ path: `/rows/${line}/${column}`, message: notANumber(record[column] ?? '') });
      else if (v !== null && column !== 'value' && v < 0)
        problems.push({ path: `/rows/${line}/${column}`, message: 'cannot be negative' });
      else f[column] = v;
    }
    if (record.comment) f.comment = record.comment.slice(0, 2000);
    if (record.not_available) f.notAvailable = record.not_available.slice(0, 500);
    figures.push(f);
    lines.push(line);
  }
  if (problems.length) throw new ValidationError('the CSV file has errors; nothing was stored', problems);
  return { figures, lines };
}

/** The path of a check's finding in the uploaded file. */
export function rowPath(parsed: ParsedReturn) {
  return (f: Finding & { index: number }) =>
    `/rows/${parsed.lines[f.index]}/${FIELD_COLUMN[f.field] ?? f.field}`;
}

/** A return as CSV in the upload format, so a download can be edited and uploaded again. */
export function returnCsv(body: { figures: StoredFigure[] }): CsvTable {
  return {
    columns: [...RETURN_COLUMNS],
    rows: body.figures.map((f) => [
      f.indicator,
      f.part,
      f.tenure,
      f.numerator,
      f.denominator,
      f.value,
      f.comment,
      f.notAvailable,
    ]),
  };
}
