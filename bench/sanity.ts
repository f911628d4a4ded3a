import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { fixedClock, type IsoDate } from '../lib/domain/dates';
import { Ledger } from '../lib/storage/ledger';
import * as grants from '../lib/use-cases/grants';
import type { Caller } from '../lib/use-cases/ports';
import {
  applyHistory,
  BENCH_CALLER_EMAIL,
  type GrantHistory,
  grantHistory,
  itemsOf,
  opIds,
  THRESHOLDS,
  totalsItems,
} from './portfolio';

type Item = Record<string, unknown>;

const CALLER: Caller = { email: BENCH_CALLER_EMAIL, roles: ['lear-admin'] };

/** Runs one grant's history through the use cases and the real Ledger, request by request. */
const replay = async (ledger: Ledger, history: GrantHistory): Promise<void> => {
  let grantId = '';
  for (const op of history.ops) {
    const ports = { ledger, clock: fixedClock(op.at), newId: opIds(history.name, op) };
    switch (op.kind) {
      case 'register':
        grantId = (await grants.registerGrant(ports, op.input, CALLER)).grantId;
        break;
      case 'status': {
        const current = await ledger.findGrant(grantId);
        if (!current) throw new Error(`${history.name}: grant ${grantId} is gone`);
        await grants.updateGrant(ports, grantId, { status: op.to }, current.version, CALLER);
        break;
      }
      case 'payment':
        await grants.recordPayment(ports, grantId, op.input, CALLER);
        break;
      case 'deadline':
        await grants.addDeadline(ports, grantId, op.input, CALLER);
        break;
      case 'deadlineStatus':
        await grants.setDeadlineStatus(ports, grantId, op.deadlineId, op.status, CALLER);
        break;
    }
  }
};

/** JSON with sorted keys at every level: two items compare equal when their contents do. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

const keyOf = (item: Item) => `${String(item.pk)}|${String(item.sk)}`;

export interface SanityResult {
  readonly grants: number;
  readonly requests: number;
  readonly itemsCompared: number;
  readonly totalsItemsCompared: number;
  readonly mismatches: readonly string[];
}

/**
 * The bench writes portfolios straight into the table; this checks that what it writes is exactly
 * what the product writes. A sample of grant histories (every final status) goes through the use
 * cases and the Ledger on an empty table; the bench builds the same grants in memory; every grant,
 * deadline, payment and TOTALS item must be identical, attribute for attribute. (The product also
 * writes outbox items, which TTL removes after 7 days, and history entries, in partitions of their
 * own that no totals read or sweep touches; the bench writes neither.)
 */
export const checkPortfolioFidelity = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  options: { readonly seed: number; readonly asOf: IsoDate; readonly perStatus: number },
): Promise<SanityResult> => {
  const histories: GrantHistory[] = [];
  const seen: Record<string, number> = {};
  const probe = new Map<string, number>();
  for (let index = 0; histories.length < 6 * options.perStatus && index < 2000; index++) {
    const history = grantHistory(options.seed, index, options.asOf);
    const status = applyHistory(history, probe).grant.status;
    if ((seen[status] ?? 0) >= options.perStatus) continue;
    seen[status] = (seen[status] ?? 0) + 1;
    histories.push(history);
  }

  const ledger = new Ledger(db, tableName, THRESHOLDS);
  for (const history of histories) await replay(ledger, history);

  const cells = new Map<string, number>();
  const expected = new Map<string, Item>();
  for (const history of histories) {
    for (const item of itemsOf(applyHistory(history, cells))) expected.set(keyOf(item), item);
  }
  const expectedTotals = totalsItems(cells);
  for (const item of expectedTotals) expected.set(keyOf(item), item);

  const stored = new Map<string, Item>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      if (item.type !== 'OUTBOX' && item.type !== 'HISTORY') stored.set(keyOf(item), item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  const mismatches: string[] = [];
  for (const [key, item] of expected) {
    const actual = stored.get(key);
    if (!actual) mismatches.push(`${key}: written by the bench, not by the product`);
    else if (canonical(actual) !== canonical(item)) {
      const names = new Set([...Object.keys(actual), ...Object.keys(item)]);
      const differing = [...names].filter((n) => canonical(actual[n]) !== canonical(item[n]));
      mismatches.push(`${key}: differs in ${differing.join(', ')}`);
    }
  }
  for (const key of stored.keys())
    if (!expected.has(key)) mismatches.push(`${key}: written by the product only`);
  return {
    grants: histories.length,
    requests: histories.reduce((sum, h) => sum + h.ops.length, 0),
    itemsCompared: expected.size,
    totalsItemsCompared: expectedTotals.length,
    mismatches,
  };
};
