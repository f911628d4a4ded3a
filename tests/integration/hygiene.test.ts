import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createCalendarApi } from '../../functions/calendar-api/app';
import { createDigestApi } from '../../functions/digest-api/app';
import { createGrantsApi } from '../../functions/grants-api/app';
import { createMetaApi } from '../../functions/meta-api/app';
import { createTotalsApi } from '../../functions/totals-api/app';
import type { ApiEvent, ApiResult } from '../../lib/api/http';
import { type ApiFunction, ROUTES, routeKey } from '../../lib/api/routes';
import { DEFAULT_ALERT_THRESHOLDS } from '../../lib/domain/alerts';
import { signUnsubscribeToken } from '../../lib/domain/digest';
import { signingKey } from '../../lib/storage/digest';
import { FeedTokens } from '../../lib/storage/feed-tokens';
import {
  ADMIN,
  type ApiHandler,
  apiEvent,
  claimsOf,
  FINANCE,
  invoke,
  LEAD,
  lambdaContext,
  leaksInternals,
  type ProblemDocument,
} from '../support/api-events';
import { atelierInput } from '../support/fixtures';
import { freshLedger } from '../support/ledger';

/**
 * Response hygiene (PRODUCT.md 4 and 7): every route, driven to a success and to failures through
 * its handler, answers with Cache-Control: no-store, X-Content-Type-Options: nosniff and its request
 * id; every problem document carries the request id and nothing of the inside; and everything the
 * functions log at INFO is JSON, tied to the invocation, and free of e-mail addresses.
 */

/** What one invocation answered and logged. */
interface Exchange {
  readonly label: string;
  readonly fn: ApiFunction;
  readonly event: ApiEvent;
  readonly context: Context;
  readonly result: ApiResult;
  readonly lines: readonly string[];
}

const EMAIL = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

/** Node's own process warnings (e.g. the AWS SDK's NodeVersionSupportWarning) are not the functions' logs. */
const isNodeWarning = (chunk: string) => /^\(node:\d+\) /.test(chunk);

