/**
 * The tables, defined once as data: the CDK stack turns these into TableV2 resources and local
 * mode into CreateTable calls, so both run against the same keys and indexes.
 *
 * The ledger is a single table. Item shapes (pk / sk):
 *   GRANT#<grantId>   / GRANT                     the grant
 *   GRANT#<grantId>   / PAYMENT#<paymentId>       a payment received
 *   GRANT#<grantId>   / DEADLINE#<deadlineId>     a deadline
 *   GRANT#<grantId>   / EXPECTED#<id>             an expected payment (OPEN ones also in byDue as EXPECTED#OPEN)
 *   HISTORY#<grantId> / <at>#<seq>#<entryId>      one change to the grant or its children (old and new values)
 *   OUTBOX#<eventId>  / EVENT                     an event committed with its change (streamed to the bus)
 *   TOTALS#<view>     / ALL | <year>              materialised totals (see lib/domain/totals.ts)
 *   NOTIFIED#<eventId>/ NOTIFIED                  an alert e-mail sent (the notifier's dedupe, TTL)
 *   FEEDTOKEN#<id>    / FEEDTOKEN                 a calendar feed token (hash of its secret)
 *   DIGEST#<week>#<address> / DIGEST              a weekly digest claimed or sent (the digest's dedupe, TTL)
 *   DIGESTOPTOUT#<address>  / DIGESTOPTOUT        an address that unsubscribed from the weekly digest
 *   SIGNINGKEY#digest-unsubscribe / SIGNINGKEY    the key that signs digest unsubscribe links
 *   META#SEED         / META                      local mode: the demo portfolio was loaded
 * A grant with its payments and deadlines is one Query on pk. An alert is an outbox event whose id
 * is derived from the deadline (or funding end) and threshold, so it can be committed only once;
 * what the sweeper has sent is kept on the deadline (`lastAlert`) or grant (`fundingLastAlert`).
 */

export type AttributeType = 'S' | 'N';

export interface KeyDef {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexDef {
  readonly indexName: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  /** Attributes copied into the index besides the keys; 'ALL' copies the whole item. */
  readonly projection: 'ALL' | 'KEYS_ONLY' | readonly string[];
}

export interface TableDef {
  /** Logical name; CloudFormation and local mode derive the physical table name from it. */
  readonly id: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  readonly indexes: readonly IndexDef[];
  readonly timeToLiveAttribute?: string;
  readonly stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
}

export const LEDGER_KEYS = { pk: 'pk', sk: 'sk' } as const;

export const LEDGER_INDEXES = {
  /** Every grant, newest first by ULID: `GET /grants` without a forvaltning. */
  grantsByType: { name: 'byType', pk: 'gsi1pk', sk: 'gsi1sk' },
  /** Grants of one forvaltning: `GET /grants?forvaltning=`. */
  grantsByForvaltning: { name: 'byForvaltning', pk: 'gsi2pk', sk: 'gsi2sk' },
  /** Deadlines by status and month of `dueOn`: `GET /deadlines` and the calendar. */
  deadlinesByDue: { name: 'byDue', pk: 'gsi3pk', sk: 'gsi3sk' },
  /** Sparse: only items with an alert still to send, by the date it falls due: the sweeper. */
  alertsByDate: { name: 'byAlertDate', pk: 'gsi4pk', sk: 'gsi4sk' },
} as const;

const s = (name: string): KeyDef => ({ name, type: 'S' });

export const LEDGER_TABLE: TableDef = {
  id: 'Ledger',
  partitionKey: s(LEDGER_KEYS.pk),
  sortKey: s(LEDGER_KEYS.sk),
  indexes: Object.values(LEDGER_INDEXES).map((index) => ({
    indexName: index.name,
    partitionKey: s(index.pk),
    sortKey: s(index.sk),
    projection: 'ALL',
  })),
  timeToLiveAttribute: 'expiresAt',
  stream: 'NEW_IMAGE',
};

/** Powertools idempotency records: the key names are the library's defaults. */
export const IDEMPOTENCY_TABLE: TableDef = {
  id: 'Idempotency',
  partitionKey: s('id'),
  indexes: [],
  timeToLiveAttribute: 'expiration',
};

export const TABLES: readonly TableDef[] = [LEDGER_TABLE, IDEMPOTENCY_TABLE];
