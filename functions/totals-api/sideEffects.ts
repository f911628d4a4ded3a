import { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient } from '../../lib/adapters/clients';
import { readConfig } from '../../lib/shared/config';
import { ENV } from '../../lib/shared/names';
import { Ledger } from '../../lib/storage/ledger';
import type { TotalsApiDeps } from './app';

export const sideEffects = (): TotalsApiDeps => {
  const config = readConfig([ENV.tableName]);
  return {
    ledger: new Ledger(createDocumentClient(), config[ENV.tableName]),
    logger: new Logger({ serviceName: 'totals-api' }),
  };
};
