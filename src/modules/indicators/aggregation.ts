import { contentHash } from '../../canonical-json';
import { expressionVariables } from '../surveys/survey-engine';
import { answerFor, mapAnswer, type MappingEntry } from '../surveys/indicator-mapping';
import { addModeCounts, type Mode, type ModeCounts } from '../responses/modes';
import type { IndicatorDefinition } from '../catalogue/catalogue';
import {
  applySuppression,
  meanFromCounts,
  npsCategory,
  npsIndicator,
  shareIndicator,
  type SuppressionReason,
} from '../catalogue/statistics';

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/**
 * Sufficient statistics of one indicator over a set of responses: counts per scale value
 * and of excluded answers. Counts add up, so buckets combine into organisation totals
 * without rereading responses.
 */
export interface IndicatorStats {
  indicatorId: string;
  /** Scale value (as text) → answers. */
  counts: Record<string, number>;
  /** Excluded value (don't know, not applicable) → answers. */
  excluded: Record<string, number>;
  /** Hashes of the question and value map that measured it, one per survey version. */
  methods: string[];
  /**
   * Answers on the scale per collection mode. Absent in statistics counted before modes were
   * recorded, when every answer was online ({@link modesOf}).
   */
  modes?: ModeCounts;
}

/** The base per mode of statistics, reading statistics counted before modes as online. */
export function modesOf(s: IndicatorStats): ModeCounts {
  if (s.modes) return s.modes;
  const base = sum(s.counts);
  return base ? { online: base } : {};
}

/** How one survey version measures its indicators. */
export interface VersionMapping {
  entries: Array<{ entry: MappingEntry; indicator: IndicatorDefinition; method: string }>;
}

/**
 * Version of how method hashes are made. When it changes, hashes of unchanged questions change
 * too: the worker then has every value counted again once (see methodsOutdated), so that no
 * trend shows a method change that is only a change of hashing.
 */
export const METHOD_HASH_VERSION = 2;

/** Triggers that decide who reaches later pages: completing the survey early, or skipping ahead. */
const ROUTING_TRIGGERS = new Set(['complete', 'skip']);

/**
 * Prepares a version's mapping for aggregation. The method hash covers the question as
 * tenants saw it (wording in every language, choices), who was asked it and the value map:
 * when it changes between versions or periods, trends flag the change. Who was asked: the
 * conditions on the question and on the pages and panels around it; the questions and
 * calculated values those conditions read (their wording and choices, and who was asked them in
 * turn); and, from the second page on, the triggers that end the survey early or skip ahead.
 */
