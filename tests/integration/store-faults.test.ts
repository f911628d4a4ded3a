import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTotalsApi } from '../../functions/totals-api/app';
import {
  createDocumentClient,
  createDynamoClient,
  REQUEST_BUDGET,
  worstCaseMs,
} from '../../lib/adapters/clients';
import { withStoreDeadline } from '../../lib/adapters/deadline';
import type { ApiResult } from '../../lib/api/http';
import {
  ensureTables,
  localDynamoClient,
  type RunningDynamo,
  startSupervisedDynamoDbLocal,
} from '../../lib/local/dynamodb-local';
import type { Supervised } from '../../lib/local/supervise';
import { Ledger } from '../../lib/storage/ledger';
import { LEDGER_TABLE } from '../../lib/storage/tables';
import { apiEvent, FINANCE, lambdaContext } from '../support/api-events';

/**
 * The SDK clients' time budget against stores that misbehave for real: one that accepts connections
 * and never answers, a paused DynamoDB Local (SIGSTOP), and a killed one that local mode's supervisor
 * starts again on the same port and data. Bounds are the issue's (5 s); measured times are printed.
 */

const logger = new Logger({ serviceName: 'totals-api', logLevel: 'SILENT' });
const measured: Record<string, number> = {};

const totalsApiOn = (endpoint: string, tableName = 'ledger-missing') =>
  createTotalsApi({
    ledger: new Ledger(createDocumentClient(createDynamoClient(endpoint)), tableName),
    logger,
  });

const timedTotals = async (handler: ReturnType<typeof totalsApiOn>) => {
  const started = performance.now();
  const result = (await handler(
    apiEvent('GET', '/totals', { claims: FINANCE }),
    lambdaContext(),
  )) as ApiResult;
  return { result, ms: performance.now() - started };
};

afterAll(() => {
  process.stdout.write(`store faults: ${JSON.stringify(measured)}\n`);
});

describe('a store that accepts connections and never answers', () => {
  let server: Server;
  let endpoint: string;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('makes the SDK give up within its budget with a timeout, without repeating the attempt', async () => {
    // arrange
    const client = createDynamoClient(endpoint);
    const started = performance.now();
    // act
    const error = await client.send(new ListTablesCommand({})).catch((e: unknown) => e as Error);
    const ms = performance.now() - started;
    client.destroy();
    // assert
    expect((error as Error).name).toBe('TimeoutError');
    expect((error as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(1);
    expect(ms).toBeLessThan(5_000);
    measured.silentStoreSdkMs = Math.round(ms);
    measured.silentStoreBudgetMs = worstCaseMs(REQUEST_BUDGET);
  });

  it('bounds all the calls of one request by one deadline: once it has passed, a call fails at once', async () => {
    // arrange
    const client = createDynamoClient(endpoint);
    const started = performance.now();
    // act: a request that would make three calls in a row
    const errors = await withStoreDeadline(1_000, async () => {
      const failures: { name: string; atMs: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const error = await client.send(new ListTablesCommand({})).catch((e: unknown) => e as Error);
        failures.push({ name: (error as Error).name, atMs: performance.now() - started });
      }
      return failures;
    });
    client.destroy();
    // assert: the first waits what the deadline leaves, the others do not wait at all
    expect(errors.map((e) => e.name)).toEqual(['TimeoutError', 'TimeoutError', 'TimeoutError']);
    expect(errors.at(-1)?.atMs).toBeLessThan(REQUEST_BUDGET.requestTimeoutMs);
    measured.deadlineThreeCallsMs = Math.round(errors.at(-1)?.atMs ?? 0);
  });

  it('gives the API caller a 503 problem with Retry-After, not a 500 and not a hang', async () => {
    const { result, ms } = await timedTotals(totalsApiOn(endpoint));
    expect(result.statusCode).toBe(503);
    expect(result.headers['Content-Type']).toBe('application/problem+json');
    expect(result.headers['Retry-After']).toBe('3');
    expect(ms).toBeLessThan(5_000);
    measured.silentStoreApiMs = Math.round(ms);
  });
});

describe('DynamoDB Local paused, then killed, under local supervision', () => {
  let dataDir: string;
  let dynamo: Supervised<RunningDynamo>;
  let tableName: string;
  const lines: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'funding-tracker-store-faults-'));
    dynamo = await startSupervisedDynamoDbLocal({
      dataDir: join(dataDir, 'dynamodb'),
      log: (line) => lines.push(line),
      backoff: { baseMs: 100, maxMs: 1_000 },
    });
    const names = await ensureTables(localDynamoClient(dynamo.current.endpoint), 'faults');
    tableName = names[LEDGER_TABLE.id] as string;
  });

  afterAll(async () => {
    try {
      dynamo?.current.process.kill('SIGCONT');
    } catch {
      // already gone
    }
    await dynamo?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After within 5 s while paused, and 200 once it resumes', async () => {
    // arrange
    const api = totalsApiOn(dynamo.current.endpoint, tableName);
    expect((await timedTotals(api)).result.statusCode).toBe(200);
    dynamo.current.process.kill('SIGSTOP');
    let paused: Awaited<ReturnType<typeof timedTotals>>;
    try {
      // act
      paused = await timedTotals(api);
    } finally {
      dynamo.current.process.kill('SIGCONT');
    }
    const resumed = await timedTotals(api);
    // assert
    expect(paused.result.statusCode).toBe(503);
    expect(paused.result.headers['Retry-After']).toBe('3');
    expect(paused.ms).toBeLessThan(5_000);
    expect(resumed.result.statusCode).toBe(200);
    measured.pausedStoreApiMs = Math.round(paused.ms);
  });

  it('is started again on the same port and data after kill -9, and the same client works again', async () => {
    // arrange
    const db = createDocumentClient(createDynamoClient(dynamo.current.endpoint));
    await db.send(
      new PutCommand({ TableName: tableName, Item: { pk: 'FAULT#1', sk: 'ITEM', note: 'acknowledged' } }),
    );
    const first = dynamo.current;
    const api = totalsApiOn(first.endpoint, tableName);
    const restarted = dynamo.nextRestart();
    // act
    first.process.kill('SIGKILL');
    const whileDown = await timedTotals(api);
    const second = await restarted;
    const back = await timedTotals(api);
    // assert
    expect(whileDown.result.statusCode).toBe(503);
    expect(whileDown.ms).toBeLessThan(5_000);
    expect(second.port).toBe(first.port);
    expect(second.process.pid).not.toBe(first.process.pid);
    expect(dynamo.restarts).toBe(1);
    expect(back.result.statusCode).toBe(200);
    const kept = await db.send(new GetCommand({ TableName: tableName, Key: { pk: 'FAULT#1', sk: 'ITEM' } }));
    expect(kept.Item?.note).toBe('acknowledged');
    expect(lines.join('\n')).toMatch(/DynamoDB Local ended \(signal SIGKILL\); starting it again in 0\.1 s/);
    expect(lines.join('\n')).toMatch(
      /DynamoDB Local is running again, [\d.]+ s after it ended \(restart 1\)/,
    );
    measured.killedStoreApiMs = Math.round(whileDown.ms);
  });
});
