import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedStack, spawnStack } from '../support/local-stack';

/**
 * A LEAR administrator imports a spreadsheet from the browser: the preview names the bad row by
 * line and column and offers no import, nothing is written; the corrected file is written, with
 * the summary at the end. The same lib/import code as the CLI runs in the page.
 */

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const HEADER =
  'acronym,title,programme,forvaltning,role,status,startDate,endDate,awarded,currency,projectLeadName,projectLeadEmail';
const sheet = (secondStart: string) =>
  Buffer.from(
    [
      HEADER,
      'WEBIMPA,Imported in the browser,INTERREG,KFF,PARTNER,ACTIVE,2021-01-01,2023-12-31,"250.000,00",DKK,Lise Lund,lise@kk.dk',
      `WEBIMPB,A second one,ERASMUS_PLUS,BIF,PARTNER,ACTIVE,${secondStart},2023-12-31,"125.000,00",DKK,Lise Lund,lise@kk.dk`,
    ].join('\r\n'),
    'utf8',
  );

describe('importing a spreadsheet in the browser', () => {
  let stack: SpawnedStack;
  let browser: Browser;
  let page: Page;

  const registered = async () => {
    const response = await fetch(`${stack.apiUrl}/grants?limit=100&forvaltning=KFF`, {
      headers: { authorization: `Bearer ${await stack.token('lear-admin')}` },
    });
    const kff = (await response.json()) as { items: { acronym: string }[] };
    const other = await fetch(`${stack.apiUrl}/grants?limit=100&forvaltning=BIF`, {
      headers: { authorization: `Bearer ${await stack.token('lear-admin')}` },
    });
    const bif = (await other.json()) as { items: { acronym: string }[] };
    return [...kff.items, ...bif.items].map((g) => g.acronym).filter((a) => a.startsWith('WEBIMP'));
  };

  const axeViolations = async () => {
    await page.addScriptTag({ path: join('node_modules', 'axe-core', 'axe.min.js') });
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string }[] }> } }
      ).axe;
      return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact }));
    });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  };

  beforeAll(async () => {
    stack = await spawnStack({ seed: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    // bypassCSP only lets the test inject axe-core; the app itself runs under its strict policy.
    const context = await browser.newContext({ locale: 'da-DK', bypassCSP: true });
    page = await context.newPage();
    await page.goto(
      `${stack.apiUrl}/dev/login?role=lear-admin&email=lear@kk.dk&returnTo=${encodeURIComponent('/app/import')}`,
    );
    await page.getByRole('heading', { level: 1, name: 'Importér bevillinger' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows the bad row by line and column, offers no import and writes nothing', async () => {
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
    expect(await axeViolations()).toEqual([]);
    expect(await registered()).toEqual([]);
  });

  it('writes the corrected file, with progress and the summary at the end', async () => {
    // arrange
    await page
      .getByLabel('Fil', { exact: true })
      .setInputFiles({ name: 'portefølje.csv', mimeType: 'text/csv', buffer: sheet('01.05.2021') });
    await page.getByRole('button', { name: 'Vis, hvad der vil ske' }).click();
    await page.getByRole('heading', { name: 'Det vil ske' }).waitFor();
    const rows = await page.getByTestId('import-rows').locator('tbody tr').allInnerTexts();
    expect(rows).toEqual([
      expect.stringMatching(/^line 2\s+WEBIMPA\s+Oprettes/),
      expect.stringMatching(/^line 3\s+WEBIMPB\s+Oprettes/),
    ]);
    expect(await axeViolations()).toEqual([]);
    // Every state the progress bar passes through, as the page shows it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('progress');
        if (bar) seen.push(`${bar.getAttribute('value')}/${bar.getAttribute('max')}`);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    // act
    await page.getByRole('button', { name: 'Importér 2 rækker' }).click();
    await page.getByRole('heading', { name: 'Importen er færdig' }).waitFor();
    // assert
    const result = await page.getByTestId('import-result').innerText();
    expect(result).toMatch(/Oprettet\s+2/);
    expect(result).toMatch(/Opdateret\s+0/);
    expect((await registered()).sort()).toEqual(['WEBIMPA', 'WEBIMPB']);
    const progress = await page.evaluate(
      () => (window as unknown as { progressSeen: string[] }).progressSeen,
    );
    expect(progress[0]).toBe('0/2');
    expect(progress.every((state) => /^[0-2]\/2$/.test(state))).toBe(true);
  });

  it('finds the same file already in the register the second time', async () => {
    await page.getByRole('button', { name: 'Importér en fil mere' }).click();
    await page
      .getByLabel('Fil', { exact: true })
      .setInputFiles({ name: 'portefølje.csv', mimeType: 'text/csv', buffer: sheet('01.05.2021') });
    await page.getByRole('button', { name: 'Vis, hvad der vil ske' }).click();
    await page.getByText('Filen er allerede i registret: intet at importere.').waitFor();
    expect(await page.getByTestId('import-summary').innerText()).toMatch(/Uændrede\s+2/);
    expect(await page.getByRole('button', { name: /^Importér \d/ }).count()).toBe(0);
  });
});