export function prepareMapping(
  definition: Record<string, unknown>,
  mapping: MappingEntry[],
  catalogue: Map<string, IndicatorDefinition>,
): VersionMapping {
  // Each question with the conditions of the pages and panels around it: who is asked is part
  // of the method as much as the wording.
  const elements = new Map<string, { element: Record<string, unknown>; askedIf: unknown[]; page: number }>();
  const walk = (list: unknown, askedIf: unknown[], page: number) => {
    if (!Array.isArray(list)) return;
    for (const el of list as Array<Record<string, unknown>>) {
      const key = typeof el?.valueName === 'string' && el.valueName ? el.valueName : el?.name;
      const own = el?.visibleIf !== undefined ? [...askedIf, el.visibleIf] : askedIf;
      if (typeof key === 'string') elements.set(key, { element: el, askedIf: own, page });
      walk(el?.elements, own, page);
      walk(el?.templateElements, own, page);
    }
  };
  ((definition.pages as Array<Record<string, unknown>> | undefined) ?? []).forEach((page, i) =>
    walk(page.elements, page.visibleIf !== undefined ? [page.visibleIf] : [], i),
  );
  walk(definition.elements, [], 0);
  const calculated = new Map<string, unknown>();
  for (const c of (definition.calculatedValues as Array<Record<string, unknown>> | undefined) ?? [])
    if (typeof c?.name === 'string') calculated.set(c.name, c.expression);
  const routing = ((definition.triggers as Array<Record<string, unknown>> | undefined) ?? []).filter((t) =>
    ROUTING_TRIGGERS.has(String(t?.type)),
  );
  const variables = (expressions: unknown[]) =>
    expressions.flatMap((e) => (typeof e === 'string' ? expressionVariables(e) : []));
  /** What the expressions read, followed to what that reads: elements as written, calculated values' expressions. */
  const readBy = (expressions: unknown[]): Record<string, unknown> => {
    const read: Record<string, unknown> = {};
    const queue = variables(expressions);
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      // `{panel[0].q}`, `{matrix.row}`: the question that holds the value.
      const root = name.split(/[.[]/)[0]!;
      if (Object.hasOwn(read, root) || Object.keys(read).length >= 100) continue;
      const found = elements.get(root);
      if (found) {
        read[root] = { ...found.element, isRequired: undefined };
        queue.push(...variables(found.askedIf));
      } else if (calculated.has(root)) {
        read[root] = { expression: calculated.get(root) };
        queue.push(...variables([calculated.get(root)]));
      }
    }
    return read;
  };
  const entries = [];
  for (const entry of mapping) {
    const indicator = catalogue.get(entry.indicator);
    if (!indicator) continue;
    const found = elements.get(entry.question);
    let shown: Record<string, unknown> | null = found
      ? { ...found.element, visibleIf: undefined, isRequired: undefined }
      : null;
    if (shown && (entry.row !== undefined || entry.item !== undefined)) {
      // A grid's cell is measured by its own row (or item) and the scale; other rows may change.
      const pick = (list: unknown, key: unknown) =>
        Array.isArray(list) ? list.find((r) => itemKey(r) === String(key)) : undefined;
      shown = {
        ...shown,
        rows: entry.row !== undefined ? pick(shown.rows, entry.row) : undefined,
        items: entry.item !== undefined ? pick(shown.items, entry.item) : undefined,
        columns: entry.column !== undefined ? pick(shown.columns, entry.column) : shown.columns,
      };
    }
    const cell = [entry.row, entry.column, entry.item];
    // Triggers on the way to the question's page; none reach the first page.
    const routes = found && found.page > 0 ? routing : [];
    const conditions = [...(found?.askedIf ?? []), ...routes.map((t) => t.expression)];
    const method = contentHash({
      question: shown,
      // Skip logic: present only when the question is conditional, so an unconditional question's
      // hash stays what stored values carry.
      ...(found?.askedIf.length ? { askedIf: found.askedIf } : {}),
      ...(routes.length ? { routes } : {}),
      ...(conditions.length ? { reads: readBy(conditions) } : {}),
      // Only grid cells name one; a plain question's hash stays what stored values carry.
      ...(cell.some((c) => c !== undefined) ? { cell: cell.map((c) => c ?? null) } : {}),
      valueMap: entry.valueMap ?? null,
      scale: indicator.scale,
    }).slice(0, 16);
    entries.push({ entry, indicator, method });
  }
  return { entries };
}

/** The key of a row, column or item in SurveyJS JSON: `value`, `name`, or the bare value. */
function itemKey(item: unknown): string {
  if (typeof item !== 'object' || item === null) return String(item);
  const { value, name } = item as { value?: unknown; name?: unknown };
  return String(value ?? name);
}

/** Accumulates indicator statistics response by response, in bounded memory. */
export class StatsAccumulator {
  private readonly stats = new Map<string, IndicatorStats>();

  /** Adds one response's answers, collected in `mode`, as measured by its version's mapping. */
  add(answers: Record<string, unknown>, mapping: VersionMapping, mode: Mode = 'online'): void {
    for (const { entry, indicator, method } of mapping.entries) {
      const mapped = mapAnswer(answerFor(answers, entry), entry, indicator);
      if (!mapped) continue;
      let s = this.stats.get(indicator.id);
      if (!s) {
        s = { indicatorId: indicator.id, counts: {}, excluded: {}, methods: [], modes: {} };
        this.stats.set(indicator.id, s);
      }
      const bag = mapped.kind === 'scale' ? s.counts : s.excluded;
      const key = String(mapped.value);
      bag[key] = (bag[key] ?? 0) + 1;
      if (mapped.kind === 'scale') s.modes![mode] = (s.modes![mode] ?? 0) + 1;
      if (!s.methods.includes(method)) s.methods.push(method);
    }
  }

  /** The statistics gathered, one entry per indicator that received an answer. */
  result(): IndicatorStats[] {
    return [...this.stats.values()].map((s) => ({ ...s, methods: [...s.methods].sort() }));
  }
}

