import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api-client';

/** A read-only calendar feed token for the signed-in person; its URL is the subscription link. */
export const useIssueFeedToken = () =>
  useMutation({
    mutationFn: async (label: string) =>
      (await unwrap(api().POST('/calendar/feed-tokens', { body: { label } }))).data,
  });

export const useRevokeFeedToken = () =>
  useMutation({
    mutationFn: async (tokenId: string) =>
      unwrap(api().DELETE('/calendar/feed-tokens/{tokenId}', { params: { path: { tokenId } } })),
  });
