import * as z from 'zod';
import { ProblemSchema } from '../domain/schemas';
import { ROUTES, type RouteDef } from './routes';

/**
 * OpenAPI 3.1, generated from the route table and the same zod schemas that validate requests.
 * OpenAPI 3.1 speaks JSON Schema 2020-12, which is what zod emits.
 */

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const parametersOf = (route: RouteDef) => {
  const path = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = route.query
    ? Object.entries((toSchema(route.query, 'input').properties ?? {}) as Record<string, JsonSchema>).map(
        ([name, schema]) => ({ name, in: 'query', required: false, schema }),
      )
    : [];
  const headers = (route.headers ?? []).map((name) => ({
    name,
    in: 'header',
    required: name === 'If-Match',
    schema: { type: 'string' },
    description:
      name === 'If-Match'
        ? 'The ETag of the version read, e.g. "3": missing → 428, stale → 412'
        : 'Repeating a key with the same body returns the first response; with another body → 422',
  }));
  return [...path, ...query, ...headers];
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export const buildOpenApi = (serverUrl?: string): Record<string, unknown> => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      parameters: parametersOf(route),
      responses: {
        [route.response?.status ?? 200]: {
          description: 'Success',
          content: {
            [route.response?.contentType ?? 'application/json']: {
              schema: route.response?.schema ? toSchema(route.response.schema, 'output') : {},
            },
          },
        },
        ...(route.body ? { 400: problem('Invalid input; every failing field is named') } : {}),
        ...(route.auth.kind === 'jwt'
          ? { 401: problem('No or bad token'), 403: problem('Role not allowed') }
          : {}),
      },
      security: route.auth.kind === 'jwt' ? [{ bearer: [] }] : [],
      ...(route.auth.kind === 'jwt' ? { 'x-roles': route.auth.roles } : {}),
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: toSchema(route.body, 'input') } },
      };
    }
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Funding tracker',
      version: '1.0.0',
      description:
        "The register of Copenhagen Municipality's externally funded grants: deadlines, payments and funding brought home per forvaltning.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Problem: toSchema(ProblemSchema, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
};
