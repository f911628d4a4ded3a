import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api-client';
import type { GrantListView } from '../view';

/** One page of the grants list, as the view in the URL asks for it: one API call. */
export const grantListQuery = (view: GrantListView) =>
  queryOptions({
    queryKey: ['grants', 'list', view],
    queryFn: async ({ signal }) =>
      (
        await unwrap(
          api().GET('/grants', {
            params: { query: { ...view, limit: String(view.limit ?? 25) } },
            signal,
          }),
        )
      ).data,
    placeholderData: keepPreviousData,
  });

export const useGrantList = (view: GrantListView) => useQuery(grantListQuery(view));
