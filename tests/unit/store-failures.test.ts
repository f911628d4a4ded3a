import 'aws-sdk-client-mock-vitest/extend';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { RetryErrorInfo } from '@smithy/types';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetaApi } from '../../functions/meta-api/app';
import { createTotalsApi } from '../../functions/totals-api/app';
import {
  BACKGROUND_BUDGET,
  budgetRetryStrategy,
  createDynamoClient,
  REQUEST_BUDGET,
  worstCaseMs,
} from '../../lib/adapters/clients';
import { DEADLINE_MARGIN_MS, storeTimeLeftMs } from '../../lib/adapters/deadline';
import { storeFailureOf } from '../../lib/adapters/store-failures';
import type { ApiResult } from '../../lib/api/http';
import type { Problem } from '../../lib/api/problem';
import { problemHeaders, toProblem } from '../../lib/api/problem';
import { ValidationError } from '../../lib/domain/errors';
import { Ledger } from '../../lib/storage/ledger';
import { apiEvent, FINANCE, lambdaContext } from '../support/api-events';

/** Errors shaped as the SDK and Node raise them when the store is down, slow or busy. */
const timeout = () =>
  Object.assign(new Error('a request has exceeded the configured 1200 ms requestTimeout.'), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
  });
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED', errno: -111 });
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400 },
  });
const serverError = () =>
  new InternalServerError({ message: 'Internal error', $metadata: { httpStatusCode: 500 } });
const throttledTransaction = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
  });

describe('which failures are the store being unavailable or throttling', () => {
  it.each([
    ['an SDK request timeout', timeout()],
    ['a refused connection', refused()],
    ['a reset connection', reset()],
    ['a 5xx from DynamoDB', serverError()],
    [
      'a store error wrapped by the idempotency layer',
      Object.assign(new Error('Failed to save in progress record to idempotency store'), {
        name: 'IdempotencyPersistenceLayerError',
        cause: timeout(),
      }),
    ],
  ])('%s → unavailable, 503 with Retry-After', (_what, error) => {
    // act
    const problem = toProblem(error, { requestId: 'r-1', instance: '/grants' });
    // assert
    expect(storeFailureOf(error)?.kind).toBe('unavailable');
    expect(problem).toMatchObject({ status: 503, title: 'Service unavailable', requestId: 'r-1' });
    expect(problem.type).toMatch(/service-unavailable$/);
    expect(problemHeaders(error)).toEqual({ 'Retry-After': '3' });
  });

  it.each([
    ['ProvisionedThroughputExceededException', throttled()],
    ['a transaction cancelled for throttling', throttledTransaction()],
    [
      "the ledger's WriteConflict over a throttled item",
      Object.assign(new Error('x'), { reasons: ['ThrottlingError'] }),
    ],
    ['an HTTP 429', Object.assign(new Error('Too many'), { $metadata: { httpStatusCode: 429 } })],
  ])('%s → throttled, 429 with Retry-After', (_what, error) => {
    const problem = toProblem(error, {});
    expect(storeFailureOf(error)?.kind).toBe('throttled');
    expect(problem).toMatchObject({ status: 429, title: 'Too many requests' });
    expect(problemHeaders(error)).toEqual({ 'Retry-After': '1' });
  });

  it.each([
    ['a plain error', new Error('connect ECONNREFUSED (only in the message)')],
    [
      'a conditional check that failed',
      Object.assign(new Error('x'), { reasons: ['ConditionalCheckFailed'] }),
    ],
    ['a client error', new ValidationError('bad')],
    ['not an error at all', 'boom'],
  ])('%s is not a store failure', (_what, error) => {
    expect(storeFailureOf(error)).toBeUndefined();
    expect(problemHeaders(error)).not.toHaveProperty('Retry-After');
  });
});

