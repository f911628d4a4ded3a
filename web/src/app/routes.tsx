import type { RouteObject } from 'react-router';
import type { Role } from '../lib/session';
import { Home } from './Home';
import { RequireRole } from './RequireRole';
import { RouteError } from './RouteError';
import { Shell } from './Shell';

/**
 * The single route table of the app: every page under /app/, who it is for, and the navigation
 * built from it. A page's module is loaded when it is first opened (except the grants list, which
 * is where most people start). Roles shape what is offered; the API decides what is allowed.
 */

export interface NavItem {
  readonly to: string;
  /** Key in the `common` catalogue. */
  readonly labelKey: string;
  readonly roles: readonly Role[];
}

/** In the order shown; each role's first item is where it lands after signing in. */
export const NAV: readonly NavItem[] = [
  { to: '/app/overview', labelKey: 'finance:nav.overview', roles: ['finance'] },
  { to: '/app/grants', labelKey: 'nav.grants', roles: ['lear-admin', 'finance'] },
  { to: '/app/deadlines', labelKey: 'nav.deadlines', roles: ['project-lead', 'lear-admin'] },
  { to: '/app/grants', labelKey: 'nav.grants', roles: ['project-lead'] },
  { to: '/app/grants/new', labelKey: 'nav.register', roles: ['lear-admin'] },
  { to: '/app/overview', labelKey: 'finance:nav.overview', roles: ['lear-admin'] },
  { to: '/app/import', labelKey: 'finance:nav.import', roles: ['lear-admin'] },
];

const ALL: readonly Role[] = ['lear-admin', 'project-lead', 'finance'];

const page = (roles: readonly Role[], load: () => Promise<{ default: React.ComponentType }>) => ({
  lazy: async () => {
    const { default: Page } = await load();
    return {
      element: (
        <RequireRole roles={roles}>
          <Page />
        </RequireRole>
      ),
    };
  },
});

export const routes: RouteObject[] = [
  {
    path: '/app',
    element: <Shell />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Home /> },
      {
        path: 'sign-in',
        lazy: async () => ({ Component: (await import('../pages/sign-in/SignInPage')).default }),
      },
      { path: 'grants', ...page(ALL, () => import('../pages/grants/GrantsPage')) },
      { path: 'grants/new', ...page(['lear-admin'], () => import('../pages/grants/RegisterGrantPage')) },
      { path: 'grants/:grantId', ...page(ALL, () => import('../pages/grants/GrantPage')) },
      {
        path: 'grants/:grantId/edit',
        ...page(['lear-admin'], () => import('../pages/grants/EditGrantPage')),
      },
      { path: 'deadlines', ...page(ALL, () => import('../pages/deadlines/MyDeadlinesPage')) },
      {
        path: 'overview',
        ...page(['finance', 'lear-admin'], () => import('../pages/overview/OverviewPage')),
      },
      { path: 'import', ...page(['lear-admin'], () => import('../pages/import/ImportPage')) },
      { path: '*', lazy: async () => ({ Component: (await import('./NotFound')).default }) },
    ],
  },
];
