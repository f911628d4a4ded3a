import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../lib/api/openapi';
import { createConformance, type ObservedResponse } from '../support/conformance';

const conformance = createConformance();

const GRANT_ID = '01JF4ZQ8M0S6KX7V2B3N4C5D6E';
const money = (amount: string, currency = 'EUR') => ({ amount, currency });

/** A grant as GET /grants/{grantId} answers it. */
const grant = () => ({
  grantId: GRANT_ID,
  version: 3,
  acronym: 'ATELIER',
  title: 'AmsTErdam BiLbao cItizen drivEn smaRt cities',
  programme: 'H2020',
  funderType: 'EU',
  forvaltning: 'TMF',
  role: 'PARTNER',
  status: 'ACTIVE',
  partners: [],
  startDate: '2019-11-01',
  endDate: '2024-10-31',
  fundingEndsOn: '2024-10-31',
  awarded: money('665462.50'),
  exchangeRateToDkk: '7.46038',
  awardedDkk: money('4964658.60', 'DKK'),
  receivedDkk: money('0.00', 'DKK'),
  outstandingDkk: money('4964658.60', 'DKK'),
  expectedDkk: money('0.00', 'DKK'),
  projectLead: { name: 'Lead', email: 'lead@kk.dk' },
  watchers: [],
  reportingPeriods: [],
  payments: [],
  deadlines: [],
  expectedPayments: [],
  createdAt: '2024-01-01T10:00:00.000Z',
  createdBy: 'lear@kk.dk',
  updatedAt: '2024-01-02T10:00:00.000Z',
  updatedBy: 'lear@kk.dk',
});

/** The fields the document requires of a grant now, so the sample follows the schema as it grows. */
const required = (buildOpenApi().components.schemas.Grant as { required: string[] }).required;
const conforming = (): Record<string, unknown> => {
  const all = grant() as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(all).filter(
      ([key]) => required.includes(key) || ['payments', 'deadlines', 'partners'].includes(key),
    ),
  );
};

const ok = (overrides: Partial<ObservedResponse> = {}): ObservedResponse => ({
  method: 'GET',
  path: `/grants/${GRANT_ID}`,
  status: 200,
  headers: {
    'Content-Type': 'application/json; charset=utf-8',
    ETag: '"3"',
    'X-Request-Id': 'req-1',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  },
  body: JSON.stringify(conforming()),
  ...overrides,
});

describe('the conformance check of responses against the OpenAPI document', () => {
  it('passes a response that is what the document says', () => {
    expect(conformance.check(ok())).toEqual([]);
  });

  it('fails a status the operation does not list', () => {
    expect(conformance.check(ok({ status: 418 }))).toEqual([
      expect.stringMatching(/GET \/grants\/\{grantId\} → 418: status 418 is not documented/),
    ]);
  });

  it('fails a field the schema does not have, and a field of the wrong shape', () => {
    const drifted = { ...conforming(), colour: 'blue', version: '3' };
    const departures = conformance.check(ok({ body: JSON.stringify(drifted) }));
    expect(departures).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/body must NOT have additional properties .*colour/),
        expect.stringMatching(/body\/version must be integer/),
      ]),
    );
  });

  it('fails a missing required field, and money in a float', () => {
    const { acronym: _acronym, ...rest } = conforming();
    expect(conformance.check(ok({ body: JSON.stringify(rest) }))).toEqual([
      expect.stringMatching(/must have required property 'acronym'/),
    ]);
    const float = { ...conforming(), awarded: { amount: 665462.5, currency: 'EUR' } };
    expect(conformance.check(ok({ body: JSON.stringify(float) }))).toEqual([
      expect.stringMatching(/body\/awarded\/amount must be string/),
    ]);
  });

  it('fails a header the response does not declare, and a declared one that is missing', () => {
    const { ETag: _etag, ...headers } = ok().headers;
    expect(conformance.check(ok({ headers: { ...headers, 'X-Powered-By': 'Express' } }))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/header x-powered-by is not declared/),
        expect.stringMatching(/declared header etag is missing/),
      ]),
    );
  });

  it('fails a header value its schema refuses', () => {
    expect(conformance.check(ok({ headers: { ...ok().headers, ETag: 'W/3' } }))).toEqual([
      expect.stringMatching(/header etag: W\/3 does not match/),
    ]);
  });

  it('fails a content type the response does not document', () => {
    expect(conformance.check(ok({ headers: { ...ok().headers, 'Content-Type': 'text/html' } }))).toEqual([
      expect.stringMatching(/Content-Type text\/html is not documented/),
    ]);
  });

  it('checks problem documents, and the Retry-After of a 503', () => {
    const problem = (body: unknown, headers: Record<string, string> = {}) =>
      conformance.check(
        ok({
          status: 503,
          headers: { 'Content-Type': 'application/problem+json', 'X-Request-Id': 'r', ...headers },
          body: JSON.stringify(body),
        }),
      );
    const unavailable = { type: 'about:blank', title: 'Service unavailable', status: 503, detail: 'later' };
    expect(problem(unavailable, { 'Retry-After': '5' })).toEqual([]);
    expect(problem(unavailable)).toEqual([expect.stringMatching(/declared header retry-after is missing/)]);
    expect(problem({ message: 'Internal Server Error' }, { 'Retry-After': '5' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/must have required property 'title'/)]),
    );
  });

  it('allows only 404 and 405 problem documents on paths that name no operation', () => {
    const notFound = { type: 'about:blank', title: 'Not found', status: 404, detail: 'There is no /nope.' };
    const at = (status: number) =>
      conformance.check({
        method: 'GET',
        path: '/nope',
        status,
        headers: { 'content-type': 'application/problem+json' },
        body: JSON.stringify({ ...notFound, status }),
      });
    expect(at(404)).toEqual([]);
    expect(at(200)).toEqual([expect.stringMatching(/may only answer 404 or 405/)]);
  });

  it('takes a body-less 204 and refuses a body where the document gives none', () => {
    const revoke = (body: string | undefined) =>
      conformance.check({
        method: 'DELETE',
        path: `/calendar/feed-tokens/${GRANT_ID}`,
        status: 204,
        headers: { 'X-Request-Id': 'r' },
        body,
      });
    expect(revoke(undefined)).toEqual([]);
    expect(revoke('{}')).toEqual([expect.stringMatching(/sends a body, but the document gives it none/)]);
  });
});
