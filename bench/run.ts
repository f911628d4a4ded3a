import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDocumentClient, createDynamoClient } from '../lib/adapters/clients';
import { devTokenVerifier, issueDevToken } from '../lib/local/dev-tokens';
import {
  ensureTables,
  localDynamoClient,
  type RunningDynamo,
  startDynamoDbLocal,
} from '../lib/local/dynamodb-local';
import { configureHandlerEnv } from '../lib/local/handler-env';
import { Ledger } from '../lib/storage/ledger';
import { IDEMPOTENCY_TABLE, LEDGER_TABLE } from '../lib/storage/tables';
import { type BenchApi, startBenchApi } from './api';
import { measureBundles } from './bundles';
import { reportLoadAndFaults, runLoadAndFaults } from './faults';
import { importTable, runImportBench } from './import';
import { batchWrite } from './load';
import { describeMachine } from './machine';
import {
  createNaiveTable,
  measureRegister,
  measureScan,
  measureSweep,
  measureTotals,
  measureTotalsQuery,
} from './measure';
import { PortfolioBuild, totalsItems } from './portfolio';
import { checkPortfolioFidelity } from './sanity';
import { percentile, round } from './stats';
import { table, verdict } from './table';

/**
 * `npm run bench`: the design's costs, measured side by side in one run on this machine, against
 * the naive design. Progress goes to stderr; the report to stdout, its last line one JSON object.
 * BENCHMARKS.md explains the method and the figures.
 */

// As in the command-line tools (lib/local/cli/args.ts): the machine's Node.js is printed above.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SEED = 20_261_122;
/** Daily sweeps have run up to this date; the measured sweep is the next day's. */
const AS_OF = '2026-11-22';
const SWEEP_DAY = '2026-11-23';
const SMALL = 200;
const LARGE = 20_000;
const TARGETS = {
  totalsScaleRatio: 1.5,
  totalsScanSpeedup: 20,
  sweepReadsPerDue: 2,
  registerOverheadRatio: 2,
  bundleKB: 400,
  importSpeedup: 4,
};
/** The load and fault run (PRODUCT.md 8): 50 clients for a minute, then the store paused and killed. */
const LOAD = { clients: 50, loadSeconds: 60, pauseSeconds: 5, faultDelaySeconds: 10, afterKillSeconds: 20 };
/** `npm run bench -- --load-only`: only the load and fault run. */
const LOAD_ONLY = process.argv.includes('--load-only');
const REPS = {
  bundleImports: 15,
  totalsWarmup: 50,
  totals: 300,
  scanWarmup: 2,
  scan: 7,
  smallScan: 30,
  registerWarmup: 30,
  register: 150,
};

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);
const ms = (value: number) => round(value, 2);

/** The largest totals item of each view, in KB as DynamoDB sizes items (names + values). */
const largestTotalsKB = (cells: ReadonlyMap<string, number>): string =>
  ['S', 'Y', 'Q']
    .map((view) =>
      Math.max(
        ...totalsItems(cells)
          .filter((item) => item.pk === `TOTALS#${view}`)
          .map(itemBytes),
      ),
    )
    .map((bytes) => (bytes / 1024).toFixed(1))
    .join(' / ');

const itemBytes = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce(
    (sum, [name, value]) =>
      sum +
      Buffer.byteLength(name) +
      (typeof value === 'number'
        ? Math.ceil(String(Math.abs(value)).replace(/^0+/, '').length / 2) + 1
        : Buffer.byteLength(String(value))),
    0,
  );

