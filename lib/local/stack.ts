import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { createDocumentClient } from '../adapters/clients';
import { systemClock } from '../domain/dates';
import { loadPortfolio } from '../seed/load';
import { DEMO_PORTFOLIO } from '../seed/portfolio';
import { alertThresholdsFromEnv } from '../shared/config';
import { ENV } from '../shared/names';
import { Ledger } from '../storage/ledger';
import { IDEMPOTENCY_TABLE, LEDGER_TABLE } from '../storage/tables';
import { devTokenVerifier } from './dev-tokens';
import {
  ensureTables,
  freePort,
  localDynamoClient,
  type RunningDynamo,
  startSupervisedDynamoDbLocal,
} from './dynamodb-local';
import { configureHandlerEnv } from './handler-env';
import { lambdaContext } from './lambda-context';
import { startEventPipeline } from './pipeline';
import { startDailySweeps, startWeeklyDigests } from './schedule';
import { type LambdaHandler, startApiServer } from './server';
import { STACK_FILE, type StackInfo, TABLE_PREFIX } from './stack-file';
import { createWebHandler } from './web';

export type { StackInfo } from './stack-file';

/**
 * The whole system on one machine: DynamoDB Local with its data in the data dir, the tables from
 * the stack's own definitions, the HTTP API in front of the Lambda handlers, the stream → publisher
 * → local bus → notifier pipeline, and the sweeper on its daily schedule. Only endpoints differ
 * from AWS; the handler code is the same.
 */

export interface LocalStackOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly seed: boolean;
  readonly log: (line: string) => void;
}

export interface LocalStack extends StackInfo {
  readonly seeded: { created: number; alreadyThere: number } | undefined;
  stop(): Promise<void>;
}

const SEED_MARKER = { pk: 'META#SEED', sk: 'META' };

export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    options.log('Starting DynamoDB Local …');
    await stopOrphanedDynamo(dataDir, options.log);
    // Started again on the same port and data whenever it ends on its own (lib/local/supervise.ts).
    const supervisedDynamo = await startSupervisedDynamoDbLocal({
      dataDir: join(dataDir, 'dynamodb'),
      log: options.log,
      onStart: async (instance) => {
        await writeFile(join(dataDir, DYNAMO_PID_FILE), `${instance.process.pid}\n`);
      },
    });
    const dynamo: RunningDynamo = supervisedDynamo.current;
    cleanups.push(async () => {
      await supervisedDynamo.stop();
      await rm(join(dataDir, DYNAMO_PID_FILE), { force: true });
    });
    const client = localDynamoClient(dynamo.endpoint);
    const names = await ensureTables(client, TABLE_PREFIX);
    configureHandlerEnv(dynamo.endpoint, {
      ledger: names[LEDGER_TABLE.id] as string,
      idempotency: names[IDEMPOTENCY_TABLE.id] as string,
    });
    const tableName = names[LEDGER_TABLE.id] as string;
    // The stack's own URL, known before any handler starts: feed URLs, links in e-mails and the
    // OpenAPI document's server are built from it, as from the public URL in AWS.
    const port = options.port === 0 ? await freePort() : options.port;
    process.env[ENV.publicBaseUrl] = `http://127.0.0.1:${port}`;

    const pipeline = await startEventPipeline({
      dataDir,
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      log: options.log,
    });
    cleanups.push(() => pipeline.stop());

    const { handler: grantsApi } = await import('../../functions/grants-api/handler');
    const { handler: metaApi } = await import('../../functions/meta-api/handler');
    const { handler: totalsApi } = await import('../../functions/totals-api/handler');
    const { handler: calendarApi } = await import('../../functions/calendar-api/handler');
    const { handler: digestApi } = await import('../../functions/digest-api/handler');
    const { server, url } = await startApiServer({
      port,
      handlers: {
        'grants-api': grantsApi as unknown as LambdaHandler,
        'meta-api': metaApi as unknown as LambdaHandler,
        'totals-api': totalsApi as unknown as LambdaHandler,
        'calendar-api': calendarApi as unknown as LambdaHandler,
        'digest-api': digestApi as unknown as LambdaHandler,
      },
      verifyToken: await devTokenVerifier(dataDir),
      log: options.log,
      web: createWebHandler({ dataDir }),
    });
    cleanups.push(() => closeServer(server));

    const db = createDocumentClient(client);
    let seeded: LocalStack['seeded'];
    if (options.seed) {
      const marker = await db.send(new GetCommand({ TableName: tableName, Key: SEED_MARKER }));
      if (!marker.Item) {
        options.log('Loading the demo portfolio …');
        const ledger = new Ledger(db, tableName, alertThresholdsFromEnv());
        seeded = await loadPortfolio(
          { ledger, clock: systemClock, newId: ulid },
          DEMO_PORTFOLIO,
          options.log,
        );
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...SEED_MARKER, loadedAt: new Date().toISOString(), grants: DEMO_PORTFOLIO.length },
          }),
        );
      }
    }

    const { handler: sweeper } = await import('../../functions/sweeper/handler');
    const sweeps = startDailySweeps(async () => {
      const summary = await sweeper({}, lambdaContext('sweeper'));
      options.log(`sweep ${JSON.stringify(summary)}`);
    }, options.log);
    cleanups.push(() => sweeps.stop());

    const { handler: digest } = await import('../../functions/digest/handler');
    const digests = startWeeklyDigests(async () => {
      const summary = await digest({}, lambdaContext('digest'));
      options.log(`digest ${JSON.stringify(summary)}`);
    }, options.log);
    cleanups.push(() => digests.stop());

    const info: StackInfo = {
      apiUrl: url,
      dynamodbEndpoint: dynamo.endpoint,
      eventBusEndpoint: pipeline.eventBusEndpoint,
    };
    // Written whole or not at all: readers poll for it.
    await writeFile(join(dataDir, `${STACK_FILE}.tmp`), `${JSON.stringify(info, null, 2)}\n`);
    await rename(join(dataDir, `${STACK_FILE}.tmp`), join(dataDir, STACK_FILE));
    cleanups.push(async () => {
      await writeFile(join(dataDir, STACK_FILE), '{}\n').catch(() => undefined);
    });
    return { ...info, seeded, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};

const DYNAMO_PID_FILE = 'dynamodb.pid';

/**
 * A stack killed with SIGKILL cannot stop its DynamoDB Local, which then keeps the data dir's
 * database open. The next start on the same data dir finds it by its pid file and stops it first.
 */
const stopOrphanedDynamo = async (dataDir: string, log: (line: string) => void): Promise<void> => {
  const pid = Number((await readFile(join(dataDir, DYNAMO_PID_FILE), 'utf8').catch(() => '')).trim());
  if (!pid) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const alive = (() => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  })();
  if (alive && cmdline.includes('DynamoDBLocal')) {
    log(`Stopping DynamoDB Local left running by an earlier start (pid ${pid}) …`);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        break;
      }
    }
  }
  await rm(join(dataDir, DYNAMO_PID_FILE), { force: true });
};

const closeServer = (server: Server) =>
  new Promise<void>((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
