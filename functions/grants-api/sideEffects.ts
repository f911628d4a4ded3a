import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import { createDocumentClient, createDynamoClient } from '../../lib/adapters/clients';
import { systemClock } from '../../lib/domain/dates';
import { alertThresholdsFromEnv, readConfig } from '../../lib/shared/config';
import { ENV } from '../../lib/shared/names';
import { Ledger } from '../../lib/storage/ledger';
import type { GrantsApiDeps } from './app';

/** Production ports, built once per cold start. */
export const sideEffects = (): GrantsApiDeps => {
  const config = readConfig([ENV.tableName, ENV.idempotencyTableName]);
  const dynamo = createDynamoClient();
  return {
    ledger: new Ledger(createDocumentClient(dynamo), config[ENV.tableName], alertThresholdsFromEnv()),
    clock: systemClock,
    newId: ulid,
    logger: new Logger({ serviceName: 'grants-api' }),
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: config[ENV.idempotencyTableName],
      awsSdkV3Client: dynamo,
    }),
  };
};
