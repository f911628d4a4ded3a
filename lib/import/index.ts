import type { GrantDto } from '../domain/schemas';
import type { GrantsClient } from './api-client';
import { type CordisOptions, looksLikeCordis, mapCordis } from './cordis';
import { SheetError, type Windows1252Decoder } from './csv';
import { expandZips, type ImportFile } from './files';
import { type PlanPorts, planImport, type RowPlan } from './plan';
import { plannedSummary, type Summary } from './report';
import { type MappedRows, mapSheet, type RowError } from './rows';
import { type RunOptions, type RunResult, runPlan } from './run';
import { readSheet } from './sheet';

/**
 * The importer as a library, for the CLI and the browser alike: no Node modules, no file system.
 * Files come in as bytes (`{ name, bytes }`), a plan comes out (what each row would create, update
 * or leave, and every error by line and column), and a plan is applied through an injected client.
 * See the README, "Using the importer from code".
 */

export type { GrantsClient } from './api-client';
export { ApiError, AuthError, TransientError } from './api-client';
export type { CordisOptions } from './cordis';
export { type Windows1252Decoder, webWindows1252 } from './csv';
export type { ImportFile } from './files';
export type { RowPlan } from './plan';
export { describePlan, formatSummary, type Summary } from './report';
export { formatRowError, type RowError } from './rows';
export { DEFAULT_CONCURRENCY, type RunResult } from './run';

export interface ImportOptions {
  /** For a CORDIS download: whose participations (PIC), which forvaltning, lead and today. */
  readonly cordis?: Omit<CordisOptions, 'decodeWindows1252'> | undefined;
  /** Windows-1252 → text; the browser's TextDecoder by default. In Node pass `decodeWindows1252` of `./node`. */
  readonly decodeWindows1252?: Windows1252Decoder | undefined;
}

export interface ReadFiles {
  readonly kind: 'sheet' | 'cordis';
  /** How the files were read: "CSV, Windows-1252, ';'-separated; numbers in Danish notation (…)". */
  readonly description: string;
  readonly mapped: MappedRows;
}

const problemOf = (error: SheetError, fallback: string): RowError => ({
  where: [error.file ?? fallback, error.line === undefined ? undefined : `line ${error.line}`]
    .filter(Boolean)
    .join(' '),
  field: '(file)',
  message: error.message,
});

const unreadable = (kind: ReadFiles['kind'], description: string, error: RowError): ReadFiles => ({
  kind,
  description,
  mapped: { rows: [], errors: [error], invalidLines: 1 },
});

/**
 * Reads what the user handed over: one spreadsheet (CSV or XLSX), or a CORDIS download (its zips,
 * or the CSVs of an unzipped one). Every row is mapped and validated; nothing is asked of the API.
 */
export const readFiles = async (
  files: readonly ImportFile[],
  options: ImportOptions = {},
): Promise<ReadFiles> => {
  const names = files.map((f) => f.name).join(', ');
  let expanded: ImportFile[];
  try {
    expanded = expandZips(files);
  } catch (error) {
    if (error instanceof SheetError) return unreadable('sheet', names, problemOf(error, names));
    throw error;
  }
  if (looksLikeCordis(expanded)) {
    const description = `CORDIS ${names}`;
    if (!options.cordis) {
      return unreadable('cordis', description, {
        where: names,
        field: '(options)',
        message: 'is a CORDIS download: give the PIC whose projects to import and their forvaltning',
      });
    }
    try {
      const mapped = mapCordis(expanded, { ...options.cordis, decodeWindows1252: options.decodeWindows1252 });
      return { kind: 'cordis', description: `${description}, PIC ${options.cordis.pic}`, mapped };
    } catch (error) {
      if (error instanceof SheetError) return unreadable('cordis', description, problemOf(error, names));
      throw error;
    }
  }
  const [file, ...others] = files;
  if (!file || others.length) {
    return unreadable('sheet', names, {
      where: names || 'no file',
      field: '(file)',
      message: 'give one spreadsheet (CSV or XLSX), or a CORDIS download (project and organization tables)',
    });
  }
  try {
    const sheet = await readSheet(file.bytes, options);
    const mapped = mapSheet(sheet);
    const notation = mapped.notation ? `; ${mapped.notation}` : '';
    return { kind: 'sheet', description: `${file.name} (${sheet.description}${notation})`, mapped };
  } catch (error) {
    if (error instanceof SheetError) return unreadable('sheet', file.name, problemOf(error, file.name));
    throw error;
  }
};

