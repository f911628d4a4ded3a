import { parseCells, type TotalsCell, type TotalsDelta, type TotalsView } from '../domain/totals';
import { totalsKey } from './items';
import type { LedgerTable, TransactItem } from './table';

/** One ADD per totals item the delta touches: atomic, so concurrent writers stay exact. */
export const totalsUpdates = (table: LedgerTable, delta: TotalsDelta): TransactItem[] => {
  const byItem = new Map<string, [string, number][]>();
  for (const [key, amount] of delta) {
    const [view, bucket, attribute] = key.split('|') as [string, string, string];
    const itemKey = `${view}|${bucket}`;
    byItem.set(itemKey, [...(byItem.get(itemKey) ?? []), [attribute, amount]]);
  }
  return [...byItem].map(([itemKey, cells]) => {
    const [view, bucket] = itemKey.split('|') as [string, string];
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    cells.forEach(([attribute, amount], i) => {
      names[`#c${i}`] = attribute;
      values[`:c${i}`] = amount;
    });
    return {
      Update: {
        TableName: table.tableName,
        Key: totalsKey(view as TotalsView, bucket),
        UpdateExpression: `ADD ${cells.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  });
};

/** The items of one totals view, optionally only the years in [from, to]: a few reads, never a grant. */
export const readTotals = async (
  table: LedgerTable,
  view: TotalsView,
  years: { from?: number; to?: number } = {},
): Promise<TotalsCell[]> => {
  const partition = totalsKey(view, 'ALL').pk;
  const range =
    view === 'S'
      ? { expression: 'pk = :pk', values: {} }
      : {
          expression: 'pk = :pk AND sk BETWEEN :from AND :to',
          // Items are "<year>#<forvaltning>": from the first year's to the last year's last.
          values: { ':from': String(years.from ?? 0).padStart(4, '0'), ':to': `${years.to ?? 9999}~` },
        };
  const { items } = await table.queryAll({
    KeyConditionExpression: range.expression,
    ExpressionAttributeValues: { ':pk': partition, ...range.values },
  });
  return items.flatMap((item) => parseCells(view, String(item.sk), item));
};
