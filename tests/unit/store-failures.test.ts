import 'aws-sdk-client-mock-vitest/extend';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createTotalsApi } from '../../functions/totals-api/app';
import {
  BACKGROUND_BUDGET,
  createDynamoClient,
  REQUEST_BUDGET,
  worstCaseMs,
} from '../../lib/adapters/clients';
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
    // 2.5 s of attempts and backoff; the API functions have 10 s, API Gateway waits 30 s.
    expect(worstCaseMs(REQUEST_BUDGET)).toBeLessThanOrEqual(3_000);
    expect(worstCaseMs(REQUEST_BUDGET, 1_000)).toBeLessThanOrEqual(4_000);
    expect(REQUEST_BUDGET.maxAttempts).toBeGreaterThanOrEqual(2);
  });

  it('keeps background work inside its Lambda timeouts (publisher 60 s, notifier 30 s)', () => {
    expect(worstCaseMs(BACKGROUND_BUDGET, 1_000)).toBeLessThan(30_000);
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
