import { describe, expect, it } from 'vitest';
import { registerGrant, toGrantDto } from '../../lib/domain/grant';
import type { ExpectedPaymentDto, GrantDto, PaymentDto, PaymentInput } from '../../lib/domain/schemas';
import {
  AuthError,
  createGrantsClient,
  type GrantsClient,
  TransientError,
} from '../../lib/import/api-client';
import type { RowPlan } from '../../lib/import/plan';
import { runPlan } from '../../lib/import/run';
import { atelierInput } from '../support/fixtures';

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** A fetch that answers from a script, one answer per call, and records the calls. */
const scriptedFetch = (answers: (Response | Error)[]) => {
  const calls: Call[] = [];
  const fetchImpl = async (request: Request) => {
    const body = await request.text();
    calls.push({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: body ? JSON.parse(body) : undefined,
    });
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, fetchImpl };
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' },
  });

const clientWith = (answers: (Response | Error)[]) => {
  const { calls, fetchImpl } = scriptedFetch(answers);
  const client = createGrantsClient({
    baseUrl: 'http://api.test/',
    token: 'T',
    fetch: fetchImpl,
    backoffMs: 0,
    sleep: async () => undefined,
  });
  return { client, calls };
};

const grant = (overrides: Partial<GrantDto> = {}): GrantDto => ({
  ...toGrantDto(
    registerGrant(atelierInput(), {
      now: new Date('2024-01-01T00:00:00Z'),
      actor: 'a@kk.dk',
      newId: () => 'G1',
    }).grant,
    { payments: [], deadlines: [] },
  ),
  ...overrides,
});

describe('the API client', () => {
  it('pages through GET /grants with the cursor and sends the token', async () => {
    const { client, calls } = clientWith([
      json(200, { items: [grant()], nextCursor: 'a b' }),
      json(200, { items: [grant({ grantId: 'G2' })], nextCursor: null }),
    ]);
    const grants = await client.listGrants();
    expect(grants.map((g) => g.grantId)).toEqual(['G1', 'G2']);
    expect(calls.map((c) => c.url)).toEqual([
      'http://api.test/grants?limit=100',
      'http://api.test/grants?limit=100&cursor=a%20b',
    ]);
    expect(calls[0]?.headers.authorization).toBe('Bearer T');
  });

  it('retries reads on network errors and 5xx', async () => {
    const { client, calls } = clientWith([
      new TypeError('fetch failed'),
      json(502, { detail: 'bad gateway' }),
      json(200, grant()),
    ]);
    expect((await client.getGrant('G1')).grantId).toBe('G1');
    expect(calls).toHaveLength(3);
  });

  it('sends a create once when its fate is unknown (network error, 503), but again after a 429', async () => {
    const lost = clientWith([new TypeError('fetch failed')]);
    await expect(lost.client.createGrant(atelierInput(), 'import-abc')).rejects.toBeInstanceOf(
      TransientError,
    );
    expect(lost.calls).toHaveLength(1);
    const unavailable = clientWith([json(503, { detail: 'The store did not answer in time.' })]);
    await expect(unavailable.client.createGrant(atelierInput(), 'import-abc')).rejects.toBeInstanceOf(
      TransientError,
    );
    expect(unavailable.calls).toHaveLength(1);
    const throttled = clientWith([
      new Response(JSON.stringify({ title: 'Too Many Requests', status: 429 }), {
        status: 429,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
      }),
      json(201, grant()),
    ]);
    expect((await throttled.client.createGrant(atelierInput(), 'import-abc')).grantId).toBe('G1');
    expect(throttled.calls.map((c) => [c.method, c.headers['idempotency-key']])).toEqual([
      ['POST', 'import-abc'],
      ['POST', 'import-abc'],
    ]);
  });

  it('goes through the generated client: waits what Retry-After says on 429, then sends again', async () => {
    const { calls, fetchImpl } = scriptedFetch([
      new Response(JSON.stringify({ title: 'Too Many Requests', status: 429 }), {
        status: 429,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '2' },
      }),
      json(200, { items: [grant()], nextCursor: null }),
    ]);
    const slept: number[] = [];
    const client = createGrantsClient({
      baseUrl: 'http://api.test',
      token: 'T',
      fetch: fetchImpl,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    expect((await client.listGrants()).map((g) => g.grantId)).toEqual(['G1']);
    expect(slept).toEqual([2000]);
    expect(calls.map((c) => c.url)).toEqual([
      'http://api.test/grants?limit=100',
      'http://api.test/grants?limit=100',
    ]);
  });

  it('never repeats a payment answered 503 by itself: the store may have taken it', async () => {
    const { client, calls } = clientWith([json(503, { detail: 'The store did not answer in time.' })]);
    await expect(client.recordPayment('G1', paymentOf())).rejects.toBeInstanceOf(TransientError);
    expect(calls).toHaveLength(1);
  });

  it('does not repeat a PATCH or a payment by itself', async () => {
    const { client, calls } = clientWith([json(500, {})]);
    await expect(client.updateGrant('G1', 3, { title: 'x' })).rejects.toBeInstanceOf(TransientError);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers['if-match']).toBe('"3"');
  });

  it('stops with a clear word on 401 and 403, and reports other refusals with the problem', async () => {
    await expect(clientWith([json(401, { detail: 'expired' })]).client.listGrants()).rejects.toThrow(
      /refused the token \(401\): expired/,
    );
    await expect(clientWith([json(403, {})]).client.listGrants()).rejects.toThrow(
      expect.objectContaining({ name: 'AuthError', message: expect.stringMatching(/lear-admin/) }),
    );
    const refused = clientWith([
      json(422, { detail: 'too much', errors: [{ path: 'amount.amount', message: 'm' }] }),
    ]);
    await expect(refused.client.recordPayment('G1', paymentOf())).rejects.toMatchObject({
      status: 422,
      problem: { errors: [{ path: 'amount.amount', message: 'm' }] },
    });
  });
});

