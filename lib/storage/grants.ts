import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../domain/errors';
import type { ExpectedPaymentRecord } from '../domain/expected-payments';
import type { DeadlineRecord, GrantRecord, PaymentRecord } from '../domain/grant';
import type { HistoryRecord } from '../domain/history';
import type { TotalsDelta } from '../domain/totals';
import { createDeadlineItem, deleteDeadlineItem, updateDeadlineItem } from './deadlines';
import { historyItems } from './history';
import {
  forvaltningPartition,
  GRANT_TYPE_PARTITION,
  grantToItem,
  itemToDeadline,
  itemToExpectedPayment,
  itemToGrant,
  itemToPayment,
  keys,
  type OutboxEvent,
  type StoredDeadline,
} from './items';
import { firstConditionFailed, type LedgerTable, sleep } from './table';
import { LEDGER_INDEXES } from './tables';
import { totalsUpdates } from './totals';

export interface GrantWithChildren {
  readonly grant: GrantRecord;
  readonly payments: readonly PaymentRecord[];
  readonly deadlines: readonly StoredDeadline[];
  readonly expectedPayments: readonly ExpectedPaymentRecord[];
}

export interface GrantListQuery {
  readonly forvaltning?: string | undefined;
  readonly programme?: string | undefined;
  readonly status?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Attributes a grant may lose in an update (cleared optional fields, index membership). */
const OPTIONAL_GRANT_ATTRIBUTES = [
  'unit',
  'grantAgreementNumber',
  'pic',
  'callId',
  'notes',
  'fundingEndsOn',
  'alertLeadDays',
  LEDGER_INDEXES.alertsByDate.pk,
  LEDGER_INDEXES.alertsByDate.sk,
] as const;

/** What only payments, expected payments and the sweeper write on a grant item; a grant update leaves them as they are. */
const GRANT_ATTRIBUTES_OWNED_ELSEWHERE = [
  'receivedMinor',
  'receivedDkkMinor',
  'receivedDkkByQuarter',
  'expectedMinor',
  'expectedByQuarter',
  'fundingLastAlert',
] as const;

/**
 * A page cursor names the last grant returned, nothing else: the start key is rebuilt from it for
 * the index being read, so a forged cursor can neither reach another partition nor upset DynamoDB.
 */
const CURSOR_PREFIX = 'after:';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const encodeCursor = (grantId: string): string =>
  Buffer.from(`${CURSOR_PREFIX}${grantId}`).toString('base64url');

const decodeCursor = (cursor: string): string => {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const grantId = text.slice(CURSOR_PREFIX.length);
  if (!text.startsWith(CURSOR_PREFIX) || !ULID.test(grantId)) {
    throw new ValidationError('The cursor is not one this API handed out.', [
      { path: 'cursor', message: 'is not a valid cursor' },
    ]);
  }
  return grantId;
};

export const registerGrant = async (
  table: LedgerTable,
  grant: GrantRecord,
  deadlines: readonly DeadlineRecord[],
  events: readonly OutboxEvent[],
  totals: TotalsDelta,
  history: readonly HistoryRecord[],
): Promise<void> => {
  await table.transact([
    table.create(grantToItem(grant, table.thresholds)),
    ...deadlines.map((d) => createDeadlineItem(table, d, grant)),
    ...historyItems(table, history),
    ...table.outbox(events),
    ...totalsUpdates(table, totals),
  ]);
};

/** The grant item alone: one GetItem. */
export const findGrant = async (table: LedgerTable, grantId: string): Promise<GrantRecord | undefined> => {
  const { Item } = await table.db.send(
    new GetCommand({ TableName: table.tableName, Key: keys.grant(grantId) }),
  );
  return Item ? itemToGrant(Item) : undefined;
};

/** The grant with its payments, deadlines and expected payments: one Query on the grant's partition. */
export const getGrant = async (table: LedgerTable, grantId: string): Promise<GrantWithChildren> => {
  const { items } = await table.queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.grantPartition(grantId) },
    ConsistentRead: true,
  });
  const grantItem = items.find((item) => item.type === 'GRANT');
  if (!grantItem) throw new NotFoundError(`No grant has the id ${grantId}.`);
  return {
    grant: itemToGrant(grantItem),
    payments: items.filter((item) => item.type === 'PAYMENT').map(itemToPayment),
    deadlines: items.filter((item) => item.type === 'DEADLINE').map(itemToDeadline),
    expectedPayments: items.filter((item) => item.type === 'EXPECTED').map(itemToExpectedPayment),
  };
};

/**
 * Newest first, through the grants index (all grants, or one forvaltning's). Filters on programme
 * and status are applied while paging; the cursor is the key of the last grant returned.
 */
