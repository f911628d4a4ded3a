import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReader, runImportCli } from '../support/import-cli';
import { type SpawnedStack, spawnStack } from '../support/local-stack';

/**
 * `npm run import` against the real local stack, as a LEAR administrator runs it: files written
 * here (Windows-1252 CSV, XLSX, a CORDIS pair, a file full of mistakes), the CLI in its own process,
 * and the result read back through the API.
 */

/** Text as Danish Excel's "CSV (semikolonsepareret)" writes it. */
const windows1252 = (text: string): Buffer =>
  Buffer.from(
    [...text].map((ch) => {
      const special = { '€': 0x80, '–': 0x96, '’': 0x92 }[ch];
      const code = special ?? ch.charCodeAt(0);
      if (code > 0xff) throw new Error(`${ch} is not in Windows-1252`);
      return code;
    }),
  );

const PORTFOLIO_HEADER =
  'Acronym;Title;Programme;Forvaltning;Unit;Role;Status;GrantAgreementNumber;StartDate;EndDate;FundingEndsOn;Awarded;Currency;ExchangeRateToDkk;ProjectLeadName;ProjectLeadEmail;Received;ReceivedOn;Notes';

const portfolioRows = (
  atelierTitle = 'AmsTErdam BiLbao cItizen drivEn smaRt cities',
  payment = '200.000,00;15-01-2020',
) => [
  `ATELIER;${atelierTitle};H2020;TMF;Københavns Ejendomme & Indkøb;PARTNER;ACTIVE;864374;01-11-2019;31.10.2024;;665.462,5;EUR;7,47;Søren Ærø Åberg;soren@kk.dk;${payment};"Første rate; ""forskud"" – 200.000 €"`,
  'ØRESUNDSMETRO;Øresundsmetro – forundersøgelse;Interreg;Teknik- og Miljøforvaltningen;;COORDINATOR;CLOSED;;2018-01-01;2021-06-30;31-03-2021;4.971.000 kr.;DKK;;Åse Møller;aase@kk.dk;;;',
  'BLÅGRØN;Blågrønne gårde;LIFE;TMF;;PARTNER;APPLIED;;01.01.2025;31.12.2027;;1.988.400,00 kr.;DKK;;Bjørn Æbelø;bjorn@kk.dk;;;',
];

