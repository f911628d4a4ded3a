import {
  type AlertThresholds,
  nextDeadlineAlertOn,
  nextFundingAlertOn,
  thresholdsFor,
} from '../domain/alerts';
import { monthOf } from '../domain/dates';
import { type ExpectedPaymentRecord, expectedPaymentAlertOn } from '../domain/expected-payments';
import type { DeadlineRecord, GrantRecord, PaymentRecord } from '../domain/grant';
import type { HistoryRecord } from '../domain/history';
import type { GrantStatus } from '../domain/schemas';
import type { DetailType } from '../shared/names';
import { LEDGER_INDEXES } from './tables';

/**
 * How domain records become ledger items and back. Key formats live here and nowhere else.
 */

export const keys = {
  grant: (grantId: string) => ({ pk: `GRANT#${grantId}`, sk: 'GRANT' }),
  payment: (grantId: string, paymentId: string) => ({ pk: `GRANT#${grantId}`, sk: `PAYMENT#${paymentId}` }),
  deadline: (grantId: string, deadlineId: string) => ({
    pk: `GRANT#${grantId}`,
    sk: `DEADLINE#${deadlineId}`,
  }),
  expectedPayment: (grantId: string, expectedPaymentId: string) => ({
    pk: `GRANT#${grantId}`,
    sk: `EXPECTED#${expectedPaymentId}`,
  }),
  /** A grant's history lives beside it, not in it, so reading the grant never reads its history. */
  historyPartition: (grantId: string) => `HISTORY#${grantId}`,
  /** By the instant of the change, then the entry's place in it (the grant's own entry first). */
  history: (grantId: string, at: string, seq: number, entryId: string) => ({
    pk: `HISTORY#${grantId}`,
    sk: `${at}#${String(seq).padStart(3, '0')}#${entryId}`,
  }),
  outbox: (eventId: string) => ({ pk: `OUTBOX#${eventId}`, sk: 'EVENT' }),
  grantPartition: (grantId: string) => `GRANT#${grantId}`,
  /** An alert e-mail sent, by its event: the notifier's dedupe record. */
  notified: (eventId: string) => ({ pk: `NOTIFIED#${eventId}`, sk: 'NOTIFIED' }),
  /** A calendar feed token (only the hash of its secret is stored). */
  feedToken: (tokenId: string) => ({ pk: `FEEDTOKEN#${tokenId}`, sk: 'FEEDTOKEN' }),
  /** One address's weekly digest for one ISO week: claimed while sending, then sent (TTL). */
  digest: (week: string, address: string) => ({ pk: `DIGEST#${week}#${address}`, sk: 'DIGEST' }),
  /** An address that unsubscribed from the weekly digest (alerts still reach it). */
  digestOptOut: (address: string) => ({ pk: `DIGESTOPTOUT#${address}`, sk: 'DIGESTOPTOUT' }),
  /** The key that signs digest unsubscribe links; made on first use. */
  digestSigningKey: () => ({ pk: 'SIGNINGKEY#digest-unsubscribe', sk: 'SIGNINGKEY' }),
} as const;

/** A totals view's item: one per view (S) or per view and year (Y, Q). */
export const totalsKey = (view: string, bucket: string) => ({ pk: `TOTALS#${view}`, sk: bucket });

export const GRANT_TYPE_PARTITION = 'GRANT';
export const forvaltningPartition = (code: string) => `FORV#${code}`;
/** Deadlines by status and month due: a month's partition stays small and a range is a few queries. */
export const duePartition = (status: string, month: string) => `DUE#${status}#${month}`;
/** OPEN expected payments by expectedOn, in the due-date index: few, so one partition; sparse. */
export const EXPECTED_OPEN_PARTITION = 'EXPECTED#OPEN';

type Item = Record<string, unknown>;

const { grantsByType, grantsByForvaltning, deadlinesByDue, alertsByDate } = LEDGER_INDEXES;

/**
 * The sweeper's index: one partition, sorted by the date an item's next alert falls due. The date
 * is computed from the item alone (from the beginning of time, not from today), so it may lie in the
 * past; the sweep on or after it evaluates the item with its stored state and moves it on. Only the
 * sweeper moves it later; writers that change a date, a status or thresholds recompute it.
 */
export const ALERTS_PARTITION = 'ALERTS';
const EPOCH = '1970-01-01';

export const fundingAlertSortKey = (nextAlertOn: string, grantId: string) => `${nextAlertOn}#F#${grantId}`;
export const deadlineAlertSortKey = (nextAlertOn: string, grantId: string, deadlineId: string) =>
  `${nextAlertOn}#D#${grantId}#${deadlineId}`;
export const expectedPaymentAlertSortKey = (
  nextAlertOn: string,
  grantId: string,
  expectedPaymentId: string,
) => `${nextAlertOn}#E#${grantId}#${expectedPaymentId}`;

export const grantToItem = (grant: GrantRecord, thresholds: AlertThresholds): Item => {
  const next = nextFundingAlertOn({ grant, lastAlert: grant.fundingLastAlert }, EPOCH, thresholds.funding);
  return {
    ...keys.grant(grant.grantId),
    type: 'GRANT',
    [grantsByType.pk]: GRANT_TYPE_PARTITION,
    [grantsByType.sk]: grant.grantId,
    [grantsByForvaltning.pk]: forvaltningPartition(grant.forvaltning),
    [grantsByForvaltning.sk]: grant.grantId,
    ...(next
      ? { [alertsByDate.pk]: ALERTS_PARTITION, [alertsByDate.sk]: fundingAlertSortKey(next, grant.grantId) }
      : {}),
    ...grant,
  };
};

