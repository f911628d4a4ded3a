import { useTranslation } from 'react-i18next';
import type { operations } from '../../../lib/api-client/schema';
import { formatDateTime } from '../format';
import { currentLanguage } from '../i18n';
import { api, unwrap } from '../lib/api-client';
import { filterWords } from '../pages/overview/labels';
import { DownloadButtons } from './DownloadButtons';
import { type GrantRow, grantsSheet } from './grants-sheet';
import { sheetCsv } from './sheet';

type ListQuery = NonNullable<operations['listGrants']['parameters']['query']>;

/** The list's view: the API's own query parameters (a page cursor or size, if given, is ignored). */
export type GrantsFilter = Omit<ListQuery, 'limit' | 'cursor'> & {
  readonly cursor?: string;
  readonly limit?: unknown;
};

/**
 * Every grant the filter matches, page by page at the API's largest page: the download is the
 * whole filtered list, not the page on screen.
 */
export const fetchFilteredGrants = async (filter: GrantsFilter): Promise<GrantRow[]> => {
  const grants: GrantRow[] = [];
  let cursor: string | undefined;
  const { cursor: _page, limit: _size, ...view } = filter;
  do {
    const query: ListQuery = { ...view, limit: '100', ...(cursor ? { cursor } : {}) };
    const { data } = await unwrap(api().GET('/grants', { params: { query } }));
    grants.push(...data.items);
    cursor = data.nextCursor ?? undefined;
  } while (cursor);
  return grants;
};

/** "Download CSV" and "Download Excel" for the grants list: the filtered list, the two ways the overview has. */
export const GrantsDownloads = ({ filter }: { readonly filter: GrantsFilter }) => {
  const { t } = useTranslation('finance');
  const language = currentLanguage();
  const sheet = async () => {
    const grants = await fetchFilteredGrants(filter);
    const described = filterWords(t, filter);
    return grantsSheet(grants, {
      name: t('sheet.grantsName'),
      title: t('sheet.grantsTitle'),
      notes: [
        described ? t('sheet.filter', { filter: described }) : t('sheet.noFilter'),
        ...(filter.q ? [t('sheet.search', { q: filter.q })] : []),
        t('sheet.taken', {
          at: formatDateTime(new Date().toISOString(), language),
          url: window.location.href,
        }),
      ],
      header: (key) => t(`grantColumn.${key.replace('.', '_')}`),
      total: t('overview.total'),
    });
  };
  const slug = [filter.forvaltning, filter.programme, filter.funderType, filter.status]
    .filter(Boolean)
    .join('-');
  return (
    <DownloadButtons
      fileName={`${t('sheet.grantsName').toLowerCase()}${slug ? `-${slug}` : ''}`}
      csv={async () => sheetCsv(await sheet())}
      sheet={sheet}
    />
  );
};
