import { storeFailureOf } from '../adapters/store-failures';
import { ClientError, type FieldError, MethodNotAllowedError } from '../domain/errors';
import { type ApiResult, SECURITY_HEADERS } from './http';

/** RFC 9457 problem documents: the one place where errors become HTTP responses. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: readonly FieldError[];
}

const TYPE_BASE = 'https://funding-tracker.kk.dk/problems/';

const slug = (title: string) => title.toLowerCase().replace(/[^a-z]+/g, '-');

export const problemResponse = (problem: Problem, headers: Record<string, string> = {}): ApiResult => ({
  statusCode: problem.status,
  headers: { 'Content-Type': 'application/problem+json', ...SECURITY_HEADERS, ...headers },
  body: JSON.stringify(problem),
});

/**
 * A client error becomes its problem; a store that did not answer in time or could not be reached
 * becomes a 503, a throttled one a 429 (both with Retry-After, see problemHeaders); anything else
 * becomes a 500 that says nothing of the cause (it is logged with the request id, which the caller
 * can quote).
 */
export const toProblem = (error: unknown, context: { requestId?: string; instance?: string }): Problem => {
  if (error instanceof ClientError) {
    return {
      type: `${TYPE_BASE}${slug(error.title)}`,
      title: error.title,
      status: error.status,
      detail: error.message,
      ...context,
      ...(error.errors?.length ? { errors: error.errors } : {}),
    };
  }
  const failure = storeFailureOf(error);
  if (failure?.kind === 'unavailable') {
    return {
      type: `${TYPE_BASE}service-unavailable`,
      title: 'Service unavailable',
      status: 503,
      detail: `The data store did not answer in time; try again in ${failure.retryAfterSeconds} seconds. A change sent with this request may have been saved: read it back before sending it again.`,
      ...context,
    };
  }
  if (failure?.kind === 'throttled') {
    return {
      type: `${TYPE_BASE}too-many-requests`,
      title: 'Too many requests',
      status: 429,
      detail: `The data store is busy. Try again in ${failure.retryAfterSeconds} second${failure.retryAfterSeconds === 1 ? '' : 's'}.`,
      ...context,
    };
  }
  return {
    type: `${TYPE_BASE}internal-error`,
    title: 'Internal error',
    status: 500,
    detail: 'The request could not be completed. Quote the request id when reporting this.',
    ...context,
  };
};

/** Headers an error's problem response needs besides the document: Allow on a 405, Retry-After on a 503 or 429. */
export const problemHeaders = (error: unknown): Record<string, string> => {
  if (error instanceof MethodNotAllowedError) {
    return error.allowed.length ? { Allow: error.allowed.join(', ') } : {};
  }
  if (error instanceof ClientError) return {};
  const failure = storeFailureOf(error);
  return failure ? { 'Retry-After': String(failure.retryAfterSeconds) } : {};
};
