import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient, REQUEST_BUDGET } from '../../lib/adapters/clients';
import { withStoreDeadline } from '../../lib/adapters/deadline';

/**
 * The API's DynamoDB client against a store played by an HTTP server that answers reads at once and
 * holds writes until the test lets them go: how many writes reach the store at once, and what the
 * waiting ones do when the store stops answering.
 */

const BOUND = REQUEST_BUDGET.maxWritesInFlight ?? 0;

describe('the bound on writes in flight', () => {
  let server: Server;
  let endpoint: string;
  const held: ServerResponse[] = [];
  const received: string[] = [];
  let answerWrites = true;

  const answer = (response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end('{}');
  };

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      request.resume();
      request.on('end', () => {
        const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
        received.push(operation);
        if (operation === 'PutItem' && !answerWrites) held.push(response);
        else answer(response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterEach(() => {
    for (const response of held.splice(0)) response.destroy();
    received.length = 0;
    answerWrites = true;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const put = (client: ReturnType<typeof createDynamoClient>, n: number) =>
    client.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: `W#${n}` } } }));

  it(`sends ${BOUND} writes at once; the next is sent when one is answered, and reads never wait`, async () => {
    // arrange
    expect(BOUND).toBeGreaterThan(0);
    answerWrites = false;
    const client = createDynamoClient(endpoint);
    // act
    const writes = Array.from({ length: BOUND + 2 }, (_, n) =>
      withStoreDeadline(9_000, () => put(client, n)),
    );
    await expect.poll(() => held.length).toBe(BOUND);
    const read = await withStoreDeadline(9_000, () =>
      client.send(new GetItemCommand({ TableName: 'ledger', Key: { pk: { S: 'W#0' } } })),
    );
    // assert
    expect(read.$metadata.httpStatusCode).toBe(200);
    expect(received.filter((op) => op === 'PutItem')).toHaveLength(BOUND);
    answer(held.shift() as ServerResponse);
    await expect.poll(() => received.filter((op) => op === 'PutItem').length).toBe(BOUND + 1);
    answerWrites = true;
    for (const response of held.splice(0)) answer(response);
    await Promise.all(writes);
    expect(received.filter((op) => op === 'PutItem')).toHaveLength(BOUND + 2);
    client.destroy();
  });

  it('fails the waiting writes as soon as one at the store times out, and never sends them', async () => {
    // arrange: the store takes writes and never answers
    answerWrites = false;
    const client = createDynamoClient(endpoint);
    // act
    const outcomes = await Promise.allSettled(
      Array.from({ length: BOUND + 3 }, (_, n) => withStoreDeadline(9_000, () => put(client, n))),
    );
    // assert: every write failed as a timeout, and only the first BOUND were ever sent
    expect(outcomes.map((o) => o.status)).toEqual(Array(BOUND + 3).fill('rejected'));
    for (const outcome of outcomes) {
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ name: 'TimeoutError' });
    }
    expect(received.filter((op) => op === 'PutItem')).toHaveLength(BOUND);
    client.destroy();
  });
});
