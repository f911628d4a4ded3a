import { useTranslation } from 'react-i18next';
import { formatMoney, formatPercent, shareReceived } from '../../../format';
import { useLanguage } from '../../../i18n';
import type { Grant } from '../../../lib/api-client';

/** Awarded, received and outstanding in DKK, and how far the grant has come. */
export const MoneySummary = ({ grant }: { readonly grant: Grant }) => {
  const { t } = useTranslation('grants');
  const language = useLanguage();
  const share = shareReceived(grant.receivedDkk, grant.awardedDkk);
  return (
    <section className="card money" aria-labelledby="money-heading">
      <h2 id="money-heading">{t('grant.money')}</h2>
      <dl className="figures">
        <div>
          <dt>{t('fields.awarded')}</dt>
          <dd>
            {formatMoney(grant.awarded, language)}
            {grant.awarded.currency !== 'DKK' ? (
              <span className="figures__sub">{formatMoney(grant.awardedDkk, language)}</span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>{t('fields.received')}</dt>
          <dd>{formatMoney(grant.receivedDkk, language)}</dd>
        </div>
        <div>
          <dt>{t('fields.outstanding')}</dt>
          <dd>{formatMoney(grant.outstandingDkk, language)}</dd>
        </div>
      </dl>
      <label className="progress-label" htmlFor="received-progress">
        {t('grant.receivedShare', { share: formatPercent(share, language) })}
      </label>
      <progress id="received-progress" max={1000} value={Math.round(share * 1000)}>
        {formatPercent(share, language)}
      </progress>
    </section>
  );
};
