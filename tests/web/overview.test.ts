import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedStack, spawnStack } from '../support/local-stack';
import { describeViolations, launchBrowser, screenshot, seriousViolations } from './support/browser';

/**
 * Finance's overview in a real Chromium against the seeded local stack: the survey's section 7
 * figures on screen, the view in the URL and in the CSV, the XLSX summing to the API's total, axe
 * clean, and the charts' code kept off other roles' first page. The figures are those of the demo
 * portfolio as seeded, so this file has a stack of its own that no other test writes to.
 */

describe('the finance overview in the browser', () => {
  let stack: SpawnedStack;
  let browser: Browser;

  const signIn = async (role: string, path: string): Promise<Page> => {
    const context = await browser.newContext({
      timezoneId: 'Europe/Copenhagen',
      acceptDownloads: true,
      locale: 'da-DK',
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(
      `${stack.apiUrl}/dev/login?role=${role}&email=${role}@kk.dk&returnTo=${encodeURIComponent(path)}`,
    );
    return page;
  };

  /** The totals table as text: header row and body rows, cell by cell. */
  const totalsTable = (page: Page) =>
    page.getByTestId('totals-table').evaluate((table) => ({
      head: [...table.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? ''),
      rows: [...table.querySelectorAll('tbody tr')].map((tr) =>
        [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent?.replace(/\s+/g, ' ').trim() ?? ''),
      ),
      foot: [...table.querySelectorAll('tfoot th, tfoot td')].map((cell) => cell.textContent?.trim() ?? ''),
    }));

  const api = async (path: string, accept = 'application/json') => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${await stack.token('finance')}`, accept },
    });
    expect(response.status).toBe(200);
    return response;
  };

  beforeAll(async () => {
    stack = await spawnStack({ seed: true });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows what each forvaltning brought home, as the 2020 survey tells it (section 7)', async () => {
    // arrange
    const page = await signIn('finance', '/app/grants');
    await page.getByTestId('signed-in-email').waitFor();
    await page.waitForLoadState('networkidle');
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === stack.apiUrl && !/^\/(app|assets)\/|\.\w+$/.test(url.pathname)) {
        apiCalls.push(`${url.pathname}${url.search}`);
      }
    });
    // act
    await page.goto(`${stack.apiUrl}/app/overview`);
    await page.getByRole('heading', { level: 1, name: 'Oversigt over tilskud' }).waitFor();
    await page.getByTestId('totals-table').waitFor();
    const table = await totalsTable(page);
    // assert
    const received = table.head.indexOf('Hjemtaget');
    expect(received).toBeGreaterThan(0);
    const receivedOf = (label: string) => table.rows.find((row) => row[0]?.startsWith(label))?.[received];
    expect(receivedOf('ØKF')).toBe('20.000.000,00 kr.');
    expect(receivedOf('KFF')).toBe('3.550.000,00 kr.');
    expect(receivedOf('TMF')).toBe('70.000.000,00 kr.');
    expect(receivedOf('BIF')).toBe('725.000,00 kr.');
    // The charts came with their figures as tables.
    await page.getByRole('heading', { name: 'Hjemtaget pr. forvaltning' }).waitFor();
    expect(await page.locator('.chart-figure__chart svg').count()).toBe(3);
    await page.getByText('Tallene bag grafen').first().click();
    const chartFigures = await page
      .locator('.chart-figure')
      .first()
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((tr) => tr.textContent?.replace(/\s+/g, ' ').trim()));
    expect(chartFigures).toContain('ØKF20.000.000,00 kr.');
    // The page's data in two API calls: the view, and the same filters at the charts' grain.
    expect(apiCalls.sort()).toEqual([
      '/totals?groupBy=forvaltning',
      '/totals?groupBy=forvaltning%2CfunderType%2Cyear',
    ]);
    await screenshot(page, 'overview');
    await page.context().close();
  });

  it('holds a grouping change in the URL, and the CSV download is exactly that view', async () => {
    // arrange
    const page = await signIn('finance', '/app/overview?forvaltning=TMF');
    await page.getByTestId('totals-table').waitFor();
    // act
    await page.getByRole('checkbox', { name: 'År' }).check();
    await page.waitForURL(/groupBy=forvaltning%2Cyear/);
    await page.getByRole('columnheader', { name: 'År' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Hent CSV' }).click(),
    ]);
    // assert
    expect(new URL(page.url()).searchParams.get('groupBy')).toBe('forvaltning,year');
    expect(new URL(page.url()).searchParams.get('forvaltning')).toBe('TMF');
    const bytes = await readFile((await download.path()) as string);
    const csv = bytes.toString('utf8');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]?.split(',').slice(0, 5)).toEqual([
      'forvaltning',
      'year',
      'awarded_dkk',
      'received_dkk',
      'outstanding_dkk',
    ]);
    expect(lines.slice(1).every((line) => line.startsWith('TMF,'))).toBe(true);
    // Byte for byte the API's own CSV (its UTF-8 byte order mark included).
    const fromApi = Buffer.from(
      await (await api('/totals?groupBy=forvaltning,year&forvaltning=TMF', 'text/csv')).arrayBuffer(),
    );
    expect(bytes.equals(fromApi)).toBe(true);
    // The screen shows as many rows as the file has.
    expect((await totalsTable(page)).rows).toHaveLength(lines.length - 1);
    await page.context().close();
  });

  it('downloads an XLSX whose number cells sum to the API total', async () => {
    // arrange
    const page = await signIn('finance', '/app/overview?groupBy=funderType,year');
    await page.getByTestId('totals-table').waitFor();
    // act
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Hent Excel (XLSX)' }).click(),
    ]);
    // assert
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await download.path()) as string);
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('the workbook has no sheet');
    expect(String(sheet.getCell('A2').value)).toMatch(/^Filter: ingen/);
    let headerRow = 0;
    sheet.eachRow((row, number) => {
      if (!headerRow && row.getCell(1).value === 'Bevillingsgiver') headerRow = number;
    });
    expect(headerRow).toBeGreaterThan(0);
    const header = (sheet.getRow(headerRow).values as unknown[]).map(String);
    const receivedColumn = header.indexOf('Hjemtaget (DKK)');
    const awardedColumn = header.indexOf('Bevilget (DKK)');
    const totals = (await (await api('/totals?groupBy=funderType,year')).json()) as {
      groups: unknown[];
      total: { received: string; awarded: string };
    };
    let receivedCents = 0;
    let awardedCents = 0;
    for (let r = headerRow + 1; r <= headerRow + totals.groups.length; r += 1) {
      const received = sheet.getRow(r).getCell(receivedColumn).value;
      expect(typeof received).toBe('number');
      receivedCents += Math.round((received as number) * 100);
      awardedCents += Math.round((sheet.getRow(r).getCell(awardedColumn).value as number) * 100);
    }
    expect(receivedCents).toBe(Math.round(Number(totals.total.received) * 100));
    expect(awardedCents).toBe(Math.round(Number(totals.total.awarded) * 100));
    expect(receivedCents).toBeGreaterThan(0);
    await page.context().close();
  });

  it('speaks English a click away, figures formatted for the language', async () => {
    const page = await signIn('finance', '/app/overview');
    await page.getByTestId('totals-table').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Funding overview' }).waitFor();
    const table = await totalsTable(page);
    const received = table.head.indexOf('Received');
    expect(table.rows.find((row) => row[0]?.startsWith('ØKF'))?.[received]).toBe('DKK 20,000,000.00');
    await page.getByRole('heading', { name: 'Received per forvaltning' }).waitFor();
    await page.context().close();
  });

  it('is clean for axe-core (no serious or critical violation)', async () => {
    const page = await signIn('finance', '/app/overview?groupBy=forvaltning,funderType');
    await page.getByTestId('totals-table').waitFor();
    await page.getByRole('heading', { name: 'Hjemtaget pr. forvaltning' }).waitFor();
    for (const summary of await page.getByText('Tallene bag grafen').all()) await summary.click();
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    await page.context().close();
  });

  it("keeps the charts' code off other roles' first page: ECharts is a chunk of its own", async () => {
    // arrange: the build's manifest names the chunk the charts live in
    const manifest = JSON.parse(
      await readFile(join('web', 'dist', '.vite', 'manifest.json'), 'utf8'),
    ) as Record<string, { file: string; imports?: string[]; dynamicImports?: string[]; isEntry?: boolean }>;
    const charts = manifest['src/pages/overview/Charts.tsx'];
    expect(charts).toBeDefined();
    const isChartCode = (code: string) => code.includes('_echarts_instance_');
    const scriptsOf = (page: Page) => {
      const files: string[] = [];
      page.on('request', (request) => {
        if (request.resourceType() === 'script') files.push(new URL(request.url()).pathname.slice(1));
      });
      return files;
    };
    const code = (files: readonly string[]) =>
      Promise.all(files.map((file) => readFile(join('web', 'dist', file), 'utf8')));
    // The overview does load it (so the check below can tell).
    const finance = await signIn('finance', '/app/');
    // Finance lands on the overview.
    await finance.waitForURL(/\/app\/overview$/);
    const financeScripts = scriptsOf(finance);
    await finance.goto(`${stack.apiUrl}/app/overview`);
    await finance.getByRole('heading', { name: 'Hjemtaget pr. forvaltning' }).waitFor();
    expect(financeScripts).toContain(charts?.file);
    expect((await code(financeScripts)).some(isChartCode)).toBe(true);
    await finance.context().close();
    // act: a project lead signs in and lands on their first page
    const page = await signIn('project-lead', '/app/');
    const scripts = scriptsOf(page);
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    // assert
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts).not.toContain(charts?.file);
    expect((await code(scripts)).some(isChartCode)).toBe(false);
    await page.context().close();
  });
});
