import './console.css';
import { api, ApiError, setCsrfToken, whenSignedOut } from './api';
import { preferredLanguage, setLanguage, t } from './i18n';
import { h } from './dom';
import { invitationPage } from './pages/invitation';
import { shell } from './pages/shell';
import { signInPage } from './pages/sign-in';
import { match } from './routes';
import type { Console, Session } from './types';

const root = document.getElementById('app')!;

async function loadSession(): Promise<Session | null> {
  try {
    const session = await api<Session>('GET', '/api/v1/session');
    setCsrfToken(session.csrfToken);
    return session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

const app: Console = {
  session: null,
  navigate(to, options = {}) {
    if (options.replace) history.replaceState(null, '', to);
    else history.pushState(null, '', to);
    void render({ focus: true });
  },
  refresh() {
    void render({ focus: false });
  },
  async signOut() {
    await api('DELETE', '/api/v1/session').catch(() => undefined);
    app.session = null;
    setCsrfToken(null);
    app.navigate('/console/sign-in');
  },
};

/** A message in place of a page: not found, not for this role, or failed to load. */
function notice(message: string): HTMLElement {
  return h('main', { id: 'main', tabindex: '-1' }, h('h1', { tabindex: '-1' }, message));
}

/** The page behind sign-in that a path opens, as the person's role allows. */
async function signedInPage(path: string): Promise<HTMLElement> {
  const found = match(path);
  if (!found) return notice(t('common.notFound'));
  if (!found.route.roles.includes(app.session!.person.role)) return notice(t('common.notForRole'));
  try {
    const page = await found.route.load();
    return page(app, found.params);
  } catch {
    // A chunk that failed to download (the service was updated meanwhile, or the network).
    return notice(t('common.failed'));
  }
}

async function render({ focus }: { focus: boolean }): Promise<void> {
  const path = location.pathname.replace(/\/+$/, '') || '/console';
  let page: HTMLElement;
  if (path === '/console/sign-in') page = signInPage(app);
  else if (path === '/console/invitation') page = invitationPage(app);
  else {
    app.session ??= await loadSession();
    if (!app.session) {
      app.navigate(`/console/sign-in?returnTo=${encodeURIComponent(location.pathname + location.search)}`, {
        replace: true,
      });
      return;
    }
    page = shell(app, await signedInPage(path));
  }
  const focused = document.activeElement?.id;
  root.replaceChildren(page);
  const skip = document.querySelector('.skip');
  if (skip) skip.textContent = t('common.skip');
  document.title = t('app.name');
  // After a navigation the reader starts at the new page's heading, not at the old focus.
  if (focus) document.querySelector<HTMLElement>('h1')?.focus();
  // Redrawn in place (a new language): the control that was in use keeps the focus.
  else if (focused) document.getElementById(focused)?.focus();
}

whenSignedOut(() => {
  if (!app.session) return;
  app.session = null;
  setCsrfToken(null);
  app.navigate(`/console/sign-in?returnTo=${encodeURIComponent(location.pathname + location.search)}`);
});

// Links inside the console change the page without reloading it.
document.addEventListener('click', (event) => {
  const link = (event.target as Element).closest?.('a[data-route]');
  if (!link || event.defaultPrevented || (event as MouseEvent).button !== 0) return;
  const e = event as MouseEvent;
  if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  event.preventDefault();
  app.navigate(link.getAttribute('href')!);
});
window.addEventListener('popstate', () => void render({ focus: true }));

void setLanguage(preferredLanguage()).then(() => render({ focus: false }));
