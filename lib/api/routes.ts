import * as z from 'zod';
import {
  DeadlineInputSchema,
  DeadlinePatchSchema,
  DeadlineSchema,
  ExpectedPaymentInputSchema,
  ExpectedPaymentPatchSchema,
  ExpectedPaymentSchema,
  GrantInputSchema,
  GrantPatchSchema,
  GrantSchema,
  PaymentInputSchema,
  PaymentSchema,
  ProblemSchema,
} from '../domain/schemas';
import { type Role, TOTALS_READ_SCOPE } from '../shared/names';
import {
  CalendarFeedQuerySchema,
  DeadlineListQuerySchema,
  FeedTokenRequestSchema,
  GrantListQuerySchema,
  HistoryQuerySchema,
  TotalsQuerySchema,
  UnsubscribeQuerySchema,
} from './queries';
import {
  DeadlineListSchema,
  GrantPageSchema,
  HealthSchema,
  HistoryPageSchema,
  IssuedFeedTokenSchema,
  OpenApiDocumentSchema,
  TotalsReportSchema,
} from './responses';

/**
 * Every route of the HTTP API, as data: the CDK stack creates the API Gateway routes from it,
 * local mode dispatches by it, the handlers authorise by it and the OpenAPI document is built
 * from it. A route that is not here does not exist anywhere.
 */

export type ApiFunction = 'grants-api' | 'totals-api' | 'calendar-api' | 'meta-api' | 'digest-api';

export type RouteAuth =
  | { readonly kind: 'public' }
  /** A signed-in person with one of the roles, or a machine token carrying one of the scopes. */
  | { readonly kind: 'jwt'; readonly roles: readonly Role[]; readonly scopes?: readonly string[] }
  /** Calendar clients cannot send headers: a read-only feed token in the query instead. */
  | { readonly kind: 'feed-token' };

/** Headers a response may carry besides Content-Type; the OpenAPI document describes each once. */
export type ResponseHeader = 'ETag' | 'Location' | 'Retry-After' | 'Content-Disposition';

/** Request headers a route reads besides Authorization and Content-Type. */
export type RequestHeader = 'If-Match' | 'Idempotency-Key';

/** Statuses answered with an RFC 9457 problem document (application/problem+json). */
export type ProblemStatus = 400 | 401 | 403 | 404 | 406 | 409 | 412 | 413 | 415 | 422 | 428 | 429 | 503;

/** One documented response: its status, what it means and, unless it has no body, the body's schema. */
export interface RouteResponse {
  readonly status: number;
  readonly description: string;
  /** The body; none (204) when omitted. A schema with `.meta({ id })` becomes a named component. */
  readonly schema?: z.ZodType;
  /** The body's media type; `application/json` when omitted. */
  readonly contentType?: string;
  readonly headers?: readonly ResponseHeader[];
  /** The same response in other media types, chosen by the request's Accept (e.g. totals as CSV). */
  readonly alsoAs?: readonly { readonly contentType: string; readonly schema: z.ZodType }[];
}

export interface RouteDef {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly fn: ApiFunction;
  readonly auth: RouteAuth;
  readonly operationId: string;
  readonly summary: string;
  /** Longer prose for the reference; Markdown. */
  readonly description?: string;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly headers?: readonly RequestHeader[];
  /** What the route answers when it succeeds (and any non-problem status it sends, e.g. /health's 503). */
  readonly responses: readonly RouteResponse[];
  /**
   * Problem statuses this route answers besides those it gets by default (problemStatusesOf):
   * 409, 422, 406, or 412 outside If-Match.
   */
  readonly problems?: readonly ProblemStatus[];
}

const hasPathParameters = (route: Pick<RouteDef, 'path'>) => route.path.includes('{');

/**
 * Every problem status a route can answer, derived so a route declares only what is special to it:
 * 429 and 503 (with Retry-After) everywhere; 400 for any input (query, body, path parameters);
 * 401/403 for a token; 404 for a path naming an id; 413/415 for a body; 428/412 for If-Match.
 * A status the route lists in `responses` is documented there instead.
 */
