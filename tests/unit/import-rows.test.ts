import { describe, expect, it } from 'vitest';
import { formatRowError, mapSheet, normaliseForvaltning, normaliseProgramme } from '../../lib/import/rows';
import { type Cell, type Sheet, text } from '../../lib/import/sheet';

const HEADER = [
  'acronym',
  'title',
  'programme',
  'forvaltning',
  'role',
  'status',
  'grantAgreementNumber',
  'startDate',
  'endDate',
  'awarded',
  'currency',
  'exchangeRateToDkk',
  'projectLeadName',
  'projectLeadEmail',
  'received',
  'receivedOn',
];

const GOOD: Record<string, string> = {
  acronym: 'ATELIER',
  title: 'AmsTErdam BiLbao cItizen drivEn smaRt cities',
  programme: 'H2020',
  forvaltning: 'TMF',
  role: 'PARTNER',
  status: 'ACTIVE',
  grantAgreementNumber: '864374',
  startDate: '01-11-2019',
  endDate: '31.10.2024',
  awarded: '665.462,50',
  currency: 'EUR',
  exchangeRateToDkk: '7,47',
  projectLeadName: 'Søren Ærø',
  projectLeadEmail: 'Soren@KK.dk',
  received: '',
  receivedOn: '',
};

/** A sheet of text cells: the header, then one row per override of the good row. */
const sheetOf = (rows: Record<string, string | Cell>[], header = HEADER): Sheet => ({
  description: 'test',
  header,
  rows: rows.map((overrides, i) => ({
    line: i + 2,
    cells: header.map((column) => {
      const value = overrides[column] ?? GOOD[column] ?? '';
      return typeof value === 'string' ? text(value) : value;
    }),
  })),
});

const errorsOf = (rows: Record<string, string | Cell>[], header?: string[]) =>
  mapSheet(sheetOf(rows, header)).errors.map(formatRowError);

describe('rows → the API inputs', () => {
  it('maps a Danish row to a GrantInput with exact amounts and ISO dates', () => {
    // act
    const { rows, errors } = mapSheet(sheetOf([{}]));
    // assert
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({
      where: 'line 2',
      grant: {
        acronym: 'ATELIER',
        programme: 'H2020',
        startDate: '2019-11-01',
        endDate: '2024-10-31',
        awarded: { amount: '665462.50', currency: 'EUR' },
        exchangeRateToDkk: '7.47',
        projectLead: { name: 'Søren Ærø', email: 'soren@kk.dk' },
      },
    });
    expect(rows[0]?.payment).toBeUndefined();
  });

  it('records one payment from received with receivedOn, in the grant currency', () => {
    const { rows } = mapSheet(sheetOf([{ received: '200.000,00', receivedOn: '2020-01-15' }]));
    expect(rows[0]?.payment).toEqual({
      receivedOn: '2020-01-15',
      amount: { amount: '200000.00', currency: 'EUR' },
      kind: 'OTHER',
    });
    expect(mapSheet(sheetOf([{ received: '0', receivedOn: '' }])).rows[0]?.payment).toBeUndefined();
  });

  it('matches header names case-insensitively, ignoring spaces and underscores', () => {
    const header = HEADER.map((h) => h.toUpperCase().replace('DATE', '_date'));
    header[12] = 'Project Lead Name';
    const { errors, rows } = mapSheet({ ...sheetOf([{}]), header });
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(1);
  });

  it('reads typed XLSX cells without re-reading numbers as Danish text', () => {
    const { rows, errors } = mapSheet(
      sheetOf([
        {
          awarded: { kind: 'number', text: '1.5' },
          startDate: { kind: 'date', iso: '2019-11-01' },
          grantAgreementNumber: { kind: 'number', text: '864374' },
          exchangeRateToDkk: { kind: 'number', text: '7.46038' },
        },
      ]),
    );
    expect(errors).toEqual([]);
    expect(rows[0]?.grant).toMatchObject({
      awarded: { amount: '1.50', currency: 'EUR' },
      startDate: '2019-11-01',
      grantAgreementNumber: '864374',
      exchangeRateToDkk: '7.46038',
    });
  });

  it('knows programmes and forvaltninger by the names people use', () => {
    expect(normaliseProgramme('Horizon 2020')).toBe('H2020');
    expect(normaliseProgramme('Horizon Europe')).toBe('HORIZON_EUROPE');
    expect(normaliseProgramme('Erasmus+')).toBe('ERASMUS_PLUS');
    expect(normaliseProgramme('interreg')).toBe('INTERREG');
    expect(normaliseForvaltning('Teknik- og Miljøforvaltningen')).toBe('TMF');
    expect(normaliseForvaltning('tmf')).toBe('TMF');
  });
});

