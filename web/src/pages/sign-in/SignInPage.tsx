import { useTranslation } from 'react-i18next';
import { Navigate, useSearchParams } from 'react-router';
import { useAuth, useSession } from '../../app/auth-context';
import { PageTitle } from '../../app/PageTitle';
import { SelectField, TextField } from '../../components/ui/form';
import { safeReturnTo } from '../../lib/return-to';
import { ROLES } from '../../lib/session';

/**
 * Signing in. Locally: choose a role and an e-mail; the form goes to the stack's /dev/login, which
 * signs a dev token and comes back. In AWS: the municipality's login through Cognito.
 */
const SignInPage = () => {
  const { t } = useTranslation();
  const auth = useAuth();
  const session = useSession();
  const [params] = useSearchParams();
  const returnTo = safeReturnTo(params.get('returnTo'));
  if (session) return <Navigate to={returnTo} replace />;
  return (
    <div className="narrow">
      <PageTitle title={t('signIn.title')} />
      <h1>{t('signIn.title')}</h1>
      {auth.mode === 'dev' ? (
        <>
          <p>{t('signIn.devIntro')}</p>
          <form className="form card" method="get" action="/dev/login">
            <input type="hidden" name="returnTo" value={returnTo} />
            <SelectField
              name="role"
              label={t('signIn.role')}
              required
              defaultValue="lear-admin"
              options={ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
            />
            <TextField
              name="email"
              type="email"
              label={t('signIn.email')}
              required
              autoComplete="email"
              defaultValue="lear-admin@kk.dk"
            />
            <div className="form__actions">
              <button type="submit" className="button button--primary">
                {t('signIn.submit')}
              </button>
            </div>
          </form>
        </>
      ) : (
        <>
          <p>{t('signIn.cognitoIntro')}</p>
          <button type="button" className="button button--primary" onClick={() => void auth.signIn(returnTo)}>
            {t('signIn.cognito')}
          </button>
        </>
      )}
    </div>
  );
};

export default SignInPage;
