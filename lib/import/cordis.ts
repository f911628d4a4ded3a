import { fieldErrors } from '../api/http';
import { type GrantInput, GrantInputSchema } from '../domain/schemas';
import { decodeText, detectDelimiter, parseRecords, SheetError, type Windows1252Decoder } from './csv';
import { parseDateText } from './dates';
import { baseName, type ImportFile } from './files';
import { parsePlainNumber } from './numbers';
import type { ImportRow, MappedRows, RowError } from './rows';

/**
 * The EU's own record of KK's projects: the CORDIS bulk downloads for FP7, H2020 and HORIZON
 * (`cordis-fp7projects-csv.zip`, `cordis-h2020projects-csv.zip`, `cordis-HORIZONprojects-csv.zip`),
 * as zips or unzipped, with or without their inner `csv/` folder. Every participation whose PIC is
 * KK's becomes a grant: awarded is that participant's ecContribution in EUR, the grant agreement
 * number is the project id.
 *
 * Two layouts are read, told apart by their columns rather than by file names:
 * - current (since 2021): `project.csv` and `organization.csv`, every field quoted, `;`-separated,
 *   the PIC in `organisationID`; `ecContribution` is written with a decimal point while `totalCost`
 *   in the same row has a decimal comma, `""` stands for a missing amount, and the header line may
 *   be repeated inside the file.
 * - pre-2021: `cordis-h2020projects.csv` and `cordis-h2020organizations.csv` with a UTF-8 BOM,
 *   decimal commas, `projectRcn`/`projectID`, and the PIC in the organisation's `id`.
 * CORDIS never groups thousands, so its amounts are read as machine numbers (one decimal separator,
 * either kind, an exponent allowed), exactly.
 */

const PROJECT_COLUMNS = ['id', 'acronym', 'title', 'startDate', 'endDate', 'frameworkProgramme'] as const;
const ORGANIZATION_COLUMNS = ['projectID', 'role', 'ecContribution'] as const;
/** The organisation's PIC: `organisationID` in the current layout, `id` before 2021. */
const PIC_COLUMNS = ['organisationID', 'id'] as const;

const FRAMEWORKS: Readonly<Record<string, GrantInput['programme']>> = {
  FP7: 'FP7',
  H2020: 'H2020',
  HORIZON: 'HORIZON_EUROPE',
};

/** CORDIS roles → the register's; partners without EU funding take part as associated partners. */
const ROLES: Readonly<Record<string, GrantInput['role']>> = {
  coordinator: 'COORDINATOR',
  associatedpartner: 'ASSOCIATED',
};

export interface CordisOptions {
  /** KK's Participant Identification Code: 9 digits. */
  readonly pic: string;
  readonly forvaltning: string;
  /** The lead named by the user; when absent, `defaultLead` fills in for new grants only. */
  readonly lead?: { readonly name: string; readonly email: string } | undefined;
  readonly defaultLead: { readonly name: string; readonly email: string };
  /** Today in Copenhagen: a project that ended before it is CLOSED, else ACTIVE. */
  readonly today: string;
  readonly decodeWindows1252?: Windows1252Decoder | undefined;
}

const PROJECT_FILE = /^(.*?)projects?\.csv$/i;
const ORGANIZATION_FILE = /^(.*?)organi[sz]ations?\.csv$/i;

interface Pair {
  project?: ImportFile;
  organization?: ImportFile;
}

/** Whether the files are a CORDIS download (project and organisation tables), not a sheet. */
export const looksLikeCordis = (files: readonly ImportFile[]) =>
  files.some((f) => PROJECT_FILE.test(baseName(f.name))) &&
  files.some((f) => ORGANIZATION_FILE.test(baseName(f.name)));

/** The project and organisation tables of each download, paired by folder and name prefix. */
const pairsOf = (files: readonly ImportFile[]): { pairs: Pair[]; errors: RowError[] } => {
  const byKey = new Map<string, Pair>();
  for (const file of files) {
    const name = baseName(file.name);
    const folder = file.name.slice(0, file.name.length - name.length);
    const project = PROJECT_FILE.exec(name);
    const organization = ORGANIZATION_FILE.exec(name);
    const match = project ?? organization;
    if (!match) continue;
    const key = `${folder}${(match[1] ?? '').toLowerCase()}`;
    const pair = byKey.get(key) ?? {};
    pair[project ? 'project' : 'organization'] = file;
    byKey.set(key, pair);
  }
  const errors: RowError[] = [];
  for (const pair of byKey.values()) {
    if (!pair.project || !pair.organization) {
      const present = (pair.project ?? pair.organization) as ImportFile;
      errors.push({
        where: present.name,
        field: '(file)',
        message: `has no ${pair.project ? 'organization' : 'project'} table beside it; a CORDIS download has both (project.csv and organization.csv)`,
      });
    }
  }
  if (!byKey.size) {
    errors.push({
      where: files.map((f) => f.name).join(', ') || 'the files given',
      field: '(file)',
      message:
        'hold no CORDIS project.csv and organization.csv (or cordis-…projects.csv and cordis-…organizations.csv)',
    });
  }
  return { pairs: [...byKey.values()].filter((p) => p.project && p.organization), errors };
};

