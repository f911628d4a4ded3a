import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { decodeText, detectDelimiter, parseRecords, SheetError, webWindows1252 } from '../../lib/import/csv';
import { decodeWindows1252 } from '../../lib/import/node';
import { cellOf, readSheet } from '../../lib/import/sheet';

const windows1252 = (text: string) =>
  Uint8Array.from(
    [...text].map(
      (ch) => ({ æ: 0xe6, ø: 0xf8, å: 0xe5, Æ: 0xc6, Ø: 0xd8, Å: 0xc5, '€': 0x80 })[ch] ?? ch.charCodeAt(0),
    ),
  );

describe('encodings', () => {
  it('reads UTF-8 with and without a byte order mark', () => {
    const utf8 = new TextEncoder().encode('Søren;Æblegård');
    expect(decodeText(utf8)).toEqual({ text: 'Søren;Æblegård', encoding: 'UTF-8' });
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8]))).toEqual({
      text: 'Søren;Æblegård',
      encoding: 'UTF-8 with BOM',
    });
  });

  it('reads anything that is not valid UTF-8 as Windows-1252, as Danish Excel writes it', () => {
    expect(decodeText(windows1252('Søren Åberg;Æblegård;€'), decodeWindows1252)).toEqual({
      text: 'Søren Åberg;Æblegård;€',
      encoding: 'Windows-1252',
    });
  });

  it('refuses to decode Windows-1252 with a TextDecoder that reads it as Latin-1 (Node), rather than garble €', () => {
    // Node 20.20 is such a runtime; a browser's TextDecoder passes the check and is used as it is.
    const latin1 = new TextDecoder('windows-1252').decode(Uint8Array.of(0x80)) !== '\u20ac';
    if (latin1) expect(() => webWindows1252(Uint8Array.of(0x80))).toThrow(/Latin-1.*decodeWindows1252/);
    else expect(webWindows1252(Uint8Array.of(0x80))).toBe('€');
  });

  it('maps the bytes 0x80–0x9F as Windows-1252 does, not as Latin-1', () => {
    expect(decodeWindows1252(Uint8Array.from([0x80, 0x92, 0x93, 0x94, 0x96, 0x85, 0x9f, 0x81]))).toBe(
      // 0x81 is unassigned in Windows-1252: a replacement character, never a silent control code.
      '€\u2019\u201c\u201d\u2013\u2026\u0178\ufffd',
    );
    expect(decodeWindows1252(Uint8Array.from(Array.from({ length: 0x60 }, (_, i) => 0xa0 + i)))).toBe(
      String.fromCharCode(...Array.from({ length: 0x60 }, (_, i) => 0xa0 + i)),
    );
  });

  it('refuses UTF-16 and a BOM in front of bytes that are not UTF-8', () => {
    expect(() => decodeText(Uint8Array.from([0xff, 0xfe, 0x41, 0x00]))).toThrow(/UTF-16/);
    expect(() => decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, 0xe6]))).toThrow(/not valid UTF-8/);
  });
});

describe('delimiters', () => {
  it('takes the one that separates the header', () => {
    expect(detectDelimiter('acronym;title;awarded\r\nA;"x, y, z";1,5')).toBe(';');
    expect(detectDelimiter('acronym,title,awarded\nA;B,"1;2",3')).toBe(',');
    expect(detectDelimiter('acronym\ttitle\n')).toBe('\t');
    expect(detectDelimiter('"a;b";c,d,e\n')).toBe(',');
  });

  it('refuses a header it cannot tell', () => {
    expect(() => detectDelimiter('acronym\nA')).toThrow(SheetError);
    expect(() => detectDelimiter('a;b,c\n')).toThrow(/as many/);
  });
});

