import {
  figureKey,
  figureSlots,
  figureValue,
  TENURES,
  type ReportedIndicator,
} from '../catalogue/reported-indicators';
import { quantile } from '../catalogue/statistics';

/** A figure as a member enters it. */
export interface FigureInput {
  indicator: string;
  part?: string;
  tenure?: string;
  numerator?: number | null;
  denominator?: number | null;
  value?: number | null;
  comment?: string;
  /** The reason the figure cannot be given. */
  notAvailable?: string | null;
}

/** What a check found about one field of one figure. */
export interface Finding {
  /** The figure key (`ID`, `ID.part`, ...); empty for return-wide findings. */
  figure: string;
  /** The field: numerator, denominator, value, comment, indicator, part, tenure. */
  field: string;
  /** error: cannot be stored; warning: can be stored, needs a comment before submission. */
  severity: 'error' | 'warning';
  code: string;
  message: string;
  /** For warnings: a comment explains it. */
  explained?: boolean;
}

/** What the checks compare a figure with. */
export interface CheckContext {
  /** The organisation's housing stock, when known. */
  housingStock: number | null;
  /** The organisation's signed-off values of the previous period in the group, by figure key. */
  previous: ReadonlyMap<string, number>;
  /** The previous period's name, for messages. */
  previousPeriod: string | null;
  /** Other members' values of the same period, by figure key. */
  peers: ReadonlyMap<string, readonly number[]>;
}

/** Peers needed before a value can be called an outlier. */
export const MIN_PEERS_FOR_OUTLIERS = 4;

/**
 * Tukey's fences: values beyond 1.5 interquartile ranges outside the quartiles (type-7
 * quartiles, as the benchmarks use). Null with fewer than {@link MIN_PEERS_FOR_OUTLIERS} values.
 */
export function outlierFences(values: readonly number[]): { low: number; high: number } | null {
  if (values.length < MIN_PEERS_FOR_OUTLIERS) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  return { low: q1 - 1.5 * iqr, high: q3 + 1.5 * iqr };
}

const given = (v: number | null | undefined): v is number => v !== null && v !== undefined;

/** How a value reads in messages: rates as percentages. */
export function formatValue(def: Pick<ReportedIndicator, 'kind' | 'unit'>, v: number): string {
  if (def.kind === 'rate') return `${(v * 100).toFixed(1)}%`;
  const text = Number.isInteger(v) ? String(v) : v.toFixed(2);
  return def.unit ? `${text} ${def.unit}` : text;
}

/**
 * The identity of a figure: is the indicator in the group's set, the part and tenure valid?
 * Returns the definition and the figure key, or the problems.
 */
export function identify(
  f: FigureInput,
  groupIndicators: ReadonlySet<string>,
  catalogue: ReadonlyMap<string, ReportedIndicator>,
): { def: ReportedIndicator; key: string } | Finding[] {
  const def = catalogue.get(f.indicator);
  if (!def || !groupIndicators.has(f.indicator))
    return [
      {
        figure: f.indicator,
        field: 'indicator',
        severity: 'error',
        code: 'UNKNOWN_INDICATOR',
        message: `${f.indicator} is not a reported indicator of this group`,
      },
    ];
  const problems: Finding[] = [];
  const part = f.part ?? '';
  const tenure = f.tenure ?? '';
  const parts = def.parts.map((p) => p.key);
  if (parts.length ? !parts.includes(part) : part !== '')
    problems.push({
      figure: f.indicator,
      field: 'part',
      severity: 'error',
      code: 'UNKNOWN_PART',
      message: parts.length ? `${def.id} has the parts ${parts.join(', ')}` : `${def.id} has no parts`,
    });
  if (def.tenureSplit ? !(TENURES as readonly string[]).includes(tenure) : tenure !== '')
    problems.push({
      figure: f.indicator,
      field: 'tenure',
      severity: 'error',
      code: 'UNKNOWN_TENURE',
      message: def.tenureSplit
        ? `${def.id} is reported per tenure: ${TENURES.join(', ')}`
        : `${def.id} is not split by tenure`,
    });
  return problems.length ? problems : { def, key: figureKey(def.id, part, tenure) };
}

/**
 * Checks one figure: errors (out of range, numerator above denominator, denominator above the
 * housing stock, missing or contradictory parts) and warnings that need a comment (a change
 * from the previous period beyond the indicator's threshold, an outlier against the group).
 */
