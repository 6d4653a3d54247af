import { h } from '../dom';
import { language, LANGUAGES, setLanguage, t, type Language } from '../i18n';
import { NAVIGATION } from '../routes';
import type { Console } from '../types';

/** A language switcher naming each language in itself; the choice is remembered. */
export function languageSwitcher(app: Console): HTMLElement {
  const select = h(
    'select',
    {
      id: 'language',
      onchange: () => {
        void setLanguage(select.value as Language).then(() => app.refresh());
      },
    },
    LANGUAGES.map((l) =>
      h('option', { value: l.code, lang: l.code, selected: l.code === language() }, l.name),
    ),
  );
  return h('div', { class: 'language' }, h('label', { for: 'language' }, t('shell.language')), select);
}

/** The frame around a signed-in person's pages: who, where to go, language, sign-out. */
export function shell(app: Console, content: HTMLElement): HTMLElement {
  const person = app.session!.person;
  const here = location.pathname.replace(/\/+$/, '');
  const links = NAVIGATION.filter((item) => item.roles.includes(person.role));
  return h(
    'div',
    { class: 'shell' },
    h(
      'header',
      { class: 'bar' },
      h('span', { class: 'brand' }, t('app.name')),
      h(
        'nav',
        { 'aria-label': t('nav.label') },
        h(
          'ul',
          {},
          links.map((item) =>
            h(
              'li',
              {},
              h(
                'a',
                {
                  href: item.path,
                  'data-route': true,
                  'aria-current':
                    here === item.path || (here === '/console' && item === links[0])
                      ? 'page'
                      : here.startsWith(`${item.path}/`)
                        ? 'true'
                        : false,
                },
                t(item.label),
              ),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'who' },
        h('span', { id: 'person-name' }, person.name),
        h('span', { class: 'role' }, t(`roles.${person.role}`)),
      ),
      languageSwitcher(app),
      h('button', { type: 'button', id: 'sign-out', onclick: () => void app.signOut() }, t('shell.signOut')),
    ),
    content,
  );
}
