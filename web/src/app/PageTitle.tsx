import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** Each page names itself in the browser's title: "<page> · Funding tracker". */
export const PageTitle = ({ title }: { readonly title: string }) => {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title, t]);
  return null;
};
