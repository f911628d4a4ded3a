import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { InlineFormCard, SelectField, TextField } from '../../../components/ui/form';
import { copenhagenToday, formatDate, formatMoney } from '../../../format';
import { useLanguage } from '../../../i18n';
import type { Grant, PaymentInput } from '../../../lib/api-client';
import { PAYMENT_STATUSES } from '../../../lib/codes';
import { bodyFromEntries, type FormValue, normaliseAmount } from '../../../lib/form-body';
import { useCodeLabels } from '../../../lib/labels';
import { useRecordPayment } from '../api/record-payment';
import { focusFirstProblem } from './GrantForm';
import { useSubmission } from './use-submission';

const AMOUNT_FIELDS = new Set(['amount.amount', 'amountDkk.amount']);

/** What was brought home, and (for those who may) recording a payment. */
export const PaymentsSection = ({
  grant,
  canRecord,
}: {
  readonly grant: Grant;
  readonly canRecord: boolean;
}) => {
  const { t } = useTranslation('grants');
  const language = useLanguage();
  const labels = useCodeLabels();
  const record = useRecordPayment(grant.grantId);
  const submission = useSubmission();
  const formId = `payment${useId().replace(/:/g, '')}`;
  const [open, setOpen] = useState(false);
  const [formKey, setFormKey] = useState(0);
  const [saved, setSaved] = useState(false);
  const payments = grant.payments ?? [];
  const paymentsAllowed = PAYMENT_STATUSES.includes(grant.status);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const entries: [string, FormValue][] = [];
    for (const [name, value] of new FormData(form).entries()) {
      if (typeof value === 'string')
        entries.push([name, AMOUNT_FIELDS.has(name) ? normaliseAmount(value) : value]);
    }
    const body = bodyFromEntries(entries) as Record<string, Record<string, unknown>>;
    // The DKK booking is optional: its currency alone says nothing.
    if (body.amountDkk && !body.amountDkk.amount) delete body.amountDkk;
    submission
      .run(form, () => record.mutateAsync(body as unknown as PaymentInput))
      .then((payment) => {
        if (!payment) return;
        setSaved(true);
        setOpen(false);
        setFormKey((k) => k + 1);
      })
      .catch(() => focusFirstProblem(form));
  };

  return (
    <section className="card" aria-labelledby="payments-heading">
      <div className="section-head">
        <h2 id="payments-heading">{t('payments.title')}</h2>
        {canRecord && paymentsAllowed && !open ? (
          <button
            type="button"
            className="button"
            onClick={() => {
              setOpen(true);
              setSaved(false);
            }}
          >
            {t('payments.record')}
          </button>
        ) : null}
      </div>
      {saved ? (
        <p className="alert alert--success" role="status">
          {t('payments.saved')}
        </p>
      ) : null}
      {payments.length ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('payments.receivedOn')}</th>
                <th scope="col">{t('payments.kind')}</th>
                <th scope="col" className="num">
                  {t('payments.amount')}
                </th>
                <th scope="col" className="num">
                  {t('payments.amountDkk')}
                </th>
                <th scope="col">{t('payments.reference')}</th>
              </tr>
            </thead>
            <tbody>
              {payments.map((payment) => (
                <tr key={payment.paymentId}>
                  <td>{formatDate(payment.receivedOn, language)}</td>
                  <td>{labels.label('paymentKind', payment.kind)}</td>
                  <td className="num">{formatMoney(payment.amount, language)}</td>
                  <td className="num">{formatMoney(payment.amountDkk, language)}</td>
                  <td>{payment.reference ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="empty">{t('payments.none')}</p>
      )}
      {open ? (
        <InlineFormCard
          key={formKey}
          formId={formId}
          title={t('payments.record')}
          problems={submission.problems}
          problemsTitle={t('form.problemsTitle')}
          onSubmit={submit}
          submitLabel={t('payments.submit')}
          cancelLabel={t('form.cancel')}
          pending={record.isPending}
          onCancel={() => setOpen(false)}
        >
          <div className="grid grid--3">
            <TextField
              name="receivedOn"
              type="date"
              label={t('payments.receivedOn')}
              required
              defaultValue={copenhagenToday()}
            />
            <SelectField
              name="kind"
              label={t('payments.kind')}
              required
              options={labels.paymentKinds}
              defaultValue="INTERIM"
            />
            <TextField name="reference" label={t('payments.reference')} />
            <TextField name="amount.amount" label={t('payments.amount')} required inputMode="decimal" />
            <SelectField
              name="amount.currency"
              label={t('fields.currency')}
              required
              options={labels.currencies}
              defaultValue={grant.awarded.currency}
            />
            <TextField
              name="amountDkk.amount"
              label={t('payments.amountDkk')}
              hint={t('payments.amountDkkHint')}
              inputMode="decimal"
            />
            <input type="hidden" name="amountDkk.currency" value="DKK" />
          </div>
          <TextField name="note" label={t('payments.note')} />
        </InlineFormCard>
      ) : null}
    </section>
  );
};
