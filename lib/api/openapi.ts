import * as z from 'zod';
import { ProblemSchema } from '../domain/schemas';
import { EXAMPLES } from './openapi-examples';
import {
  type ProblemStatus,
  problemStatusesOf,
  type RequestHeader,
  type ResponseHeader,
  ROUTES,
  type RouteDef,
  type RouteResponse,
} from './routes';

/**
 * OpenAPI 3.1, generated from the route table and the same zod schemas that validate requests.
 * OpenAPI 3.1 speaks JSON Schema 2020-12, which is what zod emits. Every schema with an `id` is
 * listed once under components/schemas and referenced from there, so standard tools resolve every
 * `$ref` and client generators get named types.
 */

type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & {
  readonly paths: Record<string, Record<string, JsonSchema>>;
  readonly components: { readonly schemas: Record<string, JsonSchema> } & Record<string, unknown>;
};

const COMPONENT_SCHEMAS = '#/components/schemas/';

/** Every response carries these, so a caller can quote the request when reporting a problem. */
const COMMON_RESPONSE_HEADERS = ['X-Request-Id'] as const;

const RESPONSE_HEADERS: Record<ResponseHeader | (typeof COMMON_RESPONSE_HEADERS)[number], JsonSchema> = {
  ETag: {
    description: 'The version of the grant as a strong entity tag, e.g. "3"; send it back in If-Match',
    required: true,
    schema: { type: 'string', pattern: '^"\\d+"$' },
    example: '"3"',
  },
  Location: {
    description: 'The path of the resource created',
    required: true,
    schema: { type: 'string' },
    example: '/grants/01JF4ZQ8M0S6KX7V2B3N4C5D6E',
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    required: true,
    schema: { type: 'string', pattern: '^\\d+$' },
    example: '5',
  },
  'Content-Disposition': {
    description: 'The file name a download is saved under (CSV and iCalendar)',
    required: false,
    schema: { type: 'string' },
    example: 'attachment; filename="totals.csv"',
  },
  'X-Request-Id': {
    description: "The API's id of this request; it is on every log line the request wrote",
    required: true,
    schema: { type: 'string' },
  },
};

const REQUEST_HEADERS: Record<RequestHeader, JsonSchema> = {
  'If-Match': {
    name: 'If-Match',
    in: 'header',
    required: true,
    description: 'The ETag of the version read, e.g. "3": missing → 428, stale → 412',
    schema: { type: 'string' },
    example: '"3"',
  },
  'Idempotency-Key': {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Repeating a key with the same body returns the first response (for 24 hours); with another body → 422',
    schema: { type: 'string' },
    example: 'import-2024-10-31-row-17',
  },
};

const PROBLEMS: Record<
  ProblemStatus,
  { readonly name: string; readonly description: string; readonly detail: string }
> = {
  400: {
    name: 'BadRequest',
    description: 'Malformed or invalid input; every failing field is named in `errors`',
    detail: 'The body has an invalid field.',
  },
  401: {
    name: 'Unauthorized',
    description: 'No token, or a token that is not valid',
    detail: 'Sign in again.',
  },
  403: {
    name: 'Forbidden',
    description: "The caller's role may not do this",
    detail: 'This needs the role lear-admin.',
  },
  404: {
    name: 'NotFound',
    description: 'Nothing has that id',
    detail: 'No grant has the id 01JF4ZQ8M0S6KX7V2B3N4C5D6E.',
  },
  406: {
    name: 'NotAcceptable',
    description: 'The Accept header names no media type this route answers in',
    detail: 'Totals come as application/json or text/csv, not text/html.',
  },
  409: {
    name: 'Conflict',
    description: 'The change is not allowed in the current state (e.g. a status change the rules forbid)',
    detail: 'A grant that is CLOSED cannot become ACTIVE.',
  },
  412: {
    name: 'PreconditionFailed',
    description: 'If-Match names a version that is no longer current: someone else changed it',
    detail: 'The grant is at version 4, not 3: reload it and apply the change again.',
  },
  413: {
    name: 'PayloadTooLarge',
    description: 'The body is over 256 KiB',
    detail: 'The body may be at most 262144 bytes (256 KiB).',
  },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is not JSON',
    detail: 'The body must be JSON with Content-Type: application/json.',
  },
  422: {
    name: 'UnprocessableContent',
    description: 'A business rule refuses the request (e.g. payments above the amount awarded)',
    detail: 'This payment would bring the total received above the amount awarded.',
  },
  428: {
    name: 'PreconditionRequired',
    description: 'If-Match is missing',
    detail: 'Send If-Match with the ETag of the grant you read, e.g. If-Match: "3".',
  },
  429: {
    name: 'TooManyRequests',
    description: 'Throttled; try again after Retry-After seconds',
    detail: 'Too many requests; try again in 5 seconds.',
  },
  503: {
    name: 'ServiceUnavailable',
    description: 'The store is unavailable or too slow; try again after Retry-After seconds',
    detail: 'The store did not answer in time; try again in 5 seconds.',
  },
};

