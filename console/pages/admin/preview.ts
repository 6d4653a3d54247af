import { h } from '../../dom';
import { LANGUAGES, t } from '../../i18n';
import type { SurveyCoreLike } from './completion';

/** A language named in itself ("ქართული", "Polski"), else its code. */
export function languageName(code: string): string {
  // The console's own languages by the names it gives them; browsers differ in what they know.
  const known = LANGUAGES.find((l) => l.code === code);
  if (known) return known.name;
  try {
    const name = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    return name && name !== code ? name.charAt(0).toLocaleUpperCase(code) + name.slice(1) : code;
  } catch {
    return code;
  }
}

/** The preview frame beside the editor. */
export interface Preview {
  element: HTMLElement;
  /** Draws a definition (kept until the frame is ready). */
  show(definition: Record<string, unknown>): void;
  /** Shows the survey in another language (the frame reloads with survey-core's texts for it). */
  setLanguage(lang: string): void;
  /** survey-core as the frame loaded it, for completion; null until then. */
  core(): SurveyCoreLike | null;
}

interface FrameMessage {
  type?: string;
  locale?: string;
  locales?: unknown;
  message?: string;
}

/**
 * The survey as tenants see it, at phone width, in a same-origin frame that loads survey-core
 * and survey-js-ui itself (they stay out of the console's own scripts). Definitions go in by
 * postMessage; the frame answers with the languages the definition uses.
 */
export function createPreview(options: {
  lang: string;
  onDrawn(locales: string[]): void;
  onFailed(message: string): void;
}): Preview {
  let ready = false;
  let pending: Record<string, unknown> | null = null;
  let lang = options.lang;
  const frame = h('iframe', {
    id: 'preview-frame',
    class: 'preview-frame',
    title: t('admin.preview.frameTitle', { language: languageName(lang) }),
    src: `/console/preview?lang=${encodeURIComponent(lang)}`,
  });
  const post = () => {
    if (!ready || !pending || !frame.contentWindow) return;
    frame.contentWindow.postMessage({ type: 'tv-preview-draw', definition: pending }, location.origin);
  };
  const listener = (event: MessageEvent<FrameMessage>) => {
    if (!frame.isConnected && ready) {
      window.removeEventListener('message', listener);
      return;
    }
    if (event.origin !== location.origin || event.source !== frame.contentWindow) return;
    const data = event.data ?? {};
    if (data.type === 'tv-preview-ready') {
      ready = true;
      post();
    } else if (data.type === 'tv-preview-drawn' && Array.isArray(data.locales)) {
      options.onDrawn(data.locales.filter((l): l is string => typeof l === 'string' && l !== ''));
    } else if (data.type === 'tv-preview-failed') {
      options.onFailed(String(data.message ?? ''));
    }
  };
  window.addEventListener('message', listener);
  return {
    element: h('div', { class: 'phone' }, frame),
    show(definition) {
      pending = definition;
      post();
    },
    setLanguage(next) {
      if (next === lang) return;
      lang = next;
      ready = false;
      frame.title = t('admin.preview.frameTitle', { language: languageName(lang) });
      frame.src = `/console/preview?lang=${encodeURIComponent(lang)}`;
    },
    core() {
      if (!ready) return null;
      const survey = (frame.contentWindow as (Window & { Survey?: SurveyCoreLike }) | null)?.Survey;
      return survey?.Serializer && survey.ElementFactory ? survey : null;
    },
  };
}
