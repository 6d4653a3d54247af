import { localeFiles, nativeLanguageName } from '../modules/surveys/survey-engine';
import { entryTexts } from './entry-texts';
import { t, type TextKey } from './texts';

/** What the browser script needs; embedded as JSON, never as executable code. */
export interface PageConfig {
  slug: string;
  version: number;
  lang: string;
  languages: string[];
  definition: Record<string, unknown>;
  submitUrl: string;
  token: string | null;
  channel: 'link' | 'qr' | 'letter';
  texts: Record<string, string>;
}

const PAGE_TEXTS: TextKey[] = [
  'thankYou',
  'savedOffline',
  'sending',
  'retrying',
  'rejected',
  'tokenUsed',
  'inviteRequired',
  'resumeNotice',
  'closed',
  'full',
];

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Chooses the page language: `?lang=` if the survey has it, else the first of the browser's
 * Accept-Language the survey has, else the survey's default.
 */
export function chooseLanguage(
  languages: string[],
  requested: string | undefined,
  acceptLanguage: string | undefined,
): string {
  if (requested && languages.includes(requested)) return requested;
  const accepted = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: (tag ?? '').toLowerCase().split('-')[0]!, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((a) => a.lang && a.q > 0)
    .sort((a, b) => b.q - a.q);
  return accepted.find((a) => languages.includes(a.lang))?.lang ?? languages[0] ?? 'en';
}

function switcher(languages: string[], lang: string, query: URLSearchParams): string {
  if (languages.length < 2) return '';
  const links = languages.map((l) => {
    const q = new URLSearchParams(query);
    q.set('lang', l);
    const name = nativeLanguageName(l);
    const current = l === lang ? ' aria-current="true"' : '';
    return `<li><a href="?${escapeHtml(q.toString())}" lang="${escapeHtml(l)}" hreflang="${escapeHtml(l)}"${current}>${escapeHtml(name)}</a></li>`;
  });
  return `<nav class="tv-languages" aria-label="${escapeHtml(t(lang, 'language'))}"><ul>${links.join('')}</ul></nav>`;
}

function shell(lang: string, title: string, body: string, scripts = ''): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/s/assets/survey-core.fontless.min.css">
<link rel="stylesheet" href="/s/assets/page.css">
</head>
<body>
<main id="main">
${body}
</main>
${scripts}
</body>
</html>`;
}

/** The survey page: a small shell, the survey scripts from the installed packages, the config. */
export function surveyPage(config: Omit<PageConfig, 'texts'>, title: string, query: URLSearchParams): string {
  // survey-core's own interface texts (buttons, its error messages) in the tenant's language.
  const file = config.lang === 'en' ? undefined : localeFiles().get(config.lang);
  const i18n = file ? `<script src="/s/assets/i18n/${file}.min.js"></script>\n` : '';
  const texts = Object.fromEntries(PAGE_TEXTS.map((k) => [k, t(config.lang, k)]));
  const body = `${switcher(config.languages, config.lang, query)}
<div id="tv-notice" class="tv-notice" role="status" aria-live="polite"></div>
<div id="tv-survey"></div>
<noscript><p>${escapeHtml(title)}: JavaScript is needed to answer this survey.</p></noscript>`;
  const scripts = `<script type="application/json" id="tv-config">${scriptJson({ ...config, texts })}</script>
<script src="/s/assets/survey.core.min.js"></script>
${i18n}<script src="/s/assets/survey-js-ui.min.js"></script>
<script src="/s/assets/page.js"></script>`;
  return shell(config.lang, title, body, scripts);
}

/** What the staff entry page's script needs. */
export interface EntryPageConfig {
  campaignId: string;
  slug: string;
  lang: string;
  definition: Record<string, unknown>;
  doubleEntry: boolean;
  access: 'open' | 'invite';
  entryUrl: string;
  formsUrl: string;
}

/**
 * The staff entry page: the tenant's survey as tenants see it, under a banner that says this is
 * staff entry, with the mode, the form's serial number and the dwelling's code. Submission goes
 * to the entry endpoint with the staff member's key, so the server's validation is the same.
 */
export function entryPage(
  config: EntryPageConfig,
  title: string,
  languages: string[],
  query: URLSearchParams,
): string {
  const file = config.lang === 'en' ? undefined : localeFiles().get(config.lang);
  const i18n = file ? `<script src="/s/assets/i18n/${file}.min.js"></script>\n` : '';
  const x = entryTexts(config.lang);
  const e = (s: string) => escapeHtml(s);
  const modes = (['paper', 'telephone', 'face-to-face'] as const)
    .map((m) => `<option value="${m}">${e(x[m === 'face-to-face' ? 'faceToFace' : m])}</option>`)
    .join('');
  const code =
    config.access === 'invite'
      ? `<p><label for="tv-code">${e(x.code)}</label><input id="tv-code" name="code" autocomplete="off" spellcheck="false" pattern="[A-Za-z0-9_-]{16,64}"></p>`
      : '';
  const body = `${switcher(languages, config.lang, query)}
<p class="tv-entry-banner" role="note"><strong>${e(x.banner)}</strong></p>
<h1>${e(title)}</h1>
<form id="tv-entry" class="tv-entry" autocomplete="off">
<p><label for="tv-key">${e(x.key)}</label><input id="tv-key" name="key" type="password" autocomplete="off" aria-describedby="tv-key-hint"><span id="tv-key-hint" class="tv-hint">${e(x.keyHint)}</span></p>
<p><label for="tv-mode">${e(x.mode)}</label><select id="tv-mode" name="mode">${modes}</select></p>
<p id="tv-serial-row"><label for="tv-serial">${e(x.serial)}</label><input id="tv-serial" name="serial" autocomplete="off" pattern="[A-Za-z0-9][A-Za-z0-9-]{0,31}"></p>
${code}
</form>
<div id="tv-notice" class="tv-notice" role="status" aria-live="polite"></div>
<section id="tv-result" aria-live="polite"></section>
<div id="tv-survey"></div>`;
  const scripts = `<script type="application/json" id="tv-config">${scriptJson({ ...config, texts: x })}</script>
<script src="/s/assets/survey.core.min.js"></script>
${i18n}<script src="/s/assets/survey-js-ui.min.js"></script>
<script src="/s/assets/entry.js"></script>`;
  return shell(config.lang, title, body, scripts);
}

/** A plain message page (closed, not yet open, full, not found) in the tenant's language. */
export function messagePage(
  lang: string,
  title: string,
  message: string,
  languages: string[] = [],
  query = new URLSearchParams(),
): string {
  const body = `${switcher(languages, lang, query)}
<h1>${escapeHtml(title)}</h1>
<p class="tv-message">${escapeHtml(message)}</p>`;
  return shell(lang, title, body);
}
