import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FORVALTNINGER, forvaltningAbbreviation } from '../../../../lib/config/catalogues';
import {
  AuthError,
  appliedSummary,
  applyPlan,
  formatRowError,
  type ImportFile,
  type ImportPlan,
  planFiles,
  type RunResult,
  type Summary,
} from '../../../../lib/import';
import { useSession } from '../../app/auth-context';
import { PageTitle } from '../../app/PageTitle';
import { copenhagenToday, formatNumber } from '../../format';
import { currentLanguage } from '../../i18n';
import { importClient } from './api';
import './import.css';

/**
 * Import (lear-admin): a spreadsheet or a CORDIS download, read and planned in the browser by the
 * same `lib/import` code the command line runs. The preview shows what each row would do and every
 * error by line and column as the CLI words it; only a plan without errors offers "import", which
 * writes through the API with progress and ends with the summary.
 */

type Stage =
  | { readonly step: 'choose' }
  | { readonly step: 'planning'; readonly message: string }
  | { readonly step: 'planned'; readonly plan: ImportPlan }
  | { readonly step: 'applying'; readonly plan: ImportPlan; readonly done: number; readonly total: number }
  | { readonly step: 'done'; readonly plan: ImportPlan; readonly result: RunResult }
  | { readonly step: 'failed'; readonly message: string; readonly plan?: ImportPlan };

