import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createEventBridgeClient } from '../../lib/adapters/clients';
import { readConfig } from '../../lib/shared/config';
import { ENV } from '../../lib/shared/names';
import type { PublisherDeps } from './app';

/**
 * Production ports, built once per cold start. Local mode (EVENTBRIDGE_ENDPOINT set) publishes no
 * CloudWatch metrics: there is no CloudWatch to read them, only a terminal to clutter.
 */
export const sideEffects = (env: NodeJS.ProcessEnv = process.env): PublisherDeps => {
  const config = readConfig([ENV.eventBusName], env);
  const local = env[ENV.eventBridgeEndpoint] !== undefined;
  return {
    eventBridge: createEventBridgeClient(env[ENV.eventBridgeEndpoint]),
    busName: config[ENV.eventBusName],
    logger: new Logger({ serviceName: 'publisher' }),
    metrics: local ? undefined : new Metrics({ namespace: 'FundingTracker', serviceName: 'publisher' }),
    sleep: (ms) => delay(ms),
  };
};
