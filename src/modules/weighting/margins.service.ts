import { NotFoundError, ValidationError, type ErrorDetail } from '../../errors';
import type { AuthContext } from '../../http/context';
import { afterKey, toKeyPage, type PageRequest } from '../../http/pagination';
import { notANumber, numberCell, parseCsvRecords } from '../../http/csv-upload';
import type { CsvTable } from '../../http/route';
import type { OrganisationDoc } from '../organisations/organisation.model';
import { getOrganisation } from '../organisations/organisations.service';
import { DEFAULT_TRIM, Margin, marginId, marginsOf, type MarginDoc } from './margin.model';
import { marginProblems, marginScale, rake, type Margins, type RakeOptions, type RakeResult } from './raking';
import { checkRepresentativeness, type RespondentCounts, type VariableCheck } from './representativeness';
import { CATEGORY_PATTERN, MAX_CATEGORIES, MAX_VARIABLES, VARIABLE_PATTERN } from './weighting.schemas';

/** Stored margins as the API shows them. */
export interface MarginsView {
  organisation: { id: string; slug: string; name: string };
  period: string;
  variables: Record<string, Record<string, number>>;
  scale: 'counts' | 'shares';
  total: number;
  /** Caps of the weights when published values are weighted, × the mean weight. */
  trim: { min: number; max: number };
  updatedAt: string;
}

function totalOf(doc: Pick<MarginDoc, 'variables'>): number {
  return (doc.variables[0]?.categories ?? []).reduce((s, c) => s + c.count, 0);
}

function toView(org: OrganisationDoc, doc: MarginDoc): MarginsView {
  const variables = marginsOf(doc);
  return {
    organisation: { id: org._id.toHexString(), slug: org.slug, name: org.name },
    period: doc.period,
    variables,
    scale: marginScale(variables),
    total: totalOf(doc),
    trim: { min: doc.trim?.min ?? DEFAULT_TRIM.min, max: doc.trim?.max ?? DEFAULT_TRIM.max },
    updatedAt: doc.updatedAt.toISOString(),
  };
}

/**
 * Stores (replaces) an organisation's margins for a period. Margins whose variables total
 * differently (beyond 0.5%) are refused, with the variable's path under `/variables`.
 */
export async function putMargins(
  caller: AuthContext,
  orgRef: string,
  period: string,
  variables: Margins,
  trim?: { min?: number; max?: number },
): Promise<MarginsView> {
  const org = await getOrganisation(caller, orgRef);
  const problems = marginProblems(variables, '/variables');
  if (problems.length) throw new ValidationError('the margins cannot be used; nothing was stored', problems);
  const _id = marginId(org._id, period);
  const doc = await Margin.findOneAndUpdate(
    { _id },
    {
      $set: {
        organisationId: org._id,
        period,
        variables: Object.entries(variables).map(([name, categories]) => ({
          name,
          categories: Object.entries(categories).map(([category, count]) => ({ name: category, count })),
        })),
        updatedBy: caller.keyId,
        ...(trim ? { trim: { min: trim.min ?? DEFAULT_TRIM.min, max: trim.max ?? DEFAULT_TRIM.max } } : {}),
      },
    },
    { upsert: true, new: true, setDefaultsOnInsert: true },
  ).lean<MarginDoc>();
  return toView(org, doc!);
}

async function stored(caller: AuthContext, orgRef: string, period: string) {
  const org = await getOrganisation(caller, orgRef);
  const doc = await Margin.findById(marginId(org._id, period)).lean<MarginDoc>();
  if (!doc) throw new NotFoundError('margins');
  return { org, doc };
}

/** An organisation's margins for a period; 404 when none are stored or the organisation is not yours. */
export async function getMargins(caller: AuthContext, orgRef: string, period: string): Promise<MarginsView> {
  const { org, doc } = await stored(caller, orgRef, period);
  return toView(org, doc);
}

/** A page of the periods an organisation has margins for, oldest first. */
export async function listMargins(caller: AuthContext, orgRef: string, page: PageRequest) {
  const org = await getOrganisation(caller, orgRef);
  // The _id is organisation|period: its order is the periods' order.
  const docs = await Margin.find({ organisationId: org._id, ...afterKey(page.cursor) })
    .sort({ _id: 1 })
    .limit(page.limit + 1)
    .lean<MarginDoc[]>();
  return toKeyPage(docs, page.limit, (d) => ({
    period: d.period,
    variables: d.variables.map((v) => v.name),
    scale: marginScale(marginsOf(d)),
    total: totalOf(d),
    updatedAt: d.updatedAt.toISOString(),
  }));
}

/** Respondent counts compared with the stored margins of a period. */
export async function checkAgainstMargins(
  caller: AuthContext,
  orgRef: string,
  period: string,
  respondents: RespondentCounts,
): Promise<{ period: string; variables: VariableCheck[] }> {
  const { doc } = await stored(caller, orgRef, period);
  return { period, variables: checkRepresentativeness(marginsOf(doc), respondents) };
}

/** What the rake endpoint accepts, as validated at the edge. */
export interface RakeRequest {
  respondents: Array<Record<string, string>>;
  baseWeights?: number[];
  margins?: Margins;
  organisation?: string;
  period?: string;
  options?: RakeOptions;
}

