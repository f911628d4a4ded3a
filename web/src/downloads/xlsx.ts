import type { Sheet } from './sheet';

/**
 * A Sheet as an XLSX workbook. exceljs is loaded on demand, in its own chunk: nobody pays for it
 * until they ask for a spreadsheet. Amounts become real number cells (DKK, two decimals), dates
 * real date cells, with the title and the view's filter above a frozen, filterable header row.
 */

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const NUMBER_FORMATS = { dkk: '#,##0.00', amount: '#,##0.00', count: '0', date: 'yyyy-mm-dd' } as const;

type ExcelModule = typeof import('exceljs');

const loadExcel = async (): Promise<ExcelModule> => {
  const module = (await import('exceljs')) as ExcelModule & { default?: ExcelModule };
  return module.default ?? module;
};

/** "2021-05-01" → a Date at UTC midnight, which Excel shows as that calendar day. */
const dateCell = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

export const writeXlsx = async (sheet: Sheet): Promise<Uint8Array> => {
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  workbook.creator = 'Funding tracker';
  const worksheet = workbook.addWorksheet(sheet.name);

  worksheet.addRow([sheet.title]).font = { bold: true, size: 14 };
  for (const note of sheet.notes) worksheet.addRow([note]);
  worksheet.addRow([]);

  const header = worksheet.addRow(sheet.columns.map((c) => c.header));
  header.font = { bold: true };
  const headerRow = header.number;

  const write = (values: readonly (string | number | undefined)[]) =>
    worksheet.addRow(
      sheet.columns.map((column, i) => {
        const value = values[i];
        if (value === undefined || value === '') return null;
        if (column.kind === 'dkk' || column.kind === 'amount' || column.kind === 'count') {
          return typeof value === 'number' ? value : Number(value);
        }
        if (column.kind === 'date') return dateCell(String(value));
        return String(value);
      }),
    );
  for (const row of sheet.rows) write(row);
  if (sheet.totals) write(sheet.totals).font = { bold: true };

  sheet.columns.forEach((column, i) => {
    const excelColumn = worksheet.getColumn(i + 1);
    if (column.kind !== 'text') excelColumn.numFmt = NUMBER_FORMATS[column.kind];
    const longest = Math.max(
      column.header.length,
      ...sheet.rows.map((row) => String(row[i] ?? '').length + (column.kind === 'dkk' ? 4 : 0)),
    );
    excelColumn.width = Math.min(Math.max(longest + 2, 8), 60);
  });
  // The title and notes sit in column A above the table; they should not widen it.
  worksheet.views = [{ state: 'frozen', ySplit: headerRow, xSplit: 0 }];
  if (sheet.rows.length) {
    worksheet.autoFilter = {
      from: { row: headerRow, column: 1 },
      to: { row: headerRow + sheet.rows.length, column: sheet.columns.length },
    };
  }
  return new Uint8Array(await workbook.xlsx.writeBuffer());
};
