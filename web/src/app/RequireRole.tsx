import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { hasRole, type Role } from '../lib/session';
import { useSession } from './auth-context';
import { PageTitle } from './PageTitle';

/** Signed out: to the sign-in page, coming back here after. Wrong role: says so, offers nothing. */
export const RequireRole = ({
  roles,
  children,
}: {
  readonly roles: readonly Role[];
  readonly children: ReactNode;
}) => {
  const session = useSession();
  const location = useLocation();
  const { t } = useTranslation();
  if (!session) {
    const returnTo = `${location.pathname}${location.search}${location.hash}`;
    return <Navigate to={`/app/sign-in?returnTo=${encodeURIComponent(returnTo)}`} replace />;
  }
  if (!hasRole(session, ...roles)) {
    return (
      <>
        <PageTitle title={t('forbidden.title')} />
        <h1>{t('forbidden.title')}</h1>
        <p>{t('forbidden.body', { roles: roles.map((role) => t(`roles.${role}`)).join(', ') })}</p>
      </>
    );
  }
  return children;
};
