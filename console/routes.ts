import type { Console, Role } from './types';

/** A page: given the console and the path's parameters, the element to show in the frame. */
export type Page = (app: Console, params: Record<string, string>) => HTMLElement;

interface Route {
  /** The path with `:name` for a parameter, e.g. `/console/surveys/:id`. */
  path: string;
  /** Who may open it; anyone else sees a sentence saying it is not for their role. */
  roles: readonly Role[];
  /** The page's module, imported when the page is first opened (the editor and charts stay out of the first load). */
  load: () => Promise<Page>;
}

const READERS: readonly Role[] = ['admin', 'analyst', 'coordinator'];
const ADMINS: readonly Role[] = ['admin', 'platform'];

/** Every page of the console behind sign-in, in the order they are matched. */
export const ROUTES: Route[] = [
  { path: '/console', roles: READERS, load: async () => (await import('./pages/dashboard')).dashboardPage },
  {
    path: '/console/indicators',
    roles: READERS,
    load: async () => (await import('./pages/dashboard')).dashboardPage,
  },
  {
    path: '/console/indicators/:indicator',
    roles: READERS,
    load: async () => (await import('./pages/analysis/indicator')).indicatorPage,
  },
  {
    path: '/console/performance',
    roles: READERS,
    load: async () => (await import('./pages/analysis/performance')).performancePage,
  },
  {
    path: '/console/plans',
    roles: READERS,
    load: async () => (await import('./pages/analysis/plans')).plansPage,
  },
  {
    path: '/console/surveys',
    roles: ADMINS,
    load: async () => (await import('./pages/admin/surveys')).surveysPage,
  },
  {
    path: '/console/surveys/:id',
    roles: ADMINS,
    load: async () => (await import('./pages/admin/survey')).surveyPage,
  },
  {
    path: '/console/campaigns',
    roles: ADMINS,
    load: async () => (await import('./pages/campaigns/campaigns')).campaignsPage,
  },
  {
    path: '/console/campaigns/:id',
    roles: ADMINS,
    load: async () => (await import('./pages/campaigns/campaign')).campaignPage,
  },
  {
    path: '/console/groups',
    roles: ['coordinator', 'admin'],
    load: async () => (await import('./pages/coordination/groups')).groupsPage,
  },
  {
    path: '/console/groups/:group/:period',
    roles: ['coordinator', 'admin'],
    load: async () => (await import('./pages/coordination/returns')).returnsPage,
  },
];

/** The links in the frame's navigation, per role (a route above for each). */
export const NAVIGATION: Array<{ path: string; label: string; roles: readonly Role[] }> = [
  { path: '/console/indicators', label: 'nav.indicators', roles: READERS },
  { path: '/console/performance', label: 'nav.performance', roles: READERS },
  { path: '/console/plans', label: 'nav.plans', roles: READERS },
  { path: '/console/surveys', label: 'nav.surveys', roles: ADMINS },
  { path: '/console/campaigns', label: 'nav.campaigns', roles: ADMINS },
  { path: '/console/groups', label: 'nav.groups', roles: ['coordinator', 'admin'] },
];

/** The route a path opens and its parameters (decoded), or null for an unknown path. */
export function match(pathname: string): { route: Route; params: Record<string, string> } | null {
  const parts = pathname.split('/').filter(Boolean);
  for (const route of ROUTES) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((p, i) => {
      if (p.startsWith(':')) {
        try {
          params[p.slice(1)] = decodeURIComponent(parts[i]!);
        } catch {
          return false;
        }
        return true;
      }
      return p === parts[i];
    });
    if (fits) return { route, params };
  }
  return null;
}
