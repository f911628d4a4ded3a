import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { addDays, type IsoDate, monthOf } from '../domain/dates';
import type { GrantRecord } from '../domain/grant';
import {
  ALERTS_PARTITION,
  duePartition,
  itemToDeadline,
  itemToGrant,
  keys,
  type OutboxEvent,
  type StoredDeadline,
} from './items';
import { type LedgerTable, sleep, WriteConflict } from './table';
import { LEDGER_INDEXES } from './tables';

/**
 * The weekly digest's reads and writes. Reads take only what is due: OPEN deadlines by the month
 * partitions of the due-date index, funding ends from the sweeper's index, opt-outs by key. No Scan:
 * what a digest run reads grows with what it lists, not with the register.
 *
 * Writes: per address and ISO week one `DIGEST#<week>#<address>` item. A run claims it (SENDING,
 * with a lease), sends, then marks it SENT in the same transaction as the DigestSent event. A second
 * run in the same week finds it SENT and sends nothing; a run that died after claiming leaves a lease
 * that expires, so a later run of that week sends it after all.
 */

/** How long a claim holds before another run may take the address over. */
export const DIGEST_CLAIM_LEASE_SECONDS = 15 * 60;
/** Sent-records outlive their week by far; then TTL removes them. */
const DIGEST_RECORD_RETENTION_SECONDS = 60 * 24 * 3600;
/** Month partitions read at once. */
const QUERY_CONCURRENCY = 8;

const { deadlinesByDue, alertsByDate } = LEDGER_INDEXES;

const inBatches = async <T, R>(values: readonly T[], size: number, run: (value: T) => Promise<R>) => {
  const results: R[] = new Array(values.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, values.length) }, async () => {
      for (let i = next++; i < values.length; i = next++) results[i] = await run(values[i] as T);
    }),
  );
  return results;
};

/** "2021-03" … "2027-02": every month from the first date's to the last date's. */
export const monthsBetween = (from: IsoDate, to: IsoDate): string[] => {
  const months: string[] = [];
  for (let month = monthOf(from); month <= monthOf(to); month = monthOf(addDays(`${month}-28`, 7))) {
    months.push(month);
  }
  return months;
};

export interface DigestReads<T> {
  readonly items: T[];
  /** Items DynamoDB returned, and the read capacity consumed for them. */
  readonly itemsRead: number;
  readonly readUnits: number;
}

/** OPEN deadlines due in [since, to]: one Query per month partition of the due-date index. */
export const openDeadlinesDue = async (
  table: LedgerTable,
  window: { readonly since: IsoDate; readonly to: IsoDate },
): Promise<DigestReads<StoredDeadline>> => {
  const pages = await inBatches(monthsBetween(window.since, window.to), QUERY_CONCURRENCY, (month) =>
    table.queryAll({
      IndexName: deadlinesByDue.name,
      KeyConditionExpression: '#pk = :pk AND #sk <= :to',
      ExpressionAttributeNames: { '#pk': deadlinesByDue.pk, '#sk': deadlinesByDue.sk },
      ExpressionAttributeValues: { ':pk': duePartition('OPEN', month), ':to': `${window.to}~` },
    }),
  );
  const items = pages.flatMap((page) => page.items);
  return {
    items: items.map(itemToDeadline),
    itemsRead: items.length,
    readUnits: pages.reduce((sum, page) => sum + page.readUnits, 0),
  };
};

/**
 * Grants whose funding may end by `to`, from the sweeper's index: a grant AWARDED or ACTIVE with its
 * funding end on or before `to` has its next funding alert on or before the day after it, until the
 * GrantExpired alert takes it out. Deadlines share the index and are read too, then dropped.
 */
export const fundingEndsDue = async (table: LedgerTable, to: IsoDate): Promise<DigestReads<GrantRecord>> => {
  const { items, readUnits } = await table.queryAll({
    IndexName: alertsByDate.name,
    KeyConditionExpression: '#pk = :pk AND #sk <= :to',
    FilterExpression: '#type = :grant',
    ExpressionAttributeNames: { '#pk': alertsByDate.pk, '#sk': alertsByDate.sk, '#type': 'type' },
    ExpressionAttributeValues: { ':pk': ALERTS_PARTITION, ':to': `${addDays(to, 1)}~`, ':grant': 'GRANT' },
  });
  return { items: items.map(itemToGrant), itemsRead: items.length, readUnits };
};

