import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  paginateQuery,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type AlertThresholds, DEFAULT_ALERT_THRESHOLDS } from '../domain/alerts';
import { type OutboxEvent, outboxToItem } from './items';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why a conditional write was refused, when the caller must tell "gone" from "changed". */
export class WriteConflict extends Error {
  constructor(readonly reasons: readonly (string | undefined)[]) {
    super(`Transaction cancelled: ${reasons.join(', ')}`);
  }
}

const MAX_CONFLICT_RETRIES = 12;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The ledger table and the primitives every aggregate's reads and writes are made of: paged
 * queries, transactions that retry only DynamoDB's own conflicts, conditional puts, attribute-wise
 * replaces and outbox events. Each change and the events it causes are one TransactWriteItems.
 */
export class LedgerTable {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    /** Alert thresholds place deadlines and funding ends in the sweeper's index as they are written. */
    readonly thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS,
  ) {}

  /** Every item a Query matches, all pages, with the read capacity it consumed. */
  async queryAll(
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
  async transact(items: TransactItem[]): Promise<void> {
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

  put(
    item: Record<string, unknown>,
    condition?: Omit<TransactItem['Put'] & object, 'TableName' | 'Item'>,
  ): TransactItem {
    return { Put: { TableName: this.tableName, Item: item, ...condition } };
  }

  /** A put that only creates: it fails if the item exists. */
  create(item: Record<string, unknown>): TransactItem {
    return this.put(item, { ConditionExpression: 'attribute_not_exists(pk)' });
  }

  /**
   * An Update that writes every attribute of `item` but the key and those the caller preserves
   * (running sums, the sweeper's state), and removes the optional ones the item no longer has.
   * Unlike a Put, it cannot undo a concurrent writer's change to an attribute it does not own.
   */
  replaceItem(
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

  /** The change's events, each written once (a second write of the same event id fails). */
  outbox(events: readonly OutboxEvent[]): TransactItem[] {
    return events.map((event) => this.create(outboxToItem(event)));
  }
}

/** True when the transaction's first item (the change's own condition) was refused. */
export const firstConditionFailed = (error: unknown): error is WriteConflict =>
  error instanceof WriteConflict && error.reasons[0] === 'ConditionalCheckFailed';
