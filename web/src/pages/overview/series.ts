import { FORVALTNING_CODES, FUNDER_TYPES } from '../../../../lib/config/catalogues';
import { formatAmount, parseAmount } from '../../../../lib/domain/money';

/**
 * The figures behind the overview's charts, derived from `GET /totals` responses without a float:
 * amounts are summed as integer øre and handed on as the API's decimal strings. The same figures
 * feed the chart and the table beside it, so what a screen reader reads is what the chart draws.
 */

export type Measure = 'awarded' | 'received' | 'outstanding' | 'expected';

/** One group of a totals response (`expected` appears once the register keeps expected payments). */
export interface TotalsGroupLike {
  readonly key: Readonly<Record<string, string | number>>;
  readonly awarded: string;
  readonly received: string;
  readonly outstanding: string;
  readonly expected?: string | undefined;
  readonly grantCount: number;
}

export interface TotalsLike {
  readonly groupBy: readonly string[];
  readonly groups: readonly TotalsGroupLike[];
  readonly total: Omit<TotalsGroupLike, 'key'>;
}

/** Categories along one axis and, per series, one DKK amount (decimal string) per category. */
export interface ChartData {
  readonly categories: readonly string[];
  readonly series: readonly { readonly id: string; readonly values: readonly string[] }[];
}

/** "-1234.50" → -123450: outstanding may be negative when more was booked in DKK than awarded. */
export const minorOf = (amount: string): number =>
  amount.startsWith('-') ? -parseAmount(amount.slice(1)) : parseAmount(amount);

const sumBy = (
  groups: readonly TotalsGroupLike[],
  measure: Measure,
  keyOf: (group: TotalsGroupLike) => string,
): Map<string, number> => {
  const sums = new Map<string, number>();
  for (const group of groups) {
    const amount = group[measure];
    if (amount === undefined) continue;
    const key = keyOf(group);
    sums.set(key, (sums.get(key) ?? 0) + minorOf(amount));
  }
  return sums;
};

/**
 * Received per forvaltning, as bars: every configured forvaltning (a zero is an answer too), or
 * only the one the view is filtered to.
 */
export const receivedByForvaltning = (totals: TotalsLike, onlyForvaltning?: string): ChartData => {
  const sums = sumBy(totals.groups, 'received', (g) => String(g.key.forvaltning));
  const categories = onlyForvaltning ? [onlyForvaltning] : [...FORVALTNING_CODES];
  for (const code of sums.keys()) if (!categories.includes(code)) categories.push(code);
  return {
    categories,
    series: [{ id: 'received', values: categories.map((c) => formatAmount(sums.get(c) ?? 0)) }],
  };
};

/**
 * Received per year, stacked by funder type: every year from the first to the last with money
 * received (years in between shown as zero), one series per funder type that received anything.
 */
export const receivedByYearAndFunderType = (totals: TotalsLike): ChartData => {
  const cells = sumBy(totals.groups, 'received', (g) => `${g.key.year}|${g.key.funderType}`);
  const years = new Set<number>();
  const funderTypes = new Set<string>();
  for (const [cell, minor] of cells) {
    if (minor === 0) continue;
    const [year, funderType] = cell.split('|') as [string, string];
    years.add(Number(year));
    funderTypes.add(funderType);
  }
  if (!years.size) return { categories: [], series: [] };
  const first = Math.min(...years);
  const last = Math.max(...years);
  const categories = Array.from({ length: last - first + 1 }, (_, i) => String(first + i));
  const order = [
    ...FUNDER_TYPES,
    ...[...funderTypes].filter((f) => !(FUNDER_TYPES as readonly string[]).includes(f)),
  ];
  return {
    categories,
    series: order
      .filter((f) => funderTypes.has(f))
      .map((funderType) => ({
        id: funderType,
        values: categories.map((year) => formatAmount(cells.get(`${year}|${funderType}`) ?? 0)),
      })),
  };
};

/**
 * Awarded, received and outstanding (and expected, once the API reports it) for each group of the
 * view itself, labelled by `labelOf` (e.g. "TMF · 2021"); an ungrouped view is its total. A chart
 * of hundreds of bars reads as nothing, so at most `limit` groups are drawn: the largest by awarded
 * or received, in the view's order; `omitted` says how many were left to the table.
 */
export const measuresByGroup = (
  totals: TotalsLike,
  labelOf: (key: Readonly<Record<string, string | number>>) => string,
  totalLabel: string,
  limit = Number.POSITIVE_INFINITY,
): ChartData & { readonly omitted: number } => {
  const size = (g: TotalsGroupLike) => Math.max(minorOf(g.awarded), minorOf(g.received));
  const kept = new Set([...totals.groups].sort((a, b) => size(b) - size(a)).slice(0, limit));
  const groups = totals.groups.filter((g) => kept.has(g));
  const rows: readonly Omit<TotalsGroupLike, 'key'>[] = totals.groupBy.length ? groups : [totals.total];
  const measures: Measure[] = ['awarded', 'received', 'outstanding'];
  if (rows.some((g) => g.expected !== undefined)) measures.push('expected');
  return {
    categories: totals.groupBy.length ? groups.map((g) => labelOf(g.key)) : [totalLabel],
    series: measures.map((measure) => ({ id: measure, values: rows.map((g) => g[measure] ?? '0.00') })),
    omitted: totals.groupBy.length ? totals.groups.length - groups.length : 0,
  };
};

/** The sum of a series, exactly: what a chart's table shows as its last row. */
export const seriesTotal = (values: readonly string[]): string =>
  formatAmount(values.reduce((sum, v) => sum + minorOf(v), 0));
