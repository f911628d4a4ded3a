import { type ApiClient, createApiClient } from '../../../lib/api-client';
import { ApiError, isProblem, type Problem } from './problem';

/**
 * The one module that talks to the API: the client generated from the OpenAPI document, created
 * once at start with the signed-in person's token. Feature hooks call it; pages never build URLs.
 */

export type {
  ApiClient,
  Deadline,
  DeadlineInput,
  DeadlineListItem,
  Grant,
  GrantInput,
  GrantPage,
  GrantPatch,
  IssuedFeedToken,
  Money,
  Payment,
  PaymentInput,
  Schemas,
} from '../../../lib/api-client';

let client: ApiClient | undefined;

export const initApiClient = (baseUrl: string, getToken: () => string | undefined): ApiClient => {
  client = createApiClient({ baseUrl, getToken });
  return client;
};

export const api = (): ApiClient => {
  if (!client) throw new Error('The API client is used before the app started');
  return client;
};

interface FetchResult<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

const problemOf = (error: unknown, response: Response): Problem =>
  isProblem(error)
    ? error
    : {
        title: response.statusText || 'Request failed',
        status: response.status,
        detail: String(error ?? ''),
      };

/** The data of a successful call, or an ApiError carrying the problem document. */
export const unwrap = async <T>(call: Promise<FetchResult<T>>): Promise<{ data: T; response: Response }> => {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) {
    const retryAfter = Number(response.headers.get('Retry-After'));
    throw new ApiError(problemOf(error, response), Number.isFinite(retryAfter) ? retryAfter : undefined);
  }
  return { data: data as T, response };
};

/** A fresh key per distinct submission: a repeated click sends the same key, so it registers once. */
export const newIdempotencyKey = (): string => crypto.randomUUID();
