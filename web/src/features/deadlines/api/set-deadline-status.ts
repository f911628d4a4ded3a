import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Deadline, unwrap } from '../../../lib/api-client';

/** Done, waived, or open again. */
export const useSetDeadlineStatus = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({
      grantId,
      deadlineId,
      status,
    }: {
      grantId: string;
      deadlineId: string;
      status: Deadline['status'];
    }) =>
      (
        await unwrap(
          api().PATCH('/grants/{grantId}/deadlines/{deadlineId}', {
            params: { path: { grantId, deadlineId } },
            body: { status },
          }),
        )
      ).data,
    onSuccess: (_deadline, { grantId }) => {
      void queryClient.invalidateQueries({ queryKey: ['grants', 'one', grantId] });
      void queryClient.invalidateQueries({ queryKey: ['deadlines'] });
    },
  });
};
