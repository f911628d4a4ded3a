import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useNavigation } from 'react-router';
import type { Language } from '../format';
import { changeLanguage, currentLanguage } from '../i18n';
import { useAuth, useSession } from './auth-context';
import { NAV } from './routes';

/** The frame of every page: skip link, who is signed in, what their role may do, language, sign-out. */
export const Shell = () => {
  const { t } = useTranslation();
  const auth = useAuth();
  const session = useSession();
  const navigation = useNavigation();
  const language = currentLanguage();
  const other: Language = language === 'da' ? 'en' : 'da';
  const items = session
    ? NAV.filter((item) => session.roles.some((role) => item.roles.includes(role))).filter(
        (item, i, all) => all.findIndex((x) => x.to === item.to) === i,
      )
    : [];
  return (
    <>
      <a className="skip-link" href="#main">
        {t('shell.skip')}
      </a>
      <header className="header">
        <div className="header__inner">
          <a className="header__brand" href="/app/">
            <span className="header__logo" aria-hidden="true">
              F
            </span>
            {t('app.name')}
          </a>
          {items.length ? (
            <nav aria-label={t('shell.navigation')} className="nav">
              <ul>
                {items.map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to} end>
                      {t(item.labelKey)}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          <div className="header__tools">
            <button
              type="button"
              className="button button--quiet"
              lang={other}
              onClick={() => void changeLanguage(other)}
            >
              {t(`shell.switchTo.${other}`)}
            </button>
            {session ? (
              <>
                <span className="header__who">
                  <span className="visually-hidden">{t('shell.signedInAs')} </span>
                  <span data-testid="signed-in-email">{session.email}</span>
                  <span className="header__role">
                    {session.roles.map((role) => t(`roles.${role}`)).join(', ')}
                  </span>
                </span>
                <button type="button" className="button button--quiet" onClick={() => void auth.signOut()}>
                  {t('shell.signOut')}
                </button>
              </>
            ) : null}
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1} aria-busy={navigation.state === 'loading'}>
        <Outlet />
      </main>
    </>
  );
};
