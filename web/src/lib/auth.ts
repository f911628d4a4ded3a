import type { SignInConfig } from '../config/env';
import { safeReturnTo } from './return-to';
import { type Session, sessionFromToken } from './session';

/**
 * Signing in and out. In AWS: Cognito's managed login, authorization code + PKCE through
 * oidc-client-ts (loaded only then), refreshed before expiry. Locally: the stack's /dev/login hands
 * back a dev token in the URL fragment. Either way the session lives in sessionStorage (per tab,
 * gone with it), never in localStorage.
 */

export interface Auth {
  readonly mode: SignInConfig['mode'];
  current(): Session | undefined;
  /** Starts signing in; in dev mode that is the sign-in page, in Cognito the managed login. */
  signIn(returnTo?: string): Promise<void>;
  signOut(): Promise<void>;
  subscribe(listener: () => void): () => void;
}

const DEV_SESSION_KEY = 'funding-tracker.dev-token';

const listeners = () => {
  const set = new Set<() => void>();
  return {
    add: (listener: () => void) => {
      set.add(listener);
      return () => void set.delete(listener);
    },
    emit: () => {
      for (const listener of set) listener();
    },
  };
};

const createDevAuth = (): Auth => {
  const changed = listeners();
  // /dev/login redirects with the token in the fragment, which never reaches a server log.
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const arriving = fragment.get('id_token');
  if (arriving) {
    if (sessionFromToken(arriving)) sessionStorage.setItem(DEV_SESSION_KEY, arriving);
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  }
  let session = sessionFromToken(sessionStorage.getItem(DEV_SESSION_KEY) ?? '');
  return {
    mode: 'dev',
    current: () => {
      if (session && session.expiresAt <= Date.now()) {
        session = undefined;
        sessionStorage.removeItem(DEV_SESSION_KEY);
      }
      return session;
    },
    signIn: async (returnTo) => {
      window.location.assign(`/app/sign-in?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}`);
    },
    signOut: async () => {
      sessionStorage.removeItem(DEV_SESSION_KEY);
      session = undefined;
      changed.emit();
    },
    subscribe: changed.add,
  };
};

const createCognitoAuth = async (config: Extract<SignInConfig, { mode: 'cognito' }>): Promise<Auth> => {
  const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
  const changed = listeners();
  const manager = new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    post_logout_redirect_uri: config.logoutUri,
    response_type: 'code',
    scope: 'openid email profile',
    // Refreshes with the refresh token shortly before the tokens expire.
    automaticSilentRenew: true,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
  const toSession = (user: { id_token?: string } | null) =>
    user?.id_token ? sessionFromToken(user.id_token) : undefined;

  const url = new URL(window.location.href);
  if (url.searchParams.has('code') && url.searchParams.has('state')) {
    const user = await manager.signinRedirectCallback();
    const returnTo = safeReturnTo((user.state as string | undefined) ?? null);
    window.history.replaceState(null, '', returnTo);
  }
  let session = toSession(await manager.getUser());
  manager.events.addUserLoaded((user) => {
    session = toSession(user);
    changed.emit();
  });
  manager.events.addUserUnloaded(() => {
    session = undefined;
    changed.emit();
  });
  manager.events.addSilentRenewError(() => {
    session = undefined;
    changed.emit();
  });
  const domain = /^https?:\/\//.test(config.domain) ? config.domain : `https://${config.domain}`;
  return {
    mode: 'cognito',
    current: () => (session && session.expiresAt > Date.now() ? session : undefined),
    signIn: (returnTo) => manager.signinRedirect({ state: safeReturnTo(returnTo) }),
    signOut: async () => {
      await manager.removeUser();
      // Cognito's logout endpoint is not in its discovery document, so oidc-client-ts cannot find it.
      const logout = new URL('/logout', domain);
      logout.searchParams.set('client_id', config.clientId);
      logout.searchParams.set('logout_uri', config.logoutUri);
      window.location.assign(logout.toString());
    },
    subscribe: changed.add,
  };
};

export const createAuth = (config: SignInConfig): Promise<Auth> =>
  config.mode === 'cognito' ? createCognitoAuth(config) : Promise.resolve(createDevAuth());