const INDEX_AND_KEY_ATTRIBUTES = new Set([
  'pk',
  'sk',
  'type',
  ...Object.values(LEDGER_INDEXES).flatMap((index) => [index.pk, index.sk]),
]);

const withoutStorageAttributes = (item: Item): Item =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !INDEX_AND_KEY_ATTRIBUTES.has(name)));

export const itemToGrant = (item: Item): GrantRecord =>
  withoutStorageAttributes(item) as unknown as GrantRecord;

export const paymentToItem = (payment: PaymentRecord): Item => ({
  ...keys.payment(payment.grantId, payment.paymentId),
  type: 'PAYMENT',
  ...payment,
});

export const itemToPayment = (item: Item): PaymentRecord =>
  withoutStorageAttributes(item) as unknown as PaymentRecord;

/** What a deadline carries of its grant, so that lists of deadlines need no second read. */
export interface DeadlineGrantInfo {
  readonly acronym: string;
  readonly forvaltning: string;
  readonly programme: string;
}

/** What placing a deadline in the sweeper's index needs to know of its grant. */
export interface DeadlineGrantContext extends DeadlineGrantInfo {
  readonly status: GrantStatus;
  readonly alertLeadDays?: readonly number[] | undefined;
}

export interface StoredDeadline extends DeadlineRecord, DeadlineGrantInfo {}

export const deadlineToItem = (
  deadline: DeadlineRecord,
  grant: DeadlineGrantContext,
  thresholds: AlertThresholds,
): Item => {
  const next = nextDeadlineAlertOn(
    { grant: { grantId: deadline.grantId, status: grant.status }, deadline, lastAlert: deadline.lastAlert },
    EPOCH,
    thresholdsFor(grant, thresholds).deadline,
  );
  return {
    ...keys.deadline(deadline.grantId, deadline.deadlineId),
    type: 'DEADLINE',
    [deadlinesByDue.pk]: duePartition(deadline.status, monthOf(deadline.dueOn)),
    [deadlinesByDue.sk]: `${deadline.dueOn}#${deadline.grantId}#${deadline.deadlineId}`,
    ...(next
      ? {
          [alertsByDate.pk]: ALERTS_PARTITION,
          [alertsByDate.sk]: deadlineAlertSortKey(next, deadline.grantId, deadline.deadlineId),
        }
      : {}),
    ...deadline,
    acronym: grant.acronym,
    forvaltning: grant.forvaltning,
    programme: grant.programme,
  };
};

export const itemToDeadline = (item: Item): StoredDeadline =>
  withoutStorageAttributes(item) as unknown as StoredDeadline;

/**
 * An expected payment, in its grant's partition. While OPEN it sits in the due-date index (the
 * digest's "what is still to come by D") and, until PaymentOverdue is sent, in the sweeper's index
 * under the day it falls overdue.
 */
export const expectedPaymentToItem = (expected: ExpectedPaymentRecord): Item => {
  const alertOn = expectedPaymentAlertOn(expected);
  return {
    ...keys.expectedPayment(expected.grantId, expected.expectedPaymentId),
    type: 'EXPECTED',
    ...(expected.status === 'OPEN'
      ? {
          [deadlinesByDue.pk]: EXPECTED_OPEN_PARTITION,
          [deadlinesByDue.sk]: `${expected.expectedOn}#${expected.grantId}#${expected.expectedPaymentId}`,
        }
      : {}),
    ...(alertOn
      ? {
          [alertsByDate.pk]: ALERTS_PARTITION,
          [alertsByDate.sk]: expectedPaymentAlertSortKey(
            alertOn,
            expected.grantId,
            expected.expectedPaymentId,
          ),
        }
      : {}),
    ...expected,
  };
};

export const itemToExpectedPayment = (item: Item): ExpectedPaymentRecord =>
  withoutStorageAttributes(item) as unknown as ExpectedPaymentRecord;

/** One entry of a change; `seq` is its place among the change's entries. */
export const historyToItem = (entry: HistoryRecord, seq: number): Item => ({
  ...keys.history(entry.grantId, entry.at, seq, entry.entryId),
  type: 'HISTORY',
  ...entry,
  // DynamoDB keeps no undefined; an absent value is null in history anyway.
  changes: entry.changes.map((c) => ({ field: c.field, from: c.from ?? null, to: c.to ?? null })),
});

export const itemToHistory = (item: Item): HistoryRecord =>
  withoutStorageAttributes(item) as unknown as HistoryRecord;

/** An event committed in the same transaction as its change; the stream carries it to the bus. */
export interface OutboxEvent {
  readonly eventId: string;
  readonly detailType: DetailType;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly occurredAt: string;
}

/** Outbox items outlive any redelivery; then TTL removes them. */
const OUTBOX_RETENTION_SECONDS = 7 * 24 * 3600;

export const outboxToItem = (event: OutboxEvent): Item => ({
  ...keys.outbox(event.eventId),
  type: 'OUTBOX',
  eventId: event.eventId,
  detailType: event.detailType,
  detail: JSON.stringify(event.detail),
  occurredAt: event.occurredAt,
  expiresAt: Math.floor(Date.parse(event.occurredAt) / 1000) + OUTBOX_RETENTION_SECONDS,
});

export const itemToOutbox = (item: Item): OutboxEvent => ({
  eventId: String(item.eventId),
  detailType: item.detailType as DetailType,
  detail: JSON.parse(String(item.detail)) as Record<string, unknown>,
  occurredAt: String(item.occurredAt),
});
