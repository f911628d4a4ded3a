import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageTitle } from '../../../app/PageTitle';
import { LoadError } from '../../../components/ui/status';

/** A grant page whose grant could not be loaded: why, and the way back to the list. */
export const GrantNotFound = ({ error }: { readonly error: Error }) => {
  const { t } = useTranslation('grants');
  return (
    <>
      <PageTitle title={t('grant.notFound')} />
      <h1>{t('grant.notFound')}</h1>
      <LoadError error={error} />
      <p>
        <Link to="/app/grants">{t('grant.back')}</Link>
      </p>
    </>
  );
};
