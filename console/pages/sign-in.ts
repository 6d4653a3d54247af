import { api, ApiError, setCsrfToken } from '../api';
import { h, replace } from '../dom';
import { t } from '../i18n';
import type { Console, Session, SignInMethods } from '../types';
import { languageSwitcher } from './shell';

/** Only a path of the console itself may be returned to after signing in. */
function returnTo(): string {
  const wanted = new URLSearchParams(location.search).get('returnTo') ?? '';
  return /^\/console(?:[/?#]|$)/.test(wanted) && !wanted.startsWith('//') ? wanted : '/console';
}

/** Sign-in with e-mail and password, and single sign-on when the deployment offers it. */
export function signInPage(app: Console): HTMLElement {
  const params = new URLSearchParams(location.search);
  const status = h('div', { id: 'sign-in-status', role: 'alert' });
  if (params.get('error') === 'sso') status.append(h('p', { class: 'error' }, t('signIn.ssoRefused')));
  if (params.get('invited') === '1') status.append(h('p', { class: 'ok' }, t('invitation.done')));
  const sso = h('div', { class: 'sso' });
  const email = h('input', {
    id: 'email',
    name: 'email',
    type: 'email',
    autocomplete: 'username',
    required: true,
  });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', { type: 'submit' }, t('signIn.submit'));
  const form = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        if (!email.value || !password.value) {
          replace(status, h('p', { class: 'error' }, t('signIn.missing')));
          (email.value ? password : email).focus();
          return;
        }
        submit.disabled = true;
        api<Session>('POST', '/api/v1/session', { email: email.value.trim(), password: password.value })
          .then((session) => {
            app.session = session;
            setCsrfToken(session.csrfToken);
            app.navigate(returnTo());
          })
          .catch((err: unknown) => {
            submit.disabled = false;
            const key = err instanceof ApiError && err.status === 401 ? 'signIn.refused' : 'common.failed';
            replace(status, h('p', { class: 'error' }, t(key)));
            password.value = '';
            password.focus();
          });
      },
    },
    h('label', { for: 'email' }, t('signIn.email')),
    email,
    h('label', { for: 'password' }, t('signIn.password')),
    password,
    submit,
  );
  void api<SignInMethods>('GET', '/api/v1/session/methods')
    .then((methods) => {
      if (!methods.oidc) return;
      const href = `/api/v1/session/oidc?returnTo=${encodeURIComponent(returnTo())}`;
      replace(
        sso,
        h('p', {}, t('signIn.or')),
        h('a', { class: 'button', href }, t('signIn.sso', { provider: methods.oidc.displayName })),
      );
    })
    .catch(() => undefined);
  return h(
    'div',
    { class: 'narrow' },
    h('header', { class: 'bar' }, h('span', { class: 'brand' }, t('app.name')), languageSwitcher(app)),
    h(
      'main',
      { id: 'main', tabindex: '-1' },
      h('h1', { tabindex: '-1' }, t('signIn.title')),
      status,
      form,
      sso,
    ),
  );
}
