import { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient } from '../../lib/adapters/clients';
import { systemClock } from '../../lib/domain/dates';
import { readConfig } from '../../lib/shared/config';
import { ENV } from '../../lib/shared/names';
import { Ledger } from '../../lib/storage/ledger';
import type { DigestApiDeps } from './app';

/** Production ports, built once per cold start. */
export const sideEffects = (): DigestApiDeps => {
  const config = readConfig([ENV.tableName]);
  return {
    ledger: new Ledger(createDocumentClient(), config[ENV.tableName]),
    clock: systemClock,
    logger: new Logger({ serviceName: 'digest-api' }),
  };
};