describe('importing the existing portfolio', () => {
  let stack: SpawnedStack;
  let dir: string;
  let finance: string;

  const runImport = (args: string[], env: Record<string, string> = {}) => runImportCli(args, { env });
  const importLocal = (...args: string[]) => runImport([...args, '--data-dir', stack.dataDir]);

  const { get, allGrants, byAcronym, versions } = registerReader(() => ({
    apiUrl: stack.apiUrl,
    token: finance,
  }));

  beforeAll(async () => {
    [stack, dir] = await Promise.all([spawnStack({ seed: false }), mkdtemp(join(tmpdir(), 'import-e2e-'))]);
    finance = await stack.token('finance');
  });

  afterAll(async () => {
    // SIGTERM, so the stack stops its DynamoDB Local as well (SIGKILL would leave the JVM behind).
    await stack?.stop();
  });

  it('validates a Windows-1252 semicolon CSV with æøå in a dry run and writes nothing', async () => {
    // arrange
    const file = join(dir, 'portefølje.csv');
    await writeFile(file, windows1252([PORTFOLIO_HEADER, ...portfolioRows()].join('\r\n')));
    // act
    const run = await importLocal(file, '--dry-run');
    // assert
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("CSV, Windows-1252, ';'-separated");
    expect(run.stdout).toMatch(
      /line 2\s+create\s+ATELIER \(H2020, TMF, 665462\.50 EUR\); payment 2020-01-15 200000\.00 EUR/,
    );
    expect(run.stdout).toMatch(/line 3\s+create\s+ØRESUNDSMETRO \(INTERREG, TMF, 4971000\.00 DKK\)/);
    expect(run.summary).toEqual({
      created: 3,
      updated: 0,
      unchanged: 0,
      invalid: 0,
      failed: 0,
      paymentsRecorded: 1,
      expectedPaymentsAdded: 0,
      dryRun: true,
    });
    expect(await allGrants()).toEqual([]);
  });

  it('imports it through the API: exact amounts, Danish letters, the payment and the totals', async () => {
    // act
    const run = await importLocal(join(dir, 'portefølje.csv'));
    // assert
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({
      created: 3,
      updated: 0,
      unchanged: 0,
      invalid: 0,
      paymentsRecorded: 1,
    });
    const atelier = await byAcronym('ATELIER');
    expect(atelier).toMatchObject({
      title: 'AmsTErdam BiLbao cItizen drivEn smaRt cities',
      unit: 'Københavns Ejendomme & Indkøb',
      startDate: '2019-11-01',
      endDate: '2024-10-31',
      awarded: { amount: '665462.50', currency: 'EUR' },
      exchangeRateToDkk: '7.47',
      awardedDkk: { amount: '4971004.88', currency: 'DKK' },
      receivedDkk: { amount: '1494000.00', currency: 'DKK' },
      projectLead: { name: 'Søren Ærø Åberg', email: 'soren@kk.dk' },
      notes: 'Første rate; "forskud" – 200.000 €',
      createdBy: 'import@kk.dk',
    });
    expect(atelier.payments).toMatchObject([
      { receivedOn: '2020-01-15', amount: { amount: '200000.00', currency: 'EUR' }, kind: 'OTHER' },
    ]);
    expect(await byAcronym('ØRESUNDSMETRO')).toMatchObject({
      programme: 'INTERREG',
      forvaltning: 'TMF',
      fundingEndsOn: '2021-03-31',
      awarded: { amount: '4971000.00', currency: 'DKK' },
      projectLead: { name: 'Åse Møller', email: 'aase@kk.dk' },
    });
    // Totals count it as a grant registered by hand: APPLIED is not awarded.
    const totals = await get<{
      groups: { key: { forvaltning: string }; awarded: string; received: string }[];
    }>('/totals?groupBy=forvaltning&forvaltning=TMF');
    expect(totals.groups).toMatchObject([
      { key: { forvaltning: 'TMF' }, awarded: '9942004.88', received: '1494000.00' },
    ]);
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await versions();
    const run = await importLocal(join(dir, 'portefølje.csv'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 3,
      invalid: 0,
      paymentsRecorded: 0,
    });
    expect(await versions()).toEqual(before);
    expect((await byAcronym('ATELIER')).payments).toHaveLength(1);
  });

  it('updates a changed row with If-Match and records a new payment once', async () => {
    // arrange
    const file = join(dir, 'portefølje-2.csv');
    const rows = portfolioRows('ATELIER – positive energy districts', '300.000,00;15-01-2021');
    await writeFile(file, windows1252([PORTFOLIO_HEADER, ...rows].join('\r\n')));
    const before = await byAcronym('ATELIER');
    // act
    const run = await importLocal(file);
    const again = await importLocal(file);
    // assert
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/line 2\s+update\s+ATELIER: title; payment 2021-01-15 300000\.00 EUR/);
    expect(run.summary).toMatchObject({ created: 0, updated: 1, unchanged: 2, paymentsRecorded: 1 });
    expect(again.summary).toMatchObject({ updated: 0, unchanged: 3, paymentsRecorded: 0 });
    const after = await byAcronym('ATELIER');
    expect(after.title).toBe('ATELIER – positive energy districts');
    expect(after.version).toBe(before.version + 2);
    expect(after.updatedBy).toBe('import@kk.dk');
    expect(after.payments?.map((p) => p.receivedOn)).toEqual(['2020-01-15', '2021-01-15']);
    expect(after.receivedDkk.amount).toBe('3735000.00');
  });

  it('imports an XLSX workbook with typed numbers and dates', async () => {
    // arrange
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Portefølje');
    sheet.addRow([
      'acronym',
      'title',
      'programme',
      'forvaltning',
      'role',
      'status',
      'startDate',
      'endDate',
      'awarded',
      'currency',
      'exchangeRateToDkk',
      'projectLeadName',
      'projectLeadEmail',
      'received',
      'receivedOn',
    ]);
    sheet.addRow([
      'SSC-BEIJING',
      'Strategisk sektorsamarbejde med Beijing',
      'SSC',
      'KFF',
      'COORDINATOR',
      'ACTIVE',
      new Date(Date.UTC(2021, 0, 1)),
      new Date(Date.UTC(2025, 11, 31)),
      1234567.89,
      'DKK',
      null,
      'Mette Kjær',
      'mette@kk.dk',
      250000,
      new Date(Date.UTC(2021, 5, 30)),
    ]);
    sheet.addRow([
      'NORDIC',
      'Nordic cities',
      'OTHER',
      'KFF',
      'PARTNER',
      'AWARDED',
      '2022-03-01',
      '01-03-2024',
      '12.345,60 kr.',
      'SEK',
      0.655,
      'Ole Ørsted',
      'ole@kk.dk',
      null,
      null,
    ]);
    const file = join(dir, 'portefølje.xlsx');
    await writeFile(file, Buffer.from(await workbook.xlsx.writeBuffer()));
    // act
    const run = await importLocal(file);
    const again = await importLocal(file);
    // assert
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("XLSX, sheet 'Portefølje'");
    expect(run.summary).toMatchObject({ created: 2, paymentsRecorded: 1 });
    expect(again.summary).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(await byAcronym('SSC-BEIJING')).toMatchObject({
      funderType: 'DK_STATE',
      startDate: '2021-01-01',
      awarded: { amount: '1234567.89', currency: 'DKK' },
      receivedDkk: { amount: '250000.00', currency: 'DKK' },
      projectLead: { name: 'Mette Kjær', email: 'mette@kk.dk' },
    });
    expect(await byAcronym('NORDIC')).toMatchObject({
      endDate: '2024-03-01',
      awarded: { amount: '12345.60', currency: 'SEK' },
      exchangeRateToDkk: '0.655',
      awardedDkk: { amount: '8086.37', currency: 'DKK' },
    });
  });

  it('registers the CORDIS projects of KK’s PIC and none of the other organisations’', async () => {
    // arrange
    const cordis = join(dir, 'cordis-h2020');
    await mkdir(cordis);
    const q = (...cells: string[]) => cells.map((c) => `"${c.replaceAll('"', '""')}"`).join(';');
    const project = (id: string, acronym: string, start: string, end: string, framework: string) =>
      q(
        id,
        acronym,
        'SIGNED',
        `${acronym} – a project`,
        start,
        end,
        '1',
        '1',
        'LB',
        'T',
        start,
        framework,
        'CALL',
        'SUB',
        'RIA',
        '',
        'Objective; "quoted"\nover two lines',
        '2024-01-01',
        '1',
        '',
      );
    const organisation = (projectId: string, pic: string, name: string, role: string, contribution: string) =>
      q(
        projectId,
        'X',
        pic,
        '',
        name,
        '',
        'false',
        'PUB',
        '',
        '',
        'City',
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
    await writeFile(
      join(cordis, 'project.csv'),
      [
        'id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;topics;ecSignatureDate;frameworkProgramme;masterCall;subCall;fundingScheme;nature;objective;contentUpdateDate;rcn;grantDoi',
        project('824489', 'REFLOW', '2019-06-01', '2022-11-30', 'H2020'),
        project('101036519', 'NETZEROCITIES', '2021-10-01', '2035-09-30', 'HORIZON'),
        project('700000', 'ELSEWHERE', '2019-01-01', '2021-12-31', 'H2020'),
      ].join('\n'),
    );
    await writeFile(
      join(cordis, 'organization.csv'),
      [
        'projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;street;postCode;city;country;nutsCode;geolocation;organizationURL;contactForm;contentUpdateDate;rcn;order;role;ecContribution;netEcContribution;totalCost;endOfParticipation;active',
        organisation('824489', '999888777', 'Gemeente Amsterdam', 'coordinator', '1500000'),
        organisation('824489', '999999999', 'KOBENHAVNS KOMMUNE', 'participant', '280375.5'),
        organisation('101036519', '999999999', 'KOBENHAVNS KOMMUNE', 'coordinator', '1.2345E5'),
        organisation('101036519', '999888777', 'Gemeente Amsterdam', 'participant', '99'),
        organisation('700000', '999888777', 'Gemeente Amsterdam', 'coordinator', '12345'),
      ].join('\r\n'),
    );
    const args = [
      '--cordis',
      cordis,
      '--pic',
      '999999999',
      '--forvaltning',
      'BUF',
      '--lead-name',
      'Jens Ødegaard',
      '--lead-email',
      'jens@kk.dk',
    ];
    // act
    const run = await importLocal(...args);
    const again = await importLocal(...args);
    // assert
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ created: 2, invalid: 0 });
    expect(again.summary).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    const buf = (await allGrants()).filter((g) => g.forvaltning === 'BUF');
    expect(buf.map((g) => g.acronym).sort()).toEqual(['NETZEROCITIES', 'REFLOW']);
    expect(await byAcronym('REFLOW')).toMatchObject({
      programme: 'H2020',
      role: 'PARTNER',
      status: 'CLOSED',
      grantAgreementNumber: '824489',
      pic: '999999999',
      awarded: { amount: '280375.50', currency: 'EUR' },
      exchangeRateToDkk: '7.46038',
      projectLead: { name: 'Jens Ødegaard', email: 'jens@kk.dk' },
    });
    expect(await byAcronym('NETZEROCITIES')).toMatchObject({
      programme: 'HORIZON_EUROPE',
      role: 'COORDINATOR',
      status: 'ACTIVE',
      grantAgreementNumber: '101036519',
      awarded: { amount: '123450.00', currency: 'EUR' },
    });
  });

  it('reports every kind of error by line and column and writes nothing', async () => {
    // arrange
    const file = join(dir, 'fejl.csv');
    await writeFile(
      file,
      [
        'acronym,title,programme,forvaltning,role,status,grantAgreementNumber,startDate,endDate,awarded,currency,projectLeadName,projectLeadEmail,received,receivedOn',
        'GOOD,Fine,H2020,TMF,PARTNER,ACTIVE,123456,2020-01-01,2022-12-31,100000,EUR,Lead,lead@kk.dk,,',
        'AMB,Ambiguous,H2020,TMF,PARTNER,ACTIVE,,2020-01-01,2022-12-31,"1,000.00",EUR,Lead,lead@kk.dk,,',
        'DATE,Bad date,H2020,TMF,PARTNER,ACTIVE,,01/05/2020,2022-12-31,100,EUR,Lead,lead@kk.dk,,',
        'ENUM,Bad codes,H2021,XYZ,PARTNER,ACTIVE,,2020-01-01,2022-12-31,100,EUR,Lead,not-an-email,,',
        ',Missing acronym,H2020,TMF,PARTNER,ACTIVE,,2020-01-01,2019-12-31,100,EUR,Lead,lead@kk.dk,,',
        'GA,Bad agreement,HORIZON_EUROPE,TMF,PARTNER,ACTIVE,12345,2020-01-01,2022-12-31,100,SEK,Lead,lead@kk.dk,,',
        'PAY,Too much,H2020,TMF,PARTNER,ACTIVE,,2020-01-01,2022-12-31,100,EUR,Lead,lead@kk.dk,150,2021-01-01',
        'ATELIER,Contradicts the register,H2020,TMF,PARTNER,APPLIED,864374,2019-11-01,2024-10-31,"665.462,50",EUR,Lead,lead@kk.dk,,',
      ].join('\n'),
    );
    const before = await versions();
    // act
    const run = await importLocal(file);
    // assert
    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ created: 0, updated: 0, invalid: 6 });
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      'line 3: awarded: is ambiguous: "1,000.00" groups thousands with a comma, but in a Danish sheet a comma is a decimal comma; write 1000 or 1.000,00',
      'line 4: startDate: is ambiguous ("01/05/2020": day/month or month/day); write it as 2021-05-01, 01-05-2021 or 01.05.2021',
      expect.stringMatching(/^line 5: programme: is "H2021"; expected one of/),
      expect.stringMatching(/^line 5: forvaltning: is "XYZ"; expected one of/),
      'line 5: projectLeadEmail: must be an e-mail address',
      'line 6: acronym: is required',
      'line 6: endDate: must be on or after startDate',
      'line 7: grantAgreementNumber: a Horizon Europe grant agreement number has 9 digits starting with 101',
      'line 7: exchangeRateToDkk: is required for grants awarded in SEK (only EUR has a default rate)',
      'line 8: received: is more than the 100.00 EUR awarded',
      '6 invalid rows: nothing was imported.',
    ]);
    expect(await versions()).toEqual(before);

    // The same file without its invalid rows still may not contradict the register.
    const contradicting = join(dir, 'fejl-2.csv');
    await writeFile(
      contradicting,
      [
        'acronym,title,programme,forvaltning,role,status,grantAgreementNumber,startDate,endDate,awarded,currency,projectLeadName,projectLeadEmail',
        'GOOD,Fine,H2020,TMF,PARTNER,ACTIVE,123456,2020-01-01,2022-12-31,100000,EUR,Lead,lead@kk.dk',
        'ATELIER,x,H2020,TMF,PARTNER,APPLIED,864374,2019-11-01,2024-10-31,"665.462,50",EUR,Lead,lead@kk.dk',
      ].join('\n'),
    );
    const refused = await importLocal(contradicting);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('line 3: status: the grant is ACTIVE and cannot become APPLIED');
    expect(await versions()).toEqual(before);
  });

  it('shows progress on stderr for a long file (UTF-8 with BOM, comma-separated)', async () => {
    const rows = Array.from(
      { length: 60 },
      (_, i) =>
        `LONG-${i + 1},Row ${i + 1},FOUNDATION,SOF,PARTNER,AWARDED,2024-01-01,2025-12-31,${(i + 1) * 1000},DKK,Lead,lead@kk.dk`,
    );
    const file = join(dir, 'long.csv');
    const header =
      'acronym,title,programme,forvaltning,role,status,startDate,endDate,awarded,currency,projectLeadName,projectLeadEmail';
    await writeFile(file, `\ufeff${[header, ...rows].join('\n')}\n`);
    const run = await importLocal(file, '--dry-run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("CSV, UTF-8 with BOM, ','-separated");
    expect(run.stderr).toContain('\rcomparing: 60/60 rows');
    expect(run.summary).toMatchObject({ created: 60, dryRun: true });
  });

  it('stops with a clear word when the API refuses the token', async () => {
    const run = await runImport([
      join(dir, 'portefølje.csv'),
      '--api',
      stack.apiUrl,
      '--token',
      'not-a-token',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refused the token \(401\)/);
    const projectLead = await stack.token('project-lead');
    const forbidden = await runImport([join(dir, 'portefølje.csv'), '--api', stack.apiUrl], {
      FUNDING_TRACKER_TOKEN: projectLead,
    });
    // Reading is allowed to every role; the first write is not.
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/403.*lear-admin|lear-admin/);
  });
});