interface Table {
  readonly file: string;
  readonly column: ReadonlyMap<string, number>;
  readonly records: readonly { readonly line: number; readonly cells: readonly string[] }[];
}

const openTable = (
  file: ImportFile,
  required: readonly string[],
  oneOf: readonly string[],
  decoder: Windows1252Decoder | undefined,
): Table | RowError[] => {
  const fail = (error: unknown): never => {
    if (error instanceof SheetError) throw new SheetError(error.message, error.line, file.name);
    throw error;
  };
  let records: { line: number; cells: readonly string[] }[] = [];
  try {
    const { text } = decodeText(file.bytes, decoder);
    if (!text.trim()) throw new SheetError('is empty.');
    records = parseRecords(text, detectDelimiter(text));
  } catch (error) {
    fail(error);
  }
  const [header, ...rest] = records;
  const names = (header?.cells ?? []).map((c) => c.trim().toLowerCase());
  const column = new Map<string, number>();
  const errors: RowError[] = [];
  for (const name of required) {
    const at = names.indexOf(name.toLowerCase());
    if (at < 0) errors.push({ where: `${file.name} line 1`, field: name, message: 'column is missing' });
    else column.set(name, at);
  }
  if (oneOf.length) {
    const found = oneOf.find((name) => names.includes(name.toLowerCase()));
    if (found) column.set(oneOf[0] as string, names.indexOf(found.toLowerCase()));
    else
      errors.push({
        where: `${file.name} line 1`,
        field: oneOf.join(' or '),
        message: 'column is missing',
      });
  }
  if (errors.length) return errors;
  // CORDIS repeats its header line inside the file; such a line is no record.
  const isHeader = (cells: readonly string[]) =>
    cells.length === names.length && cells.every((cell, i) => cell.trim().toLowerCase() === names[i]);
  const blank = (cells: readonly string[]) => cells.every((cell) => !cell.trim());
  return { file: file.name, column, records: rest.filter((r) => !isHeader(r.cells) && !blank(r.cells)) };
};

const cellOf = (table: Table, cells: readonly string[], name: string): string =>
  (cells[table.column.get(name) ?? -1] ?? '').trim();

interface Participation {
  readonly organizations: Table;
  readonly projects: Table;
  readonly line: number;
  readonly projectId: string;
  readonly role: string;
  readonly ecContribution: string;
}