/**
 * Rakes the respondents to the margins in the request, or to the stored margins of the caller's
 * organisation for a period. The organisation comes through the same scoping as every read, so
 * another organisation's margins answer 404.
 */
export async function rakeRespondents(
  caller: AuthContext,
  body: RakeRequest,
): Promise<RakeResult & { source: { organisation: string; period: string } | null }> {
  const problems: ErrorDetail[] = [];
  if (body.margins && (body.organisation !== undefined || body.period !== undefined))
    problems.push({ path: '/margins', message: 'give margins, or organisation and period, not both' });
  else if (!body.margins) {
    if (body.organisation === undefined)
      problems.push({
        path: '/margins',
        message: 'give margins, or organisation and period of stored margins',
      });
    if (body.period === undefined)
      problems.push({ path: '/period', message: 'the period of the stored margins is required' });
  }
  if (body.baseWeights && body.baseWeights.length !== body.respondents.length)
    problems.push({
      path: '/baseWeights',
      message: `give one weight per respondent (${body.respondents.length})`,
    });
  if (problems.length) throw new ValidationError('the request cannot be used', problems);

  let margins = body.margins;
  let source: { organisation: string; period: string } | null = null;
  if (!margins) {
    const { org, doc } = await stored(caller, body.organisation!, body.period!);
    margins = marginsOf(doc);
    source = { organisation: org.slug, period: doc.period };
  }
  const respondents = body.respondents.map((categories, i) => ({
    categories,
    weight: body.baseWeights?.[i],
  }));
  return { ...rake(respondents, margins, body.options), source };
}

/** Columns of margins as CSV, in order. */
export const MARGIN_COLUMNS = ['variable', 'category', 'count'] as const;

/** A count: a non-negative number up to a billion, as spreadsheets write it. */
function countCell(text: string, delimiter: ',' | ';'): number | undefined {
  const n = numberCell(text, delimiter);
  return n !== null && n !== undefined && Number.isFinite(n) && n >= 0 && n <= 1e9 ? n : undefined;
}

/**
 * Reads margins from CSV text with the columns variable, category, count (comma- or
 * semicolon-separated, a header row). Every problem is reported at `/rows/{line}/{column}`
 * (or `/columns`, `/rows`); nothing is returned if there is any.
 */
export function parseMarginsCsv(text: string): Record<string, Record<string, number>> {
  const { records, delimiter } = parseCsvRecords(text);
  const header = records[0] ? Object.keys(records[0].record) : [];
  const problems: ErrorDetail[] = [];
  if (!records.length) problems.push({ path: '/rows', message: 'the file has no rows under its header' });
  else if (header.length !== MARGIN_COLUMNS.length || !MARGIN_COLUMNS.every((c) => header.includes(c)))
    problems.push({ path: '/columns', message: `the columns must be ${MARGIN_COLUMNS.join(', ')}` });
  if (problems.length) throw new ValidationError('the CSV file cannot be used; nothing was stored', problems);

  const variable = new RegExp(VARIABLE_PATTERN);
  const category = new RegExp(CATEGORY_PATTERN, 'u');
  // Maps, not objects: a category may be named like an Object.prototype property.
  const margins = new Map<string, Map<string, number>>();
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const v = record.variable ?? '';
    const c = record.category ?? '';
    let ok = true;
    if (!variable.test(v)) {
      problems.push({
        path: `/rows/${line}/variable`,
        message: `"${v}" is not a variable name: a letter, then letters, digits, _ . - (64 at most)`,
      });
      ok = false;
    }
    if (!category.test(c)) {
      problems.push({
        path: `/rows/${line}/category`,
        message: 'a category is 1 to 64 characters on one line',
      });
      ok = false;
    }
    const count = countCell(record.count ?? '', delimiter);
    if (count === undefined) {
      const text = record.count ?? '';
      problems.push({
        path: `/rows/${line}/count`,
        message:
          numberCell(text, delimiter) === undefined
            ? notANumber(text)
            : `"${text}" is not a count, 0 or more`,
      });
      ok = false;
    }
    if (!ok) continue;
    const key = JSON.stringify([v, c]);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({ path: `/rows/${line}/category`, message: `repeats line ${earlier}` });
      continue;
    }
    seen.set(key, line);
    let categories = margins.get(v);
    if (!categories) {
      if (margins.size >= MAX_VARIABLES) {
        problems.push({ path: `/rows/${line}/variable`, message: `at most ${MAX_VARIABLES} variables` });
        continue;
      }
      categories = new Map();
      margins.set(v, categories);
    }
    if (categories.size >= MAX_CATEGORIES) {
      problems.push({
        path: `/rows/${line}/category`,
        message: `at most ${MAX_CATEGORIES} categories a variable`,
      });
      continue;
    }
    categories.set(c, count!);
  }
  if (problems.length)
    throw new ValidationError('the CSV file has errors; nothing was stored', problems.slice(0, 50));
  return Object.fromEntries([...margins].map(([v, categories]) => [v, Object.fromEntries(categories)]));
}

/** Margins as CSV in the upload format, so a download can be edited and uploaded again. */
export function marginsCsv(body: MarginsView): CsvTable {
  return {
    columns: [...MARGIN_COLUMNS],
    rows: Object.entries(body.variables).flatMap(([variable, categories]) =>
      Object.entries(categories).map(([category, count]) => [variable, category, count]),
    ),
  };
}