describe('errors as `line N: column: message`', () => {
  it('reports each kind of error on its spreadsheet line, in the sheet’s column names', () => {
    const errors = errorsOf([
      {},
      { awarded: '1,000.00' },
      { startDate: '01/05/2020' },
      { programme: 'H2021', forvaltning: 'XYZ', projectLeadEmail: 'not-an-email' },
      { acronym: '', endDate: '2019-01-01' },
      { programme: 'HORIZON_EUROPE', grantAgreementNumber: '12345', currency: 'SEK', exchangeRateToDkk: '' },
      { status: 'APPLIED', received: '50', receivedOn: '2021-01-01' },
      { received: '50' },
      { receivedOn: '2021-01-01' },
      { received: '700.000,00', receivedOn: '2021-01-01' },
      { awarded: '4.971.000 kr.' },
      { awarded: { kind: 'invalid', message: 'holds the error #N/A' } },
      { awarded: { kind: 'number', text: '1234.567' } },
      { startDate: { kind: 'number', text: '43770' } },
    ]);
    expect(errors).toEqual([
      'line 3: awarded: is ambiguous: "1,000.00" groups thousands with a comma, but in a Danish sheet a comma is a decimal comma; write 1000 or 1.000,00',
      'line 4: startDate: is ambiguous ("01/05/2020": day/month or month/day); write it as 2021-05-01, 01-05-2021 or 01.05.2021',
      expect.stringMatching(/^line 5: programme: is "H2021"; expected one of "FP7"\|"H2020"/),
      expect.stringMatching(/^line 5: forvaltning: is "XYZ"; expected one of "OKF"/),
      'line 5: projectLeadEmail: must be an e-mail address',
      'line 6: acronym: is required',
      'line 6: endDate: must be on or after startDate',
      'line 7: grantAgreementNumber: a Horizon Europe grant agreement number has 9 digits starting with 101',
      'line 7: exchangeRateToDkk: is required for grants awarded in SEK (only EUR has a default rate)',
      'line 8: received: a payment cannot be recorded on a grant that is APPLIED',
      'line 9: receivedOn: is required when received is given',
      'line 10: received: is required when receivedOn is given',
      'line 11: received: is more than the 665462.50 EUR awarded',
      'line 12: awarded: is marked kr. but the currency is EUR',
      'line 13: awarded: holds the error #N/A',
      'line 14: awarded: has more than 2 decimals ("1234.567"); the importer never rounds',
      'line 15: startDate: is a number (43770), not a date; format the cell as a date or write 2021-05-01',
    ]);
  });

  it('counts invalid lines and keeps the valid rows apart', () => {
    const mapped = mapSheet(sheetOf([{}, { awarded: 'x', startDate: 'y' }, { acronym: 'OTHER' }]));
    expect(mapped.invalidLines).toBe(1);
    expect(mapped.rows.map((r) => r.where)).toEqual(['line 2', 'line 4']);
  });

  it('skips blank rows but keeps their line numbers', () => {
    const sheet = sheetOf([{}, {}]);
    const blank = { line: 3, cells: HEADER.map(() => text('  ')) };
    const mapped = mapSheet({
      ...sheet,
      rows: [sheet.rows[0], blank, { ...sheet.rows[1], line: 4 }] as Sheet['rows'],
    });
    expect(mapped.rows.map((r) => r.where)).toEqual(['line 2', 'line 4']);
  });

  it('reports the header on line 1: unknown, repeated and missing columns', () => {
    expect(
      errorsOf([{}], [...HEADER.filter((h) => h !== 'currency' && h !== 'receivedOn'), 'awared', 'Acronym']),
    ).toEqual([
      expect.stringMatching(/^line 1: awared: is not a known column; the columns are acronym, title/),
      'line 1: Acronym: names the column acronym a second time',
      'line 1: currency: column is missing',
      'line 1: receivedOn: column is missing (received or receivedDkk goes with receivedOn)',
    ]);
  });

  it('refuses a value under a column without a name, rather than ignoring it', () => {
    const header = [...HEADER, ''];
    const sheet = sheetOf([{}], header);
    const row = sheet.rows[0] as { line: number; cells: Cell[] };
    row.cells[header.length - 1] = text('1.000.000');
    row.cells.push(text('stray'));
    expect(mapSheet(sheet).errors.map(formatRowError)).toEqual([
      'line 2: column 17: has a value but no column name in line 1',
      'line 2: column 18: has a value beyond the last column of line 1',
    ]);
  });
});
