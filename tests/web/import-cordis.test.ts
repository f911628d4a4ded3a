import { strToU8, zipSync } from 'fflate';
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
 * A CORDIS bulk download (the zip as the EU Open Data Portal serves it) imported from the browser:
 * without the PIC and forvaltning the page says what is missing; with them, KK's participation
 * becomes a grant with KK's own contribution.
 */

const ACRONYM = unique('CORD');
const PIC = String(100_000_000 + Math.floor(Math.random() * 899_999_999));
const PROJECT_ID = String(900_000 + Math.floor(Math.random() * 99_999));

const quoted = (...cells: string[]) => cells.map((c) => `"${c.replaceAll('"', '""')}"`).join(';');
const PROJECT_HEADER =
  'id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;topics;ecSignatureDate;frameworkProgramme;masterCall;subCall;fundingScheme;nature;objective;contentUpdateDate;rcn;grantDoi';
const ORGANIZATION_HEADER =
  'projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;street;postCode;city;country;nutsCode;geolocation;organizationURL;contactForm;contentUpdateDate;rcn;order;role;ecContribution;netEcContribution;totalCost;endOfParticipation;active';
const organisation = (pic: string, role: string, contribution: string) =>
  quoted(
    PROJECT_ID,
    ACRONYM,
    pic,
    '',
    'Name',
    '',
    'false',
    'PUB',
    '',
    '',
    'København',
    'DK',
    '',
    '',
    '',
    '',
    '',
    '',
    '1',
    role,
    contribution,
    contribution,
    '',
    'false',
    'true',
  );

const download = () =>
  Buffer.from(
    zipSync({
      'project.csv': strToU8(
        [
          PROJECT_HEADER,
          quoted(
            PROJECT_ID,
            ACRONYM,
            'SIGNED',
            'Climate-neutral districts',
            '2022-01-01',
            '2029-12-31',
            '1',
            '1',
            'LB',
            'TOPIC',
            '2021-12-01',
            'H2020',
            'CALL',
            '',
            'RIA',
            '',
            'Objective',
            '2024-01-01',
            '1',
            '',
          ),
        ].join('\n'),
      ),
      'organization.csv': strToU8(
        [
          ORGANIZATION_HEADER,
          organisation('888888888', 'coordinator', '2000000'),
          organisation(PIC, 'participant', '412345.5'),
        ].join('\n'),
      ),
    }),
  );

describe('importing a CORDIS download in the browser', () => {
  let browser: Browser;
  let tracked: TrackedPage;

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

  it('asks for the PIC and forvaltning, then registers KK’s participation with its own contribution', async () => {
    const { page } = tracked;
    const file = { name: 'cordis-h2020projects-csv.zip', mimeType: 'application/zip', buffer: download() };
    // arrange: the zip alone
    await page.getByLabel('Fil', { exact: true }).setInputFiles(file);
    await page.getByRole('button', { name: 'Vis, hvad der vil ske' }).click();
    await page.getByRole('region', { name: /^Fejl/ }).waitFor();
    expect(await page.getByRole('region', { name: /^Fejl/ }).innerText()).toContain(
      'is a CORDIS download: give the PIC whose projects to import and their forvaltning',
    );
    expect(await page.getByRole('button', { name: /^Importér \d/ }).count()).toBe(0);
    // act: with the PIC, the forvaltning and a project lead
    await page.getByLabel('PIC (9 cifre)').fill(PIC);
    await page.getByLabel('Forvaltning', { exact: true }).selectOption('TMF');
    await page.getByLabel('Projektleder (navn)').fill('Søren Ærø');
    await page.getByLabel('Projektleder (e-mail)').fill('soren@kk.dk');
    await page.getByRole('button', { name: 'Vis, hvad der vil ske' }).click();
    await page.getByTestId('import-rows').waitFor();
    expect(await page.getByTestId('import-rows').locator('tbody tr').allInnerTexts()).toEqual([
      expect.stringMatching(
        new RegExp(`^cordis-h2020projects-csv.zip/organization.csv line 3\\s+${ACRONYM}\\s+Oprettes`),
      ),
    ]);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    await page.getByRole('button', { name: 'Importér 1 række' }).click();
    await page.getByRole('heading', { name: 'Importen er færdig' }).waitFor();
    // assert
    expect(await page.getByTestId('import-result').innerText()).toMatch(/Oprettet\s+1/);
    const list = (await (await apiFetch('lear-admin', '/grants?forvaltning=TMF&limit=100')).json()) as {
      items: {
        acronym: string;
        pic?: string;
        awarded: { amount: string; currency: string };
        role: string;
        projectLead: { email: string };
        grantAgreementNumber?: string;
      }[];
    };
    const grant = list.items.find((g) => g.acronym === ACRONYM);
    expect(grant).toMatchObject({
      pic: PIC,
      role: 'PARTNER',
      grantAgreementNumber: PROJECT_ID,
      awarded: { amount: '412345.50', currency: 'EUR' },
      projectLead: { email: 'soren@kk.dk' },
    });
    expect(tracked.errors).toEqual([]);
  });
});
