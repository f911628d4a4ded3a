import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageTitle } from '../../app/PageTitle';
import { DownloadButtons } from '../../downloads/DownloadButtons';
import { totalsSheet } from '../../downloads/totals-sheet';
import { copenhagenToday, formatDateTime } from '../../format';
import { currentLanguage } from '../../i18n';
import { fetchTotalsCsv, totalsOptions } from './api';
import { valueLabel, viewNotes } from './labels';
import { OverviewFilters } from './OverviewFilters';
import { TotalsTable } from './TotalsTable';
import { chartQuery, type OverviewView, parseView, totalsQuery, viewSearch, viewSlug } from './view';
import './overview.css';

const Charts = lazy(() => import('./Charts'));

/**
 * Finance's overview (finance and lear-admin): received ("hjemtaget"), awarded, outstanding and,
 * once reported, expected, for any filter and grouping `GET /totals` offers. The URL is the view;
 * the table, the charts and both downloads show exactly it. Two API calls: the view, and the same
 * filters by forvaltning, funder type and year for the charts.
 */
export default function OverviewPage() {
  const { t } = useTranslation('finance');
  const [search, setSearch] = useSearchParams();
  // The router commits a new URL in a transition; until it has, the controls show the view asked
  // for (a checkbox that flicked back for a moment would look as if the click was lost). A request
  // holds only while the URL is still the one it was made from.
  const [asked, setAsked] = useState<{ readonly from: string; readonly search: URLSearchParams }>();
  const pending = asked?.from === search.toString() ? asked.search : undefined;
  const { view, ignored } = parseView(pending ?? search);
  const query = totalsQuery(view);
  const totals = useQuery({ ...totalsOptions(query), placeholderData: keepPreviousData });
  const fine = useQuery({ ...totalsOptions(chartQuery(view)), placeholderData: keepPreviousData });
  const showView = (next: OverviewView) => {
    const nextSearch = viewSearch(next);
    setAsked({ from: search.toString(), search: nextSearch });
    setSearch(nextSearch);
  };
  const shown = totals.data && !totals.isPlaceholderData ? totals.data : undefined;

  const sheet = async () => {
    if (!shown) throw new Error(t('overview.loading'));
    return totalsSheet(shown, {
      name: t('sheet.totalsName'),
      title: t('sheet.totalsTitle'),
      notes: viewNotes(t, view, {
        at: formatDateTime(new Date().toISOString(), currentLanguage()),
        url: window.location.href,
      }),
      dimension: (d) => t(`dimensionTitle.${d}`),
      value: (d, v) => valueLabel(t, d, v),
      measure: (m) => t(`measureDkk.${m}`),
      grantCount: t('measure.grantCount'),
      total: t('overview.total'),
    });
  };

  return (
    <div className="overview">
      <PageTitle title={t('overview.title')} />
      <h1>{t('overview.title')}</h1>
      <p className="lead">{t('overview.lead')}</p>
      {ignored.length ? (
        <p className="notice" role="status">
          {t('overview.ignored', { params: ignored.join(', ') })}
        </p>
      ) : null}
      <OverviewFilters view={view} thisYear={Number(copenhagenToday().slice(0, 4))} onChange={showView} />
      <DownloadButtons
        fileName={`${t('sheet.totalsName').toLowerCase()}-${viewSlug(view) || 'alle'}`}
        csv={() => fetchTotalsCsv(query)}
        sheet={sheet}
        disabled={!shown}
      />
      {totals.isError ? (
        <div className="notice notice--error" role="alert">
          <p>{t('overview.failed', { message: totals.error.message })}</p>
          <button type="button" className="button" onClick={() => void totals.refetch()}>
            {t('overview.retry')}
          </button>
        </div>
      ) : null}
      {totals.data ? (
        <div aria-busy={totals.isPlaceholderData}>
          {totals.data.groupBy.length && !totals.data.groups.length ? <p>{t('overview.empty')}</p> : null}
          <TotalsTable totals={totals.data} />
        </div>
      ) : totals.isPending ? (
        <p role="status">{t('overview.loading')}</p>
      ) : null}
      {totals.data && fine.data ? (
        <Suspense fallback={<p role="status">{t('overview.chartLoading')}</p>}>
          <Charts view={view} totals={totals.data} fine={fine.data} />
        </Suspense>
      ) : null}
    </div>
  );
}
