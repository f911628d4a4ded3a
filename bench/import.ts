import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import iconv from 'iconv-lite';
import { createGrantsClient } from '../lib/import/api-client';
import { applyPlan, type ImportFile, planFiles } from '../lib/import/index';
import { decodeWindows1252 } from '../lib/import/node';
import { issueDevToken } from '../lib/local/dev-tokens';
import { startStack } from './faults';
import { round } from './stats';
import { table } from './table';

/**
 * The import measurement of `npm run bench` (and `npm run bench:import` on its own): a sheet of
 * 1,000 new grants, as Danish Excel writes it, imported through the local stack once row by row
 * (concurrency 1) and once 8 grants at a time, in the same run on the same API. Both files are read
 * and planned the same way; what differs is how the plan is written, and that is what is timed.
 * `importSpeedup` is the sequential time ÷ the concurrent time. The concurrent run goes second, into
 * a register 1,000 grants larger, so the ratio errs on the low side.
 */

export interface ImportMeasure {
  readonly rows: number;
  readonly concurrency: number;
  readonly sequentialSeconds: number;
  readonly concurrentSeconds: number;
  readonly sequentialRowsPerSecond: number;
  readonly concurrentRowsPerSecond: number;
  /** Reading, listing the register and comparing, per run (not part of the ratio). */
  readonly planSeconds: readonly number[];
  readonly importSpeedup: number;
}

const HEADER =
  'Acronym;Title;Programme;Forvaltning;Role;Status;StartDate;EndDate;Awarded;Currency;ExchangeRateToDkk;ProjectLeadName;ProjectLeadEmail;Received;ReceivedOn';
const FORVALTNINGER = ['OKF', 'KFF', 'TMF', 'BIF', 'BUF', 'SUF', 'SOF'] as const;

/** `rows` new grants in Danish notation, Windows-1252, `;`: every fifth with a payment. */
export const danishSheet = (name: string, prefix: string, rows: number): ImportFile => {
  const lines = Array.from({ length: rows }, (_, i) => {
    const n = i + 1;
    const eur = n % 3 === 0;
    const awarded = `${(100_000 + n * 1_250).toLocaleString('da-DK')},50${eur ? '' : ' kr.'}`;
    const paid = n % 5 === 0 ? `${(10_000 + n).toLocaleString('da-DK')},00;15-01-2024` : ';';
    return [
      `${prefix}-${n}`,
      `Bysamarbejde nr. ${n} – grønne gårde`,
      eur ? 'Interreg' : 'FOUNDATION',
      FORVALTNINGER[n % FORVALTNINGER.length],
      'PARTNER',
      'ACTIVE',
      '01-01-2024',
      '31-12-2026',
      awarded,
      eur ? 'EUR' : 'DKK',
      eur ? '7,46' : '',
      'Åse Møller',
      'aase@kk.dk',
      paid,
    ].join(';');
  });
  return { name, bytes: iconv.encode(`${[HEADER, ...lines].join('\r\n')}\r\n`, 'windows-1252') };
};

const seconds = (since: number) => (performance.now() - since) / 1000;

export const measureImport = async (options: {
  readonly apiUrl: string;
  readonly token: string;
  readonly rows?: number;
  readonly concurrency?: number;
  readonly log?: (line: string) => void;
}): Promise<ImportMeasure> => {
  const rows = options.rows ?? 1_000;
  const concurrency = options.concurrency ?? 8;
  const log = options.log ?? (() => undefined);
  const client = createGrantsClient({ baseUrl: options.apiUrl, token: options.token });

  const importOnce = async (file: ImportFile, width: number) => {
    const planning = performance.now();
    const plan = await planFiles([file], { decodeWindows1252 }, client);
    const planSeconds = seconds(planning);
    if (plan.errors.length || plan.summary.created !== plan.rows.length) {
      throw new Error(
        `The bench sheet ${file.name} does not plan as new grants: ${JSON.stringify(plan.errors[0])}`,
      );
    }
    const writing = performance.now();
    const result = await applyPlan(plan, client, { concurrency: width });
    const writeSeconds = seconds(writing);
    if (result.failed || result.created !== plan.rows.length) {
      throw new Error(`The import of ${file.name} failed: ${JSON.stringify(result.errors.slice(0, 3))}`);
    }
    return { planSeconds, writeSeconds };
  };

  // Warm both paths (JIT, connections, DynamoDB Local's first writes) before timing.
  await importOnce(danishSheet('warm-up.csv', 'WARM', 40), concurrency);
  log(`import: ${rows} new grants row by row`);
  const sequential = await importOnce(danishSheet('sekventiel.csv', 'SEQ', rows), 1);
  log(`import: ${rows} new grants, ${concurrency} at a time`);
  const concurrent = await importOnce(danishSheet('samtidig.csv', 'CON', rows), concurrency);
  return {
    rows,
    concurrency,
    sequentialSeconds: round(sequential.writeSeconds, 2),
    concurrentSeconds: round(concurrent.writeSeconds, 2),
    sequentialRowsPerSecond: round(rows / sequential.writeSeconds, 1),
    concurrentRowsPerSecond: round(rows / concurrent.writeSeconds, 1),
    planSeconds: [round(sequential.planSeconds, 2), round(concurrent.planSeconds, 2)],
    importSpeedup: round(sequential.writeSeconds / concurrent.writeSeconds, 2),
  };
};

export const importTable = (m: ImportMeasure): string =>
  table(`Import of ${m.rows.toLocaleString('en-US')} new grants through the local stack (writes timed)`, [
    ['', 'seconds', 'rows/s', 'planning s'],
    ['row by row (concurrency 1)', m.sequentialSeconds, m.sequentialRowsPerSecond, m.planSeconds[0] ?? ''],
    [`${m.concurrency} at a time`, m.concurrentSeconds, m.concurrentRowsPerSecond, m.planSeconds[1] ?? ''],
    ['importSpeedup', m.importSpeedup, '', ''],
  ]);

/**
 * The whole measurement: the local stack started in its own process as `npm start` runs it (data on
 * disk, stream and bus running), a lear-admin token for it, the two imports, and the stack stopped.
 */
export const runImportBench = async (log: (line: string) => void): Promise<ImportMeasure> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'funding-tracker-bench-import-'));
  try {
    log('import: starting the local stack in its own process (npm start --no-seed)');
    const stack = await startStack(dataDir);
    try {
      const token = await issueDevToken(dataDir, { email: 'lear@kk.dk', roles: ['lear-admin'] });
      return await measureImport({ apiUrl: stack.apiUrl, token, log });
    } finally {
      await stack.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
};

const standalone = async () => {
  const measured = await runImportBench((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${importTable(measured)}\n${JSON.stringify(measured)}\n`);
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  standalone().catch((error: unknown) => {
    process.stderr.write(
      `bench import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
