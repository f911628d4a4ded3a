import { useTranslation } from 'react-i18next';
import { useRouteError } from 'react-router';
import { PageTitle } from './PageTitle';

/** A page that failed to load or render: said plainly, with a way on. */
export const RouteError = () => {
  const error = useRouteError() as Error | undefined;
  const { t } = useTranslation();
  return (
    <main id="main" className="main">
      <PageTitle title={t('error.title')} />
      <h1>{t('error.title')}</h1>
      <p role="alert">{error?.message ?? t('error.body')}</p>
      <p>
        <a href="/app/">{t('notFound.home')}</a>
      </p>
    </main>
  );
};