export const mapCordis = (files: readonly ImportFile[], options: CordisOptions): MappedRows => {
  const { pairs, errors: pairErrors } = pairsOf(files);
  const errors: RowError[] = [...pairErrors];
  const tables: { organizations: Table; projects: Table }[] = [];
  for (const pair of pairs) {
    const organizations = openTable(
      pair.organization as ImportFile,
      ORGANIZATION_COLUMNS,
      PIC_COLUMNS,
      options.decodeWindows1252,
    );
    const projects = openTable(pair.project as ImportFile, PROJECT_COLUMNS, [], options.decodeWindows1252);
    if (Array.isArray(organizations)) errors.push(...organizations);
    if (Array.isArray(projects)) errors.push(...projects);
    if (!Array.isArray(organizations) && !Array.isArray(projects)) tables.push({ organizations, projects });
  }
  if (errors.length) return { rows: [], errors, invalidLines: errors.length };

  const invalid = new Set<string>();
  const fail = (where: string, field: string, message: string, participation: string) => {
    invalid.add(participation);
    errors.push({ where, field, message });
  };

  const participations: Participation[] = [];
  const firstSeen = new Map<string, string>();
  for (const { organizations, projects } of tables) {
    for (const { line, cells } of organizations.records) {
      if (cellOf(organizations, cells, 'organisationID') !== options.pic) continue;
      const projectId = cellOf(organizations, cells, 'projectID');
      const where = `${organizations.file} line ${line}`;
      const earlier = firstSeen.get(projectId);
      if (earlier !== undefined) {
        fail(
          where,
          'organisationID',
          `PIC ${options.pic} takes part in project ${projectId} a second time (also ${earlier}); import it by hand`,
          where,
        );
        continue;
      }
      firstSeen.set(projectId, where);
      participations.push({
        organizations,
        projects,
        line,
        projectId,
        role: cellOf(organizations, cells, 'role'),
        ecContribution: cellOf(organizations, cells, 'ecContribution'),
      });
    }
  }

  const projectRows = new Map<Table, Map<string, { line: number; cells: readonly string[] }>>();
  const projectRow = (projects: Table, id: string) => {
    let rows = projectRows.get(projects);
    if (!rows) {
      rows = new Map();
      for (const record of projects.records) {
        const recordId = cellOf(projects, record.cells, 'id');
        if (!rows.has(recordId)) rows.set(recordId, record);
      }
      projectRows.set(projects, rows);
    }
    return rows.get(id);
  };

  const rows: ImportRow[] = [];
  for (const participation of participations) {
    const { organizations, projects } = participation;
    const orgWhere = `${organizations.file} line ${participation.line}`;
    const project = projectRow(projects, participation.projectId);
    if (!project) {
      fail(orgWhere, 'projectID', `project ${participation.projectId} is not in ${projects.file}`, orgWhere);
      continue;
    }
    const projectWhere = `${projects.file} line ${project.line}`;
    const value = (name: string) => cellOf(projects, project.cells, name);
    const before = errors.length;

    const framework = value('frameworkProgramme').toUpperCase();
    const programme = FRAMEWORKS[framework];
    if (!programme) {
      fail(
        projectWhere,
        'frameworkProgramme',
        `is "${value('frameworkProgramme')}"; only FP7, H2020 and HORIZON projects can be imported`,
        orgWhere,
      );
    }
    const dates: Record<'startDate' | 'endDate', string | undefined> = {
      startDate: undefined,
      endDate: undefined,
    };
    for (const name of ['startDate', 'endDate'] as const) {
      const parsed = parseDateText(value(name));
      if (parsed.ok) dates[name] = parsed.value;
      else fail(projectWhere, name, parsed.message, orgWhere);
    }
    // CORDIS writes "" where it has no amount (partners without EU funding, some FP7 rows): such a
    // grant is registered at 0 and the amount is never overwritten by a later import.
    const noAmount = participation.ecContribution === '';
    let amount: string | undefined = noAmount ? '0.00' : undefined;
    if (!noAmount) {
      const parsed = parsePlainNumber(participation.ecContribution, 2);
      if (parsed.ok) amount = parsed.value;
      else fail(orgWhere, 'ecContribution', parsed.message, orgWhere);
    }
    if (errors.length > before) continue;

    const lead = options.lead ?? options.defaultLead;
    const endDate = dates.endDate as string;
    const draft = {
      acronym: value('acronym'),
      title: value('title'),
      programme,
      forvaltning: options.forvaltning,
      role: ROLES[participation.role.toLowerCase()] ?? 'PARTNER',
      status: endDate < options.today ? 'CLOSED' : 'ACTIVE',
      grantAgreementNumber: participation.projectId,
      pic: options.pic,
      startDate: dates.startDate,
      endDate,
      awarded: { amount, currency: 'EUR' },
      projectLead: { name: lead.name, email: lead.email },
    };
    const sourceOf = sourceIn(projects.file, organizations.file);
    const parsed = GrantInputSchema.safeParse(draft, { reportInput: true });
    if (!parsed.success) {
      for (const { path, message } of fieldErrors(parsed.error)) {
        const source = sourceOf(path);
        const where = source.file === projects.file ? projectWhere : source.file ? orgWhere : 'options';
        fail(where, source.field, message, orgWhere);
      }
      continue;
    }
    rows.push({
      where: orgWhere,
      grant: parsed.data,
      soft: { status: true, projectLead: options.lead === undefined, awarded: noAmount },
      columnOf: (path) => sourceOf(path).field,
    });
  }
  return { rows, errors, invalidLines: invalid.size };
};

/** Where a grant field comes from in the CORDIS files (or the options the user gave). */
const sourceIn =
  (projectFile: string, organizationFile: string) =>
  (path: string): { file?: string; field: string } => {
    const field = path.split('.')[0] ?? path;
    switch (field) {
      case 'acronym':
      case 'title':
      case 'startDate':
      case 'endDate':
        return { file: projectFile, field };
      case 'programme':
        return { file: projectFile, field: 'frameworkProgramme' };
      case 'grantAgreementNumber':
        return { file: projectFile, field: 'id' };
      case 'status':
        return { file: projectFile, field: 'endDate' };
      case 'awarded':
        return { file: organizationFile, field: 'ecContribution' };
      case 'role':
        return { file: organizationFile, field: 'role' };
      case 'pic':
        return { file: organizationFile, field: 'organisationID' };
      case 'forvaltning':
        return { field: '--forvaltning' };
      case 'projectLead':
        return { field: path.endsWith('email') ? '--lead-email' : '--lead-name' };
      default:
        return { field };
    }
  };