const PROBLEM_TITLES: Record<ProblemStatus, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  406: 'Not acceptable',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Business rule violated',
  428: 'Precondition required',
  429: 'Too many requests',
  503: 'Service unavailable',
};

const TAGS = [
  { name: 'grants', description: 'Register grants and keep them current: payments, deadlines' },
  { name: 'deadlines', description: 'Deadlines across grants' },
  { name: 'totals', description: 'Funding awarded, received and outstanding in DKK, for finance' },
  { name: 'calendar', description: 'Calendar subscriptions (RFC 5545) with read-only feed tokens' },
  { name: 'meta', description: 'This document and the health check' },
] as const;

const tagOf = (route: RouteDef): string => {
  const first = route.path.split('/')[1] ?? '';
  if (first.startsWith('calendar')) return 'calendar';
  return TAGS.some((t) => t.name === first) ? first : 'meta';
};

/**
 * Collects component schemas while the document is built. zod emits a schema's named parts under
 * its own `$defs`; they are moved to components/schemas and every `$ref` pointed there. A name
 * that would stand for two different schemas (say, a request and a response shape) is an error,
 * not a silent overwrite.
 */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  /** The JSON Schema of a zod schema, with named parts as `$ref`s into components/schemas. */
  schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const {
      $schema: _dialect,
      $defs,
      ...root
    } = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      target: 'draft-2020-12',
    }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    for (const [name, def] of Object.entries($defs ?? {})) this.add(name, rewriteRefs(def) as JsonSchema);
    return rewriteRefs(root) as JsonSchema;
  }

  add(name: string, schema: JsonSchema): void {
    const existing = this.schemas[name];
    if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) {
      throw new Error(`Two different schemas are both named ${name} in the OpenAPI document`);
    }
    this.schemas[name] = schema;
  }
}

/** `#/$defs/X` → `#/components/schemas/X`; `example` → `examples` (JSON Schema 2020-12). */
const rewriteRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonSchema = {};
  for (const [key, inner] of Object.entries(value as JsonSchema)) {
    if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/')) {
      out.$ref = `${COMPONENT_SCHEMAS}${inner.slice('#/$defs/'.length)}`;
    } else if (key === 'example') {
      out.examples = [inner];
    } else if (key === 'properties' && inner && typeof inner === 'object') {
      // Property names are data, not keywords: a field called "example" stays a field.
      out.properties = Object.fromEntries(
        Object.entries(inner as JsonSchema).map(([name, schema]) => [name, rewriteRefs(schema)]),
      );
    } else {
      out[key] = rewriteRefs(inner);
    }
  }
  return out;
};

const pathParameterNames = (path: string): string[] =>
  [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');

const parametersOf = (route: RouteDef, components: Components): JsonSchema[] => {
  const path = pathParameterNames(route.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[\\w-]{1,100}$' },
  }));
  const querySchema = route.query ? components.schemaOf(route.query, 'input') : undefined;
  const required = new Set((querySchema?.required as string[] | undefined) ?? []);
  const query = Object.entries((querySchema?.properties ?? {}) as Record<string, JsonSchema>)
    // The feed token is a security scheme (apiKey in the query), not a parameter of its own.
    .filter(([name]) => !(route.auth.kind === 'feed-token' && name === FEED_TOKEN_PARAMETER))
    .map(([name, schema]) => {
      const { description, ...rest } = schema;
      return {
        name,
        in: 'query',
        required: required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      };
    });
  const headers = (route.headers ?? []).map((name) => ({
    $ref: `#/components/parameters/${parameterName(name)}`,
  }));
  return [...path, ...query, ...headers];
};

const FEED_TOKEN_PARAMETER = 'token';

const parameterName = (header: RequestHeader): string => header.replace(/-/g, '');

const headersOf = (names: readonly string[]): Record<string, JsonSchema> =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

const successResponse = (route: RouteDef, response: RouteResponse, components: Components): JsonSchema => {
  const content: Record<string, JsonSchema> = {};
  const example = EXAMPLES[route.operationId]?.responses?.[response.status];
  if (response.schema) {
    content[response.contentType ?? 'application/json'] = {
      schema: components.schemaOf(response.schema, 'output'),
      ...(example !== undefined ? { example } : {}),
    };
  }
  for (const alternative of response.alsoAs ?? []) {
    content[alternative.contentType] = { schema: components.schemaOf(alternative.schema, 'output') };
  }
  return {
    description: response.description,
    headers: headersOf([...COMMON_RESPONSE_HEADERS, ...(response.headers ?? [])]),
    ...(Object.keys(content).length ? { content } : {}),
  };
};

