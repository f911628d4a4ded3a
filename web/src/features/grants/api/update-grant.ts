import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type GrantPatch, unwrap } from '../../../lib/api-client';

/** PATCH with If-Match: the version the person started from. A grant changed since then is refused (412). */
export const useUpdateGrant = (grantId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ patch, version }: { patch: GrantPatch; version: number }) =>
      (
        await unwrap(
          api().PATCH('/grants/{grantId}', {
            params: { path: { grantId }, header: { 'If-Match': `"${version}"` } },
            body: patch,
          }),
        )
      ).data,
    onSuccess: (grant) => {
      queryClient.setQueryData(['grants', 'one', grantId], grant);
      void queryClient.invalidateQueries({ queryKey: ['grants', 'list'] });
      void queryClient.invalidateQueries({ queryKey: ['deadlines'] });
    },
  });
};