const main = async () => {
  const machine = await describeMachine();
  out('funding-tracker benchmarks (npm run bench)');
  out(
    table('Machine', [
      ['', 'value'],
      ['CPU', `${machine.cpu}, ${machine.cores} cores`],
      ['Memory', `${machine.memoryGiB} GiB (${machine.freeMemoryGiB} GiB free at start)`],
      ['OS', machine.os],
      ['Node.js', machine.node],
      ['Java', machine.java],
      ['DynamoDB', machine.dynamoDbLocal],
      ['Load average (1 min) at start', String(machine.loadAverage1m)],
      ['Commit', machine.commit],
    ]),
  );

  // ---- Load and faults, on a stack of their own, before anything else takes a core ----
  log(
    `[${elapsed()}] load and faults: ${LOAD.clients} clients, ${LOAD.loadSeconds} s of load, then DynamoDB Local paused ${LOAD.pauseSeconds} s and killed once`,
  );
  const loadFaults = reportLoadAndFaults(await runLoadAndFaults({ ...LOAD, log }), out);
  const loadMet = {
    load5xx: loadFaults.load5xx === 0,
    loadTotalsDrift: loadFaults.loadTotalsDrift === 0 && loadFaults.loadLostWrites === 0,
    fault500s: loadFaults.fault500s === 0 && loadFaults.faultNoAnswer === 0,
    faultRecoverySeconds: loadFaults.faultRecoverySeconds <= 10,
    faultLostWrites: loadFaults.faultLostWrites === 0 && loadFaults.faultLostEvents === 0,
  };
  if (LOAD_ONLY) {
    out(JSON.stringify({ ...loadFaults, targetsMet: loadMet, loadRun: LOAD, machine }));
    return;
  }

  // ---- Bundles, before DynamoDB Local takes a core ----
  log(
    `[${elapsed()}] bundling each function as infra/function.ts does, importing each ${REPS.bundleImports}× cold`,
  );
  const bundles = await measureBundles({ runs: REPS.bundleImports, log });
  const maxBundleKB = Math.max(...bundles.map((b) => b.kb));
  out(
    table(
      `Lambda bundles (esbuild as in infra/function.ts; cold import = median of ${REPS.bundleImports} fresh node processes)`,
      [
        ['function', 'KB (minified)', 'cold import ms', 'p10–p90 ms', 'largest parts'],
        ...bundles.map((b) => [
          b.fn,
          b.kb,
          round(b.coldImportMs, 1),
          `${percentile(b.coldImportRuns, 10).toFixed(0)}–${percentile(b.coldImportRuns, 90).toFixed(0)}`,
          b.topInputs.map((i) => `${i.input} ${i.kb}`).join(', '),
        ]),
      ],
    ),
  );

  log(`[${elapsed()}] starting DynamoDB Local (in memory)`);
  const dynamo: RunningDynamo = await startDynamoDbLocal();
  const stopDynamo = () => dynamo.stop();
  const dataDir = await mkdtemp(join(tmpdir(), 'funding-tracker-bench-tokens-'));
  const onSignal = () => {
    void stopDynamo()
      .then(() => rm(dataDir, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const apis: BenchApi[] = [];
  try {
    const client = localDynamoClient(dynamo.endpoint);
    const db = createDocumentClient(client);
    const sets = {
      sanity: await ensureTables(client, 'bench-sanity'),
      small: await ensureTables(client, 'bench-200'),
      large: await ensureTables(client, 'bench-20k'),
    };
    const ledgerOf = (names: Record<string, string>) => names[LEDGER_TABLE.id] as string;
    const idempotencyOf = (names: Record<string, string>) => names[IDEMPOTENCY_TABLE.id] as string;
    configureHandlerEnv(dynamo.endpoint, {
      ledger: ledgerOf(sets.large),
      idempotency: idempotencyOf(sets.large),
    });

    // ---- Is what the bench writes what the product writes? ----
    log(`[${elapsed()}] sanity: replaying sample histories through the use cases and comparing items`);
    const sanity = await checkPortfolioFidelity(db, ledgerOf(sets.sanity), {
      seed: SEED,
      asOf: AS_OF,
      perStatus: 4,
    });
    out(
      table('Sanity: bench-built items against the product writing the same histories', [
        ['grants', 'requests replayed', 'items compared', 'TOTALS items', 'mismatches'],
        [
          sanity.grants,
          sanity.requests,
          sanity.itemsCompared,
          sanity.totalsItemsCompared,
          sanity.mismatches.length,
        ],
      ]),
    );
    if (sanity.mismatches.length) {
      throw new Error(
        `The bench does not write what the product writes:\n${sanity.mismatches.slice(0, 20).join('\n')}`,
      );
    }

    // ---- Portfolios ----
    const builds: Record<'small' | 'large', PortfolioBuild> = {
      small: new PortfolioBuild(SEED, SMALL, AS_OF, true),
      large: new PortfolioBuild(SEED, LARGE, AS_OF, true),
    };
    const naiveTables = { small: 'bench-200-naive-grants', large: 'bench-20k-naive-grants' };
    const loadSeconds: Record<string, number> = {};
    for (const which of ['small', 'large'] as const) {
      const build = builds[which];
      const tableName = ledgerOf(sets[which]);
      const t0 = performance.now();
      let lastReport = t0;
      log(`[${elapsed()}] building ${build.size.toLocaleString('en-US')} grants into ${tableName}`);
      const result = await batchWrite(db, tableName, build.chunks(20), {
        concurrency: 16,
        onProgress: (written) => {
          const now = performance.now();
          if (now - lastReport < 5000) return;
          lastReport = now;
          const rate = written / ((now - t0) / 1000);
          log(
            `  ${build.grants.toLocaleString('en-US')}/${build.size.toLocaleString('en-US')} grants, ${written.toLocaleString('en-US')} items written (${rate.toFixed(0)} items/s)`,
          );
        },
      });
      const totals = totalsItems(build.cells);
      await batchWrite(db, tableName, [totals], { concurrency: 1 });
      loadSeconds[which] = (performance.now() - t0) / 1000;
      log(
        `  done: ${(result.written + totals.length).toLocaleString('en-US')} items in ${loadSeconds[which]?.toFixed(1)} s (${result.calls} BatchWriteItem calls, ${result.retries} retries)`,
      );
      // The naive design's table: the same grant items, nothing else.
      await createNaiveTable(client, naiveTables[which]);
      await batchWrite(db, naiveTables[which], [build.grantItemsKept.splice(0)], { concurrency: 16 });
      log(`  and its ${build.grants.toLocaleString('en-US')} grant items into ${naiveTables[which]}`);
    }
    out(
      table('Portfolios (BatchWriteItem, 25 items a call, 16 calls in flight)', [
        [
          'set',
          'grants',
          'deadlines',
          'payments',
          'TOTALS items',
          'largest S / Y / Q KB',
          'items',
          'build+write s',
          'by status',
        ],
        ...(['small', 'large'] as const).map((which) => {
          const b = builds[which];
          return [
            ledgerOf(sets[which]),
            b.grants,
            b.deadlines,
            b.payments,
            totalsItems(b.cells).length,
            largestTotalsKB(b.cells),
            b.items + totalsItems(b.cells).length,
            round(loadSeconds[which] ?? 0, 1),
            Object.entries(b.byStatus)
              .sort()
              .map(([s, n]) => `${s} ${n}`)
              .join(', '),
          ];
        }),
      ]),
    );

    // ---- The HTTP stack ----
    const verifyToken = await devTokenVerifier(dataDir);
    const financeToken = await issueDevToken(dataDir, { email: 'finance@kk.dk', roles: ['finance'] });
    const learToken = await issueDevToken(dataDir, { email: 'lear@kk.dk', roles: ['lear-admin'] });
    const small = await startBenchApi({
      endpoint: dynamo.endpoint,
      ledgerTable: ledgerOf(sets.small),
      idempotencyTable: idempotencyOf(sets.small),
      verifyToken,
    });
    apis.push(small);
    const large = await startBenchApi({
      endpoint: dynamo.endpoint,
      ledgerTable: ledgerOf(sets.large),
      idempotencyTable: idempotencyOf(sets.large),
      verifyToken,
    });
    apis.push(large);

    // ---- Totals: ours at both sizes, and the naive scan ----
    log(
      `[${elapsed()}] GET /totals?groupBy=forvaltning, ${REPS.totals}× per set after ${REPS.totalsWarmup} warm-ups`,
    );
    const totals = await measureTotals({ small, large }, financeToken, {
      warmup: REPS.totalsWarmup,
      reps: REPS.totals,
    });
    log(
      `[${elapsed()}] the Query of the totals item alone (Ledger.readTotals('S')), ${REPS.totals}× per set`,
    );
    const totalsQuery = await measureTotalsQuery(
      {
        small: new Ledger(createDocumentClient(createDynamoClient(dynamo.endpoint)), ledgerOf(sets.small)),
        large: new Ledger(createDocumentClient(createDynamoClient(dynamo.endpoint)), ledgerOf(sets.large)),
      },
      { warmup: REPS.totalsWarmup, reps: REPS.totals },
    );
    log(
      `[${elapsed()}] scan-and-sum baseline on ${naiveTables.large}, ${REPS.scan}× after ${REPS.scanWarmup} warm-ups`,
    );
    const scanLarge = await measureScan(db, naiveTables.large, {
      warmup: REPS.scanWarmup,
      reps: REPS.scan,
      log,
    });
    const scanSmall = await measureScan(db, naiveTables.small, {
      warmup: 3,
      reps: REPS.smallScan,
      log: () => undefined,
    });
    const sameAnswer =
      JSON.stringify({ groups: scanLarge.report.groups, total: scanLarge.report.total }) ===
      JSON.stringify({ groups: totals.largeReport.groups, total: totals.largeReport.total });
    if (!sameAnswer) {
      throw new Error(
        `The scan and /totals disagree:\n${JSON.stringify(scanLarge.report.total)}\n${JSON.stringify(totals.largeReport.total)}`,
      );
    }
    const totalsScaleRatio = totals.large.median / totals.small.median;
    const totalsScanSpeedup = scanLarge.summary.median / totals.large.median;
    out(
      table(
        'GET /totals?groupBy=forvaltning (ms; ours through the local HTTP stack, the scan direct through the SDK)',
        [
          ['design', 'grants', 'median', 'p10', 'p90', 'runs', 'items read'],
          [
            'materialised (ours)',
            SMALL,
            ms(totals.small.median),
            ms(totals.small.p10),
            ms(totals.small.p90),
            totals.small.n,
            1,
          ],
          [
            'materialised (ours)',
            LARGE,
            ms(totals.large.median),
            ms(totals.large.p10),
            ms(totals.large.p90),
            totals.large.n,
            1,
          ],
          [
            'scan of a grants table and sum (naive)',
            SMALL,
            ms(scanSmall.summary.median),
            ms(scanSmall.summary.p10),
            ms(scanSmall.summary.p90),
            scanSmall.summary.n,
            scanSmall.scanned,
          ],
          [
            'scan of a grants table and sum (naive)',
            LARGE,
            ms(scanLarge.summary.median),
            ms(scanLarge.summary.p10),
            ms(scanLarge.summary.p90),
            scanLarge.summary.n,
            scanLarge.scanned,
          ],
        ],
      ),
    );
    out(
      `Both designs give the same totals at ${LARGE.toLocaleString('en-US')} grants: ${sameAnswer ? 'yes' : 'NO'}.`,
    );

    // ---- The sweep ----
    const expected = builds.large.dueBy(SWEEP_DAY);
    log(`[${elapsed()}] sweep of ${SWEEP_DAY} on ${ledgerOf(sets.large)}`);
    const sweep = await measureSweep(
      createDocumentClient(createDynamoClient(dynamo.endpoint)),
      ledgerOf(sets.large),
      SWEEP_DAY,
    );
    const due = expected.deadlines + expected.fundingEnds;
    const itemsRead = sweep.reads.queryItems + sweep.reads.batchGetItems;
    const sweepReadsPerDue = itemsRead / due;
    const sweepMatches = sweep.summary.itemsDue === due && sweep.summary.grantsRead === expected.grantsToRead;
    if (!sweepMatches) {
      throw new Error(
        `The sweep read ${sweep.summary.itemsDue} due items and ${sweep.summary.grantsRead} grants; the portfolio has ${due} due and ${expected.grantsToRead} grants to read.`,
      );
    }
    out(
      table(
        `Daily sweep of ${SWEEP_DAY} at ${LARGE.toLocaleString('en-US')} grants (sweeps ran daily up to ${AS_OF})`,
        [
          [
            'due deadlines',
            'due funding ends',
            'items read (index)',
            'grants read',
            'items read / due',
            'read units',
            'alerts sent',
            'ms',
          ],
          [
            expected.deadlines,
            expected.fundingEnds,
            sweep.reads.queryItems,
            sweep.reads.batchGetItems,
            round(sweepReadsPerDue, 3),
            round(sweep.reads.readUnits, 1),
            Object.values(sweep.summary.alertsSent).reduce((a, b) => a + b, 0),
            round(sweep.ms, 0),
          ],
        ],
      ),
    );
    const allItems = builds.large.items + totalsItems(builds.large.cells).length;
    out(
      `A sweep without the index would read every deadline and grant (${(builds.large.deadlines + builds.large.grants).toLocaleString('en-US')} of the table's ${allItems.toLocaleString('en-US')} items) to find the same ${due}.`,
    );

    // ---- Registration ----
    const rawDb = createDocumentClient(createDynamoClient(dynamo.endpoint));
    log(`[${elapsed()}] POST /grants against its raw TransactWriteItems, ${REPS.register}× each per set`);
    const registerLarge = await measureRegister(large, rawDb, learToken, {
      warmup: REPS.registerWarmup,
      reps: REPS.register,
    });
    const registerSmall = await measureRegister(small, rawDb, learToken, {
      warmup: REPS.registerWarmup,
      reps: REPS.register,
    });
    out(
      table('POST /grants through the local HTTP stack against the raw TransactWriteItems it makes (ms)', [
        ['set', 'path', 'median', 'p10', 'p90', 'runs', 'ratio of medians'],
        ...(
          [
            [SMALL, registerSmall],
            [LARGE, registerLarge],
          ] as const
        ).flatMap(([size, r]) => [
          [
            size,
            'POST /grants (HTTP)',
            ms(r.http.median),
            ms(r.http.p10),
            ms(r.http.p90),
            r.http.n,
            round(r.ratio, 3),
          ],
          [size, 'raw TransactWriteItems', ms(r.raw.median), ms(r.raw.p10), ms(r.raw.p90), r.raw.n, ''],
          [
            size,
            '  the same without its totals ADDs',
            ms(r.rawWithoutTotals.median),
            ms(r.rawWithoutTotals.p10),
            ms(r.rawWithoutTotals.p90),
            r.rawWithoutTotals.n,
            '',
          ],
        ]),
      ]),
    );
    const tx = registerLarge.transaction;
    out(
      `The registration's transaction: ${tx.items} items (${tx.puts} puts: grant, report deadlines, outbox events; ${tx.updates} totals ADDs), ${tx.bytes.toLocaleString('en-US')} bytes of request. DynamoDB Local reports ${round(tx.writeUnits, 1)} write units at ${LARGE.toLocaleString('en-US')} grants (${round(tx.writeUnitsWithoutTotals, 1)} without the totals ADDs) and ${round(registerSmall.transaction.writeUnits, 1)} at ${SMALL} (${round(registerSmall.transaction.writeUnitsWithoutTotals, 1)} without): an ADD is charged for the whole totals item it changes.`,
    );

    // ---- The importer: 1,000 new grants row by row and 8 at a time, through a local stack of its own ----
    log(`[${elapsed()}] import: 1,000 new grants from a Danish sheet, row by row and 8 at a time`);
    const imported = await runImportBench(log);
    out(importTable(imported));

    // ---- Summary ----
    const registerOverheadRatio = registerLarge.ratio;
    const results = {
      totalsScaleRatio: round(totalsScaleRatio, 3),
      totalsScanSpeedup: round(totalsScanSpeedup, 1),
      sweepReadsPerDue: round(sweepReadsPerDue, 3),
      registerOverheadRatio: round(registerOverheadRatio, 3),
      maxBundleKB,
      importSpeedup: imported.importSpeedup,
      importerSpeedupLatencyBound: imported.importerSpeedupLatencyBound,
    };
    const met = {
      totalsScaleRatio: results.totalsScaleRatio <= TARGETS.totalsScaleRatio,
      totalsScanSpeedup: results.totalsScanSpeedup >= TARGETS.totalsScanSpeedup,
      sweepReadsPerDue: results.sweepReadsPerDue <= TARGETS.sweepReadsPerDue,
      registerOverheadRatio: results.registerOverheadRatio <= TARGETS.registerOverheadRatio,
      maxBundleKB: results.maxBundleKB <= TARGETS.bundleKB,
      importSpeedup: results.importSpeedup >= TARGETS.importSpeedup,
    };
    const runSeconds = round((performance.now() - started) / 1000, 1);
    out(
      table(
        `Quality bars (PRODUCT.md 7), run time ${runSeconds} s, load average (1 min) at the end ${round(loadavg()[0] ?? 0, 2)}`,
        [
          ['measure', 'value', 'target', 'verdict'],
          ['totalsScaleRatio', results.totalsScaleRatio, '≤ 1.5', verdict(met.totalsScaleRatio)],
          ['totalsScanSpeedup', results.totalsScanSpeedup, '≥ 20', verdict(met.totalsScanSpeedup)],
          ['sweepReadsPerDue', results.sweepReadsPerDue, '≤ 2', verdict(met.sweepReadsPerDue)],
          ['registerOverheadRatio', results.registerOverheadRatio, '≤ 2', verdict(met.registerOverheadRatio)],
          ['maxBundleKB', results.maxBundleKB, '≤ 400', verdict(met.maxBundleKB)],
          ['importSpeedup', results.importSpeedup, '≥ 4', verdict(met.importSpeedup)],
          ['load5xx', loadFaults.load5xx, '0', verdict(loadMet.load5xx)],
          ['loadTotalsDrift', loadFaults.loadTotalsDrift, '0', verdict(loadMet.loadTotalsDrift)],
          ['fault500s', loadFaults.fault500s, '0', verdict(loadMet.fault500s)],
          [
            'faultRecoverySeconds',
            loadFaults.faultRecoverySeconds,
            '≤ 10',
            verdict(loadMet.faultRecoverySeconds),
          ],
          ['faultLostWrites', loadFaults.faultLostWrites, '0', verdict(loadMet.faultLostWrites)],
        ],
      ),
    );
    const summary = {
      ...results,
      ...loadFaults,
      targetsMet: { ...met, ...loadMet },
      loadRun: LOAD,
      bundles: Object.fromEntries(
        bundles.map((b) => [b.fn, { kb: b.kb, bytes: b.bytes, coldImportMs: round(b.coldImportMs, 1) }]),
      ),
      medians: {
        totalsMs200: ms(totals.small.median),
        totalsMs20k: ms(totals.large.median),
        totalsQueryMs200: ms(totalsQuery.small.median),
        totalsQueryMs20k: ms(totalsQuery.large.median),
        scanAndSumMs200: ms(scanSmall.summary.median),
        scanAndSumMs20k: ms(scanLarge.summary.median),
        registerHttpMs20k: ms(registerLarge.http.median),
        registerRawMs20k: ms(registerLarge.raw.median),
        registerHttpMs200: ms(registerSmall.http.median),
        registerRawMs200: ms(registerSmall.raw.median),
        registerRawWithoutTotalsMs20k: ms(registerLarge.rawWithoutTotals.median),
        registerRawWithoutTotalsMs200: ms(registerSmall.rawWithoutTotals.median),
      },
      import: imported,
      sweep: {
        day: SWEEP_DAY,
        dueDeadlines: expected.deadlines,
        dueFundingEnds: expected.fundingEnds,
        indexItemsRead: sweep.reads.queryItems,
        grantsRead: sweep.reads.batchGetItems,
        readUnits: round(sweep.reads.readUnits, 2),
        ms: round(sweep.ms, 1),
      },
      register: {
        transactionItems: tx.items,
        writeUnits20k: tx.writeUnits,
        writeUnits200: registerSmall.transaction.writeUnits,
        writeUnitsWithoutTotals20k: tx.writeUnitsWithoutTotals,
        writeUnitsWithoutTotals200: registerSmall.transaction.writeUnitsWithoutTotals,
      },
      scan20k: {
        itemsScanned: scanLarge.scanned,
        grants: scanLarge.grants,
        readUnits: round(scanLarge.readUnits, 1),
        pages: scanLarge.pages,
      },
      portfolios: Object.fromEntries(
        (['small', 'large'] as const).map((which) => {
          const b = builds[which];
          return [
            b.size,
            {
              grants: b.grants,
              deadlines: b.deadlines,
              payments: b.payments,
              items: b.items + totalsItems(b.cells).length,
              buildSeconds: round(loadSeconds[which] ?? 0, 1),
            },
          ];
        }),
      ),
      runs: REPS,
      machine: { ...machine, loadAverage1mAtEnd: round(loadavg()[0] ?? 0, 2) },
      runSeconds,
    };
    out(JSON.stringify(summary));
  } finally {
    for (const api of apis) await api.stop().catch(() => undefined);
    await stopDynamo();
    await rm(dataDir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
};

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
