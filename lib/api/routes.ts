import type { z } from 'zod';
import {
  DeadlineInputSchema,
  DeadlinePatchSchema,
  DeadlineSchema,
  GrantInputSchema,
  GrantPatchSchema,
  GrantSchema,
  PaymentInputSchema,
  PaymentSchema,
} from '../domain/schemas';
import { type Role, TOTALS_READ_SCOPE } from '../shared/names';
import {
  CalendarFeedQuerySchema,
  DeadlineListQuerySchema,
  FeedTokenRequestSchema,
  GrantListQuerySchema,
  TotalsQuerySchema,
} from './queries';

/**
 * Every route of the HTTP API, as data: the CDK stack creates the API Gateway routes from it,
 * local mode dispatches by it, the handlers authorise by it and the OpenAPI document is built
 * from it. A route that is not here does not exist anywhere.
 */

export type ApiFunction = 'grants-api' | 'totals-api' | 'calendar-api' | 'meta-api';

export type RouteAuth =
  | { readonly kind: 'public' }
  /** A signed-in person with one of the roles, or a machine token carrying one of the scopes. */
  | { readonly kind: 'jwt'; readonly roles: readonly Role[]; readonly scopes?: readonly string[] }
  /** Calendar clients cannot send headers: a read-only feed token in the query instead. */
  | { readonly kind: 'feed-token' };

export interface RouteDef {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly fn: ApiFunction;
  readonly auth: RouteAuth;
  readonly operationId: string;
  readonly summary: string;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly response?: { readonly status: number; readonly schema?: z.ZodType; readonly contentType?: string };
  readonly headers?: readonly ('If-Match' | 'Idempotency-Key')[];
}

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
    response: { status: 201, schema: GrantSchema },
  },
  {
    method: 'GET',
    path: '/grants',
    fn: 'grants-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'listGrants',
    summary: 'List grants, newest first',
    query: GrantListQuerySchema,
    response: { status: 200 },
  },
  {
    method: 'GET',
    path: '/grants/{grantId}',
    fn: 'grants-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'getGrant',
    summary: 'A grant with its payments and deadlines',
    response: { status: 200, schema: GrantSchema },
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
    response: { status: 200, schema: GrantSchema },
  },
  {
    method: 'POST',
    path: '/grants/{grantId}/payments',
    fn: 'grants-api',
    auth: jwt('lear-admin', 'finance'),
    operationId: 'recordPayment',
    summary: 'Record a payment received',
    body: PaymentInputSchema,
    response: { status: 201, schema: PaymentSchema },
  },
  {
    method: 'POST',
    path: '/grants/{grantId}/deadlines',
    fn: 'grants-api',
    auth: jwt('lear-admin', 'project-lead'),
    operationId: 'addDeadline',
    summary: 'Add a deadline',
    body: DeadlineInputSchema,
    response: { status: 201, schema: DeadlineSchema },
  },
  {
    method: 'PATCH',
    path: '/grants/{grantId}/deadlines/{deadlineId}',
    fn: 'grants-api',
    auth: jwt('lear-admin', 'project-lead'),
    operationId: 'setDeadlineStatus',
    summary: 'Mark a deadline done, waived or open',
    body: DeadlinePatchSchema,
    response: { status: 200, schema: DeadlineSchema },
  },
  {
    method: 'GET',
    path: '/deadlines',
    fn: 'grants-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'listDeadlines',
    summary: 'Deadlines in a date range, by due date',
    query: DeadlineListQuerySchema,
    response: { status: 200 },
  },
  {
    method: 'GET',
    path: '/totals',
    fn: 'totals-api',
    auth: { kind: 'jwt', roles: ['finance', 'lear-admin'], scopes: [TOTALS_READ_SCOPE] },
    operationId: 'getTotals',
    summary: 'Funding awarded, received and outstanding in DKK, grouped and filtered (JSON or CSV)',
    query: TotalsQuerySchema,
    response: { status: 200 },
  },
  {
    method: 'POST',
    path: '/calendar/feed-tokens',
    fn: 'calendar-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'issueFeedToken',
    summary: 'Issue a read-only calendar feed token (and its subscription URL) for the caller',
    body: FeedTokenRequestSchema,
    response: { status: 201 },
  },
  {
    method: 'DELETE',
    path: '/calendar/feed-tokens/{tokenId}',
    fn: 'calendar-api',
    auth: jwt(...ALL_ROLES),
    operationId: 'revokeFeedToken',
    summary: 'Revoke a calendar feed token (its owner or a LEAR administrator)',
    response: { status: 204 },
  },
  {
    method: 'GET',
    path: '/calendar.ics',
    fn: 'calendar-api',
    auth: { kind: 'feed-token' },
    operationId: 'calendarFeed',
    query: CalendarFeedQuerySchema,
    summary: 'RFC 5545 calendar of open deadlines and funding ends (feed token in the query)',
    response: { status: 200, contentType: 'text/calendar' },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    fn: 'meta-api',
    auth: { kind: 'public' },
    operationId: 'openapi',
    summary: 'This document',
    response: { status: 200 },
  },
  {
    method: 'GET',
    path: '/health',
    fn: 'meta-api',
    auth: { kind: 'public' },
    operationId: 'health',
    summary: 'Answers once the store does',
    response: { status: 200 },
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
