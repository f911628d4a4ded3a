import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { fixedClock, type IsoDate } from '../lib/domain/dates';
import { expectedDkkByQuarter } from '../lib/domain/expected-payments';
import { awardedDkkMinor, COUNTS_AS_AWARDED, type GrantRecord } from '../lib/domain/grant';
import { dkk } from '../lib/domain/money';
import type { GrantInput } from '../lib/domain/schemas';
import { Ledger } from '../lib/storage/ledger';
import { type SweepSummary, sweepDeadlines } from '../lib/use-cases/sweep';
import type { TotalsReport } from '../lib/use-cases/totals';
import { type BenchApi, captureNextTransaction, withFreshIds } from './api';
import { THRESHOLDS } from './portfolio';
import { median, type Summary, summarise, timed } from './stats';

const TOTALS_PATH = '/totals?groupBy=forvaltning';

/** GET /totals?groupBy=forvaltning, answered 200, body read to the end. */
const getTotals = async (api: BenchApi, token: string): Promise<string> => {
  const response = await fetch(`${api.url}${TOTALS_PATH}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET /totals answered ${response.status}: ${body}`);
  return body;
};

/**
 * Totals latency through the local HTTP stack on both table sets, requests alternating between
 * them (the order flipping each round) so that drift in the machine hits both alike.
 */
export const measureTotals = async (
  apis: { readonly small: BenchApi; readonly large: BenchApi },
  token: string,
  options: { readonly warmup: number; readonly reps: number },
): Promise<{ small: Summary; large: Summary; largeReport: TotalsReport }> => {
  for (let i = 0; i < options.warmup; i++) {
    await getTotals(apis.small, token);
    await getTotals(apis.large, token);
  }
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < options.reps; i++) {
    const order = i % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
    for (const which of order) {
      const { ms } = await timed(() => getTotals(apis[which], token));
      (which === 'small' ? small : large).push(ms);
    }
  }
  const largeReport = JSON.parse(await getTotals(apis.large, token)) as TotalsReport;
  return { small: summarise(small), large: summarise(large), largeReport };
};

/** The totals item alone, as the handler's Ledger reads it: the part of GET /totals that is DynamoDB's. */
export const measureTotalsQuery = async (
  ledgers: { readonly small: Ledger; readonly large: Ledger },
  options: { readonly warmup: number; readonly reps: number },
): Promise<{ small: Summary; large: Summary }> => {
  for (let i = 0; i < options.warmup; i++) {
    await ledgers.small.readTotals('S');
    await ledgers.large.readTotals('S');
  }
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < options.reps; i++) {
    const order = i % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
    for (const which of order) {
      const { ms } = await timed(() => ledgers[which].readTotals('S'));
      (which === 'small' ? small : large).push(ms);
    }
  }
  return { small: summarise(small), large: summarise(large) };
};

/** The naive design's table: the grant items alone, keyed as ours, no indexes. */
export const createNaiveTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
};

/**
 * The naive design, as a user without materialised totals would build it: a table of grants, each
 * carrying its running payment sums, and totals computed by a Scan of it (only the attributes the
 * sum needs) added up per forvaltning. Called directly through the SDK, without the HTTP stack: the
 * baseline gets no overhead of ours.
 */
