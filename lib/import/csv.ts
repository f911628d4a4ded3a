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

/**
 * Windows-1252 → Unicode. Not `new TextDecoder('windows-1252')`: Node 20.18.3+ and 22.13.0+ decode
 * it as Latin-1, turning € – ' " … (bytes 0x80–0x9F) into control characters (nodejs/node#60888).
 * The table is the WHATWG index; every other byte is its own code point.
 */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

export const decodeWindows1252 = (bytes: Uint8Array): string => {
  let text = '';
  for (let start = 0; start < bytes.length; start += 8192) {
    const chunk = bytes.subarray(start, start + 8192);
    text += String.fromCharCode(
      ...Array.from(chunk, (byte) =>
        byte >= 0x80 && byte < 0xa0 ? (WINDOWS_1252_HIGH[byte - 0x80] ?? byte) : byte,
      ),
    );
  }
  return text;
};

/**
 * Valid UTF-8 (with or without a byte order mark) is UTF-8; anything else is Windows-1252, which is
 * what Danish Excel writes with "CSV (semikolonsepareret)". Text that is valid UTF-8 but meant as
 * Windows-1252 would need byte pairs such as "Ã¸", which no Danish sheet contains.
 */
export const decodeText = (bytes: Uint8Array): { text: string; encoding: Encoding } => {
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

/**
 * RFC 4180 records: a quoted cell may hold delimiters, line breaks and doubled quotes; CRLF, LF
 * and CR all end a record. A quote inside an unquoted cell is kept as written (Excel writes such
 * cells quoted, other tools do not); text after a closing quote is an error.
 */
export function* parseCsv(text: string, delimiter: Delimiter): Generator<CsvRecord> {
  const n = text.length;
  let i = 0;
  let line = 0;
  while (i < n) {
    line += 1;
    const cells: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i += 1;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote < 0) throw new SheetError('a quoted cell is not closed before the end of the file', line);
          value += text.slice(i, quote);
          if (text[quote + 1] === '"') {
            value += '"';
            i = quote + 2;
            continue;
          }
          i = quote + 1;
          break;
        }
        const next = text[i];
        if (i < n && next !== delimiter && next !== '\n' && next !== '\r') {
          throw new SheetError(
            `a quoted cell is followed by ${JSON.stringify(next)} instead of a delimiter`,
            line,
          );
        }
      } else {
        let j = i;
        while (j < n && text[j] !== delimiter && text[j] !== '\n' && text[j] !== '\r') j += 1;
        value = text.slice(i, j);
        i = j;
      }
      cells.push(value);
      if (i >= n) break;
      if (text[i] === delimiter) {
        i += 1;
        if (i >= n) {
          cells.push('');
          break;
        }
        continue;
      }
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      break;
    }
    yield { line, cells };
  }
}
