import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { ApiEvent, ApiResult } from '../../lib/api/http';
import type { Problem } from '../../lib/api/problem';
import { type ApiFunction, matchRoute, routeKey } from '../../lib/api/routes';
import type { Role } from '../../lib/shared/names';

/**
 * API Gateway HTTP API (payload 2.0) events and Lambda contexts, built by hand, so integration tests
 * drive the real handlers exactly as Lambda would: header names lowercased, the route key and path
 * parameters of the route that matched (else `$default`), the JWT authorizer's claims.
 */

export type Claims = Readonly<Record<string, unknown>>;

export const claimsOf = (role: Role, email = `${role}@kk.dk`): Claims => ({
  email,
  sub: email,
  'cognito:groups': `[${role}]`,
});

export const ADMIN: Claims = claimsOf('lear-admin', 'lear@kk.dk');
export const LEAD: Claims = claimsOf('project-lead', 'lead@kk.dk');
export const FINANCE: Claims = claimsOf('finance', 'finance@kk.dk');

export interface RequestOptions {
  /** A string is sent as it is; anything else as JSON. */
  readonly body?: unknown;
  /** Header names are lowercased, as API Gateway does. */
  readonly headers?: Readonly<Record<string, string>>;
  /** false: send a body without any Content-Type header. */
  readonly contentType?: string | false;
  readonly query?: Readonly<Record<string, string>>;
  /** The JWT authorizer's claims; null: no authorizer context at all (no token). Default: a LEAR admin. */
  readonly claims?: Claims | null;
  readonly isBase64Encoded?: boolean;
  /** Path parameters as API Gateway decoded them; default: those of the matching route. */
  readonly pathParameters?: Readonly<Record<string, string>>;
  /** `$default`: the catch-all route, so the handler resolves the route from the path itself. */
  readonly routeKey?: string;
}

let requestCounter = 0;

export const apiEvent = (method: string, rawPath: string, options: RequestOptions = {}): ApiEvent => {
  const requestId = `req-${++requestCounter}-${randomUUID().slice(0, 8)}`;
  let matched: ReturnType<typeof matchRoute> | undefined;
  try {
    matched = options.routeKey === undefined ? matchRoute(method, rawPath) : undefined;
  } catch {
    matched = undefined;
  }
  const key = options.routeKey ?? (matched?.route ? routeKey(matched.route) : '$default');
  const pathParameters =
    options.pathParameters ?? (matched?.route ? { ...matched.pathParameters } : undefined);
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = { host: 'api.funding-tracker.kk.dk' };
  if (body !== undefined && options.contentType !== false) {
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  const claims = options.claims === undefined ? ADMIN : options.claims;
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: key,
    rawPath,
    rawQueryString,
    headers,
    ...(options.query ? { queryStringParameters: { ...options.query } } : {}),
    ...(pathParameters && Object.keys(pathParameters).length
      ? { pathParameters: { ...pathParameters } }
      : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api1',
      domainName: 'api.funding-tracker.kk.dk',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId,
      routeKey: key,
      stage: '$default',
      time: '22/Nov/2026:09:00:00 +0000',
      timeEpoch: Date.parse('2026-11-22T09:00:00Z'),
      ...(claims ? { authorizer: { jwt: { claims: { ...claims }, scopes: null } } } : {}),
    },
    ...(body !== undefined
      ? {
          body: options.isBase64Encoded ? Buffer.from(body).toString('base64') : body,
          isBase64Encoded: options.isBase64Encoded ?? false,
        }
      : { isBase64Encoded: false }),
  };
};

/** A Lambda context with its own awsRequestId for every invocation, as Lambda gives. */
export const lambdaContext = (fn: ApiFunction | string = 'grants-api'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `funding-tracker-${fn}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-central-1:123456789012:function:funding-tracker-${fn}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/funding-tracker-${fn}`,
  logStreamName: '2026/11/22/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 29_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** A handler built by one of the `create…Api` factories. */
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<unknown>;

export const invoke = async (handler: ApiHandler, event: ApiEvent, context = lambdaContext()) =>
  (await handler(event, context)) as ApiResult;

/** What every refusal's body is: the API's own problem document. */
export type ProblemDocument = Problem;

/** Stack frames, error class names, source paths: nothing of the inside may leak into a response. */
export const INTERNALS = [
  /\bat \S+ \(?\S+:\d+:\d+\)?/,
  /(\\n|\n)\s*at /,
  /\b[A-Z][A-Za-z]*Error:/,
  /node_modules|\.ts:\d+|\.js:\d+/,
];

export const leaksInternals = (text: string): boolean => INTERNALS.some((pattern) => pattern.test(text));
