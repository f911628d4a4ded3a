import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type AlertThresholds, DEFAULT_ALERT_THRESHOLDS } from '../domain/alerts';
import { addDays, monthOf, quarterOf } from '../domain/dates';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../domain/errors';
import type { DeadlineRecord, GrantRecord, PaymentRecord } from '../domain/grant';
import { parseCells, type TotalsCell, type TotalsDelta, type TotalsView } from '../domain/totals';
import {
  ALERTS_PARTITION,
  type DeadlineGrantContext,
  deadlineToItem,
  duePartition,
  forvaltningPartition,
  GRANT_TYPE_PARTITION,
  grantToItem,
  itemToDeadline,
  itemToGrant,
  itemToPayment,
  keys,
  type OutboxEvent,
  outboxToItem,
  paymentToItem,
  type StoredDeadline,
  totalsKey,
} from './items';
import { LEDGER_INDEXES } from './tables';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** An item the sweeper reads: a deadline, or a grant for its funding end. */
export type DueAlertItem =
  | { readonly kind: 'deadline'; readonly deadline: StoredDeadline; readonly indexKey: string }
  | { readonly kind: 'funding'; readonly grant: GrantRecord; readonly indexKey: string };

export interface SweepOutcome {
  readonly key: { readonly pk: string; readonly sk: string };
  /** The item's index key as the sweep read it. */
  readonly indexKey: string;
  /** null: nothing left to send; the item leaves the index. */
  readonly nextIndexKey: string | null;
  readonly stateAttribute: 'lastAlert' | 'fundingLastAlert';
  readonly lastAlert: unknown;
  /** Attributes that must still hold the values the sweep evaluated (undefined: must be absent). */
  readonly unchanged: Readonly<Record<string, string | undefined>>;
  readonly event?: OutboxEvent | undefined;
}

export interface GrantWithChildren {
  readonly grant: GrantRecord;
  readonly payments: readonly PaymentRecord[];
  readonly deadlines: readonly StoredDeadline[];
}

