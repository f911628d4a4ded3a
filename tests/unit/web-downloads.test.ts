import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { type GrantRow, grantsSheet } from '../../web/src/downloads/grants-sheet';
import { sheetCsv, sheetName } from '../../web/src/downloads/sheet';
import { totalsSheet } from '../../web/src/downloads/totals-sheet';
import { writeXlsx } from '../../web/src/downloads/xlsx';
import type { TotalsLike } from '../../web/src/pages/overview/series';

const totals: TotalsLike = {
  groupBy: ['forvaltning', 'year'],
  groups: [
    {
      key: { forvaltning: 'OKF', year: 2016 },
      awarded: '20000000.00',
      received: '20000000.00',
      outstanding: '0.00',
      grantCount: 2,
    },
    {
      key: { forvaltning: 'TMF', year: 2019 },
      awarded: '4971004.88',
      received: '1988400.01',
      outstanding: '2982604.87',
      grantCount: 1,
    },
  ],
  total: { awarded: '24971004.88', received: '21988400.01', outstanding: '2982604.87', grantCount: 3 },
};

const words = {
  name: 'Totaler: forvaltning/år [DKK]',
  title: 'Hjemtaget, bevilget og udestående',
  notes: ['Filter: år 2016–2019', 'Grupperet efter: forvaltning, år'],
  dimension: (d: string) => ({ forvaltning: 'Forvaltning', year: 'År' })[d] ?? d,
  value: (d: string, v: string | number) => (d === 'forvaltning' && v === 'OKF' ? 'ØKF' : String(v)),
  measure: (m: string) => `${m} (DKK)`,
  grantCount: 'Antal bevillinger',
  total: 'I alt',
};

const readBack = async (bytes: Uint8Array) => {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new Error('no worksheet');
  return sheet;
};

