import { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import { createDocumentClient } from '../../lib/adapters/clients';
import { systemClock } from '../../lib/domain/dates';
import { alertThresholdsFromEnv, readConfig } from '../../lib/shared/config';
import { ENV } from '../../lib/shared/names';
import { FeedTokens } from '../../lib/storage/feed-tokens';
import { Ledger } from '../../lib/storage/ledger';
import type { CalendarApiDeps } from './app';

/** Production ports, built once per cold start. */
export const sideEffects = (): CalendarApiDeps => {
  const config = readConfig([ENV.tableName, ENV.publicBaseUrl]);
  const db = createDocumentClient();
  const thresholds = alertThresholdsFromEnv();
  return {
    ledger: new Ledger(db, config[ENV.tableName], thresholds),
    feedTokens: new FeedTokens(db, config[ENV.tableName]),
    clock: systemClock,
    newId: ulid,
    thresholds,
    logger: new Logger({ serviceName: 'calendar-api' }),
    publicBaseUrl: config[ENV.publicBaseUrl],
  };
};
