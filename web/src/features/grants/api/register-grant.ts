import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type GrantInput, unwrap } from '../../../lib/api-client';

/** POST /grants with the form's Idempotency-Key: the same key and body register one grant, however often sent. */
export const useRegisterGrant = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ body, idempotencyKey }: { body: GrantInput; idempotencyKey: string }) =>
      (
        await unwrap(
          api().POST('/grants', { body, params: { header: { 'Idempotency-Key': idempotencyKey } } }),
        )
      ).data,
    onSuccess: (grant) => {
      queryClient.setQueryData(['grants', 'one', grant.grantId], grant);
      void queryClient.invalidateQueries({ queryKey: ['grants', 'list'] });
      void queryClient.invalidateQueries({ queryKey: ['deadlines'] });
    },
  });
};
