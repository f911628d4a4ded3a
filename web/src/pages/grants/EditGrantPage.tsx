import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { PageTitle } from '../../app/PageTitle';
import { Loading } from '../../components/ui/status';
import { grantQuery, useGrant } from '../../features/grants/api/get-grant';
import { useUpdateGrant } from '../../features/grants/api/update-grant';
import { focusFirstProblem, GrantForm } from '../../features/grants/components/GrantForm';
import { GrantNotFound } from '../../features/grants/components/GrantNotFound';
import { EDITABLE_FIELDS, grantBodyOf } from '../../features/grants/components/grant-body';
import { useSubmission } from '../../features/grants/components/use-submission';
import { formatDateTime } from '../../format';
import { useLanguage } from '../../i18n';
import type { Grant, GrantPatch } from '../../lib/api-client';
import { changedFields } from '../../lib/form-body';
import { ApiError } from '../../lib/problem';

const FORM_FIELDS = EDITABLE_FIELDS.filter((field) => field !== 'status');

interface Conflict {
  readonly latest: Grant;
  readonly changes: readonly { field: string; from: unknown; to: unknown }[];
}

const show = (value: unknown): string => {
  if (value === undefined || value === null || (Array.isArray(value) && !value.length)) return '—';
  if (typeof value === 'object' && value && 'amount' in value && 'currency' in value) {
    const money = value as { amount: string; currency: string };
    return `${money.amount} ${money.currency}`;
  }
  if (Array.isArray(value))
    return value.map((v) => (typeof v === 'object' ? Object.values(v).join(' ') : String(v))).join(', ');
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).join(', ');
  return String(value);
};

/**
 * Edit a grant. The change is sent with If-Match: the version this page started from. When someone
 * else changed the grant meanwhile the API refuses it (412); the page says who and what changed and
 * offers to load their version — it never overwrites it.
 */
const EditGrantPage = () => {
  const { grantId = '' } = useParams();
  const { t } = useTranslation('grants');
  const language = useLanguage();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const grant = useGrant(grantId);
  const update = useUpdateGrant(grantId);
  const submission = useSubmission();
  const [base, setBase] = useState<Grant | undefined>(undefined);
  const [conflict, setConflict] = useState<Conflict | undefined>(undefined);
  const conflictRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (grant.data && !base) setBase(grant.data);
  }, [grant.data, base]);
  useEffect(() => {
    if (conflict) conflictRef.current?.focus();
  }, [conflict]);

  if (grant.error) return <GrantNotFound error={grant.error} />;
  if (!base) return <Loading />;

  const submit = (body: Record<string, unknown>, form: HTMLFormElement) => {
    const patch = changedFields(grantBodyOf(base), body, FORM_FIELDS);
    if (!Object.keys(patch).length) {
      submission.setProblems({ fields: {}, general: [t('edit.nothingChanged')] });
      return;
    }
    submission
      .run(form, () => update.mutateAsync({ patch: patch as GrantPatch, version: base.version }))
      .then((saved) => {
        if (saved) navigate(`/app/grants/${saved.grantId}`);
      })
      .catch(async (error) => {
        if (!(error instanceof ApiError && error.status === 412)) {
          focusFirstProblem(form);
          return;
        }
        submission.setProblems(undefined);
        const latest = await queryClient.fetchQuery({ ...grantQuery(grantId), staleTime: 0 });
        const before = grantBodyOf(base);
        const after = grantBodyOf(latest);
        const changes = Object.keys(changedFields(before, after, EDITABLE_FIELDS)).map((field) => ({
          field,
          from: before[field],
          to: after[field],
        }));
        setConflict({ latest, changes });
      });
  };

  return (
    <div className="narrow">
      <PageTitle title={t('edit.title', { acronym: base.acronym })} />
      <p className="breadcrumb">
        <Link to={`/app/grants/${grantId}`}>{t('edit.back', { acronym: base.acronym })}</Link>
      </p>
      <h1>{t('edit.title', { acronym: base.acronym })}</h1>
      {conflict ? (
        <div
          className="alert alert--warning"
          role="alert"
          tabIndex={-1}
          ref={conflictRef}
          data-testid="stale-edit"
        >
          <p className="alert__title">{t('edit.stale.title')}</p>
          <p>
            {t('edit.stale.body', {
              by: conflict.latest.updatedBy,
              at: formatDateTime(conflict.latest.updatedAt, language),
            })}
          </p>
          {conflict.changes.length ? (
            <table className="table table--compact">
              <caption>{t('edit.stale.changes')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('edit.stale.field')}</th>
                  <th scope="col">{t('edit.stale.yourVersion')}</th>
                  <th scope="col">{t('edit.stale.theirVersion')}</th>
                </tr>
              </thead>
              <tbody>
                {conflict.changes.map((change) => (
                  <tr key={change.field}>
                    <th scope="row">{t(`fieldNames.${change.field}`, { defaultValue: change.field })}</th>
                    <td>{show(change.from)}</td>
                    <td>{show(change.to)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <p>{t('edit.stale.notSaved')}</p>
          <button
            type="button"
            className="button button--primary"
            onClick={() => {
              setBase(conflict.latest);
              setConflict(undefined);
            }}
          >
            {t('edit.stale.reload')}
          </button>
        </div>
      ) : null}
      <GrantForm
        key={base.version}
        initial={base}
        withStatus={false}
        problems={submission.problems}
        submitting={update.isPending}
        submitLabel={t('edit.submit')}
        onSubmit={submit}
      />
    </div>
  );
};

export default EditGrantPage;