export const scanAndSumTotals = async (
  db: DynamoDBDocumentClient,
  tableName: string,
): Promise<{ report: TotalsReport; scanned: number; grants: number; readUnits: number; pages: number }> => {
  type Sum = { awarded: number; received: number; outstanding: number; expected: number; grantCount: number };
  const byForvaltning = new Map<string, Sum>();
  let scanned = 0;
  let grants = 0;
  let readUnits = 0;
  let pages = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression:
          'forvaltning, #status, awarded, exchangeRateToDkk, receivedDkkMinor, expectedByQuarter',
        ExpressionAttributeNames: { '#status': 'status' },
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    pages++;
    scanned += page.ScannedCount ?? 0;
    readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
    for (const item of page.Items ?? []) {
      const grant = item as Pick<
        GrantRecord,
        'forvaltning' | 'status' | 'awarded' | 'exchangeRateToDkk' | 'receivedDkkMinor' | 'expectedByQuarter'
      >;
      grants++;
      const sum = byForvaltning.get(grant.forvaltning) ?? {
        awarded: 0,
        received: 0,
        outstanding: 0,
        expected: 0,
        grantCount: 0,
      };
      const awarded = COUNTS_AS_AWARDED.has(grant.status) ? awardedDkkMinor(grant) : 0;
      sum.awarded += awarded;
      sum.received += grant.receivedDkkMinor;
      sum.outstanding += COUNTS_AS_AWARDED.has(grant.status) ? awarded - grant.receivedDkkMinor : 0;
      // Each quarter's sum converted on its own, as the totals count it.
      for (const minor of Object.values(expectedDkkByQuarter(grant))) sum.expected += minor;
      sum.grantCount += 1;
      byForvaltning.set(grant.forvaltning, sum);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const amounts = (s: Sum) => ({
    awarded: dkk(s.awarded).amount,
    received: dkk(s.received).amount,
    outstanding: dkk(s.outstanding).amount,
    expected: dkk(s.expected).amount,
    grantCount: s.grantCount,
  });
  const total = { awarded: 0, received: 0, outstanding: 0, expected: 0, grantCount: 0 };
  for (const s of byForvaltning.values()) {
    total.awarded += s.awarded;
    total.received += s.received;
    total.outstanding += s.outstanding;
    total.expected += s.expected;
    total.grantCount += s.grantCount;
  }
  const report: TotalsReport = {
    currency: 'DKK',
    groupBy: ['forvaltning'],
    groups: [...byForvaltning]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([forvaltning, s]) => ({ key: { forvaltning }, ...amounts(s) })),
    total: amounts(total),
  };
  return { report, scanned, grants, readUnits, pages };
};

export const measureScan = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  options: { readonly warmup: number; readonly reps: number; readonly log: (line: string) => void },
) => {
  for (let i = 0; i < options.warmup; i++) await scanAndSumTotals(db, tableName);
  const runs: number[] = [];
  let last: Awaited<ReturnType<typeof scanAndSumTotals>> | undefined;
  for (let i = 0; i < options.reps; i++) {
    const { ms, value } = await timed(() => scanAndSumTotals(db, tableName));
    runs.push(ms);
    last = value;
    options.log(`  scan ${i + 1}/${options.reps}: ${ms.toFixed(0)} ms`);
  }
  if (!last) throw new Error('no scan ran');
  return { summary: summarise(runs), ...last };
};

/** Items the sweep's reads returned, counted from the responses, and the read units DynamoDB reported. */
interface ReadCounter {
  queryItems: number;
  batchGetItems: number;
  readUnits: number;
  requests: number;
}

const countingReads = (db: DynamoDBDocumentClient): ReadCounter => {
  const counter: ReadCounter = { queryItems: 0, batchGetItems: 0, readUnits: 0, requests: 0 };
  const original = db.send.bind(db) as (...args: unknown[]) => Promise<unknown>;
  db.send = (async (command: unknown, ...rest: unknown[]) => {
    const result = await original(command, ...rest);
    if (command instanceof QueryCommand) {
      const page = result as QueryCommandOutput;
      counter.requests++;
      counter.queryItems += page.Count ?? 0;
      counter.readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
    } else if (command instanceof BatchGetCommand) {
      const page = result as BatchGetCommandOutput;
      counter.requests++;
      for (const items of Object.values(page.Responses ?? {})) counter.batchGetItems += items.length;
      for (const c of page.ConsumedCapacity ?? []) counter.readUnits += c.CapacityUnits ?? 0;
    }
    return result;
  }) as DynamoDBDocumentClient['send'];
  return counter;
};

/** One daily sweep (lib/use-cases/sweep.ts) on `day`, its reads counted from the responses. */
export const measureSweep = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  day: IsoDate,
): Promise<{ summary: SweepSummary; reads: ReadCounter; ms: number }> => {
  const reads = countingReads(db);
  const ledger = new Ledger(db, tableName, THRESHOLDS);
  const { ms, value: summary } = await timed(() =>
    sweepDeadlines({ ledger, clock: fixedClock(`${day}T05:00:00Z`), thresholds: THRESHOLDS }, day),
  );
  return { summary, reads, ms };
};