describe('RFC 4180 records', () => {
  const records = (text: string, delimiter: ';' | ',' = ';') =>
    parseRecords(text, delimiter).map((r) => [r.line, ...r.cells]);

  it('reads quoted delimiters, doubled quotes and line breaks, numbering spreadsheet rows', () => {
    const text = 'a;b;c\r\n"x;y";"he said ""hi""";"two\r\nlines"\r\n1;2;3\r\n';
    expect(records(text)).toEqual([
      [1, 'a', 'b', 'c'],
      [2, 'x;y', 'he said "hi"', 'two\r\nlines'],
      [3, '1', '2', '3'],
    ]);
  });

  it('keeps empty cells, empty lines and a last line without a line break', () => {
    expect(records('a;b\n;\n\nx;')).toEqual([
      [1, 'a', 'b'],
      [2, '', ''],
      [3, ''],
      [4, 'x', ''],
    ]);
    expect(records('a,b\rc,d', ',')).toEqual([
      [1, 'a', 'b'],
      [2, 'c', 'd'],
    ]);
  });

  it('names the row broken by an unescaped quote, and the text line where an editor shows it', () => {
    expect(() => records('a;b\n5" screen;x')).toThrow(
      expect.objectContaining({ line: 2, message: expect.stringMatching(/not quoted contains a quote/) }),
    );
    expect(() => records('"a";"b"\n"multi\nline";"1"\n"a "quoted" word";"2"\n"c";"d"')).toThrow(
      expect.objectContaining({ line: 3, message: expect.stringMatching(/not doubled.*\(text line 4\)/) }),
    );
  });

  it('names the line of a quote that is never closed', () => {
    expect(() => records('a;b\n1;2\n"open;3\n4;5')).toThrow(
      expect.objectContaining({ line: 3, message: expect.stringMatching(/not closed/) }),
    );
  });
});

describe('sheets', () => {
  it('reads a Windows-1252 semicolon CSV with æøå', async () => {
    const bytes = windows1252('acronym;projectLeadName\r\nØRESUND;Søren Ærø Åberg\r\n');
    const sheet = await readSheet(bytes, { decodeWindows1252 });
    expect(sheet.description).toBe("CSV, Windows-1252, ';'-separated");
    expect(sheet.header).toEqual(['acronym', 'projectLeadName']);
    expect(sheet.rows).toEqual([
      {
        line: 2,
        cells: [
          { kind: 'text', text: 'ØRESUND' },
          { kind: 'text', text: 'Søren Ærø Åberg' },
        ],
      },
    ]);
  });

  it('follows Excel\'s "sep=" hint line and keeps the header on line 1', async () => {
    const sheet = await readSheet(new TextEncoder().encode('sep=,\nacronym;x,title\nA;1,T\n'));
    expect(sheet.header).toEqual(['acronym;x', 'title']);
    expect(sheet.rows[0]?.line).toBe(2);
  });

  it('reads an XLSX workbook keeping numbers, dates and text apart', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Portefølje');
    sheet.addRow(['acronym', 'awarded', 'startDate', 'notes']);
    sheet.addRow([
      'ATELIER',
      665462.5,
      new Date(Date.UTC(2019, 10, 1)),
      { richText: [{ text: 'Første ' }, { text: 'rate' }] },
    ]);
    sheet.addRow([
      'X',
      { formula: 'B2*2', result: 1330925 },
      '01.05.2021',
      { formula: 'A1', result: undefined },
    ]);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());

    const read = await readSheet(bytes);

    expect(read.description).toBe("XLSX, sheet 'Portefølje'");
    expect(read.header).toEqual(['acronym', 'awarded', 'startDate', 'notes']);
    expect(read.rows[0]).toEqual({
      line: 2,
      cells: [
        { kind: 'text', text: 'ATELIER' },
        { kind: 'number', text: '665462.5' },
        { kind: 'date', iso: '2019-11-01' },
        { kind: 'text', text: 'Første rate' },
      ],
    });
    expect(read.rows[1]?.cells[1]).toEqual({ kind: 'number', text: '1330925' });
    expect(read.rows[1]?.cells[2]).toEqual({ kind: 'text', text: '01.05.2021' });
    expect(read.rows[1]?.cells[3]).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/formula/),
    });
  });

  it('reads workbook values of every kind', () => {
    expect(cellOf(null)).toEqual({ kind: 'text', text: '' });
    expect(cellOf(true)).toEqual({ kind: 'text', text: 'TRUE' });
    expect(cellOf({ text: 'kk.dk', hyperlink: 'https://kk.dk' })).toEqual({ kind: 'text', text: 'kk.dk' });
    expect(cellOf({ error: '#N/A' })).toEqual({ kind: 'invalid', message: 'holds the error #N/A' });
    expect(cellOf(1e21)).toEqual({ kind: 'number', text: '1e+21' });
  });

  it('refuses an old .xls workbook and an empty file', async () => {
    await expect(readSheet(Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]))).rejects.toThrow(/\.xls/);
    await expect(readSheet(new Uint8Array())).rejects.toThrow(/empty/);
  });
});
