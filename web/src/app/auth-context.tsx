import { createContext, type ReactNode, useContext, useSyncExternalStore } from 'react';
import type { Auth } from '../lib/auth';
import type { Session } from '../lib/session';

const AuthContext = createContext<Auth | undefined>(undefined);

export const AuthProvider = ({ auth, children }: { readonly auth: Auth; readonly children: ReactNode }) => (
  <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>
);

export const useAuth = (): Auth => {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
};

/** The signed-in person, re-rendering when they sign in, are refreshed or sign out. */
export const useSession = (): Session | undefined => {
  const auth = useAuth();
  return useSyncExternalStore(auth.subscribe, auth.current);
};