export interface GrantListQuery {
  readonly forvaltning?: string | undefined;
  readonly programme?: string | undefined;
  readonly status?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export interface DeadlineListQuery {
  readonly from: string;
  readonly to: string;
  readonly status: string;
  readonly forvaltning?: string | undefined;
}

/** Why a conditional write was refused, when the caller must tell "gone" from "changed". */
export class WriteConflict extends Error {
  constructor(readonly reasons: readonly (string | undefined)[]) {
    super(`Transaction cancelled: ${reasons.join(', ')}`);
  }
}

const MAX_CONFLICT_RETRIES = 12;

/** Attributes a grant or deadline may lose in an update (cleared optional fields, index membership). */
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
const OPTIONAL_DEADLINE_ATTRIBUTES = [
  'doneOn',
  'doneBy',
  LEDGER_INDEXES.alertsByDate.pk,
  LEDGER_INDEXES.alertsByDate.sk,
] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/**
 * The ledger repository: every read and write of grants, payments, deadlines and outbox events.
 * Each change and the events it causes are one TransactWriteItems, so no event is ever lost.
 */
export class Ledger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Alert thresholds place deadlines and funding ends in the sweeper's index as they are written. */
    private readonly thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS,
  ) {}

  /** Every item a Query matches, all pages, with the read capacity it consumed. */
  private async queryAll(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'ReturnConsumedCapacity'>,
  ): Promise<{ items: Record<string, unknown>[]; readUnits: number }> {
    const items: Record<string, unknown>[] = [];
    let readUnits = 0;
    const pages = paginateQuery(
      { client: this.db },
      { ...input, TableName: this.tableName, ReturnConsumedCapacity: 'TOTAL' },
    );
    for await (const page of pages) {
      items.push(...(page.Items ?? []));
      readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
    }
    return { items, readUnits };
  }

  /** Runs a transaction, retrying only DynamoDB's transaction conflicts (another writer on an item). */
  private async transact(items: TransactItem[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = (error.CancellationReasons ?? []).map((r) => r.Code);
        const conflictOnly = reasons.every(
          (r) => r === 'None' || r === 'TransactionConflict' || r === undefined,
        );
        if (conflictOnly && attempt < MAX_CONFLICT_RETRIES) {
          await sleep(Math.random() * 20 * 2 ** attempt);
          continue;
        }
        throw new WriteConflict(reasons);
      }
    }
  }

  private put(
    item: Record<string, unknown>,
    condition?: Omit<TransactItem['Put'] & object, 'TableName' | 'Item'>,
  ) {
    return { Put: { TableName: this.tableName, Item: item, ...condition } };
  }

  /**
   * An Update that writes every attribute of `item` but the key and those the caller preserves
   * (running sums, the sweeper's state), and removes the optional ones the item no longer has.
   * Unlike a Put, it cannot undo a concurrent writer's change to an attribute it does not own.
   */
  private replaceItem(
    item: Record<string, unknown>,
    options: {
      readonly preserve: readonly string[];
      readonly removable: readonly string[];
      readonly condition: string;
      readonly conditionNames?: Record<string, string>;
      readonly conditionValues?: Record<string, unknown>;
    },
  ): TransactItem {
    const names: Record<string, string> = { ...options.conditionNames };
    const values: Record<string, unknown> = { ...options.conditionValues };
    const sets: string[] = [];
    let i = 0;
    for (const [name, value] of Object.entries(item)) {
      if (name === 'pk' || name === 'sk' || options.preserve.includes(name) || value === undefined) continue;
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
      sets.push(`#a${i} = :a${i}`);
      i++;
    }
    const removes = options.removable
      .filter((name) => item[name] === undefined)
      .map((name) => {
        names[`#a${i}`] = name;
        return `#a${i++}`;
      });
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: options.condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  private updateDeadlineItem(deadline: DeadlineRecord, grant: DeadlineGrantContext, expectedStatus?: string) {
    return this.replaceItem(deadlineToItem(deadline, grant, this.thresholds), {
      preserve: ['lastAlert'],
      removable: [...OPTIONAL_DEADLINE_ATTRIBUTES],
      condition: expectedStatus ? 'attribute_exists(pk) AND #status = :expected' : 'attribute_exists(pk)',
      ...(expectedStatus
        ? { conditionNames: { '#status': 'status' }, conditionValues: { ':expected': expectedStatus } }
        : {}),
    });
  }

  /** One ADD per totals item the delta touches: atomic, so concurrent writers stay exact. */
  private totalsUpdates(delta: TotalsDelta): TransactItem[] {
    const byItem = new Map<string, [string, number][]>();
    for (const [key, amount] of delta) {
      const [view, bucket, attribute] = key.split('|') as [string, string, string];
      const itemKey = `${view}|${bucket}`;
      byItem.set(itemKey, [...(byItem.get(itemKey) ?? []), [attribute, amount]]);
    }
    return [...byItem].map(([itemKey, cells]) => {
      const [view, bucket] = itemKey.split('|') as [string, string];
      const names: Record<string, string> = {};
      const values: Record<string, number> = {};
      cells.forEach(([attribute, amount], i) => {
        names[`#c${i}`] = attribute;
        values[`:c${i}`] = amount;
      });
      return {
        Update: {
          TableName: this.tableName,
          Key: totalsKey(view as TotalsView, bucket),
          UpdateExpression: `ADD ${cells.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      };
    });
  }

  /** The items of one totals view, optionally only the years in [from, to]: a few reads, never a grant. */
  async readTotals(view: TotalsView, years: { from?: number; to?: number } = {}): Promise<TotalsCell[]> {
    const partition = totalsKey(view, 'ALL').pk;
    const range =
      view === 'S'
        ? { expression: 'pk = :pk', values: {} }
        : {
            expression: 'pk = :pk AND sk BETWEEN :from AND :to',
            // Items are "<year>#<forvaltning>": from the first year's to the last year's last.
            values: { ':from': String(years.from ?? 0).padStart(4, '0'), ':to': `${years.to ?? 9999}~` },
          };
    const { items } = await this.queryAll({
      KeyConditionExpression: range.expression,
      ExpressionAttributeValues: { ':pk': partition, ...range.values },
    });
    const cells = items.flatMap((item) => parseCells(view, String(item.sk), item));
    return cells;
  }

  private outbox(events: readonly OutboxEvent[]): TransactItem[] {
    return events.map((event) =>
      this.put(outboxToItem(event), { ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  }

  async registerGrant(
    grant: GrantRecord,
    deadlines: readonly DeadlineRecord[],
    events: readonly OutboxEvent[],
    totals: TotalsDelta,
  ): Promise<void> {
    await this.transact([
      this.put(grantToItem(grant, this.thresholds), { ConditionExpression: 'attribute_not_exists(pk)' }),
      ...deadlines.map((d) =>
        this.put(deadlineToItem(d, grant, this.thresholds), {
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
      ...this.outbox(events),
      ...this.totalsUpdates(totals),
    ]);
  }

  /** The grant item alone: one GetItem. */
  async findGrant(grantId: string): Promise<GrantRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.grant(grantId) }),
    );
    return Item ? itemToGrant(Item) : undefined;
  }

  /** The grant with its payments and deadlines: one Query on the grant's partition. */
  async getGrant(grantId: string): Promise<GrantWithChildren> {
    const { items } = await this.queryAll({
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
    };
  }

  /**
   * Newest first, through the grants index (all grants, or one forvaltning's). Filters on programme
   * and status are applied while paging; the cursor is the key of the last grant returned.
   */
  async listGrants(query: GrantListQuery): Promise<{ items: GrantRecord[]; nextCursor: string | undefined }> {
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
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#ipk = :ipk',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        FilterExpression: filters.length ? filters.join(' AND ') : undefined,
        ScanIndexForward: false,
        ExclusiveStartKey: startKey,
        Limit: filters.length ? Math.max(100, query.limit) : query.limit - items.length,
      };
      const page = await this.db.send(new QueryCommand(input));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
      exhausted = !startKey;
    }
    const pageItems = items.slice(0, query.limit);
    const last = pageItems.at(-1);
    const more = items.length > query.limit || !exhausted;
    const nextCursor = more && last ? encodeCursor(String(last.grantId)) : undefined;
    return { items: pageItems.map(itemToGrant), nextCursor };
  }

  /**
   * Writes the changed grant if it still has the version the caller read, together with the report
   * deadlines it now calls for, the grant fields its deadlines carry, and the change's events.
   * Payments' running sums and the sweeper's alert state are left as they are.
   */
  async updateGrant(change: {
    readonly grant: GrantRecord;
    readonly expectedVersion: number;
    readonly deadlinesToAdd: readonly DeadlineRecord[];
    readonly deadlinesToUpdate: readonly DeadlineRecord[];
    readonly deadlinesToDelete: readonly DeadlineRecord[];
    readonly events: readonly OutboxEvent[];
    readonly totals: TotalsDelta;
  }): Promise<void> {
    const { grant, expectedVersion } = change;
    try {
      await this.transact([
        this.replaceItem(grantToItem(grant, this.thresholds), {
          preserve: ['receivedMinor', 'receivedDkkMinor', 'receivedDkkByQuarter', 'fundingLastAlert'],
          removable: [...OPTIONAL_GRANT_ATTRIBUTES],
          condition: 'version = :expected',
          conditionValues: { ':expected': expectedVersion },
        }),
        ...change.deadlinesToAdd.map((d) =>
          this.put(deadlineToItem(d, grant, this.thresholds), {
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
        ...change.deadlinesToUpdate.map((d) => this.updateDeadlineItem(d, grant)),
        ...change.deadlinesToDelete.map((d) => ({
          Delete: { TableName: this.tableName, Key: keys.deadline(d.grantId, d.deadlineId) },
        })),
        ...this.outbox(change.events),
        ...this.totalsUpdates(change.totals),
      ]);
    } catch (error) {
      if (error instanceof WriteConflict && error.reasons[0] === 'ConditionalCheckFailed') {
        throw new PreconditionFailedError(
          `The grant has changed since version ${expectedVersion}; read it again and repeat the change.`,
        );
      }
      throw error;
    }
  }

  /**
   * Books a payment. The grant's running sums move by ADD, so concurrent payments never overwrite
   * each other; the condition re-checks, atomically, the status and the awarded ceiling.
   */
  async recordPayment(
    grant: GrantRecord,
    payment: PaymentRecord,
    events: readonly OutboxEvent[],
    totals: TotalsDelta,
  ): Promise<'recorded' | 'grant-changed' | 'ceiling-reached' | 'gone'> {
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
      await this.transact([
        {
          Update: {
            TableName: this.tableName,
            Key: keys.grant(grant.grantId),
            UpdateExpression:
              'SET updatedAt = :at, updatedBy = :by, receivedDkkByQuarter.#quarter = if_not_exists(receivedDkkByQuarter.#quarter, :zero) + :receivedDkk ADD version :one, receivedMinor :received, receivedDkkMinor :receivedDkk',
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: { '#status': 'status', '#quarter': quarterOf(payment.receivedOn) },
            ExpressionAttributeValues: values,
          },
        },
        this.put(paymentToItem(payment), { ConditionExpression: 'attribute_not_exists(pk)' }),
        ...this.outbox(events),
        ...this.totalsUpdates(totals),
      ]);
      return 'recorded';
    } catch (error) {
      if (!(error instanceof WriteConflict) || error.reasons[0] !== 'ConditionalCheckFailed') throw error;
      const now = await this.findGrant(grant.grantId);
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
  }

  /** A new deadline, if its grant exists. */
  async addDeadline(
    deadline: DeadlineRecord,
    grant: GrantRecord,
    events: readonly OutboxEvent[],
  ): Promise<void> {
    try {
      await this.transact([
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: keys.grant(deadline.grantId),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        this.put(deadlineToItem(deadline, grant, this.thresholds), {
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        ...this.outbox(events),
      ]);
    } catch (error) {
      if (error instanceof WriteConflict && error.reasons[0] === 'ConditionalCheckFailed') {
        throw new NotFoundError(`No grant has the id ${deadline.grantId}.`);
      }
      throw error;
    }
  }

  /** A changed deadline, if it still has the status the caller read. */
  async updateDeadline(
    deadline: DeadlineRecord,
    grant: GrantRecord,
    expectedStatus: string,
    events: readonly OutboxEvent[],
  ): Promise<void> {
    try {
      await this.transact([this.updateDeadlineItem(deadline, grant, expectedStatus), ...this.outbox(events)]);
    } catch (error) {
      if (error instanceof WriteConflict && error.reasons[0] === 'ConditionalCheckFailed') {
        throw new PreconditionFailedError('The deadline changed while this request was handled; try again.');
      }
      throw error;
    }
  }

  /** Deadlines with one status due in [from, to], by the month partitions of the due-date index. */
  async listDeadlines(query: DeadlineListQuery): Promise<StoredDeadline[]> {
    const index = LEDGER_INDEXES.deadlinesByDue;
    const months: string[] = [];
    for (let month = monthOf(query.from); month <= monthOf(query.to); ) {
      months.push(month);
      month = monthOf(addDays(`${month}-28`, 7));
    }
    const pages = await Promise.all(
      months.map((month) =>
        this.queryAll({
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
  }

  /**
   * Everything whose next alert falls due on or before `today`, from the sweeper's index, and the
   * items read doing it. Cost grows with what is due, not with the number of grants.
   */
  async dueForAlerts(today: string): Promise<{ items: DueAlertItem[]; readUnits: number }> {
    const index = LEDGER_INDEXES.alertsByDate;
    const { items: found, readUnits } = await this.queryAll({
      IndexName: index.name,
      KeyConditionExpression: '#pk = :pk AND #sk <= :to',
      ExpressionAttributeNames: { '#pk': index.pk, '#sk': index.sk },
      ExpressionAttributeValues: { ':pk': ALERTS_PARTITION, ':to': `${today}~` },
    });
    const items = found.flatMap((item): DueAlertItem[] => {
      const indexKey = String(item[index.sk]);
      if (item.type === 'DEADLINE') return [{ kind: 'deadline', deadline: itemToDeadline(item), indexKey }];
      if (item.type === 'GRANT') return [{ kind: 'funding', grant: itemToGrant(item), indexKey }];
      return [];
    });
    return { items, readUnits };
  }

  /** Grant items by id, 100 to a BatchGetItem, retrying what DynamoDB leaves unprocessed. */
  async grantsById(
    grantIds: readonly string[],
  ): Promise<{ grants: Map<string, GrantRecord>; readUnits: number }> {
    const grants = new Map<string, GrantRecord>();
    let readUnits = 0;
    const ids = [...new Set(grantIds)];
    for (let i = 0; i < ids.length; i += 100) {
      let keysLeft: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map((id) => keys.grant(id));
      for (let attempt = 0; keysLeft?.length; attempt++) {
        if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
        const result: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keysLeft } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        readUnits += (result.ConsumedCapacity ?? []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const grant = itemToGrant(item);
          grants.set(grant.grantId, grant);
        }
        keysLeft = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return { grants, readUnits };
  }

  /**
   * Stores what a sweep did with one item: its alert state and its next place in the index, and,
   * when an alert is sent, the alert's event in the same transaction. The event's deterministic id
   * makes a second sweep's write of the same alert fail, so it is sent once; the item's condition
   * makes a sweep that read a since-changed item (moved, done, closed) write nothing.
   */
  async recordSweep(outcome: SweepOutcome): Promise<'stored' | 'already-sent' | 'item-changed'> {
    const index = LEDGER_INDEXES.alertsByDate;
    const names: Record<string, string> = { '#isk': index.sk, '#state': outcome.stateAttribute };
    if (!outcome.nextIndexKey) names['#ipk'] = index.pk;
    const values: Record<string, unknown> = { ':state': outcome.lastAlert, ':indexKey': outcome.indexKey };
    const update = outcome.nextIndexKey
      ? 'SET #state = :state, #isk = :next'
      : 'SET #state = :state REMOVE #ipk, #isk';
    if (outcome.nextIndexKey) values[':next'] = outcome.nextIndexKey;
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
      await this.transact([
        ...(outcome.event ? this.outbox([outcome.event]) : []),
        {
          Update: {
            TableName: this.tableName,
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
  }

  /** Answers once the table does: a key lookup that finds nothing. */
  async ping(): Promise<void> {
    await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
  }
}
