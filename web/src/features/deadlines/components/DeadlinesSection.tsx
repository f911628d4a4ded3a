import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { InlineFormCard, SelectField, TextField } from '../../../components/ui/form';
import { StatusBadge } from '../../../components/ui/status';
import { formatDate } from '../../../format';
import { useLanguage } from '../../../i18n';
import type { DeadlineInput, Grant } from '../../../lib/api-client';
import { bodyFromEntries, type FormValue } from '../../../lib/form-body';
import { useCodeLabels } from '../../../lib/labels';
import { focusFirstProblem } from '../../grants/components/GrantForm';
import { useSubmission } from '../../grants/components/use-submission';
import { useAddDeadline } from '../api/add-deadline';
import { useSetDeadlineStatus } from '../api/set-deadline-status';

/** A grant's deadlines, each reachable as #deadline-<id>; done and waived for those who may. */
export const DeadlinesSection = ({
  grant,
  canManage,
}: {
  readonly grant: Grant;
  readonly canManage: boolean;
}) => {
  const { t } = useTranslation('deadlines');
  const language = useLanguage();
  const labels = useCodeLabels();
  const add = useAddDeadline(grant.grantId);
  const setStatus = useSetDeadlineStatus();
  const submission = useSubmission();
  const formId = `deadline${useId().replace(/:/g, '')}`;
  const [open, setOpen] = useState(false);
  const [formKey, setFormKey] = useState(0);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const deadlines = [...(grant.deadlines ?? [])].sort((a, b) => a.dueOn.localeCompare(b.dueOn));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const entries: [string, FormValue][] = [];
    for (const [name, value] of new FormData(form).entries())
      if (typeof value === 'string') entries.push([name, value]);
    submission
      .run(form, () => add.mutateAsync(bodyFromEntries(entries) as unknown as DeadlineInput))
      .then((deadline) => {
        if (!deadline) return;
        setOpen(false);
        setFormKey((k) => k + 1);
      })
      .catch(() => focusFirstProblem(form));
  };

  const change = (deadlineId: string, status: 'DONE' | 'WAIVED' | 'OPEN') => {
    setFailure(undefined);
    setStatus.mutate(
      { grantId: grant.grantId, deadlineId, status },
      { onError: (error) => setFailure(error.message) },
    );
  };

  return (
    <section className="card" aria-labelledby="deadlines-heading">
      <div className="section-head">
        <h2 id="deadlines-heading">{t('section.title')}</h2>
        {canManage && !open ? (
          <button type="button" className="button" onClick={() => setOpen(true)}>
            {t('section.add')}
          </button>
        ) : null}
      </div>
      {failure ? (
        <p className="alert alert--error" role="alert">
          {failure}
        </p>
      ) : null}
      {deadlines.length ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('fields.dueOn')}</th>
                <th scope="col">{t('fields.title')}</th>
                <th scope="col">{t('fields.kind')}</th>
                <th scope="col">{t('fields.status')}</th>
                {canManage ? <th scope="col">{t('section.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {deadlines.map((deadline) => (
                <tr key={deadline.deadlineId} id={`deadline-${deadline.deadlineId}`} className="anchor-row">
                  <td>{formatDate(deadline.dueOn, language)}</td>
                  <td>{deadline.title}</td>
                  <td>{labels.label('deadlineKind', deadline.kind)}</td>
                  <td>
                    <StatusBadge group="deadlineStatus" code={deadline.status} />
                    {deadline.doneOn ? (
                      <span className="muted">
                        {' '}
                        {t('section.doneOn', {
                          on: formatDate(deadline.doneOn, language),
                          by: deadline.doneBy ?? '',
                        })}
                      </span>
                    ) : null}
                  </td>
                  {canManage ? (
                    <td className="actions">
                      {deadline.status === 'OPEN' ? (
                        <>
                          <button
                            type="button"
                            className="button button--small"
                            onClick={() => change(deadline.deadlineId, 'DONE')}
                          >
                            {t('actions.done')}
                            <span className="visually-hidden"> – {deadline.title}</span>
                          </button>
                          <button
                            type="button"
                            className="button button--small button--quiet"
                            onClick={() => change(deadline.deadlineId, 'WAIVED')}
                          >
                            {t('actions.waive')}
                            <span className="visually-hidden"> – {deadline.title}</span>
                          </button>
                        </>
                      ) : (
                        <button
                          type="button"
                          className="button button--small button--quiet"
                          onClick={() => change(deadline.deadlineId, 'OPEN')}
                        >
                          {t('actions.reopen')}
                          <span className="visually-hidden"> – {deadline.title}</span>
                        </button>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="empty">{t('section.none')}</p>
      )}
      {open ? (
        <InlineFormCard
          key={formKey}
          formId={formId}
          title={t('section.add')}
          problems={submission.problems}
          problemsTitle={t('form.problemsTitle')}
          onSubmit={submit}
          submitLabel={t('form.submit')}
          cancelLabel={t('form.cancel')}
          pending={add.isPending}
          onCancel={() => setOpen(false)}
        >
          <div className="grid grid--3">
            <TextField name="title" label={t('fields.title')} required maxLength={200} />
            <SelectField
              name="kind"
              label={t('fields.kind')}
              required
              options={labels.deadlineKinds}
              defaultValue="DELIVERABLE"
            />
            <TextField name="dueOn" type="date" label={t('fields.dueOn')} required />
          </div>
        </InlineFormCard>
      ) : null}
    </section>
  );
};
