import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type GrantInput } from '../../lib/api-client';
import type { Role } from '../../lib/shared/names';
import { atelierInput } from '../support/fixtures';
import { type SpawnedStack, spawnStack } from '../support/local-stack';

/** The grants register over HTTP on the local stack, started as `npm start` starts it. */
describe('the local stack over HTTP', () => {
  let stack: SpawnedStack;
  const tokens = {} as Record<Role, string>;

  const call = async (
    method: string,
    path: string,
    options: {
      role?: Role;
      token?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token ?? (options.role ? tokens[options.role] : undefined);
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${stack.apiUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const json =
      text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, json, text };
  };

  const grantCount = async () => {
    let count = 0;
    let cursor = '';
    do {
      const page = await call('GET', `/grants?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
        role: 'finance',
      });
      count += page.json.items.length;
      cursor = page.json.nextCursor ?? '';
    } while (cursor);
    return count;
  };

  beforeAll(async () => {
    stack = await spawnStack({ seed: true });
    for (const role of ['lear-admin', 'project-lead', 'finance'] as const)
      tokens[role] = await stack.token(role);
  });

  afterAll(async () => {
    await stack?.kill();
  });

  it('answers /health and lists the seeded demo portfolio to every role', async () => {
    expect((await call('GET', '/health')).json).toEqual({ status: 'ok' });
    for (const role of ['lear-admin', 'project-lead', 'finance'] as const) {
      const page = await call('GET', '/grants?limit=100', { role });
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.json.items.map((g: { acronym: string }) => g.acronym)).toContain('ATELIER');
    }
    const tmf = await call('GET', '/grants?forvaltning=TMF&limit=100', { role: 'finance' });
    const atelier = tmf.json.items.find((g: { acronym: string }) => g.acronym === 'ATELIER');
    expect(atelier).toMatchObject({ forvaltning: 'TMF', programme: 'H2020', funderType: 'EU' });
    expect(atelier.awarded).toEqual({ amount: '665462.50', currency: 'EUR' });
    expect(stack.output()).toContain('lear-admin');
  });

  it('lets a LEAR administrator register, read and change a grant with ETag and If-Match', async () => {
    const created = await call('POST', '/grants', {
      role: 'lear-admin',
      body: atelierInput({ acronym: 'E2E-1' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/grants/${created.json.grantId}`);
    expect(created.json.createdBy).toBe('lear-admin@kk.dk');

    const path = `/grants/${created.json.grantId}`;
    const read = await call('GET', path, { role: 'project-lead' });
    expect(read.json.deadlines).toHaveLength(3);
    expect(read.headers.get('etag')).toBe('"1"');

    expect((await call('PATCH', path, { role: 'lear-admin', body: { title: 'x' } })).status).toBe(428);
    const changed = await call('PATCH', path, {
      role: 'lear-admin',
      body: { status: 'CLOSED' },
      headers: { 'if-match': '"1"' },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"2"');
    const stale = await call('PATCH', path, {
      role: 'lear-admin',
      body: { notes: 'late' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toBe('application/problem+json');
    const refused = await call('PATCH', path, {
      role: 'lear-admin',
      body: { status: 'ACTIVE' },
      headers: { 'if-match': '"2"' },
    });
    expect(refused.status).toBe(409);
  });

  it('records payments for finance and deadlines for project leads, and refuses the other roles', async () => {
    const { json: grant } = await call('POST', '/grants', {
      role: 'lear-admin',
      body: atelierInput({ acronym: 'E2E-2', awarded: { amount: '1000.00', currency: 'EUR' } }),
    });
    const payments = `/grants/${grant.grantId}/payments`;
    const payment = {
      receivedOn: '2020-01-10',
      amount: { amount: '400.00', currency: 'EUR' },
      kind: 'PREFINANCING',
    };
    expect((await call('POST', payments, { role: 'finance', body: payment })).status).toBe(201);
    expect((await call('POST', payments, { role: 'project-lead', body: payment })).status).toBe(403);
    const tooMuch = await call('POST', payments, {
      role: 'lear-admin',
      body: { ...payment, amount: { amount: '600.01', currency: 'EUR' } },
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.json.detail).toContain('600.00 EUR can still be received');

    const deadlines = `/grants/${grant.grantId}/deadlines`;
    const deadline = { kind: 'DELIVERABLE', title: 'D2.3 Citizen panel report', dueOn: '2027-05-01' };
    const added = await call('POST', deadlines, { role: 'project-lead', body: deadline });
    expect(added.status).toBe(201);
    expect((await call('POST', deadlines, { role: 'finance', body: deadline })).status).toBe(403);
    const done = await call('PATCH', `${deadlines}/${added.json.deadlineId}`, {
      role: 'project-lead',
      body: { status: 'DONE' },
    });
    expect(done.json).toMatchObject({ status: 'DONE', doneBy: 'project-lead@kk.dk' });

    const listed = await call('GET', '/deadlines?from=2021-01-01&to=2021-12-31&forvaltning=TMF', {
      role: 'finance',
    });
    expect(listed.status).toBe(200);
    const mine = listed.json.items.filter((d: { grantId: string }) => d.grantId === grant.grantId);
    expect(mine.map((d: { title: string }) => d.title)).toEqual(['Periodic report 1']);
    expect(mine[0]).toMatchObject({ acronym: 'E2E-2', forvaltning: 'TMF', dueOn: '2021-06-29' });
  });

  it('replays a repeated Idempotency-Key and refuses it with another body', async () => {
    const body = atelierInput({ acronym: 'E2E-IDEM' });
    const headers = { 'idempotency-key': 'e2e-idem-1' };
    const first = await call('POST', '/grants', { role: 'lear-admin', body, headers });
    const again = await call('POST', '/grants', { role: 'lear-admin', body, headers });
    expect(again.status).toBe(201);
    expect(again.json.grantId).toBe(first.json.grantId);
    const other = await call('POST', '/grants', {
      role: 'lear-admin',
      body: { ...body, title: 'Other' },
      headers,
    });
    expect(other.status).toBe(422);
  });

  it('answers bad requests with problem documents and writes nothing', async () => {
    const before = await grantCount();
    const cases = [
      { name: 'no token', req: call('POST', '/grants', { body: atelierInput() }), status: 401 },
      {
        name: 'bad token',
        req: call('POST', '/grants', { token: 'not.a.jwt', body: atelierInput() }),
        status: 401,
      },
      {
        name: 'wrong role',
        req: call('POST', '/grants', { role: 'finance', body: atelierInput() }),
        status: 403,
      },
      {
        name: 'malformed',
        req: call('POST', '/grants', {
          role: 'lear-admin',
          raw: '{"acronym":',
          headers: { 'content-type': 'application/json' },
        }),
        status: 400,
      },
      {
        name: 'invalid',
        req: call('POST', '/grants', {
          role: 'lear-admin',
          body: { ...atelierInput(), acronym: '', awarded: { amount: '1,5', currency: 'EUR' } },
        }),
        status: 400,
      },
      {
        name: 'not JSON',
        req: call('POST', '/grants', {
          role: 'lear-admin',
          raw: 'acronym=x',
          headers: { 'content-type': 'text/plain' },
        }),
        status: 415,
      },
      {
        name: 'too large',
        req: call('POST', '/grants', {
          role: 'lear-admin',
          body: { ...atelierInput(), notes: 'x'.repeat(300_000) },
        }),
        status: 413,
      },
      {
        name: 'unknown grant',
        req: call('GET', '/grants/01JZZZZZZZZZZZZZZZZZZZZZZZ', { role: 'finance' }),
        status: 404,
      },
      { name: 'unknown path', req: call('GET', '/nothing', { role: 'finance' }), status: 404 },
    ];
    for (const { name, req, status } of cases) {
      const response = await req;
      expect(response.status, name).toBe(status);
      expect(response.headers.get('content-type'), name).toBe('application/problem+json');
      expect(response.json, name).toMatchObject({
        status,
        title: expect.any(String),
        detail: expect.any(String),
      });
      expect(response.text, name).not.toMatch(/\n\s+at /);
    }
    const invalid = await call('POST', '/grants', {
      role: 'lear-admin',
      body: { ...atelierInput(), acronym: '', awarded: { amount: '1,5', currency: 'EUR' } },
    });
    expect(invalid.json.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'acronym',
      'awarded.amount',
    ]);
    expect(await grantCount()).toBe(before);
  });

  it('serves an OpenAPI 3.1 document that names the stack as its server', async () => {
    const doc = await call('GET', '/openapi.json');
    expect(doc.json.openapi).toBe('3.1.0');
    expect(doc.json.servers).toEqual([{ url: stack.apiUrl, description: 'This deployment' }]);
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining(['/grants', '/grants/{grantId}', '/deadlines']),
    );
  });

  it('issues a calendar feed URL that works exactly as returned, port included', async () => {
    // arrange
    const issued = await call('POST', '/calendar/feed-tokens', {
      role: 'project-lead',
      body: { forvaltning: 'TMF' },
    });
    expect(issued.status).toBe(201);
    const url = new URL(issued.json.url);
    expect(url.origin).toBe(stack.apiUrl);
    // act: as a calendar client would, with nothing but the URL
    const feed = await fetch(issued.json.url);
    // assert
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toMatch(/^text\/calendar/);
    const text = await feed.text();
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
  });

  it('is reached through the generated client, typed by the document', async () => {
    // arrange
    const client = createApiClient({ baseUrl: stack.apiUrl, getToken: () => tokens.finance });
    // act
    const page = await client.GET('/grants', { params: { query: { forvaltning: 'TMF', limit: '5' } } });
    const refused = await client.POST('/grants', {
      body: atelierInput({ acronym: 'E2E-CLIENT' }) as GrantInput,
    });
    // assert
    expect(page.response.status).toBe(200);
    expect(page.data?.items.every((grant) => grant.forvaltning === 'TMF')).toBe(true);
    expect(refused.response.status).toBe(403);
    expect(refused.error).toMatchObject({ status: 403, title: 'Forbidden' });
  });

  it('stops everything it started on SIGTERM', async () => {
    const port = Number(new URL(stack.dynamodbEndpoint).port);
    expect(await stack.stop()).toBe(0);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    expect(open).toBe(false);
  });
});
