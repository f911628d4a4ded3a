import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CSV_TYPE, saveFile } from './save';
import type { Sheet } from './sheet';
import './downloads.css';

export interface DownloadButtonsProps {
  /** File name without extension, e.g. "totaler-forvaltning-2021". */
  readonly fileName: string;
  /** The CSV of exactly the view (the API's, or made from the sheet). */
  readonly csv: () => Promise<Blob | string>;
  /** The sheet of exactly the view; turned into XLSX with exceljs, loaded only now. */
  readonly sheet: () => Promise<Sheet>;
  readonly disabled?: boolean;
}

/**
 * "Download CSV" and "Download Excel" for what the screen shows. One download at a time; a failure
 * is said next to the buttons with the reason, and the buttons stay usable to try again.
 */
export const DownloadButtons = ({ fileName, csv, sheet, disabled }: DownloadButtonsProps) => {
  const { t } = useTranslation('finance');
  const [busy, setBusy] = useState<'csv' | 'xlsx' | undefined>();
  const [message, setMessage] = useState<{ text: string; failed: boolean } | undefined>();

  const run = async (kind: 'csv' | 'xlsx') => {
    if (busy) return;
    setBusy(kind);
    setMessage(undefined);
    const file = `${fileName}.${kind}`;
    try {
      if (kind === 'csv') saveFile(await csv(), file, CSV_TYPE);
      else {
        const [{ writeXlsx, XLSX_TYPE }, data] = await Promise.all([import('./xlsx'), sheet()]);
        saveFile(await writeXlsx(data), file, XLSX_TYPE);
      }
      setMessage({ text: t('download.done', { file }), failed: false });
    } catch (error) {
      setMessage({ text: t('download.failed', { message: (error as Error).message }), failed: true });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <fieldset className="downloads">
      <legend className="downloads__label">{t('download.label')}</legend>
      <button
        type="button"
        className="button"
        disabled={disabled}
        aria-busy={busy === 'csv'}
        onClick={() => void run('csv')}
      >
        {busy === 'csv' ? t('download.busy') : t('download.csv')}
      </button>
      <button
        type="button"
        className="button"
        disabled={disabled}
        aria-busy={busy === 'xlsx'}
        onClick={() => void run('xlsx')}
      >
        {busy === 'xlsx' ? t('download.busy') : t('download.xlsx')}
      </button>
      <span
        className={message?.failed ? 'downloads__message downloads__message--failed' : 'downloads__message'}
        role="status"
      >
        {message?.text}
      </span>
    </fieldset>
  );
};