export function checkFigure(
  def: ReportedIndicator,
  key: string,
  f: FigureInput,
  ctx: CheckContext,
): Finding[] {
  const out: Finding[] = [];
  const error = (field: string, code: string, message: string) =>
    out.push({ figure: key, field, severity: 'error', code, message });
  const hasNumbers = given(f.numerator) || given(f.denominator) || given(f.value);
  if (f.notAvailable) {
    if (hasNumbers)
      error('notAvailable', 'CONTRADICTORY', 'give the figure or say why it is not available, not both');
    return out;
  }
  if (def.kind === 'value') {
    if (!given(f.value)) error('value', 'MISSING_VALUE', `${key} needs a value (${def.unit || 'a number'})`);
    if (given(f.numerator) || given(f.denominator))
      error('numerator', 'NOT_A_RATE', `${key} is a plain value: give value, not numerator and denominator`);
  } else {
    if (given(f.value))
      error('value', 'NOT_A_VALUE', `${key} is computed from numerator and denominator; do not give value`);
    if (!given(f.numerator)) error('numerator', 'MISSING_NUMERATOR', `${key} needs a numerator`);
    if (!given(f.denominator)) error('denominator', 'MISSING_DENOMINATOR', `${key} needs a denominator`);
    if (given(f.denominator) && f.denominator === 0)
      error(
        'denominator',
        'ZERO_DENOMINATOR',
        'a denominator of 0 gives no figure: report it as not available, with the reason',
      );
    if (def.kind === 'rate' && given(f.numerator) && given(f.denominator) && f.numerator > f.denominator)
      error(
        'numerator',
        'NUMERATOR_ABOVE_DENOMINATOR',
        `the numerator (${f.numerator}) is above the denominator (${f.denominator})`,
      );
    if (
      def.denominatorIsHomes &&
      ctx.housingStock !== null &&
      given(f.denominator) &&
      f.denominator > ctx.housingStock
    )
      error(
        'denominator',
        'ABOVE_HOUSING_STOCK',
        `the denominator (${f.denominator} homes) is above your housing stock (${ctx.housingStock})`,
      );
  }
  if (out.length) return out;
  const value = figureValue(def, f);
  if (value === null) return out;
  const field = def.kind === 'value' ? 'value' : 'numerator';
  if (value < def.range.min || value > def.range.max) {
    error(
      field,
      'OUT_OF_RANGE',
      `${formatValue(def, value)} is outside the valid range ${formatValue(def, def.range.min)}–${formatValue(def, def.range.max)}`,
    );
    return out;
  }
  const explained = !!f.comment?.trim();
  const before = ctx.previous.get(key);
  if (before !== undefined && def.changeThreshold > 0 && Math.abs(value - before) > def.changeThreshold)
    out.push({
      figure: key,
      field: 'comment',
      severity: 'warning',
      code: 'LARGE_CHANGE',
      message: `changed from ${formatValue(def, before)} in ${ctx.previousPeriod} to ${formatValue(def, value)}, more than ${formatValue(def, def.changeThreshold)}: explain it in a comment`,
      explained,
    });
  const fences = outlierFences(ctx.peers.get(key) ?? []);
  if (fences && (value < fences.low || value > fences.high))
    out.push({
      figure: key,
      field: 'comment',
      severity: 'warning',
      code: 'OUTLIER',
      message: `${formatValue(def, value)} lies beyond 1.5 interquartile ranges of the group’s values (${formatValue(def, fences.low)}–${formatValue(def, fences.high)}): explain it in a comment`,
      explained,
    });
  return out;
}

/** Figures of the group's set that a return lacks (neither given nor said to be unavailable). */
export function missingFigures(
  defs: readonly ReportedIndicator[],
  figures: ReadonlyArray<Pick<FigureInput, 'indicator' | 'part' | 'tenure'>>,
): Finding[] {
  const present = new Set(figures.map((f) => figureKey(f.indicator, f.part ?? '', f.tenure ?? '')));
  const out: Finding[] = [];
  for (const def of defs)
    for (const slot of figureSlots(def)) {
      const key = figureKey(def.id, slot.part, slot.tenure);
      if (!present.has(key))
        out.push({
          figure: key,
          field: 'indicator',
          severity: 'error',
          code: 'MISSING_FIGURE',
          message: `${key}: give the figure, or say why it is not available`,
        });
    }
  return out;
}
