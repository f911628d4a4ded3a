import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFetch,
  describeViolations,
  launchBrowser,
  openPage,
  seriousViolations,
  signIn,
} from './support/browser';

/** The grants list downloads its filtered list, every page of it, as CSV and as XLSX. */
describe('downloading the filtered grants list', () => {
  let browser: Browser;

  /** What the API lists for the filter, every page. */
  const listed = async (query: string) => {
    const items: { acronym: string; forvaltning: string; receivedDkk: { amount: string } }[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (
        await apiFetch(
          'finance',
          `/grants?${query}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        )
      ).json()) as { items: typeof items; nextCursor: string | null };
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('writes exactly the filtered list as CSV and XLSX, with the DKK sums in the XLSX', async () => {
    // arrange
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'finance', 'finance@kk.dk', '/app/grants?forvaltning=TMF&sort=acronym');
    await page.getByRole('heading', { level: 1, name: 'Tilskud' }).waitFor();
    await page.getByRole('button', { name: 'Hent CSV' }).waitFor();
    const expected = await listed('forvaltning=TMF&sort=acronym');
    expect(expected.length).toBeGreaterThan(1);
    // act
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Hent CSV' }).click(),
    ]);
    const [xlsxDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Hent Excel (XLSX)' }).click(),
    ]);
    // assert: the CSV, in the list's order, with the API's field names
    expect(csvDownload.suggestedFilename()).toBe('bevillinger-TMF.csv');
    const records = parse(await readFile((await csvDownload.path()) as string), {
      bom: true,
      columns: true,
    }) as Record<string, string>[];
    expect(records.map((r) => r.acronym)).toEqual(expected.map((g) => g.acronym));
    expect(new Set(records.map((r) => r.forvaltning))).toEqual(new Set(['TMF']));
    expect(records.map((r) => r['receivedDkk.amount'])).toEqual(expected.map((g) => g.receivedDkk.amount));
    // and the XLSX: the filter above, number cells, the sum of received to the øre
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await xlsxDownload.path()) as string);
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('the workbook has no sheet');
    expect(String(sheet.getCell('A2').value)).toBe('Filter: Forvaltning: TMF');
    let header = 0;
    sheet.eachRow((row, number) => {
      if (!header && row.getCell(1).value === 'Akronym') header = number;
    });
    const column = (sheet.getRow(header).values as unknown[]).indexOf('Hjemtaget (DKK)');
    const cells = expected.map((_, i) => sheet.getRow(header + 1 + i).getCell(column).value);
    expect(cells.every((value) => typeof value === 'number')).toBe(true);
    const cents = (cells as number[]).reduce((sum, value) => sum + Math.round(value * 100), 0);
    const apiCents = expected.reduce((sum, g) => sum + Math.round(Number(g.receivedDkk.amount) * 100), 0);
    expect(cents).toBe(apiCents);
    const totalRow = sheet.getRow(header + 1 + expected.length);
    expect(totalRow.getCell(1).value).toBe('I alt');
    expect(Math.round((totalRow.getCell(column).value as number) * 100)).toBe(apiCents);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });
});
