import { Logger } from '@aws-lambda-powertools/logger';
import { BACKGROUND_BUDGET, createDocumentClient, createDynamoClient } from '../../lib/adapters/clients';
import { systemClock } from '../../lib/domain/dates';
import { alertThresholdsFromEnv, readConfig } from '../../lib/shared/config';
import { ENV } from '../../lib/shared/names';
import { Ledger } from '../../lib/storage/ledger';
import type { SweeperDeps } from './app';

export const sideEffects = (): SweeperDeps => {
  const config = readConfig([ENV.tableName]);
  const thresholds = alertThresholdsFromEnv();
  return {
    // Nobody waits at a screen for a sweep: each call gets the background budget (lib/adapters/clients.ts).
    ledger: new Ledger(
      createDocumentClient(createDynamoClient(undefined, BACKGROUND_BUDGET)),
      config[ENV.tableName],
      thresholds,
    ),
    clock: systemClock,
    thresholds,
    logger: new Logger({ serviceName: 'sweeper' }),
  };
};
