import { randomBytes } from 'node:crypto';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import { createDocumentClient } from '../../lib/adapters/clients';
import { type Clock, fixedClock } from '../../lib/domain/dates';
import { ensureTables, localDynamoClient } from '../../lib/local/dynamodb-local';
import { Ledger } from '../../lib/storage/ledger';
import { IDEMPOTENCY_TABLE, LEDGER_TABLE } from '../../lib/storage/tables';

/** Fresh tables on a running DynamoDB Local, named apart so test files never share data. */
export const freshLedger = async (endpoint: string, clock: Clock = fixedClock('2026-11-22T09:00:00Z')) => {
  const dynamo = localDynamoClient(endpoint);
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const names = await ensureTables(dynamo, prefix);
  const tableName = names[LEDGER_TABLE.id] as string;
  const db = createDocumentClient(dynamo);
  const ledger = new Ledger(db, tableName);
  return {
    dynamo,
    db,
    tableName,
    idempotencyTableName: names[IDEMPOTENCY_TABLE.id] as string,
    ledger,
    ports: { ledger, clock, newId: ulid },
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: names[IDEMPOTENCY_TABLE.id] as string,
      awsSdkV3Client: dynamo,
    }),
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  };
};