export const problemStatusesOf = (route: RouteDef): ProblemStatus[] => {
  const statuses = new Set<ProblemStatus>();
  if (route.query || route.body || hasPathParameters(route)) statuses.add(400);
  if (route.auth.kind !== 'public') statuses.add(401).add(403);
  if (hasPathParameters(route)) statuses.add(404);
  if (route.body) statuses.add(413).add(415);
  if (route.headers?.includes('If-Match')) statuses.add(412).add(428);
  for (const status of route.problems ?? []) statuses.add(status);
  statuses.add(429).add(503);
  const own = new Set(route.responses.map((r) => r.status));
  return [...statuses].filter((status) => !own.has(status)).sort((a, b) => a - b);
};

const ALL_ROLES: readonly Role[] = ['lear-admin', 'project-lead', 'finance'];
const jwt = (...roles: Role[]): RouteAuth => ({ kind: 'jwt', roles });

export const ROUTES: readonly RouteDef[] = [
  {
    method: 'POST',
    path: '/grants',
    fn: 'grants-api',
    auth: jwt('lear-admin'),
    operationId: 'registerGrant',
    summary: 'Register a grant',
    body: GrantInputSchema,
    headers: ['Idempotency-Key'],
    responses: [
      {
        status: 201,
        description: 'The grant as registered',
        schema: GrantSchema,
        headers: ['Location', 'ETag'],
      },
    ],
    problems: [409, 422],
  },
  {
    method: 'GET',
    path: '/grants',
    fn: 'grants-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'listGrants',
    summary: 'List grants, newest first',
    query: GrantListQuerySchema,
    responses: [{ status: 200, description: 'One page of grants', schema: GrantPageSchema }],
  },
  {
    method: 'GET',
    path: '/grants/{grantId}',
    fn: 'grants-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'getGrant',
    summary: 'A grant with its payments and deadlines',
    responses: [
      {
        status: 200,
        description: 'The grant, its payments and deadlines',
        schema: GrantSchema,
        headers: ['ETag'],
      },
    ],
  },
  {
    method: 'PATCH',
    path: '/grants/{grantId}',
    fn: 'grants-api',
    auth: jwt('lear-admin'),
    operationId: 'updateGrant',
    summary: 'Change a grant (If-Match required)',
    body: GrantPatchSchema,
    headers: ['If-Match'],
    responses: [{ status: 200, description: 'The grant as changed', schema: GrantSchema, headers: ['ETag'] }],
    problems: [409, 422],
  },
  {
    method: 'POST',
    path: '/grants/{grantId}/payments',
    fn: 'grants-api',
    auth: jwt('lear-admin', 'finance'),
    operationId: 'recordPayment',
    summary: 'Record a payment received',
    body: PaymentInputSchema,
    responses: [
      { status: 201, description: 'The payment as recorded', schema: PaymentSchema, headers: ['Location'] },
    ],
    problems: [409, 422],
  },
  {
    method: 'POST',
    path: '/grants/{grantId}/deadlines',
    fn: 'grants-api',
    auth: jwt('lear-admin', 'project-lead'),
    operationId: 'addDeadline',
    summary: 'Add a deadline',
    body: DeadlineInputSchema,
    responses: [
      { status: 201, description: 'The deadline as added', schema: DeadlineSchema, headers: ['Location'] },
    ],
    problems: [409],
  },
  {
    method: 'PATCH',
    path: '/grants/{grantId}/deadlines/{deadlineId}',
    fn: 'grants-api',
    auth: jwt('lear-admin', 'project-lead'),
    operationId: 'setDeadlineStatus',
    summary: 'Mark a deadline done, waived or open',
    body: DeadlinePatchSchema,
    responses: [{ status: 200, description: 'The deadline as changed', schema: DeadlineSchema }],
    problems: [412],
  },
  {
    method: 'POST',
    path: '/grants/{grantId}/expected-payments',
    fn: 'grants-api',
    auth: jwt('lear-admin', 'finance'),
    operationId: 'addExpectedPayment',
    summary: 'Plan a payment still to come (in the grant’s currency)',
    description:
      'Open expected payments count as `expected` in the totals (by `expectedOn`) and in the grant’s ' +
      '`expectedDkk`, until a payment settles one (`settles` on POST /grants/{grantId}/payments) or it is ' +
      'cancelled. Open expected payments in the grant’s currency may not exceed awarded − received (422). ' +
      'Still OPEN 30 days after `expectedOn`, one raises a PaymentOverdue alert.',
    body: ExpectedPaymentInputSchema,
    responses: [
      {
        status: 201,
        description: 'The expected payment as planned',
        schema: ExpectedPaymentSchema,
        headers: ['Location'],
      },
    ],
    problems: [409, 422],
  },
  {
    method: 'PATCH',
    path: '/grants/{grantId}/expected-payments/{expectedPaymentId}',
    fn: 'grants-api',
    auth: jwt('lear-admin', 'finance'),
    operationId: 'changeExpectedPayment',
    summary: 'Move, change or cancel an OPEN expected payment',
    description:
      'Changes `expectedOn`, `amount` or `note`, or cancels it with `status: "CANCELLED"`. One that was ' +
      'received or cancelled can no longer change (409).',
    body: ExpectedPaymentPatchSchema,
    responses: [
      { status: 200, description: 'The expected payment as changed', schema: ExpectedPaymentSchema },
    ],
    problems: [409, 422],
  },
  {
    method: 'GET',
    path: '/grants/{grantId}/history',
    fn: 'grants-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'getHistory',
    summary: 'Who changed what: the grant’s history, newest first, with old and new values',
    description:
      'One entry per change to the grant, its payments, expected payments and deadlines, committed with ' +
      'the change itself and never rewritten. Each names every field that changed, with its old and new ' +
      'value (money as Money).',
    query: HistoryQuerySchema,
    responses: [{ status: 200, description: 'One page of history, newest first', schema: HistoryPageSchema }],
  },
  {
    method: 'GET',
    path: '/deadlines',
    fn: 'grants-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'listDeadlines',
    summary: 'Deadlines in a date range, by due date',
    query: DeadlineListQuerySchema,
    responses: [{ status: 200, description: 'The deadlines, by due date', schema: DeadlineListSchema }],
  },
  {
    method: 'GET',
    path: '/totals',
    fn: 'totals-api',
    auth: { kind: 'jwt', roles: ['finance', 'lear-admin'], scopes: [TOTALS_READ_SCOPE] },
    operationId: 'getTotals',
    summary: 'Funding awarded, received and outstanding in DKK, grouped and filtered (JSON or CSV)',
    query: TotalsQuerySchema,
    responses: [
      {
        status: 200,
        description: 'The totals; as RFC 4180 CSV with a header row for Accept: text/csv or format=csv',
        schema: TotalsReportSchema,
        headers: ['Content-Disposition'],
        alsoAs: [{ contentType: 'text/csv', schema: z.string() }],
      },
    ],
    problems: [406],
  },
  {
    method: 'POST',
    path: '/calendar/feed-tokens',
    fn: 'calendar-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'issueFeedToken',
    summary: 'Issue a read-only calendar feed token (and its subscription URL) for the caller',
    body: FeedTokenRequestSchema,
    responses: [
      {
        status: 201,
        description: 'The token and its subscription URL',
        schema: IssuedFeedTokenSchema,
        headers: ['Location'],
      },
    ],
    // A grant scope must name a grant that exists.
    problems: [404],
  },
  {
    method: 'DELETE',
    path: '/calendar/feed-tokens/{tokenId}',
    fn: 'calendar-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'revokeFeedToken',
    summary: 'Revoke a calendar feed token (its owner or a LEAR administrator)',
    responses: [{ status: 204, description: 'Revoked (or already revoked)' }],
  },
  {
    method: 'GET',
    path: '/calendar.ics',
    fn: 'calendar-api',
    auth: { kind: 'feed-token' },
    operationId: 'calendarFeed',
    query: CalendarFeedQuerySchema,
    summary: 'RFC 5545 calendar of open deadlines and funding ends (feed token in the query)',
    responses: [
      {
        status: 200,
        description: 'An RFC 5545 calendar',
        schema: z.string(),
        contentType: 'text/calendar',
        headers: ['Content-Disposition'],
      },
    ],
    // A grantId in the query that names no grant.
    problems: [404],
  },
  {
    method: 'GET',
    path: '/digest/unsubscribe',
    fn: 'digest-api',
    auth: { kind: 'public' },
    operationId: 'unsubscribePage',
    summary: 'The page a weekly digest’s unsubscribe link opens: confirm to stop the digest',
    description:
      'Opened from the link in a weekly digest. The token is signed for the address the digest went to; ' +
      'a changed token, or one made for another address, is refused (403). The page asks to confirm, ' +
      'so that a link scanner following it changes nothing.',
    query: UnsubscribeQuerySchema,
    responses: [
      {
        status: 200,
        description: 'An HTML page (Danish and English) with the address and a button that confirms',
        schema: z.string(),
        contentType: 'text/html',
      },
      {
        status: 403,
        description:
          'The link was changed, or is not one a weekly digest sent: a problem document, or for a browser ' +
          '(Accept: text/html) a page saying so',
        schema: ProblemSchema,
        contentType: 'application/problem+json',
        alsoAs: [{ contentType: 'text/html', schema: z.string() }],
      },
    ],
  },
  {
    method: 'POST',
    path: '/digest/unsubscribe',
    fn: 'digest-api',
    auth: { kind: 'public' },
    operationId: 'unsubscribe',
    summary: 'One-click unsubscribe from the weekly digest (RFC 8058); alerts continue',
    description:
      'What mail clients POST for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and what the ' +
      'confirmation page’s button sends. Stops weekly digests to the address the token was signed for; ' +
      'deadline and funding alerts still reach it. Repeating it is harmless. The body ' +
      '(`List-Unsubscribe=One-Click`, form-encoded) is not needed: the signed token is the authority.',
    query: UnsubscribeQuerySchema,
    responses: [
      {
        status: 200,
        description: 'An HTML page (Danish and English) saying the digest is stopped for the address',
        schema: z.string(),
        contentType: 'text/html',
      },
    ],
    problems: [403],
  },
  {
    method: 'GET',
    path: '/openapi.json',
    fn: 'meta-api',
    auth: { kind: 'public' },
    operationId: 'openapi',
    summary: 'This document',
    responses: [{ status: 200, description: 'OpenAPI 3.1', schema: OpenApiDocumentSchema }],
  },
  {
    method: 'GET',
    path: '/health',
    fn: 'meta-api',
    auth: { kind: 'public' },
    operationId: 'health',
    summary: 'Answers once the store does',
    responses: [
      { status: 200, description: 'The store answers', schema: HealthSchema },
      {
        status: 503,
        description: 'The store does not answer',
        schema: HealthSchema,
        headers: ['Retry-After'],
      },
    ],
  },
];

