import { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient } from '../../lib/adapters/clients';
import { readConfig } from '../../lib/shared/config';
import { ENV } from '../../lib/shared/names';
import { Ledger } from '../../lib/storage/ledger';
import type { MetaApiDeps } from './app';

export const sideEffects = (): MetaApiDeps => {
  const config = readConfig([ENV.tableName, ENV.publicBaseUrl]);
  const ledger = new Ledger(createDocumentClient(), config[ENV.tableName]);
  return {
    logger: new Logger({ serviceName: 'meta-api' }),
    ping: () => ledger.ping(),
    serverUrl: config[ENV.publicBaseUrl],
  };
};
