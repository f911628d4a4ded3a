import { CsvError, parse } from 'csv-parse/browser/esm/sync';

/**
 * Reading CSV as spreadsheets write it: the encoding and the delimiter are detected, quoting
 * follows RFC 4180. Line numbers are spreadsheet rows (records), the header being line 1, so a
 * cell with a line break inside quotes does not shift the numbers a user sees in Excel.
 */

/** The file cannot be read as a sheet at all; `line` and `file` say where, when known. */
export class SheetError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'SheetError';
  }

  /** As the importer reports it: "project.csv line 7: (csv): a quoted cell is not closed …". */
  describe(): string {
    const where = [this.file, this.line === undefined ? undefined : `line ${this.line}`]
      .filter(Boolean)
      .join(' ');
    return where ? `${where}: (csv): ${this.message}` : this.message;
  }
}

export type Encoding = 'UTF-8' | 'UTF-8 with BOM' | 'Windows-1252';

/** Windows-1252 bytes → text. Injected: the right decoder differs between Node and the browser. */
export type Windows1252Decoder = (bytes: Uint8Array) => string;

/**
 * The browser's own decoder (the WHATWG encoding standard maps 0x80–0x9F as Windows-1252 does).
 * Node 20.18.3+ and 22.13.0+ decode "windows-1252" as Latin-1 instead (nodejs/node#60888),
 * turning € – ' " … into control characters, so this checks itself and refuses to guess: in Node
 * use `decodeWindows1252` of `./node` (iconv-lite).
 */
export const webWindows1252: Windows1252Decoder = (bytes) => {
  const decoder = new TextDecoder('windows-1252');
  if (decoder.decode(Uint8Array.of(0x80)) !== '\u20ac') {
    throw new Error(
      "This runtime's TextDecoder reads Windows-1252 as Latin-1; pass the importer a Windows-1252 decoder (in Node: decodeWindows1252 from lib/import/node).",
    );
  }
  return decoder.decode(bytes);
};

/**
 * Valid UTF-8 (with or without a byte order mark) is UTF-8; anything else is Windows-1252, which is
 * what Danish Excel writes with "CSV (semikolonsepareret)". Text that is valid UTF-8 but meant as
 * Windows-1252 would need byte pairs such as "Ã¸", which no Danish sheet contains.
 */
export const decodeText = (
  bytes: Uint8Array,
  decodeWindows1252: Windows1252Decoder = webWindows1252,
): { text: string; encoding: Encoding } => {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new SheetError(
      'The file is UTF-16 ("Unicode text"); save it as "CSV UTF-8" or as an Excel workbook (.xlsx).',
    );
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  try {
    return {
      text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body),
      encoding: bom ? 'UTF-8 with BOM' : 'UTF-8',
    };
  } catch {
    if (bom) throw new SheetError('The file starts with a UTF-8 byte order mark but is not valid UTF-8.');
    return { text: decodeWindows1252(body), encoding: 'Windows-1252' };
  }
};

const DELIMITERS = [';', ',', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** The delimiter is the one of ; , and tab that occurs most often outside quotes on the header line. */
export const detectDelimiter = (text: string): Delimiter => {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch as Delimiter))
      counts.set(ch as Delimiter, (counts.get(ch as Delimiter) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  if (!first || first[1] === 0) {
    throw new SheetError(
      'cannot tell the delimiter: the header has no ";", "," or tab between column names',
      1,
    );
  }
  if (second && second[1] === first[1]) {
    throw new SheetError(
      `cannot tell the delimiter: the header has as many "${show(first[0])}" as "${show(second[0])}"`,
      1,
    );
  }
  return first[0];
};

const show = (d: Delimiter) => (d === '\t' ? 'tab' : d);

export interface CsvRecord {
  /** The spreadsheet row: the header is line 1. */
  readonly line: number;
  readonly cells: readonly string[];
}

const PROBLEMS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is not closed before the end of the file',
  CSV_INVALID_CLOSING_QUOTE:
    'a quote inside a quoted cell is not doubled (write "" for a quote), so the row is broken',
  INVALID_OPENING_QUOTE:
    'a cell that is not quoted contains a quote; quote the cell and double the quote inside it ("")',
};

/**
 * RFC 4180 records through csv-parse: a quoted cell may hold delimiters, line breaks and doubled
 * quotes; CRLF, LF and CR all end a record. Records are numbered as spreadsheet rows, so a cell
 * with a line break does not shift the line a user sees in Excel; an error also names the line of
 * the text, where an editor shows it.
 */
export const parseRecords = (text: string, delimiter: Delimiter): CsvRecord[] => {
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const details = error as CsvError & { records?: number; lines?: number };
    const line = (details.records ?? 0) + 1;
    const textLine =
      details.lines !== undefined && details.lines !== line ? ` (text line ${details.lines})` : '';
    throw new SheetError(`${PROBLEMS[error.code] ?? error.message}${textLine}`, line);
  }
  return records.map((cells, index) => ({ line: index + 1, cells }));
};
