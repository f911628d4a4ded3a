import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Grant } from '../../../lib/api-client';
import { NEXT_STATUSES, useCodeLabels } from '../../../lib/labels';
import { ApiError } from '../../../lib/problem';
import { useUpdateGrant } from '../api/update-grant';

/** Only the status changes PRODUCT.md 2.4 allows from where the grant is; each sent with If-Match. */
export const StatusActions = ({ grant }: { readonly grant: Grant }) => {
  const { t } = useTranslation('grants');
  const labels = useCodeLabels();
  const update = useUpdateGrant(grant.grantId);
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<string | undefined>(undefined);
  const next = NEXT_STATUSES[grant.status] ?? [];
  if (!next.length) return null;
  return (
    <fieldset className="status-actions">
      <legend className="visually-hidden">{t('status.group')}</legend>
      {next.map((status) => (
        <button
          key={status}
          type="button"
          className="button"
          disabled={update.isPending}
          onClick={() => {
            setMessage(undefined);
            update.mutate(
              { patch: { status: status as Grant['status'] }, version: grant.version },
              {
                onError: (error) => {
                  const stale = error instanceof ApiError && error.status === 412;
                  // Someone else changed the grant: show their version, so the choice is made on it.
                  if (stale)
                    void queryClient.invalidateQueries({ queryKey: ['grants', 'one', grant.grantId] });
                  setMessage(stale ? t('status.stale') : error.message);
                },
              },
            );
          }}
        >
          {t('status.to', { status: labels.label('status', status) })}
        </button>
      ))}
      {message ? (
        <p className="alert alert--error" role="alert">
          {message}
        </p>
      ) : null}
    </fieldset>
  );
};
