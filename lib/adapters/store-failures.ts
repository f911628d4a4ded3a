/**
 * Which failures of a call to DynamoDB (or another AWS service) mean "try again shortly" rather than
 * a fault of ours: the store did not answer in time or could not be reached (→ 503), or it throttled
 * us (→ 429). Both go back to the caller with Retry-After instead of a 500. Errors arrive as the SDK
 * raises them or wrapped by a library (Powertools idempotency keeps the SDK's error as `cause`).
 */

export type StoreFailureKind = 'unavailable' | 'throttled';

export interface StoreFailure {
  readonly kind: StoreFailureKind;
  /** What Retry-After says: long enough for local mode's restart of DynamoDB Local to be under way. */
  readonly retryAfterSeconds: number;
}

export const RETRY_AFTER_SECONDS: Readonly<Record<StoreFailureKind, number>> = {
  unavailable: 3,
  throttled: 1,
};

const THROTTLING_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottledException',
  'TooManyRequestsException',
]);

const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** Network failures of the connection to the store, as Node reports them. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: { readonly throttling?: unknown };
  /** TransactionCanceledException's, and the ledger's WriteConflict's reasons. */
  readonly CancellationReasons?: readonly { readonly Code?: unknown }[];
  readonly reasons?: readonly unknown[];
}

const kindOf = (error: ErrorLike): StoreFailureKind | undefined => {
  const name = typeof error.name === 'string' ? error.name : '';
  const status = error.$metadata?.httpStatusCode;
  const reasons = [
    ...(error.CancellationReasons ?? []).map((reason) => reason?.Code),
    ...(Array.isArray(error.reasons) ? error.reasons : []),
  ];
  if (
    THROTTLING_NAMES.has(name) ||
    error.$retryable?.throttling === true ||
    status === 429 ||
    reasons.includes('ThrottlingError')
  ) {
    return 'throttled';
  }
  if (
    UNAVAILABLE_NAMES.has(name) ||
    (typeof error.code === 'string' && UNAVAILABLE_CODES.has(error.code)) ||
    (typeof status === 'number' && status >= 500)
  ) {
    return 'unavailable';
  }
  return undefined;
};

/** The store failure behind an error, looking through its causes; undefined when it is something else. */
export const storeFailureOf = (error: unknown): StoreFailure | undefined => {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const kind = kindOf(current as ErrorLike);
    if (kind) return { kind, retryAfterSeconds: RETRY_AFTER_SECONDS[kind] };
    current = (current as ErrorLike).cause;
  }
  return undefined;
};
