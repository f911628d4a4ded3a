import { quarterOf } from '../domain/dates';
import type { ExpectedPaymentRecord } from '../domain/expected-payments';
import { awardedDkkMinor, type GrantRecord, type PaymentRecord } from '../domain/grant';
import { dkk } from '../domain/money';
import {
  groupTotals,
  parseCells,
  type TotalsCell,
  type TotalsDimension,
  type TotalsFilter,
  type TotalsGroup,
  totalsDelta,
  totalsSubjectOf,
  viewFor,
} from '../domain/totals';
import type { Ledger } from '../storage/ledger';

export interface TotalsQuery extends TotalsFilter {
  readonly groupBy: readonly TotalsDimension[];
}

type Amounts = {
  awarded: string;
  received: string;
  outstanding: string;
  expected: string;
  grantCount: number;
};

export interface TotalsReport {
  readonly currency: 'DKK';
  readonly groupBy: readonly TotalsDimension[];
  readonly groups: readonly ({ key: Readonly<Record<string, string | number>> } & Amounts)[];
  readonly total: Amounts;
}

const amounts = (g: Omit<TotalsGroup, 'key'>): Amounts => ({
  awarded: dkk(g.awarded).amount,
  received: dkk(g.received).amount,
  outstanding: dkk(g.outstanding).amount,
  expected: dkk(g.expected).amount,
  grantCount: g.grantCount,
});

/** Totals from the materialised view that fits the request: a few item reads, never a grant. */
export const getTotals = async (ledger: Ledger, query: TotalsQuery): Promise<TotalsReport> => {
  const view = viewFor(query.groupBy, query);
  return report(query, await ledger.readTotals(view, { from: query.from, to: query.to }));
};

/**
 * Every cell of every view computed straight from grants, their payments and their OPEN expected
 * payments (each quarter's sum converted at the grant's rate), as if no total had
 * ever been kept: the reference the materialised views must equal. It reads everything, so it is
 * for checking (`npm run totals:verify`, the tests), never for answering requests.
 */
export const expectedCells = (
  grants: readonly GrantRecord[],
  payments: readonly PaymentRecord[],
  expectedPayments: readonly ExpectedPaymentRecord[] = [],
): Map<string, number> => {
  const expectedByGrant = new Map<string, Record<string, number>>();
  for (const expected of expectedPayments) {
    if (expected.status !== 'OPEN') continue;
    const byQuarter = expectedByGrant.get(expected.grantId) ?? {};
    const quarter = quarterOf(expected.expectedOn);
    byQuarter[quarter] = (byQuarter[quarter] ?? 0) + expected.amount.minor;
    expectedByGrant.set(expected.grantId, byQuarter);
  }
  const receivedByGrant = new Map<string, Record<string, number>>();
  for (const payment of payments) {
    const byQuarter = receivedByGrant.get(payment.grantId) ?? {};
    const quarter = quarterOf(payment.receivedOn);
    byQuarter[quarter] = (byQuarter[quarter] ?? 0) + payment.amountDkkMinor;
    receivedByGrant.set(payment.grantId, byQuarter);
  }
  const cells = new Map<string, number>();
  for (const grant of grants) {
    const subject = totalsSubjectOf(
      {
        ...grant,
        receivedDkkByQuarter: receivedByGrant.get(grant.grantId) ?? {},
        expectedByQuarter: expectedByGrant.get(grant.grantId) ?? {},
      },
      awardedDkkMinor(grant),
    );
    for (const [key, amount] of totalsDelta(undefined, subject))
      cells.set(key, (cells.get(key) ?? 0) + amount);
  }
  return cells;
};

/** Cells ("view|bucket|name") whose stored value differs from the recomputation. */
export const totalsDrift = (
  expected: ReadonlyMap<string, number>,
  stored: ReadonlyMap<string, number>,
): { cell: string; expected: number; stored: number }[] =>
  [...new Set([...expected.keys(), ...stored.keys()])]
    .map((cell) => ({ cell, expected: expected.get(cell) ?? 0, stored: stored.get(cell) ?? 0 }))
    .filter((d) => d.expected !== d.stored);

/** The report a query would get from the recomputed cells. */
export const recomputeTotals = (
  cellsByKey: ReadonlyMap<string, number>,
  query: TotalsQuery,
): TotalsReport => {
  const view = viewFor(query.groupBy, query);
  const items = new Map<string, Record<string, number>>();
  for (const [key, amount] of cellsByKey) {
    const [v, bucket, name] = key.split('|') as [string, string, string];
    if (v !== view) continue;
    items.set(bucket, { ...items.get(bucket), [name]: amount });
  }
  const cells: TotalsCell[] = [...items].flatMap(([bucket, item]) => parseCells(view, bucket, item));
  return report(query, cells);
};

const report = (query: TotalsQuery, cells: readonly TotalsCell[]): TotalsReport => {
  const { groups, total } = groupTotals(cells, query.groupBy, query);
  return {
    currency: 'DKK',
    groupBy: query.groupBy,
    groups: groups.map((g) => ({ key: g.key, ...amounts(g) })),
    total: amounts(total),
  };
};
