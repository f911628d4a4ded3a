import { queryOptions, useQuery } from '@tanstack/react-query';
import type { operations } from '../../../../lib/api-client/schema';
import { api, unwrap } from '../../lib/api-client';
import type { TotalsLike } from './series';
import type { TotalsQuery } from './view';

/** The query as the generated client types it; parseView has checked every value against the same lists. */
type GetTotalsQuery = NonNullable<operations['getTotals']['parameters']['query']>;

/** `GET /totals` for one query: the table's (exactly the view) or the charts' (the finest grain). */
export const totalsOptions = (query: TotalsQuery) =>
  queryOptions({
    queryKey: ['totals', query],
    queryFn: async ({ signal }): Promise<TotalsLike> =>
      // The document lists JSON and CSV for this response; without format=csv the answer is JSON.
      (await unwrap(api().GET('/totals', { params: { query: query as GetTotalsQuery }, signal })))
        .data as TotalsLike,
  });

export const useTotals = (query: TotalsQuery) => useQuery(totalsOptions(query));

/** The API's own RFC 4180 CSV of the same query: the CSV download is the API's answer, byte for byte. */
export const fetchTotalsCsv = async (query: TotalsQuery): Promise<Blob> =>
  (
    await unwrap(
      api().GET('/totals', {
        params: { query: { ...(query as GetTotalsQuery), format: 'csv' } },
        parseAs: 'blob',
      }),
    )
  ).data;
