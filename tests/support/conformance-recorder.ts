import { type Conformance, createConformance, type ObservedResponse } from './conformance';

/**
 * What one test file's responses did against the OpenAPI document: how many were validated and
 * every departure, for the setup file to fail the test that caused it and report the count.
 */

let conformance: Conformance | undefined;
let validated = 0;
const departures: string[] = [];

export const recordResponse = (observed: ObservedResponse): void => {
  conformance ??= createConformance();
  validated += 1;
  departures.push(...conformance.check(observed));
};

/** The departures recorded since the last call. */
export const takeDepartures = (): string[] => departures.splice(0, departures.length);

export const validatedCount = (): number => validated;

/** An API Gateway (payload 2.0) result as the client would receive it. */
export const recordApiResult = (
  event: { routeKey?: string; requestContext: { http: { method: string; path: string } } },
  result: {
    statusCode?: number;
    headers?: Record<string, unknown>;
    body?: string;
    isBase64Encoded?: boolean;
  },
): void => {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
  const body =
    result.body !== undefined && result.isBase64Encoded
      ? Buffer.from(result.body, 'base64').toString('utf8')
      : result.body;
  recordResponse({
    method: event.requestContext.http.method,
    path: event.requestContext.http.path,
    ...(event.routeKey && event.routeKey !== '$default' ? { routeKey: event.routeKey } : {}),
    status: result.statusCode ?? 200,
    headers,
    body,
  });
};