export interface ImportPlan extends ReadFiles {
  /** The valid rows and what each does; empty when anything is invalid. */
  readonly rows: readonly RowPlan[];
  /** Every error, by line and column: of the files, or of rows that contradict the register. */
  readonly errors: readonly RowError[];
  readonly invalidLines: number;
  /** What applying it would do. */
  readonly summary: Summary;
}

export interface PlanProgress {
  /** Grants read from the register so far. */
  onRegister?(count: number): void;
  /** Rows compared with the register so far. */
  onCompare?(done: number, total: number): void;
}

/** The register as planning reads it (a part of the generated client's calls). */
export type RegisterReader = Pick<GrantsClient, 'listGrants' | 'getGrant'>;

/**
 * What importing the files would do, decided before anything is written: reads the files, then the
 * register, and compares. A file with any invalid row plans nothing (`rows` is empty).
 */
export const planFiles = async (
  files: readonly ImportFile[],
  options: ImportOptions,
  register: RegisterReader,
  progress: PlanProgress = {},
): Promise<ImportPlan> => {
  const mapped = await readFiles(files, options);
  const refused = (errors: readonly RowError[], invalidLines: number): ImportPlan => ({
    ...mapped,
    rows: [],
    errors,
    invalidLines,
    summary: { ...plannedSummary([], true), invalid: invalidLines },
  });
  if (mapped.mapped.errors.length) return refused(mapped.mapped.errors, mapped.mapped.invalidLines);
  const existing: GrantDto[] = await register.listGrants(progress.onRegister);
  // One read per grant gives both its payments and its expected payments.
  const reads = new Map<string, Promise<GrantDto>>();
  const read = (grantId: string) => {
    let grant = reads.get(grantId);
    if (!grant) {
      grant = register.getGrant(grantId);
      reads.set(grantId, grant);
    }
    return grant;
  };
  const ports: PlanPorts = {
    loadPayments: async (grantId) => (await read(grantId)).payments ?? [],
    loadExpectedPayments: async (grantId) => (await read(grantId)).expectedPayments ?? [],
    ...(progress.onCompare ? { onProgress: progress.onCompare } : {}),
  };
  const plan = await planImport(mapped.mapped.rows, existing, ports);
  if (plan.errors.length) return refused(plan.errors, plan.invalidLines);
  return {
    ...mapped,
    rows: plan.rows,
    errors: [],
    invalidLines: 0,
    summary: plannedSummary(plan.rows, true),
  };
};

/**
 * Writes a plan through the API, `concurrency` grants at a time (8 by default), reporting progress
 * per row. A plan with errors is refused whole: nothing of it is written.
 */
export const applyPlan = async (
  plan: Pick<ImportPlan, 'rows' | 'errors'>,
  client: GrantsClient,
  options: Pick<RunOptions, 'concurrency' | 'onProgress'> = {},
): Promise<RunResult> => {
  if (plan.errors.length) throw new Error('The plan has errors; nothing of it is written.');
  return runPlan(plan.rows, client, options);
};

/** The summary of what applying a plan did. */
export const appliedSummary = (result: RunResult): Summary => ({
  created: result.created,
  updated: result.updated,
  unchanged: result.unchanged,
  invalid: 0,
  failed: result.failed,
  paymentsRecorded: result.paymentsRecorded,
  expectedPaymentsAdded: result.expectedPaymentsAdded,
  dryRun: false,
});
