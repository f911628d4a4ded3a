/**
 * One error hierarchy for everything a client can cause. `lib/api/problem.ts` maps it to
 * RFC 9457 problem documents in one place; anything else is a 500 with no detail exposed.
 */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export abstract class ClientError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  readonly errors: readonly FieldError[] | undefined;

  constructor(detail: string, errors?: readonly FieldError[]) {
    super(detail);
    this.name = new.target.name;
    this.errors = errors;
  }
}

export class ValidationError extends ClientError {
  readonly status = 400;
  readonly title = 'Invalid request';
}
export class UnauthorizedError extends ClientError {
  readonly status = 401;
  readonly title = 'Unauthorized';
}
export class ForbiddenError extends ClientError {
  readonly status = 403;
  readonly title = 'Forbidden';
}
export class NotFoundError extends ClientError {
  readonly status = 404;
  readonly title = 'Not found';
}
export class MethodNotAllowedError extends ClientError {
  readonly status = 405;
  readonly title = 'Method not allowed';
  constructor(
    detail: string,
    /** The methods the path does answer, for the Allow header. */
    readonly allowed: readonly string[] = [],
  ) {
    super(detail);
  }
}
export class ConflictError extends ClientError {
  readonly status = 409;
  readonly title = 'Conflict';
}
export class PreconditionFailedError extends ClientError {
  readonly status = 412;
  readonly title = 'Precondition failed';
}
export class PayloadTooLargeError extends ClientError {
  readonly status = 413;
  readonly title = 'Payload too large';
}
export class UnsupportedMediaTypeError extends ClientError {
  readonly status = 415;
  readonly title = 'Unsupported media type';
}
export class NotAcceptableError extends ClientError {
  readonly status = 406;
  readonly title = 'Not acceptable';
}
export class BusinessRuleError extends ClientError {
  readonly status = 422;
  readonly title = 'Business rule violated';
}
export class PreconditionRequiredError extends ClientError {
  readonly status = 428;
  readonly title = 'Precondition required';
}
