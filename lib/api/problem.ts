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
 * A client error becomes its problem; anything else becomes a 500 that says nothing of the
 * cause (it is logged with the request id, which the caller can quote).
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
  return {
    type: `${TYPE_BASE}internal-error`,
    title: 'Internal error',
    status: 500,
    detail: 'The request could not be completed. Quote the request id when reporting this.',
    ...context,
  };
};

/** Headers an error's problem response needs besides the document: Allow on a 405. */
export const problemHeaders = (error: unknown): Record<string, string> =>
  error instanceof MethodNotAllowedError && error.allowed.length ? { Allow: error.allowed.join(', ') } : {};
