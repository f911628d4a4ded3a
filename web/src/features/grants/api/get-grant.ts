import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api-client';

/** A grant with its payments and deadlines, in one call; its version is what an edit sends as If-Match. */
export const grantQuery = (grantId: string) =>
  queryOptions({
    queryKey: ['grants', 'one', grantId],
    queryFn: async ({ signal }) =>
      (await unwrap(api().GET('/grants/{grantId}', { params: { path: { grantId } }, signal }))).data,
  });

export const useGrant = (grantId: string) => useQuery(grantQuery(grantId));
