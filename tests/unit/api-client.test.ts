import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../lib/api/openapi';
import { createApiClient, isRetryable, retryAfterMs } from '../../lib/api-client';
import {
  API_CLIENT_DIR,
  driftedApiClientFiles,
  generateApiClientFiles,
  typesOf,
} from '../../lib/api-client/generate';

/** A fetch that answers from a script and records what it was sent. */
const scripted = (answers: (() => Response)[]) => {
  const sent: { method: string; url: string; headers: Headers; body: string }[] = [];
  const fetch = async (request: Request) => {
    sent.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: await request.text(),
    });
    const next = answers.shift();
    if (!next) throw new Error('no answer scripted');
    return next();
  };
  return { fetch, sent };
};

const problem =
  (status: number, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify({ type: 'about:blank', title: 'Unavailable', status, detail: 'try later' }), {
      status,
      headers: { 'Content-Type': 'application/problem+json', ...headers },
    });
const ok =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const noWait = () => {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms), random: () => 0.5 };
};

const GRANT_ID = '01JF4ZQ8M0S6KX7V2B3N4C5D6E';

describe('the generated files in lib/api-client', () => {
  it('are exactly what `npm run api:generate` makes from the routes and schemas now', async () => {
    // act
    const generated = await generateApiClientFiles();
    // assert
    for (const file of generated) {
      expect(readFileSync(join(API_CLIENT_DIR, file.path), 'utf8'), `lib/api-client/${file.path}`).toBe(
        file.content,
      );
    }
    expect(await driftedApiClientFiles()).toEqual([]);
  }, 30_000);

  it('report a file that no longer matches as drifted', async () => {
    // arrange: a copy of the files with one schema changed by hand
    const dir = mkdtempSync(join(tmpdir(), 'api-client-'));
    for (const file of await generateApiClientFiles()) writeFileSync(join(dir, file.path), file.content);
    const document = JSON.parse(readFileSync(join(dir, 'openapi.json'), 'utf8'));
    document.components.schemas.Money.properties.amount.type = 'number';
    writeFileSync(join(dir, 'openapi.json'), `${JSON.stringify(document, null, 2)}\n`);
    // act + assert
    expect(await driftedApiClientFiles(dir)).toEqual(['openapi.json']);
    writeFileSync(join(dir, 'schema.d.ts'), await typesOf(document));
    expect(await driftedApiClientFiles(dir)).toEqual(['openapi.json', 'schema.d.ts']);
  }, 30_000);

  it('are types openapi-typescript generates, with every named schema', async () => {
    const types = readFileSync(join(API_CLIENT_DIR, 'schema.d.ts'), 'utf8');
    for (const name of Object.keys(buildOpenApi().components.schemas))
      expect(types).toContain(`        ${name}: {`);
    expect(types).toContain('grantCount: number;');
  });

  it('cannot be generated from a document whose $ref resolves nowhere', async () => {
    const document = buildOpenApi() as unknown as { components: { schemas: Record<string, unknown> } };
    document.components.schemas.GrantPage = { $ref: '#/$defs/Grant' };
    await expect(typesOf(document)).rejects.toThrow();
  }, 30_000);
});

