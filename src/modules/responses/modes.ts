/**
 * How an answer was collected. `online`: the tenant answered on the survey page (from a link, a
 * QR code or a letter's code); the others are entered by staff from a paper form or during a
 * telephone or face-to-face interview. Results differ by mode, so every response keeps its own.
 */
export const MODES = ['online', 'paper', 'telephone', 'face-to-face'] as const;

/** One of {@link MODES}. */
export type Mode = (typeof MODES)[number];

/** The modes staff enter answers in. */
export const ENTRY_MODES = ['paper', 'telephone', 'face-to-face'] as const;

/** One of {@link ENTRY_MODES}. */
export type EntryMode = (typeof ENTRY_MODES)[number];

/** Responses counted per mode; a mode without responses is left out. */
export type ModeCounts = Partial<Record<Mode, number>>;

/** The sum of two mode tables (a new object). */
export function addModeCounts(a: ModeCounts, b: ModeCounts): ModeCounts {
  const out: ModeCounts = { ...a };
  for (const m of MODES) if (b[m]) out[m] = (out[m] ?? 0) + b[m];
  return out;
}
