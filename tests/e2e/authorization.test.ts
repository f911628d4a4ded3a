import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../lib/api/routes';
import { DEV_AUDIENCE, DEV_ISSUER, issueDevToken, KEY_FILE } from '../../lib/local/dev-tokens';
import { ROLES, type Role } from '../../lib/shared/names';
import { atelierInput } from '../support/fixtures';
import { type SpawnedStack, spawnStack } from '../support/local-stack';

type Request = { method: string; path: string; body?: unknown; headers?: Record<string, string> };

/**
 * Every route × every kind of caller. A route added to ROUTES without its row here fails the first
 * test, so no route ships without its authorisation proven.
 */
describe('the authorisation matrix', () => {
  let stack: SpawnedStack;
  let grantId: string;
  let deadlineId: string;
  let expectedPaymentId: string;
  let feedTokenId: string;
  const callers: Record<string, string | undefined> = {};

  const FORGED_UNSUBSCRIBE_TOKEN = `v1.${Buffer.from('lear-admin@kk.dk').toString('base64url')}.${'A'.repeat(43)}`;
  const MATRIX: Record<
    string,
    { allowed: readonly Role[] | 'anyone' | 'feed-token' | 'signed-link'; request: () => Request }
  > = {
    'POST /grants': {
      allowed: ['lear-admin'],
      request: () => ({ method: 'POST', path: '/grants', body: atelierInput({ acronym: 'AUTHZ' }) }),
    },
    'GET /grants': { allowed: ROLES, request: () => ({ method: 'GET', path: '/grants' }) },
    'GET /grants/{grantId}': {
      allowed: ROLES,
      request: () => ({ method: 'GET', path: `/grants/${grantId}` }),
    },
    'PATCH /grants/{grantId}': {
      allowed: ['lear-admin'],
      request: () => ({
        method: 'PATCH',
        path: `/grants/${grantId}`,
        body: { notes: 'x' },
        headers: { 'if-match': '"999"' },
      }),
    },
    'POST /grants/{grantId}/payments': {
      allowed: ['lear-admin', 'finance'],
      request: () => ({
        method: 'POST',
        path: `/grants/${grantId}/payments`,
        body: { receivedOn: '2020-01-01', amount: { amount: '1.00', currency: 'EUR' }, kind: 'OTHER' },
      }),
    },
    'POST /grants/{grantId}/deadlines': {
      allowed: ['lear-admin', 'project-lead'],
      request: () => ({
        method: 'POST',
        path: `/grants/${grantId}/deadlines`,
        body: { kind: 'OTHER', title: 'x', dueOn: '2027-01-01' },
      }),
    },
    'PATCH /grants/{grantId}/deadlines/{deadlineId}': {
      allowed: ['lear-admin', 'project-lead'],
      request: () => ({
        method: 'PATCH',
        path: `/grants/${grantId}/deadlines/${deadlineId}`,
        body: { status: 'OPEN' },
      }),
    },
    'POST /grants/{grantId}/expected-payments': {
      allowed: ['lear-admin', 'finance'],
      request: () => ({
        method: 'POST',
        path: `/grants/${grantId}/expected-payments`,
        body: { expectedOn: '2027-01-01', amount: { amount: '1.00', currency: 'EUR' }, kind: 'OTHER' },
      }),
    },
    'PATCH /grants/{grantId}/expected-payments/{expectedPaymentId}': {
      allowed: ['lear-admin', 'finance'],
      request: () => ({
        method: 'PATCH',
        path: `/grants/${grantId}/expected-payments/${expectedPaymentId}`,
        body: { note: 'x' },
      }),
    },
    'GET /grants/{grantId}/history': {
      allowed: ROLES,
      request: () => ({ method: 'GET', path: `/grants/${grantId}/history` }),
    },
    'GET /deadlines': { allowed: ROLES, request: () => ({ method: 'GET', path: '/deadlines' }) },
    'GET /totals': {
      allowed: ['finance', 'lear-admin'],
      request: () => ({ method: 'GET', path: '/totals?groupBy=forvaltning' }),
    },
    'POST /calendar/feed-tokens': {
      allowed: ROLES,
      request: () => ({ method: 'POST', path: '/calendar/feed-tokens', body: {} }),
    },
    'DELETE /calendar/feed-tokens/{tokenId}': {
      // Only the owner or a LEAR administrator may revoke; the owner here is lear-admin@kk.dk.
      allowed: ['lear-admin'],
      request: () => ({ method: 'DELETE', path: `/calendar/feed-tokens/${feedTokenId}` }),
    },
    'GET /calendar.ics': { allowed: 'feed-token', request: () => ({ method: 'GET', path: '/calendar.ics' }) },
    // A bearer token opens nothing here: only a link a weekly digest signed for its address does.
    'GET /digest/unsubscribe': {
      allowed: 'signed-link',
      request: () => ({ method: 'GET', path: `/digest/unsubscribe?token=${FORGED_UNSUBSCRIBE_TOKEN}` }),
    },
    'POST /digest/unsubscribe': {
      allowed: 'signed-link',
      request: () => ({ method: 'POST', path: `/digest/unsubscribe?token=${FORGED_UNSUBSCRIBE_TOKEN}` }),
    },
    'GET /openapi.json': { allowed: 'anyone', request: () => ({ method: 'GET', path: '/openapi.json' }) },
    'GET /health': { allowed: 'anyone', request: () => ({ method: 'GET', path: '/health' }) },
  };

  const send = async (request: Request, token: string | undefined) => {
    const headers: Record<string, string> = { ...request.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${stack.apiUrl}${request.path}`, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    return { status: response.status, type: response.headers.get('content-type') ?? '' };
  };

  beforeAll(async () => {
    stack = await spawnStack({ seed: false });
    const key = JSON.parse(
      await readFile(join(stack.dataDir, KEY_FILE), 'utf8').catch(async () => {
        await issueDevToken(stack.dataDir, { email: 'x@kk.dk', roles: ['finance'] });
        return readFile(join(stack.dataDir, KEY_FILE), 'utf8');
      }),
    ) as { kid: string; privateJwk: JWK };
    const realKey = await importJWK(key.privateJwk, 'ES256');
    const { privateKey: otherKey } = await generateKeyPair('ES256');
    const sign = (
      signer: Parameters<SignJWT['sign']>[0],
      claims: { iss?: string; aud?: string; exp?: number },
    ) =>
      new SignJWT({ email: 'lear-admin@kk.dk', 'cognito:groups': ['lear-admin'] })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setIssuer(claims.iss ?? DEV_ISSUER)
        .setAudience(claims.aud ?? DEV_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(claims.exp ?? '1h')
        .sign(signer);
    callers['no token'] = undefined;
    callers.expired = await sign(realKey, { exp: Math.floor(Date.now() / 1000) - 60 });
    callers['wrong signature'] = await sign(otherKey, {});
    callers['wrong issuer'] = await sign(realKey, {
      iss: 'https://cognito-idp.eu-central-1.amazonaws.com/elsewhere',
    });
    callers['wrong audience'] = await sign(realKey, { aud: 'another-app' });
    callers['no role'] = await issueDevToken(stack.dataDir, { email: 'nobody@kk.dk', roles: [] });
    for (const role of ROLES) callers[role] = await stack.token(role);

    const admin = callers['lear-admin'] as string;
    const post = async (path: string, body: unknown) =>
      (
        await fetch(`${stack.apiUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json() as Promise<Record<string, string>>;
    grantId = (await post('/grants', atelierInput({ acronym: 'MATRIX' }))).grantId as string;
    deadlineId = (
      await post(`/grants/${grantId}/deadlines`, { kind: 'OTHER', title: 'm', dueOn: '2027-02-01' })
    ).deadlineId as string;
    expectedPaymentId = (
      await post(`/grants/${grantId}/expected-payments`, {
        expectedOn: '2027-01-01',
        amount: { amount: '1.00', currency: 'EUR' },
        kind: 'OTHER',
      })
    ).expectedPaymentId as string;
    feedTokenId = (await post('/calendar/feed-tokens', {})).tokenId as string;
  });

  afterAll(async () => {
    await stack?.kill();
  });

  it('has a row for every route, and no row for a route that does not exist', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it.each(ROUTES.map(routeKey))('%s lets in exactly who it should', async (key) => {
    const row = MATRIX[key];
    if (!row) throw new Error(`No row for ${key}`);
    for (const [who, token] of Object.entries(callers)) {
      const { status, type } = await send(row.request(), token);
      const label = `${key} as ${who}`;
      expect(status, label).toBeLessThan(500);
      if (row.allowed === 'anyone') {
        expect(status, label).toBe(200);
      } else if (row.allowed === 'feed-token') {
        expect(status, label).toBe(401);
      } else if (row.allowed === 'signed-link') {
        expect(status, label).toBe(403);
      } else if (!ROLES.includes(who as Role) && who !== 'no role') {
        expect(status, label).toBe(401);
      } else if ((row.allowed as readonly string[]).includes(who)) {
        expect([401, 403], label).not.toContain(status);
      } else {
        expect(status, label).toBe(403);
      }
      if (status >= 400) expect(type, label).toBe('application/problem+json');
    }
  });
});
