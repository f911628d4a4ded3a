import { addDays, monthOf } from '../domain/dates';
import { NotFoundError, PreconditionFailedError } from '../domain/errors';
import type { DeadlineRecord, GrantRecord } from '../domain/grant';
import type { HistoryRecord } from '../domain/history';
import { historyItems } from './history';
import {
  type DeadlineGrantContext,
  deadlineToItem,
  duePartition,
  itemToDeadline,
  keys,
  type OutboxEvent,
  type StoredDeadline,
} from './items';
import { firstConditionFailed, type LedgerTable, type TransactItem } from './table';
import { LEDGER_INDEXES } from './tables';

export interface DeadlineListQuery {
  readonly from: string;
  readonly to: string;
  readonly status: string;
  readonly forvaltning?: string | undefined;
}

/** Attributes a deadline may lose in an update (cleared optional fields, index membership). */
const OPTIONAL_DEADLINE_ATTRIBUTES = [
  'doneOn',
  'doneBy',
  LEDGER_INDEXES.alertsByDate.pk,
  LEDGER_INDEXES.alertsByDate.sk,
] as const;

/** A new deadline item; it fails if the deadline exists. */
export const createDeadlineItem = (
  table: LedgerTable,
  deadline: DeadlineRecord,
  grant: DeadlineGrantContext,
): TransactItem => table.create(deadlineToItem(deadline, grant, table.thresholds));

/** The deadline rewritten (its alert state kept), if it exists and, when given, still has that status. */
export const updateDeadlineItem = (
  table: LedgerTable,
  deadline: DeadlineRecord,
  grant: DeadlineGrantContext,
  expected?: { readonly status: string; readonly revision: number },
): TransactItem =>
  table.replaceItem(deadlineToItem(deadline, grant, table.thresholds), {
    // Only a status change moves the revision; other writers (the grant's report periods) keep it.
    preserve: expected ? ['lastAlert'] : ['lastAlert', 'revision'],
    removable: [...OPTIONAL_DEADLINE_ATTRIBUTES],
    condition: expected
      ? 'attribute_exists(pk) AND #status = :expected AND ' +
        (expected.revision === 0
          ? '(attribute_not_exists(#revision) OR #revision = :revision)'
          : '#revision = :revision')
      : 'attribute_exists(pk)',
    ...(expected
      ? {
          conditionNames: { '#status': 'status', '#revision': 'revision' },
          conditionValues: { ':expected': expected.status, ':revision': expected.revision },
        }
      : {}),
  });

export const deleteDeadlineItem = (table: LedgerTable, deadline: DeadlineRecord): TransactItem => ({
  Delete: { TableName: table.tableName, Key: keys.deadline(deadline.grantId, deadline.deadlineId) },
});

/** A new deadline, if its grant exists. */
export const addDeadline = async (
  table: LedgerTable,
  deadline: DeadlineRecord,
  grant: GrantRecord,
  events: readonly OutboxEvent[],
  history: readonly HistoryRecord[],
): Promise<void> => {
  try {
    await table.transact([
      {
        ConditionCheck: {
          TableName: table.tableName,
          Key: keys.grant(deadline.grantId),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      createDeadlineItem(table, deadline, grant),
      ...historyItems(table, history),
      ...table.outbox(events),
    ]);
  } catch (error) {
    if (firstConditionFailed(error)) throw new NotFoundError(`No grant has the id ${deadline.grantId}.`);
    throw error;
  }
};

/** A changed deadline, if it still has the status the caller read. */
export const updateDeadline = async (
  table: LedgerTable,
  deadline: DeadlineRecord,
  grant: GrantRecord,
  expected: { readonly status: string; readonly revision: number },
  events: readonly OutboxEvent[],
  history: readonly HistoryRecord[],
): Promise<void> => {
  try {
    await table.transact([
      updateDeadlineItem(table, deadline, grant, expected),
      ...historyItems(table, history),
      ...table.outbox(events),
    ]);
  } catch (error) {
    if (firstConditionFailed(error)) {
      throw new PreconditionFailedError('The deadline changed while this request was handled; try again.');
    }
    throw error;
  }
};

/** Deadlines with one status due in [from, to], by the month partitions of the due-date index. */
export const listDeadlines = async (
  table: LedgerTable,
  query: DeadlineListQuery,
): Promise<StoredDeadline[]> => {
  const index = LEDGER_INDEXES.deadlinesByDue;
  const months: string[] = [];
  for (let month = monthOf(query.from); month <= monthOf(query.to); ) {
    months.push(month);
    month = monthOf(addDays(`${month}-28`, 7));
  }
  const pages = await Promise.all(
    months.map((month) =>
      table.queryAll({
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        FilterExpression: query.forvaltning ? 'forvaltning = :forvaltning' : undefined,
        ExpressionAttributeNames: { '#pk': index.pk, '#sk': index.sk },
        ExpressionAttributeValues: {
          ':pk': duePartition(query.status, month),
          ':from': query.from,
          ':to': `${query.to}~`,
          ...(query.forvaltning ? { ':forvaltning': query.forvaltning } : {}),
        },
      }),
    ),
  );
  return pages.flatMap((page) => page.items).map(itemToDeadline);
};
