import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  FormAlert,
  FormProblemsProvider,
  SelectField,
  TextAreaField,
  TextField,
} from '../../../components/ui/form';
import type { Grant } from '../../../lib/api-client';
import { useCodeLabels } from '../../../lib/labels';
import type { FormProblems } from '../../../lib/problem';
import { grantBodyFromForm } from './grant-body';

/**
 * Every field of a grant (PRODUCT.md 2.4) on one form, each control named by the API field path it
 * edits, so the API's problem document lands on its control. Registering and editing share it.
 */

export interface GrantFormProps {
  readonly initial?: Grant | undefined;
  /** Status is set when registering; afterwards it moves only by the changes the grant page offers. */
  readonly withStatus: boolean;
  readonly problems: FormProblems | undefined;
  readonly submitting: boolean;
  readonly submitLabel: string;
  readonly onSubmit: (body: Record<string, unknown>, form: HTMLFormElement) => void;
  readonly children?: ReactNode;
}

interface Row {
  readonly key: number;
  readonly value: string;
}

const rowsOf = (values: readonly string[]): Row[] => values.map((value, key) => ({ key, value }));

export const GrantForm = ({
  initial,
  withStatus,
  problems,
  submitting,
  submitLabel,
  onSubmit,
  children,
}: GrantFormProps) => {
  const { t } = useTranslation('grants');
  const labels = useCodeLabels();
  const formId = useId().replace(/:/g, '');
  const nextKey = useRef(100);
  const [periods, setPeriods] = useState<Row[]>(() =>
    rowsOf(initial?.reportingPeriods.map((p) => p.endsOn) ?? []),
  );
  const [watchers, setWatchers] = useState<Row[]>(() => rowsOf(initial?.watchers ?? []));
  const formRef = useRef<HTMLFormElement>(null);
  // A new row takes the focus, so the keyboard is where the next thing is typed.
  const focusAfterAdd = useRef<string | undefined>(undefined);
  useEffect(() => {
    const name = focusAfterAdd.current;
    if (!name) return;
    focusAfterAdd.current = undefined;
    formRef.current?.querySelector<HTMLElement>(`[name="${name}"]`)?.focus();
  });
  const add = (set: typeof setPeriods, nameOf: (index: number) => string) =>
    set((rows) => {
      focusAfterAdd.current = nameOf(rows.length);
      return [...rows, { key: nextKey.current++, value: '' }];
    });
  const remove = (set: typeof setPeriods, key: number) =>
    set((rows) => rows.filter((row) => row.key !== key));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit(grantBodyFromForm(event.currentTarget), event.currentTarget);
  };

  return (
    <FormProblemsProvider formId={formId} problems={problems}>
      <form
        ref={formRef}
        className="form"
        id={formId}
        noValidate
        onSubmit={submit}
        aria-describedby={`${formId}-required`}
      >
        <p id={`${formId}-required`} className="form__note">
          {t('form.requiredNote')}
        </p>
        {problems ? <FormAlert title={t('form.problemsTitle')} messages={problems.general} /> : null}
        {children}
        <fieldset className="fieldset">
          <legend>{t('form.sections.grant')}</legend>
          <div className="grid grid--2">
            <TextField
              name="acronym"
              label={t('fields.acronym')}
              required
              maxLength={40}
              defaultValue={initial?.acronym}
            />
            <TextField
              name="title"
              label={t('fields.title')}
              required
              maxLength={300}
              defaultValue={initial?.title}
            />
            <SelectField
              name="programme"
              label={t('fields.programme')}
              required
              placeholder={t('form.choose')}
              options={labels.programmes}
              defaultValue={initial?.programme ?? ''}
            />
            <TextField name="callId" label={t('fields.callId')} defaultValue={initial?.callId} />
            <TextField
              name="grantAgreementNumber"
              label={t('fields.grantAgreementNumber')}
              hint={t('form.hints.grantAgreementNumber')}
              inputMode="numeric"
              defaultValue={initial?.grantAgreementNumber}
            />
            <TextField
              name="pic"
              label={t('fields.pic')}
              hint={t('form.hints.pic')}
              inputMode="numeric"
              defaultValue={initial?.pic}
            />
            <SelectField
              name="role"
              label={t('fields.role')}
              required
              placeholder={t('form.choose')}
              options={labels.roles}
              defaultValue={initial?.role ?? ''}
            />
            {withStatus ? (
              <SelectField
                name="status"
                label={t('fields.status')}
                required
                options={labels.statuses}
                defaultValue={initial?.status ?? 'AWARDED'}
              />
            ) : null}
          </div>
        </fieldset>

        <fieldset className="fieldset">
          <legend>{t('form.sections.organisation')}</legend>
          <div className="grid grid--2">
            <SelectField
              name="forvaltning"
              label={t('fields.forvaltning')}
              required
              placeholder={t('form.choose')}
              options={labels.forvaltninger}
              defaultValue={initial?.forvaltning ?? ''}
            />
            <TextField
              name="unit"
              label={t('fields.unit')}
              hint={t('form.hints.unit')}
              defaultValue={initial?.unit}
            />
            <TextField
              name="projectLead.name"
              label={t('fields.projectLeadName')}
              required
              autoComplete="off"
              defaultValue={initial?.projectLead.name}
            />
            <TextField
              name="projectLead.email"
              type="email"
              label={t('fields.projectLeadEmail')}
              required
              autoComplete="off"
              defaultValue={initial?.projectLead.email}
            />
          </div>
          <div className="rows">
            <p className="rows__title" id={`${formId}-watchers`}>
              {t('fields.watchers')}
            </p>
            {watchers.map((row, index) => (
              <div className="rows__row" key={row.key}>
                <TextField
                  name={`watchers.${index}`}
                  type="email"
                  label={t('form.watcher', { n: index + 1 })}
                  defaultValue={row.value}
                  autoComplete="off"
                />
                <button
                  type="button"
                  className="button button--quiet"
                  onClick={() => remove(setWatchers, row.key)}
                >
                  {t('form.removeWatcher', { n: index + 1 })}
                </button>
              </div>
            ))}
            <button type="button" className="button" onClick={() => add(setWatchers, (i) => `watchers.${i}`)}>
              {t('form.addWatcher')}
            </button>
          </div>
          <TextAreaField
            name="partners"
            label={t('fields.partners')}
            hint={t('form.hints.partners')}
            rows={3}
            defaultValue={initial?.partners.join('\n')}
          />
        </fieldset>

        <fieldset className="fieldset">
          <legend>{t('form.sections.period')}</legend>
          <div className="grid grid--3">
            <TextField
              name="startDate"
              type="date"
              label={t('fields.startDate')}
              required
              defaultValue={initial?.startDate}
            />
            <TextField
              name="endDate"
              type="date"
              label={t('fields.endDate')}
              required
              defaultValue={initial?.endDate}
            />
            <TextField
              name="fundingEndsOn"
              type="date"
              label={t('fields.fundingEndsOn')}
              hint={t('form.hints.fundingEndsOn')}
              defaultValue={initial?.fundingEndsOn}
            />
          </div>
          <div className="rows">
            <p className="rows__title">{t('fields.reportingPeriods')}</p>
            <p className="field__hint">{t('form.hints.reportingPeriods')}</p>
            {periods.map((row, index) => (
              <div className="rows__row" key={row.key}>
                <TextField
                  name={`reportingPeriods.${index}.endsOn`}
                  type="date"
                  label={t('form.periodEndsOn', { n: index + 1 })}
                  defaultValue={row.value}
                />
                <button
                  type="button"
                  className="button button--quiet"
                  onClick={() => remove(setPeriods, row.key)}
                >
                  {t('form.removePeriod', { n: index + 1 })}
                </button>
              </div>
            ))}
            <button
              type="button"
              className="button"
              onClick={() => add(setPeriods, (i) => `reportingPeriods.${i}.endsOn`)}
            >
              {t('form.addPeriod')}
            </button>
          </div>
          <TextField
            name="alertLeadDays"
            label={t('fields.alertLeadDays')}
            hint={t('form.hints.alertLeadDays')}
            inputMode="numeric"
            defaultValue={initial?.alertLeadDays?.join(', ')}
          />
        </fieldset>

        <fieldset className="fieldset">
          <legend>{t('form.sections.money')}</legend>
          <div className="grid grid--3">
            <TextField
              name="awarded.amount"
              label={t('fields.awardedAmount')}
              hint={t('form.hints.amount')}
              required
              inputMode="decimal"
              defaultValue={initial?.awarded.amount}
            />
            <SelectField
              name="awarded.currency"
              label={t('fields.currency')}
              required
              options={labels.currencies}
              defaultValue={initial?.awarded.currency ?? 'EUR'}
            />
            <TextField
              name="exchangeRateToDkk"
              label={t('fields.exchangeRateToDkk')}
              hint={t('form.hints.exchangeRateToDkk')}
              inputMode="decimal"
              defaultValue={
                initial && initial.awarded.currency !== 'DKK' ? initial.exchangeRateToDkk : undefined
              }
            />
          </div>
        </fieldset>

        <TextAreaField name="notes" label={t('fields.notes')} rows={3} defaultValue={initial?.notes} />

        <div className="form__actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={submitting}
            aria-disabled={submitting}
          >
            {submitting ? t('form.saving') : submitLabel}
          </button>
        </div>
      </form>
    </FormProblemsProvider>
  );
};

/** Frames to wait for the problems to render before giving up on moving the focus (about a second). */
const FOCUS_FRAMES = 60;

/**
 * After a refused submission: the first control with a problem gets the focus, else the summary.
 * The problems arrive as state, so they render a frame or more after the refusal: it looks again
 * each frame until they are there.
 */
export const focusFirstProblem = (form: HTMLFormElement, framesLeft = FOCUS_FRAMES) => {
  requestAnimationFrame(() => {
    const target =
      form.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      form.querySelector<HTMLElement>('[role="alert"]');
    if (!target) {
      if (framesLeft > 1) focusFirstProblem(form, framesLeft - 1);
      return;
    }
    if (!target.hasAttribute('tabindex') && target.getAttribute('role') === 'alert') target.tabIndex = -1;
    target.focus();
  });
};