describe('response hygiene and logs, every route through its handler on DynamoDB Local', () => {
  const exchanges: Exchange[] = [];
  let captured: string[] | undefined;

  beforeAll(async () => {
    // Capture what the functions write while an invocation runs: Powertools Logger writes JSON lines
    // to process.stdout/stderr (its own Console), or to the global console in POWERTOOLS_DEV mode.
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
      vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        if (captured && !isNodeWarning(String(chunk))) {
          captured.push(String(chunk));
          return true;
        }
        return write(chunk, ...rest);
      }) as typeof stream.write);
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const original = console[method].bind(console);
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        if (captured)
          captured.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
        else original(...args);
      });
    }

    const env = await freshLedger(inject('dynamoEndpoint'));
    const loggerFor = (fn: string) => new Logger({ serviceName: `hygiene-${fn}`, logLevel: 'INFO' });
    const handlers: Record<ApiFunction, ApiHandler> = {
      'grants-api': createGrantsApi({
        ...env.ports,
        logger: loggerFor('grants-api'),
        idempotencyStore: env.idempotencyStore,
      }),
      'totals-api': createTotalsApi({ ledger: env.ledger, logger: loggerFor('totals-api') }),
      'calendar-api': createCalendarApi({
        ...env.ports,
        feedTokens: new FeedTokens(env.db, env.tableName),
        thresholds: DEFAULT_ALERT_THRESHOLDS,
        logger: loggerFor('calendar-api'),
        publicBaseUrl: 'https://tilskud.kk.dk',
      }),
      'meta-api': createMetaApi({ logger: loggerFor('meta-api'), ping: () => env.ledger.ping() }),
      'digest-api': createDigestApi({
        ledger: env.ledger,
        clock: env.ports.clock,
        logger: loggerFor('digest-api'),
      }),
    };
    const metaDown = createMetaApi({
      logger: loggerFor('meta-api'),
      ping: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:8000');
      },
    });

    const drive = async (
      label: string,
      fn: ApiFunction,
      event: ApiEvent,
      handler: ApiHandler = handlers[fn],
    ): Promise<Record<string, unknown>> => {
      const context = lambdaContext(fn);
      captured = [];
      const output = captured;
      const result = await invoke(handler, event, context).finally(() => {
        captured = undefined;
      });
      const lines = output
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '');
      exchanges.push({ label, fn, event, context, result, lines });
      if (result.headers['Content-Type']?.startsWith('application/json') && result.body) {
        return JSON.parse(String(result.body)) as Record<string, unknown>;
      }
      return {};
    };
    const g = (label: string, method: string, path: string, options: Parameters<typeof apiEvent>[2] = {}) =>
      drive(label, 'grants-api', apiEvent(method, path, options));

    // ---- grants-api ----
    const watched = atelierInput({
      projectLead: { name: 'Projektleder', email: 'Projekt.Leder@KK.dk' },
      watchers: ['okonomi@kk.dk', 'lear@kk.dk'],
    });
    const grant = await g('register', 'POST', '/grants', { body: watched });
    const id = String(grant.grantId);
    await g('register: invalid', 'POST', '/grants', {
      body: { ...watched, projectLead: { name: 'x', email: 'not-an-email' }, colour: 'red' },
    });
    await g('register: no token', 'POST', '/grants', { body: watched, claims: null });
    await g('register: finance', 'POST', '/grants', { body: watched, claims: FINANCE });
    await g('register: text/plain', 'POST', '/grants', { body: watched, contentType: 'text/plain' });
    await g('register: 300 KiB', 'POST', '/grants', { body: { ...watched, notes: 'x'.repeat(300 * 1024) } });
    await g('register: keyed', 'POST', '/grants', {
      body: watched,
      headers: { 'Idempotency-Key': 'hygiene-1' },
    });
    await g('register: keyed again', 'POST', '/grants', {
      body: watched,
      headers: { 'Idempotency-Key': 'hygiene-1' },
    });
    await g('register: key reused', 'POST', '/grants', {
      body: { ...watched, acronym: 'OTHER' },
      headers: { 'Idempotency-Key': 'hygiene-1' },
    });
    await g('list', 'GET', '/grants', { query: { forvaltning: 'TMF', limit: '5' }, claims: LEAD });
    await g('list: limit 0', 'GET', '/grants', { query: { limit: '0' } });
    const forged = Buffer.from(
      JSON.stringify({ pk: 'GRANT#x', sk: 'someone@kk.dk', gsi1pk: 'someone@kk.dk', gsi1sk: 'x' }),
    ).toString('base64url');
    await g('list: forged cursor naming an e-mail', 'GET', '/grants', { query: { cursor: forged } });
    await g('get', 'GET', `/grants/${id}`, { claims: FINANCE });
    await g('get: unknown', 'GET', '/grants/01JZZZZZZZZZZZZZZZZZZZZZZZ');
    await g('get: bad id', 'GET', '/grants/abc$def');
    await g('patch', 'PATCH', `/grants/${id}`, {
      body: { title: 'Changed' },
      headers: { 'If-Match': '"1"' },
    });
    await g('patch: stale', 'PATCH', `/grants/${id}`, {
      body: { title: 'Again' },
      headers: { 'If-Match': '"1"' },
    });
    await g('patch: no If-Match', 'PATCH', `/grants/${id}`, { body: { title: 'Again' } });
    await g('patch: ACTIVE → APPLIED', 'PATCH', `/grants/${id}`, {
      body: { status: 'APPLIED' },
      headers: { 'If-Match': '"2"' },
    });
    await g('pay', 'POST', `/grants/${id}/payments`, {
      body: {
        receivedOn: '2020-01-15',
        amount: { amount: '1000.00', currency: 'EUR' },
        kind: 'PREFINANCING',
      },
      claims: FINANCE,
    });
    await g('pay: over the ceiling', 'POST', `/grants/${id}/payments`, {
      body: { receivedOn: '2020-02-15', amount: { amount: '9999999.00', currency: 'EUR' }, kind: 'INTERIM' },
      claims: FINANCE,
    });
    const expected = await g('plan expected payment', 'POST', `/grants/${id}/expected-payments`, {
      body: { expectedOn: '2025-01-31', amount: { amount: '99819.38', currency: 'EUR' }, kind: 'BALANCE' },
      claims: FINANCE,
    });
    await g('plan expected payment: over the ceiling', 'POST', `/grants/${id}/expected-payments`, {
      body: { expectedOn: '2025-01-31', amount: { amount: '9999999.00', currency: 'EUR' }, kind: 'BALANCE' },
      claims: FINANCE,
    });
    await g(
      'move expected payment',
      'PATCH',
      `/grants/${id}/expected-payments/${String(expected.expectedPaymentId)}`,
      {
        body: { expectedOn: '2025-03-31', note: 'After the final review' },
        claims: FINANCE,
      },
    );
    await g(
      'expected payment: project lead',
      'PATCH',
      `/grants/${id}/expected-payments/${String(expected.expectedPaymentId)}`,
      {
        body: { status: 'CANCELLED' },
        claims: LEAD,
      },
    );
    await g('history', 'GET', `/grants/${id}/history`, { query: { limit: '3' }, claims: LEAD });
    await g('history: forged cursor', 'GET', `/grants/${id}/history`, { query: { cursor: forged } });
    const deadline = await g('add deadline', 'POST', `/grants/${id}/deadlines`, {
      body: { kind: 'DELIVERABLE', title: 'D1.1', dueOn: '2027-01-15' },
      claims: LEAD,
    });
    await g('add deadline: unknown grant', 'POST', '/grants/01JZZZZZZZZZZZZZZZZZZZZZZZ/deadlines', {
      body: { kind: 'DELIVERABLE', title: 'D1.1', dueOn: '2027-01-15' },
    });
    await g('deadline done', 'PATCH', `/grants/${id}/deadlines/${String(deadline.deadlineId)}`, {
      body: { status: 'DONE' },
      claims: claimsOf('project-lead', 'Lead.Person@kk.dk'),
    });
    await g('deadline: unknown', 'PATCH', `/grants/${id}/deadlines/nope`, { body: { status: 'DONE' } });
    await g('deadlines', 'GET', '/deadlines', { query: { from: '2026-01-01', to: '2027-12-31' } });
    await g('deadlines: no such date', 'GET', '/deadlines', { query: { from: '2023-02-29' } });
    await g('PUT /grants', 'PUT', '/grants', { body: watched, routeKey: '$default' });
    await g('unknown path', 'GET', '/grantz', { routeKey: '$default' });

    // ---- totals-api ----
    const t = (label: string, options: Parameters<typeof apiEvent>[2]) =>
      drive(label, 'totals-api', apiEvent('GET', '/totals', options));
    await t('totals', { query: { groupBy: 'forvaltning,year' }, claims: FINANCE });
    await t('totals: csv', { query: { format: 'csv' }, claims: FINANCE });
    await t('totals: bad grouping', { query: { groupBy: 'colour' }, claims: FINANCE });
    await t('totals: project lead', { claims: LEAD });
    await t('totals: text/html', { headers: { Accept: 'text/html' }, claims: FINANCE });

    // ---- calendar-api ----
    const c = (label: string, method: string, path: string, options: Parameters<typeof apiEvent>[2] = {}) =>
      drive(label, 'calendar-api', apiEvent(method, path, options));
    const issued = await c('issue feed token', 'POST', '/calendar/feed-tokens', {
      body: { label: 'Mine', forvaltning: 'TMF' },
      claims: LEAD,
    });
    await c('issue: bad grant id', 'POST', '/calendar/feed-tokens', { body: { grantId: 'x' }, claims: LEAD });
    const token = String(issued.token);
    await c('feed', 'GET', '/calendar.ics', { query: { token }, claims: null });
    await c('feed: no token', 'GET', '/calendar.ics', { claims: null });
    await c('feed: both scopes', 'GET', '/calendar.ics', {
      query: { token, forvaltning: 'TMF', grantId: id },
      claims: null,
    });
    await c('revoke: not the owner', 'DELETE', `/calendar/feed-tokens/${String(issued.tokenId)}`, {
      claims: FINANCE,
    });
    await c('revoke', 'DELETE', `/calendar/feed-tokens/${String(issued.tokenId)}`, { claims: LEAD });
    await c('revoke: unknown', 'DELETE', '/calendar/feed-tokens/01JZZZZZZZZZZZZZZZZZZZZZZZ', {
      claims: ADMIN,
    });

    // ---- meta-api ----
    await drive('health', 'meta-api', apiEvent('GET', '/health', { claims: null }));
    await drive('health: store down', 'meta-api', apiEvent('GET', '/health', { claims: null }), metaDown);
    await drive('openapi', 'meta-api', apiEvent('GET', '/openapi.json', { claims: null }));

    // ---- digest-api ----
    const digestKey = (await signingKey(env.ledger.table, { create: true })) as Buffer;
    const signed = { token: signUnsubscribeToken(digestKey, 'okonomi@kk.dk') };
    const forgedLink = { token: signUnsubscribeToken(Buffer.alloc(32), 'okonomi@kk.dk') };
    const d = (label: string, method: string, query: Record<string, string>) =>
      drive(label, 'digest-api', apiEvent(method, '/digest/unsubscribe', { query, claims: null }));
    await d('unsubscribe page', 'GET', signed);
    await d('unsubscribe page: forged', 'GET', forgedLink);
    await d('unsubscribe', 'POST', signed);
    await d('unsubscribe: forged', 'POST', forgedLink);
    await d('unsubscribe: no token', 'POST', {});
  });

  afterAll(() => {
    vi.restoreAllMocks();
  });

  it('drove every route to a success and to a refusal', () => {
    for (const route of ROUTES) {
      const seen = exchanges
        .filter((x) => x.event.routeKey === routeKey(route))
        .map((x) => x.result.statusCode ?? 0);
      expect(
        seen.some((s) => s < 300),
        `${routeKey(route)} never succeeded: ${seen}`,
      ).toBe(true);
      if (route.auth.kind !== 'public') {
        expect(
          seen.some((s) => s >= 400 && s < 500),
          `${routeKey(route)} never refused: ${seen}`,
        ).toBe(true);
      }
    }
  });

  it('answers every request with Cache-Control: no-store, X-Content-Type-Options: nosniff and its request id', () => {
    for (const x of exchanges) {
      const why = `${x.label} → ${x.result.statusCode}`;
      expect(x.result.headers['Cache-Control'], why).toBe('no-store');
      expect(x.result.headers['X-Content-Type-Options'], why).toBe('nosniff');
      expect(x.result.headers['X-Request-Id'], why).toBe(x.event.requestContext.requestId);
    }
  });

  it('makes every 4xx and 5xx a problem document with the request id, and shows no stack trace anywhere', () => {
    for (const x of exchanges) {
      const status = x.result.statusCode ?? 0;
      const why = `${x.label} → ${status} ${String(x.result.body).slice(0, 300)}`;
      expect(leaksInternals(String(x.result.body ?? '')), why).toBe(false);
      if (status < 400 || x.label === 'health: store down') continue;
      expect(x.result.headers['Content-Type'], why).toBe('application/problem+json');
      const problem = JSON.parse(String(x.result.body)) as ProblemDocument;
      expect(problem, why).toMatchObject({
        type: expect.stringMatching(/^https:\/\//),
        title: expect.any(String),
        status,
        detail: expect.any(String),
        requestId: x.event.requestContext.requestId,
      });
    }
  });

  it('logs only JSON lines, each carrying the Lambda request id, and ties every request to its API request id', () => {
    const unlogged = exchanges.filter((x) => x.lines.length === 0).map((x) => x.label);
    expect(unlogged, 'requests that left no log line').toEqual([]);
    for (const x of exchanges) {
      for (const line of x.lines) {
        const why = `${x.label}: ${line.slice(0, 400)}`;
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`${x.label} logged a line that is not JSON: ${line.slice(0, 400)}`);
        }
        expect(entry.function_request_id, why).toBe(x.context.awsRequestId);
        expect(entry.level, why).toEqual(expect.any(String));
      }
      const tied = x.lines.some((line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        return (
          entry.requestId === x.event.requestContext.requestId &&
          entry.function_request_id === x.context.awsRequestId
        );
      });
      expect(tied, `${x.label}: no log line names both the API request id and the Lambda request id`).toBe(
        true,
      );
    }
  });

  it('never logs an e-mail address at INFO, whoever calls and whatever the body holds', () => {
    const leaks = exchanges.flatMap((x) =>
      x.lines.filter((line) => EMAIL.test(line)).map((line) => `${x.label}: ${line.slice(0, 600)}`),
    );
    expect(leaks, 'log lines with an e-mail address').toEqual([]);
  });
});
