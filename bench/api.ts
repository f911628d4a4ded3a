import type { Server } from 'node:http';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { createGrantsApi } from '../functions/grants-api/app';
import { createTotalsApi } from '../functions/totals-api/app';
import { createDocumentClient, createDynamoClient } from '../lib/adapters/clients';
import { systemClock } from '../lib/domain/dates';
import type { TokenVerifier } from '../lib/local/dev-tokens';
import { type LambdaHandler, startApiServer } from '../lib/local/server';
import { alertThresholdsFromEnv } from '../lib/shared/config';
import { Ledger } from '../lib/storage/ledger';

export interface BenchApi {
  readonly url: string;
  /** The grants API's document client: the one the Ledger sends its transactions through. */
  readonly grantsDb: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

/**
 * The local HTTP server (lib/local/server.ts) in front of the real grants and totals handlers,
 * built by their factories with exactly the ports their sideEffects build (functions/*\/sideEffects.ts)
 * but for the table: one API per table set, all on one DynamoDB Local.
 */
export const startBenchApi = async (options: {
  readonly endpoint: string;
  readonly ledgerTable: string;
  readonly idempotencyTable: string;
  readonly verifyToken: TokenVerifier;
}): Promise<BenchApi> => {
  const dynamo = createDynamoClient(options.endpoint);
  const grantsDb = createDocumentClient(dynamo);
  const grantsApi = createGrantsApi({
    ledger: new Ledger(grantsDb, options.ledgerTable, alertThresholdsFromEnv()),
    clock: systemClock,
    newId: ulid,
    logger: new Logger({ serviceName: 'grants-api' }),
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: options.idempotencyTable,
      awsSdkV3Client: dynamo,
    }),
  });
  const totalsApi = createTotalsApi({
    ledger: new Ledger(createDocumentClient(createDynamoClient(options.endpoint)), options.ledgerTable),
    logger: new Logger({ serviceName: 'totals-api' }),
  });
  const { server, url } = await startApiServer({
    port: 0,
    handlers: {
      'grants-api': grantsApi as unknown as LambdaHandler,
      'totals-api': totalsApi as unknown as LambdaHandler,
      'meta-api': undefined,
      'calendar-api': undefined,
      'digest-api': undefined,
    },
    verifyToken: options.verifyToken,
  });
  return { url, grantsDb, stop: () => closeServer(server) };
};

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

type Send = DynamoDBDocumentClient['send'];

/**
 * Records the TransactWriteItems input the next request makes through `db`, exactly as the Ledger
 * sends it, then stops recording: what the raw-write baseline replays.
 */
export const captureNextTransaction = async (
  db: DynamoDBDocumentClient,
  request: () => Promise<void>,
): Promise<TransactWriteCommandInput> => {
  const original: Send = db.send.bind(db);
  let captured: TransactWriteCommandInput | undefined;
  const recording = ((command: Parameters<Send>[0], ...rest: unknown[]) => {
    if (command instanceof TransactWriteCommand && !captured) captured = structuredClone(command.input);
    return (original as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
  }) as Send;
  db.send = recording;
  try {
    await request();
  } finally {
    db.send = original;
  }
  if (!captured) throw new Error('The request made no TransactWriteItems.');
  return captured;
};

const ULID = /[0-9A-HJKMNP-TV-Z]{26}/g;

/**
 * A fresh copy of a captured transaction: every id in it (the grant's, its events') replaced by a
 * new ULID, so its `attribute_not_exists(pk)` conditions hold again. Everything else is unchanged.
 */
export const withFreshIds = (input: TransactWriteCommandInput): TransactWriteCommandInput => {
  const fresh = new Map<string, string>();
  const json = JSON.stringify(input).replace(ULID, (id) => {
    const replacement = fresh.get(id) ?? ulid();
    fresh.set(id, replacement);
    return replacement;
  });
  return JSON.parse(json) as TransactWriteCommandInput;
};