describe('createApiClient', () => {
  it('calls the API at its base URL with the bearer token, typed by the document', async () => {
    // arrange
    const { fetch, sent } = scripted([ok({ items: [], nextCursor: null })]);
    const client = createApiClient({ baseUrl: 'http://127.0.0.1:3999/', getToken: () => 'tok', fetch });
    // act
    const { data, error } = await client.GET('/grants', {
      params: { query: { forvaltning: 'TMF', limit: '10' } },
    });
    // assert
    expect(error).toBeUndefined();
    expect(data?.nextCursor).toBeNull();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('http://127.0.0.1:3999/grants?forvaltning=TMF&limit=10');
    expect(sent[0]?.headers.get('authorization')).toBe('Bearer tok');
  });

  it('sends no Authorization header when there is no token', async () => {
    const { fetch, sent } = scripted([ok({ status: 'ok' })]);
    const client = createApiClient({ baseUrl: 'http://api', getToken: async () => undefined, fetch });
    const { data } = await client.GET('/health');
    expect(data).toEqual({ status: 'ok' });
    expect(sent[0]?.headers.has('authorization')).toBe(false);
  });

  it('returns the problem document of a refused call as error', async () => {
    const { fetch } = scripted([problem(404)]);
    const client = createApiClient({ baseUrl: 'http://api', getToken: () => 'tok', fetch });
    const { data, error, response } = await client.GET('/grants/{grantId}', {
      params: { path: { grantId: GRANT_ID } },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    expect(error).toMatchObject({ status: 404, detail: 'try later' });
  });

  it('retries a 429 after the Retry-After it names, sending the same request again', async () => {
    // arrange
    const timing = noWait();
    const { fetch, sent } = scripted([problem(429, { 'Retry-After': '2' }), ok({ deadlineId: 'd1' }, 201)]);
    const client = createApiClient({ baseUrl: 'http://api', getToken: () => 'tok', fetch, retry: timing });
    const body = { kind: 'MILESTONE', title: 'Kick-off', dueOn: '2025-01-31' } as const;
    // act
    const { data, response } = await client.POST('/grants/{grantId}/deadlines', {
      params: { path: { grantId: GRANT_ID } },
      body,
    });
    // assert
    expect(response.status).toBe(201);
    expect(data).toEqual({ deadlineId: 'd1' });
    expect(timing.waits).toEqual([2000]);
    expect(sent.map((s) => JSON.parse(s.body))).toEqual([body, body]);
    expect(sent[1]?.headers.get('authorization')).toBe('Bearer tok');
  });

  it('gives up after the bounded number of retries and returns the last problem', async () => {
    const timing = noWait();
    const { fetch, sent } = scripted([problem(503), problem(503), problem(503)]);
    const client = createApiClient({
      baseUrl: 'http://api',
      getToken: () => 'tok',
      fetch,
      retry: { ...timing, retries: 2, baseDelayMs: 100 },
    });
    const { error, response } = await client.GET('/totals');
    expect(response.status).toBe(503);
    expect(error).toMatchObject({ status: 503 });
    expect(sent).toHaveLength(3);
    // Exponential backoff with jitter between half and all of 100, 200 ms.
    expect(timing.waits).toEqual([75, 150]);
  });

  it('does not wait longer than it may: a Retry-After beyond maxDelayMs returns the answer at once', async () => {
    const timing = noWait();
    const { fetch, sent } = scripted([problem(503, { 'Retry-After': '120' })]);
    const client = createApiClient({ baseUrl: 'http://api', getToken: () => 'tok', fetch, retry: timing });
    const { response } = await client.GET('/totals');
    expect(response.status).toBe(503);
    expect(sent).toHaveLength(1);
    expect(timing.waits).toEqual([]);
  });

  it('does not repeat a 503 on a POST, even with an Idempotency-Key, but does repeat a 429', async () => {
    // arrange
    const timing = noWait();
    const payment = {
      receivedOn: '2024-05-01',
      amount: { amount: '100.00', currency: 'EUR' },
      kind: 'INTERIM',
    } as const;
    const unavailable = scripted([problem(503, { 'Retry-After': '1' })]);
    const throttled = scripted([problem(429, { 'Retry-After': '1' }), ok({ grantId: GRANT_ID }, 201)]);
    const client = (fetch: (r: Request) => Promise<Response>) =>
      createApiClient({ baseUrl: 'http://api', getToken: () => 't', fetch, retry: timing });
    // act
    const plain = await client(unavailable.fetch).POST('/grants', {
      params: { header: { 'Idempotency-Key': 'k-1' } },
      body: {} as never,
    });
    const keyed = await client(throttled.fetch).POST('/grants/{grantId}/payments', {
      params: { path: { grantId: GRANT_ID } },
      body: payment,
    });
    // assert
    expect(plain.response.status).toBe(503);
    expect(unavailable.sent).toHaveLength(1);
    expect(keyed.response.status).toBe(201);
    expect(throttled.sent).toHaveLength(2);
    expect(timing.waits).toEqual([1000]);
  });

  it('knows which answers are worth repeating and how long Retry-After says to wait', () => {
    const post = new Request('http://api/grants', { method: 'POST' });
    const patch = new Request('http://api/grants/x', { method: 'PATCH', headers: { 'If-Match': '"3"' } });
    expect(isRetryable(post, 429)).toBe(true);
    expect(isRetryable(post, 503)).toBe(false);
    const keyed = new Request('http://api/grants', { method: 'POST', headers: { 'Idempotency-Key': 'k' } });
    expect(isRetryable(keyed, 503)).toBe(false);
    expect(isRetryable(new Request('http://api/calendar/feed-tokens/x', { method: 'DELETE' }), 503)).toBe(
      true,
    );
    expect(isRetryable(patch, 503)).toBe(true);
    expect(isRetryable(new Request('http://api/totals'), 503)).toBe(true);
    expect(isRetryable(new Request('http://api/totals'), 500)).toBe(false);
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Tue, 01 Dec 2026 10:00:05 GMT', Date.parse('2026-12-01T10:00:00Z'))).toBe(5000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
