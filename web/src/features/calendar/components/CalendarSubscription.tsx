import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IssuedFeedToken } from '../../../lib/api-client';
import { useIssueFeedToken, useRevokeFeedToken } from '../api/feed-tokens';

/**
 * A calendar subscription: a read-only feed token whose link goes into Outlook or any calendar.
 * The link is shown once, when it is made (only its hash is stored); revoking stops it at once.
 */
export const CalendarSubscription = () => {
  const { t } = useTranslation('deadlines');
  const issue = useIssueFeedToken();
  const revoke = useRevokeFeedToken();
  const [feed, setFeed] = useState<IssuedFeedToken | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  return (
    <section className="card" aria-labelledby="calendar-heading">
      <h2 id="calendar-heading">{t('calendar.title')}</h2>
      <p>{t('calendar.intro')}</p>
      {notice ? (
        <p className="alert alert--success" role="status">
          {notice}
        </p>
      ) : null}
      {issue.error ? (
        <p className="alert alert--error" role="alert">
          {issue.error.message}
        </p>
      ) : null}
      {feed ? (
        <div className="feed">
          <label htmlFor="feed-url">{t('calendar.link')}</label>
          <div className="feed__row">
            <input
              id="feed-url"
              name="url"
              readOnly
              value={feed.url}
              onFocus={(e) => e.currentTarget.select()}
            />
            <button
              type="button"
              className="button"
              onClick={() =>
                void navigator.clipboard
                  .writeText(feed.url)
                  .then(() => setNotice(t('calendar.copied')))
                  .catch(() => setNotice(t('calendar.copyManually')))
              }
            >
              {t('calendar.copy')}
            </button>
            <button
              type="button"
              className="button button--danger"
              disabled={revoke.isPending}
              onClick={() =>
                revoke.mutate(feed.tokenId, {
                  onSuccess: () => {
                    setFeed(undefined);
                    setNotice(t('calendar.revoked'));
                  },
                  onError: (error) => setNotice(error.message),
                })
              }
            >
              {t('calendar.revoke')}
            </button>
          </div>
          <p className="field__hint">{t('calendar.onceOnly')}</p>
        </div>
      ) : (
        <button
          type="button"
          className="button button--primary"
          disabled={issue.isPending}
          onClick={() =>
            issue.mutate(t('calendar.label'), {
              onSuccess: (issued) => {
                setFeed(issued);
                setNotice(undefined);
              },
            })
          }
        >
          {t('calendar.create')}
        </button>
      )}
    </section>
  );
};
