import { toCsv } from '../../../lib/api/csv';

/**
 * A download as a plain table, made before any file format is chosen: what the screen shows, with
 * the view's filters written above it. CSV and XLSX are two renderings of one Sheet, so they cannot
 * disagree with each other or with the screen.
 */

/** How a column's cells are written: DKK and money amounts stay decimal strings until the file is made. */
export type ColumnKind = 'text' | 'dkk' | 'amount' | 'count' | 'date';

export interface Column {
  /** The machine name: the CSV header (the API's field name). */
  readonly key: string;
  /** The people's name: the XLSX header, in the reader's language. */
  readonly header: string;
  readonly kind: ColumnKind;
}

export type CellValue = string | number | undefined;

export interface Sheet {
  /** The worksheet's name (Excel allows 31 characters and none of : \ / ? * [ ]). */
  readonly name: string;
  readonly title: string;
  /** Lines written above the table: the filter and grouping of the view, when it was taken. */
  readonly notes: readonly string[];
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly CellValue[])[];
  /** A last row of sums, written below the table; undefined cells are left empty. */
  readonly totals?: readonly CellValue[] | undefined;
}

/** Excel's rules for a worksheet name. */
export const sheetName = (name: string): string => {
  const clean = name
    .replace(/[:\\/?*[\]]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return (clean || 'Ark').slice(0, 31).trim();
};

/** "20000000.00" → 20000000: a number cell. Amounts are below ten billion with two decimals, so a double holds them to the øre. */
export const amountNumber = (amount: string): number => Number(amount);

/**
 * The CSV of a sheet: RFC 4180 through the API's own writer (UTF-8 BOM, CRLF), the columns' machine
 * names as the header row, amounts as the API writes them. The notes stay out: a CSV is data.
 */
export const sheetCsv = (sheet: Sheet): string =>
  toCsv(
    sheet.columns.map((c) => c.key),
    sheet.rows.map((row) => sheet.columns.map((_, i) => row[i] ?? '')),
  );
