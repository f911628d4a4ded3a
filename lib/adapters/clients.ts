import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { ENV } from '../shared/names';
import { storeTimeLeftMs } from './deadline';
import { createWriteSlots, isDynamoWrite } from './write-slots';

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
  /** From sending the request to the whole response, per attempt (it includes the connection). */
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  /** Whether an attempt that timed out is tried again within the same call. */
  readonly retryTimeouts: boolean;
  /**
   * DynamoDB writes the client has at the store at once; more wait their turn within their
   * request's deadline (write-slots.ts). Unset: no bound.
   */
  readonly maxWritesInFlight?: number;
}

/**
 * What an API request gives the store: one attempt of at most 2.5 s, so a store that does not
 * answer costs a request about 2.5 s before it gets its 503, inside the API functions' 10 s and API
 * Gateway's 30 s. A timed-out attempt is not repeated: a store that is overloaded or paused does
 * not answer a second attempt sooner, and repeating it doubles its load (the caller retries after
 * Retry-After instead). Failures that end at once (a refused or reset connection, throttling, a 5xx)
 * are retried, up to 3 attempts, after the SDK's backoff: a keep-alive connection to a store that
 * restarted fails once and the next attempt opens a new one. A DynamoDB call normally takes
 * single-digit milliseconds; 2.5 s leaves room for a transaction of 100 items or a 1 MB page on a
 * busy store. At most 4 writes are at the store at once; the others wait in the client, in order,
 * within the request's deadline, and are failed at once when a write at the store times out
 * (write-slots.ts): under the load run's 50 clients on DynamoDB Local that turned the few 503s of
 * each minute into answers (BENCHMARKS.md, "Load and faults").
 */
export const REQUEST_BUDGET: TimeBudget = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 2_500,
  maxAttempts: 3,
  retryTimeouts: false,
  maxWritesInFlight: 4,
};

/**
 * What work nobody waits for at a screen gives the store or the bus (publisher, notifier, sweeper,
 * the local stream poller and tools): more attempts and more time per call, still bounded, so a
 * paused store makes the call fail and the caller's own retry (the stream's, the bus's) take over.
 */
export const BACKGROUND_BUDGET: TimeBudget = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 5_000,
  maxAttempts: 4,
  retryTimeouts: true,
};

/**
 * What local tooling gives DynamoDB Local (tables, the demo portfolio, totals:verify, tests that
 * drive handlers directly): patient, because a busy machine can make DynamoDB Local slow for
 * seconds, but never waiting for ever on one that stopped answering.
 */
export const TOOL_BUDGET: TimeBudget = {
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 30_000,
  maxAttempts: 3,
  retryTimeouts: false,
};

const BACKOFF_BASE_MS = 50;
const THROTTLING_BACKOFF_BASE_MS = 500;
const MAX_BACKOFF_MS = 5_000;
/** A token bucket per client, as the SDK's standard strategy keeps: retries stop when most calls fail. */
const RETRY_QUOTA = { capacity: 500, retryCost: 5, timeoutRetryCost: 10, successRefill: 1 };

/**
 * The longest one call can take when the store does not answer at all: one attempt when timeouts are
 * not retried, else every attempt plus the backoff before each retry (at most base × 2^(n−1)).
 */
