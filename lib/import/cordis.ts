import { fieldErrors } from '../api/http';
import { type GrantInput, GrantInputSchema } from '../domain/schemas';
import { decodeText, detectDelimiter, parseCsv, SheetError } from './csv';
import { parseDateText } from './dates';
import { parsePlainNumber } from './numbers';
import type { ImportRow, MappedRows, RowError } from './rows';

/**
 * The EU's own record of KK's projects: the CORDIS bulk download for H2020 or HORIZON
 * (`project.csv` and `organization.csv`, semicolon-separated, quoted). Every participation whose
 * organisationID is KK's PIC becomes a grant: awarded is that participant's ecContribution in EUR,
 * the grant agreement number is the project id. Columns are found by name, so the exports of
 * different years (which add and drop columns) read alike. CORDIS writes plain numbers
 * ("665462.5", sometimes with an exponent); they are read exactly.
 */

export const PROJECT_FILE = 'project.csv';
export const ORGANIZATION_FILE = 'organization.csv';

const PROJECT_COLUMNS = ['id', 'acronym', 'title', 'startDate', 'endDate', 'frameworkProgramme'] as const;
const ORGANIZATION_COLUMNS = ['projectID', 'organisationID', 'role', 'ecContribution'] as const;

const FRAMEWORKS: Readonly<Record<string, GrantInput['programme']>> = {
  H2020: 'H2020',
  HORIZON: 'HORIZON_EUROPE',
};

export interface CordisOptions {
  /** KK's Participant Identification Code: 9 digits. */
  readonly pic: string;
  readonly forvaltning: string;
  /** The lead named on the command line; when absent, `defaultLead` fills in for new grants only. */
  readonly lead?: { readonly name: string; readonly email: string } | undefined;
  readonly defaultLead: { readonly name: string; readonly email: string };
  /** Today in Copenhagen: a project that ended before it is CLOSED, else ACTIVE. */
  readonly today: string;
}

interface Table {
  readonly file: string;
  readonly column: ReadonlyMap<string, number>;
  readonly records: Iterable<{ line: number; cells: readonly string[] }>;
}

function* withFileName<T>(file: string, records: Generator<T>): Generator<T> {
  try {
    yield* records;
  } catch (error) {
    if (error instanceof SheetError && !error.file) throw new SheetError(error.message, error.line, file);
    throw error;
  }
}

const openTable = (file: string, bytes: Uint8Array, required: readonly string[]): Table | RowError[] => {
  const { text } = decodeText(bytes);
  if (!text.trim()) throw new SheetError(`${file} is empty.`);
  let delimiter: ReturnType<typeof detectDelimiter>;
  try {
    delimiter = detectDelimiter(text);
  } catch (error) {
    throw error instanceof SheetError ? new SheetError(error.message, error.line, file) : error;
  }
  const records = withFileName(file, parseCsv(text, delimiter));
  const header = records.next();
  const names = header.done ? [] : header.value.cells.map((c) => c.trim().toLowerCase());
  const column = new Map<string, number>();
  const errors: RowError[] = [];
  for (const name of required) {
    const at = names.indexOf(name.toLowerCase());
    if (at < 0) errors.push({ where: `${file} line 1`, field: name, message: 'column is missing' });
    else column.set(name, at);
  }
  if (errors.length) return errors;
  return { file, column, records: { [Symbol.iterator]: () => records } };
};

const cellOf = (table: Table, cells: readonly string[], name: string): string =>
  (cells[table.column.get(name) ?? -1] ?? '').trim();

interface Participation {
  readonly line: number;
  readonly projectId: string;
  readonly role: string;
  readonly ecContribution: string;
}

