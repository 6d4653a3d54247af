import i18next from 'i18next';
import en from './locales/en.json';
import enAdmin from './locales/admin/en.json';
import enAnalysis from './locales/analysis/en.json';
import enCampaigns from './locales/campaigns/en.json';
import enCoordination from './locales/coordination/en.json';

/** The console's languages, each named in itself. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'pl', name: 'Polski' },
  { code: 'uk', name: 'Українська' },
  { code: 'ru', name: 'Русский' },
  { code: 'ka', name: 'ქართული' },
] as const;

export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'tv-console-language';

function isLanguage(code: string | null | undefined): code is Language {
  return LANGUAGES.some((l) => l.code === code);
}

/** The language chosen before (kept in this browser), else the browser's, else English. */
export function preferredLanguage(): Language {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be switched off; the browser's languages still help.
  }
  if (isLanguage(stored)) return stored;
  for (const tag of navigator.languages ?? []) {
    const code = tag.toLowerCase().split('-')[0];
    if (isLanguage(code)) return code;
  }
  return 'en';
}

type Messages = Record<string, unknown>;

/** English, always at hand: the fallback for anything missing. */
const english: Messages = { ...en, ...enAdmin, ...enAnalysis, ...enCampaigns, ...enCoordination };

/**
 * A language's messages: the frame's and each area's (administration, campaigns, analysis,
 * coordination), each file under its own top-level key. One chunk per file and language: only
 * the language in use is downloaded.
 */
async function messages(lang: Language): Promise<Messages> {
  if (lang === 'en') return english;
  const parts = (await Promise.all([
    import(`./locales/${lang}.json`),
    import(`./locales/admin/${lang}.json`),
    import(`./locales/analysis/${lang}.json`),
    import(`./locales/campaigns/${lang}.json`),
    import(`./locales/coordination/${lang}.json`),
  ])) as Array<{ default: Messages }>;
  return Object.assign({}, ...parts.map((p) => p.default)) as Messages;
}

/** Loads a language's messages, switches to it and remembers the choice. */
export async function setLanguage(lang: Language): Promise<void> {
  if (!i18next.isInitialized) {
    await i18next.init({
      lng: 'en',
      fallbackLng: 'en',
      resources: { en: { translation: english } },
      // Every text reaches the page as a text node, never as HTML.
      interpolation: { escapeValue: false },
    });
  }
  if (!i18next.hasResourceBundle(lang, 'translation'))
    i18next.addResourceBundle(lang, 'translation', await messages(lang));
  await i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered; the choice still holds for this page.
  }
}

/** The current language. */
export function language(): Language {
  return isLanguage(i18next.language) ? i18next.language : 'en';
}

/** A message in the current language. */
export function t(key: string, values?: Record<string, unknown>): string {
  return i18next.t(key, values ?? {});
}

/** A share (0–1) as a percentage in the current language's notation. */
export function percent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '–';
  return new Intl.NumberFormat(language(), {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** A number in the current language's notation. */
export function number(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined) return '–';
  return new Intl.NumberFormat(language(), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** A moment in the current language's notation: its date, and its time unless `time` is false. */
export function dateTime(iso: string | null | undefined, time = true): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(language(), {
    dateStyle: 'medium',
    ...(time ? { timeStyle: 'short' } : {}),
  }).format(new Date(iso));
}

/** An indicator value as its kind is read: shares as percentages, NPS whole, means with two decimals. */
export function indicatorValue(kind: string | undefined, value: number | null | undefined): string {
  if (kind === 'share') return percent(value);
  if (kind === 'nps') return number(value, 0);
  return number(value, kind === 'mean' ? 2 : 1);
}
