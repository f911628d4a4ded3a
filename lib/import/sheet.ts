import type ExcelJS from 'exceljs';
import {
  type Delimiter,
  decodeText,
  detectDelimiter,
  type Encoding,
  parseRecords,
  SheetError,
  type Windows1252Decoder,
} from './csv';
import { delimiterEvidence } from './notation';
import type { Evidence } from './numbers';

/**
 * A sheet of rows, whatever file it came from. CSV cells are text; an XLSX cell keeps what the
 * workbook stored (a number, a date, text), so that a typed number is never re-read as Danish text.
 */
export type Cell =
  | { readonly kind: 'text'; readonly text: string }
  /** An exact decimal in plain notation, as the workbook stored the number: "665462.5", "1e+21". */
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'date'; readonly iso: string }
  | { readonly kind: 'invalid'; readonly message: string };

export interface SheetRow {
  /** The spreadsheet line: the header is line 1. */
  readonly line: number;
  readonly cells: readonly Cell[];
}

export interface Sheet {
  /** How the file was read, for the user: "CSV, Windows-1252, ';'" or "XLSX, sheet 'Portefølje'". */
  readonly description: string;
  readonly header: readonly string[];
  readonly rows: readonly SheetRow[];
  /** What the file itself says about the notation of its numbers (a CSV's `;` delimiter). */
  readonly notationEvidence?: readonly Evidence[];
}

export interface ReadOptions {
  /** Windows-1252 → text; the browser's TextDecoder by default (see csv.ts). */
  readonly decodeWindows1252?: Windows1252Decoder | undefined;
}

export const text = (value: string): Cell => ({ kind: 'text', text: value });

/** The cell as the user sees it, for text fields and messages. */
export const cellText = (cell: Cell | undefined): string => {
  if (!cell) return '';
  switch (cell.kind) {
    case 'text':
    case 'number':
      return cell.text;
    case 'date':
      return cell.iso;
    case 'invalid':
      return '';
  }
};

export const isBlank = (cell: Cell | undefined): boolean =>
  !cell || (cell.kind === 'text' && cell.text.trim() === '');

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

/** Reads CSV or XLSX, told apart by content rather than by the file name. */
export const readSheet = async (bytes: Uint8Array, options: ReadOptions = {}): Promise<Sheet> => {
  if (startsWith(bytes, ZIP)) return readXlsx(bytes);
  if (startsWith(bytes, OLE)) {
    throw new SheetError('The file is an old Excel workbook (.xls); save it as .xlsx or as CSV.');
  }
  return readCsv(bytes, options);
};

const describeDelimiter = (d: Delimiter) => (d === '\t' ? 'tab' : `'${d}'`);

export const readCsv = (bytes: Uint8Array, options: ReadOptions = {}): Sheet => {
  const decoded = decodeText(bytes, options.decodeWindows1252);
  const { encoding } = decoded;
  let content = decoded.text;
  if (!content.trim()) throw new SheetError('The file is empty.');
  // Excel's "sep=;" hint line is not a row in Excel, so the header stays line 1.
  const hint = /^sep=([;,\t])\r?\n/i.exec(content);
  if (hint) content = content.slice(hint[0].length);
  const delimiter = hint ? (hint[1] as Delimiter) : detectDelimiter(content);
  const records = parseRecords(content, delimiter);
  const [header, ...rest] = records;
  return {
    description: `CSV, ${encoding satisfies Encoding}, ${describeDelimiter(delimiter)}-separated`,
    header: (header?.cells ?? []).map((c) => c.trim()),
    rows: rest.map((record) => ({ line: record.line, cells: record.cells.map(text) })),
    notationEvidence: delimiterEvidence(delimiter),
  };
};

type Value = ExcelJS.CellValue;

const isObject = (
  value: Value,
): value is Exclude<Value, null | undefined | number | string | boolean | Date> =>
  typeof value === 'object' && value !== null && !(value instanceof Date);

/** One workbook value as a cell: formulas by their saved result, rich text and links by their text. */
export const cellOf = (value: Value): Cell => {
  if (value === null || value === undefined) return text('');
  if (typeof value === 'number') return { kind: 'number', text: String(value) };
  if (typeof value === 'string') return text(value);
  if (typeof value === 'boolean') return text(value ? 'TRUE' : 'FALSE');
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { kind: 'invalid', message: 'holds an invalid date' };
    // Workbooks store dates as day numbers; exceljs hands them over as UTC instants of that day.
    return { kind: 'date', iso: value.toISOString().slice(0, 10) };
  }
  if (isObject(value)) {
    if ('error' in value) return { kind: 'invalid', message: `holds the error ${value.error}` };
    if ('richText' in value) return text(value.richText.map((part) => part.text).join(''));
    if ('hyperlink' in value) {
      const linkText = value.text as unknown;
      return typeof linkText === 'string' ? text(linkText) : cellOf(linkText as Value);
    }
    if ('formula' in value || 'sharedFormula' in value) {
      const result = (value as ExcelJS.CellFormulaValue).result;
      if (result === undefined) {
        return {
          kind: 'invalid',
          message: 'holds a formula whose result was not saved; open and save the file in Excel',
        };
      }
      return cellOf(result as Value);
    }
  }
  return { kind: 'invalid', message: 'holds a value that cannot be read' };
};

export const readXlsx = async (bytes: Uint8Array): Promise<Sheet> => {
  // Loaded only for workbooks: a browser that imports CSV never downloads it.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.load(bytes.slice().buffer as ArrayBuffer);
  } catch (error) {
    throw new SheetError(
      `The file looks like an Excel workbook but cannot be read: ${(error as Error).message}`,
    );
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new SheetError('The workbook has no worksheet.');
  const width = sheet.columnCount;
  const rowCells = (rowNumber: number): Cell[] => {
    const row = sheet.getRow(rowNumber);
    return Array.from({ length: width }, (_, i) => cellOf(row.getCell(i + 1).value));
  };
  const header = rowCells(1).map((cell) => cellText(cell).trim());
  const rows: SheetRow[] = [];
  for (let line = 2; line <= sheet.rowCount; line += 1) rows.push({ line, cells: rowCells(line) });
  const others = workbook.worksheets.length > 1 ? ` (the first of ${workbook.worksheets.length})` : '';
  return { description: `XLSX, sheet '${sheet.name}'${others}`, header, rows };
};