export const mapCordis = (
  files: { readonly project: Uint8Array; readonly organization: Uint8Array },
  options: CordisOptions,
): MappedRows => {
  const organizations = openTable(ORGANIZATION_FILE, files.organization, ORGANIZATION_COLUMNS);
  const projects = openTable(PROJECT_FILE, files.project, PROJECT_COLUMNS);
  if (Array.isArray(organizations) || Array.isArray(projects)) {
    const errors = [
      ...(Array.isArray(organizations) ? organizations : []),
      ...(Array.isArray(projects) ? projects : []),
    ];
    return { rows: [], errors, invalidLines: errors.length };
  }

  const errors: RowError[] = [];
  const invalid = new Set<string>();
  const fail = (where: string, field: string, message: string, participationLine: number) => {
    invalid.add(String(participationLine));
    errors.push({ where, field, message });
  };

  const participations: Participation[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, cells } of organizations.records) {
    if (cellOf(organizations, cells, 'organisationID') !== options.pic) continue;
    const projectId = cellOf(organizations, cells, 'projectID');
    const earlier = firstLine.get(projectId);
    if (earlier !== undefined) {
      fail(
        `${ORGANIZATION_FILE} line ${line}`,
        'organisationID',
        `PIC ${options.pic} takes part in project ${projectId} a second time (also line ${earlier}); import it by hand`,
        line,
      );
      continue;
    }
    firstLine.set(projectId, line);
    participations.push({
      line,
      projectId,
      role: cellOf(organizations, cells, 'role'),
      ecContribution: cellOf(organizations, cells, 'ecContribution'),
    });
  }

  const wanted = new Set(participations.map((p) => p.projectId));
  const projectRows = new Map<string, { line: number; cells: readonly string[] }>();
  for (const record of projects.records) {
    const id = cellOf(projects, record.cells, 'id');
    if (wanted.has(id) && !projectRows.has(id)) projectRows.set(id, record);
  }

  const rows: ImportRow[] = [];
  for (const participation of participations) {
    const orgWhere = `${ORGANIZATION_FILE} line ${participation.line}`;
    const project = projectRows.get(participation.projectId);
    if (!project) {
      fail(
        orgWhere,
        'projectID',
        `project ${participation.projectId} is not in ${PROJECT_FILE}`,
        participation.line,
      );
      continue;
    }
    const projectWhere = `${PROJECT_FILE} line ${project.line}`;
    const value = (name: string) => cellOf(projects, project.cells, name);
    const before = errors.length;

    const framework = value('frameworkProgramme').toUpperCase();
    const programme = FRAMEWORKS[framework];
    if (!programme) {
      fail(
        projectWhere,
        'frameworkProgramme',
        `is "${value('frameworkProgramme')}"; only H2020 and HORIZON projects can be imported`,
        participation.line,
      );
    }
    const dates: Record<'startDate' | 'endDate', string | undefined> = {
      startDate: undefined,
      endDate: undefined,
    };
    for (const name of ['startDate', 'endDate'] as const) {
      const parsed = parseDateText(value(name));
      if (parsed.ok) dates[name] = parsed.value;
      else fail(projectWhere, name, parsed.message, participation.line);
    }
    let amount: string | undefined;
    if (!participation.ecContribution && participation.role === 'associatedPartner') {
      // Associated partners take part without EU funding; CORDIS leaves their contribution empty.
      amount = '0.00';
    } else {
      const parsed = parsePlainNumber(participation.ecContribution, 2);
      if (parsed.ok) amount = parsed.value;
      else fail(orgWhere, 'ecContribution', parsed.message, participation.line);
    }
    if (errors.length > before) continue;

    const lead = options.lead ?? options.defaultLead;
    const endDate = dates.endDate as string;
    const draft = {
      acronym: value('acronym'),
      title: value('title'),
      programme,
      forvaltning: options.forvaltning,
      role: participation.role.toLowerCase() === 'coordinator' ? 'COORDINATOR' : 'PARTNER',
      status: endDate < options.today ? 'CLOSED' : 'ACTIVE',
      grantAgreementNumber: participation.projectId,
      pic: options.pic,
      startDate: dates.startDate,
      endDate,
      awarded: { amount, currency: 'EUR' },
      projectLead: { name: lead.name, email: lead.email },
    };
    const parsed = GrantInputSchema.safeParse(draft, { reportInput: true });
    if (!parsed.success) {
      for (const { path, message } of fieldErrors(parsed.error)) {
        const source = sourceOf(path);
        const where = source.file === PROJECT_FILE ? projectWhere : source.file ? orgWhere : 'options';
        fail(where, source.field, message, participation.line);
      }
      continue;
    }
    rows.push({
      where: orgWhere,
      grant: parsed.data,
      soft: { status: true, projectLead: options.lead === undefined },
      columnOf: (path) => sourceOf(path).field,
    });
  }
  return { rows, errors, invalidLines: invalid.size };
};

/** Where a grant field comes from in the CORDIS files (or the command line). */
const sourceOf = (path: string): { file?: string; field: string } => {
  const field = path.split('.')[0] ?? path;
  switch (field) {
    case 'acronym':
    case 'title':
    case 'startDate':
    case 'endDate':
      return { file: PROJECT_FILE, field };
    case 'programme':
      return { file: PROJECT_FILE, field: 'frameworkProgramme' };
    case 'grantAgreementNumber':
      return { file: PROJECT_FILE, field: 'id' };
    case 'status':
      return { file: PROJECT_FILE, field: 'endDate' };
    case 'awarded':
      return { file: ORGANIZATION_FILE, field: 'ecContribution' };
    case 'role':
      return { file: ORGANIZATION_FILE, field: 'role' };
    case 'pic':
      return { file: ORGANIZATION_FILE, field: 'organisationID' };
    case 'forvaltning':
      return { field: '--forvaltning' };
    case 'projectLead':
      return { field: path.endsWith('email') ? '--lead-email' : '--lead-name' };
    default:
      return { field };
  }
};
