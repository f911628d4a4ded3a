import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReader, runImportCli } from '../support/import-cli';
import { type SpawnedStack, spawnStack } from '../support/local-stack';

/**
 * `npm run import` with what Danish offices and the EU hand over: a sheet as Danish Excel saves it
 * ("CSV (semikolonsepareret)": Windows-1252, `;`, Danish numbers, `kr.`), and the CORDIS downloads
 * as zips in each layout (tests/fixtures/import-cordis). Read back through the API.
 */

const FIXTURES = join(import.meta.dirname, '../fixtures/import-cordis');
const KK = '999999999';

const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir);
  const nested = await Promise.all(
    entries.map(async (name) => {
      const path = join(dir, name);
      return (await stat(path)).isDirectory() ? filesUnder(path) : [path];
    }),
  );
  return nested.flat();
};

/** A fixture folder zipped as CORDIS publishes it. */
const zipFixture = async (folder: string, into: string): Promise<string> => {
  const root = join(FIXTURES, folder);
  const entries: Record<string, Uint8Array> = {};
  for (const path of await filesUnder(root)) entries[relative(root, path)] = await readFile(path);
  await writeFile(into, zipSync(entries));
  return into;
};

describe('importing what Danish offices and the EU hand over', () => {
  let stack: SpawnedStack;
  let dir: string;
  let finance: string;

  const runImport = (args: string[]) =>
    runImportCli([...args, '--data-dir', stack.dataDir], { timeoutMs: 90_000 });
  const { allGrants, byAcronym, versions } = registerReader(() => ({
    apiUrl: stack.apiUrl,
    token: finance,
  }));

  beforeAll(async () => {
    [stack, dir] = await Promise.all([
      spawnStack({ seed: false }),
      mkdtemp(join(tmpdir(), 'import-downloads-')),
    ]);
    finance = await stack.token('finance');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('imports a Danish Excel sheet exactly: 350.000 kr., and 1.988.400,00 kr. received on an EUR grant', async () => {
    // arrange: as Danish Excel saves "CSV (semikolonsepareret)"
    const file = join(dir, 'tilskud.csv');
    const lines = [
      'Acronym;Title;Programme;Forvaltning;Role;Status;StartDate;EndDate;Awarded;Currency;ExchangeRateToDkk;ProjectLeadName;ProjectLeadEmail;Received;ReceivedDkk;ReceivedOn;PaymentKind;Expected;ExpectedOn;ExpectedKind',
      'BLÅGRØN;Blågrønne gårde – klimatilpasning;LIFE;TMF;PARTNER;AWARDED;01.01.2025;31.12.2027;350.000 kr.;DKK;;Bjørn Æbelø;bjorn@kk.dk;;;;;;;',
      'REFLOW;Circular economy for the future of cities;Horizon 2020;TMF;PARTNER;ACTIVE;01-06-2019;30-11-2026;280.375,50;EUR;7,46;Åse Møller;aase@kk.dk;1.988.400,00 kr.;;01-07-2020;PREFINANCING;;;',
      'ATELIER;Positive energy districts;H2020;TMF;PARTNER;ACTIVE;01-11-2019;31-10-2026;665.462,50;EUR;7,47;Søren Ærø;soren@kk.dk;200.000;1.492.000,00;15-01-2020;PREFINANCING;150.000,00;01-03-2027;INTERIM',
    ];
    await writeFile(file, iconv.encode(`${lines.join('\r\n')}\r\n`, 'windows-1252'));
    // act
    const run = await runImport([file]);
    const again = await runImport([file]);
    // assert
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("CSV, Windows-1252, ';'-separated; numbers in Danish notation");
    expect(run.summary).toMatchObject({
      created: 3,
      invalid: 0,
      paymentsRecorded: 2,
      expectedPaymentsAdded: 1,
    });
    expect(await byAcronym('BLÅGRØN')).toMatchObject({
      title: 'Blågrønne gårde – klimatilpasning',
      awarded: { amount: '350000.00', currency: 'DKK' },
    });
    const reflow = await byAcronym('REFLOW');
    expect(reflow).toMatchObject({
      awarded: { amount: '280375.50', currency: 'EUR' },
      receivedDkk: { amount: '1988400.00', currency: 'DKK' },
    });
    expect(reflow.payments).toMatchObject([
      {
        receivedOn: '2020-07-01',
        amount: { amount: '1988400.00', currency: 'DKK' },
        amountDkk: { amount: '1988400.00', currency: 'DKK' },
        kind: 'PREFINANCING',
      },
    ]);
    // "200.000" is read by the evidence of the file (decimal commas, ';'): 200000 EUR, booked in DKK.
    const atelier = await byAcronym('ATELIER');
    expect(atelier.payments).toMatchObject([
      {
        amount: { amount: '200000.00', currency: 'EUR' },
        amountDkk: { amount: '1492000.00', currency: 'DKK' },
      },
    ]);
    expect(atelier.expectedPayments).toMatchObject([
      {
        expectedOn: '2027-03-01',
        amount: { amount: '150000.00', currency: 'EUR' },
        kind: 'INTERIM',
        status: 'OPEN',
      },
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.summary).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 3,
      paymentsRecorded: 0,
      expectedPaymentsAdded: 0,
    });
    expect((await byAcronym('ATELIER')).expectedPayments).toHaveLength(1);
  });

  it('still refuses a sheet whose evidence conflicts, naming the cells, and writes nothing', async () => {
    const file = join(dir, 'blandet.csv');
    await writeFile(
      file,
      [
        'acronym,title,programme,forvaltning,role,status,startDate,endDate,awarded,currency,projectLeadName,projectLeadEmail',
        'A,One,FOUNDATION,SOF,PARTNER,AWARDED,2024-01-01,2025-12-31,"1,5",DKK,Lead,lead@kk.dk',
        'B,Two,FOUNDATION,SOF,PARTNER,AWARDED,2024-01-01,2025-12-31,2.5,DKK,Lead,lead@kk.dk',
        'C,Three,FOUNDATION,SOF,PARTNER,AWARDED,2024-01-01,2025-12-31,1.500,DKK,Lead,lead@kk.dk',
      ].join('\n'),
    );
    const before = await versions();
    const run = await runImport([file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'line 4: awarded: is ambiguous: "1.500" is 1500 in Danish notation but 1.5 in plain notation, and the evidence conflicts (Danish notation: line 2 awarded ("1,5"); plain notation: line 3 awarded ("2.5"))',
    );
    expect(await versions()).toEqual(before);
  });

  it.each([
    ['cordis-h2020projects-csv.zip', 'h2020', ['REFLOW', 'SHARING CITIES']],
    ['cordis-HORIZONprojects-csv.zip', 'horizon', ['NetZeroCities']],
    ['cordis-fp7projects-csv.zip', 'fp7', ['TRANSFORM']],
    ['cordis-h2020projects-2020.zip', 'h2020-2020', ['CITYKEYS', 'CLEVER Cities']],
  ])(
    'imports %s: only the PIC’s participations, and a second import changes nothing',
    async (zipName, folder, acronyms) => {
      // arrange
      const zip = await zipFixture(folder, join(dir, zipName));
      const args = [
        '--cordis',
        zip,
        '--pic',
        KK,
        '--forvaltning',
        'BUF',
        '--lead-name',
        'Jens Ødegaard',
        '--lead-email',
        'jens@kk.dk',
      ];
      const before = new Set((await allGrants()).map((g) => g.grantId));
      // act
      const run = await runImport(args);
      const between = await versions();
      const again = await runImport(args);
      // assert
      expect(run.code, run.stderr).toBe(0);
      expect(run.summary).toMatchObject({ created: acronyms.length, invalid: 0, failed: 0 });
      const added = (await allGrants()).filter((g) => !before.has(g.grantId));
      expect(added.map((g) => g.acronym).sort()).toEqual([...acronyms].sort());
      expect(added.every((g) => g.pic === KK && g.forvaltning === 'BUF')).toBe(true);
      expect(again.code, again.stderr).toBe(0);
      expect(again.summary).toMatchObject({ created: 0, updated: 0, unchanged: acronyms.length });
      expect(await versions()).toEqual(between);
    },
  );

  it('reads the CORDIS amounts, programmes and roles as the EU wrote them', async () => {
    expect(await byAcronym('REFLOW')).toMatchObject({ programme: 'H2020' });
    const transform = await byAcronym('TRANSFORM');
    expect(transform).toMatchObject({
      programme: 'FP7',
      status: 'CLOSED',
      grantAgreementNumber: '314164',
      awarded: { amount: '353287.00', currency: 'EUR' },
      projectLead: { name: 'Jens Ødegaard', email: 'jens@kk.dk' },
    });
    expect(await byAcronym('NetZeroCities')).toMatchObject({ programme: 'HORIZON_EUROPE', status: 'ACTIVE' });
    expect(await byAcronym('CITYKEYS')).toMatchObject({ awarded: { amount: '127520.25', currency: 'EUR' } });
    expect(await byAcronym('SHARING CITIES')).toMatchObject({ awarded: { amount: '0.00', currency: 'EUR' } });
  });
});
