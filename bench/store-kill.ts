import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BatchGetItemCommand,
  CreateTableCommand,
  type DynamoDBClient,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { localDynamoClient, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { round } from './stats';
import { table } from './table';

/**
 * `npm run bench:store-kill`: does DynamoDB Local keep every transaction it acknowledged when it is
 * killed with -9? No code of ours is involved: writers send TransactWriteItems of 13 new items (the
 * size of a grant's registration) straight to DynamoDB Local on disk, it is killed mid-stream,
 * started again on the same data, and every acknowledged transaction is read back. A transaction
 * that is missing is reported with how long before the kill its acknowledgement arrived.
 *
 * The load and fault run (faults.ts) kills DynamoDB Local under the API, and a write the API
 * acknowledged can only be as durable as the store's own acknowledgement: this is that figure.
 */

// As in the command-line tools (lib/local/cli/args.ts): the machine's Node.js is no news to whoever runs this.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface StoreKillMeasure {
  readonly rounds: number;
  readonly acknowledged: number;
  readonly lost: number;
  /** For each lost transaction: milliseconds between its acknowledgement and the kill. */
  readonly lostMsBeforeKill: readonly number[];
}

const WRITERS = 24;
const ITEMS = 13;
const TABLE = 'store-kill';

const writeUntilKilled = async (
  client: DynamoDBClient,
  acknowledged: Map<string, number>,
  writer: number,
) => {
  for (let n = 0; ; n++) {
    const id = `w${writer}-${n}`;
    try {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: Array.from({ length: ITEMS }, (_, i) => ({
            Put: {
              TableName: TABLE,
              Item: { pk: { S: `${id}#${i}` } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
        }),
      );
      acknowledged.set(id, performance.now());
    } catch {
      return; // the store is gone
    }
  }
};

/** The ids of the transactions of which not every item is there. */
const missing = async (client: DynamoDBClient, ids: readonly string[]): Promise<string[]> => {
  const lost: string[] = [];
  for (const id of ids) {
    const keys = Array.from({ length: ITEMS }, (_, i) => ({ pk: { S: `${id}#${i}` } }));
    const { Responses } = await client.send(
      new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: keys, ConsistentRead: true } } }),
    );
    if ((Responses?.[TABLE]?.length ?? 0) !== ITEMS) lost.push(id);
  }
  return lost;
};

export const measureStoreKill = async (
  rounds: number,
  log: (line: string) => void = () => undefined,
): Promise<StoreKillMeasure> => {
  let acknowledgedTotal = 0;
  const lostMsBeforeKill: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'funding-tracker-store-kill-'));
    try {
      const first = await startDynamoDbLocal({ dataDir });
      const client = localDynamoClient(first.endpoint);
      await client.send(
        new CreateTableCommand({
          TableName: TABLE,
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        }),
      );
      const acknowledged = new Map<string, number>();
      const writers = Array.from({ length: WRITERS }, (_, w) => writeUntilKilled(client, acknowledged, w));
      await new Promise((resolve) => setTimeout(resolve, 1_500 + Math.random() * 1_000));
      const killAt = performance.now();
      first.process.kill('SIGKILL');
      await first.exited;
      await Promise.all(writers);
      client.destroy();

      const second = await startDynamoDbLocal({ dataDir });
      const reader = localDynamoClient(second.endpoint);
      try {
        const lost = await missing(reader, [...acknowledged.keys()]);
        for (const id of lost) lostMsBeforeKill.push(round(killAt - (acknowledged.get(id) ?? killAt), 1));
        acknowledgedTotal += acknowledged.size;
        log(`store-kill: round ${r} of ${rounds}: ${acknowledged.size} acknowledged, ${lost.length} missing`);
      } finally {
        reader.destroy();
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return { rounds, acknowledged: acknowledgedTotal, lost: lostMsBeforeKill.length, lostMsBeforeKill };
};

export const storeKillTable = (m: StoreKillMeasure): string =>
  table(`DynamoDB Local killed with -9 under ${WRITERS} writers, ${m.rounds} times (no code of ours)`, [
    ['transactions acknowledged', 'missing after the restart', 'their acknowledgement, ms before the kill'],
    [m.acknowledged, m.lost, m.lostMsBeforeKill.join(', ') || '–'],
  ]);

const standalone = async () => {
  const rounds = Number(process.argv[2] ?? 12);
  const measured = await measureStoreKill(rounds, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${storeKillTable(measured)}\n${JSON.stringify(measured)}\n`);
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  standalone().catch((error: unknown) => {
    process.stderr.write(
      `bench store-kill failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
