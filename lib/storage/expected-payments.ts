import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { IsoDate } from '../domain/dates';
import { NotFoundError } from '../domain/errors';
import type { ExpectedPaymentRecord, ExpectedSums } from '../domain/expected-payments';
import type { GrantRecord } from '../domain/grant';
import type { HistoryRecord } from '../domain/history';
import type { TotalsDelta } from '../domain/totals';
import { historyItems } from './history';
import {
  EXPECTED_OPEN_PARTITION,
  expectedPaymentToItem,
  itemToExpectedPayment,
  keys,
  type OutboxEvent,
} from './items';
import { firstConditionFailed, type LedgerTable, type TransactItem } from './table';
import { LEDGER_INDEXES } from './tables';
import { totalsUpdates } from './totals';

const { deadlinesByDue, alertsByDate } = LEDGER_INDEXES;

/** Attributes an expected payment may lose in a change (cleared note, index membership). */
const OPTIONAL_EXPECTED_ATTRIBUTES = [
  'note',
  'paymentId',
  deadlinesByDue.pk,
  deadlinesByDue.sk,
  alertsByDate.pk,
  alertsByDate.sk,
] as const;

export interface ExpectedPaymentWrite {
  /** The grant as read: its version must still hold. */
  readonly grant: GrantRecord;
  /** Its sums of OPEN expected payments afterwards. */
  readonly sums: ExpectedSums;
  readonly before: ExpectedPaymentRecord | undefined;
  readonly after: ExpectedPaymentRecord;
  readonly history: readonly HistoryRecord[];
  readonly events: readonly OutboxEvent[];
  readonly totals: TotalsDelta;
}

/**
 * The grant's sums of OPEN expected payments, if the grant is still at the version read: every
 * change to its payments or expected payments moves the version, so the ceiling checked on the
 * read holds for the write.
 */
const grantSumsUpdate = (table: LedgerTable, write: ExpectedPaymentWrite): TransactItem => ({
  Update: {
    TableName: table.tableName,
    Key: keys.grant(write.grant.grantId),
    UpdateExpression:
      'SET expectedMinor = :minor, expectedByQuarter = :byQuarter, updatedAt = :at, updatedBy = :by ADD version :one',
    ConditionExpression: 'version = :version',
    ExpressionAttributeValues: {
      ':minor': write.sums.expectedMinor,
      ':byQuarter': write.sums.expectedByQuarter,
      ':at': write.after.updatedAt,
      ':by': write.after.updatedBy,
      ':one': 1,
      ':version': write.grant.version,
    },
  },
});

/**
 * Adds or changes an expected payment with the grant's sums, its history entry, events and totals
 * in one transaction. 'grant-changed': the grant moved on since it was read; read again and retry.
 */
export const writeExpectedPayment = async (
  table: LedgerTable,
  write: ExpectedPaymentWrite,
): Promise<'written' | 'grant-changed'> => {
  const item = expectedPaymentToItem(write.after);
  const expectedItem = write.before
    ? table.replaceItem(item, {
        preserve: ['overdueSentFor', 'createdAt', 'createdBy'],
        removable: [...OPTIONAL_EXPECTED_ATTRIBUTES],
        condition: 'attribute_exists(pk) AND #status = :open',
        conditionNames: { '#status': 'status' },
        conditionValues: { ':open': 'OPEN' },
      })
    : table.create(item);
  try {
    await table.transact([
      grantSumsUpdate(table, write),
      expectedItem,
      ...historyItems(table, write.history),
      ...table.outbox(write.events),
      ...totalsUpdates(table, write.totals),
    ]);
    return 'written';
  } catch (error) {
    if (firstConditionFailed(error)) return 'grant-changed';
    throw error;
  }
};

/** One expected payment, read consistently; undefined when the grant has no such one. */
export const findExpectedPayment = async (
  table: LedgerTable,
  grantId: string,
  expectedPaymentId: string,
): Promise<ExpectedPaymentRecord | undefined> => {
  const { Item } = await table.db.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.expectedPayment(grantId, expectedPaymentId),
      ConsistentRead: true,
    }),
  );
  return Item ? itemToExpectedPayment(Item) : undefined;
};

export const getExpectedPayment = async (
  table: LedgerTable,
  grantId: string,
  expectedPaymentId: string,
): Promise<ExpectedPaymentRecord> => {
  const found = await findExpectedPayment(table, grantId, expectedPaymentId);
  if (!found) throw new NotFoundError(`Grant ${grantId} has no expected payment ${expectedPaymentId}.`);
  return found;
};

/**
 * The settlement of an expected payment by a payment, as part of the payment's transaction: it
 * must still be OPEN with the date and amount read, so of two payments settling it at once one
 * wins and the other's whole transaction is refused.
 */
export const settleExpectedPaymentItem = (
  table: LedgerTable,
  before: ExpectedPaymentRecord,
  after: ExpectedPaymentRecord,
): TransactItem => ({
  Update: {
    TableName: table.tableName,
    Key: keys.expectedPayment(before.grantId, before.expectedPaymentId),
    UpdateExpression:
      'SET #status = :received, paymentId = :paymentId, updatedAt = :at, updatedBy = :by REMOVE #duePk, #dueSk, #alertPk, #alertSk',
    ConditionExpression: '#status = :open AND expectedOn = :expectedOn AND #amount.#minor = :minor',
    ExpressionAttributeNames: {
      '#status': 'status',
      '#amount': 'amount',
      '#minor': 'minor',
      '#duePk': deadlinesByDue.pk,
      '#dueSk': deadlinesByDue.sk,
      '#alertPk': alertsByDate.pk,
      '#alertSk': alertsByDate.sk,
    },
    ExpressionAttributeValues: {
      ':received': 'RECEIVED',
      ':paymentId': after.paymentId,
      ':at': after.updatedAt,
      ':by': after.updatedBy,
      ':open': 'OPEN',
      ':expectedOn': before.expectedOn,
      ':minor': before.amount.minor,
    },
  },
});

export interface DueReads<T> {
  readonly items: T[];
  /** Items DynamoDB returned, and the read capacity consumed for them. */
  readonly itemsRead: number;
  readonly readUnits: number;
}

/**
 * Every OPEN expected payment with expectedOn on or before `to` (overdue ones included), of every
 * grant: one Query on the sparse `EXPECTED#OPEN` partition of the due-date index, no Scan, so what
 * it reads grows with what is still to come, not with the register. Each item carries its grantId;
 * whose it is (project lead, watchers) comes from the grant (`grantsById`), for the weekly digest.
 */
export const openExpectedPaymentsDueBy = async (
  table: LedgerTable,
  to: IsoDate,
): Promise<DueReads<ExpectedPaymentRecord>> => {
  const { items, readUnits } = await table.queryAll({
    IndexName: deadlinesByDue.name,
    KeyConditionExpression: '#pk = :pk AND #sk <= :to',
    ExpressionAttributeNames: { '#pk': deadlinesByDue.pk, '#sk': deadlinesByDue.sk },
    ExpressionAttributeValues: { ':pk': EXPECTED_OPEN_PARTITION, ':to': `${to}~` },
  });
  return { items: items.map(itemToExpectedPayment), itemsRead: items.length, readUnits };
};
