import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useSession } from '../../app/auth-context';
import { PageTitle } from '../../app/PageTitle';
import { LoadError, Loading } from '../../components/ui/status';
import { CalendarSubscription } from '../../features/calendar/components/CalendarSubscription';
import { useDeadlines } from '../../features/deadlines/api/list-deadlines';
import { useSetDeadlineStatus } from '../../features/deadlines/api/set-deadline-status';
import { groupDeadlines } from '../../features/deadlines/group';
import { addDays, copenhagenToday, formatDate } from '../../format';
import { useLanguage } from '../../i18n';
import type { DeadlineListItem } from '../../lib/api-client';
import { forvaltningAbbreviation, useCodeLabels } from '../../lib/labels';
import { hasRole } from '../../lib/session';

/** How far back overdue deadlines are shown. */
const OVERDUE_DAYS = 730;

/**
 * "Mine frister": the open deadlines of the grants the signed-in person leads or watches (by the
 * e-mail in their token) — overdue, the next 30 days, the next 90 — with "done" at hand, in one call.
 */
const MyDeadlinesPage = () => {
  const { t } = useTranslation('deadlines');
  const language = useLanguage();
  const labels = useCodeLabels();
  const session = useSession();
  const [search] = useSearchParams();
  const today = copenhagenToday();
  // LEAR administrators may widen the view to every grant; the URL keeps the choice.
  const all = search.get('scope') === 'all' && hasRole(session, 'lear-admin');
  const deadlines = useDeadlines({ from: addDays(today, -OVERDUE_DAYS), to: addDays(today, 90), mine: !all });
  const setStatus = useSetDeadlineStatus();
  const canManage = hasRole(session, 'lear-admin', 'project-lead');
  const title = all ? t('page.titleAll') : t('page.title');

  const table = (items: readonly DeadlineListItem[], caption: string, id: string) => (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>
        {caption} <span className="count">({items.length})</span>
      </h2>
      {items.length ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('fields.dueOn')}</th>
                <th scope="col">{t('fields.grant')}</th>
                <th scope="col">{t('fields.title')}</th>
                <th scope="col">{t('fields.kind')}</th>
                <th scope="col" className="num">
                  {t('fields.daysLeft')}
                </th>
                {canManage ? <th scope="col">{t('section.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.deadlineId}>
                  <td>{formatDate(d.dueOn, language)}</td>
                  <td>
                    <Link to={`/app/grants/${d.grantId}#deadline-${d.deadlineId}`}>{d.acronym}</Link>{' '}
                    <span className="muted">{forvaltningAbbreviation(d.forvaltning)}</span>
                  </td>
                  <td>{d.title}</td>
                  <td>{labels.label('deadlineKind', d.kind)}</td>
                  <td className="num">
                    {d.daysLeft < 0
                      ? t('days.overdue', { count: -d.daysLeft })
                      : t('days.left', { count: d.daysLeft })}
                  </td>
                  {canManage ? (
                    <td className="actions">
                      <button
                        type="button"
                        className="button button--small"
                        disabled={setStatus.isPending}
                        onClick={() =>
                          setStatus.mutate({ grantId: d.grantId, deadlineId: d.deadlineId, status: 'DONE' })
                        }
                      >
                        {t('actions.done')}
                        <span className="visually-hidden">
                          {' '}
                          – {d.acronym}: {d.title}
                        </span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="empty">{t('page.none')}</p>
      )}
    </section>
  );

  return (
    <>
      <PageTitle title={title} />
      <div className="page-head">
        <h1>{title}</h1>
        {hasRole(session, 'lear-admin') ? (
          <Link className="button button--quiet" to={all ? '/app/deadlines' : '/app/deadlines?scope=all'}>
            {all ? t('page.showMine') : t('page.showAll')}
          </Link>
        ) : null}
      </div>
      <p className="lead">{all ? t('page.introAll') : t('page.intro', { email: session?.email ?? '' })}</p>
      {setStatus.error ? (
        <p className="alert alert--error" role="alert">
          {setStatus.error.message}
        </p>
      ) : null}
      {deadlines.isPending ? <Loading /> : null}
      {deadlines.error ? <LoadError error={deadlines.error} /> : null}
      {deadlines.data
        ? (() => {
            const groups = groupDeadlines(deadlines.data.items, today);
            return (
              <>
                {table(groups.overdue, t('groups.overdue'), 'overdue-heading')}
                {table(groups.next30, t('groups.next30'), 'next30-heading')}
                {table(groups.next90, t('groups.next90'), 'next90-heading')}
              </>
            );
          })()
        : null}
      <CalendarSubscription />
    </>
  );
};

export default MyDeadlinesPage;