export const routeKey = (route: Pick<RouteDef, 'method' | 'path'>): string => `${route.method} ${route.path}`;

const ROUTE_BY_KEY = new Map(ROUTES.map((route) => [routeKey(route), route]));

export const findRoute = (key: string): RouteDef | undefined => ROUTE_BY_KEY.get(key);

const patternOf = (path: string) =>
  new RegExp(`^${path.replace(/\{([^/]+)\}/g, (_m, name: string) => `(?<${name}>[^/]+)`)}/?$`);

const decodePathParameters = (groups: Record<string, string>): Record<string, string> | undefined => {
  try {
    return Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, decodeURIComponent(v)]));
  } catch {
    return undefined;
  }
};

const MATCHERS = ROUTES.map((route) => ({ route, pattern: patternOf(route.path) }));

/** Matches a concrete request as API Gateway does: the route and its path parameters, or why not. */
export const matchRoute = (
  method: string,
  path: string,
):
  | { readonly route: RouteDef; readonly pathParameters: Record<string, string> }
  | { readonly route: undefined; readonly allowed: readonly string[] } => {
  const allowed: string[] = [];
  for (const { route, pattern } of MATCHERS) {
    const match = pattern.exec(path);
    if (!match) continue;
    if (route.method === method) {
      const params = decodePathParameters(match.groups ?? {});
      // A path that is not valid percent-encoding names nothing here.
      if (!params) continue;
      return { route, pathParameters: params };
    }
    allowed.push(route.method);
  }
  return { route: undefined, allowed };
};
