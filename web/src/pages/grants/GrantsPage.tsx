import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useSession } from '../../app/auth-context';
import { PageTitle } from '../../app/PageTitle';
import { SelectField, TextField } from '../../components/ui/form';
import { LoadError, Loading, StatusBadge } from '../../components/ui/status';
import { GrantsDownloads } from '../../downloads/GrantsDownloads';
import { useGrantList } from '../../features/grants/api/list-grants';
import {
  GRANT_FILTERS,
  GRANT_SORTS,
  type GrantListView,
  searchFromView,
  viewFromSearch,
} from '../../features/grants/view';
import { formatDate, formatMoney } from '../../format';
import { useLanguage } from '../../i18n';
import { forvaltningAbbreviation, forvaltningName, useCodeLabels } from '../../lib/labels';
import { hasRole } from '../../lib/session';

/** Every grant, filtered and paged by the API; the URL holds the view, so a link shares it. */
const GrantsPage = () => {
  const { t } = useTranslation('grants');
  const language = useLanguage();
  const labels = useCodeLabels();
  const session = useSession();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const view = viewFromSearch(search);
  const list = useGrantList(view);
  const form = useRef<HTMLFormElement>(null);
  const choiceFilters = [
    ['forvaltning', labels.forvaltninger],
    ['programme', labels.programmes],
    ['funderType', labels.funderTypes],
    ['status', labels.statuses],
  ] as const;

  const apply = () => {
    if (!form.current) return;
    const data = new FormData(form.current);
    const next: Record<string, string> = {};
    for (const name of [...GRANT_FILTERS, 'q']) {
      const value = data.get(name);
      if (typeof value === 'string' && value.trim()) next[name] = value.trim();
    }
    // A new filter starts at the first page.
    navigate({ search: searchFromView(next as GrantListView) });
  };

  return (
    <>
      <PageTitle title={t('list.title')} />
      <div className="page-head">
        <h1>{t('list.title')}</h1>
        {hasRole(session, 'lear-admin') ? (
          <Link className="button button--primary" to="/app/grants/new">
            {t('list.register')}
          </Link>
        ) : null}
      </div>
      <form
        ref={form}
        key={search.toString()}
        className="filters"
        aria-label={t('list.filters')}
        onSubmit={(event) => {
          event.preventDefault();
          apply();
        }}
        onChange={(event) => {
          // Choices apply at once; the search words when submitted (Enter or the button).
          if ((event.target as HTMLElement).tagName === 'SELECT') apply();
        }}
      >
        <TextField name="q" type="search" label={t('list.search')} defaultValue={view.q ?? ''} />
        {choiceFilters.map(([name, options]) => (
          <SelectField
            key={name}
            name={name}
            label={t(`fields.${name}`)}
            placeholder={t('list.all')}
            options={options}
            defaultValue={view[name] ?? ''}
          />
        ))}
        <SelectField
          name="sort"
          label={t('list.sort')}
          placeholder={t('sort.newest')}
          options={GRANT_SORTS.map((sort) => ({ value: sort, label: t(`sort.${sort}`) }))}
          defaultValue={view.sort ?? ''}
        />
        <div className="filters__actions">
          <button type="submit" className="button">
            {t('list.apply')}
          </button>
          {search.toString() ? (
            <Link className="button button--quiet" to="/app/grants">
              {t('list.clear')}
            </Link>
          ) : null}
        </div>
      </form>
      <GrantsDownloads filter={view} />
      {list.isPending ? <Loading /> : null}
      {list.error ? <LoadError error={list.error} /> : null}
      {list.data ? (
        <>
          <div className="table-wrap">
            <table className="table" aria-busy={list.isFetching}>
              <caption className="visually-hidden">{t('list.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('fields.acronym')}</th>
                  <th scope="col">{t('fields.title')}</th>
                  <th scope="col">{t('fields.programme')}</th>
                  <th scope="col">{t('fields.forvaltning')}</th>
                  <th scope="col">{t('fields.status')}</th>
                  <th scope="col" className="num">
                    {t('fields.awarded')}
                  </th>
                  <th scope="col" className="num">
                    {t('fields.received')}
                  </th>
                  <th scope="col">{t('fields.endDate')}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((grant) => (
                  <tr key={grant.grantId}>
                    <th scope="row">
                      <Link to={`/app/grants/${grant.grantId}`}>{grant.acronym}</Link>
                    </th>
                    <td className="table__title">{grant.title}</td>
                    <td>{labels.label('programme', grant.programme)}</td>
                    <td>
                      <abbr title={forvaltningName(grant.forvaltning)}>
                        {forvaltningAbbreviation(grant.forvaltning)}
                      </abbr>
                    </td>
                    <td>
                      <StatusBadge group="status" code={grant.status} />
                    </td>
                    <td className="num">{formatMoney(grant.awarded, language)}</td>
                    <td className="num">{formatMoney(grant.receivedDkk, language)}</td>
                    <td className="date">{formatDate(grant.endDate, language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.data.items.length === 0 ? <p className="empty">{t('list.empty')}</p> : null}
          <nav className="pager" aria-label={t('list.paging')}>
            {view.cursor ? (
              <Link to={{ search: searchFromView({ ...view, cursor: undefined }) }}>{t('list.first')}</Link>
            ) : null}
            {list.data.nextCursor ? (
              <Link to={{ search: searchFromView({ ...view, cursor: list.data.nextCursor }) }} rel="next">
                {t('list.next')}
              </Link>
            ) : null}
          </nav>
        </>
      ) : null}
    </>
  );
};

export default GrantsPage;
