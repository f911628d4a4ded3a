import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DEADLINE_MARGIN_MS, withStoreDeadline } from '../adapters/deadline';
import { storeFailureOf } from '../adapters/store-failures';
import { ClientError, MethodNotAllowedError, NotFoundError } from '../domain/errors';
import type { Caller } from '../use-cases/ports';
import { authorize } from './auth';
import { type ApiEvent, type ApiResult, SECURITY_HEADERS } from './http';
import { problemHeaders, problemResponse, toProblem } from './problem';
import { type ApiFunction, findRoute, matchRoute, type RouteDef } from './routes';

export interface RouteRequest {
  readonly event: ApiEvent;
  readonly context: Context;
  readonly route: RouteDef;
  /** Set on routes that need a token; public and feed-token routes have none. */
  readonly caller: Caller | undefined;
}

export type RouteHandler = (request: RouteRequest) => Promise<ApiResult>;

/** Finds the route: API Gateway names it in routeKey; a `$default` catch-all is matched by path. */
const resolveRoute = (event: ApiEvent): { route: RouteDef; event: ApiEvent } => {
  const named = event.routeKey && event.routeKey !== '$default' ? findRoute(event.routeKey) : undefined;
  if (named) return { route: named, event };
  const method = event.requestContext.http.method;
  const path = event.requestContext.http.path;
  const matched = matchRoute(method, path);
  if (matched.route) {
    return {
      route: matched.route,
      event: { ...event, pathParameters: { ...matched.pathParameters, ...event.pathParameters } },
    };
  }
  if (matched.allowed.length) {
    throw new MethodNotAllowedError(
      `${path} answers ${matched.allowed.join(', ')}, not ${method}.`,
      matched.allowed,
    );
  }
  throw new NotFoundError(`There is no ${path} in this API.`);
};

/** middy middleware: every error becomes a problem document; only unexpected ones are logged as errors. */
const problemDetails = (logger: Logger): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  onError: async (request) => {
    const { error, event } = request;
    const storeFailure = error instanceof ClientError ? undefined : storeFailureOf(error);
    // A store that is down or throttling is the operator's to see, not a fault in this code.
    if (storeFailure) logger.warn(`Store ${storeFailure.kind}`, { error: String(error) });
    else if (!(error instanceof ClientError)) logger.error('Request failed', { error: error as Error });
    request.response = problemResponse(
      toProblem(error, { requestId: event.requestContext.requestId, instance: event.rawPath }),
      problemHeaders(error),
    );
  },
});

/**
 * middy middleware: the API request id on every log line of the request, security headers and the
 * request id on every response, and one log line per request (paths, never bodies or addresses).
 */
const responseHeaders = (logger: Logger): middy.MiddlewareObj<ApiEvent, ApiResult> => {
  const finish = async (request: middy.Request<ApiEvent, ApiResult>) => {
    const response = request.response;
    if (!response) return;
    const requestId = request.event.requestContext.requestId;
    response.headers = { ...response.headers, ...SECURITY_HEADERS, 'X-Request-Id': requestId };
    logger.info('Request handled', {
      method: request.event.requestContext.http.method,
      route: request.event.routeKey,
      path: request.event.rawPath,
      status: response.statusCode,
    });
  };
  return {
    before: async (request) => {
      logger.appendKeys({ requestId: request.event.requestContext.requestId });
    },
    after: finish,
    onError: finish,
  };
};

/**
 * One API function: routes its share of the route table to handlers, authorises by the route's
 * roles, and turns every error into a problem document. Handlers stay thin: parse, call, map.
 */
export const createApiHandler = (
  fn: ApiFunction,
  handlers: Readonly<Record<string, RouteHandler>>,
  logger: Logger,
) =>
  middy<ApiEvent, ApiResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(responseHeaders(logger))
    .use(problemDetails(logger))
    .handler(async (incoming, context) => {
      const { route, event } = resolveRoute(incoming);
      const routeHandler = route.fn === fn ? handlers[route.operationId] : undefined;
      if (!routeHandler)
        throw new NotFoundError(`There is no ${incoming.requestContext.http.path} in this API.`);
      const caller = authorize(route, event);
      // Every store call of the request shares one deadline, inside Lambda's (lib/adapters/deadline.ts).
      const deadline = context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
      return withStoreDeadline(deadline, () => routeHandler({ event, context, route, caller }));
    });