const problemResponse = (status: ProblemStatus): JsonSchema => {
  const { description, detail } = PROBLEMS[status];
  const title = PROBLEM_TITLES[status];
  const example = {
    type: `https://funding-tracker.kk.dk/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`,
    title,
    status,
    detail,
    ...(status === 400 ? { errors: [{ path: 'awarded.amount', message: 'must be a decimal string' }] } : {}),
  };
  return {
    description,
    headers:
      status === 429 || status === 503
        ? {
            // Throttling and an unavailable backend may be answered by the gateway, before the API
            // has a request id to give.
            'X-Request-Id': { ...RESPONSE_HEADERS['X-Request-Id'], required: false },
            ...headersOf(['Retry-After']),
          }
        : headersOf(COMMON_RESPONSE_HEADERS),
    content: { 'application/problem+json': { schema: { $ref: `${COMPONENT_SCHEMAS}Problem` }, example } },
  };
};

const securityOf = (route: RouteDef): JsonSchema[] => {
  switch (route.auth.kind) {
    case 'public':
      return [];
    case 'feed-token':
      return [{ feedToken: [] }];
    case 'jwt':
      return [{ bearer: [] }];
  }
};

const describeAuth = (route: RouteDef): string | undefined => {
  if (route.auth.kind !== 'jwt') return undefined;
  const roles = route.auth.roles.map((r) => `\`${r}\``).join(', ');
  const scopes = route.auth.scopes?.length
    ? `; or a machine token (client credentials) with the scope ${route.auth.scopes.map((s) => `\`${s}\``).join(', ')}`
    : '';
  return `Roles: ${roles}${scopes}.`;
};

/** The server: the stack's own URL locally, the public URL in AWS; else the origin the document came from. */
const serversOf = (serverUrl: string | undefined) =>
  serverUrl
    ? [{ url: serverUrl.replace(/\/+$/, ''), description: 'This deployment' }]
    : [{ url: '/', description: 'The origin this document is served from' }];

export const buildOpenApi = (serverUrl?: string): OpenApiDocument => {
  const components = new Components();
  components.schemaOf(ProblemSchema, 'output');
  const usedProblems = new Set<ProblemStatus>();
  const usedHeaders = new Set<RequestHeader>();
  const paths: Record<string, Record<string, JsonSchema>> = {};

  for (const route of ROUTES) {
    const responses: Record<string, JsonSchema> = {};
    for (const response of route.responses) {
      responses[response.status] = successResponse(route, response, components);
    }
    for (const status of problemStatusesOf(route)) {
      usedProblems.add(status);
      responses[status] = { $ref: `#/components/responses/${PROBLEMS[status].name}` };
    }
    for (const name of route.headers ?? []) usedHeaders.add(name);
    const auth = describeAuth(route);
    const description = [route.description, auth].filter(Boolean).join('\n\n');
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      ...(description ? { description } : {}),
      tags: [tagOf(route)],
      parameters: parametersOf(route, components),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: components.schemaOf(route.body, 'input'),
                  ...(EXAMPLES[route.operationId]?.body !== undefined
                    ? { example: EXAMPLES[route.operationId]?.body }
                    : {}),
                },
              },
            },
          }
        : {}),
      responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
      security: securityOf(route),
      ...(route.auth.kind === 'jwt' ? { 'x-roles': route.auth.roles } : {}),
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Funding tracker',
      version: '1.0.0',
      summary: "Copenhagen Municipality's register of externally funded grants",
      description:
        "The register of Copenhagen Municipality's externally funded grants: deadlines, payments and funding brought home per forvaltning. Errors are RFC 9457 problem documents (`application/problem+json`).",
      contact: { name: 'LEAR, Teknik- og Miljøforvaltningen' },
    },
    servers: serversOf(serverUrl),
    tags: [...TAGS],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components.schemas).sort(([a], [b]) => a.localeCompare(b))),
      responses: Object.fromEntries(
        [...usedProblems]
          .sort((a, b) => a - b)
          .map((status) => [PROBLEMS[status].name, problemResponse(status)]),
      ),
      parameters: Object.fromEntries(
        [...usedHeaders].sort().map((name) => [parameterName(name), REQUEST_HEADERS[name]]),
      ),
      headers: RESPONSE_HEADERS,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT from the Amazon Cognito user pool; roles come from the `cognito:groups` claim. Locally: `npm run token -- --role ROLE --email E`.',
        },
        feedToken: {
          type: 'apiKey',
          in: 'query',
          name: FEED_TOKEN_PARAMETER,
          description:
            'A read-only calendar feed token from POST /calendar/feed-tokens (calendar clients cannot send headers)',
        },
      },
    },
  };
};
