import { useTranslation } from 'react-i18next';
import { formatMoney, formatNumber } from '../../format';
import { currentLanguage } from '../../i18n';
import { forvaltningName } from '../../lib/labels';
import { groupByWords, valueLabel } from './labels';
import type { TotalsLike } from './series';

const MEASURES = ['awarded', 'received', 'outstanding', 'expected'] as const;

/** The view as a table: one row per group in the API's order, the API's own total at the foot. */
export const TotalsTable = ({ totals }: { readonly totals: TotalsLike }) => {
  const { t } = useTranslation('finance');
  const language = currentLanguage();
  const measures = MEASURES.filter((m) => m !== 'expected' || totals.total.expected !== undefined);
  const dkk = (amount: string | undefined) =>
    formatMoney({ amount: amount ?? '0.00', currency: 'DKK' }, language);
  const caption = totals.groupBy.length
    ? t('overview.tableCaption', { groupBy: groupByWords(t, totals.groupBy, language) })
    : t('overview.tableCaptionUngrouped');
  return (
    // A wide view scrolls sideways; Chromium and Firefox let the keyboard scroll it too.
    <div className="table-scroll">
      <table className="table table--numbers" data-testid="totals-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {totals.groupBy.length ? null : <td />}
            {totals.groupBy.map((d) => (
              <th scope="col" key={d}>
                {t(`dimensionTitle.${d}`)}
              </th>
            ))}
            {measures.map((m) => (
              <th scope="col" key={m} className="table__num">
                {t(`measure.${m}`)}
              </th>
            ))}
            <th scope="col" className="table__num">
              {t('measure.grantCount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {(totals.groupBy.length ? totals.groups : []).map((group) => (
            <tr key={totals.groupBy.map((d) => group.key[d]).join('|')}>
              {totals.groupBy.map((d, i) => {
                const value = group.key[d];
                const label = value === undefined ? '' : valueLabel(t, d, value);
                const Cell = i === 0 ? 'th' : 'td';
                return (
                  <Cell key={d} {...(i === 0 ? { scope: 'row' } : {})} className="table__key">
                    {d === 'forvaltning' && value !== undefined ? (
                      <abbr title={forvaltningName(String(value))}>{label}</abbr>
                    ) : (
                      label
                    )}
                  </Cell>
                );
              })}
              {measures.map((m) => (
                <td key={m}>{dkk(group[m])}</td>
              ))}
              <td>{formatNumber(group.grantCount, language)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={Math.max(1, totals.groupBy.length)}>
              {t('overview.total')}
            </th>
            {measures.map((m) => (
              <td key={m}>{dkk(totals.total[m])}</td>
            ))}
            <td>{formatNumber(totals.total.grantCount, language)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
};