const paymentOf = (): PaymentInput => ({
  receivedOn: '2020-01-15',
  amount: { amount: '100.00', currency: 'EUR' },
  kind: 'OTHER',
});

const rowPlan = (plan: Partial<RowPlan>): RowPlan => ({
  row: { where: 'line 2', grant: atelierInput() },
  action: 'update',
  patches: [],
  changes: [],
  ...plan,
});

describe('running a plan', () => {
  it('reads the grant back before repeating a payment whose answer was lost, so it is never paid twice', async () => {
    // arrange: the payment went through but its answer was lost
    const paid = grant({
      payments: [
        {
          ...paymentOf(),
          paymentId: 'P1',
          amountDkk: { amount: '747.00', currency: 'DKK' },
          recordedAt: '2024-01-01T00:00:00.000Z',
          recordedBy: 'import@kk.dk',
        },
      ],
    });
    const { client, calls } = clientWith([new TypeError('socket hang up'), json(200, paid)]);
    // act
    const result = await runPlan(
      [rowPlan({ target: { grantId: 'G1', version: 1 }, payment: paymentOf() })],
      client,
      { sleep: async () => undefined },
    );
    // assert
    expect(result).toMatchObject({ updated: 1, failed: 0, paymentsRecorded: 1 });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST http://api.test/grants/G1/payments',
      'GET http://api.test/grants/G1',
    ]);
  });

  it('sends a PATCH again when the read-back shows it did not go through', async () => {
    const { client, calls } = clientWith([
      json(502, {}),
      json(200, grant()),
      json(200, grant({ version: 2, title: 'x' })),
    ]);
    const result = await runPlan(
      [rowPlan({ target: { grantId: 'G1', version: 1 }, patches: [{ title: 'x' }] })],
      client,
      {
        sleep: async () => undefined,
      },
    );
    expect(result).toMatchObject({ updated: 1, failed: 0 });
    expect(calls.map((c) => c.method)).toEqual(['PATCH', 'GET', 'PATCH']);
  });

  it('reports a refused row as `line N: column: message` and goes on with the rest', async () => {
    const { client } = clientWith([
      json(400, {
        detail: 'The body has an invalid field.',
        errors: [{ path: 'awarded.currency', message: 'bad' }],
      }),
      json(201, grant({ grantId: 'G9' })),
    ]);
    const result = await runPlan(
      [
        rowPlan({ action: 'create', idempotencyKey: 'k1' }),
        rowPlan({
          action: 'update',
          target: { createdBy: 0 },
          row: { where: 'line 3', grant: atelierInput() },
          payment: paymentOf(),
        }),
        rowPlan({ action: 'create', idempotencyKey: 'k2', row: { where: 'line 4', grant: atelierInput() } }),
      ],
      client,
    );
    expect(result).toMatchObject({ created: 1, failed: 2 });
    expect(result.errors).toEqual([
      { where: 'line 2', field: 'awarded.currency', message: 'bad' },
      {
        where: 'line 3',
        field: '(grant)',
        message: 'not imported: line 2, which registers this grant, failed',
      },
    ]);
  });

  it('looks for a create answered 503 in the register before sending it again, with the same key', async () => {
    // arrange: the first answer is lost; the repeat finds the first still in progress; then it is there
    const { client, calls } = clientWith([
      json(503, { detail: 'The store did not answer in time.' }),
      json(200, { items: [], nextCursor: null }),
      json(409, { detail: 'A request with this Idempotency-Key is still being handled; retry shortly.' }),
      json(200, { items: [grant({ grantId: 'G5' })], nextCursor: null }),
    ]);
    // act
    const result = await runPlan([rowPlan({ action: 'create', idempotencyKey: 'import-abc' })], client, {
      sleep: async () => undefined,
    });
    // assert
    expect(result).toMatchObject({ created: 1, failed: 0, grantIds: ['G5'] });
    expect(calls.map((c) => `${c.method} ${c.url.replace('http://api.test', '')}`)).toEqual([
      'POST /grants',
      'GET /grants?limit=100&forvaltning=TMF&programme=H2020',
      'POST /grants',
      'GET /grants?limit=100&forvaltning=TMF&programme=H2020',
    ]);
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.headers['idempotency-key'])).toEqual([
      'import-abc',
      'import-abc',
    ]);
  });

  it('takes a 412 to a repeated PATCH as done when the grant already shows the change', async () => {
    const { client, calls } = clientWith([
      json(412, { title: 'Precondition Failed', status: 412 }),
      json(200, grant({ version: 2, title: 'x' })),
    ]);
    const result = await runPlan(
      [rowPlan({ target: { grantId: 'G1', version: 1 }, patches: [{ title: 'x' }] })],
      client,
    );
    expect(result).toMatchObject({ updated: 1, failed: 0 });
    expect(calls.map((c) => c.method)).toEqual(['PATCH', 'GET']);
  });

  it('finds the grant a create registered although its answer never came, and pays into it once', async () => {
    // arrange: the grant was registered, but every answer to the create was lost or blocked
    const registered = grant({ grantId: 'G7' });
    const asked: unknown[] = [];
    const paid: string[] = [];
    const client: GrantsClient = {
      listGrants: async (_onPage, filter) => {
        asked.push(filter);
        return [grant({ grantId: 'OTHER', grantAgreementNumber: '111111' }), registered];
      },
      getGrant: async () => registered,
      createGrant: async () => {
        throw new TransientError('POST /grants answered 409: still being handled');
      },
      updateGrant: async () => registered,
      addExpectedPayment: async () => ({}) as ExpectedPaymentDto,
      recordPayment: async (grantId) => {
        paid.push(grantId);
        return {} as PaymentDto;
      },
    };
    // act
    const result = await runPlan(
      [rowPlan({ action: 'create', idempotencyKey: 'k', payment: paymentOf() })],
      client,
    );
    // assert
    expect(result).toMatchObject({ created: 1, failed: 0, paymentsRecorded: 1, grantIds: ['G7'] });
    expect(asked).toEqual([{ forvaltning: 'TMF', programme: 'H2020' }]);
    expect(paid).toEqual(['G7']);
  });

  it('works on 8 grants at a time, and on the rows of one grant one after another', async () => {
    // arrange: a client whose every answer waits, counting the requests in flight
    let inFlight = 0;
    let most = 0;
    const log: string[] = [];
    const slow = async <T>(what: string, value: T): Promise<T> => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      log.push(`start ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`end ${what}`);
      inFlight -= 1;
      return value;
    };
    let created = 0;
    const client: GrantsClient = {
      listGrants: async () => [],
      getGrant: async (id) => grant({ grantId: id }),
      createGrant: (input) =>
        slow(`create ${input.acronym}`, grant({ grantId: `G-${input.acronym}-${++created}` })),
      updateGrant: async (id) => grant({ grantId: id }),
      addExpectedPayment: async () => ({}) as ExpectedPaymentDto,
      recordPayment: (id) => slow(`pay ${id}`, {} as PaymentDto),
    };
    const plans = Array.from({ length: 20 }, (_, i) =>
      rowPlan({
        action: 'create',
        idempotencyKey: `k${i}`,
        row: { where: `line ${i + 2}`, grant: { ...atelierInput(), acronym: `A${i}` } },
      }),
    );
    plans.push(
      rowPlan({
        action: 'update',
        target: { createdBy: 0 },
        row: { where: 'line 22', grant: atelierInput() },
        payment: paymentOf(),
      }),
    );
    const progress: number[] = [];
    // act
    const result = await runPlan(plans, client, { onProgress: (done) => progress.push(done) });
    // assert
    expect(result).toMatchObject({ created: 20, updated: 1, failed: 0, paymentsRecorded: 1 });
    expect(most).toBe(8);
    // The payment into the grant line 2 creates waits for that create, and follows it at once.
    const createA0 = log.indexOf('end create A0');
    const payA0 = log.findIndex((entry) => entry.startsWith('start pay G-A0-'));
    expect(createA0).toBeGreaterThanOrEqual(0);
    expect(payA0).toBeGreaterThan(createA0);
    expect(progress).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(await runPlan(plans.slice(0, 3), client, { concurrency: 1 })).toMatchObject({ created: 3 });
  });

  it('stops at a refused token', async () => {
    const { client } = clientWith([json(401, {})]);
    await expect(
      runPlan([rowPlan({ action: 'create', idempotencyKey: 'k' })], client),
    ).rejects.toBeInstanceOf(AuthError);
  });
});
