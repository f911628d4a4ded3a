import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApi, type OpenApiDocument } from '../../lib/api/openapi';
import { findRoute, matchRoute, type RouteDef, routeKey } from '../../lib/api/routes';

/**
 * Checks a response the API sent against the OpenAPI document: the status is listed for the
 * operation, the content type is documented for that status, every header is declared (and every
 * declared header sent), and the body matches its schema (Ajv, JSON Schema 2020-12). A response to
 * a path that names no operation must be a 404 or 405 problem document.
 */

export interface ObservedResponse {
  readonly method: string;
  /** The request path, without the query. */
  readonly path: string;
  /** The route as API Gateway names it ("GET /grants/{grantId}"), when the caller knows it. */
  readonly routeKey?: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/**
 * Headers of the transport and of the security policy every response carries: not part of any
 * operation's contract (OpenAPI ignores a declared Content-Type header).
 */
const TRANSPORT_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'date',
  'vary',
  'cache-control',
  'x-content-type-options',
  'strict-transport-security',
  'content-security-policy',
  'x-frame-options',
  'referrer-policy',
  'permissions-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'cross-origin-embedder-policy',
]);

type Json = Record<string, unknown>;
interface ResponseObject {
  readonly description: string;
  readonly headers?: Record<string, Json>;
  readonly content?: Record<string, { readonly schema: Json }>;
}

const lower = (headers: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

export interface Conformance {
  /** The ways the response departs from the document; empty when it conforms. */
  check(observed: ObservedResponse): string[];
}

export const createConformance = (document: OpenApiDocument = buildOpenApi()): Conformance => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // An e-mail address is what its pattern says (zod's rule, which the API applies); ajv-formats' own
  // e-mail check is narrower (63-character labels), and format is an annotation in 2020-12.
  ajv.addFormat('email', true);
  ajv.addSchema({ $id: 'openapi', components: document.components });
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: Json): ValidateFunction => {
    let validate = compiled.get(key);
    if (!validate) {
      const rebased = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'),
      );
      validate = ajv.compile(rebased);
      compiled.set(key, validate);
    }
    return validate;
  };

  const resolve = <T>(value: Json): T => {
    const ref = value.$ref;
    if (typeof ref !== 'string') return value as T;
    const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(ref) ?? [];
    const target = (document.components as Record<string, Record<string, Json>>)[section ?? '']?.[name ?? ''];
    if (!target) throw new Error(`The document refers to ${ref}, which it does not have`);
    return target as T;
  };

  const problemSchema: Json = { $ref: '#/components/schemas/Problem' };

  const checkBody = (
    where: string,
    response: ResponseObject,
    observed: ObservedResponse,
    contentType: string | undefined,
  ): string[] => {
    const hasBody = observed.body !== undefined && observed.body !== '';
    if (!response.content) return hasBody ? [`${where}: sends a body, but the document gives it none`] : [];
    if (!contentType) return [`${where}: has no Content-Type`];
    const media = response.content[contentType];
    if (!media) {
      return [
        `${where}: Content-Type ${contentType} is not documented (documented: ${Object.keys(response.content).join(', ')})`,
      ];
    }
    let body: unknown = observed.body ?? '';
    if (contentType === 'application/json' || contentType.endsWith('+json')) {
      try {
        body = JSON.parse(observed.body ?? '');
      } catch {
        return [`${where}: the body is not JSON`];
      }
    }
    const validate = validatorFor(`${where} ${contentType}`, media.schema);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${where}: body${e.instancePath || ''} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    );
  };

  return {
    check(observed) {
      const headers = lower(observed.headers);
      const contentType = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      const named = observed.routeKey ? findRoute(observed.routeKey) : undefined;
      const matched: { route: RouteDef | undefined } = named
        ? { route: named }
        : matchRoute(observed.method.toUpperCase(), observed.path);
      if (!matched.route) {
        const where = `${observed.method} ${observed.path} → ${observed.status} (no operation)`;
        if (observed.status !== 404 && observed.status !== 405) {
          return [`${where}: a path that names no operation may only answer 404 or 405`];
        }
        return checkBody(
          where,
          { description: '', content: { 'application/problem+json': { schema: problemSchema } } },
          observed,
          contentType,
        );
      }
      const key = routeKey(matched.route);
      const where = `${key} → ${observed.status}`;
      const operation = document.paths[matched.route.path]?.[matched.route.method.toLowerCase()] as
        | { responses: Record<string, Json> }
        | undefined;
      if (!operation) return [`${key}: is not in the document`];
      const declared = operation.responses[String(observed.status)];
      if (!declared) {
        return [
          `${where}: status ${observed.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`,
        ];
      }
      const response = resolve<ResponseObject>(declared);
      const problems: string[] = [];
      const declaredHeaders = new Map(
        Object.entries(response.headers ?? {}).map(([name, header]) => [
          name.toLowerCase(),
          resolve<Json>(header),
        ]),
      );
      for (const name of Object.keys(headers)) {
        if (!TRANSPORT_HEADERS.has(name) && !declaredHeaders.has(name)) {
          problems.push(`${where}: header ${name} is not declared`);
        }
      }
      for (const [name, header] of declaredHeaders) {
        if (header.required === true && headers[name] === undefined) {
          problems.push(`${where}: declared header ${name} is missing`);
        }
        const schema = header.schema as Json | undefined;
        if (
          schema &&
          headers[name] !== undefined &&
          !validatorFor(`${where} header ${name}`, schema)(headers[name])
        ) {
          problems.push(
            `${where}: header ${name}: ${headers[name]} does not match ${JSON.stringify(schema)}`,
          );
        }
      }
      return [...problems, ...checkBody(where, response, observed, contentType)];
    },
  };
};