export const worstCaseMs = (budget: TimeBudget): number => {
  const attempt = Math.max(budget.connectionTimeoutMs, budget.requestTimeoutMs);
  if (!budget.retryTimeouts) return attempt;
  let total = budget.maxAttempts * attempt;
  for (let retry = 1; retry < budget.maxAttempts; retry++) {
    total += Math.min(MAX_BACKOFF_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
  }
  return total;
};

const isTimeout = (error: unknown): boolean => {
  const e = error as { name?: unknown; code?: unknown } | undefined;
  return e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT';
};

interface Token extends RetryToken {
  readonly cost: number;
}

/**
 * The SDK's standard retry (throttling and transient errors, full-jitter exponential backoff, a retry
 * quota), with the one difference the budget asks for: a timed-out attempt is retried only when
 * `retryTimeouts` says so.
 */
export const budgetRetryStrategy = (budget: TimeBudget): RetryStrategyV2 => {
  let quota = RETRY_QUOTA.capacity;
  const token = (count: number, delay: number, cost: number): Token => ({
    getRetryCount: () => count,
    getRetryDelay: () => delay,
    cost,
  });
  return {
    acquireInitialRetryToken: async () => token(0, 0, 0),
    refreshRetryTokenForRetry: async (previous, info: RetryErrorInfo) => {
      const timedOut = isTimeout(info.error);
      const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
      const cost = timedOut ? RETRY_QUOTA.timeoutRetryCost : RETRY_QUOTA.retryCost;
      const count = previous.getRetryCount() + 1;
      if (!retryable || (timedOut && !budget.retryTimeouts) || count >= budget.maxAttempts || quota < cost) {
        throw info.error ?? new Error('Not retried');
      }
      quota -= cost;
      const base = info.errorType === 'THROTTLING' ? THROTTLING_BACKOFF_BASE_MS : BACKOFF_BASE_MS;
      const backoff = Math.floor(Math.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** (count - 1)));
      const hinted = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : 0;
      return token(count, Math.min(MAX_BACKOFF_MS, Math.max(backoff, hinted)), cost);
    },
    recordSuccess: (used) => {
      quota = Math.min(RETRY_QUOTA.capacity, quota + ((used as Token).cost || RETRY_QUOTA.successRefill));
    },
  };
};

const budgetOptions = (budget: TimeBudget) => ({
  maxAttempts: budget.maxAttempts,
  retryStrategy: budgetRetryStrategy(budget),
  requestHandler: {
    connectionTimeout: budget.connectionTimeoutMs,
    requestTimeout: budget.requestTimeoutMs,
    // Without it a request past its requestTimeout only logs a warning and keeps waiting.
    throwOnRequestTimeout: true,
  },
});

interface HandlerLike {
  handle(request: unknown, options?: { requestTimeout?: number; abortSignal?: unknown }): Promise<unknown>;
}

const timeoutError = (message: string) =>
  Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });

/**
 * Every attempt of the client waits at most what is left of the request's deadline (and never starts
 * once it has passed: the call fails at once as a timeout, which the API answers with 503). With
 * `maxWritesInFlight`, a write first waits for a slot (write-slots.ts) for at most what is left of
 * the deadline, and then has its budget at the store; a write that times out at the store fails
 * every write still waiting, none of which is then sent.
 */
const boundByDeadline = <C extends { config: { requestHandler: unknown } }>(
  client: C,
  budget: TimeBudget,
): C => {
  const handler = client.config.requestHandler as HandlerLike;
  const handle = handler.handle.bind(handler);
  const slots = budget.maxWritesInFlight ? createWriteSlots(budget.maxWritesInFlight) : undefined;
  const attempt = (request: unknown, options: { requestTimeout?: number; abortSignal?: unknown }) => {
    const left = storeTimeLeftMs();
    if (left === undefined) return handle(request, options);
    if (left <= 0) return Promise.reject(timeoutError('The request had no time left for the store.'));
    const requestTimeout = Math.min(options.requestTimeout ?? budget.requestTimeoutMs, Math.ceil(left));
    return handle(request, { ...options, requestTimeout });
  };
  handler.handle = async (request, options = {}) => {
    if (!slots || !isDynamoWrite(request)) return attempt(request, options);
    const release = await slots.acquire(storeTimeLeftMs() ?? budget.requestTimeoutMs);
    if (!release) throw timeoutError('No write could be sent in time: the store is behind or not answering.');
    try {
      return await attempt(request, options);
    } catch (error) {
      if (isTimeout(error)) slots.failWaiting();
      throw error;
    } finally {
      release();
    }
  };
  return client;
};

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
): DynamoDBClient =>
  boundByDeadline(new DynamoDBClient({ ...localOptions(endpoint), ...budgetOptions(budget) }), budget);

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

/** Amazon SES for the notifier: the background budget, as nobody waits at a screen for an e-mail. */
export const createSesClient = (budget: TimeBudget = BACKGROUND_BUDGET): SESv2Client =>
  new SESv2Client(budgetOptions(budget));
