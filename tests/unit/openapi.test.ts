import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../lib/api/openapi';
import { EXAMPLES } from '../../lib/api/openapi-examples';
import { problemStatusesOf, ROUTES, type RouteDef, routeKey } from '../../lib/api/routes';
import { API_CLIENT_DIR } from '../../lib/api-client/generate';

const run = promisify(execFile);

type Json = Record<string, unknown>;
type Operation = {
  operationId: string;
  parameters: Json[];
  requestBody?: { content: Record<string, { schema: Json; example?: unknown }> };
  responses: Record<string, Json>;
  security: Json[];
};

const SERVER = 'http://127.0.0.1:3999';
const document = buildOpenApi(SERVER);
const operationOf = (route: RouteDef) =>
  document.paths[route.path]?.[route.method.toLowerCase()] as unknown as Operation;

/** Every `$ref` string anywhere in a value. */
const refsIn = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Json).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
};

/** The Redocly CLI's verdict on a document file, with the project's configuration. */
const redoclyLint = async (file: string) => {
  const { stdout } = await run(
    'node_modules/.bin/redocly',
    ['lint', '--config', 'lib/api/redocly.yaml', '--format', 'json', file],
    { maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; message: string }[];
  };
};

describe('the OpenAPI document', () => {
  it('validates and dereferences with @apidevtools/swagger-parser', async () => {
    // act
    const validated = await SwaggerParser.validate(structuredClone(document) as never);
    const dereferenced = (await SwaggerParser.dereference(structuredClone(document) as never)) as Json;
    // assert
    expect((validated as Json).openapi).toBe('3.1.0');
    expect(refsIn(dereferenced)).toEqual([]);
  });

  it('has zero errors and zero warnings from Redocly CLI (recommended rules, lib/api/redocly.yaml)', async () => {
    // arrange
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    // act
    const [served, committed] = await Promise.all([
      redoclyLint(file),
      redoclyLint(join(API_CLIENT_DIR, 'openapi.json')),
    ]);
    // assert
    expect(served.problems).toEqual([]);
    expect(served.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(committed.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('fails both tools when a $ref points at a nested $defs, as zod emits by itself', async () => {
    // arrange: a response schema as z.toJSONSchema returns it, without moving its $defs
    const broken = structuredClone(document) as unknown as {
      paths: Record<string, Record<string, Operation>>;
    };
    const getGrant = broken.paths['/grants/{grantId}']?.get as Operation;
    (getGrant.responses['200'] as { content: Record<string, { schema: Json }> }).content['application/json'] =
      { schema: { $ref: '#/$defs/Grant', $defs: {} } };
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(broken));
    // act + assert
    await expect(SwaggerParser.validate(structuredClone(broken) as never)).rejects.toThrow(/\$defs\/Grant/);
    expect((await redoclyLint(file)).totals.errors).toBeGreaterThan(0);
  }, 60_000);

  it('refers only to components that exist, and lists every named schema once under components/schemas', () => {
    const refs = new Set(refsIn(document));
    for (const ref of refs) {
      const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(ref) ?? [];
      expect(section, ref).toBeDefined();
      const components = document.components as Record<string, Record<string, unknown>>;
      expect(components[section as string]?.[name as string], ref).toBeDefined();
    }
    expect(JSON.stringify(document)).not.toContain('$defs');
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'Grant',
        'GrantInput',
        'Money',
        'Payment',
        'Deadline',
        'Problem',
        'TotalsReport',
      ]),
    );
  });

  it('names the server it was built for, and the serving origin without one', () => {
    expect(document.servers).toEqual([{ url: SERVER, description: 'This deployment' }]);
    expect(buildOpenApi(`${SERVER}/`).servers).toEqual([{ url: SERVER, description: 'This deployment' }]);
    expect(buildOpenApi().servers).toEqual([
      { url: '/', description: 'The origin this document is served from' },
    ]);
  });

  it('has one operation per route, secured as the route is', () => {
    const operations = Object.values(document.paths).flatMap((methods) => Object.keys(methods));
    expect(operations).toHaveLength(ROUTES.length);
    for (const route of ROUTES) {
      const operation = operationOf(route);
      expect(operation.operationId, routeKey(route)).toBe(route.operationId);
      const expected =
        route.auth.kind === 'jwt'
          ? [{ bearer: [] }]
          : route.auth.kind === 'feed-token'
            ? [{ feedToken: [] }]
            : [];
      expect(operation.security, routeKey(route)).toEqual(expected);
    }
  });

  it('lists every status a route answers, its problems as application/problem+json', () => {
    for (const route of ROUTES) {
      const operation = operationOf(route);
      const statuses = Object.keys(operation.responses).map(Number);
      const expected = [...route.responses.map((r) => r.status), ...problemStatusesOf(route)].sort(
        (a, b) => a - b,
      );
      expect(statuses, routeKey(route)).toEqual(expected);
      expect(statuses, routeKey(route)).toEqual(expect.arrayContaining([429, 503]));
      for (const status of problemStatusesOf(route)) {
        const ref = (operation.responses[status] as { $ref: string }).$ref;
        const response = (document.components as unknown as { responses: Record<string, Json> }).responses[
          ref.split('/').pop() as string
        ] as { content: Record<string, unknown>; headers: Record<string, unknown> };
        expect(Object.keys(response.content), `${routeKey(route)} ${status}`).toEqual([
          'application/problem+json',
        ]);
        if (status === 429 || status === 503) expect(Object.keys(response.headers)).toContain('Retry-After');
      }
    }
  });

  it('derives the problems of a route from its auth, inputs and headers', () => {
    const byKey = (key: string) => ROUTES.find((r) => routeKey(r) === key) as RouteDef;
    expect(problemStatusesOf(byKey('PATCH /grants/{grantId}'))).toEqual([
      400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 503,
    ]);
    expect(problemStatusesOf(byKey('GET /grants'))).toEqual([400, 401, 403, 429, 503]);
    expect(problemStatusesOf(byKey('GET /openapi.json'))).toEqual([429, 503]);
    // /health documents its own 503 body, so no problem document stands in for it.
    expect(problemStatusesOf(byKey('GET /health'))).toEqual([429]);
  });

  it('declares the headers each success sends: Location and ETag on a new grant, ETag on a read', () => {
    const headersOf = (key: string, status: number) => {
      const route = ROUTES.find((r) => routeKey(r) === key) as RouteDef;
      return Object.keys((operationOf(route).responses[status] as { headers: Json }).headers);
    };
    expect(headersOf('POST /grants', 201)).toEqual(['X-Request-Id', 'Location', 'ETag']);
    expect(headersOf('GET /grants/{grantId}', 200)).toEqual(['X-Request-Id', 'ETag']);
    expect(headersOf('PATCH /grants/{grantId}', 200)).toEqual(['X-Request-Id', 'ETag']);
  });

  it('documents If-Match as required on a grant change and the feed token as a query security scheme', () => {
    const patch = operationOf(ROUTES.find((r) => routeKey(r) === 'PATCH /grants/{grantId}') as RouteDef);
    expect(patch.parameters).toContainEqual({ $ref: '#/components/parameters/IfMatch' });
    const feed = operationOf(ROUTES.find((r) => routeKey(r) === 'GET /calendar.ics') as RouteDef);
    expect(feed.parameters.map((p) => p.name)).not.toContain('token');
    expect(document.components.securitySchemes).toMatchObject({
      feedToken: { type: 'apiKey', in: 'query', name: 'token' },
    });
  });

  it('documents grantCount in totals as every grant that matches the filter, whatever its status', () => {
    const amounts = document.components.schemas.TotalsAmounts as { properties: Record<string, Json> };
    expect(amounts.properties.grantCount?.description).toMatch(
      /every grant that matches the filter, whatever its status/i,
    );
    expect((document.components.schemas.TotalsGroup as { required: string[] }).required).toContain(
      'grantCount',
    );
  });

  it('has examples that match their schemas', () => {
    // arrange
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi', components: document.components });
    const schemaFor = (schema: Json) =>
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')) as Json;
    const examples: { where: string; schema: Json; example: unknown }[] = [];
    for (const route of ROUTES) {
      const operation = operationOf(route);
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
        if (media.example !== undefined)
          examples.push({ where: `${routeKey(route)} body ${type}`, ...media } as never);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [type, media] of Object.entries((response.content ?? {}) as Record<string, Json>)) {
          if (media.example !== undefined) {
            examples.push({
              where: `${routeKey(route)} ${status} ${type}`,
              schema: media.schema as Json,
              example: media.example,
            });
          }
        }
      }
    }
    const responses = (document.components as unknown as { responses: Record<string, Json> }).responses;
    for (const [name, response] of Object.entries(responses)) {
      for (const media of Object.values((response as { content: Record<string, Json> }).content)) {
        examples.push({ where: name, schema: media.schema as Json, example: media.example });
      }
    }
    expect(examples.map((e) => e.where)).toEqual(
      expect.arrayContaining(['POST /grants body application/json', 'POST /grants 201 application/json']),
    );
    const operationIds = new Set(ROUTES.map((r) => r.operationId));
    for (const id of Object.keys(EXAMPLES)) expect(operationIds, id).toContain(id);
    // act + assert
    for (const { where, schema, example } of examples) {
      const check = ajv.compile(schemaFor(schema));
      expect(check(example), `${where}: ${ajv.errorsText(check.errors)}`).toBe(true);
    }
  });

  it('is served as committed in lib/api-client/openapi.json, apart from the server', () => {
    const committed = JSON.parse(readFileSync(join(API_CLIENT_DIR, 'openapi.json'), 'utf8')) as Json;
    expect({ ...document, servers: committed.servers }).toEqual(committed);
  });
});
