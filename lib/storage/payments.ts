import { quarterOf } from '../domain/dates';
import type { GrantRecord, PaymentRecord } from '../domain/grant';
import type { TotalsDelta } from '../domain/totals';
import { findGrant } from './grants';
import { keys, type OutboxEvent, paymentToItem } from './items';
import { firstConditionFailed, type LedgerTable } from './table';
import { totalsUpdates } from './totals';

export type PaymentOutcome = 'recorded' | 'grant-changed' | 'ceiling-reached' | 'gone';

/**
 * Books a payment. The grant's running sums move by ADD, so concurrent payments never overwrite
 * each other; the condition re-checks, atomically, the status and the awarded ceiling.
 */
export const recordPayment = async (
  table: LedgerTable,
  grant: GrantRecord,
  payment: PaymentRecord,
  events: readonly OutboxEvent[],
  totals: TotalsDelta,
): Promise<PaymentOutcome> => {
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
  try {
    await table.transact([
      {
        Update: {
          TableName: table.tableName,
          Key: keys.grant(grant.grantId),
          UpdateExpression:
            'SET updatedAt = :at, updatedBy = :by, receivedDkkByQuarter.#quarter = if_not_exists(receivedDkkByQuarter.#quarter, :zero) + :receivedDkk ADD version :one, receivedMinor :received, receivedDkkMinor :receivedDkk',
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: { '#status': 'status', '#quarter': quarterOf(payment.receivedOn) },
          ExpressionAttributeValues: values,
        },
      },
      table.create(paymentToItem(payment)),
      ...table.outbox(events),
      ...totalsUpdates(table, totals),
    ]);
    return 'recorded';
  } catch (error) {
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