/** Sums statistics of the same indicator (several surveys or segments). */
export function combineStats(list: IndicatorStats[]): IndicatorStats {
  const out: IndicatorStats = {
    indicatorId: list[0]!.indicatorId,
    counts: {},
    excluded: {},
    methods: [],
    modes: {},
  };
  for (const s of list) {
    out.modes = addModeCounts(out.modes!, modesOf(s));
    for (const [k, v] of Object.entries(s.counts)) out.counts[k] = (out.counts[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.excluded)) out.excluded[k] = (out.excluded[k] ?? 0) + v;
    for (const m of s.methods) if (!out.methods.includes(m)) out.methods.push(m);
  }
  out.methods.sort();
  return out;
}

/** A computed indicator value, before suppression. */
export interface IndicatorResult {
  /** The indicator's base: answers on its scale (don't know and not applicable excluded). */
  n: number;
  excludedCount: number;
  value: number | null;
  low: number | null;
  high: number | null;
  /** Survey responses in the cell (from the surveys that measure the indicator). */
  responses: number;
  /** Survey response rate: responses over the housing stock, when the stock is known and consistent. */
  responseRate: number | null;
  /** The indicator's base over the housing stock, when the stock is known and consistent. */
  baseRate: number | null;
  /** The population used for the finite population correction, if any. */
  population: number | null;
  /** A housing stock was given but is smaller than the responses, so it was not used. */
  populationIgnored: boolean;
  distribution: Record<string, number>;
  /** The base (n) per collection mode. */
  nByMode: ModeCounts;
}

/**
 * Computes an indicator from its statistics: share of positive answers with the Wilson
 * interval, NPS with its adjusted Wald interval, or a mean with a t interval, each with the
 * finite population correction when the housing stock N is known. A stock smaller than the
 * responses (a stale figure) is ignored rather than trusted, and the result says so.
 *
 * @param responses - survey responses in the cell; defaults to the indicator's answers
 */
export function computeIndicator(
  def: IndicatorDefinition,
  stats: IndicatorStats,
  population: number | null,
  responses?: number,
): IndicatorResult {
  const base = sum(stats.counts);
  const excludedCount = sum(stats.excluded);
  const respondents = Math.max(responses ?? 0, base + excludedCount);
  const usable = population !== null && population >= respondents ? population : null;
  const opts = usable !== null ? { population: usable } : {};
  const common = {
    n: base,
    excludedCount,
    responses: respondents,
    responseRate: usable ? respondents / usable : null,
    baseRate: usable ? base / usable : null,
    population: usable,
    populationIgnored: population !== null && usable === null,
    distribution: { ...stats.counts, ...stats.excluded },
    nByMode: modesOf(stats),
  };
  if (def.kind === 'share') {
    const positive = def.positive.reduce<number>((a, p) => a + (stats.counts[String(p)] ?? 0), 0);
    const r = shareIndicator({ positive, base, excluded: excludedCount }, opts);
    return { ...common, value: r.value, low: r.low, high: r.high };
  }
  if (def.kind === 'nps') {
    const groups = { promoter: 0, passive: 0, detractor: 0 };
    for (const [k, c] of Object.entries(stats.counts)) groups[npsCategory(Number(k))] += c;
    const r = npsIndicator(
      {
        promoters: groups.promoter,
        passives: groups.passive,
        detractors: groups.detractor,
        excluded: excludedCount,
      },
      opts,
    );
    return { ...common, value: r.value, low: r.low, high: r.high };
  }
  const r = meanFromCounts(stats.counts, opts);
  return { ...common, value: r.value, low: r.low, high: r.high };
}

/**
 * Suppression of one organisation's values of one indicator and period: primary below the
 * indicator's minimum n; secondary where a hidden segment could be recovered by subtracting
 * the published ones from the total (`*`), chosen by the segments' housing stock (`stock`).
 */
export function suppressSegments(
  cells: Array<{ segment: string; n: number; stock?: number | null }>,
  minN: number,
): Map<string, SuppressionReason> {
  const hasTotal = cells.some((c) => c.segment === '*');
  return applySuppression(
    cells.map((c) => ({ key: c.segment, n: c.n, minN, size: c.stock ?? null })),
    hasTotal ? { totalKey: '*' } : {},
  );
}
