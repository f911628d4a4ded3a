import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import type { ApiEvent, ApiResult } from '../api/http';
import { problemHeaders, problemResponse, toProblem } from '../api/problem';
import { type ApiFunction, matchRoute, routeKey } from '../api/routes';
import {
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
} from '../domain/errors';
import type { TokenVerifier } from './dev-tokens';
import { lambdaContext } from './lambda-context';
import { readBody } from './read-body';
import type { WebHandler } from './web';

/**
 * The local HTTP front: plays API Gateway (HTTP API, payload 2.0) in front of the same handlers
 * that run in Lambda. It matches routes from the shared route table, verifies bearer tokens like
 * the JWT authorizer, and hands the handler the event API Gateway would.
 */

export type LambdaHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** API Gateway's own payload ceiling; the handlers enforce the API's 256 KiB. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

const send = (res: ServerResponse, result: ApiResult) => {
  res.writeHead(result.statusCode ?? 200, result.headers);
  res.end(result.body ?? '');
};

export interface ApiServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly handlers: Readonly<Record<ApiFunction, LambdaHandler | undefined>>;
  readonly verifyToken: TokenVerifier;
  readonly log?: (line: string) => void;
  /** The web application on the same origin: asked first for GET/HEAD paths that are no API route. */
  readonly web?: WebHandler;
}

export const startApiServer = async (options: ApiServerOptions): Promise<{ server: Server; url: string }> => {
  const server = createServer(async (req, res) => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      if (
        options.web &&
        (method === 'GET' || method === 'HEAD') &&
        !matchRoute(method, url.pathname).route &&
        (await options.web(req, res, url))
      )
        return;
      const body = await readBody(
        req,
        GATEWAY_MAX_BODY_BYTES,
        () => new PayloadTooLargeError('The body exceeds the gateway limit of 10 MB.'),
      );
      const match = matchRoute(method, url.pathname);
      if (!match.route) {
        throw match.allowed.length
          ? new MethodNotAllowedError(
              `${url.pathname} answers ${match.allowed.join(', ')}, not ${method}.`,
              match.allowed,
            )
          : new NotFoundError(`There is no ${url.pathname} in this API.`);
      }
      const { route, pathParameters } = match;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
      }
      let claims: Record<string, unknown> | undefined;
      if (route.auth.kind === 'jwt') {
        const token = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
        if (!token) throw new UnauthorizedError('Send a bearer token: Authorization: Bearer <JWT>.');
        try {
          claims = await options.verifyToken(token);
        } catch {
          throw new UnauthorizedError(
            'The bearer token is not valid here (signature, issuer, audience or expiry).',
          );
        }
      }
      const handler = options.handlers[route.fn];
      if (!handler) throw new NotFoundError(`There is no ${url.pathname} in this API.`);
      const query = Object.fromEntries(url.searchParams.entries());
      const isText = body.length === 0 || !body.includes(0);
      const event: ApiEvent = {
        version: '2.0',
        routeKey: routeKey(route),
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        queryStringParameters: Object.keys(query).length ? query : undefined,
        pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
        body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
        isBase64Encoded: !isText,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: url.host,
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey: routeKey(route),
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
          ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
        },
      };
      send(res, await handler(event, lambdaContext(route.fn, requestId)));
    } catch (error) {
      if (!(error instanceof Error && 'status' in error))
        options.log?.(`local server error: ${String(error)}`);
      send(
        res,
        problemResponse(toProblem(error, { requestId, instance: url.pathname }), {
          ...problemHeaders(error),
          'X-Request-Id': requestId,
        }),
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
};
