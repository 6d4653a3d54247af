import { h } from '../../dom';
import { t } from '../../i18n';
import type { Console } from '../../types';

/** Placeholder until the page is written. */
export function campaignsPage(_app: Console, _params: Record<string, string>): HTMLElement {
  return h('main', { id: 'main', tabindex: '-1' }, h('h1', { tabindex: '-1' }, t('common.notFound')));
}
