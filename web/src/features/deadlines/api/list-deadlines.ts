import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api-client';

export interface DeadlineWindow {
  readonly from: string;
  readonly to: string;
  /** Only deadlines of grants the signed-in person leads or watches. */
  readonly mine: boolean;
}

/** Open deadlines in a window, by due date, across grants: one call. */
export const deadlinesQuery = (window: DeadlineWindow) =>
  queryOptions({
    queryKey: ['deadlines', window],
    queryFn: async ({ signal }) =>
      (
        await unwrap(
          api().GET('/deadlines', {
            params: {
              query: {
                from: window.from,
                to: window.to,
                status: 'OPEN',
                ...(window.mine ? { mine: 'true' } : {}),
              },
            },
            signal,
          }),
        )
      ).data,
  });

export const useDeadlines = (window: DeadlineWindow) => useQuery(deadlinesQuery(window));
