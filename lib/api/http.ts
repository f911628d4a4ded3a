import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import {
  type FieldError,
  PayloadTooLargeError,
  PreconditionFailedError,
  PreconditionRequiredError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors';

/** An API Gateway HTTP API (payload 2.0) request, as Lambda receives it in AWS and locally. */
export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown>; scopes?: string[] | null } };
  };
};
export type ApiResult = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

export const MAX_BODY_BYTES = 256 * 1024;

/** Headers every API response carries: nothing cached, nothing sniffed. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export const header = (event: ApiEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

/** zod's issues as the API names failing fields: "awarded.amount", "reportingPeriods.0.endsOn". */
export const fieldErrors = (error: z.ZodError): FieldError[] =>
  error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: 'is not a known field' }));
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return [{ path: path.join('.') || '(body)', message: 'is required' }];
    }
    return [{ path: path.join('.') || '(body)', message: issue.message }];
  });

export const validate = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> => {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    throw new ValidationError(
      `The ${what} has ${errors.length === 1 ? 'an invalid field' : `${errors.length} invalid fields`}.`,
      errors,
    );
  }
  return parsed.data;
};

/** The JSON body: 413 over 256 KiB, 415 when not JSON, 400 when malformed or invalid. */
export const jsonBody = <S extends z.ZodType>(event: ApiEvent, schema: S): z.output<S> => {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body may be at most ${MAX_BODY_BYTES} bytes (256 KiB).`);
  }
  const contentType = header(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(
      `The body must be JSON with Content-Type: application/json${contentType ? `, not ${contentType}` : ''}.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`The body is not well-formed JSON: ${(error as Error).message}`, [
      { path: '(body)', message: 'is not well-formed JSON' },
    ]);
  }
  return validate(schema, value, 'body');
};

export const queryOf = <S extends z.ZodType>(event: ApiEvent, schema: S): z.output<S> =>
  validate(schema, event.queryStringParameters ?? {}, 'query string');

export const pathParameter = (event: ApiEvent, name: string): string => {
  const value = event.pathParameters?.[name];
  if (!value || value.length > 100 || !/^[\w-]+$/.test(value)) {
    throw new ValidationError(`The path parameter ${name} is not valid.`, [
      { path: name, message: 'is not a valid id' },
    ]);
  }
  return value;
};

export const etagOf = (version: number): string => `"${version}"`;

/** The version an If-Match names: 428 when it is missing, 412 when it names no version. */
export const ifMatchVersion = (event: ApiEvent): number => {
  const value = header(event, 'if-match');
  if (!value) {
    throw new PreconditionRequiredError(
      'Send If-Match with the ETag of the grant you read, e.g. If-Match: "3".',
    );
  }
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(value.trim());
  if (!match) throw new PreconditionFailedError(`If-Match ${value} names no version of this grant.`);
  return Number(match[1]);
};

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...SECURITY_HEADERS, ...headers },
  body: JSON.stringify(body),
});
