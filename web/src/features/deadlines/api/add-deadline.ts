import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type DeadlineInput, unwrap } from '../../../lib/api-client';

export const useAddDeadline = (grantId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: DeadlineInput) =>
      (await unwrap(api().POST('/grants/{grantId}/deadlines', { params: { path: { grantId } }, body }))).data,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['grants', 'one', grantId] });
      void queryClient.invalidateQueries({ queryKey: ['deadlines'] });
    },
  });
};
