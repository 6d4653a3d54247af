import { api, ApiError } from '../api';
import { h, replace } from '../dom';
import { t } from '../i18n';
import type { Console } from '../types';
import { languageSwitcher } from './shell';

const PASSWORD_MIN = 12;

/** Accepting an invitation: the token comes in the link's fragment, which never reaches a server log. */
export function invitationPage(app: Console): HTMLElement {
  const token = location.hash.slice(1);
  const status = h('div', { id: 'invitation-status', role: 'alert' });
  const password = h('input', {
    id: 'new-password',
    type: 'password',
    autocomplete: 'new-password',
    minlength: PASSWORD_MIN,
    required: true,
    'aria-describedby': 'password-hint',
  });
  const repeat = h('input', {
    id: 'repeat-password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
  });
  const submit = h('button', { type: 'submit' }, t('invitation.submit'));
  const fail = (key: string) => replace(status, h('p', { class: 'error' }, t(key, { min: PASSWORD_MIN })));
  const form = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        if (password.value.length < PASSWORD_MIN) return fail('invitation.tooShort');
        if (password.value !== repeat.value) return fail('invitation.mismatch');
        submit.disabled = true;
        api('POST', '/api/v1/invitations/accept', { token, password: password.value })
          .then(() => app.navigate('/console/sign-in?invited=1'))
          .catch((err: unknown) => {
            submit.disabled = false;
            if (err instanceof ApiError && err.status === 410) fail('invitation.gone');
            else if (err instanceof ApiError && err.status === 422) fail('invitation.tooShort');
            else fail('common.failed');
          });
      },
    },
    h('label', { for: 'new-password' }, t('invitation.password')),
    password,
    h('p', { id: 'password-hint', class: 'hint' }, t('invitation.hint', { min: PASSWORD_MIN })),
    h('label', { for: 'repeat-password' }, t('invitation.repeat')),
    repeat,
    submit,
  );
  const valid = /^[A-Za-z0-9_-]{43}$/.test(token);
  return h(
    'div',
    { class: 'narrow' },
    h('header', { class: 'bar' }, h('span', { class: 'brand' }, t('app.name')), languageSwitcher(app)),
    h(
      'main',
      { id: 'main', tabindex: '-1' },
      h('h1', { tabindex: '-1' }, t('invitation.title')),
      valid
        ? [h('p', {}, t('invitation.intro')), status, form]
        : h('p', { class: 'error' }, t('invitation.gone')),
    ),
  );
}
