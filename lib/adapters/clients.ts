import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../shared/names';

/**
 * AWS SDK clients, built once per cold start. In AWS they use the function's role and region;
 * local mode sets an endpoint (and dummy credentials) through the environment, nothing else.
 *
 * Every client has a time budget. Without one the SDK waits for ever on a store that accepts the
 * connection and never answers, and an API request hangs until API Gateway gives up after 30 s.
 */

/** How long one call may take: per attempt, and how many attempts (the first included). */
export interface TimeBudget {
  /** Until the TCP connection is up; DynamoDB answers a SYN in milliseconds. */
  readonly connectionTimeoutMs: number;
  /** From sending the request to the whole response, per attempt. */
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
}

/**
 * What an API request gives the store: 2 attempts of at most 1.2 s with the SDK's backoff between
 * them (≤ 50 ms after a timeout or a refused connection, ≤ 1 s after throttling), so a store that
 * does not answer costs a request about 2.5 s before it gets its 503, well inside the API functions'
 * 10 s and API Gateway's 30 s. A DynamoDB call normally takes single-digit milliseconds; 1.2 s is
 * generous for a transaction of 100 items or a 1 MB page. Retries also draw on the SDK's retry quota
 * (a token bucket per client that empties when most calls fail), so a store that is down is not asked
 * everything twice.
 */
export const REQUEST_BUDGET: TimeBudget = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 1_200,
  maxAttempts: 2,
};

/**
 * What work nobody waits for at a screen gives the store or the bus (publisher, notifier, sweeper,
 * the local stream poller): more attempts and more time per call, still bounded, so a paused store
 * makes the call fail and the caller's own retry (the stream's, the bus's) take over.
 */
export const BACKGROUND_BUDGET: TimeBudget = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 5_000,
  maxAttempts: 4,
};

/**
 * The longest one call can take under a budget: both timeouts start with the attempt, so an attempt
 * lasts at most the longer of them; before retry n (1, 2, …) the SDK waits a random delay of at most
 * base × 2^(n−1) (base 50 ms, 1 s after throttling; capped at 20 s).
 */
export const worstCaseMs = (budget: TimeBudget, backoffBaseMs = 50): number => {
  const attempt = Math.max(budget.connectionTimeoutMs, budget.requestTimeoutMs);
  let total = budget.maxAttempts * attempt;
  for (let retry = 1; retry < budget.maxAttempts; retry++) {
    total += Math.min(20_000, backoffBaseMs * 2 ** (retry - 1));
  }
  return total;
};

const budgetOptions = (budget: TimeBudget) => ({
  maxAttempts: budget.maxAttempts,
  requestHandler: {
    connectionTimeout: budget.connectionTimeoutMs,
    requestTimeout: budget.requestTimeoutMs,
    // Without it a request past its requestTimeout only logs a warning and keeps waiting.
    throwOnRequestTimeout: true,
  },
});

const localOptions = (endpoint: string | undefined) =>
  endpoint
    ? {
        endpoint,
        region: process.env.AWS_REGION ?? 'eu-central-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : {};

export const createDynamoClient = (
  endpoint = process.env[ENV.dynamodbEndpoint],
  budget: TimeBudget = REQUEST_BUDGET,
): DynamoDBClient => new DynamoDBClient({ ...localOptions(endpoint), ...budgetOptions(budget) });

export const createDocumentClient = (client: DynamoDBClient = createDynamoClient()): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });

export const createEventBridgeClient = (
  endpoint = process.env[ENV.eventBridgeEndpoint],
  budget: TimeBudget = BACKGROUND_BUDGET,
): EventBridgeClient => new EventBridgeClient({ ...localOptions(endpoint), ...budgetOptions(budget) });

/** DynamoDB Streams, for local mode's stream poller (in AWS, Lambda's event source mapping reads it). */
export const createStreamsClient = (
  endpoint: string,
  budget: TimeBudget = BACKGROUND_BUDGET,
): DynamoDBStreamsClient =>
  new DynamoDBStreamsClient({ ...localOptions(endpoint), ...budgetOptions(budget) });
