import { quarterOf } from '../domain/dates';
import type { ExpectedPaymentRecord } from '../domain/expected-payments';
import type { GrantRecord, PaymentRecord } from '../domain/grant';
import type { HistoryRecord } from '../domain/history';
import type { TotalsDelta } from '../domain/totals';
import { findExpectedPayment, settleExpectedPaymentItem } from './expected-payments';
import { findGrant } from './grants';
import { historyItems } from './history';
import { keys, type OutboxEvent, paymentToItem } from './items';
import { firstConditionFailed, type LedgerTable, WriteConflict } from './table';
import { totalsUpdates } from './totals';

export type PaymentOutcome =
  | 'recorded'
  | 'grant-changed'
  | 'ceiling-reached'
  | 'gone'
  /** The expected payment it settles was settled or cancelled meanwhile. */
  | 'already-settled'
  /** The expected payment it settles changed date or amount meanwhile: read again and retry. */
  | 'expected-changed';

export interface PaymentWrite {
  readonly grant: GrantRecord;
  readonly payment: PaymentRecord;
  /** The expected payment it settles, as read and as settled. */
  readonly settles?:
    | { readonly before: ExpectedPaymentRecord; readonly after: ExpectedPaymentRecord }
    | undefined;
  readonly history: readonly HistoryRecord[];
  readonly events: readonly OutboxEvent[];
  readonly totals: TotalsDelta;
}

/**
 * Books a payment. The grant's running sums move by ADD, so concurrent payments never overwrite
 * each other; the condition re-checks, atomically, the status and the awarded ceiling. A payment
 * that settles an expected one takes it out of the grant's expected sums in the same transaction.
 */
export const recordPayment = async (table: LedgerTable, write: PaymentWrite): Promise<PaymentOutcome> => {
  const { grant, payment, settles, events, totals } = write;
  const sameCurrency = payment.amount.currency === grant.awarded.currency;
  // The totals cells this payment adds to depend on the grant's status, forvaltning and
  // programme: they must still be what was read, or the caller reads again and recomputes.
  const conditions = [
    'attribute_exists(pk)',
    '#status = :status',
    'forvaltning = :forvaltning',
    'programme = :programme',
  ];
  const values: Record<string, unknown> = {
    ':one': 1,
    ':zero': 0,
    ':received': sameCurrency ? payment.amount.minor : 0,
    ':receivedDkk': payment.amountDkkMinor,
    ':at': payment.recordedAt,
    ':by': payment.recordedBy,
    ':status': grant.status,
    ':forvaltning': grant.forvaltning,
    ':programme': grant.programme,
  };
  if (sameCurrency) {
    conditions.push('receivedMinor <= :ceiling AND awarded.currency = :currency');
    values[':ceiling'] = grant.awarded.minor - payment.amount.minor;
    values[':currency'] = grant.awarded.currency;
  }
  const names: Record<string, string> = { '#status': 'status', '#quarter': quarterOf(payment.receivedOn) };
  const sets = [
    'updatedAt = :at',
    'updatedBy = :by',
    'receivedDkkByQuarter.#quarter = if_not_exists(receivedDkkByQuarter.#quarter, :zero) + :receivedDkk',
  ];
  const adds = ['version :one', 'receivedMinor :received', 'receivedDkkMinor :receivedDkk'];
  if (settles) {
    // The settled one leaves the grant's OPEN sums; the map exists since it was added.
    names['#expectedQuarter'] = quarterOf(settles.before.expectedOn);
    values[':expectedMinor'] = settles.before.amount.minor;
    values[':lessExpected'] = -settles.before.amount.minor;
    sets.push('expectedByQuarter.#expectedQuarter = expectedByQuarter.#expectedQuarter - :expectedMinor');
    adds.push('expectedMinor :lessExpected');
  }
  try {
    await table.transact([
      {
        Update: {
          TableName: table.tableName,
          Key: keys.grant(grant.grantId),
          UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      table.create(paymentToItem(payment)),
      ...(settles ? [settleExpectedPaymentItem(table, settles.before, settles.after)] : []),
      ...historyItems(table, write.history),
      ...table.outbox(events),
      ...totalsUpdates(table, totals),
    ]);
    return 'recorded';
  } catch (error) {
    if (!(error instanceof WriteConflict)) throw error;
    if (settles && error.reasons[2] === 'ConditionalCheckFailed') {
      const expected = await findExpectedPayment(table, grant.grantId, settles.before.expectedPaymentId);
      return expected?.status === 'OPEN' ? 'expected-changed' : 'already-settled';
    }
    if (!firstConditionFailed(error)) throw error;
    const now = await findGrant(table, grant.grantId);
    if (!now) return 'gone';
    if (
      now.status !== grant.status ||
      now.forvaltning !== grant.forvaltning ||
      now.programme !== grant.programme
    ) {
      return 'grant-changed';
    }
    return 'ceiling-reached';
  }
};