/** Which of these addresses have unsubscribed: BatchGetItem by key, 100 at a time. */
export const optedOutAmong = async (
  table: LedgerTable,
  addresses: readonly string[],
): Promise<{ optedOut: Set<string>; readUnits: number }> => {
  const optedOut = new Set<string>();
  let readUnits = 0;
  const unique = [...new Set(addresses)];
  for (let i = 0; i < unique.length; i += 100) {
    let keysLeft: Record<string, unknown>[] | undefined = unique
      .slice(i, i + 100)
      .map((address) => keys.digestOptOut(address));
    for (let attempt = 0; keysLeft?.length; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      const result: BatchGetCommandOutput = await table.db.send(
        new BatchGetCommand({
          RequestItems: {
            [table.tableName]: { Keys: keysLeft, ConsistentRead: true, ProjectionExpression: 'address' },
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      readUnits += (result.ConsumedCapacity ?? []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      for (const item of result.Responses?.[table.tableName] ?? []) optedOut.add(String(item.address));
      keysLeft = result.UnprocessedKeys?.[table.tableName]?.Keys;
    }
  }
  return { optedOut, readUnits };
};

// ---- Sending once per address and week ----

export type DigestClaim =
  | { readonly outcome: 'claimed'; readonly claimId: string }
  | { readonly outcome: 'already-sent' }
  | { readonly outcome: 'in-progress' };

/** Claims the address's digest of the week, or says why not (sent already, or another run holds it). */
export const claimDigest = async (
  table: LedgerTable,
  claim: { readonly week: string; readonly address: string; readonly claimId: string; readonly now: Date },
): Promise<DigestClaim> => {
  const nowSeconds = Math.floor(claim.now.getTime() / 1000);
  try {
    await table.db.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.digest(claim.week, claim.address),
        UpdateExpression:
          'SET #type = :type, #status = :sending, claimId = :claimId, leaseUntil = :leaseUntil, week = :week, address = :address, expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(pk) OR (#status = :sending AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: {
          ':type': 'DIGEST',
          ':sending': 'SENDING',
          ':claimId': claim.claimId,
          ':leaseUntil': nowSeconds + DIGEST_CLAIM_LEASE_SECONDS,
          ':now': nowSeconds,
          ':week': claim.week,
          ':address': claim.address,
          ':expiresAt': nowSeconds + DIGEST_RECORD_RETENTION_SECONDS,
        },
      }),
    );
    return { outcome: 'claimed', claimId: claim.claimId };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const { Item } = await table.db.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.digest(claim.week, claim.address),
        ConsistentRead: true,
      }),
    );
    return Item?.status === 'SENT' ? { outcome: 'already-sent' } : { outcome: 'in-progress' };
  }
};

/**
 * Marks the digest sent and commits its DigestSent event, in one transaction, if the claim is still
 * this run's. False when another run took the address over meanwhile (this run's lease had expired).
 */
export const completeDigest = async (
  table: LedgerTable,
  done: {
    readonly week: string;
    readonly address: string;
    readonly claimId: string;
    readonly sentAt: Date;
    readonly itemCount: number;
    readonly event: OutboxEvent;
  },
): Promise<boolean> => {
  try {
    await table.transact([
      {
        Update: {
          TableName: table.tableName,
          Key: keys.digest(done.week, done.address),
          UpdateExpression:
            'SET #status = :sent, sentAt = :sentAt, itemCount = :itemCount, eventId = :eventId',
          ConditionExpression: 'claimId = :claimId',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sent': 'SENT',
            ':sentAt': done.sentAt.toISOString(),
            ':itemCount': done.itemCount,
            ':eventId': done.event.eventId,
            ':claimId': done.claimId,
          },
        },
      },
      ...table.outbox([done.event]),
    ]);
    return true;
  } catch (error) {
    if (error instanceof WriteConflict) return false;
    throw error;
  }
};

/** Gives the claim up after a failed send, so the next run of the week tries the address again. */
export const releaseDigest = async (
  table: LedgerTable,
  claim: { readonly week: string; readonly address: string; readonly claimId: string },
): Promise<void> => {
  try {
    await table.db.send(
      new DeleteCommand({
        TableName: table.tableName,
        Key: keys.digest(claim.week, claim.address),
        ConditionExpression: 'claimId = :claimId AND #status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':claimId': claim.claimId, ':sending': 'SENDING' },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

// ---- Unsubscribing ----

/** Stops digests to the address; the first unsubscription's time stays. */
export const optOut = async (
  table: LedgerTable,
  optOutOf: { readonly address: string; readonly at: Date },
): Promise<void> => {
  await table.db.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.digestOptOut(optOutOf.address),
      UpdateExpression: 'SET #type = :type, address = :address, optedOutAt = if_not_exists(optedOutAt, :at)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ':type': 'DIGESTOPTOUT',
        ':address': optOutOf.address,
        ':at': optOutOf.at.toISOString(),
      },
    }),
  );
};

export const isOptedOut = async (table: LedgerTable, address: string): Promise<boolean> => {
  const { Item } = await table.db.send(
    new GetCommand({ TableName: table.tableName, Key: keys.digestOptOut(address), ConsistentRead: true }),
  );
  return Item !== undefined;
};

// ---- The signing key ----

const SIGNING_KEY_BYTES = 32;

const readSigningKey = async (table: LedgerTable): Promise<Buffer | undefined> => {
  const { Item } = await table.db.send(
    new GetCommand({ TableName: table.tableName, Key: keys.digestSigningKey(), ConsistentRead: true }),
  );
  return typeof Item?.key === 'string' ? Buffer.from(Item.key, 'base64') : undefined;
};

/**
 * The key that signs unsubscribe links. The digest makes it on its first run (a conditional put, so
 * two first runs agree on one key); the unsubscribe route only reads it. Deleting the item revokes
 * every link sent so far: the next digest makes a new key, and its links carry it.
 */
export const signingKey = async (
  table: LedgerTable,
  options: { readonly create: boolean; readonly now?: Date },
): Promise<Buffer | undefined> => {
  const existing = await readSigningKey(table);
  if (existing || !options.create) return existing;
  try {
    await table.db.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...keys.digestSigningKey(),
          type: 'SIGNINGKEY',
          key: randomBytes(SIGNING_KEY_BYTES).toString('base64'),
          createdAt: (options.now ?? new Date()).toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return readSigningKey(table);
};
