import { ENV } from '../shared/names';

/**
 * The environment the handlers read at cold start, for running them outside Lambda (local mode, the
 * sweep CLI, the benchmarks): the tables, the local endpoint, dummy credentials, and request logs
 * and metrics off (locally only warnings and errors reach the terminal). Set it before a handler is
 * imported or built.
 */
export const configureHandlerEnv = (
  dynamodbEndpoint: string,
  tables: { readonly ledger: string; readonly idempotency: string },
): void => {
  process.env[ENV.tableName] = tables.ledger;
  process.env[ENV.idempotencyTableName] = tables.idempotency;
  process.env[ENV.dynamodbEndpoint] = dynamodbEndpoint;
  process.env[ENV.stage] ??= 'local';
  process.env.AWS_REGION ??= 'eu-central-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
};
