import type { TotalsLike } from '../pages/overview/series';
import { type Column, type Sheet, sheetName } from './sheet';

/** The words a totals sheet is written in (from the reader's message catalogue). */
export interface TotalsSheetWords {
  readonly name: string;
  readonly title: string;
  /** The view's filter and grouping, one line each, and when the figures were taken. */
  readonly notes: readonly string[];
  dimension(dimension: string): string;
  value(dimension: string, value: string | number): string;
  measure(measure: 'awarded' | 'received' | 'outstanding' | 'expected'): string;
  readonly grantCount: string;
  readonly total: string;
}

/**
 * The overview's table as a sheet: one column per grouping dimension, then awarded, received,
 * outstanding (and expected, when the API reports it) in DKK and the number of grants; a total row
 * with the API's own total, never a sum made here.
 */
export const totalsSheet = (totals: TotalsLike, words: TotalsSheetWords): Sheet => {
  const measures = (['awarded', 'received', 'outstanding', 'expected'] as const).filter(
    (m) => m !== 'expected' || totals.total.expected !== undefined,
  );
  const columns: Column[] = [
    ...totals.groupBy.map(
      (d): Column => ({ key: d, header: words.dimension(d), kind: d === 'year' ? 'count' : 'text' }),
    ),
    ...measures.map((m): Column => ({ key: `${m}_dkk`, header: words.measure(m), kind: 'dkk' })),
    { key: 'grant_count', header: words.grantCount, kind: 'count' },
  ];
  const figures = (g: TotalsLike['total']) => [...measures.map((m) => g[m] ?? '0.00'), g.grantCount];
  const rows = totals.groups.map((g) => [
    ...totals.groupBy.map((d) => {
      const value = g.key[d];
      if (value === undefined) return undefined;
      return d === 'year' ? Number(value) : words.value(d, value);
    }),
    ...figures(g),
  ]);
  const labelCells = totals.groupBy.length
    ? [words.total, ...totals.groupBy.slice(1).map(() => undefined)]
    : [];
  return {
    name: sheetName(words.name),
    title: words.title,
    notes: words.notes,
    columns: totals.groupBy.length ? columns : [{ key: 'label', header: '', kind: 'text' }, ...columns],
    rows: totals.groupBy.length ? rows : [[words.total, ...figures(totals.total)]],
    totals: totals.groupBy.length ? [...labelCells, ...figures(totals.total)] : undefined,
  };
};
