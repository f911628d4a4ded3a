import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ExcelJS from 'exceljs';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { type ImportFile, readFiles } from '../../lib/import/index';
import { decodeWindows1252 } from '../../lib/import/node';
import { formatRowError } from '../../lib/import/rows';

/** The CORDIS downloads of tests/fixtures/import-cordis (see its README for the rows' sources). */
const FIXTURES = join(import.meta.dirname, '../fixtures/import-cordis');

const filesIn = (folder: string): ImportFile[] => {
  const root = join(FIXTURES, folder);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  return walk(root)
    .sort()
    .map((path) => ({ name: relative(root, path), bytes: new Uint8Array(readFileSync(path)) }));
};

/** The folder zipped as CORDIS publishes it. */
const zipOf = (name: string, folder: string): ImportFile => ({
  name,
  bytes: zipSync(Object.fromEntries(filesIn(folder).map((f) => [f.name, f.bytes]))),
});

const H2020 = () => zipOf('cordis-h2020projects-csv.zip', 'h2020');
const HORIZON = () => zipOf('cordis-HORIZONprojects-csv.zip', 'horizon');
const FP7 = () => zipOf('cordis-fp7projects-csv.zip', 'fp7');

const options = {
  decodeWindows1252,
  cordis: {
    pic: '999999999',
    forvaltning: 'TMF',
    defaultLead: { name: 'import@kk.dk', email: 'import@kk.dk' },
    today: '2026-06-01',
  },
};

const grantsOf = async (files: ImportFile[]) => {
  const read = await readFiles(files, options);
  expect(read.mapped.errors.map(formatRowError)).toEqual([]);
  return read.mapped.rows.map((r) => ({ where: r.where, ...r.grant, soft: r.soft }));
};

describe('CORDIS as downloaded', () => {
  it('reads the H2020 zip (current layout, inner csv/ folder): only the PIC’s participations', async () => {
    // act: the file repeats its header line and holds other organisations' real rows
    const grants = await grantsOf([H2020()]);
    // assert
    expect(grants).toEqual([
      expect.objectContaining({
        where: 'cordis-h2020projects-csv.zip/csv/organization.csv line 4',
        acronym: 'REFLOW',
        programme: 'H2020',
        role: 'PARTNER',
        status: 'CLOSED',
        grantAgreementNumber: '824489',
        startDate: '2019-06-01',
        endDate: '2022-11-30',
        awarded: { amount: '280375.50', currency: 'EUR' },
        soft: { status: true, projectLead: true, awarded: false },
      }),
      expect.objectContaining({
        where: 'cordis-h2020projects-csv.zip/csv/organization.csv line 8',
        acronym: 'SHARING CITIES',
        awarded: { amount: '0.00', currency: 'EUR' },
        // CORDIS gives no amount: 0 for a new grant, never a change to one already registered.
        soft: { status: true, projectLead: true, awarded: true },
      }),
    ]);
  });

  it('reads the HORIZON zip without an inner folder and the FP7 zip', async () => {
    expect(await grantsOf([HORIZON()])).toEqual([
      expect.objectContaining({
        acronym: 'NetZeroCities',
        programme: 'HORIZON_EUROPE',
        status: 'ACTIVE',
        grantAgreementNumber: '101036519',
        awarded: { amount: '123450.00', currency: 'EUR' },
      }),
    ]);
    expect(await grantsOf([FP7()])).toEqual([
      expect.objectContaining({
        acronym: 'TRANSFORM',
        programme: 'FP7',
        status: 'CLOSED',
        grantAgreementNumber: '314164',
        awarded: { amount: '353287.00', currency: 'EUR' },
      }),
    ]);
  });

  it('reads the pre-2021 layout (BOM, decimal commas, the PIC in id) from the unzipped files', async () => {
    const grants = await grantsOf(filesIn('h2020-2020'));
    expect(grants.map((g) => [g.where, g.acronym, g.role, g.awarded.amount])).toEqual([
      ['cordis-h2020organizations.csv line 3', 'CITYKEYS', 'PARTNER', '127520.25'],
      ['cordis-h2020organizations.csv line 4', 'CLEVER Cities', 'PARTNER', '0.00'],
    ]);
  });

  it('reads several downloads at once, zipped and unzipped', async () => {
    const grants = await grantsOf([H2020(), HORIZON(), FP7(), ...filesIn('h2020-2020')]);
    expect(grants.map((g) => g.acronym)).toEqual([
      'REFLOW',
      'SHARING CITIES',
      'NetZeroCities',
      'TRANSFORM',
      'CITYKEYS',
      'CLEVER Cities',
    ]);
  });

  it('names the file and line of a row broken by an unescaped quote', async () => {
    const files = filesIn('horizon').map((file) =>
      file.name === 'organization.csv'
        ? {
            ...file,
            bytes: new TextEncoder().encode(
              new TextDecoder()
                .decode(file.bytes)
                .replace('"KOBENHAVNS KOMMUNE"', '"KOBENHAVNS "KK" KOMMUNE"'),
            ),
          }
        : file,
    );
    const read = await readFiles(files, options);
    expect(read.mapped.errors.map(formatRowError)).toEqual([
      'organization.csv line 3: (file): a quote inside a quoted cell is not doubled (write "" for a quote), so the row is broken',
    ]);
  });

  it('says what is missing: the other table, or the PIC and forvaltning', async () => {
    const onlyProjects = filesIn('horizon').filter((f) => f.name === 'project.csv');
    expect(
      (await readFiles([...onlyProjects, ...filesIn('fp7')], options)).mapped.errors.map(formatRowError),
    ).toEqual([
      'project.csv: (file): has no organization table beside it; a CORDIS download has both (project.csv and organization.csv)',
    ]);
    const { cordis: _, ...withoutCordis } = options;
    expect((await readFiles([HORIZON()], withoutCordis)).mapped.errors.map(formatRowError)).toEqual([
      'cordis-HORIZONprojects-csv.zip: (options): is a CORDIS download: give the PIC whose projects to import and their forvaltning',
    ]);
  });

  it('reads an XLSX workbook as a sheet, although it is a zip too', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Portefølje').addRow(['acronym']);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    const read = await readFiles([{ name: 'portefølje.xlsx', bytes }], options);
    expect(read.kind).toBe('sheet');
    expect(read.description).toBe("portefølje.xlsx (XLSX, sheet 'Portefølje')");
  });
});
