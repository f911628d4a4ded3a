import type { ExpectedPaymentRecord } from '../domain/expected-payments';
import type { GrantRecord } from '../domain/grant';
import {
  ALERTS_PARTITION,
  itemToDeadline,
  itemToExpectedPayment,
  itemToGrant,
  type OutboxEvent,
  type StoredDeadline,
} from './items';
import { type LedgerTable, WriteConflict } from './table';
import { LEDGER_INDEXES } from './tables';

/** An item the sweeper reads: a deadline, a grant for its funding end, or an expected payment. */
export type DueAlertItem =
  | { readonly kind: 'deadline'; readonly deadline: StoredDeadline; readonly indexKey: string }
  | { readonly kind: 'funding'; readonly grant: GrantRecord; readonly indexKey: string }
  | { readonly kind: 'expected'; readonly expected: ExpectedPaymentRecord; readonly indexKey: string };

export interface SweepOutcome {
  readonly key: { readonly pk: string; readonly sk: string };
  /** The item's index key as the sweep read it. */
  readonly indexKey: string;
  /** null: nothing left to send; the item leaves the index. */
  readonly nextIndexKey: string | null;
  readonly stateAttribute: 'lastAlert' | 'fundingLastAlert' | 'overdueSentFor';
  /** The state to store; undefined: leave it as it is. */
  readonly lastAlert: unknown;
  /** Attributes that must still hold the values the sweep evaluated (undefined: must be absent). */
  readonly unchanged: Readonly<Record<string, string | undefined>>;
  readonly event?: OutboxEvent | undefined;
}

export type SweepWrite = 'stored' | 'already-sent' | 'item-changed';

/**
 * Everything whose next alert falls due on or before `today`, from the sweeper's index, and the
 * items read doing it. Cost grows with what is due, not with the number of grants.
 */
export const dueForAlerts = async (
  table: LedgerTable,
  today: string,
): Promise<{ items: DueAlertItem[]; readUnits: number }> => {
  const index = LEDGER_INDEXES.alertsByDate;
  const { items: found, readUnits } = await table.queryAll({
    IndexName: index.name,
    KeyConditionExpression: '#pk = :pk AND #sk <= :to',
    ExpressionAttributeNames: { '#pk': index.pk, '#sk': index.sk },
    ExpressionAttributeValues: { ':pk': ALERTS_PARTITION, ':to': `${today}~` },
  });
  const items = found.flatMap((item): DueAlertItem[] => {
    const indexKey = String(item[index.sk]);
    if (item.type === 'DEADLINE') return [{ kind: 'deadline', deadline: itemToDeadline(item), indexKey }];
    if (item.type === 'GRANT') return [{ kind: 'funding', grant: itemToGrant(item), indexKey }];
    if (item.type === 'EXPECTED') {
      return [{ kind: 'expected', expected: itemToExpectedPayment(item), indexKey }];
    }
    return [];
  });
  return { items, readUnits };
};

/**
 * Stores what a sweep did with one item: its alert state and its next place in the index, and,
 * when an alert is sent, the alert's event in the same transaction. The event's deterministic id
 * makes a second sweep's write of the same alert fail, so it is sent once; the item's condition
 * makes a sweep that read a since-changed item (moved, done, closed) write nothing.
 */
export const recordSweep = async (table: LedgerTable, outcome: SweepOutcome): Promise<SweepWrite> => {
  const index = LEDGER_INDEXES.alertsByDate;
  const names: Record<string, string> = { '#isk': index.sk };
  const values: Record<string, unknown> = { ':indexKey': outcome.indexKey };
  const sets: string[] = [];
  if (outcome.lastAlert !== undefined) {
    names['#state'] = outcome.stateAttribute;
    values[':state'] = outcome.lastAlert;
    sets.push('#state = :state');
  }
  if (outcome.nextIndexKey) {
    values[':next'] = outcome.nextIndexKey;
    sets.push('#isk = :next');
  } else names['#ipk'] = index.pk;
  const update = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    outcome.nextIndexKey ? '' : 'REMOVE #ipk, #isk',
  ]
    .filter(Boolean)
    .join(' ');
  const conditions = ['#isk = :indexKey'];
  for (const [i, [name, value]] of Object.entries(outcome.unchanged).entries()) {
    names[`#u${i}`] = name;
    if (value === undefined) conditions.push(`attribute_not_exists(#u${i})`);
    else {
      values[`:u${i}`] = value;
      conditions.push(`#u${i} = :u${i}`);
    }
  }
  try {
    await table.transact([
      ...(outcome.event ? table.outbox([outcome.event]) : []),
      {
        Update: {
          TableName: table.tableName,
          Key: outcome.key,
          UpdateExpression: update,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ]);
    return 'stored';
  } catch (error) {
    if (!(error instanceof WriteConflict)) throw error;
    if (outcome.event && error.reasons[0] === 'ConditionalCheckFailed') return 'already-sent';
    return 'item-changed';
  }
};
