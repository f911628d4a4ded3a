import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../domain/errors';
import type { HistoryRecord } from '../domain/history';
import { historyToItem, itemToHistory, keys } from './items';
import type { LedgerTable, TransactItem } from './table';

/**
 * A grant's history: its own partition (`HISTORY#<grantId>`), sorted by when each change was
 * committed. Entries are only ever created, in the transaction of their change, never updated.
 */

/** The entries of one change, each written once. */
export const historyItems = (table: LedgerTable, entries: readonly HistoryRecord[]): TransactItem[] =>
  entries.map((entry, seq) => table.create(historyToItem(entry, seq)));

/** A cursor names the last entry returned (its sort key), nothing else. */
const CURSOR_PREFIX = 'history:';
const SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z#\d{3}#[0-9A-Za-z_-]{1,64}$/;

const encodeCursor = (sortKey: string): string =>
  Buffer.from(`${CURSOR_PREFIX}${sortKey}`).toString('base64url');

const decodeCursor = (cursor: string): string => {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const sortKey = text.slice(CURSOR_PREFIX.length);
  if (!text.startsWith(CURSOR_PREFIX) || !SORT_KEY.test(sortKey)) {
    throw new ValidationError('The cursor is not one this API handed out.', [
      { path: 'cursor', message: 'is not a valid cursor' },
    ]);
  }
  return sortKey;
};

export interface HistoryPage {
  readonly items: HistoryRecord[];
  readonly nextCursor: string | undefined;
}

/** Newest first, one page: one Query on the grant's history partition. */
export const listHistory = async (
  table: LedgerTable,
  grantId: string,
  query: { readonly limit: number; readonly cursor?: string | undefined },
): Promise<HistoryPage> => {
  const pk = keys.historyPartition(grantId);
  const page = await table.db.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
      // One more than asked, so the last page says it is the last.
      Limit: query.limit + 1,
      ExclusiveStartKey: query.cursor ? { pk, sk: decodeCursor(query.cursor) } : undefined,
      ConsistentRead: true,
    }),
  );
  const found = page.Items ?? [];
  const items = found.slice(0, query.limit);
  const last = items.at(-1);
  const more = found.length > query.limit;
  return {
    items: items.map(itemToHistory),
    nextCursor: more && last ? encodeCursor(String(last.sk)) : undefined,
  };
};
