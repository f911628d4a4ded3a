import { useTranslation } from 'react-i18next';
import { formatDate, formatDateTime } from '../../../format';
import { useLanguage } from '../../../i18n';
import type { Grant } from '../../../lib/api-client';
import { forvaltningLabel, useCodeLabels } from '../../../lib/labels';

/** The facts of a grant as a description list; empty optional fields are left out. */
export const GrantFacts = ({ grant }: { readonly grant: Grant }) => {
  const { t } = useTranslation('grants');
  const language = useLanguage();
  const labels = useCodeLabels();
  const facts: [string, string | undefined][] = [
    [
      t('fields.programme'),
      `${labels.label('programme', grant.programme)} (${labels.label('funderType', grant.funderType)})`,
    ],
    [t('fields.forvaltning'), forvaltningLabel(grant.forvaltning)],
    [t('fields.unit'), grant.unit],
    [t('fields.role'), labels.label('role', grant.role)],
    [t('fields.grantAgreementNumber'), grant.grantAgreementNumber],
    [t('fields.pic'), grant.pic],
    [t('fields.callId'), grant.callId],
    [t('fields.period'), `${formatDate(grant.startDate, language)} – ${formatDate(grant.endDate, language)}`],
    [t('fields.fundingEndsOn'), formatDate(grant.fundingEndsOn, language)],
    [t('fields.projectLead'), `${grant.projectLead.name} <${grant.projectLead.email}>`],
    [t('fields.watchers'), grant.watchers.join(', ') || undefined],
    [t('fields.partners'), grant.partners.join(', ') || undefined],
    [
      t('fields.reportingPeriods'),
      grant.reportingPeriods.map((p) => formatDate(p.endsOn, language)).join(', ') || undefined,
    ],
    [t('fields.alertLeadDays'), grant.alertLeadDays?.join(', ')],
    [t('fields.exchangeRateToDkk'), grant.awarded.currency === 'DKK' ? undefined : grant.exchangeRateToDkk],
    [t('fields.notes'), grant.notes],
    [
      t('grant.updated'),
      t('grant.updatedBy', { at: formatDateTime(grant.updatedAt, language), by: grant.updatedBy }),
    ],
  ];
  return (
    <section className="card" aria-labelledby="facts-heading">
      <h2 id="facts-heading">{t('grant.facts')}</h2>
      <dl className="facts">
        {facts
          .filter((fact): fact is [string, string] => !!fact[1])
          .map(([term, value]) => (
            <div key={term} className={value.length > 120 ? 'facts__wide' : undefined}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
    </section>
  );
};
