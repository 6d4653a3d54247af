import { localeFiles } from '../modules/surveys/survey-engine';
import { escapeHtml } from './page';

/** A language code the preview accepts; anything else falls back to English. */
export function previewLanguage(requested: unknown): string {
  return typeof requested === 'string' && /^[a-z]{2,3}(-[A-Za-z]{2,4})?$/.test(requested) ? requested : 'en';
}

/**
 * The console's survey preview, shown in a phone-wide frame beside the editor: survey-core and
 * survey-js-ui from the installed packages, survey-core's interface texts in the chosen language,
 * and a script that draws whatever definition the console posts to it (same origin only).
 */
export function previewPage(lang: string): string {
  const file = lang === 'en' ? undefined : localeFiles().get(lang);
  const i18n = file ? `<script src="/s/assets/i18n/${file}.min.js"></script>\n` : '';
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Preview</title>
<link rel="stylesheet" href="/s/assets/survey-core.fontless.min.css">
<link rel="stylesheet" href="/s/assets/page.css">
</head>
<body>
<main id="main">
<div id="tv-survey" data-state="waiting"></div>
</main>
<script src="/s/assets/survey.core.min.js"></script>
${i18n}<script src="/s/assets/survey-js-ui.min.js"></script>
<script src="/console/preview.js"></script>
</body>
</html>`;
}