describe('the time budget of the SDK clients', () => {
  it('lets no API request wait more than about 3 s for a store that does not answer', () => {
    // One attempt of 2.5 s; the API functions have 10 s, API Gateway waits 30 s.
    expect(worstCaseMs(REQUEST_BUDGET)).toBeLessThanOrEqual(3_000);
    expect(REQUEST_BUDGET.retryTimeouts).toBe(false);
  });

  it('keeps background work inside its Lambda timeouts (publisher 60 s, notifier 30 s)', () => {
    expect(worstCaseMs(BACKGROUND_BUDGET)).toBeLessThan(30_000);
  });

  const info = (error: Error, errorType: RetryErrorInfo['errorType']): RetryErrorInfo => ({
    error: error as RetryErrorInfo['error'],
    errorType,
  });

  it('retries a refused connection and throttling, with backoff, up to the attempts of the budget', async () => {
    // arrange
    const strategy = budgetRetryStrategy(REQUEST_BUDGET);
    const first = await strategy.acquireInitialRetryToken('');
    // act
    const second = await strategy.refreshRetryTokenForRetry(first, info(refused(), 'TRANSIENT'));
    const third = await strategy.refreshRetryTokenForRetry(second, info(throttled(), 'THROTTLING'));
    const refusedAgain = strategy.refreshRetryTokenForRetry(third, info(refused(), 'TRANSIENT'));
    // assert
    expect(second.getRetryCount()).toBe(1);
    expect(second.getRetryDelay()).toBeLessThanOrEqual(50);
    expect(third.getRetryCount()).toBe(2);
    expect(third.getRetryDelay()).toBeLessThanOrEqual(1_000);
    await expect(refusedAgain).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('does not repeat a timed-out attempt within an API request, but does in background work', async () => {
    const api = budgetRetryStrategy(REQUEST_BUDGET);
    const background = budgetRetryStrategy(BACKGROUND_BUDGET);
    await expect(
      api.refreshRetryTokenForRetry(await api.acquireInitialRetryToken(''), info(timeout(), 'TRANSIENT')),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    const retried = await background.refreshRetryTokenForRetry(
      await background.acquireInitialRetryToken(''),
      info(timeout(), 'TRANSIENT'),
    );
    expect(retried.getRetryCount()).toBe(1);
  });

  it('never retries what the caller got wrong', async () => {
    const strategy = budgetRetryStrategy(BACKGROUND_BUDGET);
    const validation = Object.assign(new Error('One or more parameter values were invalid'), {
      name: 'ValidationException',
    });
    await expect(
      strategy.refreshRetryTokenForRetry(
        await strategy.acquireInitialRetryToken(''),
        info(validation, 'CLIENT_ERROR'),
      ),
    ).rejects.toBe(validation);
  });

  it('stops retrying when the retry quota is spent, and refills it as calls succeed', async () => {
    // arrange: a store that refuses every connection
    const strategy = budgetRetryStrategy({ ...BACKGROUND_BUDGET, maxAttempts: 1_000 });
    let token = await strategy.acquireInitialRetryToken('');
    let retries = 0;
    // act
    for (;;) {
      try {
        token = await strategy.refreshRetryTokenForRetry(token, { ...info(refused(), 'TRANSIENT') });
        retries++;
      } catch {
        break;
      }
    }
    strategy.recordSuccess(await strategy.acquireInitialRetryToken(''));
    const afterSuccess = strategy.refreshRetryTokenForRetry(
      await strategy.acquireInitialRetryToken(''),
      info(refused(), 'TRANSIENT'),
    );
    // assert: 500 tokens at 5 a retry; one success gives 1 back, not enough for a retry
    expect(retries).toBe(100);
    await expect(afterSuccess).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('an API route while the store is down or busy', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const logger = new Logger({ serviceName: 'totals-api', logLevel: 'SILENT' });
  const handler = createTotalsApi({
    ledger: new Ledger(DynamoDBDocumentClient.from(createDynamoClient('http://127.0.0.1:1')), 'ledger-test'),
    logger,
  });
  const call = async (path: string) =>
    (await handler(apiEvent('GET', path, { claims: FINANCE }), lambdaContext())) as ApiResult;
  afterEach(() => {
    ddb.reset();
  });

  it('answers 503 with Retry-After as a problem document, never a 500, when the store times out', async () => {
    // arrange
    ddb.on(QueryCommand).rejects(timeout());
    // act
    const result = await call('/totals');
    // assert
    expect(result.statusCode).toBe(503);
    expect(result.headers['Content-Type']).toBe('application/problem+json');
    expect(result.headers['Retry-After']).toBe('3');
    const problem = JSON.parse(String(result.body)) as Problem;
    expect(problem).toMatchObject({ status: 503, title: 'Service unavailable' });
    expect(String(result.body)).not.toMatch(/ETIMEDOUT|requestTimeout|127\.0\.0\.1/);
  });

  it('answers 429 with Retry-After when the store throttles', async () => {
    ddb.on(QueryCommand).rejects(throttled());
    const result = await call('/totals');
    expect(result.statusCode).toBe(429);
    expect(result.headers['Retry-After']).toBe('1');
    expect(JSON.parse(String(result.body))).toMatchObject({ status: 429, title: 'Too many requests' });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });
});

describe('the store deadline of an API request', () => {
  it("is the function's remaining time less a second, for the store calls of that request only", async () => {
    // arrange
    let during: number | undefined;
    const handler = createMetaApi({
      logger: new Logger({ serviceName: 'meta-api', logLevel: 'SILENT' }),
      ping: async () => {
        during = storeTimeLeftMs();
      },
    });
    // act: the test context says 29 s remain
    const result = (await handler(
      apiEvent('GET', '/health', { claims: null }),
      lambdaContext('meta-api'),
    )) as ApiResult;
    // assert
    expect(result.statusCode).toBe(200);
    expect(during).toBeGreaterThan(29_000 - DEADLINE_MARGIN_MS - 1_000);
    expect(during).toBeLessThanOrEqual(29_000 - DEADLINE_MARGIN_MS);
    expect(storeTimeLeftMs()).toBeUndefined();
  });
});