/** A grant as a LEAR registers one: Horizon Europe, two reporting periods, started this autumn. */
export const REGISTRATION: GrantInput = {
  acronym: 'BENCH-REG',
  title: 'Benchmark registration: Horizon Europe project of TMF',
  programme: 'HORIZON_EUROPE',
  forvaltning: 'TMF',
  unit: 'Byens Udvikling',
  role: 'PARTNER',
  status: 'ACTIVE',
  grantAgreementNumber: '101123456',
  pic: '999123456',
  callId: 'HORIZON-CL5-2026-D2-01',
  partners: ['Aarhus Kommune', 'Technical University of Denmark', 'Ajuntament de Barcelona'],
  startDate: '2026-10-01',
  endDate: '2029-09-30',
  awarded: { amount: '1250000.00', currency: 'EUR' },
  projectLead: { name: 'Projektleder Bench', email: 'bench-lead@kk.dk' },
  watchers: ['bench-watcher@kk.dk'],
  reportingPeriods: [{ endsOn: '2028-03-31' }, { endsOn: '2029-09-30' }],
};

const postGrant = async (api: BenchApi, token: string, body: string): Promise<void> => {
  const response = await fetch(`${api.url}/grants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /grants answered ${response.status}: ${text}`);
};

/**
 * POST /grants through the local HTTP stack against the raw TransactWriteItems the registration
 * makes: the Ledger's own command, captured once and replayed with fresh ids through a document
 * client made like the handler's, on the same table. The two alternate, the order flipping each round.
 */
export const measureRegister = async (
  api: BenchApi,
  rawDb: DynamoDBDocumentClient,
  token: string,
  options: { readonly warmup: number; readonly reps: number },
) => {
  const body = JSON.stringify(REGISTRATION);
  const captured = await captureNextTransaction(api.grantsDb, () => postGrant(api, token, body));
  const raw = (input: TransactWriteCommandInput) => rawDb.send(new TransactWriteCommand(input));
  for (let i = 0; i < options.warmup; i++) {
    await postGrant(api, token, body);
    await raw(withFreshIds(captured));
  }
  // The same transaction without its totals ADDs: how much of the write is the totals items'.
  const withoutTotals: TransactWriteCommandInput = {
    ...captured,
    TransactItems: (captured.TransactItems ?? []).filter((item) => !item.Update),
  };
  const http: number[] = [];
  const direct: number[] = [];
  const directWithoutTotals: number[] = [];
  for (let i = 0; i < options.reps; i++) {
    const input = withFreshIds(captured);
    const inputWithoutTotals = withFreshIds(withoutTotals);
    const runs = [
      async () => http.push((await timed(() => postGrant(api, token, body))).ms),
      async () => direct.push((await timed(() => raw(input))).ms),
      async () => directWithoutTotals.push((await timed(() => raw(inputWithoutTotals))).ms),
    ];
    for (const run of i % 2 === 0 ? runs : runs.reverse()) await run();
  }
  // What the write costs in DynamoDB's units, once, outside the timing.
  const units = async (input: TransactWriteCommandInput) => {
    const result = await rawDb.send(
      new TransactWriteCommand({ ...withFreshIds(input), ReturnConsumedCapacity: 'TOTAL' }),
    );
    return (result.ConsumedCapacity ?? []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  };
  const writeUnits = await units(captured);
  const writeUnitsWithoutTotals = await units(withoutTotals);
  const items = captured.TransactItems ?? [];
  return {
    http: summarise(http),
    raw: summarise(direct),
    rawWithoutTotals: summarise(directWithoutTotals),
    ratio: median(http) / median(direct),
    transaction: {
      items: items.length,
      puts: items.filter((i) => i.Put).length,
      updates: items.filter((i) => i.Update).length,
      bytes: JSON.stringify(captured).length,
      writeUnits,
      writeUnitsWithoutTotals,
    },
  };
};
