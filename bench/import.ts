import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import iconv from 'iconv-lite';
import type { GrantDto } from '../lib/domain/schemas';
import { createGrantsClient, type GrantsClient } from '../lib/import/api-client';
import { applyPlan, type ImportFile, type ImportPlan, planFiles } from '../lib/import/index';
import { decodeWindows1252 } from '../lib/import/node';
import { issueDevToken } from '../lib/local/dev-tokens';
import { startStack } from './faults';
import { busyCores, readCpu } from './machine';
import { round } from './stats';
import { table } from './table';

/**
 * The import measurement of `npm run bench` (and `npm run bench:import` on its own): a sheet of
 * 1,000 new grants, as Danish Excel writes it, imported through the local stack once row by row
 * (concurrency 1) and once 8 grants at a time, in the same run on the same API. Both files are read
 * and planned the same way; what differs is how the plan is written, and that is what is timed.
 * `importSpeedup` is the sequential time ÷ the concurrent time. The concurrent run goes second, into
 * a register 1,000 grants larger, so the ratio errs on the low side.
 *
 * The local stack does all its work on this machine's cores: DynamoDB Local, the API and the event
 * pipeline. How many of them each run kept busy is measured too (/proc/stat), because it bounds the
 * ratio: a row-by-row run that already keeps 1.4 of 2 cores busy leaves at most 2 ÷ 1.4 for any
 * concurrency. In AWS that work is spread over Lambda instances and DynamoDB's partitions, and each
 * request waits on the network instead. What the importer itself makes of that is measured last:
 * the same plan, written to a stand-in for the API whose every call takes `LATENCY_MS` and which
 * never queues a call (`importerSpeedupLatencyBound`).
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
  /** The machine's cores busy on average while each run wrote (row by row, then concurrent); Linux only. */
  readonly busyCores: readonly (number | undefined)[];
  /** The first STAND_IN_ROWS rows of the same plans, written to a stand-in API answering every call after LATENCY_MS. */
  readonly latencyBound: {
    readonly latencyMs: number;
    readonly sequentialSeconds: number;
    readonly concurrentSeconds: number;
  };
  readonly importerSpeedupLatencyBound: number;
}

/** The stand-in API's answer time: the order of a call to API Gateway in an AWS region from Copenhagen. */
export const LATENCY_MS = 40;
/** The rows of each plan sent to the stand-in (it spends its time waiting: 200 rows tell as much as 1,000). */
const STAND_IN_ROWS = 200;

/**
 * A register that answers every call after `latencyMs` and can answer any number at once: what the
 * importer alone does with concurrency when each call waits on the network and nothing else.
 */
const latencyBoundClient = (latencyMs: number): GrantsClient => {
  let next = 0;
  const later = async <T>(value: T) => {
    await sleep(latencyMs);
    return value;
  };
  const refuse = () =>
    Promise.reject(new Error('The latency-bound stand-in only registers grants and payments.'));
  return {
    // The importer reads nothing of the answer but the id and version.
    createGrant: (input) =>
      later({ ...input, grantId: `STANDIN-${++next}`, version: 1 } as unknown as GrantDto),
    recordPayment: (_grantId, payment) =>
      later({ ...payment, paymentId: `STANDIN-PAY-${++next}` } as unknown as Awaited<
        ReturnType<GrantsClient['recordPayment']>
      >),
    listGrants: refuse,
    getGrant: refuse,
    updateGrant: refuse,
    addExpectedPayment: refuse,
  };
};

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
    const cpuBefore = await readCpu();
    const writing = performance.now();
    const result = await applyPlan(plan, client, { concurrency: width });
    const writeSeconds = seconds(writing);
    const cores = busyCores(cpuBefore, await readCpu());
    if (result.failed || result.created !== plan.rows.length) {
      throw new Error(`The import of ${file.name} failed: ${JSON.stringify(result.errors.slice(0, 3))}`);
    }
    return { plan, planSeconds, writeSeconds, cores };
  };
  /** The first STAND_IN_ROWS rows of a plan, written `width` at a time to the latency-bound stand-in. */
  const standInSeconds = async (plan: ImportPlan, width: number) => {
    const started = performance.now();
    const result = await applyPlan(
      { rows: plan.rows.slice(0, STAND_IN_ROWS), errors: [] },
      latencyBoundClient(LATENCY_MS),
      {
        concurrency: width,
      },
    );
    if (result.failed) throw new Error(`The stand-in run failed: ${JSON.stringify(result.errors[0])}`);
    return seconds(started);
  };

  // Warm both paths (JIT, connections, DynamoDB Local's first writes) before timing.
  await importOnce(danishSheet('warm-up.csv', 'WARM', 40), concurrency);
  log(`import: ${rows} new grants row by row`);
  const sequential = await importOnce(danishSheet('sekventiel.csv', 'SEQ', rows), 1);
  log(`import: ${rows} new grants, ${concurrency} at a time`);
  const concurrent = await importOnce(danishSheet('samtidig.csv', 'CON', rows), concurrency);
  log(
    `import: the first ${STAND_IN_ROWS} rows to a stand-in API answering after ${LATENCY_MS} ms, row by row and ${concurrency} at a time`,
  );
  const standIn = [
    await standInSeconds(sequential.plan, 1),
    await standInSeconds(sequential.plan, concurrency),
  ] as const;
  return {
    rows,
    concurrency,
    sequentialSeconds: round(sequential.writeSeconds, 2),
    concurrentSeconds: round(concurrent.writeSeconds, 2),
    sequentialRowsPerSecond: round(rows / sequential.writeSeconds, 1),
    concurrentRowsPerSecond: round(rows / concurrent.writeSeconds, 1),
    planSeconds: [round(sequential.planSeconds, 2), round(concurrent.planSeconds, 2)],
    importSpeedup: round(sequential.writeSeconds / concurrent.writeSeconds, 2),
    busyCores: [sequential.cores, concurrent.cores].map((c) => (c === undefined ? undefined : round(c, 2))),
    latencyBound: {
      latencyMs: LATENCY_MS,
      sequentialSeconds: round(standIn[0], 2),
      concurrentSeconds: round(standIn[1], 2),
    },
    importerSpeedupLatencyBound: round(standIn[0] / standIn[1], 2),
  };
};

export const importTable = (m: ImportMeasure): string =>
  table(`Import of ${m.rows.toLocaleString('en-US')} new grants through the local stack (writes timed)`, [
    [
      '',
      'seconds',
      'rows/s',
      'planning s',
      'busy cores',
      `stand-in API, ${m.latencyBound.latencyMs} ms a call: s`,
    ],
    [
      'row by row (concurrency 1)',
      m.sequentialSeconds,
      m.sequentialRowsPerSecond,
      m.planSeconds[0] ?? '',
      m.busyCores[0] ?? 'n/a',
      m.latencyBound.sequentialSeconds,
    ],
    [
      `${m.concurrency} at a time`,
      m.concurrentSeconds,
      m.concurrentRowsPerSecond,
      m.planSeconds[1] ?? '',
      m.busyCores[1] ?? 'n/a',
      m.latencyBound.concurrentSeconds,
    ],
    ['speedup', m.importSpeedup, '', '', '', m.importerSpeedupLatencyBound],
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
