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
  type TrackedPage,
  unique,
} from './support/browser';

/**
 * A LEAR administrator imports a spreadsheet from the browser: the preview names the bad row by
 * line and column and offers no import, nothing is written; the corrected file is written, with
 * progress and the summary at the end. The same lib/import code as the CLI runs in the page.
 */

const A = unique('WEBIMPA');
const B = unique('WEBIMPB');
const HEADER =
  'acronym,title,programme,forvaltning,role,status,startDate,endDate,awarded,currency,projectLeadName,projectLeadEmail';
const sheet = (secondStart: string) =>
  Buffer.from(
    [
      HEADER,
      `${A},Imported in the browser,INTERREG,KFF,PARTNER,ACTIVE,2021-01-01,2023-12-31,"250.000,00",DKK,Lise Lund,lise@kk.dk`,
      `${B},A second one,ERASMUS_PLUS,BIF,PARTNER,ACTIVE,${secondStart},2023-12-31,"125.000,00",DKK,Lise Lund,lise@kk.dk`,
    ].join('\r\n'),
    'utf8',
  );

describe('importing a spreadsheet in the browser', () => {
  let browser: Browser;
  let tracked: TrackedPage;

  /** The test's two grants as the register has them now (every page of the list). */
  const registered = async () => {
    const found: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await apiFetch(
        'lear-admin',
        `/grants?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      const page = (await response.json()) as { items: { acronym: string }[]; nextCursor: string | null };
      found.push(...page.items.map((g) => g.acronym).filter((a) => a === A || a === B));
      cursor = page.nextCursor;
    } while (cursor);
    return found.sort();
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    tracked = await openPage(browser);
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/import');
    await tracked.page.getByRole('heading', { level: 1, name: 'Importér bevillinger' }).waitFor();
  });

  afterAll(async () => {
    await tracked?.close();
    await browser?.close();
  });

  it('shows the bad row by line and column, offers no import and writes nothing', async () => {
    const { page } = tracked;
    // arrange
    await page
      .getByLabel('Fil', { exact: true })
      .setInputFiles({ name: 'portefølje.csv', mimeType: 'text/csv', buffer: sheet('01/05/2021') });
    // act
    await page.getByRole('button', { name: 'Vis, hvad der vil ske' }).click();
    await page.getByRole('heading', { name: 'Det vil ske' }).waitFor();
    // assert
    await expect
      .poll(() => page.getByRole('region', { name: /^Fejl/ }).getByRole('listitem').allTextContents())
      .toEqual([expect.stringMatching(/^line 3: startDate: is ambiguous/)]);
    await page.getByText('Intet er skrevet.', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: /^Importér/ }).count()).toBe(0);
    const summary = await page.getByTestId('import-summary').innerText();
    expect(summary).toMatch(/Ugyldige rækker\s+1/);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    expect(await registered()).toEqual([]);
    expect(tracked.errors).toEqual([]);
  });

  it('writes the corrected file, with progress and the summary at the end', async () => {
    const { page } = tracked;
    // arrange
    await page
      .getByLabel('Fil', { exact: true })
      .setInputFiles({ name: 'portefølje.csv', mimeType: 'text/csv', buffer: sheet('01.05.2021') });
    await page.getByRole('button', { name: 'Vis, hvad der vil ske' }).click();
    await page.getByRole('heading', { name: 'Det vil ske' }).waitFor();
    const rows = await page.getByTestId('import-rows').locator('tbody tr').allInnerTexts();
    expect(rows).toEqual([
      expect.stringMatching(new RegExp(`^line 2\\s+${A}\\s+Oprettes`)),
      expect.stringMatching(new RegExp(`^line 3\\s+${B}\\s+Oprettes`)),
    ]);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    // Every state the progress bar passes through, as the page shows it.
    // A string, so this file needs no DOM types: it runs in the page.
    await page.evaluate(`(() => {
      const seen = (window.progressSeen = []);
      new MutationObserver(() => {
        const bar = document.querySelector('progress');
        if (bar) seen.push(bar.getAttribute('value') + '/' + bar.getAttribute('max'));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
    // act
    await page.getByRole('button', { name: 'Importér 2 rækker' }).click();
    await page.getByRole('heading', { name: 'Importen er færdig' }).waitFor();
    // assert
    const result = await page.getByTestId('import-result').innerText();
    expect(result).toMatch(/Oprettet\s+2/);
    expect(result).toMatch(/Opdateret\s+0/);
    expect(await registered()).toEqual([A, B].sort());
    const progress = (await page.evaluate('window.progressSeen')) as string[];
    expect(progress[0]).toBe('0/2');
    expect(progress.every((state) => /^[0-2]\/2$/.test(state))).toBe(true);
  });

  it('finds the same file already in the register the second time', async () => {
    const { page } = tracked;
    await page.getByRole('button', { name: 'Importér en fil mere' }).click();
    await page
      .getByLabel('Fil', { exact: true })
      .setInputFiles({ name: 'portefølje.csv', mimeType: 'text/csv', buffer: sheet('01.05.2021') });
    await page.getByRole('button', { name: 'Vis, hvad der vil ske' }).click();
    await page.getByText('Filen er allerede i registret: intet at importere.').waitFor();
    expect(await page.getByTestId('import-summary').innerText()).toMatch(/Uændrede\s+2/);
    expect(await page.getByRole('button', { name: /^Importér \d/ }).count()).toBe(0);
  });

  it('reads an XLSX the same way: a changed title is an update, a received amount a payment', async () => {
    // arrange: the same two grants as Excel saves them, number and date cells
    const workbook = new ExcelJS.Workbook();
    const worksheet = workbook.addWorksheet('Portefølje');
    worksheet.addRow([...HEADER.split(','), 'received', 'receivedOn']);
    worksheet.addRow([
      A,
      'Imported in the browser, renamed',
      'INTERREG',
      'KFF',
      'PARTNER',
      'ACTIVE',
      new Date(Date.UTC(2021, 0, 1)),
      new Date(Date.UTC(2023, 11, 31)),
      250000,
      'DKK',
      'Lise Lund',
      'lise@kk.dk',
      null,
      null,
    ]);
    worksheet.addRow([
      B,
      'A second one',
      'ERASMUS_PLUS',
      'BIF',
      'PARTNER',
      'ACTIVE',
      new Date(Date.UTC(2021, 4, 1)),
      new Date(Date.UTC(2023, 11, 31)),
      125000,
      'DKK',
      'Lise Lund',
      'lise@kk.dk',
      40000.5,
      new Date(Date.UTC(2022, 0, 15)),
    ]);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const { page } = tracked;
    await page.getByLabel('Fil', { exact: true }).setInputFiles({
      name: 'portefølje.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer,
    });
    // act
    await page.getByRole('button', { name: 'Vis, hvad der vil ske' }).click();
    await page.getByTestId('import-rows').waitFor();
    // assert
    const rows = await page.getByTestId('import-rows').locator('tbody tr').allInnerTexts();
    expect(rows).toEqual([
      expect.stringMatching(new RegExp(`^line 2\\s+${A}\\s+Opdateres\\s+.*title`)),
      expect.stringMatching(new RegExp(`^line 3\\s+${B}\\s+Opdateres\\s+payment 2022-01-15 40000.50 DKK`)),
    ]);
    await page.getByRole('button', { name: 'Importér 2 rækker' }).click();
    await page.getByRole('heading', { name: 'Importen er færdig' }).waitFor();
    const result = await page.getByTestId('import-result').innerText();
    expect(result).toMatch(/Opdateret\s+2/);
    expect(result).toMatch(/Betalinger registreret\s+1/);
    const list = (await (await apiFetch('lear-admin', '/grants?forvaltning=BIF&limit=100')).json()) as {
      items: { acronym: string; receivedDkk: { amount: string } }[];
    };
    expect(list.items.find((g) => g.acronym === B)?.receivedDkk.amount).toBe('40000.50');
    expect(tracked.errors).toEqual([]);
  });

  it('says in the reader’s words when the API refuses the sign-in, and writes nothing', async () => {
    const { page } = tracked;
    // arrange: the API answers 401 as it does for an expired token
    await page.route(/\/grants\?/, (route) =>
      route.fulfill({
        status: 401,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'about:blank',
          title: 'Unauthorized',
          status: 401,
          detail: 'The token has expired.',
        }),
      }),
    );
    const before = await registered();
    await page
      .getByLabel('Fil', { exact: true })
      .setInputFiles({ name: 'portefølje.csv', mimeType: 'text/csv', buffer: sheet('01.05.2021') });
    // act
    await page.getByRole('button', { name: 'Vis, hvad der vil ske' }).click();
    // assert
    const alert = page.getByRole('alert').filter({ hasText: 'afviste dit login' });
    await alert.waitFor();
    expect(await alert.innerText()).not.toContain('--');
    expect(await page.getByRole('button', { name: /^Importér \d/ }).count()).toBe(0);
    await page.unroute(/\/grants\?/);
    expect(await registered()).toEqual(before);
  });
});
