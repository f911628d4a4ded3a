import { useTranslation } from 'react-i18next';

/** A grant's or a deadline's status as a labelled badge (the colour only repeats what the text says). */
export const StatusBadge = ({
  group,
  code,
}: {
  readonly group: 'status' | 'deadlineStatus';
  readonly code: string;
}) => {
  const { t } = useTranslation();
  return (
    <span className={`badge badge--${code.toLowerCase()}`}>
      {t(`codes.${group}.${code}`, { defaultValue: code })}
    </span>
  );
};

/** Loading and failure of a page's data, said in words. */
export const Loading = () => {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {t('state.loading')}
    </p>
  );
};

export const LoadError = ({ error }: { readonly error: Error }) => {
  const { t } = useTranslation();
  return (
    <div className="alert alert--error" role="alert">
      <p className="alert__title">{t('state.loadFailed')}</p>
      <p>{error.message}</p>
    </div>
  );
};