describe('downloads of exactly the view', () => {
  it('keeps worksheet names within what Excel accepts', () => {
    expect(sheetName('Totaler: forvaltning/år [DKK]')).toBe('Totaler forvaltning år DKK');
    expect(sheetName('x'.repeat(40))).toHaveLength(31);
    expect(sheetName(' :: ')).toBe('Ark');
  });

  it('shapes the totals as the table shows them, with the API total as the last row', () => {
    const sheet = totalsSheet(totals, words);
    expect(sheet.columns.map((c) => c.header)).toEqual([
      'Forvaltning',
      'År',
      'awarded (DKK)',
      'received (DKK)',
      'outstanding (DKK)',
      'Antal bevillinger',
    ]);
    expect(sheet.rows).toEqual([
      ['ØKF', 2016, '20000000.00', '20000000.00', '0.00', 2],
      ['TMF', 2019, '4971004.88', '1988400.01', '2982604.87', 1],
    ]);
    expect(sheet.totals).toEqual(['I alt', undefined, '24971004.88', '21988400.01', '2982604.87', 3]);
  });

  it('adds expected to the sheet once the API reports it', () => {
    const withExpected: TotalsLike = {
      ...totals,
      groups: totals.groups.map((g) => ({ ...g, expected: '1.00' })),
      total: { ...totals.total, expected: '2.00' },
    };
    expect(totalsSheet(withExpected, words).columns.map((c) => c.key)).toContain('expected_dkk');
  });

  it('writes an ungrouped view as its one total row', () => {
    const sheet = totalsSheet({ ...totals, groupBy: [], groups: [] }, words);
    expect(sheet.rows).toEqual([['I alt', '24971004.88', '21988400.01', '2982604.87', 3]]);
    expect(sheet.totals).toBeUndefined();
  });

  it('writes XLSX with the filter above a header row and DKK as real number cells', async () => {
    // act
    const worksheet = await readBack(await writeXlsx(totalsSheet(totals, words)));
    // assert
    expect(worksheet.name).toBe('Totaler forvaltning år DKK');
    expect(worksheet.getCell('A1').value).toBe('Hjemtaget, bevilget og udestående');
    expect(worksheet.getCell('A2').value).toBe('Filter: år 2016–2019');
    expect(worksheet.getCell('A3').value).toBe('Grupperet efter: forvaltning, år');
    expect(worksheet.getRow(5).values).toEqual([
      undefined,
      'Forvaltning',
      'År',
      'awarded (DKK)',
      'received (DKK)',
      'outstanding (DKK)',
      'Antal bevillinger',
    ]);
    const received = worksheet.getCell('D7');
    expect(received.value).toBe(1988400.01);
    expect(received.numFmt).toBe('#,##0.00');
    expect(worksheet.getCell('A6').value).toBe('ØKF');
    expect(worksheet.getCell('B6').value).toBe(2016);
    // The data rows sum to the API's total, to the øre.
    const cents = [6, 7].reduce(
      (sum, r) => sum + Math.round(Number(worksheet.getCell(`D${r}`).value) * 100),
      0,
    );
    expect(cents).toBe(2198840001);
    expect(worksheet.getCell('D8').value).toBe(21988400.01);
    expect(worksheet.getCell('A8').value).toBe('I alt');
    expect(worksheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 5 });
  });

  const grant = (
    acronym: string,
    awardedDkk: string,
    receivedDkk: string,
    outstandingDkk: string,
  ): GrantRow => ({
    acronym,
    title: `${acronym}, "the project", with a comma`,
    programme: 'H2020',
    funderType: 'EU',
    forvaltning: 'TMF',
    role: 'PARTNER',
    status: 'ACTIVE',
    grantAgreementNumber: '864374',
    startDate: '2019-11-01',
    endDate: '2024-10-31',
    fundingEndsOn: '2024-10-31',
    awarded: { amount: '665462.50', currency: 'EUR' },
    exchangeRateToDkk: '7.47',
    awardedDkk: { amount: awardedDkk },
    receivedDkk: { amount: receivedDkk },
    outstandingDkk: { amount: outstandingDkk },
    projectLead: { name: 'Søren Ærø', email: 'soren@kk.dk' },
  });
  const grants = [
    grant('ATELIER', '4971004.88', '1988400.00', '2982604.88'),
    grant('CLEVER', '0.10', '0.20', '-0.10'),
  ];
  const grantWords = {
    name: 'Bevillinger',
    title: 'Bevillinger',
    notes: ['Filter: TMF'],
    header: (k: string) => k,
    total: 'I alt',
  };

  it('writes the grants list as RFC 4180 CSV with the API field names as header', () => {
    // act
    const csv = sheetCsv(grantsSheet(grants, grantWords));
    // assert
    expect(csv.startsWith('\uFEFFacronym,title,programme,funderType,forvaltning,unit,role,status,')).toBe(
      true,
    );
    expect(csv).toContain('\r\n');
    const records = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      acronym: 'ATELIER',
      title: 'ATELIER, "the project", with a comma',
      'awarded.amount': '665462.50',
      'awardedDkk.amount': '4971004.88',
      'projectLead.name': 'Søren Ærø',
      unit: '',
    });
  });

  it('writes the grants list as XLSX with date cells and exact DKK sums in the last row', async () => {
    const worksheet = await readBack(await writeXlsx(grantsSheet(grants, grantWords)));
    const header = worksheet.getRow(4).values as unknown[];
    const column = (key: string) => header.indexOf(key);
    expect(worksheet.getRow(5).getCell(column('startDate')).value).toEqual(new Date('2019-11-01T00:00:00Z'));
    expect(worksheet.getRow(5).getCell(column('awardedDkk.amount')).value).toBe(4971004.88);
    expect(worksheet.getRow(7).getCell(1).value).toBe('I alt');
    expect(worksheet.getRow(7).getCell(column('outstandingDkk.amount')).value).toBe(2982604.78);
    expect(worksheet.getRow(7).getCell(column('receivedDkk.amount')).value).toBe(1988400.2);
  });
});