const SummaryTable = ({ summary, applied }: { readonly summary: Summary; readonly applied: boolean }) => {
  const { t } = useTranslation('finance');
  const language = currentLanguage();
  const rows: [string, number][] = [
    [applied ? t('import.createdDone') : t('import.created'), summary.created],
    [applied ? t('import.updatedDone') : t('import.updated'), summary.updated],
    [t('import.unchanged'), summary.unchanged],
    ...(applied ? [] : ([[t('import.invalid'), summary.invalid]] as [string, number][])),
    ...(summary.failed ? ([[t('import.failed'), summary.failed]] as [string, number][]) : []),
    [applied ? t('import.paymentsDone') : t('import.payments'), summary.paymentsRecorded],
  ];
  return (
    <table className="table import-summary" data-testid={applied ? 'import-result' : 'import-summary'}>
      <caption>{t('import.summary')}</caption>
      <tbody>
        {rows.map(([label, count]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{formatNumber(count, language)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

const ErrorList = ({ errors }: { readonly errors: ImportPlan['errors'] }) => {
  const { t } = useTranslation('finance');
  const headingId = useId();
  return (
    <section className="import-errors" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('import.errorsHeading', { count: errors.length })}</h3>
      <ul>
        {errors.map((error) => (
          <li key={formatRowError(error)}>
            <code>{formatRowError(error)}</code>
          </li>
        ))}
      </ul>
    </section>
  );
};

const PlannedRows = ({ plan }: { readonly plan: ImportPlan }) => {
  const { t } = useTranslation('finance');
  const changing = plan.rows.filter((row) => row.action !== 'unchanged' || row.payment);
  if (!changing.length) return <p>{t('import.nothingToDo')}</p>;
  const action = {
    create: t('import.actionCreate'),
    update: t('import.actionUpdate'),
    unchanged: t('import.actionUnchanged'),
  };
  return (
    <div className="table-scroll">
      <table className="table" data-testid="import-rows">
        <caption>{t('import.rowsHeading')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('import.where')}</th>
            <th scope="col">{t('import.grant')}</th>
            <th scope="col">{t('import.action')}</th>
            <th scope="col">{t('import.changes')}</th>
          </tr>
        </thead>
        <tbody>
          {changing.map((row) => (
            <tr key={row.row.where}>
              <th scope="row">{row.row.where}</th>
              <td>{row.row.grant.acronym}</td>
              <td>{action[row.action]}</td>
              <td>{row.changes.join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

const readPicked = async (list: FileList | null): Promise<ImportFile[]> =>
  Promise.all(
    [...(list ?? [])].map(async (file) => ({
      name: file.name,
      bytes: new Uint8Array(await file.arrayBuffer()),
    })),
  );

export default function ImportPage() {
  const { t } = useTranslation('finance');
  const session = useSession();
  const queryClient = useQueryClient();
  const [stage, setStage] = useState<Stage>({ step: 'choose' });
  const form = useRef<HTMLFormElement>(null);
  const id = useId();
  const busy = stage.step === 'planning' || stage.step === 'applying';

  const preview = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy || !session) return;
    const data = new FormData(event.currentTarget);
    const input = event.currentTarget.elements.namedItem('file') as HTMLInputElement;
    const pic = String(data.get('pic') ?? '').trim();
    const forvaltning = String(data.get('forvaltning') ?? '');
    const leadName = String(data.get('leadName') ?? '').trim();
    const leadEmail = String(data.get('leadEmail') ?? '').trim();
    setStage({ step: 'planning', message: t('import.planning') });
    try {
      const files = await readPicked(input.files);
      const client = importClient(session.token);
      const plan = await planFiles(
        files,
        {
          cordis:
            pic || forvaltning
              ? {
                  pic,
                  forvaltning,
                  lead: leadName && leadEmail ? { name: leadName, email: leadEmail } : undefined,
                  defaultLead: { name: session.name ?? session.email, email: session.email },
                  today: copenhagenToday(),
                }
              : undefined,
        },
        client,
        {
          onRegister: (count) => setStage({ step: 'planning', message: t('import.register', { count }) }),
          onCompare: (done, total) =>
            setStage({ step: 'planning', message: t('import.comparing', { done, total }) }),
        },
      );
      setStage({ step: 'planned', plan });
    } catch (error) {
      const message =
        error instanceof AuthError
          ? t('import.auth')
          : t('import.unreadable', { message: (error as Error).message });
      setStage({ step: 'failed', message });
    }
  };

  const apply = async (plan: ImportPlan) => {
    if (busy || !session || plan.errors.length) return;
    setStage({ step: 'applying', plan, done: 0, total: plan.rows.length });
    try {
      const result = await applyPlan(plan, importClient(session.token), {
        onProgress: (done, total) => setStage({ step: 'applying', plan, done, total }),
      });
      setStage({ step: 'done', plan, result });
    } catch (error) {
      // A refused sign-in ends the import; what was written stays, and a new import skips it.
      const reason = error instanceof AuthError ? t('import.auth') : (error as Error).message;
      setStage({ step: 'failed', plan, message: t('import.stopped', { message: reason }) });
    } finally {
      // Whatever went in shows at once in lists and totals.
      await queryClient.invalidateQueries({ queryKey: ['grants'] });
      await queryClient.invalidateQueries({ queryKey: ['totals'] });
    }
  };

  const restart = () => {
    form.current?.reset();
    setStage({ step: 'choose' });
  };

  const plan = 'plan' in stage ? stage.plan : undefined;
  const changing = plan ? plan.rows.filter((row) => row.action !== 'unchanged' || row.payment).length : 0;

  return (
    <div className="import">
      <PageTitle title={t('import.title')} />
      <h1>{t('import.title')}</h1>
      <p className="lead">{t('import.lead')}</p>

      <form ref={form} className="import-form" onSubmit={(event) => void preview(event)} aria-busy={busy}>
        <div className="field">
          <label htmlFor={`${id}-file`}>{t('import.file')}</label>
          <span className="field__hint" id={`${id}-file-hint`}>
            {t('import.fileHint')}
          </span>
          <input
            id={`${id}-file`}
            name="file"
            type="file"
            multiple
            required
            accept=".csv,.xlsx,.zip,text/csv,application/zip,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            aria-describedby={`${id}-file-hint`}
            onChange={() => setStage({ step: 'choose' })}
          />
        </div>
        <fieldset className="import-form__cordis">
          <legend>{t('import.cordis')}</legend>
          <div className="field">
            <label htmlFor={`${id}-pic`}>{t('import.pic')}</label>
            <input id={`${id}-pic`} name="pic" inputMode="numeric" pattern="\d{9}" autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor={`${id}-forvaltning`}>{t('import.forvaltning')}</label>
            <select id={`${id}-forvaltning`} name="forvaltning" defaultValue="">
              <option value="">{t('import.chooseForvaltning')}</option>
              {FORVALTNINGER.map((f) => (
                <option key={f.code} value={f.code}>
                  {forvaltningAbbreviation(f.code)} – {f.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-lead-name`}>{t('import.leadName')}</label>
            <input
              id={`${id}-lead-name`}
              name="leadName"
              autoComplete="name"
              aria-describedby={`${id}-lead-hint`}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-lead-email`}>{t('import.leadEmail')}</label>
            <input
              id={`${id}-lead-email`}
              name="leadEmail"
              type="email"
              autoComplete="email"
              aria-describedby={`${id}-lead-hint`}
            />
          </div>
          <span className="field__hint" id={`${id}-lead-hint`}>
            {t('import.leadHint')}
          </span>
        </fieldset>
        <button type="submit" className="button button--primary" disabled={busy}>
          {t('import.preview')}
        </button>
      </form>

      <div aria-live="polite">{stage.step === 'planning' ? <p role="status">{stage.message}</p> : null}</div>

      {plan ? (
        <section className="import-preview" aria-labelledby={`${id}-preview`}>
          <h2 id={`${id}-preview`}>
            {stage.step === 'done' ? t('import.doneHeading') : t('import.previewHeading')}
          </h2>
          <p>{t('import.readAs', { description: plan.description })}</p>
          {stage.step === 'done' ? (
            <>
              <SummaryTable summary={appliedSummary(stage.result)} applied />
              {stage.result.errors.length ? (
                <>
                  <p role="alert">{t('import.doneFailed', { count: stage.result.failed })}</p>
                  <ErrorList errors={stage.result.errors} />
                </>
              ) : null}
              <button type="button" className="button" onClick={restart}>
                {t('import.again')}
              </button>
            </>
          ) : (
            <>
              <SummaryTable summary={plan.summary} applied={false} />
              {plan.errors.length ? (
                <>
                  <p role="alert" className="notice notice--error">
                    {t('import.nothingWritten')}
                  </p>
                  <ErrorList errors={plan.errors} />
                </>
              ) : (
                <>
                  <PlannedRows plan={plan} />
                  {changing && stage.step !== 'failed' ? (
                    <button
                      type="button"
                      className="button button--primary"
                      disabled={busy}
                      onClick={() => void apply(plan)}
                    >
                      {t('import.apply', { count: changing })}
                    </button>
                  ) : null}
                </>
              )}
            </>
          )}
          {stage.step === 'applying' ? (
            <div className="import-progress">
              <label htmlFor={`${id}-progress`}>{t('import.progress')}</label>
              <progress id={`${id}-progress`} value={stage.done} max={Math.max(1, stage.total)} />
              <p role="status">{t('import.applying', { done: stage.done, total: stage.total })}</p>
            </div>
          ) : null}
        </section>
      ) : null}

      {stage.step === 'failed' ? (
        <p role="alert" className="notice notice--error">
          {stage.message}
        </p>
      ) : null}
    </div>
  );
}
