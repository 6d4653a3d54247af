import { ApiError } from '../../api';
import { indicatorValue, language, number, percent, t } from '../../i18n';

/**
 * A value as its kind is read: survey shares and reported rates as percentages, NPS whole,
 * means with two decimals, counts per 1,000 homes with one, plain values with their unit.
 */
export function formatValue(kind: string | undefined, value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined) return '–';
  if (kind === 'rate') return percent(value);
  if (kind === 'per1000') return number(value, 1);
  if (kind === 'value') {
    const text = number(value, Number.isInteger(value) ? 0 : 2);
    return unit && unit !== '%' ? `${text} ${unit}` : text;
  }
  return indicatorValue(kind, value);
}

/** A 95% interval, or a dash when there is none (reported figures are counts, not samples). */
export function formatInterval(
  kind: string | undefined,
  low: number | null | undefined,
  high: number | null | undefined,
): string {
  if (low === null || low === undefined || high === null || high === undefined) return '–';
  return `${formatValue(kind, low)} – ${formatValue(kind, high)}`;
}

/** A text given per language: the current one, else English, else the default, else `fallback`. */
export function localText(text: Record<string, string> | undefined, fallback: string): string {
  return text?.[language()] ?? text?.en ?? text?.default ?? fallback;
}

/** What to tell the reader when a request failed: the API's own message where there is one. */
export function failure(err: unknown): string {
  return err instanceof ApiError && err.status < 500 ? err.message : t('common.failed');
}
