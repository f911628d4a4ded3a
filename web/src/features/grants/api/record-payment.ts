import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type PaymentInput, unwrap } from '../../../lib/api-client';

export const useRecordPayment = (grantId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: PaymentInput) =>
      (await unwrap(api().POST('/grants/{grantId}/payments', { params: { path: { grantId } }, body }))).data,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['grants'] });
    },
  });
};