export const listGrants = async (
  table: LedgerTable,
  query: GrantListQuery,
): Promise<{ items: GrantRecord[]; nextCursor: string | undefined }> => {
  const index = query.forvaltning ? LEDGER_INDEXES.grantsByForvaltning : LEDGER_INDEXES.grantsByType;
  const partition = query.forvaltning ? forvaltningPartition(query.forvaltning) : GRANT_TYPE_PARTITION;
  const filters: string[] = [];
  const names: Record<string, string> = { '#ipk': index.pk };
  const values: Record<string, unknown> = { ':ipk': partition };
  if (query.programme) {
    filters.push('programme = :programme');
    values[':programme'] = query.programme;
  }
  if (query.status) {
    filters.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = query.status;
  }
  const items: Record<string, unknown>[] = [];
  const startAfter = (grantId: string) => ({
    ...keys.grant(grantId),
    [index.pk]: partition,
    [index.sk]: grantId,
  });
  let startKey: Record<string, unknown> | undefined = query.cursor
    ? startAfter(decodeCursor(query.cursor))
    : undefined;
  let exhausted = false;
  while (items.length < query.limit && !exhausted) {
    const input: QueryCommandInput = {
      TableName: table.tableName,
      IndexName: index.name,
      KeyConditionExpression: '#ipk = :ipk',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      FilterExpression: filters.length ? filters.join(' AND ') : undefined,
      ScanIndexForward: false,
      ExclusiveStartKey: startKey,
      Limit: filters.length ? Math.max(100, query.limit) : query.limit - items.length,
    };
    const page = await table.db.send(new QueryCommand(input));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
    exhausted = !startKey;
  }
  const pageItems = items.slice(0, query.limit);
  const last = pageItems.at(-1);
  const more = items.length > query.limit || !exhausted;
  const nextCursor = more && last ? encodeCursor(String(last.grantId)) : undefined;
  return { items: pageItems.map(itemToGrant), nextCursor };
};

export interface GrantChange {
  readonly grant: GrantRecord;
  readonly expectedVersion: number;
  readonly deadlinesToAdd: readonly DeadlineRecord[];
  readonly deadlinesToUpdate: readonly DeadlineRecord[];
  readonly deadlinesToDelete: readonly DeadlineRecord[];
  readonly events: readonly OutboxEvent[];
  readonly totals: TotalsDelta;
  readonly history: readonly HistoryRecord[];
}

/**
 * Writes the changed grant if it still has the version the caller read, together with the report
 * deadlines it now calls for, the grant fields its deadlines carry, and the change's events.
 * Payments' running sums and the sweeper's alert state are left as they are.
 */
export const updateGrant = async (table: LedgerTable, change: GrantChange): Promise<void> => {
  const { grant, expectedVersion } = change;
  try {
    await table.transact([
      table.replaceItem(grantToItem(grant, table.thresholds), {
        preserve: [...GRANT_ATTRIBUTES_OWNED_ELSEWHERE],
        removable: [...OPTIONAL_GRANT_ATTRIBUTES],
        condition: 'version = :expected',
        conditionValues: { ':expected': expectedVersion },
      }),
      ...change.deadlinesToAdd.map((d) => createDeadlineItem(table, d, grant)),
      ...change.deadlinesToUpdate.map((d) => updateDeadlineItem(table, d, grant)),
      ...change.deadlinesToDelete.map((d) => deleteDeadlineItem(table, d)),
      ...historyItems(table, change.history),
      ...table.outbox(change.events),
      ...totalsUpdates(table, change.totals),
    ]);
  } catch (error) {
    if (firstConditionFailed(error)) {
      throw new PreconditionFailedError(
        `The grant has changed since version ${expectedVersion}; read it again and repeat the change.`,
      );
    }
    throw error;
  }
};

/** Grant items by id, 100 to a BatchGetItem, retrying what DynamoDB leaves unprocessed. */
export const grantsById = async (
  table: LedgerTable,
  grantIds: readonly string[],
): Promise<{ grants: Map<string, GrantRecord>; readUnits: number }> => {
  const grants = new Map<string, GrantRecord>();
  let readUnits = 0;
  const ids = [...new Set(grantIds)];
  for (let i = 0; i < ids.length; i += 100) {
    let keysLeft: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map((id) => keys.grant(id));
    for (let attempt = 0; keysLeft?.length; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      const result: BatchGetCommandOutput = await table.db.send(
        new BatchGetCommand({
          RequestItems: { [table.tableName]: { Keys: keysLeft } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      readUnits += (result.ConsumedCapacity ?? []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      for (const item of result.Responses?.[table.tableName] ?? []) {
        const grant = itemToGrant(item);
        grants.set(grant.grantId, grant);
      }
      keysLeft = result.UnprocessedKeys?.[table.tableName]?.Keys;
    }
  }
  return { grants, readUnits };
};
