import { MODES, type ModeCounts } from '../responses/modes';

/** Each mode's share of the answers; empty when there are none. */
export type ModeShares = Partial<Record<(typeof MODES)[number], number>>;

/**
 * An organisation's mix is flagged when more than this share of its answers would have to move
 * to another mode to match its peers' mix (the total variation distance). Results differ by mode
 * (telephone answers are typically more positive than online or paper ones), so a value collected
 * mostly in another mode than the peers' is not directly comparable.
 */
export const MODE_MIX_THRESHOLD = 0.25;

/** Shares of the answers per mode. */
export function modeShares(counts: ModeCounts): ModeShares {
  const total = MODES.reduce((s, m) => s + (counts[m] ?? 0), 0);
  if (!total) return {};
  const out: ModeShares = {};
  for (const m of MODES) if (counts[m]) out[m] = counts[m]! / total;
  return out;
}

/** The total variation distance of two mixes: ½ Σ |a − b|, from 0 (same mix) to 1 (no overlap). */
export function mixDistance(a: ModeShares, b: ModeShares): number {
  return MODES.reduce((s, m) => s + Math.abs((a[m] ?? 0) - (b[m] ?? 0)), 0) / 2;
}

/**
 * The typical mix of several organisations: per mode the median share (each organisation counting
 * once, whatever its n, and one unusual organisation not moving it), rescaled to total 1.
 */
export function medianMix(mixes: readonly ModeShares[]): ModeShares {
  const used = mixes.filter((x) => Object.keys(x).length);
  if (!used.length) return {};
  const medians = MODES.map((m) => {
    const sorted = used.map((x) => x[m] ?? 0).sort((p, q) => p - q);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  });
  const total = medians.reduce((s, v) => s + v, 0);
  const out: ModeShares = {};
  if (!total) return meanOf(used);
  MODES.forEach((m, i) => {
    if (medians[i]! > 0) out[m] = medians[i]! / total;
  });
  return out;
}

/** The mean mix: the fallback when every mode's median is 0 (no mode used by most). */
function meanOf(used: readonly ModeShares[]): ModeShares {
  const out: ModeShares = {};
  for (const m of MODES) {
    const s = used.reduce((acc, x) => acc + (x[m] ?? 0), 0) / used.length;
    if (s > 0) out[m] = s;
  }
  return out;
}

/**
 * Whether each organisation's mix differs strongly from its peers': compared with the median mix
 * of the other organisations (itself left out), and
 * flagged beyond {@link MODE_MIX_THRESHOLD}. Null where there is nothing to compare with.
 */
export function modeMixFlags(mixes: readonly ModeShares[]): Array<boolean | null> {
  return mixes.map((mine, i) => {
    if (!Object.keys(mine).length) return null;
    const others = medianMix(mixes.filter((_, j) => j !== i));
    if (!Object.keys(others).length) return null;
    return mixDistance(mine, others) > MODE_MIX_THRESHOLD;
  });
}
